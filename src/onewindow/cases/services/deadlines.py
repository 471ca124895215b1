"""Deadlines of cases on the working calendar (行政许可法 第四十二条、第四十五条、第八十二条)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from onewindow.cases.models import (
    Application,
    Case,
    CaseStatus,
    ExtensionStatus,
    TimerKind,
)
from onewindow.cases.services.core import _cancel_timer, _timer
from onewindow.cases.transitions import (
    RUNNING,
)
from onewindow.clock.models import Calendar
from onewindow.clock.selectors import calendar_for_region, work_calendar
from onewindow.clock.workdays import (
    CalendarRangeError,
    Duration,
    Unit,
    WorkCalendar,
    deadline,
)

# ---- deadlines ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadlines:
    promised: dt.datetime | None
    legal: dt.datetime | None
    provisional: bool


def _calendar_for(application: Application) -> Calendar:
    return calendar_for_region(region=application.region)


def _provisional(cal: WorkCalendar, years: int = 2) -> WorkCalendar:
    """The calendar extended by weekend-only years, for deadlines that run into a year whose
    holiday notice is not loaded yet. Such deadlines are flagged ``deadline_provisional`` and
    recomputed when the notice is imported — never presented as final."""
    return WorkCalendar(
        first_year=cal.first_year,
        last_year=cal.last_year + years,
        holidays=cal.holidays,
        makeup_workdays=cal.makeup_workdays,
        weekend=cal.weekend,
        sessions=cal.sessions,
    )


def _due(
    start: dt.datetime, limit: Duration | None, cal: WorkCalendar, pauses: list, extensions: list
) -> tuple:
    if limit is None:
        return None, False
    try:
        return deadline(start, limit, cal, pauses=pauses, extensions=extensions), False
    except CalendarRangeError:
        return deadline(start, limit, _provisional(cal), pauses=pauses, extensions=extensions), True


def case_deadlines(case: Case, cal: WorkCalendar | None = None) -> Deadlines:
    """Promised and statutory deadlines of ``case`` from its acceptance, suspensions and approved
    extensions (行政许可法 第四十二条、第四十五条), on its region's calendar."""
    cal = cal or work_calendar(_calendar_for(case.application))
    version = case.item_version
    pauses = [(s.started_at, s.ended_at) for s in case.suspensions.all()]
    extra = [
        Duration(e.days, Unit.WORKDAY) for e in case.extensions.all() if e.status == ExtensionStatus.APPROVED
    ]
    promised_limit, legal_limit = version.promised_limit, version.legal_limit

    def same_unit(limit: Duration | None) -> list:
        return extra if limit is not None and limit.unit == Unit.WORKDAY else []

    promised, p1 = _due(case.accepted_at, promised_limit, cal, pauses, same_unit(promised_limit))
    legal, p2 = _due(case.accepted_at, legal_limit, cal, pauses, same_unit(legal_limit))
    return Deadlines(promised=promised, legal=legal, provisional=p1 or p2)


def _store_deadlines(case: Case) -> None:
    due = case_deadlines(case)
    Case.objects.filter(pk=case.pk).update(
        promised_due_at=due.promised, legal_due_at=due.legal, deadline_provisional=due.provisional
    )
    case.promised_due_at, case.legal_due_at, case.deadline_provisional = (
        due.promised,
        due.legal,
        due.provisional,
    )
    _arm_warning(case)


# The supervisors' warning (预警) fires when 80 % of the promised time has passed; the
# worklist's colour also flags the last working day.
WARNING_SHARE = 0.8


def _arm_warning(case: Case) -> None:
    """(Re)arm the deadline-warning timer after the deadline moved; none while the clock stops."""
    if case.promised_due_at is None:
        _cancel_timer(TimerKind.DEADLINE_WARNING, case.pk)
        return
    warn_at = case.accepted_at + (case.promised_due_at - case.accepted_at) * WARNING_SHARE
    _timer(TimerKind.DEADLINE_WARNING, case.pk, warn_at)


OPEN_STATES = (*RUNNING, CaseStatus.SUSPENDED)


def case_recompute_deadlines_for_calendar(calendar: Calendar, years: frozenset[int]) -> int:
    """Clock hook: recompute the deadlines of open cases after ``calendar`` changed.

    Only cases whose region uses this calendar are touched; the others keep theirs.
    """
    count = 0
    cal = work_calendar(calendar)
    cases = (
        Case.objects.filter(status__in=OPEN_STATES)
        .select_related("application__region", "item_version")
        .prefetch_related("suspensions", "extensions")
    )
    uses: dict[int, bool] = {}  # region id → does it use this calendar (one lookup per region)
    for case in cases.iterator(chunk_size=2000):
        region = case.application.region
        if region.pk not in uses:
            uses[region.pk] = calendar_for_region(region=region).pk == calendar.pk
        if not uses[region.pk]:
            continue
        due = case_deadlines(case, cal)
        if (due.promised, due.legal, due.provisional) != (
            case.promised_due_at,
            case.legal_due_at,
            case.deadline_provisional,
        ):
            Case.objects.filter(pk=case.pk).update(
                promised_due_at=due.promised, legal_due_at=due.legal, deadline_provisional=due.provisional
            )
            count += 1
    return count
