"""Decisions: 准予 / 不予许可, licence issue, 告知承诺 post-verification and revocation."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from onewindow.audit.services import audit_record
from onewindow.cases.models import (
    Application,
    Case,
    CreditRecord,
    PostVerification,
    TimerKind,
    VerificationStatus,
)
from onewindow.cases.services.core import (
    DEFAULT_REMEDIES,
    _cancel_timer,
    _event,
    _lock,
    _move_case,
    _timer,
)
from onewindow.cases.services.deadlines import (
    _arm_delivery,
    _due,
    _store_deadlines,
    application_cal,
    case_delivery_due,
)
from onewindow.cases.transitions import RESULT_ISSUED
from onewindow.catalog.models import BundleKind, Registration, StepKind
from onewindow.clock.workdays import (
    Duration,
    Unit,
)
from onewindow.core.errors import ConcurrentChange, InvalidInput
from onewindow.core.timeutil import now
from onewindow.enterprises.models import Enterprise
from onewindow.enterprises.selectors import enterprise_get, enterprise_licence_data
from onewindow.enterprises.services import (
    enterprise_cancel,
    enterprise_change,
    enterprise_establish,
    individual_business_register,
)
from onewindow.licences.models import Licence, LicenceStatus
from onewindow.licences.selectors import licence_get, licence_type_get
from onewindow.licences.services import (
    integrated_licence_issue_if_complete,
    licence_issue,
    licence_revoke,
    licence_supersede,
)
from onewindow.org.authz import require


def _start_waiting_cases(case: Case) -> None:
    """A result was issued: the cases of the same application that waited only for results now
    issued start their clocks at this moment (a step that needs another step's result is counted
    from that result, never before), with their deadlines and warnings."""
    at = now()
    for waiting in case.blocks.filter(clock_started_at__isnull=True).select_related(
        "application__region", "item_version"
    ):
        if any(c.status not in RESULT_ISSUED for c in waiting.waits_for.all()):
            continue
        # 企业开办: the steps after the registration (seal, invoices, social insurance, bank account)
        # are the new enterprise's: it holds their results.
        holder = case.holder if case.holder_id and waiting.holder_id is None else waiting.holder
        if not Case.objects.filter(pk=waiting.pk, clock_started_at__isnull=True).update(
            clock_started_at=at, holder=holder
        ):
            continue
        waiting.clock_started_at, waiting.holder = at, holder
        _store_deadlines(waiting)
        _event(
            application=waiting.application,
            case=waiting,
            action="start_clock",
            old=waiting.status,
            new=waiting.status,
            actor=None,
            note=f"前置办件 {case.number} 已出具结果，开始计时",
            data={"after": case.number},
        )


def _register(case: Case, actor: Any) -> Enterprise | None:
    """准予 a registration (市场主体登记管理条例): the market entity comes into being (设立、个体工商户),
    changes (变更) or ends (注销) in the register, from the form checked at intake; the case's result
    is then held by that entity. None for an item that registers nothing."""
    kind = case.item_version.registration
    if not kind:
        return None
    data = case.application.form_data.get("registration") or {}
    region = case.application.region
    if kind in (Registration.ESTABLISH, Registration.INDIVIDUAL):
        register = enterprise_establish if kind == Registration.ESTABLISH else individual_business_register
        enterprise = register(
            actor=actor, data=data, case_number=case.number, region=region, authority=case.department
        )
    else:
        enterprise = enterprise_get(uscc=data.get("uscc") or case.application.applicant.id_number)
        if kind == Registration.CHANGE:
            enterprise = enterprise_change(
                actor=actor, enterprise=enterprise, data=data, case_number=case.number
            )
        else:
            enterprise = enterprise_cancel(
                actor=actor, enterprise=enterprise, data=data, case_number=case.number
            )
    Case.objects.filter(pk=case.pk).update(holder=enterprise.applicant)
    case.holder = enterprise.applicant
    return enterprise


def _integrate_if_one_industry(case: Case, actor: Any) -> None:
    """一业一证 (seed 000): once every permit of the bundle is issued, one 行业综合许可证 lists them
    (``licences.integrated_licence_issue_if_complete``; it waits while any is missing, and a
    denied permit means none). The application row is locked so that two decisions at once
    cannot both miss the other's permit."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("bundle")
        .get(pk=case.application_id)
    )
    bundle = application.bundle
    if bundle is None or bundle.kind != BundleKind.ONE_INDUSTRY_ONE_LICENCE:
        return
    permits = [
        licence_get(number=c.licence_number) if c.licence_number else None
        for c in application.cases.select_related("item_version").order_by("number")
        if c.item_version.result_licence_type
    ]
    integrated_licence_issue_if_complete(
        holder=case.holder or application.applicant,
        bundle_name=bundle.name,
        bundle_code=bundle.code,
        permits=permits,
        actor=actor,
        source_case_no=application.number or "",
    )


