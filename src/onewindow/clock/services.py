"""Writes to working calendars. Each change bumps the calendar's revision, records an audit
event and asks the registered handlers (cases) to recompute the deadlines it affects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F

from onewindow.audit.services import audit_record
from onewindow.clock.hooks import run_recompute
from onewindow.clock.models import Calendar, CalendarDay, CalendarKind, CalendarYear, DayKind, parse_weekend
from onewindow.clock.seeding import package_source, seed_years
from onewindow.clock.selectors import forget_cached_calendars
from onewindow.core import untrusted
from onewindow.core.errors import InvalidInput
from onewindow.core.validation import full_clean_or_raise

NATIONAL_CODE = "national"


@dataclass
class CalendarChange:
    """What one calendar write did: years whose days changed and deadlines recomputed."""

    calendar: Calendar
    years_changed: list[int] = field(default_factory=list)
    days_written: int = 0
    recomputed: int = 0

    def __str__(self) -> str:
        years = ", ".join(str(y) for y in self.years_changed) or "none"
        return (
            f"{self.calendar.code}: years changed: {years}; {self.days_written} days written; "
            f"{self.recomputed} deadlines recomputed"
        )


def _after_change(calendar: Calendar, years: set[int], *, actor: Any, action: str, after: dict) -> int:
    Calendar.objects.filter(pk=calendar.pk).update(revision=F("revision") + 1)
    transaction.on_commit(forget_cached_calendars)
    forget_cached_calendars()
    calendar.refresh_from_db(fields=["revision"])
    affected = [calendar, *Calendar.objects.filter(base=calendar)]  # regional calendars inherit the days
    recomputed = sum(run_recompute(c, frozenset(years)) for c in affected)
    audit_record(actor=actor, action=action, target=calendar, after={**after, "recomputed": recomputed})
    return recomputed


def _replace_year(calendar: Calendar, year: int, days: list[CalendarDay], source: str) -> bool:
    """Replace one year's rows; True if anything differed."""
    existing = {
        (d.date, d.kind, d.name)
        for d in CalendarDay.objects.filter(calendar=calendar, date__year=year).only("date", "kind", "name")
    }
    wanted = {(d.date, d.kind, d.name) for d in days}
    year_row = CalendarYear.objects.filter(calendar=calendar, year=year).first()
    if existing == wanted and year_row is not None:
        return False
    CalendarDay.objects.filter(calendar=calendar, date__year=year).delete()
    CalendarDay.objects.bulk_create(days)
    CalendarYear.objects.update_or_create(calendar=calendar, year=year, defaults={"source": source})
    return True


@transaction.atomic
def calendar_seed_national(
    *, actor: Any | None, first_year: int | None = None, last_year: int | None = None
) -> CalendarChange:
    """Create or refresh the national default calendar from the ``chinesecalendar`` package.

    Idempotent: years whose days are unchanged are left alone, so running it again after
    upgrading the package only touches the years the new release changed or added.
    """
    calendar, _created = Calendar.objects.get_or_create(
        code=NATIONAL_CODE,
        defaults={"name": "全国法定工作日历", "kind": CalendarKind.NATIONAL, "is_default": True},
    )
    change = CalendarChange(calendar=calendar)
    source = package_source()
    for seed in seed_years(first_year, last_year):
        rows = [
            CalendarDay(calendar=calendar, date=d, kind=DayKind.HOLIDAY, name=n)
            for d, n in seed.holidays.items()
        ]
        rows += [
            CalendarDay(calendar=calendar, date=d, kind=DayKind.MAKEUP_WORKDAY, name=n)
            for d, n in seed.makeup_workdays.items()
        ]
        if _replace_year(calendar, seed.year, rows, source):
            change.years_changed.append(seed.year)
            change.days_written += len(rows)
    if change.years_changed:
        change.recomputed = _after_change(
            calendar,
            set(change.years_changed),
            actor=actor,
            action="calendar.seed",
            after={"source": source, "years": change.years_changed},
        )
    return change


def _parse_date(value: Any, where: str, errors: list[str]) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.append(f"{where}: “{value}”不是有效日期（应为 YYYY-MM-DD）")
        return None


