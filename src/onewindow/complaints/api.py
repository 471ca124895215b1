"""Complaint endpoints: public submission and follow-up, staff registration (hall window,
hotline), the queue, assignment / reply / follow-up / close, and the 12345 import."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import File, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.responses import codes_4xx
from pydantic import Field

from onewindow.cases.schemas import KEY_PATTERN, In, Problem
from onewindow.cases.selectors import case_get_for_user
from onewindow.complaints import services
from onewindow.complaints.models import Complaint, ComplaintChannel, ComplaintClass, ComplaintStatus
from onewindow.complaints.selectors import (
    complaint_follow_up_code,
    complaint_get,
    complaint_get_for_user,
    complaint_list_for_user,
    complaint_public,
)
from onewindow.core.errors import InvalidInput, NotFound
from onewindow.core.throttle import guarded_lookup
from onewindow.org.models import Department, Region, Staff

router = Router(tags=["complaints"])
Number = Path(..., min_length=1, max_length=40, pattern=KEY_PATTERN, description="诉求编号")
MAX_UPLOAD = 5 * 1024 * 1024


class ComplaintPublicIn(In):
    klass: ComplaintClass = Field(
        ..., description="consultation 咨询 / help 求助 / complaint 投诉 / suggestion 建议"
    )
    subject: str = Field(..., min_length=1, max_length=200)
    text: str = Field(..., min_length=1, max_length=5000)
    anonymous: bool = False
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=30)


class ComplaintStaffIn(ComplaintPublicIn):
    channel: ComplaintChannel = ComplaintChannel.HALL
    complex: bool = False
    region_code: str | None = Field(None, max_length=12)
    case_number: str | None = Field(None, max_length=40)
    staff_employee_no: str | None = Field(None, max_length=30, description="涉及工作人员的工号")
    department_code: str | None = Field(None, max_length=32, description="填写则登记后即交办")
    hotline_ticket: str | None = Field(None, max_length=40)


class ActionIn(In):
    note: str = Field("", max_length=5000)
    department_code: str | None = Field(None, max_length=32, description="交办、二次交办的承办部门")


class FollowUpIn(In):
    phone_suffix: str = Field(..., min_length=4, max_length=4)
    code: str = Field(..., min_length=8, max_length=12, description="回访码：登记时告知诉求人的8位码")
    satisfied: bool


class ComplaintOut(Schema):
    number: str
    klass: str
    klass_label: str
    channel: str
    subject: str
    text: str
    anonymous: bool
    status: str
    status_label: str
    department: str | None
    round: int
    escalations: int
    received_at: dt.datetime
    due_at: dt.datetime | None
    due_provisional: bool = Field(
        ..., description="期限跨入尚未导入节假日安排的年份：暂按周末计算，导入后自动重算"
    )
    overdue: bool
    reply: str
    follow_up: str
    hotline_ticket: str | None


class ComplaintCreatedOut(ComplaintOut):
    follow_up_code: str = Field(..., description="回访码：告知诉求人，凭它在网上评价答复")


class PublicComplaintOut(Schema):
    number: str
    klass: str
    subject: str
    status: str
    status_label: str
    received_at: dt.datetime
    due_at: dt.datetime | None
    reply: str
    replied_at: dt.datetime | None
    follow_up: str
    can_follow_up: bool


class ImportOut(Schema):
    created: list[str]
    skipped: list[str]


def _out(c: Complaint) -> dict[str, Any]:
    from onewindow.core.timeutil import now

    open_ = c.status in (ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED)
    return {
        "number": c.number,
        "klass": c.klass,
        "klass_label": c.get_klass_display(),
        "channel": c.channel,
        "subject": c.subject,
        "text": c.text,
        "anonymous": c.anonymous,
        "status": c.status,
        "status_label": c.get_status_display(),
        "department": c.department.name if c.department_id else None,
        "round": c.round,
        "escalations": c.escalations,
        "received_at": c.received_at,
        "due_at": c.due_at,
        "due_provisional": c.due_provisional,
        "overdue": c.overdue_at is not None or (open_ and c.due_at is not None and c.due_at <= now()),
        "reply": c.reply,
        "follow_up": c.follow_up,
        "hotline_ticket": c.hotline_ticket,
    }


def _department(code: str | None) -> Department | None:
    if not code:
        return None
    found = Department.objects.filter(code=code, is_active=True).first()
    if found is None:
        raise NotFound(f"部门“{code[:32]}”不存在")
    return found


def _created(c: Complaint) -> dict[str, Any]:
    return {**_out(c), "follow_up_code": complaint_follow_up_code(c)}


@router.post("", response={201: ComplaintCreatedOut, codes_4xx: Problem}, auth=None)
def submit_public(request: HttpRequest, body: ComplaintPublicIn):
    """Anyone submits a matter online; the answer carries its number (一问题一编号) and its
    回访码, which the complainant needs to rate the reply."""
    data = services.ComplaintIn(
        klass=body.klass,
        subject=body.subject,
        text=body.text,
        channel=ComplaintChannel.ONLINE,
        anonymous=body.anonymous,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone,
    )
    return Status(201, _created(services.complaint_submit(data=data)))


@router.post("/register", response={201: ComplaintCreatedOut, codes_4xx: Problem})
def register(request: HttpRequest, body: ComplaintStaffIn):
    """Staff register a matter from the hall's 吐槽找茬 window or the hotline, optionally linked to
    a case and a staff member, and optionally assigned at once. The answer's 回访码 is for the
    complainant (printed on the receipt, read out on the hotline)."""
    region = None
    if body.region_code:
        region = Region.objects.filter(code=body.region_code).first()
        if region is None:
            raise NotFound(f"区划“{body.region_code}”不存在")
    case = case_get_for_user(body.case_number, request.user) if body.case_number else None
    staff = None
    if body.staff_employee_no:
        staff = Staff.objects.filter(employee_no=body.staff_employee_no).first()
        if staff is None:
            raise NotFound(f"工号“{body.staff_employee_no[:30]}”不存在")
    data = services.ComplaintIn(
        klass=body.klass,
        subject=body.subject,
        text=body.text,
        channel=body.channel,
        anonymous=body.anonymous,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone,
        region=region,
        case=case,
        staff=staff,
        department=_department(body.department_code),
        complex=body.complex,
        hotline_ticket=body.hotline_ticket or None,
    )
    return Status(201, _created(services.complaint_submit(data=data, actor=request.user)))


@router.get("", response={200: list[ComplaintOut], codes_4xx: Problem})
def complaint_list(
    request: HttpRequest,
    status: ComplaintStatus | None = None,
    klass: ComplaintClass | None = None,
    overdue: bool = False,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
):
    """The queue the user may see, by deadline; ``overdue`` keeps only overdue matters."""
    rows = complaint_list_for_user(request.user, status=status, klass=klass, overdue=overdue)
    return [_out(c) for c in rows[offset : offset + limit]]


@router.post("/import", response={200: ImportOut, codes_4xx: Problem})
def hotline_import(
    request: HttpRequest,
    file: File[UploadedFile],
    format: str = Query("csv", pattern="^(csv|json)$"),
):
    """Import a 12345 export (CSV or JSON, columns in ``complaints.services.IMPORT_COLUMNS``):
    all rows or none; every row/field error is listed in ``errors``."""
    if file.size is not None and file.size > MAX_UPLOAD:
        raise InvalidInput("文件不能超过5MB", errors={"file": ["过大"]})
    content = file.read()
    try:
        content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("文件须为UTF-8编码", errors={"file": ["编码错误"]}) from None
    report = services.hotline_import(actor=request.user, content=content, fmt=format)
    return {"created": report.created, "skipped": report.skipped}


@router.get("/public/{number}", response={200: PublicComplaintOut, codes_4xx: Problem}, auth=None)
def public_view(
    request: HttpRequest, number: str = Number, phone_suffix: str = Query(..., min_length=4, max_length=4)
):
    """The complainant's view: status and reply, with the number and the phone's last 4 digits;
    failed look-ups are throttled per IP address and per number (429 ``throttled``)."""
    return guarded_lookup(request, "complaint", number, lambda: complaint_public(number, phone_suffix))


@router.post("/public/{number}/follow-up", response={200: PublicComplaintOut, codes_4xx: Problem}, auth=None)
def public_follow_up(request: HttpRequest, body: FollowUpIn, number: str = Number):
    """The complainant rates the reply with the phone's last 4 digits and the 回访码: 满意 closes
    it, 不满意 re-assigns it (二次交办). Failed tries are throttled like the look-up."""

    def follow_up() -> Complaint:
        try:
            complaint = complaint_get(number)
        except NotFound:
            raise NotFound("未找到与诉求编号、联系电话后4位和回访码相符的诉求") from None
        return services.complaint_follow_up_by_complainant(
            complaint=complaint, phone_suffix=body.phone_suffix, code=body.code, satisfied=body.satisfied
        )

    guarded_lookup(request, "complaint", number, follow_up)
    return complaint_public(number, body.phone_suffix)


@router.get("/{number}", response={200: ComplaintOut, codes_4xx: Problem})
def detail(request: HttpRequest, number: str = Number):
    return _out(complaint_get_for_user(request.user, number))


@router.post("/{number}/{action}", response={200: ComplaintOut, codes_4xx: Problem})
def action(
    request: HttpRequest,
    body: ActionIn,
    number: str = Number,
    action: str = Path(..., pattern="^(assign|reassign|reply|satisfied|unsatisfied|close)$"),
):
    """交办 / 二次交办 (``department_code``), 答复, 回访满意 / 不满意 and 办结 (``note``)."""
    complaint = complaint_get_for_user(request.user, number)
    moved = services.complaint_transition(
        complaint=complaint,
        action=action,
        actor=request.user,
        note=body.note,
        department=_department(body.department_code),
    )
    return _out(moved)
