"""``onewindow calendar seed | import FILE | show``: manage the working calendars."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from onewindow.clock.models import Calendar, CalendarYear
from onewindow.clock.selectors import calendar_default, calendar_gaps, calendar_get
from onewindow.clock.services import calendar_import_year, calendar_seed_national
from onewindow.core import untrusted
from onewindow.core.errors import DomainError


class Command(BaseCommand):
    help = "Working calendars: seed past years from chinesecalendar, import a holiday notice, show years."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        seed = sub.add_parser("seed", help="load every year the chinesecalendar package knows")
        seed.add_argument("--from-year", type=int)
        seed.add_argument("--to-year", type=int)
        seed.add_argument("--dry-run", action="store_true")
        imp = sub.add_parser("import", help="load one year's State Council notice from a YAML/JSON file")
        imp.add_argument("file", type=Path)
        imp.add_argument("--calendar", help="calendar code (default: the national calendar)")
        imp.add_argument("--dry-run", action="store_true")
        sub.add_parser("show", help="list calendars and the years loaded; warn of a missing notice")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"do_{options['subcommand']}")(options)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc

    def do_seed(self, options: dict[str, Any]) -> None:
        with transaction.atomic():
            change = calendar_seed_national(
                actor=None, first_year=options["from_year"], last_year=options["to_year"]
            )
            if options["dry_run"]:
                transaction.set_rollback(True)
        self.stdout.write(f"{'dry run, nothing saved: ' if options['dry_run'] else ''}seeded {change}")

    def do_import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"file not found: {path}")
        try:
            text = path.read_text(encoding="utf-8")
            untrusted.check_flow_depth(text, str(path))
            data = yaml.safe_load(text)  # YAML is a superset of JSON
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: not valid YAML/JSON: {exc}") from exc
        except RecursionError:
            raise CommandError(str(untrusted.TooDeep(str(path)))) from None
        calendar = calendar_get(code=options["calendar"]) if options["calendar"] else calendar_default()
        with transaction.atomic():
            change = calendar_import_year(actor=None, calendar=calendar, data=data)
            if options["dry_run"]:
                transaction.set_rollback(True)
        self.stdout.write(f"{'dry run, nothing saved: ' if options['dry_run'] else ''}imported {change}")

    def do_show(self, options: dict[str, Any]) -> None:
        for calendar in Calendar.objects.all():
            years = list(CalendarYear.objects.filter(calendar=calendar).values_list("year", flat=True))
            span = f"{min(years)}–{max(years)} ({len(years)} years)" if years else "no years loaded"
            default = " [default]" if calendar.is_default else ""
            self.stdout.write(
                f"{calendar.code}{default}: {calendar.name}; {span}; revision {calendar.revision}"
            )
        # This year's notice, and from 1 November next year's, must be loaded (issue 17).
        for gap in calendar_gaps():
            self.stdout.write(self.style.WARNING(f"WARNING: {gap}"))
