"""E-licences (电子证照), the licence library, and the proof-free registry (零证明).

``Licence.status`` is a cached copy of the last ``LicenceEvent``; only
``services.licence_transition`` assigns it (STYLE.md §4).
"""

from __future__ import annotations

import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.org.models import Applicant, Department

validate_prefix = RegexValidator(r"^[A-Z]{1,6}$", _("证号前缀应为1至6位大写字母"))
validate_number = RegexValidator(r"^[A-Z0-9]{4,40}$", _("证号只能由大写字母和数字组成"))

# The placeholders a licence type's number format may use.
NUMBER_FIELDS = {"prefix", "region", "year", "yy", "seq"}
DEFAULT_NUMBER_FORMAT = "{prefix}{region}{yy}{seq:06d}"


class ValidityUnit(models.TextChoices):
    MONTHS = "months", _("月")
    YEARS = "years", _("年")
    PERMANENT = "permanent", _("长期")


class LicenceType(models.Model):
    """A kind of licence (证照类型). The catalogue names it in ``result.licence_type`` and in a
    material's ``satisfied_by = "licence:<name>"``, so ``name`` is the stable key."""

    name = models.CharField(_("证照名称"), max_length=100, unique=True, help_text=_("如 食品经营许可证"))
    department = models.ForeignKey(
        Department,
        verbose_name=_("发证部门"),
        on_delete=models.PROTECT,
        related_name="licence_types",
    )
    validity_unit = models.CharField(
        _("有效期单位"), max_length=10, choices=ValidityUnit.choices, default=ValidityUnit.YEARS
    )
    validity_value = models.PositiveSmallIntegerField(
        _("有效期"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("如《食品经营许可管理办法》第二十五条：食品经营许可证有效期为5年；长期有效时为空"),
    )
    number_prefix = models.CharField(
        _("证号前缀"), max_length=6, validators=[validate_prefix], help_text=_("如 JY（食品经营许可证）")
    )
    number_format = models.CharField(
        _("证号格式"),
        max_length=60,
        default=DEFAULT_NUMBER_FORMAT,
        help_text=_(
            "可用 {prefix} 前缀、{region} 发证部门6位区划码、{year}/{yy} 年份、{seq:06d} 顺序号；"
            "顺序号按证号中除顺序号外的部分分别计数"
        ),
    )
    is_master = models.BooleanField(
        _("主照"),
        default=False,
        help_text=_("营业执照：同一企业的其他证照关联到它（一照多证、证照通1+X）"),
    )
    paper = models.BooleanField(_("纸质证照"), default=True)
    electronic = models.BooleanField(_("电子证照"), default=True)
    public_fields = models.JSONField(
        _("公开字段"),
        default=list,
        blank=True,
        help_text=_('证照数据中可在扫码核验页公开、并纳入签名的字段名，如 ["经营场所", "主体业态"]'),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("证照类型")
        verbose_name_plural = _("证照类型")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.validity_unit == ValidityUnit.PERMANENT and self.validity_value is not None:
            errors["validity_value"] = _("长期有效的证照不填写有效期")
        if self.validity_unit != ValidityUnit.PERMANENT and not self.validity_value:
            errors["validity_value"] = _("须填写有效期")
        try:
            fields = {
                f for _t, f, _s, _c in string.Formatter().parse(self.number_format or "") if f is not None
            }
        except ValueError:
            fields = {"?"}
        if "seq" not in fields or not fields <= NUMBER_FIELDS:
            errors["number_format"] = _(
                "证号格式须包含 {seq}，且只能使用 {prefix} {region} {year} {yy} {seq}"
            )
        if not isinstance(self.public_fields, list) or not all(
            isinstance(f, str) and f for f in self.public_fields
        ):
            errors["public_fields"] = _("公开字段应为字段名列表")
        if errors:
            raise ValidationError(errors)


class LicenceStatus(models.TextChoices):
    VALID = "valid", _("有效")
    SUSPENDED = "suspended", _("暂停")
    REVOKED = "revoked", _("已吊销")
    EXPIRED = "expired", _("已过期")
    # 变更登记 re-issues the licence (《市场主体登记管理条例》第二十四条): the old one stays verifiable.
    SUPERSEDED = "superseded", _("已换发")
    # 注销登记 ends the entity and its licences with it (同条例第三十一条); no penalty, unlike 吊销.
    CANCELLED = "cancelled", _("已注销")


class LicenceAction(models.TextChoices):
    ISSUE = "issue", _("颁发")
    SUSPEND = "suspend", _("暂停")
    RESUME = "resume", _("恢复")
    REVOKE = "revoke", _("吊销")
    EXPIRE = "expire", _("到期失效")
    REMIND = "remind", _("到期提醒")
    PERMIT = "permit", _("所含许可变更")
    SUPERSEDE = "supersede", _("换发")
    CANCEL = "cancel", _("注销")


class Licence(models.Model):
    """One issued licence in the licence library (电子证照库)."""

    number = models.CharField(_("证号"), max_length=40, unique=True, validators=[validate_number])
    licence_type = models.ForeignKey(
        LicenceType, verbose_name=_("证照类型"), on_delete=models.PROTECT, related_name="licences"
    )
    holder = models.ForeignKey(
        Applicant, verbose_name=_("持证主体"), on_delete=models.PROTECT, related_name="licences"
    )
    holder_name = models.CharField(_("持证主体名称"), max_length=200, help_text=_("颁发时的名称快照"))
    holder_id_number = models.CharField(
        _("持证主体证件号码"),
        max_length=18,
        db_index=True,
        help_text=_("颁发时的身份证号或统一社会信用代码快照"),
    )
    department = models.ForeignKey(
        Department, verbose_name=_("发证部门"), on_delete=models.PROTECT, related_name="licences"
    )
    issued_at = models.DateTimeField(_("发证时间"))
    valid_from = models.DateField(_("有效期起"))
    expires_on = models.DateField(
        _("有效期至"), null=True, blank=True, help_text=_("最后一个有效日；为空表示长期有效")
    )
    data = models.JSONField(
        _("证照内容"), default=dict, blank=True, help_text=_("字段名 → 内容，如 经营项目")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=LicenceStatus.choices, default=LicenceStatus.VALID, db_index=True
    )
    status_reason = models.CharField(_("状态原因"), max_length=500, blank=True)
    source_case_no = models.CharField(
        _("来源办件编号"), max_length=40, blank=True, db_index=True, help_text=_("存量证照入库时为空")
    )
    source_case_id = models.BigIntegerField(
        _("来源办件ID"), null=True, blank=True, help_text=_("办件属于上层应用，此处不设外键")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("主照"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="linked",
        help_text=_("一照多证：同一企业的营业执照；营业执照本身为空"),
    )
    permits = models.ManyToManyField(
        "self",
        verbose_name=_("整合的许可"),
        through="IntegratedPermit",
        through_fields=("integrated", "permit"),
        symmetrical=False,
        blank=True,
        related_name="integrated_in",
        help_text=_("行业综合许可证（一业一证）所整合的单项许可；单项许可本身为空"),
    )
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("换发后的证照"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
        help_text=_("已换发时为换发的新证（变更登记）；其他状态为空"),
    )
    payload = models.JSONField(_("签名内容"), default=dict, help_text=_("被签名的规范化证照数据（原样保存）"))
    signature_algorithm = models.CharField(_("签名算法"), max_length=10)
    signature_key_id = models.CharField(_("签名密钥"), max_length=32)
    payload_hash = models.CharField(_("签名内容摘要"), max_length=64, help_text=_("规范化证照数据的 SHA-256"))
    signature = models.CharField(_("签名"), max_length=200, help_text=_("base64url"))

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照库")
        ordering = ["-issued_at"]
        indexes = [models.Index(fields=["status", "expires_on"], name="licence_status_expiry")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("valid_from")),
                name="licence_expires_after_valid_from",
            )
        ]

    def __str__(self) -> str:
        return f"{self.licence_type.name} {self.number}"


class LicenceEvent(models.Model):
    """Append-only history of a licence: issue and every status change."""

    licence = models.ForeignKey(
        Licence, verbose_name=_("证照"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("事件"), max_length=10, choices=LicenceAction.choices)
    from_status = models.CharField(_("原状态"), max_length=10, choices=LicenceStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=LicenceStatus.choices)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示系统（定时任务）"),
    )
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("证照事件")
        verbose_name_plural = _("证照事件")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.licence.number} {self.get_action_display()}"


