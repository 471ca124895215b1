"""Writes and transitions for applications and cases, a module per stage.

Every public function is one transaction that leaves ``CaseEvent`` rows and audit events;
statuses move only through ``core._move_application``/``core._move_case`` and the table in
``cases.transitions``. Guards raise ``DomainError`` subclasses whose messages say why.

- ``core``: numbers, events, the conditional transitions, timer rows, the re-read for guards;
- ``deadlines``: the promised and statutory deadlines and the warning timer;
- ``intake``: application, checklist, submission, correction, refusal, acceptance (第三十二条);
- ``materials``: uploads, 容缺 and 告知承诺 marks, supplying waived materials;
- ``screening``: an upload's checks and virus scan, before the attach transaction opens;
- ``review``: joint-review opinions, joint site inspection, submission for decision;
- ``decision``: 准予 / 不予许可, licence issue, post-verification, revocation;
- ``suspension``: 中止 (第四十五条) and 延期 (第四十二条);
- ``delivery``: 统一出件;
- ``timers``: the durable timers fired by the worker.

The public names are re-exported here, so ``from onewindow.cases import services`` keeps working.
"""

from onewindow.cases.services.core import DEFAULT_REMEDIES, sequence_next
from onewindow.cases.services.deadlines import (
    CORRECTION_NOTICE_LIMIT,
    DELIVERY_LIMIT,
    JOINT_LEGAL_LIMIT,
    MAX_EXTENSION_DAYS,
    MAX_JOINT_EXTENSION_DAYS,
    Deadlines,
    application_deemed_acceptance_at,
    application_joint_deadlines,
    case_deadlines,
    case_recompute_deadlines_for_calendar,
)
from onewindow.cases.services.decision import (
    case_decide,
    case_revoke,
    credit_record_repair,
    post_verification_finish,
)
from onewindow.cases.services.delivery import application_deliver
from onewindow.cases.services.intake import (
    application_accept,
    application_create,
    application_deem_accept,
    application_refuse,
    application_request_correction,
    application_resubmit,
    application_submit,
)
from onewindow.cases.services.materials import (
    application_attach_material,
    application_mark_material,
)
from onewindow.cases.services.review import (
    case_request_opinions,
    case_start_review,
    case_submit_for_decision,
    inspection_record_finding,
    inspection_schedule,
    opinion_deem_consent,
    opinion_give,
)
from onewindow.cases.services.screening import application_screen_upload
from onewindow.cases.services.suspension import (
    case_resume,
    case_suspend,
    extension_decide,
    extension_request,
    joint_extension_decide,
    joint_extension_request,
)
from onewindow.cases.services.timers import timers_fire_due
from onewindow.core.errors import GuardFailed

__all__ = [
    "CORRECTION_NOTICE_LIMIT",
    "DEFAULT_REMEDIES",
    "DELIVERY_LIMIT",
    "JOINT_LEGAL_LIMIT",
    "MAX_EXTENSION_DAYS",
    "MAX_JOINT_EXTENSION_DAYS",
    "Deadlines",
    "GuardFailed",
    "application_accept",
    "application_attach_material",
    "application_create",
    "application_deem_accept",
    "application_deemed_acceptance_at",
    "application_deliver",
    "application_joint_deadlines",
    "application_mark_material",
    "application_refuse",
    "application_request_correction",
    "application_resubmit",
    "application_screen_upload",
    "application_submit",
    "case_deadlines",
    "case_decide",
    "case_recompute_deadlines_for_calendar",
    "case_request_opinions",
    "case_resume",
    "case_revoke",
    "case_start_review",
    "case_submit_for_decision",
    "case_suspend",
    "credit_record_repair",
    "extension_decide",
    "extension_request",
    "inspection_record_finding",
    "inspection_schedule",
    "joint_extension_decide",
    "joint_extension_request",
    "opinion_deem_consent",
    "opinion_give",
    "post_verification_finish",
    "sequence_next",
    "timers_fire_due",
]
