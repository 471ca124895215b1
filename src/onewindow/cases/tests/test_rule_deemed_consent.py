"""缺席默认 (deemed consent): silence counts as consent only where the catalogue step is an opinion of
another department and names the basis for it; then from the deadline on, whether or not the timer
has fired. A late answer is recorded and changes nothing. Without a basis there is no default.

Seed 001 超限运输 (430702-JT-0001): the police's opinion within 4 working hours, else passed. Review
starts Mon 2025-03-03 09:00, so the opinion is due at 14:30 (09:00–12:00, 13:30–14:30).
"""

import datetime as dt

import pytest
import time_machine

from onewindow.cases import services
from onewindow.cases.models import CaseStatus, Timer, TimerKind
from onewindow.cases.services import GuardFailed
from onewindow.cases.tests.factories import accepted, department_staff, enterprise
from onewindow.catalog.services import item_create
from onewindow.clock.workdays import Duration, Unit
from onewindow.core.errors import InvalidInput
from onewindow.org.models import Department

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: str, clock: str):
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=TZ), tick=False)


@pytest.fixture
def oversize(hall, persona):
    """The 超限运输 case in review, the police's opinion requested at 09:00."""
    with at("2025-03-03", "09:00"):
        application = accepted(
            persona("window1"), enterprise("常德市大件物流有限公司"), item="430702-JT-0001"
        )
        return services.case_start_review(actor=department_staff("JT"), case=application.cases.get())


def test_the_police_opinion_carries_the_catalogues_basis_and_its_deadline(oversize):
    opinion = oversize.opinions.get()
    assert opinion.department.code == "GA"
    assert "视为" in opinion.deemed_consent_basis
    assert opinion.due_at == dt.datetime(2025, 3, 3, 14, 30, tzinfo=TZ)


@pytest.mark.parametrize(
    ("clock", "deemed"), [("14:29", False), ("14:30", True), ("14:31", True)], ids=["before", "at", "after"]
)
def test_silence_counts_as_consent_from_the_deadline_without_the_timer_deemed_consent(
    oversize, clock, deemed
):
    reviewer = department_staff("JT")
    with at("2025-03-03", clock):
        if deemed:
            case = services.case_submit_for_decision(actor=reviewer, case=oversize)
            assert case.status == CaseStatus.DECIDING
        else:
            with pytest.raises(GuardFailed, match="14:30前未答复视为同意"):
                services.case_submit_for_decision(actor=reviewer, case=oversize)
    opinion = oversize.opinions.get()
    assert opinion.deemed is deemed
    if deemed:
        assert opinion.given_at == opinion.due_at  # consent as of the law's moment, not of the click
    assert not Timer.objects.filter(kind=TimerKind.OPINION_DEADLINE, fired_at__isnull=False).exists()


def test_an_opinion_given_after_silence_counted_is_recorded_as_late_and_changes_nothing(oversize):
    police = department_staff("GA")
    opinion = oversize.opinions.get()
    with at("2025-03-03", "15:00"):
        answered = services.opinion_give(actor=police, opinion=opinion, verdict="rejects", text="路线需调整")
    assert answered.deemed and answered.verdict == "conforms"
    assert (answered.late_verdict, answered.late_text) == ("rejects", "路线需调整")
    assert oversize.events.filter(action="give_opinion_late").exists()
    with at("2025-03-03", "15:05"):
        case = services.case_submit_for_decision(actor=department_staff("JT"), case=oversize)
    assert case.status == CaseStatus.DECIDING


def test_an_opinion_given_in_time_is_the_opinion(oversize):
    with at("2025-03-03", "11:00"):
        answered = services.opinion_give(
            actor=department_staff("GA"), opinion=oversize.opinions.get(), verdict="changes", text="限速40"
        )
    assert not answered.deemed and answered.verdict == "changes" and not answered.late_verdict


@pytest.fixture
def opinion_without_basis(hall, persona):
    """An item whose review step by another department names no basis for deemed consent."""
    cg = Department.objects.get(code="CG")
    ga = Department.objects.get(code="GA")
    item_create(
        actor=None,
        code="430702-CG-9001",
        name="测试：户外广告设置许可",
        kind="licence",
        department=cg,
        version={
            "legal_limit": Duration(20, Unit.WORKDAY),
            "promised_limit": Duration(5, Unit.WORKDAY),
            "legal_basis": "测试",
        },
        steps=[
            {"kind": "accept", "department": Department.objects.get(code="XZSP")},
            {"kind": "review", "department": ga, "limit": Duration(1, Unit.WORKDAY)},
            {"kind": "decide", "department": cg},
        ],
        materials=[{"material": "id_card", "order": 1}],
    )
    with at("2025-03-03", "09:00"):
        application = accepted(persona("window1"), enterprise(), item="430702-CG-9001")
        case = services.case_start_review(actor=department_staff("CG"), case=application.cases.get())
    return case


def test_without_a_basis_silence_is_not_consent_whatever_the_time_deemed_consent(opinion_without_basis):
    case = opinion_without_basis
    opinion = case.opinions.get()
    assert opinion.deemed_consent_basis == "" and opinion.due_at is not None
    assert not Timer.objects.filter(kind=TimerKind.OPINION_DEADLINE, target_id=opinion.pk).exists()
    with at("2025-03-20", "09:00"):
        assert services.opinion_deem_consent(opinion=opinion) is False
        with pytest.raises(GuardFailed, match="须待答复"):
            services.case_submit_for_decision(actor=department_staff("CG"), case=case)
        answered = services.opinion_give(actor=department_staff("GA"), opinion=opinion, verdict="conforms")
    assert not answered.deemed and not answered.late_verdict


def test_asking_for_opinions_has_no_default_of_five_days_deemed_consent(opinion_without_basis):
    case = opinion_without_basis
    with at("2025-03-03", "10:00"):
        [opinion] = services.case_request_opinions(
            actor=department_staff("CG"), case=case, departments=[Department.objects.get(code="ZJ")]
        )
    assert opinion.due_at is None and opinion.deemed_consent_basis == ""


def test_a_deemed_consent_period_cannot_be_shortened_by_the_reviewer(hall, persona):
    cg, ga = Department.objects.get(code="CG"), Department.objects.get(code="GA")
    item_create(
        actor=None,
        code="430702-CG-9002",
        name="测试：缺席默认五个工作日",
        kind="licence",
        department=cg,
        version={
            "legal_limit": Duration(20, Unit.WORKDAY),
            "promised_limit": Duration(10, Unit.WORKDAY),
            "deemed_consent_days": 5,
            "deemed_consent_basis": "测试依据：某市工程建设项目审批制度改革实施方案",
        },
        steps=[{"kind": "accept", "department": cg}, {"kind": "decide", "department": cg}],
        materials=[{"material": "id_card", "order": 1}],
    )
    with at("2025-03-03", "09:00"):
        application = accepted(persona("window1"), enterprise(), item="430702-CG-9002")
        reviewer = department_staff("CG")
        case = services.case_start_review(actor=reviewer, case=application.cases.get())
        with pytest.raises(InvalidInput, match="不得短于"):
            services.case_request_opinions(
                actor=reviewer, case=case, departments=[ga], within=Duration(2, Unit.WORKDAY)
            )
        [opinion] = services.case_request_opinions(actor=reviewer, case=case, departments=[ga])
    assert opinion.deemed_consent_basis.startswith("测试依据")
    assert opinion.due_at == dt.datetime(2025, 3, 11, 0, 0, tzinfo=TZ)  # 5 WD after 03-03
