"""Materials of an application: uploads, 容缺 and 告知承诺 marks, supplying waived materials."""

from __future__ import annotations

from typing import Any

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
from onewindow.cases.selectors import applicant_commitment_bar, case_material_keys, online_token_holds
from onewindow.cases.services.core import _cancel_timer, _event
from onewindow.core.errors import GuardFailed, InvalidInput, InvalidTransition
from onewindow.core.timeutil import now
from onewindow.core.uploads import (
    MATERIAL_KINDS,
    CheckedUpload,
    discard_on_commit,
    stored_name,
    upload_check,
    upload_limit_bytes,
)
from onewindow.org.authz import require


def _material(application: Application, key: str) -> ApplicationMaterial:
    row = application.materials.select_related("material").filter(material__key=key).first()
    if row is None:
        raise InvalidInput(f"本申请不需要材料“{key}”", errors={"material": [key]})
    return row


def _check_upload(upload: UploadedFile) -> CheckedUpload:
    """PDF, JPG, PNG or OFD, name, declared type and content agreeing, the file opening, at most
    ONEWINDOW_MAX_UPLOAD_MB (default 20), virus-scanned when ONEWINDOW_CLAMD is set
    (``core.uploads.upload_check``; remembered, so a view's earlier check is not repeated)."""
    return upload_check(upload, kinds=MATERIAL_KINDS, max_bytes=upload_limit_bytes())


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
    checked = _check_upload(upload)
    supplying = row.state == MaterialState.WAIVED and application.status == ApplicationStatus.ACCEPTED
    replaced = row.file.name
    row.file.save(stored_name(checked), upload, save=False)  # a generated name, never the user's
    discard_on_commit(row.file.storage, replaced)
    row.original_name = checked.original_name
    row.content_type = checked.content_type
    row.size = checked.size
    row.sha256 = checked.sha256
    row.state = MaterialState.PROVIDED
    row.provided_at = now()
    if supplying:
        row.supplied_at = row.provided_at
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
    """A 容缺 material was supplied: each case that needed only supplied materials may go on (a
    waived material holds only the cases that need it); the timers stop once none is left."""
    still_waived = set(
        application.materials.filter(state=MaterialState.WAIVED).values_list("material__key", flat=True)
    )
    for case in Case.objects.filter(application=application, deficient=True).select_related("item_version"):
        if not still_waived & case_material_keys(case):
            Case.objects.filter(pk=case.pk).update(deficient=False)
    if still_waived:
        return
    _cancel_timer(TimerKind.SUPPLY_DEADLINE, application.pk)
    _cancel_timer(TimerKind.SUPPLY_REMINDER, application.pk)


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
    if state == MaterialState.COMMITTED and (bar := applicant_commitment_bar(application.applicant)):
        raise GuardFailed(f"{bar}，请提交“{row.material.name}”")
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
    row.provided_at = now() if state == MaterialState.PROVIDED else row.provided_at
    row.save(update_fields=["state", "evidence", "provided_at"])
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
