"""The kernel's one table: the counters behind every human-readable number."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NumberSequence(models.Model):
    """The last value handed out by one named counter (``core.numbers.sequence_next``): the
    application, draft and complaint numbers of a county and day, the licence numbers of a stem."""

    scope = models.CharField(
        _("计数范围"),
        max_length=64,
        unique=True,
        help_text=_(
            "如 app:430702:20250303（受理编号）、complaint:…（诉求编号）、licence:JY43070225（证号前缀）"
        ),
    )
    last = models.PositiveBigIntegerField(_("已用顺序号"), default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")

    def __str__(self) -> str:
        return f"{self.scope}: {self.last}"
