"""Suspension (行政许可法 第四十五条) and extension (第四十二条) of the clock: of a case, and of a
bundle handled jointly (第四十二条第二款)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from onewindow.cases.models import (
    OPEN_CASE_STATES,
    Application,
    Case,
    Extension,
    ExtensionStatus,
    JointExtension,
    Suspension,
    SuspensionReason,
)
from onewindow.cases.selectors import case_extension_refusal
from onewindow.cases.services.core import _event, _lock, _move_case
from onewindow.cases.services.deadlines import (
    MAX_EXTENSION_DAYS,
    MAX_JOINT_EXTENSION_DAYS,
    _store_deadlines,
    _store_joint_deadlines,
    application_joint_deadlines,
)
from onewindow.cases.transitions import RUNNING
from onewindow.catalog.selectors import bundle_joint_limit
from onewindow.core.errors import ConcurrentChange, GuardFailed, InvalidInput, InvalidTransition
from onewindow.core.timeutil import now
from onewindow.org.authz import require

# How long a suspension may be announced for (working days); longer ones are announced again.
MAX_EXPECTED_SUSPENSION_DAYS = 250


def _day(instant: dt.datetime) -> str:
    return f"{timezone.localdate(instant - dt.timedelta(microseconds=1)):%Y年%m月%d日}"


@transaction.atomic
def case_suspend(*, actor: Any, case: Case, reason: str, expected_days: int, note: str = "") -> Case:
    """中止 (行政许可法 第四十五条): hearings, tendering and auction, testing, appraisal and expert
    review stop the clock. The reason and the expected length (working days) are recorded and told
    to the applicant (the 中止告知书 and a line on public tracking)."""
    if reason not in SuspensionReason.values:
        raise InvalidInput(
            f"中止原因“{reason}”无效：只有听证、招标拍卖、检验检测检疫、鉴定、专家评审可以中止计时",
            errors={"reason": [str(reason)[:20]]},
        )
    if (
        isinstance(expected_days, bool)
        or not isinstance(expected_days, int)
        or not 1 <= expected_days <= MAX_EXPECTED_SUSPENSION_DAYS
    ):
        raise InvalidInput(
            f"须填写预计中止的工作日数（1至{MAX_EXPECTED_SUSPENSION_DAYS}）",
            errors={"expected_days": ["无效"]},
        )
    case = _move_case(
        case,
        "suspend",
        actor,
        note=note.strip(),
        data={
            "reason": reason,
            "reason_label": str(SuspensionReason(reason).label),
            "expected_days": expected_days,
        },
    )
    Suspension.objects.create(
        case=case, reason=reason, note=note.strip(), expected_days=expected_days, started_at=now()
    )
    _store_deadlines(case)
    _store_joint_deadlines(case.application)
    return case


@transaction.atomic
def case_resume(*, actor: Any, case: Case, note: str = "") -> Case:
    """The clock runs again with what was left when it stopped (第四十五条)."""
    case = _move_case(case, "resume", actor, note=note)
    Suspension.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now())
    _store_deadlines(case)
    _store_joint_deadlines(case.application)
    return case


def _extendable(case: Case, at: dt.datetime) -> None:
    """第四十二条: an extension of the statutory working-day limit, while it has not run out (the
    deadline recomputed now from the facts, not read off a timer)."""
    _store_deadlines(case)
    refusal = case_extension_refusal(case, at)
    if refusal:
        raise GuardFailed(refusal, legal_due_at=case.legal_due_at)


def _check_request(days: Any, reason: str, *, used: int, most: int, what: str) -> str:
    """The common checks of an extension request: a positive whole number of working days, within
    what the law allows in all (``most``, of which ``used`` are used), with a reason (returned)."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise InvalidInput("延长的工作日数须为正整数", errors={"days": ["无效"]})
    if used + days > most:
        raise GuardFailed(f"{what}累计不能超过{most}个工作日（已延长{used}个）")
    if not reason.strip():
        raise InvalidInput("延期须说明理由", errors={"reason": ["必填"]})
    return reason.strip()


def _decided(model: type, extension: Any, actor: Any, approve: bool) -> None:
    """Record the decision on a requested extension, once (a second decision is a conflict)."""
    status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    done = model.objects.filter(pk=extension.pk, status=ExtensionStatus.REQUESTED).update(
        status=status, decided_by=actor, decided_at=now()
    )
    if done != 1:
        raise ConcurrentChange("该延期申请已审批")


