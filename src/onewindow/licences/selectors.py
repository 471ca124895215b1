"""Reads of the licences app: the licence library, public verification, proofs and their report."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from onewindow.core.errors import InvalidInput, NotFound
from onewindow.core.timeutil import now, today
from onewindow.licences import signing
from onewindow.licences.models import (
    Licence,
    LicenceAction,
    LicenceStatus,
    LicenceType,
    ProofRequirement,
    ReplacementMethod,
    VerificationRequest,
    VerificationStatus,
)
from onewindow.licences.offline import EXPORT_FORMAT
from onewindow.licences.services import EXPIRY_REMINDER_DAYS, key_dir, signing_key_active

NUMBER_RE = re.compile(r"^[A-Z0-9]{4,40}$")


def _number(number: str) -> str:
    value = (number or "").strip().upper()
    if not NUMBER_RE.match(value):
        raise InvalidInput("证号格式不正确：应为4至40位大写字母和数字", number=str(number)[:60])
    return value


def licence_get(*, number: str) -> Licence:
    """The licence with this number; ``InvalidInput`` for a malformed number, ``NotFound`` if none."""
    try:
        return Licence.objects.select_related(
            "licence_type", "department", "holder", "parent", "superseded_by"
        ).get(number=_number(number))
    except Licence.DoesNotExist:
        raise NotFound(f"证号 {_number(number)} 不存在") from None


def licence_type_get(*, name: str) -> LicenceType:
    """The licence type the catalogue names (``result.licence_type``); ``NotFound`` if unknown."""
    try:
        return LicenceType.objects.select_related("department").get(name=(name or "").strip())
    except LicenceType.DoesNotExist:
        raise NotFound(f"证照类型“{name}”不存在：请在管理后台添加") from None


def licence_list_for_holder(id_number: str, *, valid_only: bool = False) -> QuerySet[Licence]:
    """The licence library's entries for a holder, by resident ID or USCC (newest first)."""
    value = (id_number or "").strip().upper()
    if not re.match(r"^[0-9A-Z]{18}$", value):
        raise InvalidInput("证件号码应为18位身份证号或统一社会信用代码")
    licences = Licence.objects.filter(holder_id_number=value).select_related("licence_type", "department")
    if valid_only:
        licences = licences.filter(status=LicenceStatus.VALID).exclude(expires_on__lt=today())
    return licences.order_by("-issued_at")


def licence_valid_of_type(*, holder: Any, type_name: str, on: dt.date | None = None) -> Licence | None:
    """The holder's newest valid, unexpired licence of the named type, if any (免证办理)."""
    on = on or today()
    return (
        Licence.objects.filter(holder=holder, licence_type__name=type_name, status=LicenceStatus.VALID)
        .exclude(expires_on__lt=on)
        .order_by("-issued_at")
        .first()
    )


def licence_effective_status(licence: Licence, *, on: dt.date | None = None) -> LicenceStatus:
    """The status a verifier must see: a valid licence past its last day is expired even before the
    expiry timer has run."""
    status = LicenceStatus(licence.status)
    running = status in (LicenceStatus.VALID, LicenceStatus.SUSPENDED)
    if running and licence.expires_on is not None and licence.expires_on < (on or today()):
        return LicenceStatus.EXPIRED
    return status


# The statuses whose reason a verifier sees (why the licence is not valid now); an expiry's reason
# is only its last day, shown anyway.
REASON_SHOWN = (
    LicenceStatus.SUSPENDED,
    LicenceStatus.REVOKED,
    LicenceStatus.SUPERSEDED,
    LicenceStatus.CANCELLED,
)


def licence_code(licence: Licence) -> str:
    """The QR content of a licence (see ``signing.code_url``)."""
    return signing.code_url(
        base_url=settings.ONEWINDOW_PUBLIC_URL,
        number=licence.number,
        payload=licence.payload,
        key_id=licence.signature_key_id,
        signature=licence.signature,
    )


def published_keys() -> dict[str, signing.PublicKey]:
    return {k.key_id: k for k in signing.public_keys(key_dir())}


