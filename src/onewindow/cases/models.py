"""Applications and cases: what an applicant asked for once, and the one case per item behind it.

An ``Application`` is received at one window (or online); when accepted, it gets its
human-readable number and one ``Case`` per service item, each bound to the item version that was
current at submission (DESIGN.md §2) so that editing the catalogue never changes a running case.
Status fields are cached copies: the history is the append-only ``CaseEvent`` log, and only
``cases.services`` (through ``cases.transitions``) assigns a status.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import Bundle, BundleOption, Material, ServiceItem, ServiceItemVersion, StepKind
from onewindow.org.models import Applicant, Department, Hall, Region, ServiceWindow


class Channel(models.TextChoices):
    WINDOW = "window", _("大厅窗口")
    ONLINE = "online", _("网上办理")
    STATION = "station", _("乡镇（街道）、村（社区）便民服务站")
    BANK = "bank", _("银行网点")
    KIOSK = "kiosk", _("自助终端")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交待受理")
    CORRECTION_REQUESTED = "correction_requested", _("待补正")
    ACCEPTED = "accepted", _("已受理")
    REFUSED = "refused", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")


class CaseStatus(models.TextChoices):
    ACCEPTED = "accepted", _("已受理")
    REVIEWING = "reviewing", _("审查中")
    INSPECTING = "inspecting", _("现场核查中")
    DECIDING = "deciding", _("待决定")
    SUSPENDED = "suspended", _("已中止（暂停计时）")
    APPROVED = "approved", _("准予许可")
    DENIED = "denied", _("不予许可")
    ISSUED = "issued", _("已制证")
    DELIVERED = "delivered", _("已送达")
    CLOSED = "closed", _("已办结")
    REVOKED = "revoked", _("已撤销")


# Open cases (running or suspended): the worklist's statuses, kept in step with
# ``cases.transitions.RUNNING`` + SUSPENDED (a test checks it); the partial indexes use it.
OPEN_CASE_STATES = ("accepted", "reviewing", "inspecting", "deciding", "suspended")
# Decided and waiting for joint delivery (统一出件).
DECIDED_CASE_STATES = ("approved", "issued", "denied")


class DeliveryMethod(models.TextChoices):
    WINDOW = "window", _("窗口领取")
    MAIL = "mail", _("免费邮寄")
    ELECTRONIC = "electronic", _("电子证照")


class Application(models.Model):
    """One request from one applicant, for one item or one bundle option (一件事)."""

    number = models.CharField(
        _("受理编号"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text=_("受理时生成：区划代码 + 日期 + 当日序号；受理前为空"),
    )
    draft_ref = models.CharField(
        _("申请流水号"), max_length=32, unique=True, help_text=_("提交时生成，用于受理前查询和补正")
    )
    applicant = models.ForeignKey(Applicant, verbose_name=_("申请人"), on_delete=models.PROTECT)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("帮办代办员或窗口人员代申请人提交时填写"),
    )
    channel = models.CharField(_("申请渠道"), max_length=10, choices=Channel.choices)
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("单一事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    bundle = models.ForeignKey(
        Bundle, verbose_name=_("一件事"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bundle_option = models.ForeignKey(
        BundleOption,
        verbose_name=_("套餐"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("办理地"),
        on_delete=models.PROTECT,
        help_text=_("受理所在区划（县、乡镇或村）"),
    )
    hall = models.ForeignKey(Hall, verbose_name=_("大厅"), null=True, blank=True, on_delete=models.PROTECT)
    window = models.ForeignKey(
        ServiceWindow, verbose_name=_("窗口"), null=True, blank=True, on_delete=models.PROTECT
    )
    form_data = models.JSONField(_("申请表内容"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(_("状态"), max_length=24, choices=ApplicationStatus.choices, db_index=True)
    received_at = models.DateTimeField(_("收件时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deemed_accepted = models.BooleanField(
        _("视为受理"),
        default=False,
        help_text=_("行政许可法第三十二条：逾期不告知补正的，自收到申请材料之日起即为受理"),
    )
    refusal_reason = models.TextField(_("不予受理理由"), blank=True)
    refusal_remedies = models.TextField(
        _("救济途径"), blank=True, help_text=_("申请人依法申请行政复议或者提起行政诉讼的权利")
    )
    joint_due_at = models.DateTimeField(
        _("联办承诺期限"), null=True, blank=True, help_text=_("一件事的统一承诺期限；单一事项为空")
    )
    joint_legal_due_at = models.DateTimeField(
        _("联合办理法定期限"),
        null=True,
        blank=True,
        help_text=_(
            "联合办理的一件事：自受理起四十五个工作日，随其办件的中止顺延，经本级人民政府负责人批准"
            "可延长十五个工作日（行政许可法第四十二条第二款）；其他申请为空"
        ),
    )
    joint_extension_days = models.PositiveSmallIntegerField(_("联合办理已延长工作日"), default=0)
    collected_on_behalf = models.BooleanField(
        _("代收代办"),
        default=False,
        help_text=_("乡镇（街道）便民服务中心或村（社区）代办点代收，转县级实施部门受理办理"),
    )
    delivery_method = models.CharField(
        _("送达方式"), max_length=12, choices=DeliveryMethod.choices, default=DeliveryMethod.WINDOW
    )
    delivery_address = models.CharField(_("邮寄地址"), max_length=200, blank=True)
    access_token = models.CharField(
        _("网上申请凭据"),
        max_length=64,
        blank=True,
        help_text=_("网上申请的随机凭据：申请人凭“继续办理”链接上传材料、提交和补正；窗口申请为空"),
    )
    lock_version = models.PositiveIntegerField(_("版本"), default=0, help_text=_("乐观并发控制"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("申请")
        verbose_name_plural = _("申请")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(item__isnull=False, bundle__isnull=True)
                    | models.Q(item__isnull=True, bundle__isnull=False)
                ),
                name="application_item_xor_bundle",
            )
        ]
        indexes = [
            models.Index(fields=["applicant", "-created_at"], name="application_applicant_idx"),
            # Statistics aggregate by these (stats app).
            models.Index(fields=["received_at"], name="application_received_at_idx"),
            models.Index(fields=["accepted_at"], name="application_accepted_at_idx"),
            # The statistics rollups' incremental refresh looks for rows changed since its watermark.
            models.Index(fields=["updated_at"], name="application_updated_at_idx"),
        ]

    def __str__(self) -> str:
        return self.number or self.draft_ref

    @property
    def title(self) -> str:
        if self.bundle_id:
            option = f"（{self.bundle_option.name}）" if self.bundle_option_id else ""
            return f"{self.bundle.name}{option}"
        return self.item.name if self.item_id else ""


class MaterialState(models.TextChoices):
    PROVIDED = "provided", _("已提交")
    MISSING = "missing", _("缺少")
    WAIVED = "waived", _("容缺后补")
    COMMITTED = "committed", _("告知承诺代替")
    SATISFIED = "satisfied", _("免提交（共享数据或电子证照）")


class ApplicationMaterial(models.Model):
    """One material of the application's checklist (shared materials appear once: 一套材料)."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="materials"
    )
    material = models.ForeignKey(Material, verbose_name=_("材料"), on_delete=models.PROTECT, related_name="+")
    required = models.BooleanField(_("必要"), default=True)
    waivable = models.BooleanField(_("可容缺"), default=False)
    supply_days = models.PositiveSmallIntegerField(_("容缺补交期限（工作日）"), null=True, blank=True)
    commitment_allowed = models.BooleanField(_("可告知承诺"), default=False)
    state = models.CharField(
        _("状态"), max_length=10, choices=MaterialState.choices, default=MaterialState.MISSING
    )
    file = models.FileField(_("文件"), upload_to="materials/%Y/%m/", blank=True)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    evidence = models.CharField(
        _("免提交依据"), max_length=200, blank=True, help_text=_("如电子证照编号或共享数据来源")
    )
    supply_due_at = models.DateTimeField(_("补交期限"), null=True, blank=True)
    supplied_at = models.DateTimeField(_("补交时间"), null=True, blank=True)
    provided_at = models.DateTimeField(
        _("提交时间"),
        null=True,
        blank=True,
        help_text=_("最近一次上传或窗口核验的时间；补正后再次告知只能针对其后重新提交的材料"),
    )

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["application", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "material"], name="application_material_unique")
        ]
        indexes = [
            # The few materials waived under 容缺受理 (a supply deadline set): the statistics ask
            # "does this application have one?" for every case of a day, and without it PostgreSQL
            # scans every material row ever recorded to find them.
            models.Index(
                fields=["application"],
                condition=models.Q(supply_due_at__isnull=False),
                name="material_waived_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.material.name}（{self.get_state_display()}）"


class CorrectionNotice(models.Model):
    """一次性告知: everything missing or wrong, listed in one notice (行政许可法 第三十二条)."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="corrections"
    )
    items = models.JSONField(_("需补正内容"), help_text=_("[{material, name, reason}]：一次列明全部"))
    note = models.TextField(_("说明"), blank=True)
    issued_at = models.DateTimeField(_("告知时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("告知人"), on_delete=models.PROTECT, related_name="+"
    )
    resubmitted_at = models.DateTimeField(_("补正提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补正告知")
        verbose_name_plural = _("补正告知")
        ordering = ["application", "issued_at"]

    def __str__(self) -> str:
        return f"{self.application} 补正告知"


class Case(models.Model):
    """One item of an application, handled by its department, against its own deadlines."""

    number = models.CharField(_("办件编号"), max_length=40, unique=True)
    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="cases"
    )
    item_version = models.ForeignKey(
        ServiceItemVersion, verbose_name=_("事项版本"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="+"
    )
    current_step = models.CharField(_("当前环节"), max_length=10, choices=StepKind.choices, blank=True)
    step_department = models.ForeignKey(
        Department,
        verbose_name=_("当前环节部门"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("办件在哪个部门的待办队列中（前台综合受理、后台分类办理）"),
    )
    status = models.CharField(_("状态"), max_length=12, choices=CaseStatus.choices, db_index=True)
    resume_status = models.CharField(
        _("中止前状态"),
        max_length=12,
        choices=CaseStatus.choices,
        blank=True,
        help_text=_("中止期间记录恢复后的状态"),
    )
    waits_for = models.ManyToManyField(
        "self",
        verbose_name=_("前置办件"),
        symmetrical=False,
        blank=True,
        related_name="blocks",
        help_text=_("一件事中须待其办结后才能决定的办件"),
    )
    deficient = models.BooleanField(_("容缺待补"), default=False, help_text=_("有容缺材料尚未补交"))
    commitment = models.BooleanField(_("告知承诺"), default=False, help_text=_("以承诺代替部分材料"))
    accepted_at = models.DateTimeField(_("受理时间"))
    clock_started_at = models.DateTimeField(
        _("计时起点"),
        null=True,
        blank=True,
        help_text=_(
            "办理时限自此起算：一般为受理时间；须待前置办件结果的办件，自前置办件出具结果时起算，"
            "等待期间为空（不计时，也不会逾期）"
        ),
    )
    promised_due_at = models.DateTimeField(_("承诺期限"), null=True, blank=True, db_index=True)
    legal_due_at = models.DateTimeField(_("法定期限"), null=True, blank=True)
    warning_at = models.DateTimeField(
        _("预警时间"),
        null=True,
        blank=True,
        help_text=_(
            "承诺时限的工作时间用去五分之四之时（clock.workdays.warning_moment）；不计时或即办时为空"
        ),
    )
    deadline_provisional = models.BooleanField(
        _("期限暂定"),
        default=False,
        help_text=_("期限跨入尚未导入节假日安排的年份时，暂按周末计算并标明；导入后自动重算"),
    )
    extension_days = models.PositiveSmallIntegerField(_("已延长工作日"), default=0)
    decision = models.CharField(
        _("决定"), max_length=10, choices=[("approve", _("准予")), ("deny", _("不予"))], blank=True
    )
    decision_basis = models.TextField(_("决定依据"), blank=True)
    decision_remedies = models.TextField(_("救济途径"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    holder = models.ForeignKey(
        Applicant,
        verbose_name=_("结果持有人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "办理结果（证照）颁发给谁：为空即申请人；企业开办中，设立登记准予后新设立的企业即为"
            "其后刻章、发票、社保等办件的持有人"
        ),
    )
    licence_number = models.CharField(_("证照编号"), max_length=40, blank=True)
    delivery_due_at = models.DateTimeField(
        _("送达期限"),
        null=True,
        blank=True,
        help_text=_("自作出决定之日起十个工作日内颁发、送达（行政许可法第四十四条）；未决定时为空"),
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(_("版本"), default=0, help_text=_("乐观并发控制"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["promised_due_at", "pk"]
        indexes = [
            # The department worklist: my department's open cases by deadline (keyset on due, pk).
            models.Index(
                fields=["step_department", "status", "promised_due_at", "id"], name="case_worklist_idx"
            ),
            # The same restricted to open cases (a few per cent of the table): the worklist's
            # ``status IN (open states)`` filter with ``ORDER BY promised_due_at, id`` reads the
            # first page straight off this index, with no sort node, whatever the table's size.
            models.Index(
                fields=["step_department", "promised_due_at", "id"],
                name="case_open_queue_idx",
                condition=models.Q(status__in=OPEN_CASE_STATES),
            ),
            # Users whose scope is a region rather than a department list (superusers, supervisors).
            models.Index(
                fields=["promised_due_at", "id"],
                name="case_open_due_idx",
                condition=models.Q(status__in=OPEN_CASE_STATES),
            ),
            # Statistics aggregate by these (stats app).
            models.Index(fields=["accepted_at"], name="case_accepted_at_idx"),
            models.Index(fields=["closed_at"], name="case_closed_at_idx"),
            # 办结 = decided: the rating rate, finished-case drill-downs, the rollups' refresh.
            models.Index(fields=["decided_at"], name="case_decided_at_idx"),
            models.Index(fields=["updated_at"], name="case_updated_at_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class CaseEvent(models.Model):
    """Append-only history of an application and its cases: one row per transition."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=40)
    from_status = models.CharField(_("原状态"), max_length=24, blank=True)
    to_status = models.CharField(_("新状态"), max_length=24, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class OpinionVerdict(models.TextChoices):
    CONFORMS = "conforms", _("符合")
    CONFORMS_WITH_CHANGES = "changes", _("符合但需修改")
    DOES_NOT_CONFORM = "rejects", _("不符合")


class Opinion(models.Model):
    """A department's opinion in a joint review (联合审查). Silence past ``due_at`` is recorded
    by the timer as deemed consent (缺席默认 / 自公告) with ``deemed=True``."""

    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="opinions")
    department = models.ForeignKey(
        Department, verbose_name=_("征求意见部门"), on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(
        _("答复期限"), null=True, blank=True, help_text=_("环节时限或征求意见时给定的期限；为空表示未设期限")
    )
    deemed_consent_basis = models.TextField(
        _("缺席默认依据"),
        blank=True,
        help_text=_("事项目录规定逾期未答复视为同意的依据；为空表示不适用缺席默认，须待部门答复"),
    )
    verdict = models.CharField(_("意见"), max_length=10, choices=OpinionVerdict.choices, blank=True)
    text = models.TextField(_("意见内容"), blank=True)
    given_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deemed = models.BooleanField(_("视为同意"), default=False, help_text=_("逾期未答复，按缺席默认视为同意"))
    late_verdict = models.CharField(
        _("逾期意见"),
        max_length=10,
        choices=OpinionVerdict.choices,
        blank=True,
        help_text=_("已按缺席默认视为同意后才送达的意见：记录在案，不改变缺席默认的结果"),
    )
    late_text = models.TextField(_("逾期意见内容"), blank=True)
    late_given_at = models.DateTimeField(_("逾期意见时间"), null=True, blank=True)
    late_given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("联审意见")
        verbose_name_plural = _("联审意见")
        constraints = [
            models.UniqueConstraint(fields=["case", "department"], name="opinion_case_department_unique")
        ]

    def __str__(self) -> str:
        return f"{self.department} → {self.case}"


class Inspection(models.Model):
    """One site visit that serves every case of an application needing one (多勘合一)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="inspections")
    cases = models.ManyToManyField(Case, related_name="inspections")
    scheduled_for = models.DateTimeField(_("踏勘时间"))
    inspectors = models.CharField(_("踏勘人员"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("联合踏勘")
        verbose_name_plural = _("联合踏勘")

    def __str__(self) -> str:
        return f"{self.application} 联合踏勘 {self.scheduled_for:%Y-%m-%d}"


class InspectionFinding(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="findings")
    passed = models.BooleanField(_("核查通过"))
    note = models.TextField(_("核查意见"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("踏勘结论")
        verbose_name_plural = _("踏勘结论")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "case"], name="finding_inspection_case_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case} {'通过' if self.passed else '不通过'}"


class SuspensionReason(models.TextChoices):
    # 行政许可法 第四十五条: not counted in the limit.
    HEARING = "hearing", _("听证")
    TENDER = "tender", _("招标、拍卖")
    TESTING = "testing", _("检验、检测、检疫")
    APPRAISAL = "appraisal", _("鉴定")
    EXPERT_REVIEW = "expert", _("专家评审")


class Suspension(models.Model):
    """A pause of the clock (中止). ``ended_at`` is None while it lasts."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    reason = models.CharField(_("中止原因"), max_length=10, choices=SuspensionReason.choices)
    note = models.TextField(_("说明"), blank=True)
    expected_days = models.PositiveSmallIntegerField(
        _("预计中止工作日"), null=True, blank=True, help_text=_("告知申请人的预计中止时长")
    )
    started_at = models.DateTimeField(_("开始"))
    ended_at = models.DateTimeField(_("结束"), null=True, blank=True)

    class Meta:
        verbose_name = _("中止计时")
        verbose_name_plural = _("中止计时")
        ordering = ["case", "started_at"]
        # the statistics count a period's suspensions by when they started
        indexes = [models.Index(fields=["started_at"], name="suspension_started_at_idx")]

    def __str__(self) -> str:
        return f"{self.case} {self.get_reason_display()}"


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("待领导审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")


class Extension(models.Model):
    """延期 (行政许可法 第四十二条: up to 10 working days with the leader's approval)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.TextField(_("理由"))
    status = models.CharField(_("状态"), max_length=10, choices=ExtensionStatus.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    legal_due_at = models.DateTimeField(
        _("延长后的法定期限"), null=True, blank=True, help_text=_("批准时记录，写入延期告知书")
    )

    class Meta:
        verbose_name = _("延期")
        verbose_name_plural = _("延期")
        indexes = [models.Index(fields=["decided_at"], name="extension_decided_at_idx")]

    def __str__(self) -> str:
        return f"{self.case} 延长{self.days}个工作日"


class JointExtension(models.Model):
    """联合办理的延期 (行政许可法 第四十二条第二款: 45 working days, extendable by 15 with the approval
    of the 本级人民政府负责人)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="joint_extensions")
    days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.TextField(_("理由"))
    status = models.CharField(_("状态"), max_length=10, choices=ExtensionStatus.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    legal_due_at = models.DateTimeField(_("延长后的法定期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("联合办理延期")
        verbose_name_plural = _("联合办理延期")

    def __str__(self) -> str:
        return f"{self.application} 联合办理延长{self.days}个工作日"


class VerificationStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    PASSED = "passed", _("核查属实")
    FAILED = "failed", _("承诺不实")


class PostVerification(models.Model):
    """告知承诺 post-verification task for the supervising department, with its deadline."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="post_verification")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("核查期限"))
    status = models.CharField(_("状态"), max_length=10, choices=VerificationStatus.choices)
    result_note = models.TextField(_("核查结果"), blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("承诺核查")
        verbose_name_plural = _("承诺核查")

    def __str__(self) -> str:
        return f"{self.case} 承诺核查"


class Delivery(models.Model):
    """统一出件: the results of an application handed over together."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="delivery")
    method = models.CharField(_("送达方式"), max_length=12, choices=DeliveryMethod.choices)
    tracking_number = models.CharField(_("邮件单号"), max_length=40, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"))
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("统一出件")
        verbose_name_plural = _("统一出件")

    def __str__(self) -> str:
        return f"{self.application} {self.get_method_display()}"


class CreditRecord(models.Model):
    """A credit event (信用记录), e.g. a false commitment found by post-verification."""

    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="credit_records")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=[("false_commitment", _("虚假承诺"))])
    note = models.TextField(_("说明"))
    recorded_at = models.DateTimeField(_("记录时间"))
    repaired_at = models.DateTimeField(
        _("信用修复时间"),
        null=True,
        blank=True,
        help_text=_("未修复的虚假承诺记录使申请人不能再适用告知承诺，须提交材料"),
    )
    repair_note = models.TextField(_("信用修复说明"), blank=True)

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")

    def __str__(self) -> str:
        return f"{self.applicant} {self.get_kind_display()}"


class TimerKind(models.TextChoices):
    DEEMED_ACCEPTANCE = "deemed_acceptance", _("逾期未告知补正视为受理")
    OPINION_DEADLINE = "opinion_deadline", _("联审意见逾期视为同意")
    SUPPLY_REMINDER = "supply_reminder", _("容缺补交提醒")
    SUPPLY_DEADLINE = "supply_deadline", _("容缺补交到期")
    DEADLINE_WARNING = "deadline_warning", _("办理期限预警")
    POST_VERIFICATION_DUE = "post_verification", _("承诺核查到期")
    DELIVERY_DUE = "delivery_due", _("送达期限到期")


class Timer(models.Model):
    """A durable timer: a row with a due time, fired once by ``onewindow worker``/``tick``."""

    kind = models.CharField(_("类型"), max_length=24, choices=TimerKind.choices)
    target_id = models.BigIntegerField(_("对象编号"), help_text=_("申请、办件或意见的主键，视类型而定"))
    due_at = models.DateTimeField(_("到期时间"))
    fired_at = models.DateTimeField(_("执行时间"), null=True, blank=True)
    cancelled = models.BooleanField(_("已取消"), default=False)
    result = models.CharField(_("执行结果"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")
        constraints = [models.UniqueConstraint(fields=["kind", "target_id"], name="timer_kind_target_unique")]
        indexes = [models.Index(fields=["fired_at", "cancelled", "due_at"], name="timer_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.target_id} @ {self.due_at:%Y-%m-%d %H:%M}"
