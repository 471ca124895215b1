"""Daily and monthly rollups of the figures (汇总表), maintained incrementally by ``stats.rollup``.

Pages read a month or a year of rollup rows instead of scanning cases: a row holds the counts of
one local day, one region, one item, one department and one channel, for one of four events —
an application *received*, a case *accepted*, a case *decided* (finished), a case *rated* (好差评).
Each day's rows are also summed into rows of its calendar month (``grain`` month, ``day`` the
first of the month), so a year is read from at most twelve rows per combination. Everything here
can be rebuilt from the cases at any time (``onewindow stats rebuild``); nothing is entered by hand.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RollupKind(models.TextChoices):
    RECEIVED = "received", _("收件")
    ACCEPTED = "accepted", _("受理")
    DECIDED = "decided", _("办结")
    RATED = "rated", _("评价")


class Grain(models.TextChoices):
    DAY = "day", _("日")
    MONTH = "month", _("月")


class DailyRollup(models.Model):
    kind = models.CharField(_("口径"), max_length=8, choices=RollupKind.choices)
    grain = models.CharField(_("粒度"), max_length=5, choices=Grain.choices, default=Grain.DAY)
    day = models.DateField(_("日期"), help_text=_("按月汇总的行为当月1日"))
    region_code = models.CharField(_("区划代码"), max_length=12)
    region_level = models.CharField(_("区划层级"), max_length=10)
    department_id = models.IntegerField(_("部门"), null=True)  # no FK: a rollup never blocks a delete
    item_id = models.IntegerField(_("事项"), null=True)
    channel = models.CharField(_("渠道"), max_length=10)
    bundle_id = models.IntegerField(_("一件事"), null=True)  # received rows of bundle applications
    n = models.PositiveIntegerField(_("件数"), default=0)
    # received (applications)
    refused = models.PositiveIntegerField(default=0)
    corrected = models.PositiveIntegerField(default=0)
    fully_online = models.PositiveIntegerField(default=0)
    zero_visits = models.PositiveIntegerField(default=0)
    one_visit = models.PositiveIntegerField(default=0)
    proofs = models.PositiveIntegerField(default=0)
    cases = models.PositiveIntegerField(default=0)  # cases the applications led to
    # accepted (cases)
    instant = models.PositiveIntegerField(default=0)
    commitment = models.PositiveIntegerField(default=0)
    deficiency = models.PositiveIntegerField(default=0)
    # decided (cases)
    approved = models.PositiveIntegerField(default=0)
    with_promised = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    with_legal = models.PositiveIntegerField(default=0)
    on_time_legal = models.PositiveIntegerField(default=0)
    wd_count = models.PositiveIntegerField(default=0)
    wd_total = models.PositiveBigIntegerField(default=0)
    wd_unknown = models.PositiveIntegerField(default=0)
    actual_vs_legal = models.PositiveBigIntegerField(default=0)
    legal_total = models.PositiveBigIntegerField(default=0)
    actual_vs_promised = models.PositiveBigIntegerField(default=0)
    promised_total = models.PositiveBigIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)  # closed (result delivered) by now
    issue_seconds = models.PositiveBigIntegerField(default=0)  # Σ decision → closure of those
    rated_real = models.PositiveIntegerField(default=0)  # real ratings of the cases decided
    rated_default = models.PositiveIntegerField(default=0)  # default ratings of the cases decided
    # rated (ratings, by the day they were made; n counts the real ones)
    ratings_default = models.PositiveIntegerField(default=0)
    level_1 = models.PositiveIntegerField(default=0)
    level_2 = models.PositiveIntegerField(default=0)
    level_3 = models.PositiveIntegerField(default=0)
    level_4 = models.PositiveIntegerField(default=0)
    level_5 = models.PositiveIntegerField(default=0)
    bad_rectified = models.PositiveIntegerField(default=0)  # bad ratings with a verified rectification
    wd_hist = models.JSONField(_("用时分布"), default=dict, help_text=_("工作日数 → 件数"))

    class Meta:
        verbose_name = _("每日汇总")
        verbose_name_plural = _("每日汇总")
        indexes = [
            models.Index(fields=["kind", "grain", "day", "region_code"], name="stats_rollup_kind_grain_day")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.grain} {self.day} {self.region_code}"


DIMENSIONS = ("region_code", "region_level", "department_id", "item_id", "channel", "bundle_id")
COUNTERS = tuple(
    f.name
    for f in DailyRollup._meta.fields
    if isinstance(f, models.PositiveIntegerField | models.PositiveBigIntegerField)
)


class RollupState(models.Model):
    """One row: how far the rollups are up to date."""

    watermark = models.DateTimeField(
        _("水位"), null=True, help_text=_("此时刻之前更新的办件已计入汇总；为空时下次全量重建")
    )
    refreshed_at = models.DateTimeField(_("最近刷新"), null=True)
    rebuilt_at = models.DateTimeField(_("最近重建"), null=True)
    days_refreshed = models.PositiveIntegerField(_("最近刷新天数"), default=0)
    last_application_id = models.BigIntegerField(_("已计入的最大申请ID"), default=0)
    last_case_id = models.BigIntegerField(_("已计入的最大办件ID"), default=0)
    last_rating_id = models.BigIntegerField(_("已计入的最大评价ID"), default=0)
    last_rectification_event_id = models.BigIntegerField(_("已计入的最大整改记录ID"), default=0)

    class Meta:
        verbose_name = _("汇总状态")
        verbose_name_plural = _("汇总状态")

    def __str__(self) -> str:
        return f"rollups up to {self.watermark}"
