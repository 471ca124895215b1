"""Working-day arithmetic: the one place where OneWindow counts time.

Pure module: standard library and numpy only, no Django (the ``clock`` app builds a
`WorkCalendar` from database rows and calls the functions below).

Counting convention (the only place it is written down):

* 行政许可法 第八十二条: the limits of the Administrative Licensing Law are counted in working days,
  statutory holidays excluded.  Working days are given by the yearly holiday notice of the State
  Council, *including* the make-up working days (调休: a Saturday or Sunday that is a working day).
  That is data, so a `WorkCalendar` is built from it and never guessed from ``weekday() < 5``.
* 民法典 第二百零一条: a period counted in days starts on the next day; the day of the event
  (acceptance) is not counted.  So ``add_working_days(start, n)`` is the n-th working day *after*
  ``start``, and ``count_working_days(start, end)`` counts the working days in ``(start, end]``.
  A limit of 0 days (and 即办, `Unit.INSTANT`) means "the same day": it ends with ``start``.
* 民法典 第二百零三条: when the last day of a period falls on a statutory holiday, the period ends on
  the day after the holiday; the period ends at 24:00 of its last day.  So a natural-day limit whose
  last day is a rest day moves to the next working day, and every day-unit deadline instant is the
  midnight at the end of its last day (exclusive: a case is overdue from that instant on).
* Working hours and minutes (承诺 "2小时办结") run only inside the hall's office sessions
  (default 09:00–12:00 and 13:30–17:30) on working days; the clock stops at lunch, at night and on
  rest days, and a start outside the sessions counts from the next session.
* 行政许可法 第四十五条: time spent on hearings, tendering, auction, testing, quarantine, appraisal and
  expert review is not counted (中止).  For day units the working days in ``(pause date, resume
  date]`` are given back: the pause day counts as used, the resume day does not (like the acceptance
  day, it is the day the clock restarts from).  For hour units the exact working time between pause
  and resume is given back.  A pause that starts after the deadline has passed changes nothing, and
  a pause that covers no working time (given as instants: overnight, over a weekend or a holiday)
  gives nothing back: the clock did not run while it lasted.
* 行政许可法 第四十二条: a limit may be extended (+10 working days with the leader's approval, 延期);
  an extension simply adds to the limit.
* The deadline warning (预警) falls when `WARNING_USED_SHARE` of the limit's *working* time has run:
  working minutes inside the sessions for hour units and for the counted working days, wall-clock
  time for natural days; never at night or on a holiday because the wall clock moved.

Every date must lie in the years whose holiday notice has been loaded; anything else raises
`CalendarRangeError` rather than silently treating that year as having no holidays.

Datetimes: naive datetimes are wall-clock time of the calendar's zone (Asia/Shanghai); aware
datetimes are converted to it and results converted back to the input's zone.
"""

from __future__ import annotations

import enum
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from fractions import Fraction
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

__all__ = [
    "DEFAULT_SESSIONS",
    "DEFAULT_WEEKEND",
    "SHANGHAI",
    "WARNING_USED_SHARE",
    "CalendarRangeError",
    "DayNote",
    "Duration",
    "InvalidCalendarError",
    "Pause",
    "Unit",
    "WarningLevel",
    "WarningPolicy",
    "WorkCalendar",
    "add_natural_days",
    "add_working_days",
    "add_working_time",
    "bulk_add_working_days",
    "compression",
    "count_working_days",
    "deadline",
    "deadline_date",
    "elapsed",
    "explain_working_days",
    "remaining",
    "used_share",
    "warning_level",
    "warning_moment",
    "working_minutes_between",
]

try:
    SHANGHAI: tzinfo = ZoneInfo("Asia/Shanghai")
except ZoneInfoNotFoundError:  # no tz database: China Standard Time has had no DST since 1991
    SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

DEFAULT_WEEKEND: frozenset[int] = frozenset({5, 6})  # date.weekday(): Saturday, Sunday
DEFAULT_SESSIONS: tuple[tuple[time, time], ...] = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30)))

# 预警: a running case is warned when four fifths of its limit's working time have been used (the
# supervisors' rule); `WarningPolicy` and `warning_moment` both read it from here.
WARNING_USED_SHARE = Fraction(4, 5)

_US_PER_MINUTE = 60_000_000
_US_PER_DAY = 86_400_000_000
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # datetime64[D] counts days from here
_WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


class CalendarRangeError(ValueError):
    """A date lies in a year whose holiday notice has not been loaded into the calendar."""

    def __init__(self, year: int, first_year: int, last_year: int, detail: str = "") -> None:
        self.year = year
        self.first_year = first_year
        self.last_year = last_year
        message = (
            f"{year}年的节假日安排尚未导入，无法计算期限"
            f"（已导入{first_year}–{last_year}年；请先由管理员录入{year}年的放假和调休安排）"
        )
        if detail:
            message = f"{message}：{detail}"
        super().__init__(message)


