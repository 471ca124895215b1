"""Reads: which calendar applies, and the ``WorkCalendar`` built from its rows (cached)."""

from __future__ import annotations

import copy
import datetime as dt
import logging
import threading
import time as _time
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from onewindow.clock.models import (
    Calendar,
    CalendarDay,
    CalendarKind,
    CalendarYear,
    DayKind,
    parse_sessions,
    parse_weekend,
)
from onewindow.clock.workdays import WorkCalendar
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.timeutil import today
from onewindow.org.models import Region

log = logging.getLogger(__name__)

# How long a process trusts its cached calendar before checking the revision again.
REVISION_CHECK_SECONDS = 5.0
_cache: dict[int, tuple[tuple[tuple[int, int], ...], float, WorkCalendar]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class _Choice:
    """Which calendars exist to choose from: the default and the regional ones with their prefixes."""

    checked_at: float
    default: Calendar | None
    regional: tuple[tuple[str, Calendar], ...]  # (region prefix, calendar) in the model's ordering


_choice: _Choice | None = None


class CalendarNotLoaded(DomainError):
    code, status, title = "calendar_not_loaded", 409, "工作日历尚未载入"


def _calendar_choice() -> _Choice:
    """The default and regional calendars, read at most every ``REVISION_CHECK_SECONDS`` per
    process (like the calendars' days in ``work_calendar``): a request no longer spends up to three
    queries on finding its calendar. Dropped at once in this process by ``forget_cached_calendars``
    (every clock service and every save or delete of a ``Calendar``, e.g. in the admin)."""
    global _choice
    now = _time.monotonic()
    choice = _choice
    if choice is not None and now - choice.checked_at < REVISION_CHECK_SECONDS:
        return choice
    default = None
    regional = []
    for calendar in Calendar.objects.filter(
        Q(is_default=True) | Q(region__isnull=False, kind="regional")
    ).select_related("region"):
        if calendar.is_default and default is None:
            default = calendar
        if calendar.region_id is not None and calendar.kind == "regional":
            regional.append((calendar.region.prefix, calendar))
    choice = _Choice(checked_at=now, default=default, regional=tuple(regional))
    with _lock:
        _choice = choice
    return choice


def calendar_default() -> Calendar:
    """The national calendar used for statutory limits."""
    calendar = _calendar_choice().default
    if calendar is None:
        raise CalendarNotLoaded("尚未载入全国工作日历：请运行 onewindow calendar seed")
    return copy.copy(calendar)  # callers may refresh or change their copy; the cached one is shared


def calendar_get(*, code: str) -> Calendar:
    try:
        return Calendar.objects.get(code=code)
    except Calendar.DoesNotExist:
        raise NotFound(f"工作日历“{code}”不存在") from None


def calendar_for_region(*, region: Region | None) -> Calendar:
    """The regional calendar of the nearest enclosing region, else the national default."""
    if region is not None:
        best, best_prefix = None, ""
        for prefix, calendar in _calendar_choice().regional:
            if region.code.startswith(prefix) and (best is None or len(prefix) > len(best_prefix)):
                best, best_prefix = calendar, prefix
        if best is not None:
            return copy.copy(best)
    return calendar_default()


def _root(calendar: Calendar) -> Calendar:
    seen = {calendar.pk}
    while calendar.base_id is not None:
        calendar = calendar.base
        if calendar.pk in seen:
            raise DomainError("日历的基础日历形成了循环")
        seen.add(calendar.pk)
    return calendar


def _covered_years(root: Calendar) -> tuple[int, int]:
    years = sorted(CalendarYear.objects.filter(calendar=root).values_list("year", flat=True))
    if not years:
        raise CalendarNotLoaded(f"{root.name}还没有载入任何年度的节假日安排")
    # The latest run of consecutive years: a gap means a notice was never loaded.
    first = years[-1]
    for year in reversed(years[:-1]):
        if year != first - 1:
            log.warning(
                "calendar %s: year %s is missing; using %s–%s", root.code, first - 1, first, years[-1]
            )
            break
        first = year
    return first, years[-1]


def _build(calendar: Calendar) -> WorkCalendar:
    chain = [calendar]
    while chain[-1].base_id is not None:
        chain.append(chain[-1].base)
    first, last = _covered_years(_root(calendar))
    weekend = parse_weekend(calendar.weekend)
    holidays: dict = {}
    makeups: dict = {}
    # Base first, so a calendar's own rows override what it inherits.
    for member in reversed(chain):
        rows = CalendarDay.objects.filter(
            calendar=member, date__year__gte=first, date__year__lte=last
        ).values_list("date", "kind", "name")
        for day, kind, name in rows:
            holidays.pop(day, None)
            makeups.pop(day, None)
            if kind == DayKind.HOLIDAY:
                holidays[day] = name
            elif day.weekday() in weekend:  # a hall open at weekends has no make-up days
                makeups[day] = name
    return WorkCalendar(
        first_year=first,
        last_year=last,
        holidays=holidays,
        makeup_workdays=makeups,
        weekend=weekend,
        sessions=parse_sessions(calendar.sessions),
    )


def _chain_key(calendar: Calendar) -> tuple[tuple[int, int], ...]:
    pks = [calendar.pk]
    while calendar.base_id is not None:
        calendar = calendar.base
        pks.append(calendar.pk)
    return tuple(sorted(Calendar.objects.filter(pk__in=pks).values_list("pk", "revision")))


def work_calendar(calendar: Calendar | None = None) -> WorkCalendar:
    """The ``WorkCalendar`` for ``calendar`` (default: national), rebuilt when a revision changes.

    Each process caches it and re-reads the revisions of the calendar and its bases at most
    every few seconds, so a calendar change reaches every web and worker process quickly
    without a query per deadline. Raises ``CalendarNotLoaded`` when no year is loaded.
    """
    calendar = calendar or calendar_default()
    now = _time.monotonic()
    with _lock:
        cached = _cache.get(calendar.pk)
    if cached is not None and now - cached[1] < REVISION_CHECK_SECONDS:
        return cached[2]
    key = _chain_key(calendar)
    built = cached[2] if cached is not None and cached[0] == key else _build(calendar)
    with _lock:
        _cache[calendar.pk] = (key, now, built)
    return built


def forget_cached_calendars() -> None:
    """Drop this process's cached calendars and calendar choice (called after every calendar change)."""
    global _choice
    with _lock:
        _cache.clear()
        _choice = None


def region_uses_calendar(calendar: Calendar) -> Callable[[Region | None], bool]:
    """A test "does a deadline in this region count on ``calendar``?" for the recompute hooks of
    ``clock.hooks``: the answer is looked up once per region (``calendar_for_region``)."""
    answers: dict[int | None, bool] = {}

    def uses(region: Region | None) -> bool:
        key = region.pk if region is not None else None
        if key not in answers:
            answers[key] = calendar_for_region(region=region).pk == calendar.pk
        return answers[key]

    return uses


# The State Council publishes next year's holidays in October to December; from 1 November on a
# missing notice is worth an administrator's attention (issue 17): deadlines that run into that
# year are only provisional until it is imported.
WARN_FROM_MONTH_DAY = (11, 1)


@dataclass(frozen=True)
class CalendarGap:
    """A year whose holiday notice a national calendar lacks although deadlines need it now."""

    calendar_code: str
    year: int
    message: str

    def __str__(self) -> str:
        return self.message


def calendar_gaps(*, on: dt.date | None = None) -> list[CalendarGap]:
    """The years missing from each national calendar on ``on`` (default today): this year at any
    time, and next year from 1 November on. Empty when all is loaded; one gap without a year
    (``year=0``) when there is no national calendar at all. Two queries."""
    on = on or today()
    needed = [on.year]
    if (on.month, on.day) >= WARN_FROM_MONTH_DAY:
        needed.append(on.year + 1)
    roots = list(Calendar.objects.filter(kind=CalendarKind.NATIONAL, base__isnull=True).order_by("code"))
    if not roots:
        return [CalendarGap("", 0, _("尚未载入全国工作日历，无法计算期限：请运行 onewindow calendar seed"))]
    loaded: dict[int, set[int]] = {root.pk: set() for root in roots}
    for calendar_id, year in CalendarYear.objects.filter(calendar__in=roots, year__in=needed).values_list(
        "calendar_id", "year"
    ):
        loaded[calendar_id].add(year)
    gaps = []
    for root in roots:
        for year in needed:
            if year not in loaded[root.pk]:
                message = _(
                    "%(calendar)s缺少%(year)s年的节假日安排：跨入%(year)s年的期限暂按只休周末计算并标为“暂定”，"
                    "请尽快导入国务院办公厅的放假通知（onewindow calendar import 文件），导入后自动重算"
                ) % {"calendar": root.name, "year": year}
                gaps.append(CalendarGap(root.code, year, message))
    return gaps