def published_keys_document() -> dict[str, Any]:
    """The public keys, as served at ``/.well-known/onewindow-keys.json``."""
    return signing.keys_document(signing.public_keys(key_dir()))


def integrated_licence_for(licence: Licence) -> Licence | None:
    """The integrated licence (行业综合许可证, 一业一证) that lists this permit, if any."""
    return (
        Licence.objects.filter(permit_links__permit=licence)
        .select_related("licence_type", "department")
        .first()
    )


@dataclass(frozen=True)
class PermitState:
    """One permit of an integrated licence as signed on it, with its state in the library now."""

    number: str
    type: str
    scope: str
    valid_from: str
    expires_on: str | None
    status: str  # valid | suspended | revoked | expired | superseded | cancelled | not_found
    status_label: str
    status_reason: str = ""

    @property
    def is_valid(self) -> bool:
        return self.status == LicenceStatus.VALID


def integrated_permits(licence: Licence, *, on: dt.date | None = None) -> list[PermitState]:
    """The permits an integrated licence lists (from its signed payload, in its order), each with
    its effective status in the licence library: revoking, suspending or the expiry of one shows
    here at once. Empty for a licence that integrates none."""
    entries = licence.payload.get("permits") if isinstance(licence.payload, dict) else None
    if not isinstance(entries, list) or not entries:
        return []
    entries = [e for e in entries if isinstance(e, dict)]
    found = {p.number: p for p in Licence.objects.filter(number__in=[str(e.get("number")) for e in entries])}
    states = []
    for entry in entries:
        permit = found.get(str(entry.get("number")))
        status = licence_effective_status(permit, on=on) if permit is not None else None
        states.append(
            PermitState(
                number=str(entry.get("number", "")),
                type=str(entry.get("type", "")),
                scope=str(entry.get("scope", "")),
                valid_from=str(entry.get("valid_from", "")),
                expires_on=entry.get("expires_on"),
                status=status.value if status else "not_found",
                status_label=str(status.label) if status else VERDICT_LABELS["not_found"],
                status_reason=permit.status_reason if status in REASON_SHOWN else "",
            )
        )
    return states


@dataclass(frozen=True)
class Verification:
    """What the public verification page and API show for one number."""

    number: str
    # valid | partly_invalid | suspended | revoked | expired | superseded | cancelled | invalid | not_found
    verdict: str
    status: str = ""
    status_label: str = ""
    status_reason: str = ""
    signature_ok: bool = False
    signature_reason: str = ""
    code_matches: bool | None = None  # None: no QR content was given
    public: dict[str, Any] = field(default_factory=dict)
    checked_at: dt.datetime | None = None
    # An integrated licence (一业一证): its permits and their states; a permit: the integrated
    # licence that lists it.
    permits: tuple[PermitState, ...] = ()
    integrated_in: str = ""
    # 已换发: the number of the licence that replaced this one; otherwise empty.
    superseded_by: str = ""

    @property
    def invalid_permits(self) -> list[PermitState]:
        return [p for p in self.permits if not p.is_valid]

    @property
    def is_valid(self) -> bool:
        return self.verdict == "valid"


VERDICT_LABELS = {
    "valid": "有效",
    "partly_invalid": "部分许可已失效",
    "suspended": "已暂停（当前无效）",
    "revoked": "已吊销（无效）",
    "expired": "已过期（无效）",
    "superseded": "已换发（请以新证为准）",
    "cancelled": "已注销（市场主体已终止）",
    "invalid": "核验失败（签名无效）",
    "not_found": "查无此证",
}


