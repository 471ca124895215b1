from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from onewindow.licences.models import Licence, VerificationOutcome
from onewindow.licences.selectors import licence_code, licence_effective_status


class LicenceOut(Schema):
    number: str
    type: str = Field(..., alias="licence_type.name")
    holder_name: str
    holder_id_masked: str
    department: str = Field(..., alias="department.name")
    issued_at: dt.datetime
    valid_from: dt.date
    expires_on: dt.date | None
    status: str
    effective_status: str
    status_reason: str
    data: dict[str, Any]
    source_case_no: str
    parent_number: str | None
    signature_algorithm: str
    signature_key_id: str
    code: str
    permits: list[str] = Field(..., description="行业综合许可证（一业一证）所整合的许可证号")
    integrated_in: str | None = Field(..., description="整合了本许可的行业综合许可证证号")
    superseded_by: str | None = Field(..., description="已换发时为换发后的新证证号；其他状态为空")

    @staticmethod
    def resolve_superseded_by(obj: Licence) -> str | None:
        return obj.superseded_by.number if obj.superseded_by_id else None

    @staticmethod
    def resolve_permits(obj: Licence) -> list[str]:
        return [p.number for p in obj.permits.all()]

    @staticmethod
    def resolve_integrated_in(obj: Licence) -> str | None:
        found = list(obj.integrated_in.all())
        return found[0].number if found else None

    @staticmethod
    def resolve_holder_id_masked(obj: Licence) -> str:
        return obj.payload.get("holder_id", "")

    @staticmethod
    def resolve_effective_status(obj: Licence) -> str:
        return licence_effective_status(obj).value

    @staticmethod
    def resolve_parent_number(obj: Licence) -> str | None:
        return obj.parent.number if obj.parent_id else None

    @staticmethod
    def resolve_code(obj: Licence) -> str:
        return licence_code(obj)


class ReasonIn(Schema):
    reason: str = Field("", max_length=500)


class PermitStateOut(Schema):
    number: str
    type: str
    scope: str
    valid_from: str
    expires_on: str | None
    status: str = Field(
        ..., description="valid | suspended | revoked | expired | superseded | cancelled | not_found"
    )
    status_label: str
    status_reason: str
    is_valid: bool


class LicenceVerificationOut(Schema):
    number: str
    verdict: str = Field(
        ...,
        description=(
            "valid | partly_invalid | suspended | revoked | expired | superseded（已换发）"
            " | cancelled（已注销） | invalid | not_found"
        ),
    )
    verdict_label: str
    is_valid: bool
    status: str
    status_label: str
    status_reason: str
    signature_ok: bool
    signature_reason: str
    code_matches: bool | None
    public: dict[str, Any]
    checked_at: dt.datetime | None
    permits: list[PermitStateOut] = Field(
        ..., description="行业综合许可证（一业一证）所整合的许可及其当前状态；其他证照为空"
    )
    integrated_in: str = Field(..., description="整合了本许可的行业综合许可证证号；未整合时为空")
    superseded_by: str = Field(..., description="已换发时为换发后的新证证号（请以新证为准）；其他为空")


class ProofOut(Schema):
    id: int
    name: str
    issuer: str
    asked_by: str
    item_code: str
    method: str
    method_label: str = Field(..., alias="get_method_display")
    replaced_by: str
    basis: str
    source_seed: str
    source_note: str


class ProofReportOut(Schema):
    total: int
    by_method: dict[str, int]
    proof_free: int
    proof_free_rate: float | None


class VerificationRequestIn(Schema):
    requesting_department: int = Field(..., description="发起部门 id")
    responding_department: int = Field(..., description="协查部门 id")
    subject_id_number: str = Field(
        ..., min_length=1, max_length=32, description="协查对象的身份证号或统一社会信用代码"
    )
    question: str = Field(..., min_length=1, max_length=2000)
    case_no: str = Field("", max_length=40)
    proof_id: int | None = None
    days: int = Field(5, ge=1, le=30, description="答复期限（工作日）")


class VerificationAnswerIn(Schema):
    outcome: VerificationOutcome
    answer: str = Field("", max_length=2000)


class VerificationRequestOut(Schema):
    id: int
    requesting_department: str = Field(..., alias="requesting_department.name")
    responding_department: str = Field(..., alias="responding_department.name")
    subject: str = Field(..., alias="subject.name")
    question: str
    case_no: str
    proof: str | None
    due_on: dt.date
    status: str
    outcome: str
    answer: str
    answered_at: dt.datetime | None

    @staticmethod
    def resolve_proof(obj: Any) -> str | None:
        return obj.proof.name if obj.proof_id else None
