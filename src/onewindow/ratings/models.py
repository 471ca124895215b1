"""Service ratings (好差评, 一事一评), the rectification of bad ratings (差评整改), and the agency
ranking built on them (seed 001 巴中 营商环境“好差评”季度测评).

国办发〔2019〕51号 (关于建立政务服务“好差评”制度提高政务服务水平的意见): five levels, one rating per
case from any channel, bad ratings followed up (回访) and rectified with the result published.
Statuses of a ``Rectification`` are cached copies; its history is the append-only
``RectificationEvent`` log and only ``ratings.services`` assigns ``state``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case
from onewindow.org.models import Applicant, Department, ServiceWindow


class Level(models.IntegerChoices):
    """The national five levels (国办发〔2019〕51号)."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASICALLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


# 差评: 不满意 and 非常不满意 must be followed up and rectified (国办发〔2019〕51号).
BAD_LEVELS = frozenset({Level.DISSATISFIED, Level.VERY_DISSATISFIED})


class RatingChannel(models.TextChoices):
    PAD = "pad", _("窗口评价器")
    ONLINE = "online", _("网上评价")
    SMS = "sms", _("短信或二维码")
    KIOSK = "kiosk", _("自助终端")
    AGENT = "agent", _("工作人员代为评价（经本人同意）")


