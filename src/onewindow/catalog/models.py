"""The service catalogue (事项目录): items, their immutable versions, materials and bundles (一件事).

A case binds to a `ServiceItemVersion` when it is submitted; versions, their steps and their
material requirements are never changed afterwards (editing an item creates a new version, see
``catalog.services.item_revise``), so editing the catalogue never changes a running case.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.limits import exceeds
from onewindow.clock.workdays import Duration, Unit
from onewindow.org.models import Department


class ImmutableRowError(Exception):
    """A programming error: a version, step or requirement row was saved a second time."""


class ItemKind(models.TextChoices):
    """The categories of 政务服务事项 (国务院《关于加快推进全国一体化在线政务服务平台建设的指导意见》)."""

    LICENCE = "licence", _("行政许可")
    CONFIRMATION = "confirmation", _("行政确认")
    PAYMENT = "payment", _("行政给付")
    INSPECTION = "inspection", _("行政检查")
    AWARD = "award", _("行政奖励")
    RULING = "ruling", _("行政裁决")
    OTHER_POWER = "other_power", _("其他行政权力")
    PUBLIC_SERVICE = "public_service", _("公共服务")


class Tier(models.TextChoices):
    COUNTY = "county", _("县（区）")
    TOWN = "town", _("乡镇（街道）")
    VILLAGE = "village", _("村（社区）")


class Audience(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTITY = "entity", _("法人或其他组织")
    BOTH = "both", _("自然人和法人")


class LimitUnit(models.TextChoices):
    """The units of ``clock.workdays.Unit``, with their Chinese labels."""

    WORKDAY = Unit.WORKDAY.value, _("工作日")
    NATURAL = Unit.NATURAL_DAY.value, _("自然日")
    HOUR = Unit.WORK_HOUR.value, _("工作小时")
    MINUTE = Unit.WORK_MINUTE.value, _("分钟")
    INSTANT = Unit.INSTANT.value, _("即办")


class OnlineDepth(models.TextChoices):
    GUIDE = "guide", _("仅办事指南")
    PRECHECK = "precheck", _("网上预审")
    ONLINE = "online", _("网上申请")
    FULL = "full", _("全程网办")


class StepKind(models.TextChoices):
    ACCEPT = "accept", _("受理")
    REVIEW = "review", _("审查")
    INSPECT = "inspect", _("现场核查")
    DECIDE = "decide", _("决定")
    ISSUE = "issue", _("制证送达")


class Registration(models.TextChoices):
    """What registering an entity an item is (市场主体登记管理条例): its application carries the
    registration form of ``onewindow.enterprises.forms`` for that kind."""

    NONE = "", _("不涉及市场主体登记")
    ESTABLISH = "establish", _("设立登记")
    INDIVIDUAL = "individual", _("个体工商户登记")
    CHANGE = "change", _("变更登记")
    CANCEL = "cancel", _("注销登记")


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("原件")
    COPY = "copy", _("复印件")
    ORIGINAL_AND_COPY = "original_and_copy", _("原件和复印件")
    ELECTRONIC = "electronic", _("电子材料")


class AppliesTo(models.TextChoices):
    ALL = "all", _("所有申请人")
    PERSON = "person", _("仅自然人")
    ENTITY = "entity", _("仅法人或其他组织")


class DevolutionAction(models.TextChoices):
    DEVOLVE = "devolve", _("下放")
    WITHDRAW = "withdraw", _("收回")


class BundleKind(models.TextChoices):
    ONE_THING = "one_thing", _("一件事")
    ONE_INDUSTRY_ONE_LICENCE = "one_industry_one_licence", _("一业一证")
    LICENCE_1_PLUS_X = "licence_1_plus_x", _("证照通1+X")


# Shared data sources that can make a material unnecessary (免证办理).
DATA_SOURCES = {
    "applicant_registry": "申请人信息库",
    "household_registry": "户籍信息",
    "social_insurance": "社保信息",
    "real_estate_registry": "不动产登记信息",
    "credit_registry": "信用信息",
}

# The topics (life events / enterprise events) known out of the box; a catalogue file may add more.
TOPICS = {
    "enterprise_startup": "企业开办",
    "enterprise_change": "企业变更",
    "enterprise_closure": "企业注销",
    "construction": "工程建设",
    "real_estate": "不动产",
    "catering": "餐饮",
    "retail": "零售",
    "transport": "交通运输",
    "employment": "就业创业",
    "social_security": "社保医保",
    "birth": "出生",
    "education": "入学",
    "marriage": "婚姻",
    "retirement": "退休养老",
    "death": "身后事",
    "health": "医疗卫生",
    "safety": "安全生产",
    "housing": "住房",
}

validate_key = RegexValidator(r"^[a-z0-9_]+$", _("只能由小写字母、数字和下划线组成"))
validate_code = RegexValidator(r"^[A-Za-z0-9_.-]+$", _("只能由字母、数字和 - _ . 组成"))


def duration_or_none(value: int | None, unit: str) -> Duration | None:
    """A `Duration` from a value/unit column pair; None when the limit is not set."""
    if value is None or not unit:
        return None
    return Duration(value, Unit(unit))


def valid_limit(value: int | None, unit: str) -> Duration | None:
    """Like ``duration_or_none`` but None (instead of an exception) for an invalid pair."""
    try:
        return duration_or_none(value, unit) if unit in LimitUnit.values else None
    except ValueError:
        return None


def check_limit(value: int | None, unit: str, *, field: str, required: bool) -> dict[str, str]:
    """Errors of one value/unit column pair, keyed by ``<field>_value`` / ``<field>_unit``."""
    if value is None and not unit:
        return {f"{field}_value": str(_("必须填写时限"))} if required else {}
    if value is None:
        return {f"{field}_value": str(_("填写了时限单位，也须填写时限数值"))}
    if not unit:
        return {f"{field}_unit": str(_("填写了时限数值，也须填写时限单位"))}
    if unit == LimitUnit.INSTANT and value != 0:
        return {f"{field}_value": str(_("即办的时限数值必须为0"))}
    return {}


class Topic(models.Model):
    """A life event or enterprise event (主题) used to browse the catalogue."""

    code = models.CharField(_("编码"), max_length=40, unique=True, validators=[validate_key])
    name = models.CharField(_("名称"), max_length=50)

    class Meta:
        verbose_name = _("主题")
        verbose_name_plural = _("主题")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Material(models.Model):
    """One entry of the shared material library (统一材料库): the same key in two items is the same
    material, which a bundle asks for once (一套材料)."""

    key = models.CharField(
        _("材料标识"),
        max_length=60,
        unique=True,
        validators=[validate_key],
        help_text=_("如 business_licence"),
    )
    name = models.CharField(_("材料名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    satisfied_by = models.CharField(
        _("免提交依据"),
        max_length=120,
        blank=True,
        help_text=_(
            "免证办理：“licence:<证照类型>”表示可由电子证照替代，“data:<数据源>”表示可由共享数据替代"
            "（国办发〔2019〕6号《关于全面推行证明事项告知承诺制的指导意见》等）；空表示须提交"
        ),
    )

    class Meta:
        verbose_name = _("材料")
        verbose_name_plural = _("材料库")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.satisfied_by:
            return
        kind, _sep, name = self.satisfied_by.partition(":")
        if kind == "licence" and name.strip():
            return
        if kind == "data" and name in DATA_SOURCES:
            return
        raise ValidationError(
            {
                "satisfied_by": _("应为“licence:<证照类型>”或“data:<数据源>”，数据源可选：%(sources)s")
                % {"sources": "、".join(DATA_SOURCES)}
            }
        )


class ServiceItem(models.Model):
    """A service item (事项) or sub-item (子项). What it requires lives in its versions;
    ``current_version`` is the one new applications bind to (None only while being created)."""

    code = models.CharField(
        _("事项编码"),
        max_length=64,
        unique=True,
        validators=[validate_code],
        help_text=_("实施清单编码，如 430702-SCJG-0001"),
    )
    name = models.CharField(_("事项名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=100, blank=True)
    kind = models.CharField(
        _("事项类型"),
        max_length=20,
        choices=ItemKind.choices,
        help_text=_("依《政务服务事项基本目录》分类：行政许可、行政确认、行政给付……公共服务"),
    )
    department = models.ForeignKey(
        Department, verbose_name=_("实施部门"), on_delete=models.PROTECT, related_name="service_items"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属主项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("子项填写其主项；主项为空"),
    )
    tier_county = models.BooleanField(_("区县可办"), default=True)
    tier_town = models.BooleanField(
        _("乡镇（街道）可办"), default=False, help_text=_("下放至乡镇（街道）便民服务中心办理")
    )
    tier_village = models.BooleanField(
        _("村（社区）可办"), default=False, help_text=_("村（社区）代办点可代办")
    )
    collect_for_higher_tier = models.BooleanField(
        _("可代收代办"),
        default=False,
        help_text=_(
            "未下放至乡镇（街道）、村（社区）的事项，可由当地便民服务中心或代办点代收材料，"
            "转县级实施部门受理办理；不勾选则只能在可办层级的窗口申请"
        ),
    )
    audience = models.CharField(_("服务对象"), max_length=10, choices=Audience.choices, default=Audience.BOTH)
    topics = models.ManyToManyField(Topic, verbose_name=_("主题"), blank=True, related_name="items")
    source_seed = models.CharField(
        _("来源"), max_length=20, blank=True, help_text=_("数据来源的案例编号（seeds/），如 003")
    )
    source_note = models.TextField(_("来源说明"), blank=True)
    current_version = models.ForeignKey(
        "ServiceItemVersion",
        verbose_name=_("现行版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("新的申请绑定此版本；为空仅见于创建过程中"),
    )
    search_initials = models.CharField(
        _("拼音首字母"),
        max_length=200,
        blank=True,
        editable=False,
        help_text=_("名称与简称的拼音首字母，如“食品生产许可”为 spscxk；由服务层维护"),
    )

    class Meta:
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def tiers(self) -> list[str]:
        """The tiers where the item may be handled now, county first."""
        flags = [
            (Tier.COUNTY, self.tier_county),
            (Tier.TOWN, self.tier_town),
            (Tier.VILLAGE, self.tier_village),
        ]
        return [tier.value for tier, on in flags if on]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not (self.tier_county or self.tier_town or self.tier_village):
            errors["tier_county"] = _("事项至少要在一个层级可办")
        seen, parent = {self.pk} if self.pk else set(), self.parent
        while parent is not None:
            if parent is self or (parent.pk is not None and parent.pk in seen):
                errors["parent"] = _("所属主项不能是事项本身或其子项")
                break
            seen.add(parent.pk)
            parent = parent.parent
        if errors:
            raise ValidationError(errors)


class ItemDevolution(models.Model):
    """One 下放 (devolution) or 收回 (withdrawal) of an item to or from a tier, with its date."""

    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="devolutions"
    )
    tier = models.CharField(_("层级"), max_length=10, choices=Tier.choices)
    action = models.CharField(_("操作"), max_length=10, choices=DevolutionAction.choices)
    date = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True, help_text=_("如下放文件的文号"))

    class Meta:
        verbose_name = _("下放/收回记录")
        verbose_name_plural = _("下放/收回记录")
        ordering = ["item", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_action_display()}至{self.get_tier_display()}"


class ImmutableModel(models.Model):
    """A row that is written once: a case may be bound to it."""

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ImmutableRowError(f"{self._meta.label} rows are immutable; create a new version instead")
        super().save(*args, **kwargs)


class ServiceItemVersion(ImmutableModel):
    """One version of an item's implementation list (实施清单): what a case binds to at submission.

    Immutable once created (cases keep the version they were submitted under). ``legal_limit``
    may be None for items without a statutory limit (some 公共服务).
    """

    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"), validators=[MinValueValidator(1)])
    legal_basis = models.TextField(_("设定依据"), blank=True)
    conditions = models.TextField(_("受理条件"), blank=True)
    legal_limit_value = models.PositiveIntegerField(
        _("法定时限"),
        null=True,
        blank=True,
        help_text=_("法律法规规定的办理时限（行政许可法 第四十二条：一般为二十个工作日）；无法定时限时为空"),
    )
    legal_limit_unit = models.CharField(
        _("法定时限单位"), max_length=10, choices=LimitUnit.choices, blank=True
    )
    promised_limit_value = models.PositiveIntegerField(
        _("承诺时限"), help_text=_("本中心对外承诺的办理时限，不得长于法定时限；即办件为0")
    )
    promised_limit_unit = models.CharField(_("承诺时限单位"), max_length=10, choices=LimitUnit.choices)
    is_instant = models.BooleanField(
        _("即办件"), default=False, help_text=_("当场办结；承诺时限单位须为“即办”")
    )
    fee = models.DecimalField(
        _("收费标准（元）"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("0 表示不收费"),
    )
    fee_note = models.CharField(_("收费说明"), max_length=200, blank=True)
    online_depth = models.CharField(
        _("网办深度"), max_length=10, choices=OnlineDepth.choices, default=OnlineDepth.GUIDE
    )
    max_visits = models.PositiveSmallIntegerField(
        _("到现场次数"), default=1, help_text=_("0 为零跑动，1 为最多跑一次")
    )
    needs_inspection = models.BooleanField(_("需现场核查"), default=False, help_text=_("现场核查或踏勘"))
    deemed_consent_days = models.PositiveSmallIntegerField(
        _("缺席默认（工作日）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "另行征求部门意见时，部门超过此工作日数未出具意见视为同意（缺席默认）；"
            "为空表示不适用：部门须出具意见，不会视为同意"
        ),
    )
    deemed_consent_basis = models.TextField(
        _("缺席默认依据"),
        blank=True,
        help_text=_("缺席默认（逾期未出具意见视为同意）的法律或政策依据；填写缺席默认工作日数时必填"),
    )
    registration = models.CharField(
        _("登记表单"),
        max_length=12,
        choices=Registration.choices,
        blank=True,
        default="",
        help_text=_(
            "设立、个体工商户、变更或注销登记的事项：申请须填写相应的登记信息（名称、类型、注册资本、经营范围、住所、投资人等）"
        ),
    )
    conditional_on_deficiency = models.BooleanField(
        _("容缺可先行决定"), default=False, help_text=_("容缺受理时，可在补齐材料前作出附条件的决定")
    )
    commitment_approval = models.BooleanField(
        _("告知承诺制"),
        default=False,
        help_text=_("申请人书面承诺符合条件的，当场作出决定（国办发〔2020〕42号 证明事项告知承诺制）"),
    )
    post_verification_days = models.PositiveSmallIntegerField(
        _("承诺核查期限（工作日）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("告知承诺制事项作出决定后，监管部门核查承诺内容的期限"),
    )
    result_licence_type = models.CharField(
        _("结果证照类型"), max_length=100, blank=True, help_text=_("办理结果的证照名称，如“食品生产许可证”")
    )
    result_paper = models.BooleanField(_("纸质结果"), default=True)
    result_electronic = models.BooleanField(_("电子证照"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("为空表示由系统（命令行导入）创建"),
    )
    content_hash = models.CharField(
        _("内容摘要"),
        max_length=64,
        editable=False,
        help_text=_("规范化内容的 SHA-256；内容相同则不新建版本"),
    )

    class Meta:
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        ordering = ["item", "-number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="item_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.item.name} 第{self.number}版"

    @property
    def legal_limit(self) -> Duration | None:
        return duration_or_none(self.legal_limit_value, self.legal_limit_unit)

    @property
    def promised_limit(self) -> Duration:
        return Duration(self.promised_limit_value, Unit(self.promised_limit_unit))

    def clean(self) -> None:
        errors = check_limit(
            self.legal_limit_value, self.legal_limit_unit, field="legal_limit", required=False
        )
        errors |= check_limit(
            self.promised_limit_value, self.promised_limit_unit, field="promised_limit", required=True
        )
        legal = valid_limit(self.legal_limit_value, self.legal_limit_unit)
        promised = valid_limit(self.promised_limit_value, self.promised_limit_unit)
        if not errors and legal is not None and promised is not None and exceeds(promised, legal):
            errors["promised_limit_value"] = _("承诺时限（%(promised)s）不能长于法定时限（%(legal)s）") % {
                "promised": promised,
                "legal": legal,
            }
        if self.is_instant and self.promised_limit_unit and self.promised_limit_unit != LimitUnit.INSTANT:
            errors["promised_limit_unit"] = _("即办件的承诺时限单位须为“即办”")
        if not self.is_instant and self.promised_limit_unit == LimitUnit.INSTANT:
            errors["is_instant"] = _("承诺时限为即办的事项须标记为即办件")
        if self.deemed_consent_days is not None and not self.deemed_consent_basis.strip():
            errors["deemed_consent_basis"] = _("缺席默认须写明依据（法律、法规或政策文件）")
        if self.deemed_consent_days is None and self.deemed_consent_basis.strip():
            errors["deemed_consent_days"] = _("写明了缺席默认依据，也须填写缺席默认的工作日数")
        if self.commitment_approval and self.post_verification_days is None:
            errors["post_verification_days"] = _("告知承诺制事项须填写承诺核查期限")
        if not self.commitment_approval and self.post_verification_days is not None:
            errors["post_verification_days"] = _("仅告知承诺制事项填写承诺核查期限")
        if self.result_licence_type and not (self.result_paper or self.result_electronic):
            errors["result_paper"] = _("有结果证照的事项须至少提供纸质或电子证照之一")
        if errors:
            raise ValidationError(errors)


class ItemStep(ImmutableModel):
    """One step of a version's procedure (受理、审查、现场核查、决定、制证送达) with its own limit."""

    version = models.ForeignKey(
        ServiceItemVersion, verbose_name=_("事项版本"), on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField(_("顺序"))
    kind = models.CharField(_("环节"), max_length=10, choices=StepKind.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("办理部门"), on_delete=models.PROTECT, related_name="+"
    )
    limit_value = models.PositiveIntegerField(_("环节时限"), null=True, blank=True)
    limit_unit = models.CharField(_("环节时限单位"), max_length=10, choices=LimitUnit.choices, blank=True)
    deemed_consent_basis = models.TextField(
        _("缺席默认依据"),
        blank=True,
        help_text=_(
            "仅用于其他部门出具意见的审查环节：填写依据后，该部门在环节时限内未出具意见视为同意"
            "（缺席默认）；为空表示不适用。其他部门的审批本身是一项许可的，应作为单独事项办理，不适用缺席默认"
        ),
    )

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "order"], name="item_step_order_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.department}）"

    @property
    def limit(self) -> Duration | None:
        return duration_or_none(self.limit_value, self.limit_unit)

    def clean(self) -> None:
        errors = check_limit(self.limit_value, self.limit_unit, field="limit", required=False)
        if self.deemed_consent_basis.strip():
            if self.kind != StepKind.REVIEW:
                errors["deemed_consent_basis"] = str(_("缺席默认只适用于征求其他部门意见的审查环节"))
            elif self.limit_value is None:
                errors["limit_value"] = str(_("缺席默认的环节须填写环节时限（逾期未出具意见才视为同意）"))
        if errors:
            raise ValidationError(errors)