class InvalidCalendarError(ValueError):
    """The data given to `WorkCalendar` is inconsistent (e.g. a make-up working day on a Tuesday)."""


class Unit(enum.StrEnum):
    """Unit of a time limit (办理时限单位)."""

    WORKDAY = "workday"
    NATURAL_DAY = "natural"
    WORK_HOUR = "hour"
    WORK_MINUTE = "minute"
    INSTANT = "instant"

    @property
    def is_day_unit(self) -> bool:
        return self in (Unit.WORKDAY, Unit.NATURAL_DAY, Unit.INSTANT)

    @property
    def is_time_unit(self) -> bool:
        return self in (Unit.WORK_HOUR, Unit.WORK_MINUTE)


def _check_length(value: object, what: str = "期限长度") -> int:
    """Return `value` as an int; raise ValueError for negative, boolean or non-integer values."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{what}必须是非负整数，收到 {value!r}")
    value = int(value)
    if value < 0:
        raise ValueError(f"{what}不能为负数，收到 {value}")
    return value


@dataclass(frozen=True)
class Duration:
    """A time limit such as 5 working days or 2 working hours (法定时限 / 承诺时限)."""

    value: int
    unit: Unit

    def __post_init__(self) -> None:
        try:
            unit = Unit(self.unit)
        except ValueError:
            raise ValueError(f"未知的时限单位 {self.unit!r}") from None
        value = _check_length(self.value, "时限")
        if unit is Unit.INSTANT and value != 0:
            raise ValueError(f"即办件的时限必须为0，收到 {value}")
        object.__setattr__(self, "unit", unit)
        object.__setattr__(self, "value", value)

    @classmethod
    def instant(cls) -> Duration:
        return cls(0, Unit.INSTANT)

    def __str__(self) -> str:
        match self.unit:
            case Unit.WORKDAY:
                return f"{self.value}个工作日"
            case Unit.NATURAL_DAY:
                return f"{self.value}个自然日"
            case Unit.WORK_HOUR:
                return f"{self.value}个工作小时"
            case Unit.WORK_MINUTE:
                return f"{self.value}分钟"
            case _:
                return "即办"

    @property
    def base_value(self) -> int:
        """The length in the unit the clock counts in: days for day units, working minutes otherwise."""
        return self.value * 60 if self.unit is Unit.WORK_HOUR else self.value


def _family(unit: Unit) -> str:
    # 即办 is a limit of 0 working days; hours and minutes are the same working-time clock.
    if unit in (Unit.WORKDAY, Unit.INSTANT):
        return "workday"
    if unit is Unit.NATURAL_DAY:
        return "natural"
    return "time"


def _total_limit(limit: Duration, extensions: Iterable[Duration]) -> int:
    """Limit plus extensions (行政许可法 第四十二条) in base units; extensions must count the same way."""
    total = limit.base_value
    for extension in extensions:
        if not isinstance(extension, Duration):
            raise ValueError(f"延期必须是 Duration，收到 {extension!r}")
        if _family(extension.unit) != _family(limit.unit):
            raise ValueError(f"延期单位（{extension}）与时限单位（{limit}）不一致")
        total += extension.base_value
    return total


@dataclass(frozen=True, eq=False, kw_only=True)
class WorkCalendar:
    """Which days are working days, and when the hall is open, for a range of loaded years.

    Built from data: the yearly holiday notice (holidays and 调休 make-up working days), optional
    regional extra holidays merged into ``holidays`` (民族自治地方), weekend days and office sessions.
    Construction precomputes a sorted array of all working days and a cumulative count per day, so
    every query is a lookup or a binary search, never a loop over days.

    Raises InvalidCalendarError if the data is inconsistent.
    """

    first_year: int
    last_year: int
    holidays: Mapping[date, str] | Iterable[date] = field(default_factory=dict)
    makeup_workdays: Mapping[date, str] | Iterable[date] = field(default_factory=dict)
    weekend: frozenset[int] | Iterable[int] = DEFAULT_WEEKEND
    sessions: tuple[tuple[time, time], ...] = DEFAULT_SESSIONS
    tz: tzinfo = SHANGHAI

    _first_ordinal: int = field(init=False, repr=False)
    _cum: list[int] = field(init=False, repr=False)
    _days: list[int] = field(init=False, repr=False)
    _session_us: tuple[tuple[int, int], ...] = field(init=False, repr=False)
    _day_us: int = field(init=False, repr=False)
    _np_days: npt.NDArray[np.datetime64] = field(init=False, repr=False)
    _np_base: npt.NDArray[np.int64] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name in ("first_year", "last_year"):
            year = getattr(self, name)
            if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9998:
                raise InvalidCalendarError(f"{name} 必须是 1–9998 之间的年份，收到 {year!r}")
        if self.first_year > self.last_year:
            raise InvalidCalendarError(f"起始年份 {self.first_year} 晚于结束年份 {self.last_year}")
        weekend = frozenset(self.weekend)
        if not weekend <= set(range(7)):
            raise InvalidCalendarError(f"休息日必须用 0（周一）到 6（周日）表示，收到 {sorted(weekend)}")
        if len(weekend) == 7:
            raise InvalidCalendarError("一周七天不能都是休息日")
        holidays = self._named_days(self.holidays, "节假日")
        makeups = self._named_days(self.makeup_workdays, "调休上班日")
        both = sorted(set(holidays) & set(makeups))
        if both:
            raise InvalidCalendarError(f"{both[0].isoformat()} 不能既是节假日又是调休上班日")
        for day in sorted(makeups):
            if day.weekday() not in weekend:
                raise InvalidCalendarError(
                    f"调休上班日 {day.isoformat()} 是{_WEEKDAY_NAMES[day.weekday()]}，不是休息日；"
                    "调休上班日只能是周末（休息日）"
                )
        session_us = self._check_sessions(self.sessions)

        first = date(self.first_year, 1, 1)
        n_days = date(self.last_year, 12, 31).toordinal() - first.toordinal() + 1
        ordinals = np.arange(first.toordinal(), first.toordinal() + n_days, dtype=np.int64)
        # date(1, 1, 1) is ordinal 1 and a Monday.
        working = ~np.isin((ordinals - 1) % 7, sorted(weekend))
        if holidays:
            working[np.array([d.toordinal() for d in holidays], dtype=np.int64) - first.toordinal()] = False
        if makeups:
            working[np.array([d.toordinal() for d in makeups], dtype=np.int64) - first.toordinal()] = True
        working_ordinals = ordinals[working]
        cum = np.zeros(n_days + 1, dtype=np.int64)  # cum[i]: working days among the first i days
        np.cumsum(working, out=cum[1:])

        set_(self, "holidays", holidays)
        set_(self, "makeup_workdays", makeups)
        set_(self, "weekend", weekend)
        set_(self, "sessions", tuple((s, e) for s, e in self.sessions))
        set_(self, "_first_ordinal", first.toordinal())
        set_(self, "_cum", cum.tolist())
        set_(self, "_days", working_ordinals.tolist())
        set_(self, "_session_us", session_us)
        set_(self, "_day_us", sum(e - s for s, e in session_us))
        set_(self, "_np_days", (working_ordinals - _EPOCH_ORDINAL).astype("datetime64[D]"))
        # base[i] = index in _np_days of the last working day on or before day i (may be -1).
        set_(self, "_np_base", cum[1:] - 1)

    def _named_days(self, days: Mapping[date, str] | Iterable[date], what: str) -> dict[date, str]:
        items = days.items() if isinstance(days, Mapping) else ((d, "") for d in days)
        named: dict[date, str] = {}
        for day, name in items:
            if isinstance(day, datetime) or not isinstance(day, date):
                raise InvalidCalendarError(f"{what}必须是日期（date），收到 {day!r}")
            if not self.first_year <= day.year <= self.last_year:
                raise InvalidCalendarError(
                    f"{what} {day.isoformat()} 不在日历覆盖的年份（{self.first_year}–{self.last_year}）内"
                )
            named[day] = str(name or "")
        return named

    @staticmethod
    def _check_sessions(sessions: Sequence[tuple[time, time]]) -> tuple[tuple[int, int], ...]:
        if not sessions:
            raise InvalidCalendarError("办公时段不能为空")
        result: list[tuple[int, int]] = []
        for session in sessions:
            try:
                start, end = session
            except (TypeError, ValueError):
                raise InvalidCalendarError(
                    f"办公时段必须是（开始时间, 结束时间），收到 {session!r}"
                ) from None
            if not (isinstance(start, time) and isinstance(end, time)) or start.tzinfo or end.tzinfo:
                raise InvalidCalendarError(f"办公时段必须是不带时区的 time，收到 {session!r}")
            if start >= end:
                raise InvalidCalendarError(f"办公时段 {start:%H:%M}–{end:%H:%M} 的开始时间不早于结束时间")
            start_us, end_us = _time_us(start), _time_us(end)
            if result and start_us < result[-1][1]:
                raise InvalidCalendarError(f"办公时段 {start:%H:%M}–{end:%H:%M} 与前一时段重叠或顺序颠倒")
            result.append((start_us, end_us))
        return tuple(result)

    # ---- day queries -----------------------------------------------------------------------

    @property
    def first_day(self) -> date:
        return date(self.first_year, 1, 1)

    @property
    def last_day(self) -> date:
        return date(self.last_year, 12, 31)

    @property
    def working_minutes_per_day(self) -> int:
        return self._day_us // _US_PER_MINUTE

    def covers(self, day: date) -> bool:
        return self.first_year <= day.year <= self.last_year

    def _offset(self, day: date) -> int:
        """Index of `day` in the covered range; raises CalendarRangeError outside it."""
        if not self.first_year <= day.year <= self.last_year:
            raise CalendarRangeError(day.year, self.first_year, self.last_year, f"日期 {day.isoformat()}")
        return day.toordinal() - self._first_ordinal

    def _count_upto(self, day: date) -> int:
        """Working days in the covered range on or before `day`."""
        return self._cum[self._offset(day) + 1]

    def _nth_working_day(self, index: int, *, detail: str) -> date:
        """The working day with 0-based `index` in the covered range."""
        if index >= len(self._days):
            year = self.last_year + 1
            raise CalendarRangeError(year, self.first_year, self.last_year, detail)
        return date.fromordinal(self._days[index])

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is a working day (including 调休 make-up days). Raises CalendarRangeError."""
        offset = self._offset(_as_date(day, self))
        return self._cum[offset + 1] != self._cum[offset]

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name ("" if unnamed) if `day` is a statutory holiday, else None."""
        return self.holidays.get(day)  # type: ignore[union-attr]

    def makeup_name(self, day: date) -> str | None:
        """The holiday a make-up working day belongs to ("" if unnamed), else None."""
        return self.makeup_workdays.get(day)  # type: ignore[union-attr]

    def next_working_day(self, day: date, *, inclusive: bool = False) -> date:
        """The first working day after `day` (or `day` itself if `inclusive` and it is one)."""
        day = _as_date(day, self)
        offset = self._offset(day)
        index = self._cum[offset] if inclusive else self._cum[offset + 1]
        return self._nth_working_day(index, detail=f"{day.isoformat()} 之后没有已导入的工作日")

    # ---- working-time positions ------------------------------------------------------------

    def _to_local(self, moment: datetime) -> datetime:
        if not isinstance(moment, datetime):
            raise TypeError(f"需要 datetime（含时刻），收到 {moment!r}")
        if moment.tzinfo is None:
            return moment
        return moment.astimezone(self.tz).replace(tzinfo=None)

    def _from_local(self, local: datetime, like: datetime) -> datetime:
        if like.tzinfo is None:
            return local
        return local.replace(tzinfo=self.tz).astimezone(like.tzinfo)

    def _worked_in_day(self, us_of_day: int) -> int:
        worked = 0
        for start, end in self._session_us:
            if us_of_day <= start:
                break
            worked += min(us_of_day, end) - start
        return worked

    def _position(self, local: datetime) -> int:
        """Working microseconds from the start of the covered range to the naive local `local`."""
        offset = self._offset(local.date())
        before = self._cum[offset]
        position = before * self._day_us
        if self._cum[offset + 1] != before:
            position += self._worked_in_day(_time_us(local.time()))
        return position

    def _at_position(self, position: int, *, detail: str) -> datetime:
        """The earliest naive local instant whose working-time position is `position` (> 0)."""
        index, rest = divmod(position, self._day_us)
        if rest == 0:  # the end of the previous working day, not the start of the next
            index, rest = index - 1, self._day_us
        day = self._nth_working_day(index, detail=detail)
        for start, end in self._session_us:
            if rest <= end - start:
                return datetime.combine(day, time()) + timedelta(microseconds=start + rest)
            rest -= end - start
        raise AssertionError("unreachable: rest is at most the working time of one day")


def _time_us(moment: time) -> int:
    return ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000 + moment.microsecond


def _as_date(day: date, cal: WorkCalendar) -> date:
    """A plain local date; an aware datetime is first converted to the calendar's zone."""
    if isinstance(day, datetime):
        return cal._to_local(day).date()
    if not isinstance(day, date):
        raise TypeError(f"需要日期（date），收到 {day!r}")
    return day


