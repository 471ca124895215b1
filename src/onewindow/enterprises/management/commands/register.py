"""``onewindow register import FILE [--dry-run]``: enter the market entities registered before the
platform ran (存量市场主体入册) from a JSON Lines file, one entity per line::

    {"kind": "establish", "uscc": "91430702…", "established_on": "2019-05-20",
     "region": "430702000000", "authority": "SCJG", "data": {…the establish form…}}

``kind`` is ``establish`` or ``individual``; ``data`` is that registration form with the items as
registered (docs/enterprises.md). Each line is its own transaction: a bad line is reported with its
number and reason and the others go in; the command fails if any line failed. ``--dry-run`` checks
every line and saves nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from onewindow.core.errors import DomainError
from onewindow.enterprises.services import enterprise_record_existing
from onewindow.org.models import Department, Region


class _DryRun(Exception):
    pass


def _record(line: dict[str, Any]) -> str:
    region = Region.objects.filter(code=str(line.get("region", ""))).first()
    if region is None:
        raise ValueError(f"区划代码 {line.get('region')!r} 不存在")
    authority = None
    if line.get("authority"):
        authority = Department.objects.filter(code=str(line["authority"])).first()
        if authority is None:
            raise ValueError(f"部门代码 {line['authority']!r} 不存在")
    try:
        established_on = dt.date.fromisoformat(str(line.get("established_on", "")))
    except ValueError:
        raise ValueError("established_on 须为 YYYY-MM-DD 日期") from None
    enterprise = enterprise_record_existing(
        actor=None,
        kind=str(line.get("kind", "")),
        uscc=str(line.get("uscc", "")),
        established_on=established_on,
        data=line.get("data"),
        region=region,
        authority=authority,
    )
    return enterprise.name


class Command(BaseCommand):
    help = "Market-entity register: enter entities registered before the platform ran (存量入册)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        load = sub.add_parser("import", help="enter the entities of a JSON Lines file, one per line")
        load.add_argument("file", help=".jsonl file, UTF-8")
        load.add_argument("--dry-run", action="store_true", help="check every line, save nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path, dry_run = Path(options["file"]), options["dry_run"]
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        done = failed = 0
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            try:
                line = json.loads(text)
                if not isinstance(line, dict):
                    raise ValueError("每行须为一个 JSON 对象")
                with transaction.atomic():
                    name = _record(line)
                    if dry_run:
                        raise _DryRun
            except _DryRun:
                pass
            except (ValueError, DomainError) as exc:
                failed += 1
                fields = getattr(exc, "fields", {}).get("errors") if isinstance(exc, DomainError) else None
                detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in (fields or {}).items())
                self.stderr.write(f"ERROR line {number}: {exc}{f' ({detail})' if detail else ''}")
                continue
            done += 1
            self.stdout.write(f"line {number}: {name}{' (checked)' if dry_run else ''}")
        verb = "checked" if dry_run else "entered"
        if failed:
            raise CommandError(f"register import: {done} {verb}, {failed} FAILED in {path}")
        self.stdout.write(f"register import: {done} {verb} from {path}")
