"""Comparing time limits of different units (pure Python, no Django).

A catalogue item may state its statutory limit in working days and promise hours or minutes
(seed 001: "营业执照 2 小时"). To compare them, and to compute the catalogue's compression figures,
time-of-day units are converted to working days at the length of a default working day: the hall's
default office sessions (``clock.workdays.DEFAULT_SESSIONS``, 09:00–12:00 and 13:30–17:30), i.e.
**1 working day = 7 working hours = 420 working minutes**. 即办 counts as 0 working days.

Natural days (自然日) cannot be converted to working days without knowing the start date, so they
are compared only with natural days, except where the answer is certain whatever the calendar is
(n working days always last at least n natural days).
"""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

from onewindow.clock.workdays import DEFAULT_SESSIONS, Duration, Unit


def _session_minutes() -> int:
    day = date(2000, 1, 3)
    total = sum(
        (datetime.combine(day, end) - datetime.combine(day, start)).total_seconds()
        for start, end in DEFAULT_SESSIONS
    )
    return int(total // 60)


WORKDAY_MINUTES = _session_minutes()  # 420 with the default sessions

# 行政许可法 第四十二条第二款: a permit handled by two or more departments together (统一办理、联合办理、
# 集中办理, 第二十六条) is handled within 45 (working) days, extendable by 15 with the approval of the
# 本级人民政府负责人. A bundle marked ``joint_handling`` promises no more than the 45 days.
JOINT_HANDLING_LIMIT = Duration(45, Unit.WORKDAY)
JOINT_HANDLING_EXTENSION = Duration(15, Unit.WORKDAY)


def in_working_days(limit: Duration) -> Fraction | None:
    """``limit`` in working days (hours and minutes at 420 minutes a day); None for natural days."""
    match limit.unit:
        case Unit.WORKDAY:
            return Fraction(limit.value)
        case Unit.INSTANT:
            return Fraction(0)
        case Unit.WORK_HOUR:
            return Fraction(limit.value * 60, WORKDAY_MINUTES)
        case Unit.WORK_MINUTE:
            return Fraction(limit.value, WORKDAY_MINUTES)
        case _:
            return None


def exceeds(first: Duration, second: Duration) -> bool | None:
    """Is ``first`` certainly longer than ``second``? None when it depends on the calendar."""
    a, b = in_working_days(first), in_working_days(second)
    if a is not None and b is not None:
        return a > b
    if first.unit is Unit.NATURAL_DAY and second.unit is Unit.NATURAL_DAY:
        return first.value > second.value
    if first.unit is Unit.NATURAL_DAY:  # N natural days never hold more than N working days
        return False if b is not None and first.value <= b else None
    # `first` counts working time, `second` natural days: n working days span >= n natural days.
    return True if a is not None and a > second.value else None


def limit_compression(legal: Duration | None, promised: Duration | None) -> Fraction | None:
    """(legal − promised) / legal in a common unit; None if either is missing, the legal limit is 0
    or the units cannot be compared (natural days against working time)."""
    if legal is None or promised is None:
        return None
    if legal.unit is Unit.NATURAL_DAY and promised.unit is Unit.NATURAL_DAY:
        legal_value, promised_value = Fraction(legal.value), Fraction(promised.value)
    else:
        legal_value, promised_value = in_working_days(legal), in_working_days(promised)  # type: ignore[assignment]
        if legal_value is None or promised_value is None:
            return None
    if legal_value <= 0:
        return None
    return (legal_value - promised_value) / legal_value