def _notice_days(calendar: Calendar, data: dict[str, Any]) -> tuple[int, str, list[CalendarDay]]:
    """Validate a holiday notice file (see ``calendar_import_year``) and return its rows."""
    errors: list[str] = []
    if not isinstance(data, dict):
        raise InvalidInput("节假日安排文件的内容应为一个对象（year、source、holidays、makeup_workdays）")
    untrusted.check_document(data)  # no NUL for PostgreSQL, no nesting bomb
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2200:
        raise InvalidInput(f"year: “{year}”不是有效年份", errors=[f"year: “{year}”不是有效年份"])
    source = str(data.get("source") or "").strip()
    if not source:
        errors.append("source: 请填写通知名称或文号，如“国务院办公厅关于2027年部分节假日安排的通知”")
    weekend = parse_weekend(calendar.weekend)
    days: dict[dt.date, CalendarDay] = {}

    def add(day: dt.date | None, kind: str, name: str, where: str) -> None:
        if day is None:
            return
        if day.year != year:
            errors.append(f"{where}: {day} 不在 {year} 年内")
        elif day in days:
            errors.append(f"{where}: {day} 重复出现")
        elif kind == DayKind.MAKEUP_WORKDAY and day.weekday() not in weekend:
            errors.append(f"{where}: 调休上班日 {day} 不是休息日（周末）")
        else:
            days[day] = CalendarDay(calendar=calendar, date=day, kind=kind, name=name)

    for i, entry in enumerate(data.get("holidays") or []):
        where = f"holidays[{i}]"
        if not isinstance(entry, dict) or not str(entry.get("name") or "").strip():
            errors.append(f"{where}: 需要 name（假日名称）以及 start/end 或 dates")
            continue
        name = str(entry["name"]).strip()
        if "dates" in entry:
            for j, value in enumerate(entry["dates"] or []):
                add(
                    _parse_date(value, f"{where}.dates[{j}]", errors),
                    DayKind.HOLIDAY,
                    name,
                    f"{where}.dates[{j}]",
                )
            continue
        start = _parse_date(entry.get("start"), f"{where}.start", errors)
        end = _parse_date(entry.get("end", entry.get("start")), f"{where}.end", errors)
        if start and end:
            if end < start or (end - start).days > 15:
                errors.append(f"{where}: 放假区间 {start}–{end} 无效（结束早于开始或超过15天）")
                continue
            for k in range((end - start).days + 1):
                add(start + dt.timedelta(days=k), DayKind.HOLIDAY, name, where)
    for i, entry in enumerate(data.get("makeup_workdays") or []):
        where = f"makeup_workdays[{i}]"
        if not isinstance(entry, dict):
            errors.append(f"{where}: 需要 date 与 name")
            continue
        name = str(entry.get("name") or "调休上班").strip()
        add(_parse_date(entry.get("date"), f"{where}.date", errors), DayKind.MAKEUP_WORKDAY, name, where)
    if not any(d.kind == DayKind.HOLIDAY for d in days.values()) and not errors:
        errors.append("holidays: 文件中没有任何放假日期")
    if errors:
        raise InvalidInput(f"节假日安排文件有 {len(errors)} 处错误：" + "；".join(errors), errors=errors)
    return year, source, sorted(days.values(), key=lambda d: d.date)


@transaction.atomic
def calendar_import_year(*, actor: Any | None, calendar: Calendar, data: dict[str, Any]) -> CalendarChange:
    """Load one year's State Council holiday notice into ``calendar`` (replacing that year).

    ``data``: ``{year, source, holidays: [{name, start, end} | {name, dates: [...]}],
    makeup_workdays: [{date, name}]}``. Every error is reported at once and nothing changes.
    """
    year, source, rows = _notice_days(calendar, data)
    change = CalendarChange(calendar=calendar)
    if _replace_year(calendar, year, rows, source):
        change.years_changed, change.days_written = [year], len(rows)
        change.recomputed = _after_change(
            calendar,
            {year},
            actor=actor,
            action="calendar.import_year",
            after={"year": year, "source": source},
        )
    return change


@transaction.atomic
def calendar_day_set(
    *, actor: Any | None, calendar: Calendar, day: dt.date, kind: str, name: str
) -> CalendarChange:
    """Add or change one day (e.g. a regional extra holiday) and recompute what it affects."""
    row = CalendarDay.objects.filter(calendar=calendar, date=day).first() or CalendarDay(
        calendar=calendar, date=day
    )
    before = {"kind": row.kind, "name": row.name} if row.pk else None
    row.kind, row.name = kind, name
    full_clean_or_raise(row)
    if kind == DayKind.MAKEUP_WORKDAY and day.weekday() not in parse_weekend(calendar.weekend):
        raise InvalidInput(f"调休上班日 {day} 不是休息日（周末）")
    row.save()
    change = CalendarChange(calendar=calendar, years_changed=[day.year], days_written=1)
    change.recomputed = _after_change(
        calendar,
        {day.year},
        actor=actor,
        action="calendar.day_set",
        after={"date": day, "kind": kind, "name": name, "before": before},
    )
    return change


@transaction.atomic
def calendar_day_remove(*, actor: Any | None, row: CalendarDay) -> CalendarChange:
    calendar, day = row.calendar, row.date
    row.delete()
    change = CalendarChange(calendar=calendar, years_changed=[day.year])
    change.recomputed = _after_change(
        calendar, {day.year}, actor=actor, action="calendar.day_remove", after={"date": day}
    )
    return change