class MaterialRequirement(ImmutableModel):
    """A material that a version requires (申请材料), with its 容缺 and 告知承诺 options."""

    version = models.ForeignKey(
        ServiceItemVersion, verbose_name=_("事项版本"), on_delete=models.CASCADE, related_name="requirements"
    )
    material = models.ForeignKey(
        Material, verbose_name=_("材料"), on_delete=models.PROTECT, related_name="requirements"
    )
    order = models.PositiveSmallIntegerField(_("顺序"))
    form = models.CharField(
        _("材料形式"), max_length=20, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL
    )
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    required = models.BooleanField(_("必要"), default=True)
    waivable = models.BooleanField(
        _("可容缺"), default=False, help_text=_("容缺受理：可先受理，在补交期限内补齐")
    )
    supply_days = models.PositiveSmallIntegerField(
        _("容缺补交期限（工作日）"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    commitment_allowed = models.BooleanField(
        _("可告知承诺"), default=False, help_text=_("申请人书面承诺可替代本材料（证明事项告知承诺制）")
    )
    applies_to = models.CharField(
        _("适用对象"), max_length=10, choices=AppliesTo.choices, default=AppliesTo.ALL
    )
    note = models.CharField(_("备注"), max_length=200, blank=True, help_text=_("如“仅分支机构提交”"))

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "material"], name="requirement_material_unique"),
        ]

    def __str__(self) -> str:
        return str(self.material)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.waivable and self.supply_days is None:
            errors["supply_days"] = _("可容缺的材料须填写补交期限")
        if not self.waivable and self.supply_days is not None:
            errors["supply_days"] = _("仅可容缺的材料填写补交期限")
        if errors:
            raise ValidationError(errors)


