"""Decisions: 准予 / 不予许可, licence issue, 告知承诺 post-verification and revocation."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from onewindow.audit.services import audit_record
from onewindow.cases.models import (
    Case,
    CaseStatus,
    CreditRecord,
    PostVerification,
    TimerKind,
    VerificationStatus,
)
from onewindow.cases.services.core import (
    DEFAULT_REMEDIES,
    GuardFailed,
    _cancel_timer,
    _event,
    _lock,
    _move_case,
    _timer,
)
from onewindow.cases.services.deadlines import _calendar_for, _due
from onewindow.catalog.models import StepKind
from onewindow.clock.selectors import work_calendar
from onewindow.clock.workdays import (
    Duration,
    Unit,
)
from onewindow.core.errors import ConcurrentChange, InvalidInput
from onewindow.core.timeutil import now
from onewindow.licences.selectors import licence_get, licence_type_get
from onewindow.licences.services import licence_issue, licence_revoke
from onewindow.org.authz import require


def _decision_guards(case: Case, approve: bool) -> None:
    version = case.item_version
    if case.status == CaseStatus.ACCEPTED and not (
        version.is_instant or (case.commitment and version.commitment_approval)
    ):
        raise GuardFailed("只有即办件或告知承诺制事项可以当场决定；其他办件须经审查")
    if approve and case.deficient and not version.conditional_on_deficiency:
        raise GuardFailed("容缺材料尚未补齐，补齐后方可作出准予决定")
    unfinished = [
        c.number
        for c in case.waits_for.all()
        if c.status not in (CaseStatus.APPROVED, CaseStatus.ISSUED, CaseStatus.DELIVERED, CaseStatus.CLOSED)
    ]
    if approve and unfinished:
        raise GuardFailed(f"须待前置办件 {'、'.join(unfinished)} 准予后方可决定")


def _issue_licence(case: Case, actor: Any) -> Case:
    """准予 → 制证: the result licence is issued, signed, with the decision (行政许可法 第四十四条
    allows ten days; here it is at once) and put in the licence library."""
    version = case.item_version
    licence = licence_issue(
        licence_type=licence_type_get(name=version.result_licence_type),
        holder=case.application.applicant,
        actor=actor,
        department=case.department,
        data={"事项": version.item.name, "办件编号": case.number},
        source_case_no=case.number,
        source_case_id=case.pk,
    )
    return _move_case(
        case, "issue", actor, system=True, licence_number=licence.number, data={"licence": licence.number}
    )


@transaction.atomic
def case_decide(
    *, actor: Any, case: Case, approve: bool, basis: str, remedies: str = "", licence_data: dict | None = None
) -> Case:
    """准予 / 不予许可 with the legal basis (and, for a denial, the remedies). On approval on a
    commitment (告知承诺) a post-verification task is opened for the supervising department."""
    case = _lock(case)
    if not basis.strip():
        raise InvalidInput("决定须写明依据", errors={"basis": ["必填"]})
    _decision_guards(case, approve)
    case = _move_case(
        case,
        "approve" if approve else "deny",
        actor,
        note=basis.strip(),
        decision="approve" if approve else "deny",
        decision_basis=basis.strip(),
        decision_remedies="" if approve else (remedies.strip() or DEFAULT_REMEDIES),
        decided_at=now(),
        decided_by=actor,
        current_step=StepKind.ISSUE,
    )
    version = case.item_version
    if approve and version.result_licence_type:
        case = _issue_licence(case, actor)
    if approve and case.commitment and version.commitment_approval:
        cal = work_calendar(_calendar_for(case.application))
        due, _p = _due(now(), Duration(version.post_verification_days or 30, Unit.WORKDAY), cal, [], [])
        PostVerification.objects.create(
            case=case, department=case.department, due_at=due, status=VerificationStatus.OPEN
        )
        _timer(TimerKind.POST_VERIFICATION_DUE, case.pk, due)
    _cancel_timer(TimerKind.DEADLINE_WARNING, case.pk)
    return case


@transaction.atomic
def post_verification_finish(*, actor: Any, case: Case, passed: bool, note: str = "") -> PostVerification:
    """告知承诺 post-verification: a false commitment revokes the result and records a credit event."""
    verification = PostVerification.objects.select_related("case").filter(case=case).first()
    if verification is None:
        raise InvalidInput(f"办件 {case.number} 没有承诺核查任务")
    require(actor, "case.review", department=verification.department)
    if not passed and not note.strip():
        raise InvalidInput("核查发现承诺不实须写明情况", errors={"note": ["必填"]})
    status = VerificationStatus.PASSED if passed else VerificationStatus.FAILED
    done = PostVerification.objects.filter(pk=verification.pk, status=VerificationStatus.OPEN).update(
        status=status, result_note=note.strip(), finished_at=now(), finished_by=actor
    )
    if done != 1:
        raise ConcurrentChange("该承诺核查已完成")
    _cancel_timer(TimerKind.POST_VERIFICATION_DUE, case.pk)
    case = _lock(case)
    _event(
        application=case.application,
        case=case,
        action="post_verification",
        old=case.status,
        new=case.status,
        actor=actor,
        data={"passed": passed, "note": note.strip()},
    )
    if not passed:
        case_revoke(actor=actor, case=case, reason=f"告知承诺核查不实：{note.strip()}", system=True)
        CreditRecord.objects.create(
            applicant=case.application.applicant,
            case=case,
            kind="false_commitment",
            note=note.strip(),
            recorded_at=now(),
        )
        audit_record(
            actor=actor,
            action="credit.record",
            target=case.application.applicant,
            after={"kind": "false_commitment", "case": case.number},
        )
    verification.refresh_from_db()
    return verification


@transaction.atomic
def case_revoke(*, actor: Any, case: Case, reason: str, system: bool = False) -> Case:
    """Revoke an approved or issued result (撤销许可), e.g. after a failed post-verification."""
    if not reason.strip():
        raise InvalidInput("撤销须说明理由")
    case = _lock(case)
    case = _move_case(case, "revoke", actor, note=reason.strip(), system=system)
    if case.licence_number:
        licence_revoke(licence=licence_get(number=case.licence_number), actor=actor, reason=reason.strip())
    return case