# ---- working days ------------------------------------------------------------------------------


def add_working_days(start: date, n: int, cal: WorkCalendar) -> date:
    """The n-th working day after `start`. Limits count working days, not holidays (行政许可法 第八十二条);
    the start day itself is not counted (民法典 第二百零一条). ``n == 0`` returns `start` (same day).

    Raises ValueError for a negative or non-integer `n`, CalendarRangeError if `start` or the
    result lies outside the loaded years.
    """
    n = _check_length(n, "工作日数")
    start = _as_date(start, cal)
    upto = cal._count_upto(start)
    if n == 0:
        return start
    return cal._nth_working_day(upto + n - 1, detail=f"{start.isoformat()} 起算{n}个工作日")


def count_working_days(start: date, end: date, cal: WorkCalendar) -> int:
    """Number of working days in ``(start, end]`` (民法典 第二百零一条: the start day is not counted).

    Negative if `end` is before `start`. Raises CalendarRangeError outside the loaded years.
    """
    return cal._count_upto(_as_date(end, cal)) - cal._count_upto(_as_date(start, cal))


def add_natural_days(start: date, n: int, cal: WorkCalendar) -> date:
    """The last day of a period of `n` natural days starting after `start` (民法典 第二百零一条).

    民法典 第二百零三条: if that day is a statutory holiday or rest day, the period ends on the first
    working day after it. ``n == 0`` returns `start`. Raises ValueError / CalendarRangeError.
    """
    n = _check_length(n, "自然日数")
    start = _as_date(start, cal)
    cal._offset(start)
    if n == 0:
        return start
    end = start + timedelta(days=n)
    if not cal.covers(end):
        raise CalendarRangeError(end.year, cal.first_year, cal.last_year, f"{start.isoformat()} 起算{n}日")
    return cal.next_working_day(end, inclusive=True)


