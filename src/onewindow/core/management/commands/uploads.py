"""``onewindow uploads cleanup [--dry-run] [--older-than MINUTES]``: delete orphaned uploads."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onewindow.core.uploads import DEFAULT_ORPHAN_MINUTES, uploads_cleanup


class Command(BaseCommand):
    help = (
        "Uploaded files. `cleanup` deletes stored files no row refers to (left by rolled-back "
        "transactions or deleted rows) that are older than --older-than minutes. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        cleanup = sub.add_parser("cleanup", help="delete orphaned uploaded files")
        cleanup.add_argument("--dry-run", action="store_true", help="list the orphans, delete nothing")
        cleanup.add_argument(
            "--older-than",
            type=int,
            default=DEFAULT_ORPHAN_MINUTES,
            metavar="MINUTES",
            help=f"only files older than this (default {DEFAULT_ORPHAN_MINUTES}); younger ones may "
            "belong to a transaction still running",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = uploads_cleanup(older_than_minutes=max(0, options["older_than"]), dry_run=options["dry_run"])
        if options["dry_run"]:
            for name in report.orphans:
                self.stdout.write(f"orphan: {name}")
        self.stdout.write(str(report))
