"""``onewindow audit verify``: check every hash chain of the audit log."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.audit.selectors import audit_verify


class Command(BaseCommand):
    help = "Audit log tools. `verify` checks the hash chains and names every edited or deleted row."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="check every audit hash chain")
        verify.add_argument("--heads", action="store_true", help="print each chain's head hash")

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
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
        self.stdout.write(f"audit log OK: {report.events} events in {report.chains} chains verified")
