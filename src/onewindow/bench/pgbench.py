"""The reference point of the submission target (DESIGN.md §8): what ``pgbench`` reaches on the
same machine, in the same run, for one transaction of the same shape as a submitted application:
one application row, one case row, six material rows and one audit row.

The rows go to copies of the real tables in a scratch schema (``CREATE TABLE … (LIKE …
INCLUDING ALL)``: same columns, defaults, identity, CHECK constraints and indexes, no foreign keys
and no triggers, which if anything flatters pgbench), with the values of a real accepted
application of the database as literals and unique numbers from a sequence. The schema is
dropped afterwards. PostgreSQL only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.db import connection, models

from onewindow.audit.models import AuditEvent
from onewindow.cases.models import Application, ApplicationMaterial, Case

SCHEMA = "onewindow_pgbench"
MATERIALS = 6


class PgbenchError(Exception):
    pass


def pgbench_binary() -> str | None:
    found = shutil.which("pgbench")
    if found:
        return found
    for version in (17, 16, 15, 14, 13):
        candidate = Path(f"/usr/lib/postgresql/{version}/bin/pgbench")
        if candidate.exists():
            return str(candidate)
    return None


def _literal(value: Any, field: models.Field) -> str:
    """``value`` (a Python value of ``field``) as an SQL literal, the way Django would store it."""
    prepared = field.get_db_prep_save(value, connection)
    with connection.cursor() as cursor:
        return cursor.mogrify("%s", [prepared])


def _insert(
    model: type[models.Model], row: models.Model, overrides: dict[str, str], returning: str = ""
) -> str:
    table = f'{SCHEMA}."{model._meta.db_table}"'
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue  # the copied identity column numbers the rows
        columns.append(f'"{field.column}"')
        values.append(overrides.get(field.column) or _literal(getattr(row, field.attname), field))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(values)})"  # noqa: S608
    return sql + (f" RETURNING id AS {returning} \\gset" if returning else ";")


def script() -> str:
    """The pgbench script: one transaction of the same shape as an accepted application."""
    case = (
        Case.objects.select_related("application")
        .filter(application__number__isnull=False)
        .order_by("-pk")
        .first()
    )
    if case is None:
        raise PgbenchError("no accepted application to take the row values from")
    application = case.application
    materials = list(ApplicationMaterial.objects.filter(application=application).order_by("pk")[:MATERIALS])
    if not materials:
        raise PgbenchError("the template application has no materials")
    while len(materials) < MATERIALS:  # the shape is six rows whatever the template had
        materials.append(materials[len(materials) % len(materials)])
    audit = AuditEvent.objects.order_by("-pk").first()
    if audit is None:
        raise PgbenchError("no audit event to take the row values from")
    lines = [
        "BEGIN;",
        "SELECT nextval('onewindow_pgbench.numbers') AS n \\gset",
        _insert(
            Application,
            application,
            {
                "number": "'B' || :n",
                "draft_ref": "'S' || :n",
                "created_at": "now()",
                "updated_at": "now()",
                "received_at": "now()",
                "accepted_at": "now()",
            },
            returning="app_id",
        ),
        _insert(
            Case,
            case,
            {"application_id": ":app_id", "number": "'B' || :n || '-01'", "accepted_at": "now()"},
        ),
    ]
    for index, material in enumerate(materials):
        lines.append(
            _insert(
                ApplicationMaterial,
                material,
                # (application, material) is unique: six distinct material ids per application.
                {"application_id": ":app_id", "material_id": str(index + 1)},
            )
        )
    lines.append(
        _insert(
            AuditEvent,
            audit,
            {"object_id": ":app_id", "seq": ":n", "created_at": "now()", "hash": "md5(:n::text)"},
        )
    )
    lines.append("COMMIT;")
    return "\n".join(lines) + "\n"


def _create_schema() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        cursor.execute(f"CREATE SEQUENCE {SCHEMA}.numbers")
        for model in (Application, Case, ApplicationMaterial, AuditEvent):
            table = model._meta.db_table
            cursor.execute(f'CREATE TABLE {SCHEMA}."{table}" (LIKE public."{table}" INCLUDING ALL)')


def _drop_schema() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


def run(*, clients: int, seconds: float, threads: int = 2, out: Path | None = None) -> dict[str, Any]:
    """Run pgbench with ``clients`` connections for ``seconds``; return tps and latency."""
    if connection.vendor != "postgresql":
        raise PgbenchError("pgbench needs PostgreSQL")
    binary = pgbench_binary()
    if binary is None:
        raise PgbenchError("pgbench not found (Debian: apt-get install postgresql-client)")
    settings = connection.settings_dict
    text = script()
    _create_schema()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "submission.sql"
            path.write_text(text, encoding="utf-8")
            if out is not None:
                out.mkdir(parents=True, exist_ok=True)
                (out / "pgbench-submission.sql").write_text(text, encoding="utf-8")
            env = dict(os.environ)
            if settings.get("PASSWORD"):
                env["PGPASSWORD"] = str(settings["PASSWORD"])
            argv = [
                binary,
                "--no-vacuum",
                "--client",
                str(clients),
                "--jobs",
                str(max(1, min(threads, clients))),
                "--time",
                str(max(1, round(seconds))),
                "--file",
                str(path),
                "--host",
                str(settings.get("HOST") or "127.0.0.1"),
                "--port",
                str(settings.get("PORT") or 5432),
                "--username",
                str(settings.get("USER") or "postgres"),
                str(settings["NAME"]),
            ]
            connection.close()  # our own session holds no lock while pgbench runs
            done = subprocess.run(
                argv, env=env, capture_output=True, text=True, timeout=seconds + 120, check=False
            )
    finally:
        _drop_schema()
    if done.returncode != 0:
        raise PgbenchError(f"pgbench failed ({done.returncode}): {done.stderr[-1500:]}")
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", done.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", done.stdout)
    processed = re.search(r"number of transactions actually processed: (\d+)", done.stdout)
    if tps is None:
        raise PgbenchError(f"could not read pgbench's output: {done.stdout[-1500:]}")
    return {
        "tool": binary,
        "clients": clients,
        "seconds": seconds,
        "tps": float(tps.group(1)),
        "latency_avg_ms": float(latency.group(1)) if latency else None,
        "transactions": int(processed.group(1)) if processed else None,
        "failed": int(failed.group(1)) if failed else 0,
        "shape": f"1 application + 1 case + {MATERIALS} materials + 1 audit event, one transaction",
        "output": done.stdout[-3000:],
    }