@transaction.atomic
def extension_request(*, actor: Any, case: Case, days: int, reason: str) -> Extension:
    """延期 request (行政许可法 第四十二条): before the statutory deadline, at most ten working days
    in all, with a reason; it takes effect when the department's leader approves it, and moves the
    statutory deadline only (the promised deadline is the bureau's own promise)."""
    case = _lock(case)
    require(actor, "case.review", department=case.step_department)
    if case.status not in RUNNING:
        raise InvalidTransition(f"{case.get_status_display()}的办件不能申请延期")
    reason = _check_request(days, reason, used=case.extension_days, most=MAX_EXTENSION_DAYS, what="延期")
    _extendable(case, now())
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
    """The department's leader approves or rejects an extension. Approval is possible only before
    the statutory deadline (第四十二条); it moves that deadline, and the applicant is told (the
    延期告知书 and a line on public tracking with the reason)."""
    case = _lock(extension.case)
    require(actor, "case.approve_extension", department=case.department)
    if approve:
        if case.status not in OPEN_CASE_STATES:
            raise InvalidTransition(f"{case.get_status_display()}的办件不能再延期")
        if case.extension_days + extension.days > MAX_EXTENSION_DAYS:
            raise GuardFailed(
                f"延期累计不能超过{MAX_EXTENSION_DAYS}个工作日（已延长{case.extension_days}个）"
            )
        _store_deadlines(case)
        if case.legal_due_at is not None and now() >= case.legal_due_at:
            raise GuardFailed(
                f"法定期限已于{_day(case.legal_due_at)}届满；延期须在法定期限届满前申请并经负责人批准",
                legal_due_at=case.legal_due_at,
            )
    _decided(Extension, extension, actor, approve)
    data: dict[str, Any] = {"days": extension.days, "reason": extension.reason}
    if approve:
        Case.objects.filter(pk=case.pk).update(extension_days=F("extension_days") + extension.days)
        case.refresh_from_db()
        _store_deadlines(case)
        Extension.objects.filter(pk=extension.pk).update(legal_due_at=case.legal_due_at)
        data["legal_due_at"] = case.legal_due_at
    _event(
        application=case.application,
        case=case,
        action="approve_extension" if approve else "reject_extension",
        old=case.status,
        new=case.status,
        actor=actor,
        note=extension.reason,
        data=data,
    )
    extension.refresh_from_db()
    return extension


# ---- 第四十二条第二款: joint handling -------------------------------------------------------------


def _joint_extendable(application: Application, at: dt.datetime) -> None:
    if (
        application.bundle is None
        or bundle_joint_limit(application.bundle, application.bundle_option) is None
    ):
        raise GuardFailed("只有联合办理的“一件事”可以申请延长联合办理期限（行政许可法第四十二条第二款）")
    if not application.cases.filter(status__in=OPEN_CASE_STATES).exists():
        raise InvalidTransition("本申请的办件均已办结，无须延期")
    legal_due = application_joint_deadlines(application).legal
    if legal_due is not None and at >= legal_due:
        raise GuardFailed(
            f"联合办理的四十五个工作日已于{_day(legal_due)}届满；延期须在届满前经本级人民政府负责人批准",
            legal_due_at=legal_due,
        )


@transaction.atomic
def joint_extension_request(
    *, actor: Any, application: Application, days: int, reason: str
) -> JointExtension:
    """Ask to extend a jointly handled bundle's 45 working days by up to 15 (第四十二条第二款);
    takes effect with the approval of the 本级人民政府负责人."""
    require(actor, "application.request_joint_extension", region=application.region)
    reason = _check_request(
        days,
        reason,
        used=application.joint_extension_days,
        most=MAX_JOINT_EXTENSION_DAYS,
        what="联合办理延期",
    )
    _joint_extendable(application, now())
    if application.joint_extensions.filter(status=ExtensionStatus.REQUESTED).exists():
        raise GuardFailed("已有一项联合办理延期申请待审批")
    extension = JointExtension.objects.create(
        application=application,
        days=days,
        reason=reason.strip(),
        status=ExtensionStatus.REQUESTED,
        requested_by=actor,
        requested_at=now(),
    )
    _event(
        application=application,
        case=None,
        action="request_joint_extension",
        old=application.status,
        new=application.status,
        actor=actor,
        data={"days": days, "reason": reason.strip()},
    )
    return extension


@transaction.atomic
def joint_extension_decide(*, actor: Any, extension: JointExtension, approve: bool) -> JointExtension:
    """The 本级人民政府负责人 approves or rejects; approval (only before the joint deadline) moves the
    joint statutory deadline and is told to the applicant."""
    application = Application.objects.select_related("bundle", "region").get(pk=extension.application_id)
    require(actor, "application.approve_joint_extension", region=application.region)
    if approve:
        if application.joint_extension_days + extension.days > MAX_JOINT_EXTENSION_DAYS:
            raise GuardFailed(
                f"联合办理延期累计不能超过{MAX_JOINT_EXTENSION_DAYS}个工作日（已延长{application.joint_extension_days}个）"
            )
        _joint_extendable(application, now())
    _decided(JointExtension, extension, actor, approve)
    data: dict[str, Any] = {"days": extension.days, "reason": extension.reason}
    if approve:
        Application.objects.filter(pk=application.pk).update(
            joint_extension_days=F("joint_extension_days") + extension.days
        )
        application.refresh_from_db()
        _store_joint_deadlines(application)
        JointExtension.objects.filter(pk=extension.pk).update(legal_due_at=application.joint_legal_due_at)
        data["legal_due_at"] = application.joint_legal_due_at
    _event(
        application=application,
        case=None,
        action="approve_joint_extension" if approve else "reject_joint_extension",
        old=application.status,
        new=application.status,
        actor=actor,
        note=extension.reason,
        data=data,
    )
    extension.refresh_from_db()
    return extension