def licence_verify(*, number: str, code: signing.Code | None = None) -> Verification:
    """Check a licence by number (and, when scanned, the QR content) against the licence library.

    Valid only if the library's record is valid and unexpired, its stored signature checks against
    the published key, and a scanned QR code carries exactly that payload and signature. An
    integrated licence (一业一证) whose own record is valid is ``partly_invalid`` while any permit it
    lists is not valid (the page names which). A superseded licence (已换发) names the licence
    that replaced it. Never raises for unknown or garbled input: that is
    a ``not_found`` or ``invalid`` verdict.
    """
    checked_at = now()
    try:
        licence = licence_get(number=number)
    except (InvalidInput, NotFound):
        return Verification(number=str(number)[:40], verdict="not_found", checked_at=checked_at)
    check = signing.check_signature(
        payload=licence.payload,
        key_id=licence.signature_key_id,
        signature=licence.signature,
        keys=published_keys(),
    )
    if check.ok and signing.payload_hash(licence.payload) != licence.payload_hash:
        check = signing.SignatureCheck(False, "签名内容摘要不符")
    code_matches = None
    if code is not None:
        code_matches = (
            code.number == licence.number
            and code.key_id == licence.signature_key_id
            and code.signature == licence.signature
            and (code.payload is None or code.payload == licence.payload)
        )
    status = licence_effective_status(licence)
    verdict = "invalid" if not check.ok or code_matches is False else status.value
    permits = tuple(integrated_permits(licence))
    if verdict == "valid" and any(not p.is_valid for p in permits):
        verdict = "partly_invalid"
    integrated = integrated_licence_for(licence)
    public = dict(licence.payload) if isinstance(licence.payload, dict) else {}
    public.pop("v", None)
    public.pop("permits", None)  # shown with their states as ``permits``
    return Verification(
        number=licence.number,
        verdict=verdict,
        status=status.value,
        status_label=str(status.label),
        status_reason=licence.status_reason if status in REASON_SHOWN else "",
        signature_ok=check.ok,
        signature_reason=check.reason if code_matches is not False else "二维码内容与电子证照库记录不符",
        code_matches=code_matches,
        public=public,
        checked_at=checked_at,
        permits=permits,
        integrated_in=integrated.number if integrated is not None else "",
        superseded_by=_successor_number(licence, status),
    )


def _successor_number(licence: Licence, status: LicenceStatus) -> str:
    if status != LicenceStatus.SUPERSEDED or licence.superseded_by_id is None:
        return ""
    return licence.superseded_by.number


def licence_export(licence: Licence) -> dict[str, Any]:
    """The licence as a self-contained JSON document for offline checking.

    It carries the signed payload and signature, and the status at export time in a second
    signed statement (for an integrated licence, with its permits' states), so an offline check
    can tell revoked from valid *as of* ``as_of``: a revocation after the export is only visible
    online. A superseded licence's statement names the licence that replaced it (``superseded_by``).
    """
    effective = licence_effective_status(licence)
    status = {
        "number": licence.number,
        "status": effective.value,
        "as_of": now().isoformat(),
    }
    successor = _successor_number(licence, effective)
    if successor:
        status["superseded_by"] = successor
    permits = integrated_permits(licence)
    if permits:  # 一业一证: the permits' states at export time are part of the signed statement
        status["permits"] = [{"number": p.number, "status": p.status} for p in permits]
    key = signing_key_active()
    return {
        "format": EXPORT_FORMAT,
        "number": licence.number,
        "payload": licence.payload,
        "signature": {
            "algorithm": licence.signature_algorithm,
            "key_id": licence.signature_key_id,
            "value": licence.signature,
        },
        "status": status,
        "status_signature": {
            "algorithm": key.algorithm.value,
            "key_id": key.key_id,
            "value": signing.b64url_encode(key.sign(signing.canonical_bytes(status))),
        },
        "code": licence_code(licence),
    }


# --- proofs -------------------------------------------------------------------------------------


def proof_list(*, method: str | None = None) -> QuerySet[ProofRequirement]:
    """The proof registry (证明事项清单), active entries, optionally one replacement method."""
    proofs = ProofRequirement.objects.filter(is_active=True).select_related("department")
    if method:
        if method not in ReplacementMethod.values:
            raise InvalidInput(f"替代方式应为：{'、'.join(ReplacementMethod.values)}")
        proofs = proofs.filter(method=method)
    return proofs.order_by("name", "pk")


