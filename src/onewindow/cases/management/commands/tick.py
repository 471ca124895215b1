"""``onewindow tick``: fire every due timer once (run from cron), then exit."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onewindow.cases.models import Timer
from onewindow.core.timers import fire_all_due
from onewindow.core.timeutil import now


class Command(BaseCommand):
    help = "Fire due timers of every app (deemed acceptance and consent, reminders, escalations). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=1000, help="at most this many timers per run")
        parser.add_argument("--dry-run", action="store_true", help="list what is due without firing it")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            due = Timer.objects.filter(fired_at__isnull=True, cancelled=False, due_at__lte=now())
            for timer in due.order_by("due_at")[: options["limit"]]:
                self.stdout.write(f"due: {timer}")
            self.stdout.write(f"dry run: {due.count()} timers due, none fired")
            return
        fired = fire_all_due(limit=options["limit"])
        for entry in fired:
            self.stdout.write(str(entry))
        self.stdout.write(f"tick: {len(fired)} timers fired")
