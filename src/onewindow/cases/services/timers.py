"""The cases' durable timers, fired by ``onewindow worker``/``tick``."""

from __future__ import annotations

from django.db import transaction

from onewindow.cases.models import (
    Application,
    ApplicationStatus,
    Case,
    Opinion,
    Timer,
    TimerKind,
)
from onewindow.cases.services.core import _event
from onewindow.cases.services.intake import application_deem_accept
from onewindow.cases.services.review import opinion_deem_consent
from onewindow.core.errors import DomainError
from onewindow.core.timeutil import now

# ---- timers --------------------------------------------------------------------------------------


def _fire(timer: Timer) -> str:
    if timer.kind == TimerKind.DEEMED_ACCEPTANCE:
        application = Application.objects.filter(pk=timer.target_id).first()
        if application is None or application.status != ApplicationStatus.SUBMITTED:
            return "skipped: not waiting for acceptance"
        application_deem_accept(application=application)
        return f"accepted as of receipt: {application.number}"
    if timer.kind == TimerKind.OPINION_DEADLINE:
        opinion = (
            Opinion.objects.select_related("case__application", "department")
            .filter(pk=timer.target_id)
            .first()
        )
        if opinion is None:
            return "skipped: opinion gone"
        return "deemed consent" if opinion_deem_consent(opinion=opinion) else "skipped: already answered"
    if timer.kind in (
        TimerKind.SUPPLY_REMINDER,
        TimerKind.SUPPLY_DEADLINE,
        TimerKind.DEADLINE_WARNING,
        TimerKind.POST_VERIFICATION_DUE,
    ):
        # Reminders and warnings are recorded as events; notification channels hook in here.
        target = (
            Application.objects.filter(pk=timer.target_id).first()
            if timer.kind in (TimerKind.SUPPLY_REMINDER, TimerKind.SUPPLY_DEADLINE)
            else Case.objects.filter(pk=timer.target_id).select_related("application").first()
        )
        if target is None:
            return "skipped: target gone"
        application = target if isinstance(target, Application) else target.application
        case = target if isinstance(target, Case) else None
        _event(
            application=application,
            case=case,
            action=f"timer_{timer.kind}",
            old="",
            new="",
            actor=None,
            note=str(TimerKind(timer.kind).label),
        )
        return "recorded"
    return "skipped: unknown kind"


def timers_fire_due(*, limit: int = 500) -> list[tuple[int, str]]:
    """Fire every due timer once. Safe with several workers: each timer is claimed with
    ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite serialises writers) and marked
    fired in the same transaction as its effect, so a crash leaves it due, never half-done."""
    fired: list[tuple[int, str]] = []
    for _ in range(limit):
        with transaction.atomic():
            due = Timer.objects.filter(fired_at__isnull=True, cancelled=False, due_at__lte=now()).order_by(
                "due_at", "pk"
            )
            timer = due.select_for_update(skip_locked=True).first()
            if timer is None:
                break
            try:
                with transaction.atomic():
                    result = _fire(timer)
            except DomainError as exc:
                result = f"refused: {exc}"
            Timer.objects.filter(pk=timer.pk).update(fired_at=now(), result=result[:200])
            fired.append((timer.pk, result))
    return fired
