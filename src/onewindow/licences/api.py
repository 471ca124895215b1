"""Licence endpoints: the licence library, public verification, the proof registry, 部门协查."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from onewindow.core.errors import NotFound
from onewindow.licences import signing
from onewindow.licences.models import Licence, ProofRequirement, VerificationRequest
from onewindow.licences.schemas import (
    LicenceOut,
    LicenceVerificationOut,
    ProofOut,
    ProofReportOut,
    ReasonIn,
    VerificationAnswerIn,
    VerificationRequestIn,
    VerificationRequestOut,
)
from onewindow.licences.selectors import (
    VERDICT_LABELS,
    licence_export,
    licence_get,
    licence_list_for_holder,
    licence_verify,
    proof_list,
    proof_report,
    verification_request_get,
)
from onewindow.licences.services import (
    licence_resume,
    licence_revoke,
    licence_suspend,
    verification_request_answer,
    verification_request_create,
)
from onewindow.org.authz import can, require, scope_q
from onewindow.org.models import Department
from onewindow.org.selectors import applicant_get_by_id_number

router = Router(tags=["licences"])


def _verification_out(result: Any) -> dict[str, Any]:
    return {**result.__dict__, "verdict_label": VERDICT_LABELS[result.verdict], "is_valid": result.is_valid}


@router.get("/verify/{number}", response=LicenceVerificationOut, auth=None)
def verify(
    request: HttpRequest, number: str, s: str | None = None, k: str | None = None, p: str | None = None
) -> dict[str, Any]:
    """Public check of a licence (no login): status, public fields, signature. Pass the QR code's
    ``s``/``k``/``p`` to check that the scanned code is the library's own."""
    code = None
    if s is not None or k is not None:
        query = "&".join(
            f"{name}={value}" for name, value in (("p", p), ("k", k), ("s", s)) if value is not None
        )
        try:
            code = signing.code_parse(f"/verify/{number}?{query}")
        except ValueError:
            code = signing.Code(number=number, payload=None, key_id="", signature="")
    return _verification_out(licence_verify(number=number, code=code))


@router.get("/proofs", response=list[ProofOut], auth=None)
def list_proofs(request: HttpRequest, method: str | None = None) -> list[ProofRequirement]:
    """The proof registry (证明事项清单) and how each proof is replaced; public."""
    return list(proof_list(method=method))


@router.get("/proofs/report", response=ProofReportOut, auth=None)
def get_proof_report(request: HttpRequest) -> dict[str, Any]:
    report = proof_report()
    rate = float(report.proof_free_rate) if report.proof_free_rate is not None else None
    return {**report.__dict__, "proof_free_rate": rate}


def _department(pk: int) -> Department:
    try:
        return Department.objects.select_related("region").get(pk=pk)
    except Department.DoesNotExist:
        raise NotFound(f"部门 {pk} 不存在") from None


@router.post("/verification-requests", response={201: VerificationRequestOut})
def create_verification_request(request: HttpRequest, body: VerificationRequestIn) -> Status:
    requesting = _department(body.requesting_department)
    require(request.user, "verification.request", department=requesting)
    proof = None
    if body.proof_id is not None:
        proof = ProofRequirement.objects.filter(pk=body.proof_id).first()
        if proof is None:
            raise NotFound(f"证明事项 {body.proof_id} 不存在")
    created = verification_request_create(
        actor=request.user,
        requesting_department=requesting,
        responding_department=_department(body.responding_department),
        subject=applicant_get_by_id_number(id_number=body.subject_id_number),
        question=body.question,
        case_no=body.case_no,
        proof=proof,
        days=body.days,
    )
    return Status(201, created)


def _visible_verification(request: HttpRequest, pk: int) -> VerificationRequest:
    found = verification_request_get(pk=pk)
    if not (
        can(request.user, "verification.request", department=found.requesting_department)
        or can(request.user, "verification.answer", department=found.responding_department)
    ):
        raise NotFound(f"协查 {pk} 不存在")
    return found


@router.get("/verification-requests/{pk}", response=VerificationRequestOut)
def get_verification_request(request: HttpRequest, pk: int) -> VerificationRequest:
    return _visible_verification(request, pk)


@router.post("/verification-requests/{pk}/answer", response=VerificationRequestOut)
def answer_verification_request(
    request: HttpRequest, pk: int, body: VerificationAnswerIn
) -> VerificationRequest:
    found = _visible_verification(request, pk)
    require(request.user, "verification.answer", department=found.responding_department)
    return verification_request_answer(
        request=found, actor=request.user, outcome=body.outcome, answer=body.answer
    )


@router.get("", response=list[LicenceOut])
def list_for_holder(request: HttpRequest, holder: str) -> list[Licence]:
    """The licence library's licences of one holder (ID number or credit code) that you may see."""
    require(request.user, "licence.view")
    scope = scope_q(request.user, "licence.view", department_field="department")
    return list(
        licence_list_for_holder(holder)
        .filter(scope)
        .select_related("parent", "superseded_by")
        .prefetch_related("permits", "integrated_in")
    )


def _visible_licence(request: HttpRequest, number: str, action: str = "licence.view") -> Licence:
    licence = licence_get(number=number)
    if not can(request.user, "licence.view", department=licence.department):
        raise NotFound(f"证号 {licence.number} 不存在")
    require(request.user, action, department=licence.department)
    return licence


@router.get("/{number}", response=LicenceOut)
def get_licence(request: HttpRequest, number: str) -> Licence:
    return _visible_licence(request, number)


@router.get("/{number}/export", response=dict[str, Any])
def export_licence(request: HttpRequest, number: str) -> dict[str, Any]:
    """The licence as JSON for offline checking with ``onewindow licence verify``."""
    return licence_export(_visible_licence(request, number))


@router.post("/{number}/suspend", response=LicenceOut)
def suspend_licence(request: HttpRequest, number: str, body: ReasonIn) -> Licence:
    return licence_suspend(
        licence=_visible_licence(request, number, "licence.revoke"), actor=request.user, reason=body.reason
    )


@router.post("/{number}/resume", response=LicenceOut)
def resume_licence(request: HttpRequest, number: str, body: ReasonIn) -> Licence:
    return licence_resume(
        licence=_visible_licence(request, number, "licence.revoke"), actor=request.user, reason=body.reason
    )


@router.post("/{number}/revoke", response=LicenceOut)
def revoke_licence(request: HttpRequest, number: str, body: ReasonIn) -> Licence:
    return licence_revoke(
        licence=_visible_licence(request, number, "licence.revoke"), actor=request.user, reason=body.reason
    )
