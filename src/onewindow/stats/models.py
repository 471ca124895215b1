"""Daily rollups of the figures (汇总表), maintained incrementally by ``stats.rollup``.

Pages read a month or a year of rollup rows instead of scanning cases: a row holds the counts of
one local day, one region, one item, one department and one channel, for one of three events —
an application *received*, a case *accepted*, a case *decided* (finished). Everything here can be
rebuilt from the cases at any time (``onewindow stats rebuild``); nothing is entered by hand.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RollupKind(models.TextChoices):
    RECEIVED = "received", _("收件")
    ACCEPTED = "accepted", _("受理")
    DECIDED = "decided", _("办结")


class DailyRollup(models.Model):
    kind = models.CharField(_("口径"), max_length=8, choices=RollupKind.choices)
    day = models.DateField(_("日期"))
    region_code = models.CharField(_("区划代码"), max_length=12)
    region_level = models.CharField(_("区划层级"), max_length=10)
    department_id = models.IntegerField(_("部门"), null=True)  # no FK: a rollup never blocks a delete
    item_id = models.IntegerField(_("事项"), null=True)
    channel = models.CharField(_("渠道"), max_length=10)
    n = models.PositiveIntegerField(_("件数"), default=0)
    # received (applications)
    refused = models.PositiveIntegerField(default=0)
    corrected = models.PositiveIntegerField(default=0)
    fully_online = models.PositiveIntegerField(default=0)
    zero_visits = models.PositiveIntegerField(default=0)
    one_visit = models.PositiveIntegerField(default=0)
    proofs = models.PositiveIntegerField(default=0)
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
    wd_hist = models.JSONField(_("用时分布"), default=dict, help_text=_("工作日数 → 件数"))

    class Meta:
        verbose_name = _("每日汇总")
        verbose_name_plural = _("每日汇总")
        indexes = [models.Index(fields=["kind", "day", "region_code"], name="stats_rollup_kind_day")]

    def __str__(self) -> str:
        return f"{self.kind} {self.day} {self.region_code}"


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

    class Meta:
        verbose_name = _("汇总状态")
        verbose_name_plural = _("汇总状态")

    def __str__(self) -> str:
        return f"rollups up to {self.watermark}"