class Bundle(models.Model):
    """A set of items applied for together (一件事 / 一业一证 / 证照通1+X), handled in parallel with one
    combined promised limit (行政许可法 第二十六条 联合办理、集中办理)."""

    code = models.CharField(_("编码"), max_length=64, unique=True, validators=[validate_code])
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=30, choices=BundleKind.choices)
    topics = models.ManyToManyField(Topic, verbose_name=_("主题"), blank=True, related_name="bundles")
    promised_limit_value = models.PositiveIntegerField(_("承诺时限"), null=True, blank=True)
    promised_limit_unit = models.CharField(
        _("承诺时限单位"), max_length=10, choices=LimitUnit.choices, blank=True
    )
    joint_handling = models.BooleanField(
        _("联合办理"),
        default=False,
        help_text=_(
            "由两个以上部门统一办理、联合办理或集中办理（行政许可法第二十六条）：办理时间不得超过"
            "四十五个工作日，经本级人民政府负责人批准可延长十五个工作日（第四十二条第二款）"
        ),
    )
    source_seed = models.CharField(_("来源"), max_length=20, blank=True)
    source_note = models.TextField(_("来源说明"), blank=True)
    items = models.ManyToManyField(
        ServiceItem, verbose_name=_("包含事项"), through="BundleItem", related_name="bundles"
    )

    class Meta:
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def promised_limit(self) -> Duration | None:
        return duration_or_none(self.promised_limit_value, self.promised_limit_unit)

    def clean(self) -> None:
        errors = check_limit(
            self.promised_limit_value, self.promised_limit_unit, field="promised_limit", required=False
        )
        if errors:
            raise ValidationError(errors)


