"""``onewindow licence keygen | verify | expire | export``: e-licence keys, offline checks, expiry."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import urlopen

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from onewindow.core.errors import DomainError
from onewindow.core.timeutil import today
from onewindow.licences import signing
from onewindow.licences.offline import EXIT_CODES, verify_offline
from onewindow.licences.selectors import licence_export, licence_get
from onewindow.licences.services import (
    key_dir,
    licences_expire_due,
    licences_remind_expiring,
    signing_key_generate,
)


def _read_keys(source: str) -> dict[str, signing.PublicKey]:
    """Public keys from a keys file, a key directory, or (explicitly) a URL."""
    parts = urlsplit(source)
    try:
        if parts.scheme in ("http", "https"):
            with urlopen(source, timeout=10) as response:  # noqa: S310 - scheme checked
                return signing.keys_from_document(json.loads(response.read(1_000_000)))
        path = Path(source)
        if path.is_dir():
            return {k.key_id: k for k in signing.public_keys(path)}
        return signing.keys_from_document(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise CommandError(f"无法读取公钥 {source}：{exc}") from exc


class Command(BaseCommand):
    help = "E-licences: create a signing key, check a licence offline, expire licences, export one as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        keygen = sub.add_parser("keygen", help="create a signing key pair in ONEWINDOW_KEY_DIR")
        keygen.add_argument("--algorithm", choices=[a.value for a in signing.Algorithm])
        verify = sub.add_parser("verify", help="check a QR string or a JSON export offline")
        verify.add_argument("code", metavar="FILE_OR_CODE", help="a JSON export file, or the QR code's text")
        verify.add_argument(
            "--keys",
            required=True,
            help="public keys: the onewindow-keys.json file (offline), a key directory, or its URL",
        )
        verify.add_argument(
            "--date", type=dt.date.fromisoformat, help="check validity on this day (default today)"
        )
        expire = sub.add_parser("expire", help="expire licences past their last valid day; record reminders")
        expire.add_argument("--date", type=dt.date.fromisoformat, help="as of this day (default today)")
        expire.add_argument("--dry-run", action="store_true")
        export = sub.add_parser("export", help="print a licence as JSON for offline checking")
        export.add_argument("number")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"do_{options['subcommand']}")(options)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc

    def do_keygen(self, options: dict[str, Any]) -> None:
        key = signing_key_generate(algorithm=options["algorithm"])
        self.stdout.write(
            f"created {key.algorithm.value} key {key.key_id} in {key_dir()} "
            "(private key file mode 0600; it signs new licences from now on)"
        )

    def do_verify(self, options: dict[str, Any]) -> None:
        keys = _read_keys(options["keys"])
        source = options["code"]
        path = Path(source)
        text = source
        if (
            len(source) < 4096
            and not source.lstrip().startswith("{")
            and "://" not in source
            and path.is_file()
        ):
            if path.suffix.lower() == ".pdf":
                raise CommandError("暂不支持直接读取 PDF：请扫描其二维码，或使用证照导出的 JSON 文件")
            text = path.read_text(encoding="utf-8", errors="replace")
        verdict = verify_offline(text, keys, on=options["date"] or today())
        self.stdout.write(f"verdict: {verdict.verdict}")
        if verdict.number:
            self.stdout.write(f"证号：{verdict.number}")
        if verdict.payload:
            p = verdict.payload
            self.stdout.write(f"{p.get('type')}：{p.get('holder')}（{p.get('holder_id')}）")
            until = p.get("expires_on") or "长期"
            self.stdout.write(f"有效期：{p.get('valid_from')} 至 {until}；发证机关：{p.get('issuer')}")
        for message in verdict.messages:
            self.stdout.write(message)
        code = EXIT_CODES.get(verdict.verdict, 2)
        if code:
            raise CommandError(f"核验未通过：{verdict.verdict}", returncode=code)

    def do_expire(self, options: dict[str, Any]) -> None:
        on = options["date"] or today()
        with transaction.atomic():
            expired = licences_expire_due(on=on, dry_run=options["dry_run"])
            reminded = licences_remind_expiring(on=on)
            if options["dry_run"]:
                transaction.set_rollback(True)
        prefix = "dry run, nothing saved: " if options["dry_run"] else ""
        self.stdout.write(f"{prefix}{expired} licences expired, {reminded} expiry reminders as of {on}")

    def do_export(self, options: dict[str, Any]) -> None:
        document = licence_export(licence_get(number=options["number"]))
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
