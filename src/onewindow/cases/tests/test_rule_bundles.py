"""Rules of applications with several cases: joint handling (行政许可法 第二十六条、第四十二条第二款),
dependent steps, the scope of a waived (容缺) material, delivery within ten working days of a decision
(第四十四条), and one-time notice across correction rounds (第三十二条)."""

import datetime as dt

import pytest
import time_machine

from onewindow.cases import services
from onewindow.cases.models import Application, Case, CaseStatus, MaterialState, Timer, TimerKind
from onewindow.cases.selectors import application_track, deliveries_overdue, due_day
from onewindow.cases.services import GuardFailed
from onewindow.cases.tests.factories import (
    accepted,
    decide_through_review,
    department_staff,
    draft,
    enterprise,
    person,
    provide_all,
)
from onewindow.catalog.models import Bundle
from onewindow.clock.selectors import work_calendar
from onewindow.clock.workdays import Duration, Unit, deadline
from onewindow.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: str, clock: str = "09:30"):
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=TZ), tick=False)


@pytest.fixture
def officer(hall, persona):
    return persona("window1")


# ---- joint handling --------------------------------------------------------------------------------


@pytest.fixture
def project(officer):
    """The construction bundle handled jointly, accepted Mon 2025-03-03 09:30."""
    Bundle.objects.filter(code="430702-YJS-0004").update(joint_handling=True)
    with at("2025-03-03"):
        return accepted(officer, enterprise(), bundle="430702-YJS-0004", option="B")


def test_a_jointly_handled_bundle_has_a_joint_limit_of_45_working_days_art42(project):
    expected = deadline(project.accepted_at, Duration(45, Unit.WORKDAY), work_calendar())
    assert project.joint_legal_due_at == expected
    assert due_day(project.joint_legal_due_at) == dt.date(2025, 5, 8)  # 清明、劳动节 and the 04-27 调休


def test_the_joint_deadline_moves_with_a_suspension_of_one_of_its_cases_art42_art45(project):
    case = project.cases.get(item_version__item__code="430702-FGJ-0001")  # no waiting: clock runs
    reviewer = department_staff("FGJ")
    with at("2025-03-04", "10:00"):
        case = services.case_start_review(actor=reviewer, case=case) if case.status == "accepted" else case
        case = services.case_suspend(actor=reviewer, case=case, reason="expert", expected_days=2)
    assert Application.objects.get(pk=project.pk).joint_legal_due_at is None  # stopped with the case
    with at("2025-03-06", "10:00"):
        services.case_resume(actor=reviewer, case=case)
    assert due_day(Application.objects.get(pk=project.pk).joint_legal_due_at) == dt.date(2025, 5, 12)


def test_a_joint_extension_needs_the_approval_of_the_local_governments_leader_art42(project, persona):
    with at("2025-04-01"):
        extension = services.joint_extension_request(
            actor=persona("window1"), application=project, days=15, reason="规划方案需专家论证"
        )
        with pytest.raises(PermissionDenied):
            services.joint_extension_decide(actor=persona("xzsp_leader"), extension=extension, approve=True)
        services.joint_extension_decide(actor=persona("gov_leader"), extension=extension, approve=True)
    project.refresh_from_db()
    assert project.joint_extension_days == 15
    assert due_day(project.joint_legal_due_at) == dt.date(2025, 5, 29)
    with at("2025-04-02"), pytest.raises(GuardFailed, match="不能超过15个工作日"):
        services.joint_extension_request(actor=persona("window1"), application=project, days=1, reason="再延")
    tracking = application_track(project.number, project.applicant.id_number[-4:])
    assert any("规划方案需专家论证" in e.detail for e in tracking.events)


def test_a_joint_extension_is_refused_after_the_45_days_art42(project, persona):
    with at("2025-05-09"), pytest.raises(GuardFailed, match="四十五个工作日已于2025年05月08日届满"):
        services.joint_extension_request(actor=persona("window1"), application=project, days=5, reason="晚了")


def test_a_bundle_not_handled_jointly_has_no_joint_statutory_limit(officer):
    with at("2025-03-03"):
        application = accepted(officer, enterprise(), bundle="430702-YJS-0002", option="A")  # 一业一证
    assert application.joint_legal_due_at is None


# ---- dependent steps -------------------------------------------------------------------------------


@pytest.fixture
def startup(officer):
    """企业开办 with the seal (option B), accepted Mon 2025-03-03 09:30."""
    with at("2025-03-03"):
        return accepted(officer, enterprise(), bundle="430702-YJS-0001", option="B")


def test_a_step_that_needs_another_steps_result_starts_its_clock_when_that_result_is_issued(startup):
    cases = {c.item_version.item.code: c for c in startup.cases.all()}
    seal = cases["430702-GA-0001"]
    assert seal.clock_started_at is None
    assert (seal.promised_due_at, seal.legal_due_at, seal.warning_at) == (None, None, None)
    assert list(seal.waits_for.values_list("number", flat=True)) == [cases["430702-SCJG-0001"].number]
    assert not Timer.objects.filter(kind=TimerKind.DEADLINE_WARNING, target_id=seal.pk).exists()
    with at("2025-03-04", "10:00"):  # long after the seal's 2 hours would have run from acceptance
        decide_through_review(cases["430702-SCJG-0001"])
    seal = Case.objects.get(pk=seal.pk)
    assert seal.clock_started_at == dt.datetime(2025, 3, 4, 10, 0, tzinfo=TZ)
    assert seal.promised_due_at == dt.datetime(2025, 3, 4, 12, 0, tzinfo=TZ)  # 2 working hours from then
    assert seal.events.filter(action="start_clock").exists()