@dataclass(frozen=True)
class ProofReport:
    total: int
    by_method: dict[str, int]
    proof_free: int
    proof_free_rate: Fraction | None


def proof_report() -> ProofReport:
    """Proofs in the registry by replacement method, and the proof-free rate (零证明率).

    Proof-free rate = active registry entries the applicant no longer supplies (cancelled,
    replaced by a commitment, by data sharing, by inter-department verification or checked by the
    department itself) ÷ all active entries, including those still retained (暂予保留).
    ``None`` when the registry is empty.
    """
    counts = dict(
        ProofRequirement.objects.filter(is_active=True)
        .values_list("method")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_method = {m: counts.get(m, 0) for m in ReplacementMethod.values}
    total = sum(by_method.values())
    proof_free = total - by_method[ReplacementMethod.RETAINED]
    return ProofReport(
        total=total,
        by_method=by_method,
        proof_free=proof_free,
        proof_free_rate=Fraction(proof_free, total) if total else None,
    )


def verification_request_get(*, pk: int) -> VerificationRequest:
    try:
        return VerificationRequest.objects.select_related(
            "requesting_department", "responding_department", "subject", "proof"
        ).get(pk=pk)
    except VerificationRequest.DoesNotExist:
        raise NotFound(f"协查 {pk} 不存在") from None


def verification_request_list_for_case(*, case_no: str) -> QuerySet[VerificationRequest]:
    """The verification requests recorded on a case, oldest first."""
    return VerificationRequest.objects.filter(case_no=case_no).order_by("created_at", "pk")


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def licences_past_expiry(on: dt.date | None = None) -> QuerySet[Licence]:
    """Valid or suspended licences whose last valid day is before ``on`` (default today), oldest
    first: what the expiry timer expires."""
    return Licence.objects.filter(
        status__in=[LicenceStatus.VALID, LicenceStatus.SUSPENDED],
        expires_on__isnull=False,
        expires_on__lt=on or today(),
    ).order_by("expires_on", "pk")


def licences_to_remind(
    on: dt.date | None = None, within_days: int = EXPIRY_REMINDER_DAYS
) -> QuerySet[Licence]:
    """Valid licences expiring within ``within_days`` of ``on`` (default today) that have had no
    expiry reminder yet, soonest first."""
    on = on or today()
    return (
        Licence.objects.filter(
            status=LicenceStatus.VALID,
            expires_on__gte=on,
            expires_on__lte=on + dt.timedelta(days=within_days),
        )
        .exclude(events__action=LicenceAction.REMIND)
        .order_by("expires_on", "pk")
    )


def verification_requests_past_due(on: dt.date | None = None) -> QuerySet[VerificationRequest]:
    """Open verification requests whose due day is before ``on`` (default today), oldest first."""
    return VerificationRequest.objects.filter(
        status=VerificationStatus.OPEN, due_on__lt=on or today()
    ).order_by("due_on", "pk")


def licences_count_due() -> int:
    """``core.timers`` count for ``onewindow tick --dry-run``: licences to expire, expiry
    reminders to record and verification requests to mark overdue."""
    return (
        licences_past_expiry().count()
        + licences_to_remind().count()
        + verification_requests_past_due().count()
    )


def licences_oldest_due() -> dt.datetime | None:
    """``core.timers`` backlog of ``licences_fire_due``: when the oldest pending legal step fell
    due — a licence past its last day still valid (due the midnight after it) or a verification
    request past its day still open. Expiry reminders are a courtesy with no moment of their own
    and are not counted. None when nothing is waiting."""
    found = []
    expired = licences_past_expiry().aggregate(m=Min("expires_on"))["m"]
    if expired is not None:
        found.append(_midnight(expired + dt.timedelta(days=1)))
    overdue = verification_requests_past_due().aggregate(m=Min("due_on"))["m"]
    if overdue is not None:
        found.append(_midnight(overdue + dt.timedelta(days=1)))
    return min(found, default=None)
