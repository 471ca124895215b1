"""``onewindow load-demo``: load the demo county, then each app's demo data in dependency order.

It lives in ``web``, the top layer, because it calls every app's loader."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from onewindow.catalog.services import catalog_load_demo
from onewindow.clock.services import calendar_seed_national
from onewindow.core.environment import env
from onewindow.enterprises.demo import enterprises_load_demo
from onewindow.licences.services import licences_load_demo
from onewindow.org.services import org_load_demo

DEFAULT_DEMO_PASSWORD = "onewindow-demo"  # noqa: S105 - published in the README, demo only


class Command(BaseCommand):
    help = "Load the demo county 常德市武陵区 (regions, departments, halls, windows, staff). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=env("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD),
            help="password for new demo users (default: $ONEWINDOW_DEMO_PASSWORD or 'onewindow-demo')",
        )
        parser.add_argument("--dry-run", action="store_true", help="load, report, then roll back")
        parser.add_argument(
            "--history",
            type=int,
            default=0,
            metavar="N",
            help="also simulate N past cases (2025–2026, seed 7) when there are no cases yet, so the "
            "worklists, statistics and the annual report have data (make demo uses 3000)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        history = options["history"]
        if history < 0:
            raise CommandError("--history 应为非负整数")
        with transaction.atomic():
            summary = org_load_demo(password=options["password"])
            catalogue = catalog_load_demo()
            calendar = calendar_seed_national(actor=None)
            licences = licences_load_demo()
            enterprises = enterprises_load_demo()
            if options["dry_run"]:
                transaction.set_rollback(True)
        prefix = "dry run, nothing saved: " if options["dry_run"] else ""
        self.stdout.write(f"{prefix}demo organisation loaded: {summary}")
        self.stdout.write(f"{prefix}demo catalogue loaded: {catalogue}")
        self.stdout.write(f"{prefix}national working calendar: {calendar}")
        self.stdout.write(f"{prefix}licence types and proof registry: {licences}")
        self.stdout.write(f"{prefix}market-entity register: {enterprises}")
        if history and not options["dry_run"]:
            from onewindow.cases.models import Case

            if Case.objects.exists():
                self.stdout.write("history: cases exist already, nothing simulated")
            else:
                call_command(
                    "simulate", cases=history, years="2025,2026", seed=7, quiet=True, stdout=self.stdout
                )
        if not options["dry_run"]:
            self.stdout.write(
                f"demo logins (password '{options['password']}' for new users): {', '.join(summary.logins)}"
            )
