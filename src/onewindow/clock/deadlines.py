"""Every deadline outside the loaded years: one provisional rule for all apps (issue 17).

Each December the next year's State Council holiday notice may not be imported yet, but a
complaint filed on 28 December still needs its five-working-day limit. Rather than refuse (a
``CalendarRangeError``), the limit is counted on a *provisional* calendar: the loaded one
extended by years with weekends only. The result is flagged provisional, stored with its flag,
and recomputed by the ``clock.hooks`` handlers when the notice is imported — never presented as
final.

Pure module like ``workdays`` (standard library and ``workdays`` only, no Django): the apps pass
the ``WorkCalendar`` they got from ``clock.selectors.work_calendar``.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Sequence

from onewindow.clock.workdays import (
    CalendarRangeError,
    Duration,
    Pause,
    WorkCalendar,
    deadline,
    deadline_date,
)

# How far past the last loaded year a provisional deadline may run. The longest limit counted
# from December (a 60-working-day statutory limit plus extensions) stays inside one more year.
PROVISIONAL_YEARS = 2

_provisional: weakref.WeakKeyDictionary[WorkCalendar, WorkCalendar] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def provisional_calendar(cal: WorkCalendar, years: int = PROVISIONAL_YEARS) -> WorkCalendar:
    """``cal`` extended by ``years`` years with weekends only (no holidays, no 调休 make-up days).

    Built once per calendar object and kept as long as that calendar is (the recompute of a
    million deadlines after a notice is imported must not rebuild it per deadline)."""
    if years == PROVISIONAL_YEARS:
        with _lock:
            cached = _provisional.get(cal)
        if cached is not None:
            return cached
    extended = WorkCalendar(
        first_year=cal.first_year,
        last_year=cal.last_year + years,
        holidays=cal.holidays,
        makeup_workdays=cal.makeup_workdays,
        weekend=cal.weekend,
        sessions=cal.sessions,
        tz=cal.tz,
    )
    if years == PROVISIONAL_YEARS:
        with _lock:
            _provisional[cal] = extended
    return extended


def due(
    start: dt.datetime,
    limit: Duration | None,
    cal: WorkCalendar,
    *,
    pauses: Sequence[Pause] = (),
    extensions: Sequence[Duration] = (),
) -> tuple[dt.datetime | None, bool]:
    """The deadline instant of ``limit`` from ``start`` (``workdays.deadline``) and whether it is
    provisional: True when the count ran into a year whose holiday notice is not loaded, so only
    weekends were skipped there. ``(None, False)`` without a limit; ``(None, …)`` while a pause is
    open. Raises ``CalendarRangeError`` only beyond ``PROVISIONAL_YEARS`` past the loaded years."""
    if limit is None:
        return None, False
    try:
        return deadline(start, limit, cal, pauses=pauses, extensions=extensions), False
    except CalendarRangeError:
        extended = provisional_calendar(cal)
        return deadline(start, limit, extended, pauses=pauses, extensions=extensions), True


def due_date(
    start: dt.date | dt.datetime,
    limit: Duration | None,
    cal: WorkCalendar,
    *,
    pauses: Sequence[Pause] = (),
    extensions: Sequence[Duration] = (),
) -> tuple[dt.date | None, bool]:
    """The last day of ``limit`` from ``start`` (``workdays.deadline_date``; for a working-day
    limit the n-th working day after ``start``) and whether it is provisional, as in ``due``."""
    if limit is None:
        return None, False
    try:
        return deadline_date(start, limit, cal, pauses=pauses, extensions=extensions), False
    except CalendarRangeError:
        extended = provisional_calendar(cal)
        return deadline_date(start, limit, extended, pauses=pauses, extensions=extensions), True
