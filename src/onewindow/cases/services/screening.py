"""Screening an uploaded material before the transaction that attaches it (issue 17)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from onewindow.audit.services import audit_record
from onewindow.cases.models import Application
from onewindow.cases.selectors import online_token_holds
from onewindow.cases.services.materials import _check_upload
from onewindow.core.uploads import CheckedUpload, VirusFound
from onewindow.org.authz import require


def application_screen_upload(
    *, actor: Any, application: Application, upload: UploadedFile, token: str | None = None
) -> CheckedUpload:
    """Check a material's file before ``application_attach_material`` (which then reuses the result).

    Views call this first, outside any transaction: parsing a large PDF and a virus scan take
    seconds, and inside the attach transaction they would hold the database's write lock (on
    SQLite every other writer waits). A virus found is audited here, in a transaction of its own,
    because the refusal rolls back everything the attach would have written. The same permission
    as attaching is checked first, so nobody else can make the server scan a file.

    Raises ``UploadRefused`` (422), ``VirusFound`` (422, audited) or ``ScannerUnavailable`` (503)."""
    if not online_token_holds(actor, application, token):
        require(actor, "application.submit_on_behalf", region=application.region)
    try:
        return _check_upload(upload)
    except VirusFound as exc:
        user = actor if getattr(actor, "pk", None) else None
        with transaction.atomic():
            audit_record(
                actor=user,
                action="application.upload_virus_found",
                target=application,
                after={
                    "file": exc.fields.get("file_name", ""),
                    "signature": exc.fields.get("signature", ""),
                    "sha256": exc.fields.get("sha256", ""),
                    "size": exc.fields.get("size"),
                },
                actor_label="" if user else "online applicant",
            )
        raise