class IntegratedPermit(models.Model):
    """One permit an integrated licence lists (一业一证, seed 000: one industry's several permits
    become "one licence centred on the enterprise", 一证准营). The permit stays in the licence library
    with its own number and lifecycle; a permit is integrated into one integrated licence only."""

    integrated = models.ForeignKey(
        Licence, verbose_name=_("行业综合许可证"), on_delete=models.PROTECT, related_name="permit_links"
    )
    permit = models.ForeignKey(
        Licence, verbose_name=_("单项许可"), on_delete=models.PROTECT, related_name="integration_links"
    )
    position = models.PositiveSmallIntegerField(_("顺序"), help_text=_("在行业综合许可证上列出的顺序"))

    class Meta:
        verbose_name = _("整合的许可")
        verbose_name_plural = _("整合的许可")
        ordering = ["integrated", "position"]
        constraints = [
            models.UniqueConstraint(fields=["permit"], name="licence_permit_integrated_once"),
            models.CheckConstraint(
                condition=~models.Q(integrated=models.F("permit")), name="licence_not_integrated_in_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.integrated_id} ⊃ {self.permit_id}"


class ReplacementMethod(models.TextChoices):
    """How a proof that used to be demanded is replaced (seed 001 泸州“0证明城市”: 直接取消、当事人
    告知承诺、数据共享、部门间协查、审批机构自行调查核实)."""

    CANCELLED = "cancelled", _("直接取消")
    COMMITMENT = "commitment", _("告知承诺")
    DATA_SHARING = "data_sharing", _("数据共享")
    VERIFICATION = "verification", _("部门协查")
    SELF_CHECK = "self_check", _("部门自行核查")
    RETAINED = "retained", _("暂予保留")


class ProofRequirement(models.Model):
    """A proof (证明事项) that items used to ask applicants for, and how it is replaced now."""

    name = models.CharField(_("证明名称"), max_length=200, help_text=_("如 无犯罪记录证明"))
    issuer = models.CharField(_("原开具单位"), max_length=200, blank=True, help_text=_("如 村（社区）居委会"))
    asked_by = models.CharField(
        _("原索要事项或部门"), max_length=300, blank=True, help_text=_("自由文本，如 住房公积金提取")
    )
    item_code = models.CharField(
        _("事项编码"), max_length=64, blank=True, help_text=_("如与目录事项对应则填写")
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("索要部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proof_requirements",
    )
    method = models.CharField(_("替代方式"), max_length=20, choices=ReplacementMethod.choices)
    replaced_by = models.CharField(
        _("替代依据"),
        max_length=120,
        blank=True,
        help_text=_("数据共享时为 data:<数据源> 或 licence:<证照名称>"),
    )
    basis = models.TextField(_("法律或政策依据"), blank=True)
    source_seed = models.CharField(_("来源"), max_length=20, blank=True)
    source_note = models.CharField(_("来源说明"), max_length=300, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("证明事项")
        verbose_name_plural = _("证明事项清单")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "asked_by"], name="proof_name_asked_by_unique")
        ]

    def __str__(self) -> str:
        return self.name


class VerificationStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")
    OVERDUE = "overdue", _("已逾期")


class VerificationOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("属实")
    NOT_CONFIRMED = "not_confirmed", _("不属实")
    NO_RECORD = "no_record", _("无相关记录")


class VerificationRequest(models.Model):
    """An inter-department verification (部门协查): instead of asking the applicant for a proof,
    one department asks another, which answers by a working-day deadline."""

    requesting_department = models.ForeignKey(
        Department, verbose_name=_("发起部门"), on_delete=models.PROTECT, related_name="verifications_sent"
    )
    responding_department = models.ForeignKey(
        Department,
        verbose_name=_("协查部门"),
        on_delete=models.PROTECT,
        related_name="verifications_received",
    )
    subject = models.ForeignKey(
        Applicant, verbose_name=_("协查对象"), on_delete=models.PROTECT, related_name="+"
    )
    proof = models.ForeignKey(
        ProofRequirement,
        verbose_name=_("替代的证明事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="verification_requests",
    )
    question = models.TextField(_("协查内容"))
    case_no = models.CharField(_("办件编号"), max_length=40, blank=True, db_index=True)
    due_on = models.DateField(_("答复期限"), help_text=_("按工作日历计算的最后答复日"))
    limit_days = models.PositiveSmallIntegerField(
        _("答复时限（工作日）"),
        null=True,
        blank=True,
        help_text=_("自发起次日起算；日历变更后据此重算答复期限"),
    )
    due_provisional = models.BooleanField(
        _("期限暂定"),
        default=False,
        help_text=_("期限跨入尚未导入节假日安排的年份时，暂按周末计算并标明；导入后自动重算"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=VerificationStatus.choices, default=VerificationStatus.OPEN
    )
    outcome = models.CharField(_("协查结论"), max_length=20, choices=VerificationOutcome.choices, blank=True)
    answer = models.TextField(_("答复内容"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True, help_text=_("未答复时为空"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发起时间"))

    class Meta:
        verbose_name = _("部门协查")
        verbose_name_plural = _("部门协查")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        route = f"{self.requesting_department.short_name}→{self.responding_department.short_name}"
        return f"{route}：{self.question[:20]}"
