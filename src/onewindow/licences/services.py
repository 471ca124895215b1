"""Writes of the licences app: issuing, the licence lifecycle, proofs and verification requests.

Every function runs in one transaction and leaves an audit event. ``licence_transition`` is the
only place that assigns ``Licence.status`` (STYLE.md §4).
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from onewindow.audit.services import audit_record
from onewindow.clock.deadlines import due_date
from onewindow.clock.models import Calendar
from onewindow.clock.selectors import calendar_default, work_calendar
from onewindow.clock.workdays import Duration, Unit
from onewindow.core.errors import (
    ConcurrentChange,
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
)
from onewindow.core.lifecycle import SYSTEM, Lifecycle, Rule
from onewindow.core.numbers import sequence_next
from onewindow.core.timers import claim_due
from onewindow.core.timeutil import now, today
from onewindow.core.validation import full_clean_or_raise
from onewindow.licences import signing
from onewindow.licences.models import (
    IntegratedPermit,
    Licence,
    LicenceAction,
    LicenceEvent,
    LicenceStatus,
    LicenceType,
    ProofRequirement,
    ReplacementMethod,
    ValidityUnit,
    VerificationOutcome,
    VerificationRequest,
    VerificationStatus,
)
from onewindow.org import idcodes
from onewindow.org.models import Applicant, ApplicantKind, Department
from onewindow.org.selectors import staff_for_user

log = logging.getLogger(__name__)

# Product decision (issue #7): an inter-department verification is answered within 5 working
# days unless the requester sets another limit; the clock's working calendar counts them.
VERIFICATION_DEFAULT_DAYS = 5
# Holders are reminded this many natural days before a licence expires.
EXPIRY_REMINDER_DAYS = 30


class SigningKeyMissing(DomainError):
    code, status, title = "signing_key_missing", 409, "电子证照签名密钥不可用"


# --- keys ---------------------------------------------------------------------------------------


def key_dir() -> Path:
    return Path(settings.ONEWINDOW_KEY_DIR)


def signing_algorithm() -> str:
    value = getattr(settings, "ONEWINDOW_SIGNING_ALGORITHM", "ed25519")
    if value not in signing.Algorithm.__members__.values():
        raise SigningKeyMissing(f"ONEWINDOW_SIGNING_ALGORITHM 应为 ed25519 或 sm2，而不是“{value}”")
    return value


def signing_key_active() -> signing.SigningKey:
    """The deployment's active private key; raises ``SigningKeyMissing`` with the fix to apply."""
    algorithm = signing_algorithm()
    try:
        return signing.signing_key(key_dir(), algorithm)
    except signing.SigningKeyError as exc:
        fix = f"onewindow licence keygen --algorithm {algorithm}"
        raise SigningKeyMissing(f"没有可用的 {algorithm} 签名密钥（{exc}）：请运行 {fix}") from exc


def signing_key_generate(*, algorithm: str | None = None, actor: Any | None = None) -> signing.PublicKey:
    """Create a key pair in ``ONEWINDOW_KEY_DIR`` (the private key file is mode 0600).

    The new key signs every licence issued from now on; older public keys stay published.
    """
    algorithm = algorithm or signing_algorithm()
    key = signing.key_generate(key_dir=key_dir(), algorithm=algorithm, now=now())
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="licence.keygen",
            after={"key_id": key.key_id, "algorithm": key.algorithm.value},
        )
    return key


def signing_key_ensure(*, actor: Any | None = None) -> signing.PublicKey:
    """The active key's public part, creating a key pair first if there is none (demo set-up)."""
    try:
        return signing.signing_key(key_dir(), signing_algorithm()).public_key
    except signing.SigningKeyError:
        return signing_key_generate(actor=actor)


# --- issuing ------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, _calendar.monthrange(year, month)[1]))


def validity_end(licence_type: LicenceType, valid_from: dt.date) -> dt.date | None:
    """The last valid day: a 5-year licence valid from 2025-03-10 is valid until 2030-03-09."""
    if licence_type.validity_unit == ValidityUnit.PERMANENT:
        return None
    months = licence_type.validity_value * (12 if licence_type.validity_unit == ValidityUnit.YEARS else 1)
    return add_months(valid_from, months) - dt.timedelta(days=1)


class _SeqMarker:
    def __format__(self, spec: str) -> str:
        return "*"


def licence_number_next(*, licence_type: LicenceType, department: Department, on: dt.date) -> str:
    """The next free number of ``licence_type``, e.g. ``JY43070225000123``.

    The format comes from the type; the sequence counts separately for each stem (the number
    without its sequence), so each region and year starts again at 1: the counter
    ``licence:<stem>`` of ``core.numbers``.
    """
    stem, parts = licence_number_stem(licence_type=licence_type, region6=department.region.code[:6], on=on)
    return licence_type.number_format.format(seq=sequence_next(f"licence:{stem}"), **parts)


def licence_number_stem(
    *, licence_type: LicenceType, region6: str, on: dt.date
) -> tuple[str, dict[str, str]]:
    """The number without its sequence (``JY43070225*``: the counter's scope is ``licence:<stem>``)
    and the other parts of the type's number format."""
    parts = {
        "prefix": licence_type.number_prefix,
        "region": region6,
        "year": f"{on.year:04d}",
        "yy": f"{on.year % 100:02d}",
    }
    return licence_type.number_format.format(seq=_SeqMarker(), **parts), parts


def mask_holder_id(*, kind: str, id_number: str) -> str:
    """The holder's number as a verifier sees it (DESIGN.md §4: ID numbers are masked)."""
    if kind == ApplicantKind.PERSON:
        return idcodes.mask_resident_id(id_number)
    return idcodes.mask_uscc(id_number)


