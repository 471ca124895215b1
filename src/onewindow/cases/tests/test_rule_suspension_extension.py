"""行政许可法 第四十二条 (extension) and 第四十五条 (suspension), as the law's moments.

食品生产许可 accepted Mon 2025-03-03 09:30: promised 8 working days (due end of Thu 03-13),
statutory 20 working days (due end of Mon 03-31).
"""

import datetime as dt

import pytest
import time_machine

from onewindow.cases import notices, services
from onewindow.cases.models import Case, ExtensionStatus, SuspensionReason
from onewindow.cases.selectors import application_track, due_day
from onewindow.cases.services import GuardFailed
from onewindow.cases.tests.factories import accepted, department_staff, enterprise, person
from onewindow.core.errors import InvalidInput

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
ITEM = "430702-SCJG-0002"


def at(day: str, clock: str = "09:30"):
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=TZ), tick=False)


@pytest.fixture
def case(hall, persona):
    with at("2025-03-03"):
        application = accepted(persona("window1"), enterprise(), item=ITEM)
    return application.cases.get()


@pytest.fixture
def reviewer(hall):
    return department_staff("SCJG")


@pytest.fixture
def leader(hall):
    return department_staff("SCJG", leader=True)


def test_the_deadlines_before_any_extension(case):
    assert due_day(case.promised_due_at) == dt.date(2025, 3, 13)
    assert due_day(case.legal_due_at) == dt.date(2025, 3, 31)


def test_an_extension_moves_the_statutory_deadline_only_never_the_promised_one_art42(case, reviewer, leader):
    with at("2025-03-20"):
        extension = services.extension_request(actor=reviewer, case=case, days=5, reason="需补充专家论证")
        services.extension_decide(actor=leader, extension=extension, approve=True)
    case = Case.objects.get(pk=case.pk)
    assert due_day(case.legal_due_at) == dt.date(2025, 4, 8)  # +5 WD (清明 04-04 is a holiday)
    assert due_day(case.promised_due_at) == dt.date(2025, 3, 13)  # the bureau's promise stands
    extension.refresh_from_db()
    assert extension.legal_due_at == case.legal_due_at


@pytest.mark.parametrize(
    ("day", "allowed"),
    [("2025-03-28", True), ("2025-03-31", True), ("2025-04-01", False)],
    ids=["day-before", "last-day", "day-after"],
)
def test_an_extension_is_requested_only_before_the_statutory_deadline_art42(case, reviewer, day, allowed):
    with at(day, "16:00"):
        if allowed:
            assert services.extension_request(actor=reviewer, case=case, days=3, reason="检验报告未出")
        else:
            with pytest.raises(GuardFailed, match="法定期限已于2025年03月31日届满"):
                services.extension_request(actor=reviewer, case=case, days=3, reason="检验报告未出")


def test_an_extension_requested_in_time_cannot_be_approved_after_the_deadline_art42(case, reviewer, leader):
    with at("2025-03-31", "16:00"):
        extension = services.extension_request(actor=reviewer, case=case, days=3, reason="检验报告未出")
    with at("2025-04-01", "09:00"), pytest.raises(GuardFailed, match="届满"):
        services.extension_decide(actor=leader, extension=extension, approve=True)
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.REQUESTED
    with at("2025-04-01", "09:00"):  # rejecting it is still possible
        assert (
            services.extension_decide(actor=leader, extension=extension, approve=False).status == "rejected"
        )


def test_extensions_add_up_to_ten_working_days_at_most_art42(case, reviewer, leader):
    with at("2025-03-10"):
        first = services.extension_request(actor=reviewer, case=case, days=8, reason="专家评审")
        services.extension_decide(actor=leader, extension=first, approve=True)
        case = Case.objects.get(pk=case.pk)
        with pytest.raises(GuardFailed, match="不能超过10个工作日"):
            services.extension_request(actor=reviewer, case=case, days=3, reason="再延")


def test_only_the_departments_leader_approves_an_extension_art42(case, reviewer):
    from onewindow.core.errors import PermissionDenied

    with at("2025-03-10"):
        extension = services.extension_request(actor=reviewer, case=case, days=2, reason="专家评审")
        with pytest.raises(PermissionDenied):
            services.extension_decide(actor=reviewer, extension=extension, approve=True)


def test_an_extension_of_a_natural_day_limit_is_refused_with_the_reason_art42(hall, persona):
    applicant = person()
    with at("2025-03-03"):
        case = accepted(persona("window1"), applicant, item="430702-GA-0003").cases.get()  # 60 natural days
        with pytest.raises(GuardFailed, match="不以工作日计"):
            services.extension_request(actor=department_staff("GA"), case=case, days=5, reason="制证延误")
    assert not case.extensions.exists()


def test_the_applicant_is_told_of_an_approved_extension_with_its_reason_art42(case, reviewer, leader):
    with at("2025-03-20"):
        extension = services.extension_request(actor=reviewer, case=case, days=5, reason="需补充专家论证")
        services.extension_decide(actor=leader, extension=extension, approve=True)
    application = case.application
    tracking = application_track(application.number, application.applicant.id_number[-4:])
    lines = [f"{e.label} {e.detail}" for e in tracking.events]
    assert any("延长" in line and "需补充专家论证" in line and "2025年04月08日" in line for line in lines)
    pdf = notices.extension_notice(extension)
    assert pdf.startswith(b"%PDF")


def test_a_suspension_records_its_reason_and_expected_length_and_the_applicant_is_told_art45(case, reviewer):
    with at("2025-03-04"):
        case = services.case_start_review(actor=reviewer, case=case)
        with pytest.raises(InvalidInput, match="预计中止"):
            services.case_suspend(actor=reviewer, case=case, reason=SuspensionReason.TESTING, expected_days=0)
        case = services.case_suspend(
            actor=reviewer, case=case, reason=SuspensionReason.TESTING, expected_days=7, note="产品送检"
        )
    suspension = case.suspensions.get()
    assert (suspension.reason, suspension.expected_days) == ("testing", 7)
    application = case.application
    tracking = application_track(application.number, application.applicant.id_number[-4:])
    lines = [f"{e.label} {e.detail}" for e in tracking.events]
    assert any("中止" in line and "检验、检测、检疫" in line and "7个工作日" in line for line in lines)
    assert notices.suspension_notice(case).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("start", "end", "promised_day"),
    [
        (("2025-03-04", "18:00"), ("2025-03-05", "08:30"), dt.date(2025, 3, 13)),  # overnight: nothing back
        (("2025-03-07", "17:45"), ("2025-03-10", "08:45"), dt.date(2025, 3, 13)),  # a weekend: nothing back
        (("2025-03-04", "10:00"), ("2025-03-05", "10:00"), dt.date(2025, 3, 14)),  # one working day back
    ],
    ids=["overnight", "weekend", "a-working-day"],
)
def test_a_suspension_gives_back_only_the_working_time_it_covers_art45(
    case, reviewer, start, end, promised_day
):
    with at(*start):
        case = services.case_start_review(actor=reviewer, case=case)
        case = services.case_suspend(
            actor=reviewer, case=case, reason=SuspensionReason.EXPERT_REVIEW, expected_days=1
        )
    with at(*end):
        case = services.case_resume(actor=reviewer, case=case)
    assert due_day(case.promised_due_at) == promised_day
