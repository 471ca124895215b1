"""Reporting periods and scopes (pure Python: no Django imports).

A period is a range of local calendar days, both ends included; figures count what happened on
those days (an application on the day it was received, a case on the day it was accepted or
decided). Periods are the day, the month and the year of the dashboards, or any custom range.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass

MAX_PERIOD_DAYS = 3 * 366 + 1  # a custom range of at most three years
# The days a period may cover: the figures turn days into instants (local midnight, the day
# after), which overflows at the ends of Python's calendar (year 1 at UTC+8 is year 0 in UTC).
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


class PeriodError(ValueError):
    """A period that cannot be used, with a message for the user (Chinese)."""


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    kind: str = "custom"  # day | month | year | custom

    def __post_init__(self) -> None:
        if self.start < FIRST_DAY or self.end > LAST_DAY:
            raise PeriodError(f"统计期间须在 {FIRST_DAY.year} 年至 {LAST_DAY.year} 年之间")
        if self.end < self.start:
            raise PeriodError(f"统计期间的截止日 {self.end} 早于起始日 {self.start}")
        if (self.end - self.start).days + 1 > MAX_PERIOD_DAYS:
            raise PeriodError("自定义统计期间最长三年，请缩短期间")

    @classmethod
    def day(cls, day: dt.date) -> Period:
        return cls(day, day, "day")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        if not 1 <= month <= 12:
            raise PeriodError(f"月份应为1至12，收到 {month}")
        last = _calendar.monthrange(year, month)[1]
        return cls(dt.date(year, month, 1), dt.date(year, month, last), "month")

    @classmethod
    def year(cls, year: int) -> Period:
        if not 1900 <= year <= 2999:
            raise PeriodError(f"年份 {year} 不在可统计的范围内")
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.kind == "day":
            return f"{self.start.year}年{self.start.month}月{self.start.day}日"
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "year":
            return f"{self.start.year}年"
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"

    def buckets(self) -> list[tuple[dt.date, dt.date]]:
        """The trend chart's buckets: days for a period up to two months, months up to three
        years (each clipped to the period)."""
        if self.days <= 62:
            return [(d, d) for d in (self.start + dt.timedelta(days=i) for i in range(self.days))]
        out: list[tuple[dt.date, dt.date]] = []
        first = self.start
        while first <= self.end:
            last = dt.date(first.year, first.month, _calendar.monthrange(first.year, first.month)[1])
            out.append((first, min(last, self.end)))
            first = last + dt.timedelta(days=1)
        return out

    def previous(self) -> Period:
        """The same kind of period just before this one (for comparisons)."""
        if self.kind == "year":
            return Period.year(self.start.year - 1)
        if self.kind == "month":
            prev = self.start - dt.timedelta(days=1)
            return Period.month(prev.year, prev.month)
        length = dt.timedelta(days=self.days)
        return Period(self.start - length, self.end - length, self.kind)


def parse_period(
    kind: str | None,
    *,
    today: dt.date,
    day: str | None = None,
    month: str | None = None,
    year: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> Period:
    """A period from request parameters: ``kind`` = day (``day`` = YYYY-MM-DD, default today),
    month (``month`` = YYYY-MM, default this month), year (``year`` = YYYY, default this year) or
    custom (``start`` and ``end``). Raises ``PeriodError`` naming the bad parameter."""
    kind = (kind or "month").strip()
    try:
        if kind == "day":
            return Period.day(dt.date.fromisoformat(day) if day else today)
        if kind == "month":
            if month:
                y, m = month.split("-", 1)
                return Period.month(int(y), int(m))
            return Period.month(today.year, today.month)
        if kind == "year":
            return Period.year(int(year) if year else today.year)
        if kind == "custom":
            if not start or not end:
                raise PeriodError("自定义期间需要填写起始日和截止日")
            return Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end), "custom")
    except PeriodError:
        raise
    except ValueError as exc:
        raise PeriodError(f"统计期间的日期格式不正确（应为 YYYY-MM-DD、YYYY-MM 或 YYYY）：{exc}") from exc
    raise PeriodError(f"未知的统计期间类型“{kind}”，应为 day、month、year 或 custom")


def weighted_percentile(pairs: list[tuple[int, int]], share: float) -> int | None:
    """The nearest-rank percentile of values given as (value, count) pairs; None when empty.

    >>> weighted_percentile([(1, 2), (3, 1), (10, 1)], 0.5)
    1
    >>> weighted_percentile([(1, 2), (3, 1), (10, 1)], 0.9)
    10
    """
    total = sum(n for _v, n in pairs)
    if total == 0:
        return None
    rank = max(1, -(-int(share * total * 1000) // 1000))  # ceil(share × total), at least 1
    seen = 0
    for value, n in sorted(pairs):
        seen += n
        if seen >= rank:
            return value
    return sorted(pairs)[-1][0]