def bulk_add_working_days(
    starts: npt.ArrayLike, ns: npt.ArrayLike, cal: WorkCalendar
) -> npt.NDArray[np.datetime64]:
    """Vectorised `add_working_days`: ``datetime64[D]`` starts and integer lengths (broadcast).

    Raises ValueError for negative or non-integer lengths and CalendarRangeError (with how many
    and the first offending input) if a start or a result lies outside the loaded years.
    """
    start_days = np.asarray(starts, dtype="datetime64[D]")
    lengths = np.asarray(ns)
    if lengths.dtype.kind not in "iu":
        raise ValueError(f"工作日数必须是整数数组，收到 dtype={lengths.dtype}")
    if lengths.size and lengths.min() < 0:
        first = lengths.flat[int(np.argmax(lengths.ravel() < 0))]
        raise ValueError(f"工作日数不能为负数：共{int((lengths < 0).sum())}个，第一个为 {int(first)}")
    start_days, lengths = np.broadcast_arrays(start_days, lengths)
    offsets = start_days.view(np.int64) - (cal._first_ordinal - _EPOCH_ORDINAL)
    n_days = len(cal._np_base)
    if offsets.size and (offsets.min() < 0 or offsets.max() >= n_days):
        bad = (offsets < 0) | (offsets >= n_days)
        first = int(np.argmax(bad.ravel()))
        start = start_days.flat[first]
        year = int(str(start)[:4]) if not np.isnat(start) else cal.last_year + 1
        raise CalendarRangeError(
            year, cal.first_year, cal.last_year, f"共{int(bad.sum())}个起始日超出范围，第一个为 {start}"
        )
    indices = cal._np_base[offsets] + lengths
    n_working = len(cal._np_days)
    if indices.size and indices.max() >= n_working:
        bad = indices >= n_working
        first = int(np.argmax(bad.ravel()))
        raise CalendarRangeError(
            cal.last_year + 1,
            cal.first_year,
            cal.last_year,
            f"共{int(bad.sum())}个期限超出范围，"
            f"第一个为 {start_days.flat[first]} 起算{int(lengths.flat[first])}个工作日",
        )
    result = cal._np_days.take(indices, mode="clip")  # index -1 only where n == 0, replaced below
    zero = lengths == 0
    if zero.any():
        result = np.where(zero, start_days, result)
    return result


