"""Materials of an application: uploads, 容缺 and 告知承诺 marks, supplying waived materials."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from onewindow.cases.models import (
    Application,
    ApplicationMaterial,
    ApplicationStatus,
    Case,
    MaterialState,
    TimerKind,
)
from onewindow.cases.selectors import online_token_holds
from onewindow.cases.services.core import GuardFailed, _cancel_timer, _event
from onewindow.core.errors import InvalidInput, InvalidTransition
from onewindow.core.timeutil import now
from onewindow.org.authz import require

# Accepted upload types and size (ONEWINDOW_MAX_UPLOAD_MB, default 20 MB).
UPLOAD_TYPES = {
    "application/pdf": b"%PDF",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG",
    "application/ofd": b"PK",
}


def _material(application: Application, key: str) -> ApplicationMaterial:
    row = application.materials.select_related("material").filter(material__key=key).first()
    if row is None:
        raise InvalidInput(f"本申请不需要材料“{key}”", errors={"material": [key]})
    return row


def _check_upload(upload: UploadedFile) -> tuple[str, bytes]:
    limit = int(getattr(settings, "ONEWINDOW_MAX_UPLOAD_MB", 20)) * 1024 * 1024
    if upload.size is None or upload.size == 0:
        raise InvalidInput("上传的文件是空的")
    if upload.size > limit:
        raise InvalidInput(
            f"文件“{upload.name}”为 {upload.size / 1048576:.1f} MB，超过 {limit // 1048576} MB 上限"
        )
    head = upload.read(8)
    upload.seek(0)
    for content_type, magic in UPLOAD_TYPES.items():
        if head.startswith(magic):
            return content_type, head
    raise InvalidInput(f"文件“{upload.name}”不是可接受的类型（PDF、JPG、PNG 或 OFD）")


@transaction.atomic
def application_attach_material(
    *,
    actor: Any,
    application: Application,
    material_key: str,
    upload: UploadedFile,
    token: str | None = None,
) -> ApplicationMaterial:
    """Attach a file for one checklist material (type checked by content, size limited, SHA-256
    recorded). Before acceptance it fills the checklist; after it, it supplies a 容缺 material.
    An online applicant passes ``actor=None`` and the application's ``token``."""
    if not online_token_holds(actor, application, token):
        require(actor, "application.submit_on_behalf", region=application.region)
    if application.status not in (
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.CORRECTION_REQUESTED,
        ApplicationStatus.ACCEPTED,
    ):
        raise InvalidTransition(f"{application.get_status_display()}的申请不能再上传材料")
    row = _material(application, material_key)
    if application.status == ApplicationStatus.ACCEPTED and row.state != MaterialState.WAIVED:
        raise InvalidTransition(f"申请已受理，材料“{row.material.name}”无需再上传")
    content_type, _head = _check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    supplying = row.state == MaterialState.WAIVED and application.status == ApplicationStatus.ACCEPTED
    row.file.save(upload.name, upload, save=False)
    row.original_name = upload.name[:200]
    row.content_type = content_type
    row.size = upload.size
    row.sha256 = digest.hexdigest()
    row.state = MaterialState.PROVIDED
    if supplying:
        row.supplied_at = now()
    row.save()
    _event(
        application=application,
        case=None,
        action="supply_material" if supplying else "attach_material",
        old=application.status,
        new=application.status,
        actor=actor,
        data={"material": material_key, "sha256": row.sha256, "size": row.size},
    )
    if supplying:
        _after_supply(application)
    return row


def _after_supply(application: Application) -> None:
    if application.materials.filter(state=MaterialState.WAIVED).exists():
        return
    _cancel_timer(TimerKind.SUPPLY_DEADLINE, application.pk)
    _cancel_timer(TimerKind.SUPPLY_REMINDER, application.pk)
    Case.objects.filter(application=application, deficient=True).update(deficient=False)


@transaction.atomic
def application_mark_material(
    *,
    actor: Any,
    application: Application,
    material_key: str,
    state: str,
    evidence: str = "",
    token: str | None = None,
) -> ApplicationMaterial:
    """Set a checklist material's state at the window: 容缺 (``waived``) only where the catalogue
    allows it, 告知承诺 (``committed``) only where a commitment may replace it, back to
    ``missing``, or ``provided`` for paper originals checked at the window.

    An online applicant (``actor=None`` with the token) may only sign a commitment (``committed``)
    or withdraw it (``missing``); 容缺 and ``provided`` stay with the window officer."""
    if online_token_holds(actor, application, token):
        if state not in (MaterialState.COMMITTED, MaterialState.MISSING):
            raise GuardFailed("网上申请只能对允许告知承诺的材料签署承诺；容缺受理须由窗口办理")
        current = _material(application, material_key)
        if state == MaterialState.MISSING and current.state != MaterialState.COMMITTED:
            raise GuardFailed(f"材料“{current.material.name}”不是告知承诺状态，无需撤回")
    else:
        require(actor, "application.accept", region=application.region)
    if application.status not in (
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.CORRECTION_REQUESTED,
    ):
        raise InvalidTransition(f"{application.get_status_display()}的申请不能再修改材料清单")
    row = _material(application, material_key)
    if state == MaterialState.WAIVED and not row.waivable:
        raise GuardFailed(f"材料“{row.material.name}”不在容缺受理清单内，不能容缺")
    if state == MaterialState.COMMITTED and not row.commitment_allowed:
        raise GuardFailed(f"材料“{row.material.name}”不适用告知承诺")
    if state not in (
        MaterialState.WAIVED,
        MaterialState.COMMITTED,
        MaterialState.MISSING,
        MaterialState.PROVIDED,
    ):
        raise InvalidInput(f"材料状态“{state}”无效")
    old = row.state
    row.state = state
    row.evidence = evidence[:200]
    row.save(update_fields=["state", "evidence"])
    _event(
        application=application,
        case=None,
        action="mark_material",
        old=application.status,
        new=application.status,
        actor=actor,
        data={"material": material_key, "from": old, "to": state},
    )
    return row
