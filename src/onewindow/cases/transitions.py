"""The one transition table for applications and cases (DESIGN.md §5, STYLE.md §4).

Each (state, action) pair names the target state and the permission (``org.roles`` action)
the actor needs; anything not in the table is refused with ``InvalidTransition`` (HTTP 409)
saying what the current state allows. Guards that depend on data live in ``cases.services``
next to the effects, and run inside the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from onewindow.cases.models import ApplicationStatus as A
from onewindow.cases.models import CaseStatus as C

# Timers act as the system: no user, no permission check.
SYSTEM = "system"


@dataclass(frozen=True)
class Rule:
    target: str
    permission: str  # an org.roles action, or SYSTEM
    label: str  # Chinese, for messages


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

CASE_TRANSITIONS: dict[tuple[str, str], Rule] = {
    (C.ACCEPTED, "start_review"): Rule(C.REVIEWING, "case.review", "开始审查"),
    (C.REVIEWING, "start_inspection"): Rule(C.INSPECTING, "case.inspect", "现场核查"),
    (C.INSPECTING, "finish_inspection"): Rule(C.REVIEWING, "case.inspect", "完成现场核查"),
    (C.REVIEWING, "submit_for_decision"): Rule(C.DECIDING, "case.review", "提交决定"),
    (C.DECIDING, "approve"): Rule(C.APPROVED, "case.decide", "准予许可"),
    (C.DECIDING, "deny"): Rule(C.DENIED, "case.decide", "不予许可"),
    # 即办件 and 告知承诺: approval at once, straight from acceptance (guarded in services).
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


def allowed_actions(table: dict[tuple[str, str], Rule], state: str) -> list[str]:
    """The actions the table allows from ``state`` (for messages and for the pages' buttons)."""
    return [action for (s, action) in table if s == state]
