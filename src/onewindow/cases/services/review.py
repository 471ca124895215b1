"""Back-office review: joint-review opinions, joint site inspection, submission for decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from onewindow.cases.models import (
    Application,
    Case,
    CaseStatus,
    Inspection,
    InspectionFinding,
    Opinion,
    OpinionVerdict,
    TimerKind,
)
from onewindow.cases.services.core import (
    _cancel_timer,
    _event,
    _lock,
    _move_case,
    _timer,
)
from onewindow.cases.services.deadlines import _due, application_cal
from onewindow.cases.transitions import (
    CASE,
)
from onewindow.catalog.limits import exceeds
from onewindow.catalog.models import StepKind
from onewindow.clock.workdays import (
    Duration,
    Unit,
)
from onewindow.core.errors import ConcurrentChange, GuardFailed, InvalidInput, InvalidTransition
from onewindow.core.timeutil import now
from onewindow.org.authz import require
from onewindow.org.models import Department


@transaction.atomic
def case_start_review(*, actor: Any, case: Case) -> Case:
    """后台审查 begins in the case's department. Each review step of another department in the
    item's steps becomes an opinion request with that step's limit. Silence counts as consent only
    where the catalogue step names its basis (seed 001 大件运输: the police's opinion within 4 hours,
    silence counts as passed); another department's own permit is a case of its own, not a step."""
    case = _move_case(case, "start_review", actor, current_step=StepKind.REVIEW)
    steps = case.item_version.steps.filter(kind=StepKind.REVIEW).exclude(department=case.department)
    for step in steps.select_related("department"):
        _request_opinion(case, step.department, step.limit, step.deemed_consent_basis.strip(), actor)
    return case


def _request_opinion(
    case: Case, department: Department, within: Duration | None, basis: str, actor: Any
) -> Opinion:
    due = None
    if within is not None:
        due, _p = _due(now(), within, application_cal(case.application))
    opinion, created = Opinion.objects.get_or_create(
        case=case,
        department=department,
        defaults={"due_at": due, "deemed_consent_basis": basis if due is not None else ""},
    )
    if not created:
        raise InvalidInput(f"已向{department.short_name}征求过意见")
    if opinion.deemed_consent_basis:
        _timer(TimerKind.OPINION_DEADLINE, opinion.pk, due)
    _event(
        application=case.application,
        case=case,
        action="request_opinion",
        old=case.status,
        new=case.status,
        actor=actor,
        data={
            "department": department.short_name,
            "due": due,
            "within": str(within) if within else "",
            "deemed_consent": bool(opinion.deemed_consent_basis),
        },
    )
    return opinion


@transaction.atomic
def case_request_opinions(
    *, actor: Any, case: Case, departments: list[Department], within: Duration | None = None
) -> list[Opinion]:
    """联合审查: ask departments for an opinion, by a deadline if one is given.

    Silence past the deadline counts as consent (缺席默认) only where the item version names the
    basis and its period (``deemed_consent_days`` with ``deemed_consent_basis``); the deadline may
    not then be shorter than that period. Without them the department must answer.
    """
    require(actor, "case.review", department=case.step_department)
    if case.status != CaseStatus.REVIEWING:
        raise InvalidTransition(f"{case.get_status_display()}的办件不能征求意见；请先开始审查")
    if not departments:
        raise InvalidInput("请至少选择一个征求意见的部门")
    version = case.item_version
    basis = version.deemed_consent_basis.strip() if version.deemed_consent_days else ""
    if basis:
        period = Duration(version.deemed_consent_days, Unit.WORKDAY)
        if within is not None and exceeds(period, within):
            raise InvalidInput(
                f"本事项逾期未出具意见视为同意的期限为{period}，征求意见期限不得短于此",
                errors={"within": [str(period)]},
            )
        within = within or period
    return [_request_opinion(case, department, within, basis, actor) for department in departments]


def _opinion_deemed_due(opinion: Opinion, at: dt.datetime) -> bool:
    """Silence already counts as consent at ``at``: the catalogue names a basis and the opinion's
    deadline has passed (computed, whether or not the timer has fired)."""
    return bool(opinion.deemed_consent_basis) and opinion.due_at is not None and at >= opinion.due_at


