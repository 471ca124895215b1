"""Ninja schemas for applications, cases, the worklist and public tracking."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, Field, field_validator

from onewindow.cases.models import Channel, DeliveryMethod, MaterialState, OpinionVerdict, SuspensionReason


class Problem(Schema):
    """An error as ``application/problem+json`` (RFC 9457)."""

    type: str
    title: str
    status: int
    code: str
    detail: str | None = None


# ---- input ---------------------------------------------------------------------------------------

# Paths and query strings: identifiers without control characters or slashes.
KEY_PATTERN = r"^[^\x00-\x1f/]+$"
MAX_ID = 2**63 - 1  # the database's bigint: larger ids are refused with 422, never sent to SQL


def _has_nul(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if depth > 20:
        return False
    if isinstance(value, dict):
        return any(_has_nul(k, depth + 1) or _has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v, depth + 1) for v in value)
    return False


def _local(value: dt.datetime) -> dt.datetime:
    """A naive time is local (Asia/Shanghai); years outside 2000–2100 are refused."""
    if not 2000 <= value.year <= 2100:
        raise ValueError("时间超出范围（2000—2100年）")
    return timezone.make_aware(value) if timezone.is_naive(value) else value


LocalDatetime = Annotated[dt.datetime, AfterValidator(_local)]


def _day(value: dt.date) -> dt.date:
    """Days outside 2000–2100 are refused, like times (``_local``): beyond them the date arithmetic
    of a filter (the day after ``end``, local midnight in UTC) overflows."""
    if not 2000 <= value.year <= 2100:
        raise ValueError("日期超出范围（2000—2100年）")
    return value


LocalDate = Annotated[dt.date, AfterValidator(_day)]


class In(Schema):
    """Input bodies: strings may not contain NUL characters (no database stores them)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError("文本中不能包含空字符（\\x00）")
        return value


Text = Field("", max_length=2000)


class ApplicationCreateIn(In):
    applicant_id_number: str = Field(..., min_length=1, max_length=32, description="已登记申请人的证件号码")
    item_code: str | None = Field(None, max_length=64, description="单一事项编码（与 bundle_code 二选一）")
    bundle_code: str | None = Field(None, max_length=64, description="一件事编码")
    option_code: str | None = Field(None, max_length=32, description="一件事的套餐编码")
    channel: Channel = Channel.WINDOW
    region_code: str | None = Field(None, max_length=12, description="办理地区划代码；缺省为本人窗口所在地")
    form_data: dict[str, Any] = Field(default_factory=dict)
    delivery_method: DeliveryMethod = DeliveryMethod.WINDOW
    delivery_address: str = Field("", max_length=200)


MarkableState = Literal[
    MaterialState.WAIVED, MaterialState.COMMITTED, MaterialState.MISSING, MaterialState.PROVIDED
]


class MaterialMarkIn(In):
    state: MarkableState
    evidence: str = Field("", max_length=200)


class CorrectionItemIn(In):
    material: str = Field("", max_length=64, description="材料键；其他问题留空")
    reason: str = Field(..., min_length=1, max_length=500)
    new_fact: str = Field(
        "",
        max_length=500,
        description="补正后再次告知时，针对未重新提交的材料须写明的新情况（一次性告知）",
    )


class CorrectionIn(In):
    extra: list[CorrectionItemIn] = Field(default_factory=list, max_length=50)
    note: str = Text


class RefuseIn(In):
    reason: str = Field(..., min_length=1, max_length=2000)
    remedies: str = Text


class NoteIn(In):
    note: str = Text


class OpinionsRequestIn(In):
    departments: list[str] = Field(..., min_length=1, max_length=20, description="征求意见部门编码")
    within_days: int | None = Field(None, ge=1, le=60, description="答复期限（工作日）；缺省按事项设置")


class OpinionIn(In):
    verdict: OpinionVerdict
    text: str = Text


class InspectionIn(In):
    cases: list[str] = Field(..., min_length=1, max_length=50, description="办件编号")
    scheduled_for: LocalDatetime
    inspectors: str = Field(..., min_length=1, max_length=200)


class FindingIn(In):
    case: str = Field(..., min_length=1, max_length=40)
    passed: bool
    note: str = Text


class DecideIn(In):
    decision: Literal["approve", "deny"]
    basis: str = Field(..., min_length=1, max_length=2000)
    remedies: str = Text


class SuspendIn(In):
    reason: SuspensionReason
    expected_days: int = Field(..., ge=1, le=250, description="预计中止的工作日数，告知申请人")
    note: str = Text


class ExtensionIn(In):
    days: int = Field(..., ge=1, le=10)
    reason: str = Field(..., min_length=1, max_length=2000)


class ExtensionDecideIn(In):
    approve: bool


class JointExtensionIn(In):
    days: int = Field(..., ge=1, le=15)
    reason: str = Field(..., min_length=1, max_length=2000)


class DeliverIn(In):
    method: DeliveryMethod | None = None
    tracking_number: str = Field("", max_length=40)


class VerificationIn(In):
    passed: bool
    note: str = Text


# ---- output --------------------------------------------------------------------------------------


class ApplicantBriefOut(Schema):
    kind: str
    name: str
    id_number_masked: str


class MaterialOut(Schema):
    key: str
    name: str
    required: bool
    waivable: bool
    commitment_allowed: bool
    state: str
    state_label: str
    original_name: str
    content_type: str
    size: int | None
    sha256: str
    evidence: str
    supply_due_at: dt.datetime | None
    supplied_at: dt.datetime | None


class CorrectionItemOut(Schema):
    material: str
    name: str
    reason: str
    new_fact: str = ""


