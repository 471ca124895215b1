"""Deadlines on the working calendar (行政许可法 第三十二条、第四十二条、第四十四条、第四十五条、第八十二条).

Every moment the law fixes is computed here from the facts (receipt, acceptance, the clock's start,
suspensions, approved extensions, the decision), never read off a timer: the timers only announce a
moment, and every action that depends on one asks these functions itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from onewindow.cases.models import (
    DECIDED_CASE_STATES,
    OPEN_CASE_STATES,
    Application,
    Case,
    ExtensionStatus,
    JointExtension,
    Suspension,
    TimerKind,
)
from onewindow.cases.services.core import _cancel_timer, _timer
from onewindow.catalog.limits import JOINT_HANDLING_EXTENSION, JOINT_HANDLING_LIMIT
from onewindow.catalog.selectors import bundle_joint_limit
from onewindow.clock.deadlines import due, provisional_calendar
from onewindow.clock.models import Calendar
from onewindow.clock.selectors import calendar_for_region, work_calendar
from onewindow.clock.workdays import (
    CalendarRangeError,
    Duration,
    Pause,
    Unit,
    WorkCalendar,
    warning_moment,
)

# 行政许可法 第三十二条: incomplete materials must be listed in one notice at once or within five
# days; if none is given in time, the application counts as accepted on the day it was received.
CORRECTION_NOTICE_LIMIT = Duration(5, Unit.WORKDAY)
# 行政许可法 第四十二条第一款: an extension of up to ten working days with the leader's approval.
MAX_EXTENSION_DAYS = 10
# 行政许可法 第四十二条第二款: joint handling (第二十六条) within 45 days, extendable by 15 with the
# approval of the 本级人民政府负责人 (第八十二条: working days); the catalogue holds both figures.
JOINT_LEGAL_LIMIT = JOINT_HANDLING_LIMIT
MAX_JOINT_EXTENSION_DAYS = JOINT_HANDLING_EXTENSION.value
# 行政许可法 第四十四条: the licence is issued and delivered within ten days of the decision.
DELIVERY_LIMIT = Duration(10, Unit.WORKDAY)
DECIDED_STATES = DECIDED_CASE_STATES

T = TypeVar("T")


@dataclass(frozen=True)
class Deadlines:
    promised: dt.datetime | None
    legal: dt.datetime | None
    warning: dt.datetime | None
    provisional: bool


def _calendar_for(application: Application) -> Calendar:
    return calendar_for_region(region=application.region)


def _on_calendar(compute: Callable[[WorkCalendar], T], cal: WorkCalendar) -> tuple[T, bool]:
    """``compute(cal)``, or on the provisional calendar (``clock.deadlines``) when it runs past the
    loaded years, flagged provisional and recomputed when the holiday notice is imported."""
    try:
        return compute(cal), False
    except CalendarRangeError:
        return compute(provisional_calendar(cal)), True


def _due(
    start: dt.datetime,
    limit: Duration | None,
    cal: WorkCalendar,
    pauses: list[Pause] | tuple = (),
    extensions: list[Duration] | tuple = (),
) -> tuple[dt.datetime | None, bool]:
    """The deadline instant and whether it is provisional (``clock.deadlines.due``)."""
    return due(start, limit, cal, pauses=pauses, extensions=extensions)


def application_cal(application: Application) -> WorkCalendar:
    return work_calendar(_calendar_for(application))


# ---- 第三十二条: the correction window ---------------------------------------------------------


def application_deemed_acceptance_at(application: Application) -> dt.datetime | None:
    """The instant from which a submitted application counts as accepted because no correction
    notice was given within five working days of its receipt (行政许可法 第三十二条); None before
    receipt. Counted from the latest receipt (a resubmission after a correction notice is one)."""
    if application.received_at is None:
        return None
    due, _provisional_flag = _due(
        application.received_at, CORRECTION_NOTICE_LIMIT, application_cal(application)
    )
    return due


# ---- a case's promised and statutory deadlines ---------------------------------------------------


def _pauses(suspensions: list[Suspension]) -> list[Pause]:
    return [(s.started_at, s.ended_at) for s in suspensions]


def legal_extensions(case: Case) -> list[Duration]:
    """Approved extensions (第四十二条) as working-day durations of the statutory limit."""
    return [
        Duration(e.days, Unit.WORKDAY) for e in case.extensions.all() if e.status == ExtensionStatus.APPROVED
    ]


def case_deadlines(case: Case, cal: WorkCalendar | None = None) -> Deadlines:
    """Promised and statutory deadlines and the warning moment of ``case``, counted from the start of
    its clock with its suspensions (第四十五条), on its region's calendar.

    An approved extension (第四十二条) moves the statutory deadline only: the promised deadline is
    the bureau's own promise and is never stretched by it. A case whose clock has not started (it
    waits for another case's result) has no deadlines yet.
    """
    start = case.clock_started_at
    if start is None:
        return Deadlines(promised=None, legal=None, warning=None, provisional=False)
    cal = cal or application_cal(case.application)
    version = case.item_version
    pauses = _pauses(list(case.suspensions.all()))
    promised_limit, legal_limit = version.promised_limit, version.legal_limit
    promised, p1 = _due(start, promised_limit, cal, pauses)
    extensions = legal_extensions(case) if legal_limit and legal_limit.unit == Unit.WORKDAY else []
    legal, p2 = _due(start, legal_limit, cal, pauses, extensions)
    warning, p3 = _on_calendar(lambda c: warning_moment(start, promised_limit, c, pauses=pauses), cal)
    return Deadlines(promised=promised, legal=legal, warning=warning, provisional=p1 or p2 or p3)


def _apply(case: Case, due: Deadlines) -> bool:
    """Write ``due`` to the case; False when nothing changed."""
    fields = {
        "promised_due_at": due.promised,
        "legal_due_at": due.legal,
        "warning_at": due.warning,
        "deadline_provisional": due.provisional,
    }
    if all(getattr(case, name) == value for name, value in fields.items()):
        return False
    Case.objects.filter(pk=case.pk).update(**fields)
    for name, value in fields.items():
        setattr(case, name, value)
    return True


def _store_deadlines(case: Case) -> None:
    _apply(case, case_deadlines(case))
    _arm_warning(case)


def _arm_warning(case: Case) -> None:
    """(Re)arm the deadline-warning timer at the warning moment; none while the clock stops, for a
    decided case or for 即办. A timer that already fired at the same moment is left alone."""
    if case.warning_at is None or case.status not in OPEN_CASE_STATES:
        _cancel_timer(TimerKind.DEADLINE_WARNING, case.pk)
        return
    _timer(TimerKind.DEADLINE_WARNING, case.pk, case.warning_at)


# ---- 第四十二条第二款: joint handling --------------------------------------------------------------


@dataclass(frozen=True)
class JointDeadlines:
    promised: dt.datetime | None
    legal: dt.datetime | None


def application_joint_deadlines(application: Application, cal: WorkCalendar | None = None) -> JointDeadlines:
    """The joint deadlines of a bundle: its promised limit, and for joint handling (第二十六条: a
    bundle so marked whose chosen items belong to two or more departments) the statutory 45 working
    days plus approved joint extensions (第四十二条第二款), both counted from acceptance and moved by
    every suspension of its cases (第四十五条)."""
    bundle = application.bundle
    if bundle is None or application.accepted_at is None:
        return JointDeadlines(promised=None, legal=None)
    cal = cal or application_cal(application)
    pauses = _pauses(list(Suspension.objects.filter(case__application=application)))
    promised, _p1 = _due(application.accepted_at, bundle.promised_limit, cal, pauses)
    legal = None
    joint_limit = bundle_joint_limit(bundle, application.bundle_option)
    if joint_limit is not None:
        approved = JointExtension.objects.filter(application=application, status=ExtensionStatus.APPROVED)
        extensions = [Duration(e.days, Unit.WORKDAY) for e in approved]
        legal, _p2 = _due(application.accepted_at, joint_limit, cal, pauses, extensions)
    return JointDeadlines(promised=promised, legal=legal)


def _store_joint_deadlines(application: Application) -> bool:
    due = application_joint_deadlines(application)
    if (application.joint_due_at, application.joint_legal_due_at) == (due.promised, due.legal):
        return False
    Application.objects.filter(pk=application.pk).update(
        joint_due_at=due.promised, joint_legal_due_at=due.legal
    )
    application.joint_due_at, application.joint_legal_due_at = due.promised, due.legal
    return True


# ---- 第四十四条: delivery ----------------------------------------------------------------------------


def case_delivery_due(case: Case, cal: WorkCalendar | None = None) -> tuple[dt.datetime | None, bool]:
    """When the decision must be delivered: ten working days after it (第四十四条)."""
    if case.decided_at is None:
        return None, False
    return _due(case.decided_at, DELIVERY_LIMIT, cal or application_cal(case.application))


def _arm_delivery(application: Application) -> None:
    """The delivery timer of an application: the earliest delivery due date of its decided cases."""
    first = (
        Case.objects.filter(application=application, status__in=DECIDED_STATES, delivery_due_at__isnull=False)
        .order_by("delivery_due_at")
        .values_list("delivery_due_at", flat=True)
        .first()
    )
    if first is None:
        _cancel_timer(TimerKind.DELIVERY_DUE, application.pk)
    else:
        _timer(TimerKind.DELIVERY_DUE, application.pk, first)


# ---- after a calendar change ----------------------------------------------------------------------


def case_recompute_deadlines_for_calendar(calendar: Calendar, years: frozenset[int]) -> int:
    """Clock hook: recompute the deadlines that ``calendar``'s change in ``years`` can move.

    Open cases (promised and statutory deadlines, warning moment and its timer), decided cases
    waiting for delivery (their 第四十四条 due date and the delivery timer) and the joint deadlines
    of their applications. Only cases whose region uses this calendar, and whose counting reaches
    into the first changed year (or is provisional, or stopped), are read. Returns how many cases or
    applications changed.
    """
    if not years:
        return 0
    count = 0
    cal = work_calendar(calendar)
    from_instant = dt.datetime(min(years), 1, 1, tzinfo=dt.UTC) - dt.timedelta(days=1)
    reaches = (
        Case.objects.filter(deadline_provisional=True)
        | Case.objects.filter(status__in=OPEN_CASE_STATES, promised_due_at__isnull=True)
        | Case.objects.filter(promised_due_at__gte=from_instant)
        | Case.objects.filter(legal_due_at__gte=from_instant)
        | Case.objects.filter(delivery_due_at__gte=from_instant)
    )
    cases = (
        reaches.filter(status__in=(*OPEN_CASE_STATES, *DECIDED_STATES))
        .select_related("application__region", "application__bundle", "item_version")
        .prefetch_related("suspensions", "extensions")
        .order_by("pk")
    )
    uses: dict[int, bool] = {}  # region id → does it use this calendar (one lookup per region)
    applications: dict[int, Application] = {}
    for case in cases.iterator(chunk_size=2000):
        region = case.application.region
        if region.pk not in uses:
            uses[region.pk] = calendar_for_region(region=region).pk == calendar.pk
        if not uses[region.pk]:
            continue
        changed = False
        if case.status in OPEN_CASE_STATES:
            changed = _apply(case, case_deadlines(case, cal))
            if changed:
                _arm_warning(case)
        elif case.decided_at is not None:
            due, provisional = case_delivery_due(case, cal)
            if (due, provisional) != (case.delivery_due_at, case.deadline_provisional):
                Case.objects.filter(pk=case.pk).update(delivery_due_at=due, deadline_provisional=provisional)
                changed = True
                _arm_delivery(case.application)
        count += changed
        if case.application.bundle_id:
            applications.setdefault(case.application_id, case.application)
    for application in applications.values():
        count += _store_joint_deadlines(application)
    return count