class DayNote(NamedTuple):
    """One day of an explained count: whether it counted, and why (for ``deadline --explain``)."""

    day: date
    counted: bool
    reason: str


def explain_working_days(start: date, n: int, cal: WorkCalendar) -> list[DayNote]:
    """Every day in ``(start, add_working_days(start, n)]`` with the reason it counts or not.

    Skipped days name the weekend day or the holiday; make-up working days (调休) name their holiday.
    Loops over the days on purpose: it is a report for people, bounded by the limit.
    """
    due = add_working_days(start, n, cal)
    start = _as_date(start, cal)
    notes: list[DayNote] = []
    counted = 0
    day = start + timedelta(days=1)
    while day <= due:
        weekday = _WEEKDAY_NAMES[day.weekday()]
        if cal.is_working_day(day):
            counted += 1
            makeup = cal.makeup_name(day)
            if makeup is not None:
                label = f"{makeup}调休" if makeup else "调休"
                reason = f"第{counted}个工作日（{weekday}，{label}上班）"
            else:
                reason = f"第{counted}个工作日（{weekday}）"
            notes.append(DayNote(day, True, reason))
        else:
            holiday = cal.holiday_name(day)
            if holiday is not None:
                reason = f"不计：{holiday or '法定节假日'}放假（{weekday}）"
            else:
                reason = f"不计：{weekday}休息日"
            notes.append(DayNote(day, False, reason))
        day += timedelta(days=1)
    return notes


# ---- working hours -----------------------------------------------------------------------------


def _add_working_us(local: datetime, amount_us: int, cal: WorkCalendar, *, detail: str) -> datetime:
    if amount_us == 0:
        return local
    return cal._at_position(cal._position(local) + amount_us, detail=detail)


