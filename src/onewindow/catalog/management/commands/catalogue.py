"""``onewindow catalogue import FILE [--dry-run]``, ``catalogue export --format F -o FILE``,
``catalogue stats``: thin wrappers over the catalogue services."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.catalog.fileformat import FORMATS
from onewindow.catalog.selectors import catalogue_compression_stats
from onewindow.catalog.services import catalogue_export, catalogue_import, catalogue_load_file
from onewindow.core.errors import InvalidInput


def _percent(value: Any) -> str:
    return f"{float(value):.1%}" if value is not None else "—"


class Command(BaseCommand):
    help = "Service catalogue: import or export a catalogue file (YAML, JSON, Excel), print statistics."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        load = sub.add_parser(
            "import", help="validate and import a catalogue file; nothing changes on any error"
        )
        load.add_argument("file", help=".yaml, .yml, .json or .xlsx")
        load.add_argument("--dry-run", action="store_true", help="validate and report, save nothing")
        dump = sub.add_parser("export", help="write the whole catalogue to a file")
        dump.add_argument("--format", choices=FORMATS, default="yaml")
        dump.add_argument("-o", "--output", required=True, help="file to write ('-' for standard output)")
        sub.add_parser("stats", help="compression of promised against statutory limits")

    def handle(self, *args: Any, **options: Any) -> None:
        match options["subcommand"]:
            case "import":
                self._import(options["file"], dry_run=options["dry_run"])
            case "export":
                self._export(options["format"], options["output"])
            case "stats":
                self._stats()

    def _import(self, path: str, *, dry_run: bool) -> None:
        try:
            report = catalogue_import(catalogue_load_file(path), actor=None, dry_run=dry_run)
        except InvalidInput as exc:
            errors = exc.fields.get("errors") or [{"message": exc.detail}]
            for error in errors:
                where = error.get("path", "")
                if error.get("sheet"):
                    column = (error.get("column") or "").split("（")[0]
                    where = f"{error['sheet']}!{column}{error.get('row') or ''} ({error['path']})"
                self.stderr.write(
                    f"ERROR {where}: {error['message']}" if where else f"ERROR {error['message']}"
                )
            raise CommandError(
                f"catalogue import FAILED: {len(errors)} error(s) in {path}; nothing changed"
            ) from exc
        self.stdout.write(f"catalogue imported from {path}: {report}")

    def _export(self, fmt: str, output: str) -> None:
        content = catalogue_export(fmt)
        if output == "-":
            self.stdout.write(content.decode() if fmt != "xlsx" else "")
            return
        Path(output).write_bytes(content)
        self.stdout.write(f"catalogue exported as {fmt} to {output} ({len(content)} bytes)")

    def _stats(self) -> None:
        stats = catalogue_compression_stats()
        for item in stats.items:
            legal = str(item.legal) if item.legal else "—"
            self.stdout.write(
                f"{item.code}  {item.name}  {legal} → {item.promised}  {_percent(item.compression)}"
            )
        avg_legal = f"{float(stats.average_legal_days):.1f}" if stats.average_legal_days is not None else "—"
        avg_promised = (
            f"{float(stats.average_promised_days):.1f}" if stats.average_promised_days is not None else "—"
        )
        self.stdout.write(
            f"{stats.item_count} items, {stats.compared_count} compared: mean compression "
            f"{_percent(stats.mean_compression)}, overall {_percent(stats.overall_compression)} "
            f"(average {avg_legal} → {avg_promised} working days); instant {_percent(stats.instant_share)}, "
            f"0 visits {_percent(stats.zero_visit_share)}, fully online {_percent(stats.full_online_share)}"
        )
