"""Lifecycle core: numbers, events, the conditional transition of applications and cases,
timer rows, the online applicant's proof of possession."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from onewindow.audit.services import audit_record
from onewindow.cases.models import (
    Application,
    ApplicationStatus,
    Case,
    CaseEvent,
    CaseStatus,
    NumberSequence,
    Timer,
)
from onewindow.cases.transitions import (
    APPLICATION_TRANSITIONS,
    CASE_TRANSITIONS,
    RESUME,
    SYSTEM,
    allowed_actions,
)
from onewindow.core.errors import ConcurrentChange, DomainError, InvalidTransition
from onewindow.core.timeutil import now
from onewindow.org.authz import require
from onewindow.org.models import Region

DEFAULT_REMEDIES = (
    "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼。"
)


class GuardFailed(DomainError):
    code, status, title = "guard_failed", 409, "尚不满足办理条件"


# ---- numbers -----------------------------------------------------------------------------------


def sequence_next(scope: str) -> int:
    """The next value of a named counter (application, draft and complaint numbers); row-locked
    so concurrent callers never share a value."""
    try:
        with transaction.atomic():
            NumberSequence.objects.get_or_create(scope=scope)
    except IntegrityError:
        pass  # created concurrently
    seq = NumberSequence.objects.select_for_update().get(scope=scope)
    NumberSequence.objects.filter(pk=seq.pk).update(last=F("last") + 1)
    return seq.last + 1


def _application_number(region: Region, at: dt.datetime) -> str:
    """受理编号: county code (6) + date (8) + sequence of the day in that county (4+)."""
    day = timezone.localdate(at)
    county = region.code[:6]
    return f"{county}{day:%Y%m%d}{sequence_next(f'app:{county}:{day:%Y%m%d}'):04d}"


def _draft_reference(region: Region, at: dt.datetime) -> str:
    day = timezone.localdate(at)
    county = region.code[:6]
    return f"S{county}{day:%Y%m%d}{sequence_next(f'draft:{county}:{day:%Y%m%d}'):05d}"


# ---- events and transitions --------------------------------------------------------------------


def _event(
    *,
    application: Application,
    case: Case | None,
    action: str,
    old: str,
    new: str,
    actor: Any,
    note: str = "",
    data: dict | None = None,
) -> None:
    CaseEvent.objects.create(
        application=application,
        case=case,
        action=action,
        from_status=old,
        to_status=new,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
        data=data or {},
        at=now(),
    )
    audit_record(
        actor=actor if getattr(actor, "pk", None) else None,
        action=f"{'case' if case else 'application'}.{action}",
        target=case or application,
        before={"status": old} if old else None,
        after={"status": new, **({"note": note} if note else {}), **(data or {})},
    )


def _state_label(table_model: Any, state: str) -> str:
    try:
        return str(table_model(state).label)
    except ValueError:
        return state


def _refuse_transition(kind: str, state: str, action: str, table: dict, model: Any) -> InvalidTransition:
    allowed = [table[(state, a)].label for a in allowed_actions(table, state)]
    what = next((r.label for (s, a), r in table.items() if a == action), action)
    hint = f"；当前可以：{'、'.join(allowed)}" if allowed else "；当前状态下已不能再办理"
    return InvalidTransition(
        f"{_state_label(model, state)}的{kind}不能{what}{hint}", action=action, state=state
    )


def _move_application(
    application: Application,
    action: str,
    actor: Any,
    *,
    note: str = "",
    data: dict | None = None,
    system: bool = False,
    **fields: Any,
) -> Application:
    rule = APPLICATION_TRANSITIONS.get((application.status, action))
    if rule is None:
        raise _refuse_transition(
            "申请", application.status, action, APPLICATION_TRANSITIONS, ApplicationStatus
        )
    if rule.permission == SYSTEM and not system:
        raise InvalidTransition(f"“{rule.label}”只能由系统定时任务执行")
    if not system and rule.permission != SYSTEM:
        require(actor, rule.permission, region=application.region)
    old = application.status
    moved = Application.objects.filter(
        pk=application.pk, status=old, lock_version=application.lock_version
    ).update(status=rule.target, lock_version=F("lock_version") + 1, updated_at=now(), **fields)
    if moved != 1:
        raise ConcurrentChange("该申请已被他人处理，请刷新后重试")
    _event(
        application=application,
        case=None,
        action=action,
        old=old,
        new=rule.target,
        actor=actor,
        note=note,
        data=data,
    )
    application.refresh_from_db()
    return application


def _move_case(
    case: Case,
    action: str,
    actor: Any,
    *,
    note: str = "",
    data: dict | None = None,
    system: bool = False,
    **fields: Any,
) -> Case:
    rule = CASE_TRANSITIONS.get((case.status, action))
    if rule is None:
        raise _refuse_transition("办件", case.status, action, CASE_TRANSITIONS, CaseStatus)
    if not system:
        department = case.department if action in {"revoke"} else case.step_department
        if action == "deliver" or action == "close":
            require(actor, rule.permission, region=case.application.region)
        else:
            require(actor, rule.permission, department=department)
    target = case.resume_status if rule.target == RESUME else rule.target
    if action == "suspend":
        fields["resume_status"] = case.status
    if rule.target == RESUME:
        fields["resume_status"] = ""
    old = case.status
    moved = Case.objects.filter(pk=case.pk, status=old, lock_version=case.lock_version).update(
        status=target, lock_version=F("lock_version") + 1, updated_at=now(), **fields
    )
    if moved != 1:
        raise ConcurrentChange(f"办件 {case.number} 已被他人处理，请刷新后重试")
    _event(
        application=case.application,
        case=case,
        action=action,
        old=old,
        new=target,
        actor=actor,
        note=note,
        data=data,
    )
    case.refresh_from_db()
    return case


def _timer(kind: str, target_id: int, due_at: dt.datetime) -> None:
    Timer.objects.update_or_create(
        kind=kind,
        target_id=target_id,
        defaults={"due_at": due_at, "fired_at": None, "cancelled": False, "result": ""},
    )


def _cancel_timer(kind: str, target_id: int) -> None:
    Timer.objects.filter(kind=kind, target_id=target_id, fired_at__isnull=True).update(cancelled=True)


# ---- back office ---------------------------------------------------------------------------------


def _lock(case: Case) -> Case:
    """Re-read the case for a guard decision (the update itself is still conditional)."""
    return Case.objects.select_related(
        "application__region", "item_version", "department", "step_department"
    ).get(pk=case.pk)
