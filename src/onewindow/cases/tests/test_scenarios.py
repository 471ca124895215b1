"""End-to-end scenarios from the seeds, through the real services."""

import datetime as dt
from fractions import Fraction

import pytest
import time_machine

from onewindow.cases import services
from onewindow.cases.models import (
    ApplicationStatus,
    CaseStatus,
    CreditRecord,
    MaterialState,
    VerificationStatus,
)
from onewindow.cases.selectors import due_day
from onewindow.cases.tests.factories import (
    accepted,
    decide_through_review,
    department_staff,
    draft,
    enterprise,
    pdf,
    provide_all,
)
from onewindow.clock.selectors import work_calendar
from onewindow.clock.workdays import Unit, compression, elapsed
from onewindow.core.errors import DomainError
from onewindow.licences.selectors import licence_get, licence_verify

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: str, clock: str = "09:30") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=TZ)


@pytest.fixture
def officer(hall, persona):
    return persona("window1")


def test_pharmacy_one_licence_is_done_in_3_working_days_with_the_seed_compression(officer, persona):
    """Seed 000: 一业一证 for a pharmacy, legal 65 WD, promised 17 WD, done in 3 WD → 95.4 % / 82.4 %."""
    with time_machine.travel(at("2025-03-03"), tick=False):
        application = accepted(officer, enterprise(), bundle="430702-YJS-0002", option="A")
    cases = {c.item_version.item.code: c for c in application.cases.all()}
    reviewer = department_staff("SCJG")
    with time_machine.travel(at("2025-03-04"), tick=False):
        drug = services.case_start_review(actor=reviewer, case=cases["430702-SCJG-0005"])
        food = services.case_start_review(actor=reviewer, case=cases["430702-SCJG-0003"])
        inspection = services.inspection_schedule(
            actor=reviewer,
            application=application,
            cases=[drug, food],
            scheduled_for=at("2025-03-05", "10:00"),
            inspectors="王建华、刘卫东",
        )
        assert inspection.cases.count() == 2  # 多勘合一: one visit for both
        decide_through_review(cases["430702-SCJG-0006"])  # the device filing is instant
    with time_machine.travel(at("2025-03-05", "15:00"), tick=False):
        for case in (drug, food):
            services.inspection_record_finding(actor=reviewer, inspection=inspection, case=case, passed=True)
        for case in (drug, food):
            case.refresh_from_db()
            case = services.case_submit_for_decision(actor=reviewer, case=case)
            services.case_decide(actor=reviewer, case=case, approve=True, basis="《药品管理法》第五十二条")
    with time_machine.travel(at("2025-03-06", "10:00"), tick=False):
        delivery = services.application_deliver(actor=persona("delivery1"), application=application)
    assert {c.status for c in application.cases.all()} == {CaseStatus.CLOSED}
    cal = work_calendar()
    used = elapsed(application.accepted_at, delivery.delivered_at, Unit.WORKDAY, cal)
    assert due_day(delivery.delivered_at) <= due_day(application.joint_due_at)
    days = int(used) + (1 if used % 1 else 0)
    assert days == 3
    legal_total = sum(c.item_version.legal_limit.value for c in application.cases.all())
    assert legal_total == 65
    assert round(float(compression(days, legal_total)) * 100, 1) == 95.4
    assert round(float(compression(days, application.bundle.promised_limit.value)) * 100, 1) == 82.4
    assert isinstance(compression(days, 17), Fraction)


def test_the_4_in_1_start_up_bundle_is_completed_the_same_day_in_parallel(officer, persona):
    """Seed 001: licence, seal, invoices and social insurance together within 4 working hours."""
    with time_machine.travel(at("2025-03-03", "09:00"), tick=False):
        application = accepted(
            officer, enterprise("常德市武陵区新开科技有限公司"), bundle="430702-YJS-0001", option="D"
        )
        assert application.materials.count() == 6  # 23 → 6: one set of materials
        cases = {c.item_version.item.code: c for c in application.cases.all()}
        assert len(cases) == 4
        seal = cases["430702-GA-0001"]
        with pytest.raises(DomainError, match="前置办件"):
            decide_through_review(seal)  # the seal waits for the business licence
    with time_machine.travel(at("2025-03-03", "10:30"), tick=False):
        decide_through_review(cases["430702-SCJG-0001"])
        for code in ("430702-GA-0001", "430702-SW-0001", "430702-RS-0001"):
            case = cases[code]
            case.refresh_from_db()
            decide_through_review(case)
        services.application_deliver(actor=persona("delivery1"), application=application, method="electronic")
    application.refresh_from_db()
    assert {c.status for c in application.cases.all()} == {CaseStatus.CLOSED}
    assert due_day(application.joint_due_at) == dt.date(2025, 3, 3)


