"""Reads for complaints: lookups, the staff queues and the complainant's public view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Min, Q, QuerySet
from django.utils.crypto import constant_time_compare, salted_hmac

from onewindow.complaints.models import Complaint, ComplaintEvent, ComplaintStatus
from onewindow.core.errors import NotFound
from onewindow.core.timeutil import now
from onewindow.org.authz import scope_q

OPEN_STATUSES = (ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED, ComplaintStatus.REPLIED)


def complaint_get(number: str) -> Complaint:
    """The complaint with this number; ``NotFound`` otherwise (also for absurd input)."""
    key = (number or "").strip()
    found = (
        Complaint.objects.select_related("department", "region", "case").filter(number=key).first()
        if key and len(key) <= 40 and "\x00" not in key
        else None
    )
    if found is None:
        raise NotFound(f"诉求“{key[:40]}”不存在或无权查看")
    return found


def complaint_list_for_user(
    user: Any, *, status: str | None = None, overdue: bool = False, klass: str | None = None
) -> QuerySet[Complaint]:
    """Complaints the user may see: supervisors and window staff of the region (register /
    assign), and the departments handling them (``complaint.handle``); by deadline."""
    q = (
        scope_q(user, "complaint.handle", department_field="department")
        | scope_q(user, "complaint.assign", department_field="department", region_field="region")
        | scope_q(user, "complaint.register", department_field="department", region_field="region")
    )
    rows = Complaint.objects.filter(q).select_related("department", "region")
    if status:
        rows = rows.filter(status=status)
    if klass:
        rows = rows.filter(klass=klass)
    if overdue:
        rows = rows.filter(Q(overdue_at__isnull=False) | Q(status__in=OPEN_STATUSES[:2], due_at__lte=now()))
    return rows.order_by("due_at", "pk")


def complaint_get_for_user(user: Any, number: str) -> Complaint:
    found = complaint_list_for_user(user).filter(number=(number or "").strip()[:40]).first()
    if found is None:
        raise NotFound(f"诉求“{(number or '')[:40]}”不存在或无权查看")
    return found


@dataclass(frozen=True)
class PublicComplaint:
    number: str
    klass: str
    subject: str
    status: str
    status_label: str
    received_at: Any
    due_at: Any
    reply: str
    replied_at: Any
    follow_up: str
    can_follow_up: bool
    events: list[tuple[Any, str]]


PUBLIC_EVENT_LABELS = {
    "receive": "已登记",
    "assign": "已交办承办部门",
    "reassign": "二次交办",
    "escalate": "逾期督办",
    "reply": "已答复",
    "satisfied": "回访：满意",
    "unsatisfied": "回访：不满意",
    "close": "已办结",
}


# 回访码: the secret a complainant is given with the number, needed to rate the reply online. The
# number is sequential and the phone suffix has 10⁴ values, so number + suffix alone would let a
# guesser close someone else's matter. The code is derived from the matter and SECRET_KEY (an
# HMAC), so nothing is stored; a key rotated with SECRET_KEY_FALLBACKS keeps old codes working.
FOLLOW_UP_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone
FOLLOW_UP_CODE_LENGTH = 8  # 32⁸ ≈ 10¹², with the look-up throttle on top


def complaint_follow_up_code(complaint: Complaint, *, secret: str | None = None) -> str:
    """The matter's 回访码: 8 characters, given to the complainant when the matter is registered."""
    digest = salted_hmac(
        "onewindow.complaints.follow-up",
        f"{complaint.pk}:{complaint.number}",
        secret=secret,
        algorithm="sha256",
    ).digest()
    return "".join(FOLLOW_UP_CODE_ALPHABET[b % 32] for b in digest[:FOLLOW_UP_CODE_LENGTH])


def complaint_follow_up_code_matches(complaint: Complaint, code: str) -> bool:
    """True when ``code`` (any case, spaces ignored) is the matter's 回访码 under the current
    SECRET_KEY or one of its fallbacks."""
    given = "".join((code or "").split()).upper()
    if len(given) != FOLLOW_UP_CODE_LENGTH:
        return False
    return any(
        constant_time_compare(given, complaint_follow_up_code(complaint, secret=key))
        for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    )


def complaint_public(number: str, phone_suffix: str) -> PublicComplaint:
    """What the complainant sees with the number and the last 4 digits of the contact phone:
    status, reply, and whether the reply can be rated. Wrong pairs all give the same ``NotFound``;
    anonymous matters have no public view (there is no phone to check)."""
    refused = NotFound("未找到与诉求编号和联系电话后4位相符的诉求")
    suffix = (phone_suffix or "").strip()
    try:
        complaint = complaint_get(number)
    except NotFound:
        raise refused from None
    if complaint.anonymous or len(suffix) != 4 or not complaint.contact_phone.endswith(suffix):
        raise refused
    events = [
        (e.at, PUBLIC_EVENT_LABELS[e.action])
        for e in ComplaintEvent.objects.filter(complaint=complaint).order_by("at", "pk")
        if e.action in PUBLIC_EVENT_LABELS
    ]
    return PublicComplaint(
        number=complaint.number,
        klass=complaint.get_klass_display(),
        subject=complaint.subject,
        status=complaint.status,
        status_label=complaint.get_status_display(),
        received_at=complaint.received_at,
        due_at=complaint.due_at,
        reply=complaint.reply,
        replied_at=complaint.replied_at,
        follow_up=complaint.get_follow_up_display() if complaint.follow_up else "",
        can_follow_up=complaint.status == ComplaintStatus.REPLIED,
        events=events,
    )


def complaints_due() -> QuerySet[Complaint]:
    """Matters past their deadline, not answered and not yet flagged, longest-overdue first: what
    the worker escalates (``complaints_fire_due``)."""
    return Complaint.objects.filter(
        status__in=OPEN_STATUSES[:2], overdue_at__isnull=True, due_at__lte=now()
    ).order_by("due_at", "pk")


def complaints_oldest_due() -> dt.datetime | None:
    """``core.timers`` backlog: the deadline of the longest-overdue matter the worker has not yet
    escalated (``complaints_due``), or None when nothing is waiting."""
    return complaints_due().aggregate(m=Min("due_at"))["m"]


def complaints_count_due() -> int:
    """``core.timers`` count for ``onewindow tick --dry-run``: matters waiting to be escalated."""
    return complaints_due().count()
