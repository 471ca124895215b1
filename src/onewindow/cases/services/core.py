"""Lifecycle core: numbers, events, the conditional transition of applications and cases,
timer rows, the online applicant's proof of possession."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F
from django.utils import timezone

from onewindow.audit.services import audit_record
from onewindow.cases.models import (
    Application,
    Case,
    CaseEvent,
    Timer,
)
from onewindow.cases.transitions import APPLICATION, CASE, RESUME, SYSTEM
from onewindow.core.errors import InvalidTransition
from onewindow.core.lifecycle import Lifecycle
from onewindow.core.numbers import sequence_next
from onewindow.core.timeutil import now
from onewindow.org.authz import require
from onewindow.org.models import Region

DEFAULT_REMEDIES = (
    "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼。"
)


# ---- numbers -----------------------------------------------------------------------------------


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


def _permission(lifecycle: Lifecycle, action: str) -> str | None:
    """The permission an action needs (the same from every state it is allowed in), checked before
    the state: a user without it learns nothing about the object's state (403, not 409)."""
    return next((r.permission for (_s, a), r in lifecycle.table.items() if a == action), None)


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
    permission = _permission(APPLICATION, action)
    if permission == SYSTEM and not system:
        raise InvalidTransition(f"“{APPLICATION.action_label(action)}”只能由系统定时任务执行")
    if not system and permission not in (None, SYSTEM):
        require(actor, permission, region=application.region)
    rule = APPLICATION.check(application, action)
    old = application.status
    APPLICATION.move(
        Application,
        application.pk,
        old=old,
        target=rule.target,
        expect={"lock_version": application.lock_version},
        conflict="该申请已被他人处理，请刷新后重试",
        lock_version=F("lock_version") + 1,
        updated_at=now(),
        **fields,
    )
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
    permission = _permission(CASE, action)
    if not system and permission not in (None, SYSTEM):
        if action in ("deliver", "close"):
            require(actor, permission, region=case.application.region)
        else:
            require(
                actor, permission, department=case.department if action == "revoke" else case.step_department
            )
    rule = CASE.check(case, action)
    target = case.resume_status if rule.target == RESUME else rule.target
    if action == "suspend":
        fields["resume_status"] = case.status
    if rule.target == RESUME:
        fields["resume_status"] = ""
    old = case.status
    CASE.move(
        Case,
        case.pk,
        old=old,
        target=target,
        expect={"lock_version": case.lock_version},
        conflict=f"办件 {case.number} 已被他人处理，请刷新后重试",
        lock_version=F("lock_version") + 1,
        updated_at=now(),
        **fields,
    )
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
    """Arm (or move) the timer of ``kind`` for ``target_id``; one that already fired at the same
    moment stays fired, so recomputing unchanged deadlines never repeats a warning."""
    timer = Timer.objects.filter(kind=kind, target_id=target_id).first()
    if timer is None:
        Timer.objects.create(kind=kind, target_id=target_id, due_at=due_at)
    elif timer.due_at != due_at or timer.cancelled:
        Timer.objects.filter(pk=timer.pk).update(due_at=due_at, fired_at=None, cancelled=False, result="")


def _cancel_timer(kind: str, target_id: int) -> None:
    Timer.objects.filter(kind=kind, target_id=target_id, fired_at__isnull=True).update(cancelled=True)


# ---- back office ---------------------------------------------------------------------------------


def _lock(case: Case) -> Case:
    """Re-read the case for a guard decision (the update itself is still conditional)."""
    return Case.objects.select_related(
        "application__region", "item_version", "department", "step_department"
    ).get(pk=case.pk)
