"""``onewindow serve``: the production server (gunicorn + whitenoise), not ``runserver``."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve OneWindow with gunicorn (static files through whitenoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("ONEWINDOW_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("ONEWINDOW_WORKERS", "3")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("ONEWINDOW_THREADS", "2")))
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="skip collecting static files before start"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "onewindow.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            # continue-link tokens redacted from the access log, no `Server: gunicorn` banner
            "--logger-class",
            "onewindow.core.serving.Logger",
            "--max-requests",
            "5000",
            "--max-requests-jitter",
            "500",
        ]
        self.stdout.write(
            f"serving OneWindow on http://{options['bind']}/ (gunicorn, {options['workers']} workers)"
        )
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