class Rating(models.Model):
    """One rating of one finished case (一事一评).

    ``applicant`` is None for an anonymous rating; ``recorded_by`` is the staff member who
    entered it on the applicant's behalf (channel 代为评价, which requires ``consent``), else None.
    ``accepted_by`` and ``decided_by`` are copied from the case when the rating is made, so later
    staff moves do not change whose rating it was; either is None when the case has none
    (e.g. an application deemed accepted has no accepting officer).
    """

    case = models.OneToOneField(Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="rating")
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    comment = models.TextField(_("评价内容"), blank=True, max_length=500)
    tags = models.JSONField(_("评价标签"), default=list, blank=True, help_text=_("从配置的标签中选择"))
    channel = models.CharField(_("评价渠道"), max_length=10, choices=RatingChannel.choices)
    anonymous = models.BooleanField(_("匿名评价"), default=False)
    applicant = models.ForeignKey(
        Applicant,
        verbose_name=_("实名评价人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("匿名评价或默认评价为空"),
    )
    consent = models.BooleanField(
        _("本人同意代评"), default=False, help_text=_("工作人员代为评价时须经申请人本人同意")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代评人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(Department, verbose_name=_("承办部门"), on_delete=models.PROTECT)
    window = models.ForeignKey(
        ServiceWindow, verbose_name=_("受理窗口"), null=True, blank=True, on_delete=models.PROTECT
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_default = models.BooleanField(
        _("默认评价"),
        default=False,
        help_text=_("评价期内未评价而自动记录；不计入评价率、满意率，单独统计"),
    )
    finished_at = models.DateTimeField(_("办结时间"), help_text=_("办件作出办理决定的时间"))
    rated_at = models.DateTimeField(_("评价时间"), db_index=True)

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        ordering = ["-rated_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="rating_level_1_to_5"),
            models.CheckConstraint(
                condition=~Q(channel="agent") | Q(consent=True), name="rating_agent_needs_consent"
            ),
        ]
        indexes = [
            # The rating rate counts ratings by their case's decision time (ratings.selectors).
            models.Index(fields=["finished_at"], name="rating_finished_at_idx"),
            models.Index(fields=["department", "rated_at"], name="rating_department_idx"),
            models.Index(fields=["window", "rated_at"], name="rating_window_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class RectificationState(models.TextChoices):
    OPEN = "open", _("待回访")
    CONTACTED = "contacted", _("已回访，整改中")
    RECTIFIED = "rectified", _("已整改，待核实")
    VERIFIED = "verified", _("已核实")
    PUBLISHED = "published", _("已公开整改结果")


class Rectification(models.Model):
    """The follow-up (回访) and rectification (整改) of one bad rating.

    Both deadlines come from the working calendar when the rating is made. The timer stamps
    ``contact_overdue_at`` / ``rectify_overdue_at`` when a deadline passes unmet (escalation to the
    supervisors); both stay None while on time.
    """

    rating = models.OneToOneField(
        Rating, verbose_name=_("差评"), on_delete=models.PROTECT, related_name="rectification"
    )
    department = models.ForeignKey(Department, verbose_name=_("整改部门"), on_delete=models.PROTECT)
    state = models.CharField(_("状态"), max_length=10, choices=RectificationState.choices, db_index=True)
    contact_due_at = models.DateTimeField(_("回访期限"))
    rectify_due_at = models.DateTimeField(_("整改期限"))
    due_provisional = models.BooleanField(
        _("期限暂定"),
        default=False,
        help_text=_("期限跨入尚未导入节假日安排的年份时，暂按周末计算并标明；导入后自动重算"),
    )
    contact_note = models.TextField(_("回访记录"), blank=True)
    contacted_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    measures = models.TextField(_("整改措施"), blank=True)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核实人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.TextField(_("公开的整改结果"), blank=True, help_text=_("申请人可见"))
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    contact_overdue_at = models.DateTimeField(_("回访逾期督办时间"), null=True, blank=True)
    rectify_overdue_at = models.DateTimeField(_("整改逾期督办时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["rectify_due_at", "pk"]
        indexes = [
            models.Index(fields=["state", "contact_due_at"], name="rectification_contact_idx"),
            models.Index(fields=["state", "rectify_due_at"], name="rectification_rectify_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rating.case} 差评整改"

    @property
    def escalated(self) -> bool:
        return self.contact_overdue_at is not None or self.rectify_overdue_at is not None


class RectificationEvent(models.Model):
    """Append-only history of a rectification: one row per transition or escalation."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=10)
    to_state = models.CharField(_("新状态"), max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


# ---- agency ranking (seed 001 巴中) --------------------------------------------------------------


class IndicatorSource(models.TextChoices):
    MANUAL = "manual", _("现场测评（人工录入）")
    SATISFACTION_RATE = "satisfaction_rate", _("好差评满意率")
    RATING_RATE = "rating_rate", _("好差评评价率")
    RECTIFICATION_RATE = "rectification_rate", _("差评整改率")
    ON_TIME_RATE = "on_time_rate", _("按承诺时限办结率")


class RankingScheme(models.Model):
    """A set of weighted indicators and grade bands by rank.

    Seed 001 巴中: 综合测评分按日常过程评价占40%、现场集中评价占60%的比例计算; 排名前20位的为“好”，
    21—50位的为“较好”，后6位的为“差”，其余为“一般”. The band counts are the seed's; a county with
    fewer departments sets smaller ones.
    """

    name = models.CharField(_("方案名称"), max_length=100, unique=True)
    good_top = models.PositiveSmallIntegerField(_("“好”：前N名"), default=20)
    fair_top = models.PositiveSmallIntegerField(
        _("“较好”：至第N名"), default=50, help_text=_("排名在“好”之后、至此名次的为“较好”")
    )
    bad_bottom = models.PositiveSmallIntegerField(_("“差”：后N名"), default=6)
    departments = models.ManyToManyField(
        Department,
        verbose_name=_("被测评单位"),
        blank=True,
        related_name="+",
        help_text=_("为空时测评全部启用的部门"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("测评方案")
        verbose_name_plural = _("测评方案")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.fair_top < self.good_top:
            raise ValidationError({"fair_top": _("“较好”的截止名次不能小于“好”的名次")})


class RankingIndicator(models.Model):
    """One weighted indicator; every indicator is scored 0–100, the weights sum to 100 %."""

    scheme = models.ForeignKey(RankingScheme, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("指标代码"), max_length=40)
    name = models.CharField(_("指标名称"), max_length=100)
    weight = models.DecimalField(
        _("权重（%）"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    source = models.CharField(_("数据来源"), max_length=20, choices=IndicatorSource.choices)

    class Meta:
        verbose_name = _("测评指标")
        verbose_name_plural = _("测评指标")
        ordering = ["scheme", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="indicator_scheme_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}%）"


class RankingPeriod(models.Model):
    """One round of the ranking (e.g. a quarter); ``computed_at`` is None until it is computed."""

    scheme = models.ForeignKey(RankingScheme, on_delete=models.PROTECT, related_name="periods")
    label = models.CharField(_("期次"), max_length=40, help_text=_("如 2025年第一季度"))
    start = models.DateField(_("起始日"))
    end = models.DateField(_("截止日"))
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("测评期次")
        verbose_name_plural = _("测评期次")
        ordering = ["scheme", "start"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "label"], name="ranking_period_label_unique"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="ranking_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.label}"


class RankingScore(models.Model):
    """A manually entered score (0–100) of one department on one on-site indicator (现场测评)."""

    period = models.ForeignKey(RankingPeriod, on_delete=models.CASCADE, related_name="scores")
    department = models.ForeignKey(Department, verbose_name=_("部门"), on_delete=models.PROTECT)
    indicator = models.ForeignKey(RankingIndicator, verbose_name=_("指标"), on_delete=models.PROTECT)
    score = models.DecimalField(
        _("得分"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("录入时间"))

    class Meta:
        verbose_name = _("现场测评得分")
        verbose_name_plural = _("现场测评得分")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "department", "indicator"], name="ranking_score_unique"
            ),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="ranking_score_0_to_100"),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.indicator.name} {self.score}"


class Grade(models.TextChoices):
    GOOD = "good", _("好")
    FAIR = "fair", _("较好")
    AVERAGE = "average", _("一般")
    BAD = "bad", _("差")


class RankingResult(models.Model):
    """A department's weighted score, rank and grade in one period; ``details`` keeps each
    indicator's value and weight so the score can be explained."""

    period = models.ForeignKey(RankingPeriod, on_delete=models.CASCADE, related_name="results")
    department = models.ForeignKey(Department, verbose_name=_("部门"), on_delete=models.PROTECT)
    score = models.DecimalField(_("综合得分"), max_digits=6, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("名次"))
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices)
    consecutive_bad = models.PositiveSmallIntegerField(_("连续“差”次数"), default=0)
    alert = models.CharField(_("预警"), max_length=200, blank=True)
    details = models.JSONField(_("指标明细"), default=dict)

    class Meta:
        verbose_name = _("测评结果")
        verbose_name_plural = _("测评结果")
        ordering = ["period", "rank"]
        constraints = [models.UniqueConstraint(fields=["period", "department"], name="ranking_result_unique")]

    def __str__(self) -> str:
        return f"{self.period} 第{self.rank}名 {self.department} {self.get_grade_display()}"