def test_a_material_that_an_earlier_step_issues_is_not_asked_for(startup):
    row = startup.materials.get(material__key="business_licence")
    assert row.state == MaterialState.SATISFIED
    assert "办理结果" in row.evidence


def test_the_produced_material_is_never_listed_in_a_correction_notice(officer):
    with at("2025-03-03"):
        application = draft(officer, person(), bundle="430702-YJS-0001", option="B")
        application = services.application_submit(actor=officer, application=application)
        notice = services.application_request_correction(actor=officer, application=application)
    assert "business_licence" not in {i["material"] for i in notice.items}


# ---- 容缺 scope --------------------------------------------------------------------------------------


def test_a_waived_material_holds_only_the_cases_that_need_it(officer):
    with at("2025-03-03"):
        application = draft(officer, enterprise(), bundle="430702-YJS-0002", option="A")
        provide_all(officer, application, skip=("drug_quality_system",))
        services.application_mark_material(
            actor=officer, application=application, material_key="drug_quality_system", state="waived"
        )
        application = services.application_submit(actor=officer, application=application)
        application = services.application_accept(actor=officer, application=application)
    cases = {c.item_version.item.code: c for c in application.cases.all()}
    assert cases["430702-SCJG-0005"].deficient  # the pharmacy needs the quality system
    assert not cases["430702-SCJG-0003"].deficient
    assert not cases["430702-SCJG-0006"].deficient
    with at("2025-03-03", "11:00"):
        device = decide_through_review(cases["430702-SCJG-0006"])
    assert device.status == CaseStatus.ISSUED
    with at("2025-03-04", "11:00"):
        services.application_attach_material(
            actor=officer, application=application, material_key="drug_quality_system", upload=_pdf()
        )
    assert not Case.objects.get(pk=cases["430702-SCJG-0005"].pk).deficient


def _pdf():
    from onewindow.cases.tests.factories import pdf

    return pdf()


# ---- 第四十四条: delivery ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "overdue"),
    [("2025-03-16", False), ("2025-03-17", False), ("2025-03-18", True)],
    ids=["day-before", "last-day", "day-after"],
)
def test_a_decision_is_due_for_delivery_ten_working_days_later_art44(officer, persona, day, overdue):
    with at("2025-03-03"):
        application = accepted(officer, enterprise(), item="430702-SCJG-0006")  # instant
        case = decide_through_review(application.cases.get())
    assert due_day(case.delivery_due_at) == dt.date(2025, 3, 17)
    timer = Timer.objects.get(kind=TimerKind.DELIVERY_DUE, target_id=application.pk)
    assert timer.due_at == case.delivery_due_at
    with at(day, "12:00"):
        late = deliveries_overdue(persona("supervisor"))
    assert [a.pk for a in late] == ([application.pk] if overdue else [])


def test_delivery_stops_the_delivery_timer_art44(officer, persona):
    with at("2025-03-03"):
        application = accepted(officer, enterprise(), item="430702-SCJG-0006")
        decide_through_review(application.cases.get())
        services.application_deliver(actor=persona("delivery1"), application=application)
    assert Timer.objects.get(kind=TimerKind.DELIVERY_DUE, target_id=application.pk).cancelled
    with at("2025-03-20"):
        assert deliveries_overdue(persona("supervisor")) == []


# ---- one-time notice across rounds -------------------------------------------------------------------


@pytest.fixture
def second_round(officer):
    """食品生产许可 missing its layout and rules: notice 1 names both; only the layout comes back."""
    with at("2025-03-03"):
        application = draft(officer, enterprise(), item="430702-SCJG-0002")
        provide_all(officer, application, skip=("food_production_layout", "food_safety_rules"))
        application = services.application_submit(actor=officer, application=application)
        services.application_request_correction(actor=officer, application=application)
    with at("2025-03-05"):
        application = Application.objects.get(pk=application.pk)
        services.application_attach_material(
            actor=officer, application=application, material_key="food_production_layout", upload=_pdf()
        )
        return services.application_resubmit(actor=officer, application=application)


def test_a_second_notice_may_concern_what_was_resubmitted_or_already_named_art32(second_round, officer):
    with at("2025-03-06"):
        notice = services.application_request_correction(
            actor=officer,
            application=second_round,
            extra=[{"material": "food_production_layout", "reason": "布局图未标明生产车间面积"}],
        )
    assert {i["material"] for i in notice.items} == {"food_production_layout", "food_safety_rules"}


def test_a_second_notice_may_not_add_new_demands_art32(second_round, officer):
    with at("2025-03-06"), pytest.raises(GuardFailed, match="一次性告知"):
        services.application_request_correction(
            actor=officer,
            application=second_round,
            extra=[{"material": "food_production_application", "reason": "申请书未签字"}],
        )
    assert second_round.corrections.count() == 1


def test_a_new_fact_with_its_reason_may_be_notified_in_a_later_round_art32(second_round, officer):
    with at("2025-03-06"):
        notice = services.application_request_correction(
            actor=officer,
            application=second_round,
            extra=[
                {
                    "material": "food_production_application",
                    "reason": "生产地址已变更，申请书须重填",
                    "new_fact": "申请人3月5日告知变更生产地址",
                }
            ],
        )
    assert any(i.get("new_fact") for i in notice.items)


def test_resubmitting_without_any_named_material_is_refused(officer):
    with at("2025-03-03"):
        application = draft(officer, enterprise(), item="430702-SCJG-0002")
        provide_all(officer, application, skip=("food_safety_rules",))
        application = services.application_submit(actor=officer, application=application)
        services.application_request_correction(actor=officer, application=application)
    with at("2025-03-04"), pytest.raises(GuardFailed, match="尚未提交或更换"):
        services.application_resubmit(actor=officer, application=Application.objects.get(pk=application.pk))
