"""Suspension (行政许可法 第四十五条) and extension (第四十二条) of a case's clock."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F

from onewindow.cases.models import (
    Case,
    CaseStatus,
    Extension,
    ExtensionStatus,
    Suspension,
    SuspensionReason,
)
from onewindow.cases.services.core import GuardFailed, _event, _move_case
from onewindow.cases.services.deadlines import _store_deadlines
from onewindow.cases.transitions import (
    RUNNING,
)
from onewindow.core.errors import ConcurrentChange, InvalidInput, InvalidTransition
from onewindow.core.timeutil import now
from onewindow.org.authz import require

# 行政许可法 第四十二条: an extension of up to ten working days with the leader's approval.
MAX_EXTENSION_DAYS = 10


@transaction.atomic
def case_suspend(*, actor: Any, case: Case, reason: str, note: str = "") -> Case:
    """中止 (行政许可法 第四十五条): hearings, testing, appraisal, expert review stop the clock."""
    if reason not in SuspensionReason.values:
        raise InvalidInput(
            f"中止原因“{reason}”无效：只有听证、招标拍卖、检验检测检疫、鉴定、专家评审可以中止计时"
        )
    case = _move_case(case, "suspend", actor, note=note, data={"reason": reason})
    Suspension.objects.create(case=case, reason=reason, note=note, started_at=now())
    _store_deadlines(case)
    return case


@transaction.atomic
def case_resume(*, actor: Any, case: Case, note: str = "") -> Case:
    case = _move_case(case, "resume", actor, note=note)
    Suspension.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now())
    _store_deadlines(case)
    return case


@transaction.atomic
def extension_request(*, actor: Any, case: Case, days: int, reason: str) -> Extension:
    """延期 request (行政许可法 第四十二条): at most ten working days in all, with a reason;
    it takes effect when the leader approves it."""
    require(actor, "case.review", department=case.step_department)
    if case.status not in RUNNING:
        raise InvalidTransition(f"{case.get_status_display()}的办件不能申请延期")
    if not isinstance(days, int) or days < 1:
        raise InvalidInput("延长的工作日数须为正整数")
    if case.extension_days + days > MAX_EXTENSION_DAYS:
        raise GuardFailed(f"延期累计不能超过{MAX_EXTENSION_DAYS}个工作日（已延长{case.extension_days}个）")
    if not reason.strip():
        raise InvalidInput("延期须说明理由", errors={"reason": ["必填"]})
    if case.extensions.filter(status=ExtensionStatus.REQUESTED).exists():
        raise GuardFailed("已有一项延期申请待审批")
    extension = Extension.objects.create(
        case=case,
        days=days,
        reason=reason.strip(),
        status=ExtensionStatus.REQUESTED,
        requested_by=actor,
        requested_at=now(),
    )
    _event(
        application=case.application,
        case=case,
        action="request_extension",
        old=case.status,
        new=case.status,
        actor=actor,
        data={"days": days, "reason": reason.strip()},
    )
    return extension


@transaction.atomic
def extension_decide(*, actor: Any, extension: Extension, approve: bool) -> Extension:
    """The leader approves or rejects an extension; approval moves the deadlines."""
    case = extension.case
    require(actor, "case.approve_extension", department=case.department)
    if approve and case.status not in (*RUNNING, CaseStatus.SUSPENDED):
        raise InvalidTransition(f"{case.get_status_display()}的办件不能再延期")
    status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    done = Extension.objects.filter(pk=extension.pk, status=ExtensionStatus.REQUESTED).update(
        status=status, decided_by=actor, decided_at=now()
    )
    if done != 1:
        raise ConcurrentChange("该延期申请已审批")
    if approve:
        Case.objects.filter(pk=case.pk).update(extension_days=F("extension_days") + extension.days)
        case.refresh_from_db()
        _store_deadlines(case)
    _event(
        application=case.application,
        case=case,
        action="approve_extension" if approve else "reject_extension",
        old=case.status,
        new=case.status,
        actor=actor,
        data={"days": extension.days},
    )
    extension.refresh_from_db()
    return extension
