"""Market-entity registration (市场主体登记): the registered enterprises and individual businesses,
their version history, 商务秘书企业 hosting, and the 一址多照 address policy.

``Enterprise`` holds the current registered items (《市场主体登记管理条例》第八条) in queryable
columns; ``EnterpriseVersion`` keeps every registered state, so a change (变更登记) never loses the
old values. Every write goes through ``services`` (one transaction, one audit event).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from onewindow.enterprises.names import EntityType
from onewindow.org.models import Applicant, Department, Region
from onewindow.org.validators import validate_uscc

# Registered capital in yuan with fen: up to 999 999 999 999 999.99 (17 digits), more than any
# registered capital; larger numbers are refused as input, never sent to the database.
CAPITAL_DIGITS, CAPITAL_PLACES = 17, 2
MAX_HOSTING_CAPACITY = 100_000


class EnterpriseType(models.TextChoices):
    """Market-entity types (《市场主体登记管理条例》第二条; 《实施细则》第六条 lists their items)."""

    LIMITED_COMPANY = EntityType.LIMITED_COMPANY.value, _("有限责任公司")
    JOINT_STOCK_COMPANY = EntityType.JOINT_STOCK_COMPANY.value, _("股份有限公司")
    SOLE_PROPRIETORSHIP = EntityType.SOLE_PROPRIETORSHIP.value, _("个人独资企业")
    GENERAL_PARTNERSHIP = EntityType.GENERAL_PARTNERSHIP.value, _("普通合伙企业")
    LIMITED_PARTNERSHIP = EntityType.LIMITED_PARTNERSHIP.value, _("有限合伙企业")
    INDIVIDUAL_BUSINESS = EntityType.INDIVIDUAL_BUSINESS.value, _("个体工商户")


class EnterpriseStatus(models.TextChoices):
    ACTIVE = "active", _("存续")
    CANCELLED = "cancelled", _("注销")


class Currency(models.TextChoices):
    CNY = "CNY", _("人民币")
    USD = "USD", _("美元")
    EUR = "EUR", _("欧元")
    HKD = "HKD", _("港元")
    JPY = "JPY", _("日元")
    GBP = "GBP", _("英镑")


class VersionReason(models.TextChoices):
    ESTABLISH = "establish", _("设立登记")
    RECORD = "record", _("存量入册")
    CHANGE = "change", _("变更登记")
    CANCEL = "cancel", _("注销登记")


class HostingCompany(models.Model):
    """A 商务秘书企业: a company whose address hosts small enterprises by agreement (seed 001, 内江:
    小微企业“通过签订托管协议方式入驻商务秘书企业完成注册”, and the hosting company serves them as
    secretary: address, registration, bookkeeping, annual reports, mail)."""

    name = models.CharField(_("名称"), max_length=200)
    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        validators=[validate_uscc],
        help_text=_("GB 32100-2015"),
    )
    address = models.CharField(_("托管地址"), max_length=200, help_text=_("入驻企业以此地址登记住所"))
    address_key = models.CharField(_("地址比对键"), max_length=200, db_index=True, editable=False)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    authority = models.ForeignKey(
        Department,
        verbose_name=_("登记机关"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("负责托管登记和监管的市场监管部门；其工作人员可查看托管名册"),
    )
    capacity = models.PositiveIntegerField(
        _("托管容量"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOSTING_CAPACITY)],
        help_text=_("最多可同时托管的企业户数（含已签协议待登记的）"),
    )
    allowed_industries = models.JSONField(
        _("允许入驻的行业"),
        default=list,
        help_text=_(
            "国民经济行业分类门类名称列表，如 信息传输、软件和信息技术服务业；"
            "限于对经营场所条件要求较低或不需要办公实体的行业（内江：电子商务、文化创意、软件设计等）"
        ),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("商务秘书企业")
        verbose_name_plural = _("商务秘书企业")
        ordering = ["region__code", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=MAX_HOSTING_CAPACITY),
                name="hosting_company_capacity_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class AgreementStatus(models.TextChoices):
    PENDING = "pending", _("已签订，待登记")
    ACTIVE = "active", _("托管中")
    ENDED = "ended", _("已终止")


class HostingAgreement(models.Model):
    """A 托管协议 between a hosting company and an enterprise registered at its address. Signed before
    registration (the enterprise is empty until approval); it is a material of the application."""

    company = models.ForeignKey(
        HostingCompany, verbose_name=_("商务秘书企业"), on_delete=models.PROTECT, related_name="agreements"
    )
    enterprise = models.ForeignKey(
        "Enterprise",
        verbose_name=_("入驻企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosting_agreements",
        help_text=_("设立登记核准后关联"),
    )
    proposed_name = models.CharField(_("拟入驻企业名称"), max_length=200, blank=True)
    starts_on = models.DateField(_("托管起始日"))
    ends_on = models.DateField(_("托管到期日"), help_text=_("最后一个托管日；到期后企业须办理住所变更登记"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=AgreementStatus.choices,
        default=AgreementStatus.PENDING,
        db_index=True,
    )
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("签订登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("托管协议")
        verbose_name_plural = _("托管协议")
        ordering = ["company", "-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="hosting_agreement_dates"),
            models.CheckConstraint(
                condition=~Q(status=AgreementStatus.ACTIVE) | Q(enterprise__isnull=False),
                name="hosting_agreement_active_has_enterprise",
            ),
            models.CheckConstraint(
                condition=~Q(status=AgreementStatus.ENDED) | Q(ended_on__isnull=False),
                name="hosting_agreement_ended_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company.name} 托管协议 #{self.pk}"


class Enterprise(models.Model):
    """A registered market entity: an enterprise or an individual business (个体工商户).

    It is the ``org.Applicant`` of kind entity whose ``id_number`` is its unified social credit code,
    so later applications (seal, invoices, social insurance, bank account) take it as their subject.
    """

    applicant = models.OneToOneField(
        Applicant, verbose_name=_("申请人档案"), on_delete=models.PROTECT, related_name="enterprise"
    )
    name = models.CharField(_("名称"), max_length=200)
    name_region = models.CharField(_("名称中的行政区划"), max_length=50, blank=True)
    trade_name = models.CharField(_("字号"), max_length=50, blank=True)
    industry = models.CharField(_("行业或者经营特点"), max_length=50, blank=True)
    organisational_form = models.CharField(_("组织形式"), max_length=50, blank=True)
    trade_name_key = models.CharField(_("字号比对键"), max_length=50, blank=True, editable=False)
    industry_key = models.CharField(_("行业比对键"), max_length=50, blank=True, editable=False)
    enterprise_type = models.CharField(_("类型"), max_length=24, choices=EnterpriseType.choices)
    registered_capital = models.DecimalField(
        _("注册资本（出资额）"),
        max_digits=CAPITAL_DIGITS,
        decimal_places=CAPITAL_PLACES,
        null=True,
        blank=True,
        help_text=_("元；公司为注册资本，非公司企业为出资额；个体工商户可不登记"),
    )
    currency = models.CharField(_("币种"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    business_scope = models.JSONField(_("经营范围"), default=list, help_text=_("经营范围规范表述的列表"))
    address = models.CharField(
        _("住所（经营场所）"),
        max_length=200,
        help_text=_("《市场主体登记管理条例》第十一条：只能登记一个住所或者主要经营场所"),
    )
    address_key = models.CharField(_("地址比对键"), max_length=200, db_index=True, editable=False)
    address_region = models.ForeignKey(
        Region,
        verbose_name=_("住所所在区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("登记机关区划"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("统一社会信用代码第3–8位取此区划码（GB 32100-2015）"),
    )
    authority = models.ForeignKey(
        Department,
        verbose_name=_("登记机关"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hosting_agreement = models.ForeignKey(
        HostingAgreement,
        verbose_name=_("托管协议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("以商务秘书企业托管地址登记住所的，为现行托管协议"),
    )
    legal_representative = models.CharField(
        _("法定代表人（负责人）"),
        max_length=50,
        help_text=_("公司为法定代表人；合伙企业为执行事务合伙人；个人独资企业为投资人；个体工商户为经营者"),
    )
    established_on = models.DateField(
        _("成立日期"), help_text=_("《市场主体登记管理条例》第二十一条：营业执照签发日期为成立日期")
    )
    status = models.CharField(
        _("登记状态"),
        max_length=10,
        choices=EnterpriseStatus.choices,
        default=EnterpriseStatus.ACTIVE,
        db_index=True,
    )
    cancelled_on = models.DateField(_("注销日期"), null=True, blank=True)
    version = models.PositiveIntegerField(_("现行登记版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("市场主体")
        verbose_name_plural = _("市场主体")
        ordering = ["region__code", "name"]
        indexes = [
            models.Index(fields=["region", "trade_name_key"], name="enterprise_trade_name"),
            models.Index(fields=["region", "address_key"], name="enterprise_address"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(registered_capital__isnull=True) | Q(registered_capital__gte=0),
                name="enterprise_capital_not_negative",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="enterprise_version_positive"),
            models.CheckConstraint(
                condition=Q(status=EnterpriseStatus.ACTIVE, cancelled_on__isnull=True)
                | Q(status=EnterpriseStatus.CANCELLED, cancelled_on__isnull=False),
                name="enterprise_cancelled_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def uscc(self) -> str:
        return self.applicant.id_number


class EnterpriseVersion(models.Model):
    """One registered state of an enterprise, append-only: establishment is version 1, each change
    adds the next, cancellation the last. ``valid_to`` is set once, when the next version supersedes
    this one; nothing else is ever updated."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("市场主体"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    reason = models.CharField(_("登记类型"), max_length=10, choices=VersionReason.choices)
    data = models.JSONField(_("登记事项"), help_text=_("该版本的全部登记事项"))
    changed_fields = models.JSONField(_("变更事项"), default=list, blank=True)
    name = models.CharField(_("名称"), max_length=200)
    trade_name_key = models.CharField(_("字号比对键"), max_length=50, blank=True)
    industry_key = models.CharField(_("行业比对键"), max_length=50, blank=True)
    valid_from = models.DateTimeField(_("生效时间"))
    valid_to = models.DateTimeField(_("失效时间"), null=True, blank=True, help_text=_("被下一版本取代的时间"))
    case_number = models.CharField(
        _("办件编号"), max_length=40, blank=True, help_text=_("据以登记的办件；存量或演示数据为空")
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("登记版本")
        verbose_name_plural = _("登记版本")
        ordering = ["enterprise", "number"]
        indexes = [models.Index(fields=["trade_name_key", "valid_to"], name="enterprise_version_former")]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "number"], name="enterprise_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="enterprise_version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"


