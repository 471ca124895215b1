"""``onewindow audit verify [--heads] [--checkpoint FILE]`` and ``onewindow audit checkpoint
[--export FILE] [--dry-run]``: check the hash chains; sign the chain heads and keep them elsewhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from onewindow.audit.anchoring import CheckpointKeyError
from onewindow.audit.selectors import audit_checkpoint_latest, audit_verify
from onewindow.audit.services import audit_checkpoint_create, checkpoint_export


class Command(BaseCommand):
    help = (
        "Audit log tools. `verify` checks the hash chains and names every edited or deleted row "
        "(with --checkpoint FILE also a rollback since that checkpoint); `checkpoint` signs the "
        "chain heads and can export them to a file kept outside the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="check every audit hash chain")
        verify.add_argument("--heads", action="store_true", help="print each chain's head hash")
        verify.add_argument(
            "--checkpoint",
            type=Path,
            help="an exported checkpoint: detect rows deleted and heads rolled back",
        )
        checkpoint = sub.add_parser("checkpoint", help="sign every chain head now")
        checkpoint.add_argument("--export", type=Path, help="write the checkpoint to this JSON file")
        checkpoint.add_argument("--dry-run", action="store_true", help="sign and print, save nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "checkpoint":
            self.do_checkpoint(options)
        else:
            self.do_verify(options)

    def do_verify(self, options: dict[str, Any]) -> None:
        exported = None
        if options.get("checkpoint"):
            path: Path = options["checkpoint"]
            try:
                exported = json.loads(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc}") from exc
            except (ValueError, RecursionError) as exc:
                raise CommandError(f"{path} is not a JSON checkpoint: {exc}") from exc
            if not isinstance(exported, dict):
                raise CommandError(f"{path} is not a JSON checkpoint (an object is expected)")
        report = audit_verify(checkpoint=exported)
        for problem in report.problems:
            self.stderr.write(f"TAMPERED {problem}")
        if options.get("heads"):
            for chain, digest in sorted(report.heads.items()):
                self.stdout.write(f"chain {chain} head {digest}")
        if not report.ok:
            raise CommandError(
                f"audit log FAILED verification: {len(report.problems)} problem(s) "
                f"in {report.events} events over {report.chains} chains"
            )
        against = f"; checked against {options['checkpoint']}" if exported is not None else ""
        self.stdout.write(
            f"audit log OK: {report.events} events in {report.chains} chains verified, "
            f"{report.checkpoints} checkpoints{against}"
        )

    def do_checkpoint(self, options: dict[str, Any]) -> None:
        try:
            with transaction.atomic():
                checkpoint = audit_checkpoint_create(only_if_changed=True) or audit_checkpoint_latest()
                if checkpoint is None:  # no event yet and never signed: sign the empty heads
                    checkpoint = audit_checkpoint_create()
                data = checkpoint_export(checkpoint) if checkpoint is not None else None
                if options["dry_run"]:
                    transaction.set_rollback(True)
        except CheckpointKeyError as exc:
            raise CommandError(str(exc)) from exc
        if data is None:
            raise CommandError("another process is signing a checkpoint right now; try again")
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        if options["export"]:
            if options["dry_run"]:
                self.stdout.write(text)
            else:
                options["export"].write_text(text, encoding="utf-8")
        prefix = "dry run, nothing saved: " if options["dry_run"] else ""
        written = f", exported to {options['export']}" if options["export"] and not options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}checkpoint #{data['id']} {data['digest'][:12]} of {len(data['heads'])} chains "
            f"at {data['created_at']}{written}"
        )