def add_working_time(start: datetime, minutes: int, cal: WorkCalendar) -> datetime:
    """The instant at which `minutes` of working time after `start` have run out.

    Working time runs only inside the office sessions of working days (行政许可法 第八十二条 applied to
    hour limits); a start outside the sessions counts from the next session, and a limit that runs
    out exactly at the end of a session ends there (17:30, not 09:00 the next day). Whole working
    days are jumped through the index. ``minutes == 0`` returns `start`.

    Naive datetimes are local wall-clock time; aware ones are returned in their own zone.
    Raises ValueError for negative or non-integer minutes and CalendarRangeError.
    """
    minutes = _check_length(minutes, "工作分钟数")
    local = cal._to_local(start)
    end = _add_working_us(
        local, minutes * _US_PER_MINUTE, cal, detail=f"{local:%Y-%m-%d %H:%M} 起算{minutes}分钟"
    )
    return cal._from_local(end, start)


def working_minutes_between(start: datetime, end: datetime, cal: WorkCalendar) -> Fraction:
    """Working minutes inside office sessions from `start` to `end` (negative if reversed)."""
    span = cal._position(cal._to_local(end)) - cal._position(cal._to_local(start))
    return Fraction(span, _US_PER_MINUTE)


# ---- deadlines with suspension and extension ---------------------------------------------------

Pause = tuple[date | datetime, date | datetime | None]
"""A suspension (中止): from its start to its resumption; ``None`` while still suspended."""


class _Clock:
    """How one family of units measures the time between two points and moves forward by an amount.

    Points are dates for day units and naive local datetimes for time units.
    """

    def __init__(self, unit: Unit, cal: WorkCalendar) -> None:
        self.unit = unit
        self.cal = cal
        self.family = _family(unit)

    def point(self, moment: date | datetime) -> Any:
        if self.family == "time":
            if not isinstance(moment, datetime):
                raise TypeError(f"工作小时时限需要具体时刻（datetime），收到 {moment!r}")
            local = self.cal._to_local(moment)
            self.cal._offset(local.date())
            return local
        day = _as_date(moment, self.cal)
        self.cal._offset(day)
        return day

    def measure(self, a: Any, b: Any) -> int:
        """Time counted from `a` to `b` in base units (working days, days or microseconds)."""
        if self.family == "workday":
            return count_working_days(a, b, self.cal)
        if self.family == "natural":
            return (b - a).days
        return self.cal._position(b) - self.cal._position(a)

    def advance(self, a: Any, amount: int) -> Any:
        if self.family == "workday":
            return add_working_days(a, amount, self.cal)
        if self.family == "natural":
            return add_natural_days(a, amount, self.cal)
        return _add_working_us(a, amount, self.cal, detail=f"{a:%Y-%m-%d %H:%M} 起算")

    def amount(self, total: int) -> int:
        return total * _US_PER_MINUTE if self.family == "time" else total

    def _no_working_time(self, begin: datetime, end: datetime) -> bool:
        local_begin, local_end = self.cal._to_local(begin), self.cal._to_local(end)
        return local_begin <= local_end and self.cal._position(local_begin) == self.cal._position(local_end)

    def windows(self, pauses: Iterable[Pause]) -> list[tuple[Any, Any | None]]:
        """Pauses as sorted, merged (start, end) points; an open pause swallows everything after it."""
        windows = []
        for pause in pauses:
            try:
                begin, end = pause
            except (TypeError, ValueError):
                raise ValueError(f"中止区间必须是（开始, 恢复或 None），收到 {pause!r}") from None
            if (
                isinstance(begin, datetime)
                and isinstance(end, datetime)
                and self.cal._to_local(begin) <= self.cal._to_local(end)
                and self.cal._position(self.cal._to_local(begin))
                == self.cal._position(self.cal._to_local(end))
            ):
                continue  # covers no working time (overnight, a weekend): the clock did not run
            begin = self.point(begin)
            end = None if end is None else self.point(end)
            if end is not None and end < begin:
                raise ValueError(f"中止的恢复时间 {end} 早于开始时间 {begin}")
            windows.append((begin, end))
        windows.sort(key=lambda w: w[0])
        merged: list[tuple[Any, Any | None]] = []
        for begin, end in windows:
            if merged and (merged[-1][1] is None or begin <= merged[-1][1]):
                last_begin, last_end = merged[-1]
                merged[-1] = (last_begin, None if last_end is None or end is None else max(last_end, end))
            else:
                merged.append((begin, end))
        return merged


def _end_point(
    accepted_at: date | datetime,
    limit: Duration,
    cal: WorkCalendar,
    pauses: Iterable[Pause],
    extensions: Iterable[Duration],
) -> date | datetime | None:
    """The last day (day units) or the end instant (time units, naive local), or None while suspended.

    行政许可法 第四十五条: time inside pauses is not counted; the clock resumes with what was left.
    A pause that starts once the limit has run out does not revive it.
    """
    clock = _Clock(limit.unit, cal)
    return _counted_end(clock, accepted_at, clock.amount(_total_limit(limit, extensions)), pauses)