class CorrectionNoticeOut(Schema):
    id: int
    items: list[CorrectionItemOut]
    note: str
    issued_at: dt.datetime
    resubmitted_at: dt.datetime | None


class CaseBriefOut(Schema):
    number: str
    item_code: str
    item_name: str
    department: str
    step_department: str
    status: str
    status_label: str
    promised_due_at: dt.datetime | None
    promised_due_day: dt.date | None
    legal_due_at: dt.datetime | None
    decision: str


class JointExtensionOut(Schema):
    id: int
    application: str
    days: int
    reason: str
    status: str
    status_label: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    legal_due_at: dt.datetime | None


class ApplicationOut(Schema):
    number: str | None
    draft_ref: str
    title: str
    status: str
    status_label: str
    applicant: ApplicantBriefOut
    channel: str
    region_code: str
    hall: str | None
    received_at: dt.datetime | None
    accepted_at: dt.datetime | None
    deemed_accepted: bool
    deemed_acceptance_at: dt.datetime | None = Field(
        description="待受理的申请自此时起依行政许可法第三十二条视为受理；其他状态为空"
    )
    collected_on_behalf: bool
    joint_due_at: dt.datetime | None
    joint_legal_due_at: dt.datetime | None
    joint_extension_days: int
    joint_extensions: list[JointExtensionOut]
    delivery_due_at: dt.datetime | None = Field(description="统一出件的送达期限（行政许可法第四十四条）")
    refusal_reason: str
    refusal_remedies: str
    delivery_method: str
    allowed_actions: list[str]
    materials: list[MaterialOut]
    corrections: list[CorrectionNoticeOut]
    cases: list[CaseBriefOut]


class EventOut(Schema):
    at: dt.datetime
    action: str
    from_status: str
    to_status: str
    actor: str | None
    note: str
    data: dict[str, Any]


class OpinionOut(Schema):
    id: int
    case: str
    department_code: str
    department: str
    due_at: dt.datetime | None
    deemed_consent_basis: str = Field(description="逾期未答复视为同意的依据；为空表示须待答复")
    verdict: str
    verdict_label: str
    text: str
    given_at: dt.datetime | None
    given_by: str | None
    deemed: bool
    late_verdict: str
    late_text: str
    late_given_at: dt.datetime | None


class SuspensionOut(Schema):
    reason: str
    reason_label: str
    note: str
    expected_days: int | None
    started_at: dt.datetime
    ended_at: dt.datetime | None


class ExtensionOut(Schema):
    id: int
    case: str
    days: int
    reason: str
    status: str
    status_label: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    legal_due_at: dt.datetime | None


class FindingOut(Schema):
    inspection: int
    case: str
    passed: bool
    note: str
    recorded_at: dt.datetime


class InspectionOut(Schema):
    id: int
    application: str
    scheduled_for: LocalDatetime
    inspectors: str
    cases: list[str]
    done_at: dt.datetime | None


class VerificationOut(Schema):
    case: str
    department: str
    due_at: dt.datetime
    status: str
    status_label: str
    result_note: str
    finished_at: dt.datetime | None


class LimitFiguresOut(Schema):
    limit: str
    unit: str
    due_at: dt.datetime | None
    due_day: dt.date | None
    elapsed: float | None
    remaining: float | None
    used_share: float | None
    warning: str | None
    compression: float | None


class FiguresOut(Schema):
    at: dt.datetime
    running: bool
    provisional: bool
    extension_days: int
    promised: LimitFiguresOut | None
    legal: LimitFiguresOut | None
    notes: list[str]


class CaseOut(Schema):
    number: str
    application: str
    applicant: ApplicantBriefOut
    item_code: str
    item_name: str
    item_version: int
    department: str
    step_department: str
    current_step: str
    status: str
    status_label: str
    allowed_actions: list[str]
    deficient: bool
    commitment: bool
    accepted_at: dt.datetime
    clock_started_at: dt.datetime | None = Field(description="计时起点；等待前置办件结果时为空")
    waits_for: list[str]
    promised_due_at: dt.datetime | None
    legal_due_at: dt.datetime | None
    warning_at: dt.datetime | None
    deadline_provisional: bool
    extension_days: int
    decision: str
    decision_basis: str
    decision_remedies: str
    decided_at: dt.datetime | None
    delivery_due_at: dt.datetime | None
    licence_number: str
    closed_at: dt.datetime | None
    figures: FiguresOut
    events: list[EventOut]
    opinions: list[OpinionOut]
    suspensions: list[SuspensionOut]
    extensions: list[ExtensionOut]
    findings: list[FindingOut]
    post_verification: VerificationOut | None


class WorklistItemOut(Schema):
    number: str
    application: str
    title: str
    applicant: str
    item_name: str
    department: str
    step_department: str
    status: str
    status_label: str
    accepted_at: dt.datetime
    promised_due_at: dt.datetime | None
    promised_due_day: dt.date | None
    warning: str
    deficient: bool
    commitment: bool


class WorklistOut(Schema):
    items: list[WorklistItemOut]
    next_cursor: str | None


class PublicEventOut(Schema):
    at: dt.datetime
    action: str
    label: str
    case: str | None
    detail: str = Field("", description="告知申请人的说明：中止原因和预计时长、延期理由和延长后的期限等")


class PublicCaseOut(Schema):
    number: str
    item: str
    status: str
    status_label: str
    department: str
    due_day: dt.date | None
    decision: str


class TrackingOut(Schema):
    number: str
    title: str
    status: str
    status_label: str
    applicant: str
    applicant_id: str
    received_at: dt.datetime | None
    accepted_at: dt.datetime | None
    joint_due_day: dt.date | None
    cases: list[PublicCaseOut]
    events: list[PublicEventOut]