def _deem(opinion: Opinion) -> bool:
    """Record a silent department as consenting as of its deadline (缺席默认). Idempotent."""
    done = Opinion.objects.filter(pk=opinion.pk, given_at__isnull=True).update(
        verdict=OpinionVerdict.CONFORMS,
        text="逾期未答复，按缺席默认视为同意",
        given_at=opinion.due_at,
        deemed=True,
    )
    if done:
        _cancel_timer(TimerKind.OPINION_DEADLINE, opinion.pk)
        _event(
            application=opinion.case.application,
            case=opinion.case,
            action="deem_opinion",
            old=opinion.case.status,
            new=opinion.case.status,
            actor=None,
            data={"department": opinion.department.short_name, "basis": opinion.deemed_consent_basis},
        )
        opinion.refresh_from_db()
    return bool(done)


@transaction.atomic
def opinion_give(*, actor: Any, opinion: Opinion, verdict: str, text: str = "") -> Opinion:
    """A department answers a joint review: 符合 / 符合但需修改 / 不符合 (the latter two need text).

    Where silence already counted as consent (the deadline passed and the catalogue names the
    basis), the answer is recorded as late and does not change the outcome.
    """
    require(actor, "case.opinion", department=opinion.department)
    if verdict not in OpinionVerdict.values:
        raise InvalidInput(f"意见“{verdict}”无效：应为符合、符合但需修改或不符合")
    if verdict != OpinionVerdict.CONFORMS and not text.strip():
        raise InvalidInput("“符合但需修改”或“不符合”须写明具体意见", errors={"text": ["必填"]})
    at = now()
    if _opinion_deemed_due(opinion, at):
        _deem(opinion)
    opinion.refresh_from_db()
    if opinion.deemed:
        return _record_late(opinion, actor, verdict, text.strip(), at)
    if opinion.case.status not in (CaseStatus.REVIEWING, CaseStatus.INSPECTING, CaseStatus.SUSPENDED):
        raise InvalidTransition(f"{opinion.case.get_status_display()}的办件不再征求意见")
    given = Opinion.objects.filter(pk=opinion.pk, given_at__isnull=True).update(
        verdict=verdict, text=text.strip(), given_at=at, given_by=actor
    )
    if given != 1:
        raise ConcurrentChange("该意见已答复")
    _cancel_timer(TimerKind.OPINION_DEADLINE, opinion.pk)
    opinion.refresh_from_db()
    _event(
        application=opinion.case.application,
        case=opinion.case,
        action="give_opinion",
        old=opinion.case.status,
        new=opinion.case.status,
        actor=actor,
        data={"department": opinion.department.short_name, "verdict": verdict},
    )
    return opinion


def _record_late(opinion: Opinion, actor: Any, verdict: str, text: str, at: dt.datetime) -> Opinion:
    recorded = Opinion.objects.filter(pk=opinion.pk, late_given_at__isnull=True).update(
        late_verdict=verdict, late_text=text, late_given_at=at, late_given_by=actor
    )
    if recorded != 1:
        raise ConcurrentChange("该部门的逾期意见已记录")
    opinion.refresh_from_db()
    _event(
        application=opinion.case.application,
        case=opinion.case,
        action="give_opinion_late",
        old=opinion.case.status,
        new=opinion.case.status,
        actor=actor,
        note="逾期意见：已按缺席默认视为同意，本意见记录在案，不改变结果",
        data={"department": opinion.department.short_name, "verdict": verdict},
    )
    return opinion


@transaction.atomic
def opinion_deem_consent(*, opinion: Opinion) -> bool:
    """Timer: record a silent department as consenting (缺席默认) where the catalogue names a basis
    and the deadline has passed. Idempotent; False when it does not apply or was answered."""
    if not _opinion_deemed_due(opinion, now()):
        return False
    return _deem(opinion)