class AddressPolicy(models.Model):
    """Where one address may host several market entities (一址多照 / 集群注册).

    《市场主体登记管理条例》第十一条第三款 lets provinces (or the governments they authorise) make
    more convenient rules for addresses; seed 001 (自贡) allows 一址多照 and 集群注册. A policy with an
    empty address covers its whole region; one with an address covers that address. Without a
    policy, a second entity at a registered address needs the window's confirmation.
    """

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("地址"), max_length=200, blank=True, help_text=_("为空表示适用于整个区划"))
    address_key = models.CharField(_("地址比对键"), max_length=200, blank=True, editable=False)
    shared_allowed = models.BooleanField(_("允许一址多照"), default=True)
    capacity = models.PositiveIntegerField(
        _("最多登记户数"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOSTING_CAPACITY)],
        help_text=_("为空表示不限"),
    )
    basis = models.CharField(
        _("依据"), max_length=300, help_text=_("如 《××市企业住所（经营场所）登记管理办法》")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("住所登记政策")
        verbose_name_plural = _("住所登记政策")
        ordering = ["region__code", "address_key"]
        constraints = [
            models.UniqueConstraint(fields=["region", "address_key"], name="address_policy_unique"),
        ]

    def __str__(self) -> str:
        return self.address or str(self.region)