class BundleItem(models.Model):
    bundle = models.ForeignKey(
        Bundle, verbose_name=_("一件事"), on_delete=models.CASCADE, related_name="entries"
    )
    item = models.ForeignKey(ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("包含事项")
        verbose_name_plural = _("包含事项")
        ordering = ["bundle", "order"]
        constraints = [models.UniqueConstraint(fields=["bundle", "item"], name="bundle_item_unique")]

    def __str__(self) -> str:
        return str(self.item)


class BundleOption(models.Model):
    """A package the applicant may choose (套餐), e.g. 营业执照+公章（2件事）."""

    bundle = models.ForeignKey(
        Bundle, verbose_name=_("一件事"), on_delete=models.CASCADE, related_name="options"
    )
    code = models.CharField(_("编码"), max_length=20)
    name = models.CharField(_("名称"), max_length=200)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    items = models.ManyToManyField(ServiceItem, verbose_name=_("包含事项"), related_name="+")

    class Meta:
        verbose_name = _("套餐")
        verbose_name_plural = _("套餐")
        ordering = ["bundle", "order"]
        constraints = [models.UniqueConstraint(fields=["bundle", "code"], name="bundle_option_code_unique")]

    def __str__(self) -> str:
        return self.name


class BundleDependency(models.Model):
    """Within a bundle, the case for ``item`` waits until the case for ``waits_for`` is decided
    (e.g. the seal waits for the business licence)."""

    bundle = models.ForeignKey(
        Bundle, verbose_name=_("一件事"), on_delete=models.CASCADE, related_name="dependencies"
    )
    item = models.ForeignKey(ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+")
    waits_for = models.ForeignKey(
        ServiceItem, verbose_name=_("等待事项"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("前置关系")
        verbose_name_plural = _("前置关系")
        constraints = [
            models.UniqueConstraint(fields=["bundle", "item", "waits_for"], name="bundle_dependency_unique"),
            models.CheckConstraint(
                condition=~models.Q(item=models.F("waits_for")), name="dependency_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.name} ← {self.waits_for.name}"

    def clean(self) -> None:
        if self.item_id and self.item_id == self.waits_for_id:
            raise ValidationError({"waits_for": _("事项不能等待自身")})
        if self.bundle_id and self.item_id and self.waits_for_id:
            members = set(
                BundleItem.objects.filter(bundle_id=self.bundle_id).values_list("item_id", flat=True)
            )
            missing = [i for i in (self.item_id, self.waits_for_id) if i not in members]
            if missing:
                raise ValidationError(_("前置关系中的事项须都属于该一件事"))
            edges = [
                (d.item_id, d.waits_for_id)
                for d in BundleDependency.objects.filter(bundle_id=self.bundle_id).exclude(pk=self.pk)
            ]
            if find_cycle([*edges, (self.item_id, self.waits_for_id)]):
                raise ValidationError(_("前置关系形成了循环等待"))


def find_cycle(edges: list[tuple[object, object]]) -> list[object] | None:
    """A cycle in the directed graph ``edges`` (item → waits_for) as a list of nodes, or None."""
    graph: dict[object, list[object]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
    state: dict[object, int] = {}  # 1 on the stack, 2 done

    def visit(node: object, path: list[object]) -> list[object] | None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if state.get(nxt) is None:
                found = visit(nxt, path)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in list(graph):
        if state.get(start) is None:
            found = visit(start, [])
            if found:
                return found
    return None
