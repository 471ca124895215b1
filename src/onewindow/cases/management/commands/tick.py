"""``onewindow tick``: fire every due timer once (run from cron), then exit."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onewindow.core.timers import fire_all_due, timer_due_counts


class Command(BaseCommand):
    help = "Fire due timers of every app (deemed acceptance and consent, reminders, escalations). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=1000, help="at most this many timers per source")
        parser.add_argument("--dry-run", action="store_true", help="count what is due without firing it")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            total = 0
            for source, count in timer_due_counts():
                if count is None:
                    self.stdout.write(f"due: {source}: upkeep, not counted")
                    continue
                self.stdout.write(f"due: {source}: {count}")
                total += count
            self.stdout.write(f"dry run: {total} timers due, none fired")
            return
        fired = fire_all_due(limit=options["limit"])
        for entry in fired:
            self.stdout.write(str(entry))
        self.stdout.write(f"tick: {len(fired)} timers fired")
