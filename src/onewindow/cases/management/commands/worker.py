"""``onewindow worker``: fire due timers continuously. Several workers may run at once:
each timer is claimed with SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from onewindow.core.timers import fire_all_due


class Command(BaseCommand):
    help = "Run the timer worker until stopped (SIGTERM/SIGINT finish the current timer first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between polls when idle")
        parser.add_argument("--once", action="store_true", help="fire what is due, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        total = 0
        while not stopping:
            close_old_connections()
            fired = fire_all_due(limit=200)
            total += len(fired)
            for entry in fired:
                self.stdout.write(str(entry))
            if options["once"]:
                break
            if not fired:
                time.sleep(options["interval"])
        self.stdout.write(f"worker stopped: {total} timers fired")
