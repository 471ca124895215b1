"""The one transition table for applications and cases (DESIGN.md §5, STYLE.md §4), with the guards
beside it.

Each (state, action) pair names the target state and the permission (``org.roles`` action) the
actor needs; anything not in the table is refused with ``InvalidTransition`` (HTTP 409) saying
what the current state allows. The guards are the rules about the data that a move also needs
(an instant item to approve at once, materials supplied, an inspection recorded …); the services
run them through ``core.lifecycle`` inside their transaction, and the department page asks the
same functions which buttons to show, so the two always agree.
"""

from __future__ import annotations

from onewindow.cases.models import ApplicationStatus as A
from onewindow.cases.models import Case
from onewindow.cases.models import CaseStatus as C
from onewindow.core.errors import GuardFailed
from onewindow.core.lifecycle import SYSTEM, Lifecycle, Rule
from onewindow.core.timeutil import now

APPLICATION_TRANSITIONS: dict[tuple[str, str], Rule] = {
    (A.DRAFT, "submit"): Rule(A.SUBMITTED, "application.submit_on_behalf", "提交申请"),
    (A.SUBMITTED, "accept"): Rule(A.ACCEPTED, "application.accept", "受理"),
    (A.SUBMITTED, "deem_accept"): Rule(A.ACCEPTED, SYSTEM, "逾期视为受理"),
    (A.SUBMITTED, "request_correction"): Rule(
        A.CORRECTION_REQUESTED, "application.request_correction", "一次性告知补正"
    ),
    (A.CORRECTION_REQUESTED, "resubmit"): Rule(A.SUBMITTED, "application.submit_on_behalf", "补正后重新提交"),
    (A.SUBMITTED, "refuse"): Rule(A.REFUSED, "application.refuse", "不予受理"),
    (A.CORRECTION_REQUESTED, "refuse"): Rule(A.REFUSED, "application.refuse", "不予受理"),
    (A.DRAFT, "withdraw"): Rule(A.WITHDRAWN, "application.submit_on_behalf", "撤回申请"),
    (A.SUBMITTED, "withdraw"): Rule(A.WITHDRAWN, "application.submit_on_behalf", "撤回申请"),
    (A.CORRECTION_REQUESTED, "withdraw"): Rule(A.WITHDRAWN, "application.submit_on_behalf", "撤回申请"),
}

RUNNING = (C.ACCEPTED, C.REVIEWING, C.INSPECTING, C.DECIDING)
RESUME = "__resume__"  # the target of "resume" is the state the case was suspended in
# A case's result is issued: approved (with its licence when the item has one) and after.
RESULT_ISSUED = (C.APPROVED, C.ISSUED, C.DELIVERED, C.CLOSED)

CASE_TRANSITIONS: dict[tuple[str, str], Rule] = {
    (C.ACCEPTED, "start_review"): Rule(C.REVIEWING, "case.review", "开始审查"),
    (C.REVIEWING, "start_inspection"): Rule(C.INSPECTING, "case.inspect", "现场核查"),
    (C.INSPECTING, "finish_inspection"): Rule(C.REVIEWING, "case.inspect", "完成现场核查"),
    (C.REVIEWING, "submit_for_decision"): Rule(C.DECIDING, "case.review", "提交决定"),
    (C.DECIDING, "approve"): Rule(C.APPROVED, "case.decide", "准予许可"),
    (C.DECIDING, "deny"): Rule(C.DENIED, "case.decide", "不予许可"),
    # 即办件 and 告知承诺: approval at once, straight from acceptance (guarded below).
    (C.ACCEPTED, "approve"): Rule(C.APPROVED, "case.decide", "当场准予"),
    (C.APPROVED, "issue"): Rule(C.ISSUED, "case.decide", "制发证照"),
    (C.APPROVED, "deliver"): Rule(C.DELIVERED, "case.deliver", "统一出件"),
    (C.ISSUED, "deliver"): Rule(C.DELIVERED, "case.deliver", "统一出件"),
    (C.DENIED, "deliver"): Rule(C.DELIVERED, "case.deliver", "统一出件"),
    (C.DELIVERED, "close"): Rule(C.CLOSED, "case.deliver", "办结"),
    (C.APPROVED, "revoke"): Rule(C.REVOKED, "case.approve_extension", "撤销许可"),
    (C.ISSUED, "revoke"): Rule(C.REVOKED, "case.approve_extension", "撤销许可"),
    (C.DELIVERED, "revoke"): Rule(C.REVOKED, "case.approve_extension", "撤销许可"),
    (C.CLOSED, "revoke"): Rule(C.REVOKED, "case.approve_extension", "撤销许可"),
    (C.SUSPENDED, "resume"): Rule(RESUME, "case.suspend", "恢复计时"),
    **{(state, "suspend"): Rule(C.SUSPENDED, "case.suspend", "中止计时") for state in RUNNING},
}


# ---- guards: rules about the data, beside the table ------------------------------------------------


def _decided_at_once(case: Case) -> None:
    version = case.item_version
    if not (version.is_instant or (case.commitment and version.commitment_approval)):
        raise GuardFailed("只有即办件或告知承诺制事项可以当场决定；其他办件须经审查")


def _waived_materials_supplied(case: Case) -> None:
    """容缺: a waived material holds the cases that need it until it is supplied (unless the item
    allows a conditional decision)."""
    if case.deficient and not case.item_version.conditional_on_deficiency:
        raise GuardFailed("容缺材料尚未补齐，补齐后方可作出准予决定")


def _prerequisites_issued(case: Case) -> None:
    unfinished = [c.number for c in case.waits_for.all() if c.status not in RESULT_ISSUED]
    if unfinished:
        raise GuardFailed(f"须待前置办件 {'、'.join(unfinished)} 准予后方可决定")


def _needs_inspection(case: Case) -> None:
    if not case.item_version.needs_inspection:
        raise GuardFailed("该事项不需要现场核查")


def _inspected_if_needed(case: Case) -> None:
    if case.item_version.needs_inspection and not case.findings.exists():
        raise GuardFailed("该事项需要现场核查，请先安排踏勘并记录结论")


def _opinions_settled(case: Case) -> None:
    """Every opinion is answered, or its deadline has passed where the catalogue makes silence
    consent (the service then records the consent)."""
    at = now()
    for opinion in case.opinions.all():
        if opinion.given_at is not None:
            continue
        if opinion.deemed_consent_basis and opinion.due_at is not None and at >= opinion.due_at:
            continue
        raise GuardFailed(f"尚有部门未答复联审意见：{opinion.department.short_name}")


CASE_GUARDS = {
    (C.ACCEPTED, "approve"): (_decided_at_once, _waived_materials_supplied, _prerequisites_issued),
    (C.DECIDING, "approve"): (_waived_materials_supplied, _prerequisites_issued),
    (C.REVIEWING, "start_inspection"): (_needs_inspection,),
    (C.REVIEWING, "submit_for_decision"): (_inspected_if_needed, _opinions_settled),
}

APPLICATION = Lifecycle(noun="申请", states=A, table=APPLICATION_TRANSITIONS)
CASE = Lifecycle(noun="办件", states=C, table=CASE_TRANSITIONS, guards=CASE_GUARDS)
