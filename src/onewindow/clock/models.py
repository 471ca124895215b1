"""Working calendars as data: the yearly holiday notices, regional extras and hall hours.

行政许可法 第八十二条 counts limits in working days excluding statutory holidays, and the State
Council publishes each year's holidays and make-up working days (调休). Those notices are rows
here; ``clock.workdays.WorkCalendar`` is built from them and does the arithmetic.
"""

from __future__ import annotations

import itertools
import re
from datetime import time

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.org.models import Region

SESSION_RE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def parse_sessions(text: str) -> tuple[tuple[time, time], ...]:
    """``"09:00-12:00,13:30-17:30"`` → ((09:00, 12:00), (13:30, 17:30)); ValueError with a reason."""
    sessions = []
    for part in [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]:
        match = SESSION_RE.match(part)
        if not match:
            raise ValueError(f"办公时段“{part}”格式应为 HH:MM-HH:MM")
        h1, m1, h2, m2 = (int(x) for x in match.groups())
        if not (0 <= h1 <= 23 and 0 <= h2 <= 24 and m1 < 60 and m2 < 60):
            raise ValueError(f"办公时段“{part}”的时间无效")
        start, end = time(h1, m1), time(23, 59, 59) if h2 == 24 else time(h2, m2)
        if start >= end:
            raise ValueError(f"办公时段“{part}”的开始时间应早于结束时间")
        sessions.append((start, end))
    if not sessions:
        raise ValueError("至少需要一个办公时段")
    ordered = sorted(sessions)
    for (_s1, e1), (s2, _e2) in itertools.pairwise(ordered):
        if s2 < e1:
            raise ValueError("办公时段不能重叠")
    return tuple(ordered)


def parse_weekend(text: str) -> frozenset[int]:
    """``"5,6"`` (Saturday, Sunday; Monday = 0) → {5, 6}; ``""`` → no weekly rest days."""
    days = set()
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        if not part.isdigit() or not 0 <= int(part) <= 6:
            raise ValueError(f"休息日“{part}”应为 0（周一）到 6（周日）之间的数字")
        days.add(int(part))
    return frozenset(days)


def _validate_sessions(value: str) -> None:
    try:
        parse_sessions(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def _validate_weekend(value: str) -> None:
    try:
        parse_weekend(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


class CalendarKind(models.TextChoices):
    NATIONAL = "national", _("全国法定工作日历")
    REGIONAL = "regional", _("地方工作日历（在全国日历上增加地方假日）")
    HALL = "hall", _("大厅服务日历（错时延时、周末服务，不用于法定时限）")


class Calendar(models.Model):
    """A working calendar. Exactly one national calendar is the default for legal limits.

    A regional calendar (e.g. a 民族自治地方 with its own holidays) adds days to its ``base``
    and covers the same years; a hall calendar describes the hall's own opening days and hours.
    """

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=CalendarKind.choices)
    base = models.ForeignKey(
        "self",
        verbose_name=_("基础日历"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("地方或大厅日历在其基础日历的节假日与调休上增加本日历的日期"),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("适用区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("该区划及其下级区划的办件使用本日历；全国日历为空"),
    )
    is_default = models.BooleanField(_("默认日历"), default=False)
    sessions = models.CharField(
        _("办公时段"),
        max_length=100,
        default="09:00-12:00,13:30-17:30",
        validators=[_validate_sessions],
        help_text=_("按工作小时、分钟计时的期限只在这些时段内计算，如 09:00-12:00,13:30-17:30"),
    )
    weekend = models.CharField(
        _("每周休息日"),
        max_length=20,
        default="5,6",
        blank=True,
        validators=[_validate_weekend],
        help_text=_("0=周一 … 6=周日；全年无休的大厅日历留空"),
    )
    revision = models.PositiveIntegerField(
        _("修订号"), default=0, help_text=_("每次修改日期或设置都会加一，用于让各进程重新载入")
    )

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="calendar_single_default"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == CalendarKind.NATIONAL and self.base_id:
            raise ValidationError({"base": _("全国日历没有基础日历")})
        if self.kind != CalendarKind.NATIONAL and not self.base_id:
            raise ValidationError({"base": _("地方或大厅日历必须指定基础日历")})
        if self.is_default and self.kind != CalendarKind.NATIONAL:
            raise ValidationError({"is_default": _("只有全国日历可以作为默认日历")})


class CalendarYear(models.Model):
    """A year whose holiday notice has been loaded. Deadlines may only be computed in such years."""

    calendar = models.ForeignKey(
        Calendar, verbose_name=_("日历"), on_delete=models.CASCADE, related_name="years"
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    source = models.CharField(
        _("来源"),
        max_length=200,
        help_text=_("如“国务院办公厅关于2026年部分节假日安排的通知”或 chinesecalendar 1.11.0"),
    )
    loaded_at = models.DateTimeField(_("载入时间"), auto_now=True)

    class Meta:
        verbose_name = _("已载入年度")
        verbose_name_plural = _("已载入年度")
        ordering = ["calendar", "year"]
        constraints = [models.UniqueConstraint(fields=["calendar", "year"], name="calendar_year_unique")]

    def __str__(self) -> str:
        return f"{self.calendar} {self.year}"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("放假")
    MAKEUP_WORKDAY = "makeup", _("调休上班")


class CalendarDay(models.Model):
    """One exception to the weekly rhythm: a day off on a working weekday, or a working weekend day."""

    calendar = models.ForeignKey(
        Calendar, verbose_name=_("日历"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=50, help_text=_("如 春节、国庆节、春节调休"))

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["calendar", "date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}（{self.get_kind_display()}）"