def payload_build(
    *,
    number: str,
    type_name: str,
    public_fields: list[str],
    holder_name: str,
    holder_kind: str,
    holder_id_number: str,
    issuer: str,
    valid_from: dt.date,
    expires_on: dt.date | None,
    data: dict[str, str],
    permits: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The canonical payload that is signed, from plain values: only what a verifier may see (the
    ID is masked). An integrated licence (一业一证) also lists its permits (``permit_entry``)."""
    payload = {
        "v": signing.PAYLOAD_VERSION,
        "number": number,
        "type": type_name,
        "holder": holder_name,
        "holder_id": mask_holder_id(kind=holder_kind, id_number=holder_id_number),
        "valid_from": valid_from.isoformat(),
        "expires_on": expires_on.isoformat() if expires_on else None,
        "issuer": issuer,
        "data": {k: data[k] for k in public_fields if k in data},
    }
    if permits:
        payload["permits"] = permits
    return payload


def licence_payload(
    *,
    number: str,
    licence_type: LicenceType,
    holder: Applicant,
    department: Department,
    valid_from: dt.date,
    expires_on: dt.date | None,
    data: dict[str, str],
    permits: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """``payload_build`` for a licence about to be issued."""
    return payload_build(
        number=number,
        type_name=licence_type.name,
        public_fields=licence_type.public_fields,
        holder_name=holder.name,
        holder_kind=holder.kind,
        holder_id_number=holder.id_number,
        issuer=department.name,
        valid_from=valid_from,
        expires_on=expires_on,
        data=data,
        permits=permits,
    )


# The data field that says what a permit allows, in order of preference; a permit without any of
# them is described by the item it was issued for (``事项``), then by its type.
SCOPE_FIELDS = ("经营范围", "经营项目", "许可项目", "许可范围", "服务范围", "食品类别", "主体业态")
SCOPE_MAX = 100


def permit_scope(*, type_name: str, public_fields: list[str], data: dict[str, str]) -> str:
    """What a permit allows, as an integrated licence lists it: one of its public scope fields,
    else the item it was issued for, else its type (never a non-public field)."""
    public = {k: data[k] for k in public_fields if data.get(k)}
    found = next((public[f] for f in SCOPE_FIELDS if f in public), None)
    return (found or data.get("事项") or type_name)[:SCOPE_MAX]


def permit_entry(
    *, type_name: str, number: str, scope: str, valid_from: dt.date | str, expires_on: dt.date | str | None
) -> dict[str, Any]:
    """One permit as an integrated licence's signed payload lists it: type, number, scope, validity."""
    return {
        "type": type_name,
        "number": number,
        "scope": scope,
        "valid_from": valid_from if isinstance(valid_from, str) else valid_from.isoformat(),
        "expires_on": expires_on
        if expires_on is None or isinstance(expires_on, str)
        else expires_on.isoformat(),
    }


def _permit_entry_of(permit: Licence) -> dict[str, Any]:
    return permit_entry(
        type_name=permit.licence_type.name,
        number=permit.number,
        scope=permit_scope(
            type_name=permit.licence_type.name,
            public_fields=permit.licence_type.public_fields,
            data=permit.data,
        ),
        valid_from=permit.valid_from,
        expires_on=permit.expires_on,
    )


def _clean_data(data: dict[str, Any] | None) -> dict[str, str]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput("证照内容应为“字段名: 内容”的对象")
    cleaned = {}
    for key, value in data.items():
        if not isinstance(key, str) or not key.strip() or len(key) > 50:
            raise InvalidInput("证照内容的字段名不能为空，且不超过50字")
        if value is None or isinstance(value, dict | list):
            raise InvalidInput(f"证照内容“{key}”应为文字或数字")
        cleaned[key.strip()] = str(value).strip()
    return cleaned


@transaction.atomic
def licence_issue(
    *,
    licence_type: LicenceType,
    holder: Applicant,
    actor: Any | None,
    data: dict[str, Any] | None = None,
    valid_from: dt.date | None = None,
    expires_on: dt.date | None = None,
    department: Department | None = None,
    source_case_no: str = "",
    source_case_id: int | None = None,
    parent: Licence | None = None,
    integrates: Sequence[Licence] = (),
) -> Licence:
    """Issue a signed licence to ``holder`` and put it in the licence library.

    ``valid_from`` defaults to today and ``expires_on`` to the type's validity rule. A licence
    that is not a business licence is linked to the holder's valid business licence
    (一照多证) unless ``parent`` is given. ``integrates`` (``licence_issue_integrated`` checks
    them) are the permits an integrated licence lists, signed with it. Raises ``InvalidInput``
    for inconsistent dates or data, ``DomainError`` for an inactive type or a parent of another
    holder, ``SigningKeyMissing`` when no signing key has been created.
    """
    if not licence_type.is_active:
        raise DomainError(f"证照类型“{licence_type.name}”已停用")
    department = department or licence_type.department
    valid_from = valid_from or today()
    if expires_on is None:
        expires_on = validity_end(licence_type, valid_from)
    if expires_on is not None and expires_on < valid_from:
        raise InvalidInput("有效期至不能早于有效期起")
    cleaned = _clean_data(data)
    if parent is None and not licence_type.is_master:
        parent = (
            Licence.objects.filter(holder=holder, licence_type__is_master=True, status=LicenceStatus.VALID)
            .order_by("-issued_at")
            .first()
        )
    if parent is not None and parent.holder_id != holder.pk:
        raise DomainError("一照多证只能关联同一持证主体的营业执照")
    key = signing_key_active()
    issued_at = now()
    number = licence_number_next(licence_type=licence_type, department=department, on=issued_at.date())
    payload = licence_payload(
        number=number,
        licence_type=licence_type,
        holder=holder,
        department=department,
        valid_from=valid_from,
        expires_on=expires_on,
        data=cleaned,
        permits=[_permit_entry_of(p) for p in integrates],
    )
    message = signing.canonical_bytes(payload)
    licence = Licence(
        number=number,
        licence_type=licence_type,
        holder=holder,
        holder_name=holder.name,
        holder_id_number=holder.id_number,
        department=department,
        issued_at=issued_at,
        valid_from=valid_from,
        expires_on=expires_on,
        data=cleaned,
        status=LicenceStatus.VALID,
        source_case_no=source_case_no,
        source_case_id=source_case_id,
        parent=parent,
        payload=payload,
        signature_algorithm=key.algorithm.value,
        signature_key_id=key.key_id,
        payload_hash=signing.payload_hash(payload),
        signature=signing.b64url_encode(key.sign(message)),
    )
    full_clean_or_raise(licence, exclude=["licence_type", "holder", "department", "parent"])
    licence.save()
    IntegratedPermit.objects.bulk_create(
        IntegratedPermit(integrated=licence, permit=permit, position=index)
        for index, permit in enumerate(integrates, start=1)
    )
    LicenceEvent.objects.create(
        licence=licence,
        action=LicenceAction.ISSUE,
        from_status="",
        to_status=LicenceStatus.VALID,
        actor=actor if getattr(actor, "pk", None) else None,
        created_at=issued_at,
        reason=f"办件 {source_case_no}" if source_case_no else "",
    )
    audit_record(
        actor=actor,
        action="licence.issue",
        target=licence,
        after={
            "number": number,
            "type": licence_type.name,
            "holder": payload["holder_id"],
            "expires_on": payload["expires_on"],
            "case_no": source_case_no,
            "key_id": key.key_id,
            **({"permits": [p.number for p in integrates]} if integrates else {}),
        },
    )
    return licence


# --- 一业一证: the integrated licence -----------------------------------------------------------

# Seed 000: "将一个行业「以部门为中心」的单个事项审批，变为如今「以企业为中心」的一张许可证，实现准入后
# 「一证准营」「拿证即开业」". Each 一业一证 bundle's licence is a type of its own, named after it.
INTEGRATED_TYPE_NAME = "行业综合许可证（{bundle}）"


def integrated_type_name(bundle_name: str) -> str:
    """The licence type of a 一业一证 bundle's integrated licence: 行业综合许可证（开办药店“一业一证”）."""
    return INTEGRATED_TYPE_NAME.format(bundle=(bundle_name or "").strip())


def _lock_permits(permits: Sequence[Licence]) -> list[Licence]:
    """The permits, re-read and locked in id order (``SELECT … FOR UPDATE`` on PostgreSQL): two
    decisions finishing the same bundle at once integrate them once."""
    locked = {
        p.pk: p
        for p in Licence.objects.select_for_update()
        .select_related("licence_type")
        .filter(pk__in=[p.pk for p in permits])
        .order_by("pk")
    }
    return [locked[p.pk] for p in permits]


def _permit_usable(permit: Licence, holder: Applicant, on: dt.date) -> None:
    if permit.holder_id != holder.pk:
        raise DomainError(f"{permit.licence_type.name} {permit.number} 不是“{holder.name}”的证照，不能整合")
    if permit.status != LicenceStatus.VALID or (permit.expires_on is not None and permit.expires_on < on):
        raise DomainError(f"{permit.licence_type.name} {permit.number} 当前无效，不能整合进行业综合许可证")
    if permit.licence_type.is_master:
        raise DomainError("营业执照是主照，不整合进行业综合许可证（一照多证另行关联）")


@transaction.atomic
def licence_issue_integrated(
    *,
    holder: Applicant,
    bundle_name: str,
    permits: Sequence[Licence],
    actor: Any | None,
    department: Department | None = None,
    bundle_code: str = "",
    source_case_no: str = "",
    source_case_id: int | None = None,
) -> Licence:
    """Issue the integrated licence (行业综合许可证) of a 一业一证 bundle to ``holder``: one signed
    e-licence, verifiable by one QR code, listing each permit's type, number, scope and validity.

    Its type is ``integrated_type_name(bundle_name)``; it is issued by ``department`` (default the
    type's) and is valid from today until the first of its permits expires (it cannot outlast
    them). The permits stay in the licence library with their own lifecycle; a change of one shows
    on the integrated licence (``licence_transition``, ``selectors.licence_verify``). Raises
    ``InvalidInput`` for fewer than two permits or one listed twice; ``NotFound`` when the type
    does not exist; ``DomainError`` for a permit of another holder, one not valid now, a business
    licence, or one already integrated; ``SigningKeyMissing`` without a signing key.
    """
    permits = list(permits)
    if len(permits) < 2:
        raise InvalidInput("行业综合许可证至少整合两项许可")
    if len({p.pk for p in permits}) != len(permits):
        raise InvalidInput("同一许可不能重复整合")
    name = integrated_type_name(bundle_name)
    licence_type = LicenceType.objects.select_related("department").filter(name=name).first()
    if licence_type is None:
        raise NotFound(f"证照类型“{name}”不存在：请在管理后台添加")
    permits = _lock_permits(permits)
    on = today()
    for permit in permits:
        _permit_usable(permit, holder, on)
    taken = (
        IntegratedPermit.objects.filter(permit__in=permits)
        .select_related("permit", "integrated")
        .order_by("pk")
        .first()
    )
    if taken is not None:
        raise DomainError(f"{taken.permit.number} 已整合进行业综合许可证 {taken.integrated.number}")
    ends = [p.expires_on for p in permits if p.expires_on is not None]
    data = {"事项": bundle_name.strip()}
    if bundle_code:
        data["一业一证编码"] = bundle_code
    return licence_issue(
        licence_type=licence_type,
        holder=holder,
        actor=actor,
        data=data,
        valid_from=on,
        expires_on=min(ends) if ends else None,
        department=department,
        source_case_no=source_case_no,
        source_case_id=source_case_id,
        integrates=permits,
    )


@transaction.atomic
def integrated_licence_issue_if_complete(
    *,
    holder: Applicant,
    bundle_name: str,
    permits: Sequence[Licence | None],
    actor: Any | None,
    department: Department | None = None,
    bundle_code: str = "",
    source_case_no: str = "",
    source_case_id: int | None = None,
) -> Licence | None:
    """The integrated licence of a 一业一证 application once all its permits are issued.

    ``permits`` has one entry per case of the application whose item issues a licence, in the
    bundle option's order: its licence, or ``None`` while it has none (not decided yet, or denied:
    then there is no integrated licence and the permits issued stand on their own). Returns
    ``None`` while any entry is ``None`` or when there are fewer than two; the integrated licence
    already issued for exactly these permits when called again; otherwise issues it
    (``licence_issue_integrated``, whose errors it raises).
    """
    if len(permits) < 2 or any(p is None for p in permits):
        return None
    permits = _lock_permits(permits)  # a concurrent call waits here, then finds the first one's
    existing = (
        Licence.objects.filter(permit_links__permit=permits[0]).prefetch_related("permit_links").first()
    )
    if existing is not None and {link.permit_id for link in existing.permit_links.all()} == {
        p.pk for p in permits
    }:
        return existing
    return licence_issue_integrated(
        holder=holder,
        bundle_name=bundle_name,
        permits=permits,
        actor=actor,
        department=department,
        bundle_code=bundle_code,
        source_case_no=source_case_no,
        source_case_id=source_case_id,
    )


def _note_on_integrated(
    permit: Licence, *, target: str, reason: str, actor: Any | None, successor: Licence | None = None
) -> None:
    """A permit that an integrated licence lists changed state: that licence's history records it
    (its verification reads the permits' states when asked, so nothing else changes). A permit
    superseded (换发) or cancelled (注销) leaves the integrated licence partly invalid, as a
    revoked one does; the note names a superseded permit's new number."""
    for integrated in Licence.objects.filter(permit_links__permit=permit):
        label = LicenceStatus(target).label
        note = f"{permit.licence_type.name} {permit.number} {label}"
        if successor is not None:
            note += f"（新证 {successor.number}）"
        note += f"：{reason}" if reason else ""
        LicenceEvent.objects.create(
            licence=integrated,
            action=LicenceAction.PERMIT,
            from_status=integrated.status,
            to_status=integrated.status,
            reason=note[:500],
            actor=actor if getattr(actor, "pk", None) else None,
            created_at=now(),
        )
        audit_record(
            actor=actor,
            action="licence.permit_change",
            target=integrated,
            after={
                "permit": permit.number,
                "status": target,
                "reason": reason,
                **({"superseded_by": successor.number} if successor is not None else {}),
            },
        )


# --- lifecycle ----------------------------------------------------------------------------------

S, A = LicenceStatus, LicenceAction


# Guards are called with the whole context of ``licence_transition`` (reason, on, by) and take
# what they need.


def _require_reason(licence: Licence, *, reason: str, **_context: Any) -> None:
    if not reason.strip():
        raise InvalidInput("须写明原因（如：告知承诺核查不实）")


def _require_past_expiry(licence: Licence, *, on: dt.date, **_context: Any) -> None:
    if licence.expires_on is None or licence.expires_on >= on:
        raise InvalidTransition("证照尚在有效期内，不能按到期失效处理")


def _require_not_past_expiry(licence: Licence, *, on: dt.date, **_context: Any) -> None:
    if licence.expires_on is not None and licence.expires_on < on:
        raise InvalidTransition("证照已过有效期，不能恢复")


def _require_successor(licence: Licence, *, by: Licence | None, on: dt.date, **_context: Any) -> None:
    """换发: the new licence replaces this one, so it must be another licence of the same holder
    and type that is valid now (the verify page sends inspectors to it)."""
    if by is None:
        raise InvalidInput("换发须指明换发后的新证")
    if by.pk == licence.pk:
        raise InvalidInput("换发后的新证不能是原证照本身")
    if by.holder_id != licence.holder_id:
        raise InvalidInput(
            f"新证 {by.number} 不是原持证主体“{licence.holder_name}”的证照，不能作为换发后的证照"
        )
    if by.licence_type_id != licence.licence_type_id:
        raise InvalidInput(
            f"新证 {by.number} 与原证照不是同一证照类型（{licence.licence_type.name}），不能作为换发后的证照"
        )
    if by.status != LicenceStatus.VALID or (by.expires_on is not None and by.expires_on < on):
        raise InvalidInput(f"新证 {by.number} 当前无效，不能作为换发后的证照")


# Who may move a licence is decided by the callers (the case's decision, the post-verification,
# the expiry timer); the table holds the states, the labels and the guards.
LICENCE = Lifecycle(
    noun="证照",
    states=LicenceStatus,
    table={
        (S.VALID, A.SUSPEND): Rule(S.SUSPENDED, SYSTEM, str(A.SUSPEND.label)),
        (S.SUSPENDED, A.RESUME): Rule(S.VALID, SYSTEM, str(A.RESUME.label)),
        (S.VALID, A.REVOKE): Rule(S.REVOKED, SYSTEM, str(A.REVOKE.label)),
        (S.SUSPENDED, A.REVOKE): Rule(S.REVOKED, SYSTEM, str(A.REVOKE.label)),
        (S.VALID, A.EXPIRE): Rule(S.EXPIRED, SYSTEM, str(A.EXPIRE.label)),
        (S.SUSPENDED, A.EXPIRE): Rule(S.EXPIRED, SYSTEM, str(A.EXPIRE.label)),
        # 变更登记 re-issues the licence (《市场主体登记管理条例》第二十四条): the old one is 已换发.
        (S.VALID, A.SUPERSEDE): Rule(S.SUPERSEDED, SYSTEM, str(A.SUPERSEDE.label)),
        (S.SUSPENDED, A.SUPERSEDE): Rule(S.SUPERSEDED, SYSTEM, str(A.SUPERSEDE.label)),
        # 注销登记 ends the entity (同条例第三十一条) and its licences lapse with it: 已注销, not 吊销.
        (S.VALID, A.CANCEL): Rule(S.CANCELLED, SYSTEM, str(A.CANCEL.label)),
        (S.SUSPENDED, A.CANCEL): Rule(S.CANCELLED, SYSTEM, str(A.CANCEL.label)),
        # REVOKED, EXPIRED, SUPERSEDED and CANCELLED are final: no rule leaves them.
    },
    guards={
        (S.VALID, A.SUSPEND): (_require_reason,),
        (S.SUSPENDED, A.RESUME): (_require_not_past_expiry,),
        (S.VALID, A.REVOKE): (_require_reason,),
        (S.SUSPENDED, A.REVOKE): (_require_reason,),
        (S.VALID, A.EXPIRE): (_require_past_expiry,),
        (S.SUSPENDED, A.EXPIRE): (_require_past_expiry,),
        (S.VALID, A.SUPERSEDE): (_require_reason, _require_successor),
        (S.SUSPENDED, A.SUPERSEDE): (_require_reason, _require_successor),
        (S.VALID, A.CANCEL): (_require_reason,),
        (S.SUSPENDED, A.CANCEL): (_require_reason,),
    },
)


@transaction.atomic
def licence_transition(
    *,
    licence: Licence,
    action: str,
    actor: Any | None,
    reason: str = "",
    on: dt.date | None = None,
    by: Licence | None = None,
) -> Licence:
    """Move ``licence`` by ``action`` (suspend / resume / revoke / expire / supersede / cancel)
    through the ``LICENCE`` lifecycle.

    Appends a ``LicenceEvent`` and an audit event. Raises ``InvalidTransition`` for a move the
    table does not allow (e.g. resuming a revoked, superseded or cancelled licence),
    ``InvalidInput`` when a reason is required and missing or, for supersede, ``by`` (the new
    licence, stored as ``superseded_by``) is not a valid licence of the same holder and type;
    ``ConcurrentChange`` when someone else changed the licence first. ``on`` is the day the
    guards judge expiry by (default today; the expiry timer passes its day).
    """
    action = LicenceAction(action)
    reason = (reason or "").strip()[:500]
    current = LicenceStatus(licence.status)
    target = LICENCE.check(licence, action, reason=reason, on=on or today(), by=by).target
    successor = by if action == A.SUPERSEDE else None
    LICENCE.move(
        Licence,
        licence.pk,
        old=current,
        target=target,
        conflict="证照状态已被他人修改，请刷新后重试",
        status_reason=reason,
        **({"superseded_by": successor} if successor is not None else {}),
    )
    LicenceEvent.objects.create(
        licence=licence,
        action=action,
        from_status=current,
        to_status=target,
        reason=reason,
        actor=actor if getattr(actor, "pk", None) else None,
        created_at=now(),
    )
    audit_record(
        actor=actor,
        action=f"licence.{action.value}",
        target=licence,
        before={"status": current.value},
        after={
            "status": target,
            "reason": reason,
            **({"superseded_by": successor.number} if successor is not None else {}),
        },
    )
    _note_on_integrated(licence, target=target, reason=reason, actor=actor, successor=successor)
    licence.refresh_from_db()
    return licence


def licence_suspend(*, licence: Licence, actor: Any | None, reason: str) -> Licence:
    """暂停: the licence stops being valid until resumed (e.g. during a rectification order)."""
    return licence_transition(licence=licence, action=A.SUSPEND, actor=actor, reason=reason)


def licence_resume(*, licence: Licence, actor: Any | None, reason: str = "") -> Licence:
    """恢复 a suspended licence that has not expired meanwhile."""
    return licence_transition(licence=licence, action=A.RESUME, actor=actor, reason=reason)


def licence_revoke(*, licence: Licence, actor: Any | None, reason: str) -> Licence:
    """吊销/撤销 a licence, e.g. after a failed post-verification of a commitment (告知承诺核查不实).

    Final: a revoked licence cannot be resumed. Raises ``InvalidInput`` without a reason.
    """
    return licence_transition(licence=licence, action=A.REVOKE, actor=actor, reason=reason)


@transaction.atomic
def licence_supersede(*, licence: Licence, by: Licence, actor: Any | None, reason: str) -> Licence:
    """换发: ``by`` replaces ``licence`` (变更登记 re-issues the 营业执照, 《市场主体登记管理条例》
    第二十四条); the old licence becomes 已换发, stays verifiable as such and points to ``by``.

    Final. ``by`` is re-read and locked first, so a new licence revoked at the same moment is not
    taken. Raises ``InvalidInput`` without a reason or when ``by`` is the licence itself, belongs
    to another holder, is of another type or is not valid now; ``NotFound`` when ``by`` is not in
    the library; ``InvalidTransition`` when ``licence`` is neither valid nor suspended.
    """
    locked = Licence.objects.select_for_update().filter(pk=by.pk).first()
    if locked is None:
        raise NotFound(f"证号 {by.number} 不存在")
    return licence_transition(licence=licence, action=A.SUPERSEDE, actor=actor, reason=reason, by=locked)


def licence_cancel(*, licence: Licence, actor: Any | None, reason: str) -> Licence:
    """注销: the holder was deregistered (注销登记, 《市场主体登记管理条例》第三十一条) and the licence
    lapses with it; shown as 已注销, which is no penalty (unlike 吊销).

    Final. Raises ``InvalidInput`` without a reason, ``InvalidTransition`` when the licence is
    neither valid nor suspended.
    """
    return licence_transition(licence=licence, action=A.CANCEL, actor=actor, reason=reason)


def _handled(results: list[tuple[int, str]]) -> int:
    return sum(1 for _pk, result in results if not result.startswith("refused: "))


def _expire(on: dt.date, limit: int | None) -> list[tuple[int, str]]:
    from onewindow.licences.selectors import licences_past_expiry  # the selectors import services

    def expire(licence: Licence) -> str:
        licence_transition(
            licence=licence, action=A.EXPIRE, actor=None, reason=f"有效期至 {licence.expires_on}", on=on
        )
        return f"expired {licence.number}"

    return claim_due(licences_past_expiry(on), limit=limit, fire=expire)


def licences_expire_due(*, on: dt.date | None = None, dry_run: bool = False) -> int:
    """Mark every valid or suspended licence whose last valid day is before ``on`` as expired.

    Idempotent (a second run finds nothing); safe for several workers: each licence is claimed by
    ``core.timers.claim_due`` and moves only from the status it was read in. Returns how many
    licences expired (``dry_run``: how many would).
    """
    on = on or today()
    if dry_run:
        from onewindow.licences.selectors import licences_past_expiry

        return licences_past_expiry(on).count()
    return _handled(_expire(on, None))


def _remind(on: dt.date, within_days: int, limit: int | None) -> list[tuple[int, str]]:
    from onewindow.licences.selectors import licences_to_remind

    def remind(licence: Licence) -> str:
        LicenceEvent.objects.create(
            licence=licence,
            action=A.REMIND,
            from_status=licence.status,
            to_status=licence.status,
            reason=f"将于 {licence.expires_on} 到期",
            created_at=now(),
        )
        audit_record(
            actor=None, action="licence.remind", target=licence, after={"expires_on": licence.expires_on}
        )
        return f"expiry reminder {licence.number}"

    return claim_due(licences_to_remind(on, within_days), limit=limit, fire=remind)


def licences_remind_expiring(*, on: dt.date | None = None, within_days: int = EXPIRY_REMINDER_DAYS) -> int:
    """Record one expiry reminder (到期提醒) for each valid licence expiring within ``within_days``.

    Idempotent: a licence is reminded once (each claimed by ``core.timers.claim_due``). The
    notification itself is sent by the caller.
    """
    return _handled(_remind(on or today(), within_days, None))


# --- proof-free: verification requests ----------------------------------------------------------


def _require_speaks_for(actor: Any | None, department: Department) -> None:
    """A verification request goes out in a department's name, so its staff file it: the actor's
    own department or one below it. A window officer's role covers every department of the hall's
    region (for intake), which does not make them that department (issue 17). The system (no
    actor) and a superuser may file for any department. Raises ``PermissionDenied``."""
    if actor is None or not getattr(actor, "pk", None) or actor.is_superuser:
        return
    staff = staff_for_user(user=actor)
    own = staff.department_id if staff is not None else None
    place: Department | None = department
    for _level in range(20):  # a shallow tree; a cycle in bad data must not loop forever
        if place is None or own is None:
            break
        if place.pk == own:
            return
        place = place.parent
    raise PermissionDenied(f"只能以本人所在部门的名义发起部门协查，不能以“{department.name}”的名义发起")


@transaction.atomic
def verification_request_create(
    *,
    actor: Any | None,
    requesting_department: Department,
    responding_department: Department,
    subject: Applicant,
    question: str,
    case_no: str = "",
    proof: ProofRequirement | None = None,
    days: int = VERIFICATION_DEFAULT_DAYS,
) -> VerificationRequest:
    """Ask another department to verify a fact instead of asking the applicant for a proof (部门协查).

    The answer is due ``days`` working days after today, on the national working calendar (the
    day of the request is not counted). Raises ``InvalidInput`` for an empty question, a
    department asking itself or a limit outside 1–30; ``CalendarNotLoaded`` without a calendar;
    ``PermissionDenied`` if the actor is not staff of the requesting department
    (``_require_speaks_for``).
    """
    _require_speaks_for(actor, requesting_department)
    question = (question or "").strip()
    if not question:
        raise InvalidInput("须填写协查内容")
    if requesting_department.pk == responding_department.pk:
        raise InvalidInput("协查部门不能是发起部门本身")
    if not 1 <= days <= 30:
        raise InvalidInput("答复期限应为1至30个工作日")
    created_at = now()
    due_on, provisional = due_date(created_at, Duration(days, Unit.WORKDAY), work_calendar())
    request = VerificationRequest(
        requesting_department=requesting_department,
        responding_department=responding_department,
        subject=subject,
        proof=proof,
        question=question,
        case_no=(case_no or "").strip(),
        due_on=due_on,
        limit_days=days,
        due_provisional=provisional,
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=created_at,
    )
    full_clean_or_raise(
        request, exclude=["requesting_department", "responding_department", "subject", "proof"]
    )
    request.save()
    audit_record(
        actor=actor,
        action="verification_request.create",
        target=request,
        after={
            "from": requesting_department.code,
            "to": responding_department.code,
            "due_on": request.due_on,
            "due_provisional": provisional,
            "case_no": request.case_no,
        },
    )
    return request


def verification_requests_recompute_for_calendar(calendar: Calendar, years: frozenset[int]) -> int:
    """``clock.hooks`` handler: open verification requests count on the national default calendar;
    when it changes, recount each whose day is provisional or in or after a changed year."""
    if calendar.pk != calendar_default().pk:
        return 0
    rows = VerificationRequest.objects.filter(status=VerificationStatus.OPEN, limit_days__isnull=False)
    first_changed = min(years, default=None)
    if first_changed is not None:
        rows = rows.filter(Q(due_provisional=True) | Q(due_on__gte=dt.date(first_changed, 1, 1)))
    else:
        rows = rows.filter(due_provisional=True)
    cal = work_calendar(calendar)
    count = 0
    for request in rows.iterator(chunk_size=2000):
        due_on, provisional = due_date(request.created_at, Duration(request.limit_days, Unit.WORKDAY), cal)
        if (due_on, provisional) != (request.due_on, request.due_provisional):
            count += VerificationRequest.objects.filter(pk=request.pk).update(
                due_on=due_on, due_provisional=provisional
            )
    return count


@transaction.atomic
def verification_request_answer(
    *, request: VerificationRequest, actor: Any | None, outcome: str, answer: str = ""
) -> VerificationRequest:
    """Record the responding department's answer; an overdue request can still be answered.

    Raises ``InvalidTransition`` if it was answered already, ``InvalidInput`` for an unknown
    outcome, ``ConcurrentChange`` if someone answered at the same moment.
    """
    if request.status == VerificationStatus.ANSWERED:
        raise InvalidTransition("该协查已答复")
    if outcome not in VerificationOutcome.values:
        raise InvalidInput(f"协查结论应为：{'、'.join(VerificationOutcome.values)}")
    answered_at = now()
    moved = VerificationRequest.objects.filter(pk=request.pk, status=request.status).update(
        status=VerificationStatus.ANSWERED,
        outcome=outcome,
        answer=(answer or "").strip(),
        answered_at=answered_at,
        answered_by=actor if getattr(actor, "pk", None) else None,
    )
    if moved != 1:
        raise ConcurrentChange("该协查已被他人处理，请刷新后重试")
    audit_record(
        actor=actor,
        action="verification_request.answer",
        target=request,
        before={"status": request.status},
        after={"status": VerificationStatus.ANSWERED, "outcome": outcome, "late": today() > request.due_on},
    )
    request.refresh_from_db()
    return request


@transaction.atomic
def _mark_overdue(on: dt.date, limit: int | None) -> list[tuple[int, str]]:
    from onewindow.licences.selectors import verification_requests_past_due

    def mark(request: VerificationRequest) -> str:
        if not VerificationRequest.objects.filter(pk=request.pk, status=VerificationStatus.OPEN).update(
            status=VerificationStatus.OVERDUE
        ):
            raise ConcurrentChange("协查请求已被他人处理")
        audit_record(actor=None, action="verification_request.overdue", target=request)
        return f"verification request {request.pk} overdue"

    return claim_due(verification_requests_past_due(on), limit=limit, fire=mark)


def verification_requests_mark_overdue(*, on: dt.date | None = None) -> int:
    """Mark open requests whose due day has passed as overdue (timer; idempotent, each claimed
    by ``core.timers.claim_due``). Returns how many were marked."""
    return _handled(_mark_overdue(on or today(), None))


# --- demo data ----------------------------------------------------------------------------------

DEMO_CATALOGUE = Path(__file__).resolve().parent.parent / "catalog" / "data" / "demo_catalogue.yaml"

# name: (issuing department, prefix, validity unit, validity value, master?, public fields, source)
DEMO_TYPES: dict[str, tuple[str, str, str, int | None, bool, list[str]]] = {
    "营业执照": ("SCJG", "YZ", ValidityUnit.PERMANENT, None, True, ["类型", "住所", "经营范围"]),
    "食品经营许可证": ("SCJG", "JY", ValidityUnit.YEARS, 5, False, ["经营场所", "主体业态", "经营项目"]),
    "食品生产许可证": ("SCJG", "SC", ValidityUnit.YEARS, 5, False, ["生产地址", "食品类别"]),
    "公共场所卫生许可证": ("WJ", "WS", ValidityUnit.YEARS, 4, False, ["单位地址", "许可项目"]),
    "超限运输车辆通行证": ("JT", "CX", ValidityUnit.MONTHS, 1, False, ["车牌号", "通行路线"]),
    "人力资源服务许可证": ("RS", "RL", ValidityUnit.YEARS, 5, False, ["服务范围"]),
    "不动产权证书": ("BDC", "BDC", ValidityUnit.PERMANENT, None, False, ["坐落", "用途"]),
    "结婚证": ("MZ", "JH", ValidityUnit.PERMANENT, None, False, []),
    "出生医学证明": ("WJ", "CSYX", ValidityUnit.PERMANENT, None, False, []),
    "居民户口簿": ("GA", "HKB", ValidityUnit.PERMANENT, None, False, []),
}

# Proofs cancelled or replaced (seed 001 泸州“0证明城市”, seed 002 常德武陵区“零证明”).
DEMO_PROOFS: list[dict[str, str]] = [
    {
        "name": "居住证明",
        "issuer": "村（社区）居委会",
        "asked_by": "户籍、社会救助等事项",
        "method": "verification",
        "seed": "002",
        "note": "取消村(社区)等基层单位证明事项76项",
        "basis": "由审批部门向公安部门协查",
    },
    {
        "name": "亲属关系证明",
        "issuer": "村（社区）居委会",
        "asked_by": "社会救助、继承等事项",
        "method": "data_sharing",
        "replaced_by": "data:household_registry",
        "seed": "002",
        "note": "取消村(社区)等基层单位证明事项76项",
    },
    {
        "name": "无业证明",
        "issuer": "村（社区）居委会",
        "asked_by": "就业困难人员认定",
        "method": "commitment",
        "seed": "002",
        "note": "取消村(社区)等基层单位证明事项76项",
        "basis": "证明事项告知承诺制",
    },
    {
        "name": "出生信息证明",
        "issuer": "医院、公安",
        "asked_by": "出生一件事",
        "method": "data_sharing",
        "replaced_by": "data:household_registry",
        "seed": "002",
        "note": "12类高频证明：出生信息统一归集",
    },
    {
        "name": "社保缴纳证明",
        "issuer": "人社部门",
        "asked_by": "人才引进、购房资格审核",
        "method": "data_sharing",
        "replaced_by": "data:social_insurance",
        "seed": "002",
        "note": "12类高频证明：社保信息统一归集",
    },
    {
        "name": "房产信息证明",
        "issuer": "不动产登记中心",
        "asked_by": "入学、落户",
        "method": "data_sharing",
        "replaced_by": "data:real_estate_registry",
        "seed": "002",
        "note": "12类高频证明：房产信息统一归集",
    },
    {
        "name": "营业执照复印件",
        "issuer": "市场监管部门",
        "asked_by": "涉企审批事项",
        "method": "data_sharing",
        "replaced_by": "licence:营业执照",
        "seed": "002",
        "note": "涉企证照实现“多证合一”，电子证照免提交",
    },
    {
        "name": "离职证明",
        "issuer": "原工作单位",
        "asked_by": "住房公积金提取（离职）",
        "method": "cancelled",
        "seed": "001",
        "note": "“离职”提取住房公积金不再提供离职证明",
        "basis": "法无规定一律取消",
    },
    {
        "name": "生活困难证明",
        "issuer": "所在单位",
        "asked_by": "住房公积金提取（重大疾病）",
        "method": "cancelled",
        "seed": "001",
        "note": "“重大疾病”提取住房公积金不再提供单位出具的生活困难证明",
    },
    {
        "name": "收入证明",
        "issuer": "工作单位",
        "asked_by": "住房公积金贷款审批",
        "method": "self_check",
        "seed": "001",
        "note": "贷款审批取消收入证明、工资流水等办理要件",
        "basis": "由公积金中心核查缴存记录",
    },
    {
        "name": "体检证明",
        "issuer": "医疗机构",
        "asked_by": "驾驶证申领",
        "method": "data_sharing",
        "replaced_by": "data:health_records",
        "seed": "001",
        "note": "公安机关与医疗机构联网核查体检证明",
    },
    {
        "name": "无犯罪记录证明",
        "issuer": "公安派出所",
        "asked_by": "人力资源服务许可等",
        "method": "verification",
        "seed": "001",
        "note": "泸州“0证明城市”部门间协查",
        "basis": "由审批部门向公安部门协查",
    },
]


@dataclass(frozen=True)
class DemoSummary:
    licence_types: int
    proofs: int
    key_id: str

    def __str__(self) -> str:
        return f"{self.licence_types} licence types, {self.proofs} proofs, signing key {self.key_id}"


# An integrated licence (一业一证) is issued by the 行政审批服务局 that handles the bundle; it has no
# validity of its own (it ends with the first of its permits) and shows the bundle's name.
INTEGRATED_SPEC = ("XZSP", "ZH", ValidityUnit.PERMANENT, None, False, ["事项"])


def _catalogue_types(path: Path) -> dict[str, str]:
    """Licence type name → issuing department code, from the demo catalogue's results, and the
    integrated licence type of each 一业一证 bundle."""
    if not path.is_file():
        return {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~10× faster
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}  # noqa: S506 - a safe loader
    found: dict[str, str] = {}
    for bundle in document.get("bundles") or []:
        if (bundle or {}).get("kind") == "one_industry_one_licence" and bundle.get("name"):
            found[integrated_type_name(str(bundle["name"]))] = INTEGRATED_SPEC[0]
    for item in document.get("items") or []:
        result = ((item or {}).get("version") or {}).get("result") or {}
        name = result.get("licence_type")
        if name:
            found.setdefault(str(name), str(item.get("department") or "XZSP"))
    for material in document.get("materials") or []:
        kind, _sep, name = str((material or {}).get("satisfied_by") or "").partition(":")
        if kind == "licence" and name:
            found.setdefault(name, "XZSP")
    return found


def _prefix_for(name: str) -> str:
    # Licence numbers conventionally start with the initials of the licence name (JY 经营, SC 生产).
    from pypinyin import Style, lazy_pinyin  # ~55 MB of dictionary: only when a prefix is needed

    letters = "".join(p[:1] for p in lazy_pinyin(name[:2], style=Style.FIRST_LETTER)).upper()
    return "".join(c for c in letters if "A" <= c <= "Z") or "ZZ"


@transaction.atomic
def licences_load_demo(*, actor: Any | None = None, catalogue: Path = DEMO_CATALOGUE) -> DemoSummary:
    """Create the licence types the demo catalogue issues or accepts, the proof registry from seeds
    001/002, and a signing key if the deployment has none. Idempotent; needs the demo organisation."""
    wanted = {name: spec[0] for name, spec in DEMO_TYPES.items()}
    for name, dept_code in _catalogue_types(catalogue).items():
        wanted.setdefault(name, dept_code)
    departments = {d.code: d for d in Department.objects.filter(region__code="430702000000")}
    created_types = 0
    for name, dept_code in wanted.items():
        if name.startswith(integrated_type_name("")[:-1]):
            dept_code, prefix, unit, value, master, public = INTEGRATED_SPEC
        else:
            dept_code, prefix, unit, value, master, public = DEMO_TYPES.get(
                name, (dept_code, _prefix_for(name), ValidityUnit.YEARS, 5, False, [])
            )
        department = departments.get(dept_code) or departments.get("XZSP")
        if department is None:
            raise DomainError("请先载入演示组织机构（onewindow load-demo）")
        if LicenceType.objects.filter(name=name).exists():
            continue
        licence_type = LicenceType(
            name=name,
            department=department,
            number_prefix=prefix,
            validity_unit=unit,
            validity_value=value,
            is_master=master,
            public_fields=public,
        )
        full_clean_or_raise(licence_type)
        licence_type.save()
        audit_record(actor=actor, action="licence_type.create", target=licence_type, after={"name": name})
        created_types += 1
    created_proofs = 0
    for spec in DEMO_PROOFS:
        if ProofRequirement.objects.filter(name=spec["name"], asked_by=spec["asked_by"]).exists():
            continue
        proof = ProofRequirement(
            name=spec["name"],
            issuer=spec["issuer"],
            asked_by=spec["asked_by"],
            method=ReplacementMethod(spec["method"]),
            replaced_by=spec.get("replaced_by", ""),
            basis=spec.get("basis", ""),
            source_seed=spec["seed"],
            source_note=spec["note"],
        )
        full_clean_or_raise(proof)
        proof.save()
        audit_record(actor=actor, action="proof_requirement.create", target=proof, after={"name": proof.name})
        created_proofs += 1
    key = signing_key_ensure(actor=actor)
    log.info("licences demo: %s types and %s proofs created", created_types, created_proofs)
    return DemoSummary(
        licence_types=LicenceType.objects.count(), proofs=ProofRequirement.objects.count(), key_id=key.key_id
    )


def licences_fire_due(*, limit: int = 500) -> list[tuple[int, str]]:
    """Timer source (``core.timers``): expire licences past their last day, record expiry
    reminders and mark overdue inter-department verifications, at most ``limit`` rows in all,
    one transaction each (``claim_due``). Each step is idempotent, so running it from several
    workers or twice a day changes nothing more."""
    on = today()
    fired = _expire(on, limit)
    fired += _remind(on, EXPIRY_REMINDER_DAYS, limit - len(fired))
    fired += _mark_overdue(on, limit - len(fired))
    return fired