def test_real_estate_transfer_is_handled_by_three_departments_in_parallel(officer, persona):
    application = accepted(officer, enterprise(), bundle="430702-YJS-0003", option="A")
    departments = {c.department.code for c in application.cases.all()}
    assert departments == {"ZJ", "SW", "BDC"}
    for case in application.cases.all():
        assert case.status == CaseStatus.ACCEPTED  # all three queues at once
    for case in application.cases.all():
        decide_through_review(case)
    services.application_deliver(actor=persona("delivery1"), application=application)
    assert application.delivery.method == "window"


def test_oversize_transport_police_silence_past_4_hours_counts_as_passed(officer):
    """Seed 001 大件运输: police opinion within 4 hours, else deemed passed (缺席默认)."""
    with time_machine.travel(at("2025-03-03", "09:00"), tick=False):
        application = accepted(officer, enterprise("常德市大件物流有限公司"), item="430702-JT-0001")
        case = application.cases.get()
        reviewer = department_staff("JT")
        case = services.case_start_review(actor=reviewer, case=case)
        opinion = case.opinions.get()
        assert opinion.department.code == "GA"
        with pytest.raises(DomainError, match="尚有部门未答复"):
            services.case_submit_for_decision(actor=reviewer, case=case)
    with time_machine.travel(at("2025-03-03", "14:31"), tick=False):  # 4 working hours incl. lunch
        results = services.timers_fire_due()
        assert "deemed consent" in [r for _pk, r in results]
    opinion.refresh_from_db()
    assert opinion.deemed and opinion.verdict == "conforms"
    case = services.case_submit_for_decision(actor=reviewer, case=case)
    case = services.case_decide(actor=reviewer, case=case, approve=True, basis="《公路法》第五十条")
    assert case.status == CaseStatus.ISSUED  # the permit is issued with the decision
    verdict = licence_verify(number=case.licence_number)
    assert verdict.is_valid and verdict.signature_ok


def test_deficient_acceptance_blocks_the_decision_until_the_material_is_supplied(officer):
    application = draft(officer, enterprise(), item="430702-SCJG-0005")
    provide_all(officer, application, skip=("drug_quality_system",))
    services.application_mark_material(
        actor=officer, application=application, material_key="drug_quality_system", state=MaterialState.WAIVED
    )
    application = services.application_submit(actor=officer, application=application)
    application = services.application_accept(actor=officer, application=application)
    case = application.cases.get()
    assert case.deficient
    assert application.materials.get(material__key="drug_quality_system").supply_due_at is not None
    reviewer = department_staff("SCJG")
    case = services.case_start_review(actor=reviewer, case=case)
    inspection = services.inspection_schedule(
        actor=reviewer,
        application=application,
        cases=[case],
        scheduled_for=at("2025-03-05"),
        inspectors="王建华",
    )
    services.inspection_record_finding(actor=reviewer, inspection=inspection, case=case, passed=True)
    case.refresh_from_db()
    case = services.case_submit_for_decision(actor=reviewer, case=case)
    with pytest.raises(DomainError, match="容缺材料尚未补齐"):
        services.case_decide(actor=reviewer, case=case, approve=True, basis="符合")
    services.application_attach_material(
        actor=officer, application=application, material_key="drug_quality_system", upload=pdf()
    )
    case.refresh_from_db()
    assert not case.deficient
    assert (
        services.case_decide(actor=reviewer, case=case, approve=True, basis="符合").status
        == CaseStatus.ISSUED
    )


def test_commitment_approval_is_immediate_and_a_failed_verification_revokes_with_a_credit_record(
    officer, persona
):
    """Seed 002: 公共场所卫生许可 告知承诺 — promised 10 WD became instant."""
    application = draft(officer, enterprise("常德市武陵区如家小宾馆"), item="430702-WJ-0001")
    provide_all(officer, application, skip=("public_place_layout",))
    services.application_mark_material(
        actor=officer,
        application=application,
        material_key="public_place_layout",
        state=MaterialState.COMMITTED,
    )
    application = services.application_submit(actor=officer, application=application)
    application = services.application_accept(actor=officer, application=application)
    case = application.cases.get()
    case = decide_through_review(case)  # straight from acceptance
    assert case.status == CaseStatus.ISSUED
    assert licence_get(number=case.licence_number).status == "valid"
    assert case.post_verification.status == VerificationStatus.OPEN
    services.application_deliver(actor=persona("delivery1"), application=application)
    verification = services.post_verification_finish(
        actor=department_staff("WJ"), case=case, passed=False, note="现场核查：实际布局与承诺不符"
    )
    assert verification.status == VerificationStatus.FAILED
    case.refresh_from_db()
    assert case.status == CaseStatus.REVOKED
    assert CreditRecord.objects.filter(applicant=application.applicant, kind="false_commitment").exists()
    assert licence_get(number=case.licence_number).status == "revoked"
    assert licence_verify(number=case.licence_number).verdict == "revoked"
    assert application.status == ApplicationStatus.ACCEPTED
