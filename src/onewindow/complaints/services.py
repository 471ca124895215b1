"""Writes for complaints: registration (hall 吐槽找茬 window, online, 12345 import), assignment,
escalation and re-assignment (二次交办), reply, follow-up rating and closing.

Every public function is one transaction with audit events; ``status`` moves only through
``complaint_transition`` and its table ``COMPLAINT_TRANSITIONS``, each move appending a
``ComplaintEvent``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from onewindow.audit.services import audit_record
from onewindow.cases.models import Case
from onewindow.clock.deadlines import due
from onewindow.clock.models import Calendar
from onewindow.clock.selectors import calendar_for_region, region_uses_calendar, work_calendar
from onewindow.clock.workdays import Duration, Unit
from onewindow.complaints import conf
from onewindow.complaints.models import (
    Complaint,
    ComplaintChannel,
    ComplaintClass,
    ComplaintEvent,
    ComplaintSla,
    ComplaintStatus,
    FollowUp,
)
from onewindow.complaints.selectors import complaint_follow_up_code_matches, complaints_due
from onewindow.core import untrusted
from onewindow.core.errors import InvalidInput, InvalidTransition, NotFound
from onewindow.core.lifecycle import SYSTEM, Lifecycle, Rule
from onewindow.core.numbers import sequence_next
from onewindow.core.timers import claim_due
from onewindow.core.timeutil import now
from onewindow.org.authz import require
from onewindow.org.models import Department, Hall, HallKind, Region, Staff
from onewindow.org.validators import validate_phone

MAX_ROUNDS = 2  # seed 001: 二次交办后仍不满意的，转报市纪委监委调查处理
MAX_IMPORT_ROWS = 5000


# ---- SLA -------------------------------------------------------------------------------------------


def sla_for(klass: str, *, complex_matter: bool = False) -> Duration:
    """The time limit of a class (seed 001): a ``ComplaintSla`` row if the administrator set one,
    else ``ONEWINDOW_COMPLAINTS_SLA_DAYS``, else 咨询 immediately, 求助/投诉 5 and 建议 30 working
    days; a complex matter (情况复杂、历史遗留) gets ``ONEWINDOW_COMPLAINTS_COMPLEX_DAYS`` (30)."""
    if complex_matter:
        return Duration(conf.complex_days(), Unit.WORKDAY)
    row = ComplaintSla.objects.filter(klass=klass).first()
    days = row.working_days if row is not None else conf.sla_days()[klass]
    return Duration.instant() if days == 0 else Duration(days, Unit.WORKDAY)


def _deadline(complaint: Complaint, start: dt.datetime) -> dict[str, Any]:
    """The fields of a round's deadline counted from ``start`` on the region's calendar; past the
    loaded years it is provisional (``clock.deadlines``) and recomputed when the notice comes."""
    cal = work_calendar(calendar_for_region(region=complaint.region))
    due_at, provisional = due(start, sla_for(complaint.klass, complex_matter=complaint.complex), cal)
    return {"due_at": due_at, "due_from": start, "due_provisional": provisional}


def default_region() -> Region:
    """The region of the county hall: where a complaint with no other clue is registered."""
    hall = Hall.objects.filter(kind=HallKind.COUNTY_CENTRE).select_related("region").order_by("pk").first()
    if hall is None:
        raise NotFound("尚未配置政务服务中心，无法登记诉求")
    return hall.region


def _number(region: Region, at: dt.datetime) -> str:
    """诉求编号: "TS" + county code (6) + date (8) + sequence of the day (4+), one per matter."""
    day = timezone.localdate(at)
    county = region.code[:6]
    return f"TS{county}{day:%Y%m%d}{sequence_next(f'complaint:{county}:{day:%Y%m%d}'):04d}"


# ---- registration ------------------------------------------------------------------------------------


@dataclass
class ComplaintIn:
    """What a complainant tells us; the same shape for every channel and for each import row."""

    klass: str
    subject: str
    text: str
    channel: str = ComplaintChannel.ONLINE
    anonymous: bool = False
    contact_name: str = ""
    contact_phone: str = ""
    region: Region | None = None
    case: Case | None = None
    staff: Staff | None = None
    department: Department | None = None
    complex: bool = False
    hotline_ticket: str | None = None
    received_at: dt.datetime | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def _validate(data: ComplaintIn) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.klass not in ComplaintClass.values:
        add("klass", f"诉求类别“{data.klass}”无效（咨询、求助、投诉、建议）")
    if data.channel not in ComplaintChannel.values:
        add("channel", f"来源渠道“{data.channel}”无效")
    data.subject = (data.subject or "").strip()
    data.text = (data.text or "").strip()
    if not data.subject:
        add("subject", "主题不能为空")
    elif len(data.subject) > 200:
        add("subject", "主题不能超过200字")
    if not data.text:
        add("text", "诉求内容不能为空")
    elif len(data.text) > 5000:
        add("text", "诉求内容不能超过5000字")
    data.contact_name = (data.contact_name or "").strip()
    data.contact_phone = (data.contact_phone or "").strip()
    if data.anonymous:
        if data.contact_name or data.contact_phone:
            add("anonymous", "匿名诉求不留联系人和电话")
    else:
        if not data.contact_name:
            add("contact_name", "实名诉求须填写联系人")
        if not data.contact_phone:
            add("contact_phone", "实名诉求须填写联系电话，以便答复和回访")
        else:
            try:
                validate_phone(data.contact_phone)
            except ValidationError as exc:
                add("contact_phone", "；".join(exc.messages))
    if len(data.contact_name) > 50:
        add("contact_name", "联系人不能超过50字")
    if data.department is not None and data.region is not None:
        inside = data.region.contains(data.department.region) or data.department.region.contains(data.region)
        if not inside:
            add("department", f"承办部门“{data.department}”不在该区划内")
    if data.hotline_ticket is not None and not (1 <= len(data.hotline_ticket) <= 40):
        add("hotline_ticket", "12345工单号须为1至40个字符")
    return errors


def _create(data: ComplaintIn, actor: Any, at: dt.datetime) -> Complaint:
    region = (
        data.region or (data.case.application.region if data.case is not None else None) or default_region()
    )
    received = data.received_at or at
    complaint = Complaint(
        number=_number(region, received),
        klass=data.klass,
        channel=data.channel,
        complex=data.complex,
        subject=data.subject,
        text=data.text,
        anonymous=data.anonymous,
        contact_name=data.contact_name,
        contact_phone=data.contact_phone,
        region=region,
        case=data.case,
        staff=data.staff,
        status=ComplaintStatus.RECEIVED,
        received_at=received,
        hotline_ticket=data.hotline_ticket,
        created_by=actor,
    )
    for name, value in _deadline(complaint, received).items():
        setattr(complaint, name, value)
    complaint.save()
    ComplaintEvent.objects.create(
        complaint=complaint, action="receive", to_status=ComplaintStatus.RECEIVED, actor=actor, at=at
    )
    audit_record(
        actor=actor,
        actor_label="" if actor is not None else "complainant",
        action="complaint.receive",
        target=complaint,
        after={
            "number": complaint.number,
            "class": data.klass,
            "channel": data.channel,
            "ticket": data.hotline_ticket,
        },
    )
    if data.department is not None:
        _move(complaint, "assign", actor, department=data.department, at=at, checked=True)
    return complaint


@transaction.atomic
def complaint_submit(*, data: ComplaintIn, actor: Any | None = None) -> Complaint:
    """Register one matter and give it its number (一问题一编号); its deadline follows the class
    SLA from the moment it was received. The public submits with ``actor=None`` (online);
    staff register hall (吐槽找茬) and hotline matters (``complaint.register``) and may assign at
    once (``complaint.assign``). Raises ``InvalidInput`` listing every field error."""
    if actor is None:
        if data.channel != ComplaintChannel.ONLINE:
            raise InvalidInput("群众自行提交的诉求渠道只能是“网上”", errors={"channel": ["无效"]})
        if data.department is not None or data.staff is not None or data.hotline_ticket or data.received_at:
            raise InvalidInput("承办部门、工单号等由工作人员填写", errors={"department": ["不可填写"]})
    else:
        require(actor, "complaint.register", region=data.region)
        if data.department is not None:
            require(actor, "complaint.assign", department=data.department)
    errors = _validate(data)
    if errors:
        raise InvalidInput("；".join(m for ms in errors.values() for m in ms), errors=errors)
    return _create(data, actor, now())


# ---- the one transition function ------------------------------------------------------------------

C = ComplaintStatus


COMPLAINT_TRANSITIONS: dict[tuple[str, str], Rule] = {
    (C.RECEIVED, "assign"): Rule(C.ASSIGNED, "complaint.assign", "交办"),
    (C.ASSIGNED, "reassign"): Rule(C.ASSIGNED, "complaint.assign", "二次交办", needs_note=True),
    (C.RECEIVED, "reply"): Rule(C.REPLIED, "complaint.register", "当场答复", needs_note=True),
    (C.ASSIGNED, "reply"): Rule(C.REPLIED, "complaint.handle", "答复", needs_note=True),
    (C.REPLIED, "satisfied"): Rule(C.CLOSED, "complaint.assign", "回访满意"),
    # 不满意: 二次交办 (the target becomes REFERRED after the second round; see _move).
    (C.REPLIED, "unsatisfied"): Rule(C.ASSIGNED, "complaint.assign", "回访不满意"),
    (C.REPLIED, "close"): Rule(C.CLOSED, "complaint.assign", "办结", needs_note=True),
    (C.RECEIVED, "escalate"): Rule(C.RECEIVED, SYSTEM, "逾期督办"),
    (C.ASSIGNED, "escalate"): Rule(C.ASSIGNED, SYSTEM, "逾期二次交办"),
}


COMPLAINT = Lifecycle(noun="诉求", states=ComplaintStatus, table=COMPLAINT_TRANSITIONS)


def _move(
    complaint: Complaint,
    action: str,
    actor: Any | None,
    *,
    note: str = "",
    department: Department | None = None,
    at: dt.datetime | None = None,
    checked: bool = False,
    by_complainant: bool = False,
) -> Complaint:
    old = complaint.status
    rule = COMPLAINT.rule(old, action)
    target_department = department or complaint.department
    if rule.permission == SYSTEM:
        if actor is not None:
            raise InvalidTransition(f"“{rule.label}”由系统定时任务执行")
    elif not checked and not by_complainant:
        if rule.permission == "complaint.handle":
            require(actor, rule.permission, department=complaint.department)
        elif rule.permission == "complaint.register":
            require(actor, rule.permission, region=complaint.region)
        else:
            require(
                actor,
                rule.permission,
                department=target_department,
                region=None if target_department else complaint.region,
            )
    note = (note or "").strip()
    if rule.needs_note and not note:
        raise InvalidInput(f"请填写{rule.label}的说明", errors={"note": ["必填"]})
    at = at or now()
    target = rule.target
    fields: dict[str, Any] = {}
    match action:
        case "assign":
            if target_department is None:
                raise InvalidInput("请选择承办部门", errors={"department": ["必填"]})
            fields = {"department": target_department, "round": 1}
        case "reassign":
            fields = {
                "department": target_department,
                "round": complaint.round + 1,
                **_deadline(complaint, at),
                "overdue_at": None,
            }
        case "reply":
            fields = {"reply": note, "replied_at": at}
        case "satisfied":
            fields = {"follow_up": FollowUp.SATISFIED, "closed_at": at}
        case "close":
            fields = {"closed_at": at}
        case "unsatisfied":
            fields = {"follow_up": FollowUp.UNSATISFIED}
            if complaint.round >= MAX_ROUNDS:
                target = C.REFERRED  # seed 001: 二次交办后仍不满意的，转报纪委监委
                fields["closed_at"] = at
            else:
                fields.update(
                    round=complaint.round + 1, **_deadline(complaint, at), overdue_at=None, replied_at=None
                )
        case "escalate":
            fields = {"escalations": complaint.escalations + 1}
            if old == C.ASSIGNED and complaint.round < MAX_ROUNDS:
                fields.update(round=complaint.round + 1, **_deadline(complaint, at))  # 二次交办, new limit
            else:
                fields["overdue_at"] = at  # flagged for the supervisors; no further automatic round
    guard: dict[str, Any] = {"overdue_at__isnull": True} if action == "escalate" else {}
    COMPLAINT.move(
        Complaint,
        complaint.pk,
        old=old,
        target=target,
        expect={"round": complaint.round, **guard},
        conflict="诉求已被他人处理，请刷新后重试",
        **fields,
    )
    ComplaintEvent.objects.create(
        complaint=complaint,
        action=action,
        from_status=old,
        to_status=target,
        actor=actor,
        department=fields.get("department", complaint.department),
        note=note,
        at=at,
    )
    audit_record(
        actor=actor,
        actor_label="" if actor is not None else ("complainant" if by_complainant else ""),
        action=f"complaint.{action}",
        target=complaint,
        before={"status": old, "round": complaint.round},
        after={
            "status": target,
            **{k: (v.code if isinstance(v, Department) else v) for k, v in fields.items()},
        },
    )
    complaint.refresh_from_db()
    return complaint


@transaction.atomic
def complaint_transition(
    *,
    complaint: Complaint,
    action: str,
    actor: Any | None,
    note: str = "",
    department: Department | None = None,
) -> Complaint:
    """Move a complaint by ``action`` along ``COMPLAINT_TRANSITIONS``: 交办 / 二次交办 to a
    department (``complaint.assign``), 答复 (``complaint.handle`` in the department, or
    ``complaint.register`` for an immediate answer at the window), 回访 满意 / 不满意 and 办结
    (``complaint.assign``). 不满意 after the first round re-assigns it (二次交办) with a new limit;
    after the second it is referred (转报纪检监察机关). Escalations are the timer's (``actor=None``).

    Raises ``InvalidTransition`` (409) for a pair not in the table, ``PermissionDenied``,
    ``InvalidInput`` for a missing note or department, ``ConcurrentChange`` if moved meanwhile.
    """
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    return _move(locked, action, actor, note=note, department=department)


@transaction.atomic
def complaint_follow_up_by_complainant(
    *, complaint: Complaint, phone_suffix: str, code: str, satisfied: bool
) -> Complaint:
    """The complainant rates the reply (回访评价) with the last 4 digits of the contact phone and
    the 回访码 given at registration (``complaint_follow_up_code``): the number and the suffix alone
    can be guessed. Anonymous matters are followed up by staff only. A wrong suffix or code is
    ``NotFound`` with one message (nothing leaks)."""
    suffix = (phone_suffix or "").strip()
    if (
        complaint.anonymous
        or len(suffix) != 4
        or not complaint.contact_phone.endswith(suffix)
        or not complaint_follow_up_code_matches(complaint, code)
    ):
        raise NotFound("未找到与诉求编号、联系电话后4位和回访码相符的诉求")
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    return _move(locked, "satisfied" if satisfied else "unsatisfied", None, by_complainant=True)


# ---- calendar changes ------------------------------------------------------------------------------


def complaints_recompute_deadlines_for_calendar(calendar: Calendar, years: frozenset[int]) -> int:
    """``clock.hooks`` handler: recount the deadline of every open matter whose region counts on
    ``calendar`` and whose deadline is provisional or runs into a changed year (a holiday notice
    imported, a regional day added). Returns how many deadlines moved or lost their flag."""
    first_changed = min(years, default=None)
    rows = Complaint.objects.filter(status__in=(C.RECEIVED, C.ASSIGNED), overdue_at__isnull=True)
    if first_changed is not None:
        start = timezone.make_aware(dt.datetime.combine(dt.date(first_changed, 1, 1), dt.time()))
        rows = rows.filter(Q(due_provisional=True) | Q(due_at__gte=start))
    else:
        rows = rows.filter(due_provisional=True)
    uses = region_uses_calendar(calendar)
    cal = work_calendar(calendar)
    count = 0
    for complaint in rows.select_related("region").iterator(chunk_size=2000):
        if not uses(complaint.region):
            continue
        start_at = complaint.due_from or complaint.received_at
        due_at, provisional = due(start_at, sla_for(complaint.klass, complex_matter=complaint.complex), cal)
        if (due_at, provisional) != (complaint.due_at, complaint.due_provisional):
            count += Complaint.objects.filter(pk=complaint.pk, round=complaint.round).update(
                due_at=due_at, due_provisional=provisional
            )
    return count


# ---- timers ----------------------------------------------------------------------------------------


def complaints_fire_due(*, limit: int = 500) -> list[tuple[int, str]]:
    """Escalate every matter past its deadline that is not yet answered: the first time an assigned
    matter is re-assigned (二次交办) to its department with a new limit; a matter still overdue
    after that, or never assigned, is flagged (``overdue_at``) for the supervisors.

    Rows are claimed by ``core.timers.claim_due`` (one transaction each, ``SELECT … FOR UPDATE
    SKIP LOCKED`` on PostgreSQL); the update is conditional, so no matter escalates twice for one
    deadline."""

    def escalate(row: Complaint) -> str:
        moved = _move(row, "escalate", None)
        result = "re-assigned (二次交办)" if moved.overdue_at is None else "flagged overdue"
        return f"complaint {moved.number} {result}"

    return claim_due(complaints_due(), limit=limit, fire=escalate)


# ---- 12345 import ------------------------------------------------------------------------------------

# Columns of a 12345 export (CSV with a header row, UTF-8 with or without BOM; or a JSON list of
# objects with the same keys). English or Chinese header names are accepted.
IMPORT_COLUMNS: dict[str, tuple[str, bool, str]] = {
    # key: (Chinese header, required, description)
    "ticket": ("工单号", True, "12345工单号，唯一；已导入的工单再次导入时跳过"),
    "received_at": ("受理时间", True, "YYYY-MM-DD HH:MM[:SS]，北京时间"),
    "class": ("诉求类别", True, "咨询 / 求助 / 投诉 / 建议（或 consultation/help/complaint/suggestion）"),
    "subject": ("主题", True, "不超过200字"),
    "text": ("诉求内容", True, "不超过5000字"),
    "contact_name": ("联系人", False, "实名诉求必填"),
    "contact_phone": ("联系电话", False, "实名诉求必填"),
    "anonymous": ("匿名", False, "是/否（缺省否）"),
    "department": ("承办部门", False, "部门编码，如 SCJG；填写则导入时即交办"),
    "case_number": ("办件编号", False, "相关办件编号"),
    "region": ("区划代码", False, "12位区划代码，缺省为政务服务中心所在区划"),
    "complex": ("情况复杂", False, "是/否（缺省否）；是则按复杂事项时限"),
}
_CHINESE = {zh: key for key, (zh, _r, _d) in IMPORT_COLUMNS.items()}
_CLASS_NAMES = {str(label): value for value, label in ComplaintClass.choices} | {
    v: v for v in ComplaintClass.values
}
_TRUE, _FALSE = {"是", "true", "1", "yes", "y"}, {"否", "false", "0", "no", "n", ""}


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based data row (the header is row 0)
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class ImportReport:
    created: list[str]  # new complaint numbers
    skipped: list[str]  # tickets already imported


class ImportRejected(InvalidInput):
    code, status, title = "import_rejected", 422, "导入数据有误，未导入任何记录"


def _rows_from(content: bytes | str, fmt: str) -> list[dict[str, Any]]:
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip("\ufeff")
    untrusted.check_text(text, "导入文件")  # NUL cannot be stored in PostgreSQL
    if fmt == "json":
        try:
            data = untrusted.load_json(text)
        except ValueError as exc:
            raise ImportRejected(f"JSON格式错误：{exc}", errors=[]) from None
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ImportRejected("JSON须为对象数组", errors=[])
        return data
    if fmt != "csv":
        raise InvalidInput(f"不支持的格式“{fmt}”（csv 或 json）")
    reader = csv.DictReader(io.StringIO(text))
    return [dict(row) for row in reader]


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def _parse_row(raw: dict[str, Any], index: int, errors: list[RowError], seen: set[str]) -> ComplaintIn | None:
    row = {_CHINESE.get(str(k).strip(), str(k).strip()): v for k, v in raw.items() if k is not None}
    unknown = sorted(k for k in row if k not in IMPORT_COLUMNS)
    for key in unknown:
        errors.append(RowError(index, key, f"未知列“{key}”"))

    def text(key: str) -> str:
        value = row.get(key)
        return "" if value is None else str(value).strip()

    before = len(errors)
    for key, (zh, required, _d) in IMPORT_COLUMNS.items():
        if required and not text(key):
            errors.append(RowError(index, key, f"{zh}不能为空"))
    ticket = text("ticket")
    if ticket:
        if ticket in seen:
            errors.append(RowError(index, "ticket", f"工单号{ticket}在文件中重复"))
        seen.add(ticket)
    received = None
    if text("received_at"):
        try:
            received = dt.datetime.fromisoformat(text("received_at"))
            if not 2000 <= received.year <= 2100:
                raise ValueError
            if timezone.is_naive(received):
                received = timezone.make_aware(received)
            if received > now():
                errors.append(RowError(index, "received_at", "受理时间不能晚于当前时间"))
        except ValueError:
            errors.append(
                RowError(index, "received_at", f"受理时间“{text('received_at')}”格式应为 YYYY-MM-DD HH:MM")
            )
    klass = _CLASS_NAMES.get(text("class"))
    if text("class") and klass is None:
        errors.append(RowError(index, "class", f"诉求类别“{text('class')}”无效（咨询、求助、投诉、建议）"))
    flags = {}
    for key in ("anonymous", "complex"):
        flags[key] = _bool(row.get(key))
        if flags[key] is None:
            errors.append(RowError(index, key, f"{IMPORT_COLUMNS[key][0]}只能填“是”或“否”"))
    region = None
    if text("region"):
        region = Region.objects.filter(code=text("region")).first()
        if region is None:
            errors.append(RowError(index, "region", f"区划代码{text('region')}不存在"))
    department = None
    if text("department"):
        candidates = Department.objects.filter(code=text("department"), is_active=True)
        department = candidates.filter(region=region).first() if region is not None else candidates.first()
        if department is None:
            errors.append(RowError(index, "department", f"部门编码{text('department')}不存在"))
    case = None
    if text("case_number"):
        case = Case.objects.select_related("application__region").filter(number=text("case_number")).first()
        if case is None:
            errors.append(RowError(index, "case_number", f"办件编号{text('case_number')}不存在"))
    data = ComplaintIn(
        klass=klass or ComplaintClass.COMPLAINT,
        subject=text("subject"),
        text=text("text"),
        channel=ComplaintChannel.HOTLINE,
        anonymous=bool(flags["anonymous"]),
        contact_name=text("contact_name"),
        contact_phone=text("contact_phone"),
        region=region,
        case=case,
        department=department,
        complex=bool(flags["complex"]),
        hotline_ticket=ticket or None,
        received_at=received,
    )
    reported = {e.field for e in errors[before:]}
    for name, messages in _validate(data).items():
        key = {"klass": "class", "hotline_ticket": "ticket"}.get(name, name)
        if key not in reported:
            errors.extend(RowError(index, key, m) for m in messages)
    return data


@transaction.atomic
def hotline_import(*, actor: Any, content: bytes | str, fmt: str = "csv") -> ImportReport:
    """Import 12345 hotline tickets (columns: ``IMPORT_COLUMNS``) all or nothing.

    Every row and field is validated first; if anything is wrong, nothing is imported and
    ``ImportRejected`` (422) lists every error as {row, field, message}. Tickets already imported
    are skipped (idempotent on the 12345 ticket number), so re-running a file is harmless.
    Requires ``complaint.import``; assigning at import needs ``complaint.assign`` too.
    """
    require(actor, "complaint.import")
    rows = _rows_from(content, fmt)
    if not rows:
        raise ImportRejected("文件中没有数据行", errors=[])
    if len(rows) > MAX_IMPORT_ROWS:
        raise ImportRejected(f"一次最多导入{MAX_IMPORT_ROWS}行，本文件有{len(rows)}行", errors=[])
    errors: list[RowError] = []
    seen: set[str] = set()
    parsed = [_parse_row(raw, i, errors, seen) for i, raw in enumerate(rows, start=1)]
    for data in parsed:
        if data.department is not None:
            require(actor, "complaint.assign", department=data.department)
    if errors:
        raise ImportRejected(f"共{len(errors)}处错误，未导入任何记录", errors=[e.as_dict() for e in errors])
    existing = set(
        Complaint.objects.filter(hotline_ticket__in=[d.hotline_ticket for d in parsed]).values_list(
            "hotline_ticket", flat=True
        )
    )
    created, skipped = [], []
    at = now()
    for data in parsed:
        if data.hotline_ticket in existing:
            skipped.append(data.hotline_ticket)
            continue
        try:
            with transaction.atomic():
                created.append(_create(data, actor, at).number)
        except IntegrityError:
            skipped.append(data.hotline_ticket)  # imported concurrently by someone else
    audit_record(
        actor=actor,
        action="complaint.import",
        after={"created": len(created), "skipped": len(skipped), "format": fmt},
    )
    return ImportReport(created=created, skipped=skipped)


def import_columns_doc() -> Iterable[tuple[str, str, bool, str]]:
    """The import columns as (key, Chinese header, required, description), for pages and docs."""
    return [(key, zh, required, desc) for key, (zh, required, desc) in IMPORT_COLUMNS.items()]