@transaction.atomic
def inspection_schedule(
    *, actor: Any, application: Application, cases: list[Case], scheduled_for: dt.datetime, inspectors: str
) -> Inspection:
    """多勘合一: one site visit for every listed case of the application that needs one."""
    if not cases:
        raise InvalidInput("请选择需要踏勘的办件")
    cases = [_lock(case) for case in cases]
    for case in cases:
        require(actor, "case.inspect", department=case.step_department)
        if case.status != CaseStatus.REVIEWING:
            raise InvalidTransition(
                f"{case.get_status_display()}的办件 {case.number} 不能安排踏勘；请先开始审查"
            )
    if not inspectors.strip():
        raise InvalidInput("请填写踏勘人员", errors={"inspectors": ["必填"]})
    for case in cases:
        if case.application_id != application.pk:
            raise InvalidInput(f"办件 {case.number} 不属于申请 {application}")
        if not case.item_version.needs_inspection:
            raise InvalidInput(f"办件 {case.number} 的事项不需要现场核查")
    inspection = Inspection.objects.create(
        application=application, scheduled_for=scheduled_for, inspectors=inspectors.strip(), created_by=actor
    )
    inspection.cases.set(cases)
    for case in cases:
        _move_case(
            _lock(case),
            "start_inspection",
            actor,
            current_step=StepKind.INSPECT,
            data={"inspection": inspection.pk, "scheduled_for": scheduled_for},
        )
    return inspection


@transaction.atomic
def inspection_record_finding(
    *, actor: Any, inspection: Inspection, case: Case, passed: bool, note: str = ""
) -> InspectionFinding:
    """Record the site finding for one case; the case returns to review with it."""
    if not inspection.cases.filter(pk=case.pk).exists():
        raise InvalidInput(f"办件 {case.number} 不在本次踏勘中")
    case = _lock(case)  # the caller's copy may predate the scheduling
    require(actor, "case.inspect", department=case.step_department)
    if case.status != CaseStatus.INSPECTING:
        raise InvalidTransition(f"{case.get_status_display()}的办件 {case.number} 不能记录踏勘结论")
    if not passed and not note.strip():
        raise InvalidInput("核查不通过须写明问题", errors={"note": ["必填"]})
    try:
        with transaction.atomic():
            finding = InspectionFinding.objects.create(
                inspection=inspection,
                case=case,
                passed=passed,
                note=note.strip(),
                recorded_by=actor,
                recorded_at=now(),
            )
    except IntegrityError:
        raise ConcurrentChange(f"办件 {case.number} 的踏勘结论已记录") from None
    _move_case(
        _lock(case),
        "finish_inspection",
        actor,
        current_step=StepKind.REVIEW,
        data={"passed": passed, "note": note.strip()},
    )
    if inspection.findings.count() == inspection.cases.count():  # the visit is done for every case
        Inspection.objects.filter(pk=inspection.pk, done_at__isnull=True).update(done_at=now())
    return finding


@transaction.atomic
def case_submit_for_decision(*, actor: Any, case: Case, note: str = "") -> Case:
    """Review done: every requested opinion is in or counts as consent, and any inspection is
    recorded. An opinion whose deadline has passed where the catalogue names a basis for deemed
    consent is settled here as consent (whatever the timer did); the others must be answered."""
    require(actor, "case.review", department=case.step_department)
    if case.status != CaseStatus.REVIEWING:
        CASE.rule(case.status, "submit_for_decision")  # raises, naming what the state allows
    at = now()
    pending = []
    for opinion in case.opinions.filter(given_at__isnull=True).select_related("department", "case"):
        if not (_opinion_deemed_due(opinion, at) and _deem(opinion)):
            pending.append(opinion)
    if pending:
        names = "、".join(
            o.department.short_name
            + (
                f"（{timezone.localtime(o.due_at):%m月%d日%H:%M}前未答复视为同意）"
                if o.deemed_consent_basis
                else "（须待答复）"
            )
            for o in pending
        )
        raise GuardFailed(f"尚有部门未答复联审意见：{names}")
    if case.item_version.needs_inspection and not case.findings.exists():
        raise GuardFailed("该事项需要现场核查，请先安排踏勘并记录结论")
    return _move_case(case, "submit_for_decision", actor, note=note, current_step=StepKind.DECIDE)
