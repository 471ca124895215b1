"""The cases' durable timers, fired by ``onewindow worker``/``tick``."""

from __future__ import annotations

from onewindow.cases.models import (
    Application,
    ApplicationStatus,
    Case,
    Opinion,
    Timer,
    TimerKind,
)
from onewindow.cases.selectors import timers_due
from onewindow.cases.services.core import _event
from onewindow.cases.services.intake import application_deem_accept
from onewindow.cases.services.review import opinion_deem_consent
from onewindow.core.timers import claim_due
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
        if opinion_deem_consent(opinion=opinion):
            return "deemed consent"
        if not opinion.deemed_consent_basis:
            return "skipped: silence is not consent for this opinion"
        return "skipped: already answered"
    if timer.kind in (
        TimerKind.SUPPLY_REMINDER,
        TimerKind.SUPPLY_DEADLINE,
        TimerKind.DEADLINE_WARNING,
        TimerKind.POST_VERIFICATION_DUE,
        TimerKind.DELIVERY_DUE,
    ):
        # Reminders and warnings are recorded as events; notification channels hook in here.
        target = (
            Application.objects.filter(pk=timer.target_id).first()
            if timer.kind in (TimerKind.SUPPLY_REMINDER, TimerKind.SUPPLY_DEADLINE, TimerKind.DELIVERY_DUE)
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


def _mark_fired(timer: Timer, result: str) -> None:
    Timer.objects.filter(pk=timer.pk).update(fired_at=now(), result=result[:200])


def timers_fire_due(*, limit: int = 500) -> list[tuple[int, str]]:
    """Fire every due timer once. Safe with several workers: each timer is claimed by
    ``core.timers.claim_due`` (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite
    serialises writers) and marked fired in the same transaction as its effect, so a crash leaves
    it due, never half-done; a ``DomainError`` is recorded as its result (``refused: …``)."""
    return claim_due(timers_due(), limit=limit, fire=_fire, mark=_mark_fired)