def _counted_end(
    clock: _Clock, accepted_at: date | datetime, left: int, pauses: Iterable[Pause]
) -> date | datetime | None:
    """Where `left` base units of counted time run out after `accepted_at`, pauses not counted."""
    anchor = clock.point(accepted_at)
    for begin, end in clock.windows(pauses):
        begin = max(begin, anchor)
        used = clock.measure(anchor, begin)
        if used >= left:
            break
        if end is None:
            return None
        left -= used
        anchor = max(anchor, end)
    return clock.advance(anchor, left)


def deadline_date(
    accepted_at: date | datetime,
    limit: Duration,
    cal: WorkCalendar,
    *,
    pauses: Sequence[Pause] = (),
    extensions: Sequence[Duration] = (),
) -> date | None:
    """The last day of the limit (local date), or None while a pause is still open.

    Day units: the last day counted as in the module docstring (即办: the acceptance day). Time units:
    the local date of `deadline`. Raises ValueError and CalendarRangeError as the functions it uses.
    """
    end = _end_point(accepted_at, limit, cal, pauses, extensions)
    if end is None or not isinstance(end, datetime):
        return end
    return end.date()


def deadline(
    accepted_at: datetime,
    limit: Duration,
    cal: WorkCalendar,
    *,
    pauses: Sequence[Pause] = (),
    extensions: Sequence[Duration] = (),
) -> datetime | None:
    """The instant from which the case is overdue, or None while a pause is still open (中止).

    Day units end at 24:00 of the last day (民法典 第二百零三条), returned as the next midnight, so a
    case is overdue when ``now >= deadline``; 即办 ends at the end of the acceptance day. Time units
    end when the working time runs out (`add_working_time`). Pauses are (start, end) pairs
    (行政许可法 第四十五条), extensions are Durations of the same kind of unit (第四十二条).
    The result is in `accepted_at`'s zone (naive local if it is naive).
    """
    if not isinstance(accepted_at, datetime):
        raise TypeError(f"受理时间需要 datetime，收到 {accepted_at!r}")
    end = _end_point(accepted_at, limit, cal, pauses, extensions)
    if end is None:
        return None
    if not isinstance(end, datetime):
        end = datetime.combine(end + timedelta(days=1), time())
    return cal._from_local(end, accepted_at)


def elapsed(
    start: date | datetime,
    end: date | datetime,
    unit: Unit,
    cal: WorkCalendar,
    *,
    pauses: Sequence[Pause] = (),
) -> Fraction:
    """Time counted between `start` and `end`, pauses excluded, in the unit's base unit.

    Working days (whole days in ``(start, end]``; also for 即办) for WORKDAY, natural days for
    NATURAL_DAY, working minutes for WORK_HOUR and WORK_MINUTE. An open pause runs until `end`.
    Raises ValueError if `end` is before `start`.
    """
    clock = _Clock(Unit(unit), cal)
    a, b = clock.point(start), clock.point(end)
    if b < a:
        raise ValueError(f"结束时间 {end} 早于开始时间 {start}")
    counted = clock.measure(a, b)
    for begin, resume in clock.windows(pauses):
        begin, resume = max(begin, a), b if resume is None else min(resume, b)
        if resume > begin:
            counted -= clock.measure(begin, resume)
    if clock.family == "time":
        return Fraction(counted, _US_PER_MINUTE)
    return Fraction(counted)


def remaining(
    now: datetime,
    accepted_at: datetime,
    limit: Duration,
    cal: WorkCalendar,
    *,
    pauses: Sequence[Pause] = (),
    extensions: Sequence[Duration] = (),
) -> Fraction:
    """Time left at `now` in base units (days or working minutes); negative once overdue.

    For day units the current day counts as still available: on the last day 0 days remain.
    """
    total = _total_limit(limit, extensions)
    if cal._to_local(now) < cal._to_local(accepted_at):
        return Fraction(total)
    return total - elapsed(accepted_at, now, limit.unit, cal, pauses=pauses)


def used_share(
    start: datetime,
    end: datetime,
    limit: Duration,
    cal: WorkCalendar,
    *,
    pauses: Sequence[Pause] = (),
    extensions: Sequence[Duration] = (),
) -> Fraction | None:
    """Share of the limit (plus extensions) used from `start` to `end`; None for a zero limit (即办)."""
    total = _total_limit(limit, extensions)
    if total == 0:
        return None
    return elapsed(start, end, limit.unit, cal, pauses=pauses) / total