def _issue_licence(case: Case, actor: Any, enterprise: Enterprise | None = None) -> Case:
    """准予 → 制证: the result licence is issued, signed, with the decision (行政许可法 第四十四条
    allows ten days; here it is at once) and put in the licence library, to the result's holder:
    the applicant, or the market entity a registration created (its 营业执照 carries the entity's
    name, credit code, type, legal representative, capital, scope, address and date)."""
    version = case.item_version
    data = {"事项": version.item.name, "办件编号": case.number}
    if enterprise is not None:
        data = {**enterprise_licence_data(enterprise=enterprise), **data}
    licence = licence_issue(
        licence_type=licence_type_get(name=version.result_licence_type),
        holder=case.holder or case.application.applicant,
        actor=actor,
        department=case.department,
        data=data,
        source_case_no=case.number,
        source_case_id=case.pk,
    )
    if version.registration == Registration.CHANGE:
        _supersede_previous(licence, actor, case)
    return _move_case(
        case, "issue", actor, system=True, licence_number=licence.number, data={"licence": licence.number}
    )


def _supersede_previous(licence: Licence, actor: Any, case: Case) -> None:
    """变更登记 re-issues the 营业执照 (《市场主体登记管理条例》第二十四条、第二十八条): the entity's earlier
    ones of that type become 已换发, still verifiable, pointing to the new one."""
    earlier = Licence.objects.filter(
        holder_id=licence.holder_id,
        licence_type_id=licence.licence_type_id,
        status__in=(LicenceStatus.VALID, LicenceStatus.SUSPENDED),
    ).exclude(pk=licence.pk)
    for old in earlier.order_by("pk"):
        licence_supersede(licence=old, by=licence, actor=actor, reason=f"变更登记换发（办件 {case.number}）")


@transaction.atomic
def case_decide(
    *, actor: Any, case: Case, approve: bool, basis: str, remedies: str = "", licence_data: dict | None = None
) -> Case:
    """准予 / 不予许可 with the legal basis (and, for a denial, the remedies). The table's guards
    apply (``cases.transitions``: at once only for 即办 and 告知承诺; a waived material held; the
    prerequisites' results issued). On approval on a commitment (告知承诺) a post-verification
    task is opened for the supervising department; every decision is due for delivery ten working
    days later (行政许可法 第四十四条)."""
    case = _lock(case)
    if not basis.strip():
        raise InvalidInput("决定须写明依据", errors={"basis": ["必填"]})
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
    enterprise = _register(case, actor) if approve else None
    if approve and version.result_licence_type and not (enterprise and enterprise.status == "cancelled"):
        case = _issue_licence(case, actor, enterprise)
        _integrate_if_one_industry(case, actor)
    # 行政许可法 第四十四条: delivered within ten (working) days of the decision.
    # Once decided, the delivery due date is the case's running deadline (provisional past the
    # loaded calendar years, recomputed when the notice is imported).
    delivery_due, provisional = case_delivery_due(case)
    Case.objects.filter(pk=case.pk).update(delivery_due_at=delivery_due, deadline_provisional=provisional)
    case.delivery_due_at, case.deadline_provisional = delivery_due, provisional
    _arm_delivery(case.application)
    if approve:
        _start_waiting_cases(case)
    if approve and case.commitment and version.commitment_approval:
        cal = application_cal(case.application)
        due, _p = _due(now(), Duration(version.post_verification_days or 30, Unit.WORKDAY), cal)
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


@transaction.atomic
def credit_record_repair(*, actor: Any, record: CreditRecord, note: str) -> CreditRecord:
    """信用修复: a false-commitment record is repaired (the applicant corrected the matter and the
    supervisor accepted it), so 告知承诺 is open to the applicant again; the record itself stays."""
    require(actor, "credit.repair")
    if not note.strip():
        raise InvalidInput("信用修复须写明依据和整改情况", errors={"note": ["必填"]})
    done = CreditRecord.objects.filter(pk=record.pk, repaired_at__isnull=True).update(
        repaired_at=now(), repair_note=note.strip()
    )
    if done != 1:
        raise ConcurrentChange("该信用记录已修复")
    record.refresh_from_db()
    audit_record(
        actor=actor,
        action="credit.repair",
        target=record.applicant,
        before={"record": record.pk, "repaired": False},
        after={"record": record.pk, "repaired": True, "note": record.repair_note},
    )
    return record
