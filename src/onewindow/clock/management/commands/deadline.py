"""``onewindow deadline --from 2025-01-24 --days 5``: the deadline, ISO on the last line."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.clock.deadlines import due, provisional_calendar
from onewindow.clock.selectors import calendar_for_region, calendar_get, work_calendar
from onewindow.clock.workdays import CalendarRangeError, Duration, Unit, explain_working_days
from onewindow.core.errors import DomainError
from onewindow.org.selectors import region_get


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{value}”不是有效日期，应为 YYYY-MM-DD") from None


def non_negative_int(value: str) -> int:
    if not value.strip().isdigit():
        raise argparse.ArgumentTypeError(f"期限长度必须是非负整数，收到“{value}”")
    return int(value)


def clock_time(value: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{value}”不是有效时间，应为 HH:MM") from None


class Command(BaseCommand):
    help = "Compute a deadline on the working calendar (acceptance day not counted)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", type=iso_date, required=True, help="acceptance date")
        parser.add_argument("--days", "-n", type=non_negative_int, required=True, help="length of the limit")
        parser.add_argument(
            "--unit", choices=["workday", "natural", "hour", "minute", "instant"], default="workday"
        )
        parser.add_argument(
            "--at", type=clock_time, default=dt.time(9, 0), help="acceptance time (hours/minutes)"
        )
        parser.add_argument("--region", help="12-digit region code: use its regional calendar")
        parser.add_argument("--calendar", help="calendar code (default: the national calendar)")
        parser.add_argument("--explain", action="store_true", help="list the days counted and skipped")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["calendar"]:
                calendar = calendar_get(code=options["calendar"])
            else:
                region = region_get(code=options["region"]) if options["region"] else None
                calendar = calendar_for_region(region=region)
            cal = work_calendar(calendar)
            unit = Unit(options["unit"])
            limit = Duration.instant() if unit == Unit.INSTANT else Duration(options["days"], unit)
            accepted = dt.datetime.combine(options["start"], options["at"])
            due_at, provisional = due(accepted, limit, cal)
        except (DomainError, CalendarRangeError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"calendar: {calendar.name} ({cal.first_year}–{cal.last_year})")
        self.stdout.write(f"limit: {limit}, accepted {accepted:%Y-%m-%d %H:%M}")
        if provisional:
            # clock.deadlines: past the loaded years only weekends are skipped, until the notice is in.
            self.stdout.write(
                f"provisional: counted past {cal.last_year} with weekends only; "
                f"import the holiday notice of {cal.last_year + 1} for the final deadline"
            )
        if options["explain"] and unit == Unit.WORKDAY:
            counted = provisional_calendar(cal) if provisional else cal
            for note in explain_working_days(options["start"], options["days"], counted):
                mark = "+" if note.counted else "-"
                self.stdout.write(f"  {mark} {note.day.isoformat()} {note.reason}")
        if unit in (Unit.WORK_HOUR, Unit.WORK_MINUTE):
            self.stdout.write(due_at.strftime("%Y-%m-%dT%H:%M"))
        else:
            # Day limits end at the midnight after their last day: print that last day.
            self.stdout.write((due_at - dt.timedelta(microseconds=1)).date().isoformat())