def compression(actual: Duration | Fraction | int, limit: Duration | Fraction | int) -> Fraction:
    """Time-limit compression 1 − actual/limit (压缩比), e.g. 3 WD against a 65 WD legal limit → 0.954.

    Durations must count the same way (即办 counts as 0 working days). Raises ValueError for a zero limit.
    """
    both_durations = isinstance(actual, Duration) and isinstance(limit, Duration)
    if both_durations and _family(actual.unit) != _family(limit.unit):  # type: ignore[union-attr]
        raise ValueError(f"无法比较{actual}与{limit}：单位不一致")
    actual_value = actual.base_value if isinstance(actual, Duration) else Fraction(actual)
    limit_value = limit.base_value if isinstance(limit, Duration) else Fraction(limit)
    if limit_value <= 0:
        raise ValueError("时限为0（即办）时无法计算压缩比")
    return 1 - Fraction(actual_value) / limit_value


def warning_moment(
    accepted_at: datetime,
    limit: Duration,
    cal: WorkCalendar,
    *,
    pauses: Sequence[Pause] = (),
    extensions: Sequence[Duration] = (),
    share: Fraction = WARNING_USED_SHARE,
) -> datetime | None:
    """The instant at which `share` of the limit's working time has been used (预警), or None for a
    zero limit (即办) and while a pause is still open.

    Hour and minute limits count working minutes inside the sessions. A working-day limit counts the
    sessions of its counted days: 4/5 of 5 working days is the end of the fourth day's last session;
    4/5 of 1 working day is 16:06 of that day with the default sessions. Natural days count wall-clock
    time from the midnight after acceptance. So a two-hour case accepted at 17:59 before a holiday is
    warned 96 working minutes into the first working day after it, not in the middle of the holiday.
    The result is in `accepted_at`'s zone.
    """
    if not isinstance(accepted_at, datetime):
        raise TypeError(f"受理时间需要 datetime，收到 {accepted_at!r}")
    share = Fraction(share)
    if not 0 <= share <= 1:
        raise ValueError(f"预警比例必须在0到1之间，收到 {share}")
    total = _total_limit(limit, extensions)
    if total == 0:
        return None
    clock = _Clock(limit.unit, cal)
    used = share * total
    if clock.family == "time":
        end = _counted_end(clock, accepted_at, int(used * _US_PER_MINUTE), pauses)
        return None if end is None else cal._from_local(end, accepted_at)
    whole = int(used)  # whole counted days, then the rest of a day into the next one
    last_whole_day = _counted_end(clock, accepted_at, whole, pauses)
    if last_whole_day is None:
        return None
    midnight = datetime.combine(last_whole_day + timedelta(days=1), time())
    part = used - whole
    if clock.family == "natural":
        local = midnight + timedelta(microseconds=int(part * _US_PER_DAY))
    elif part == 0:
        local = cal._at_position(cal._position(midnight), detail="预警")
    else:
        local = cal._at_position(
            cal._position(midnight) + int(part * cal._day_us), detail=f"{accepted_at:%Y-%m-%d} 起算预警"
        )
    return cal._from_local(local, accepted_at)


class WarningLevel(enum.StrEnum):
    """Traffic light for a running case (预警)."""

    NORMAL = "normal"
    WARNING = "warning"
    OVERDUE = "overdue"


@dataclass(frozen=True, kw_only=True)
class WarningPolicy:
    """When a running case turns yellow: remaining ≤ `days` (day units only) or ≤ `share` of the limit."""

    days: int = 1
    share: Fraction = 1 - WARNING_USED_SHARE

    def __post_init__(self) -> None:
        _check_length(self.days, "预警天数")
        share = Fraction(self.share)
        if not 0 <= share <= 1:
            raise ValueError(f"预警比例必须在0到1之间，收到 {self.share}")
        object.__setattr__(self, "share", share)


def warning_level(
    now: datetime,
    accepted_at: datetime,
    limit: Duration,
    cal: WorkCalendar,
    *,
    pauses: Sequence[Pause] = (),
    extensions: Sequence[Duration] = (),
    policy: WarningPolicy = WarningPolicy(),  # frozen, so a shared default is safe
) -> WarningLevel:
    """OVERDUE from the deadline on; WARNING when the policy's threshold is reached; else NORMAL.

    While a pause is open the clock is stopped, so the level stays what it was when the pause began.
    For a 即办 (zero) limit only the day threshold applies, so an open 即办 case is a WARNING.
    """
    end = deadline(accepted_at, limit, cal, pauses=pauses, extensions=extensions)
    if end is not None and cal._to_local(now) >= cal._to_local(end):
        return WarningLevel.OVERDUE
    total = _total_limit(limit, extensions)
    left = remaining(now, accepted_at, limit, cal, pauses=pauses, extensions=extensions)
    if _family(limit.unit) != "time" and left <= policy.days:
        return WarningLevel.WARNING
    if total > 0 and left / total <= policy.share:
        return WarningLevel.WARNING
    return WarningLevel.NORMAL
