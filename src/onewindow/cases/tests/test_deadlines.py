"""Case deadlines on the working calendar: provisional across an unloaded year, recomputed on change."""

import datetime as dt

import pytest
import time_machine

from onewindow.cases import services
from onewindow.cases.models import Case, SuspensionReason
from onewindow.cases.selectors import due_day
from onewindow.cases.tests.factories import accepted, department_staff, enterprise
from onewindow.clock.selectors import calendar_default
from onewindow.clock.services import calendar_import_year
from onewindow.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
NOTICE_2027 = {
    "year": 2027,
    "source": "测试数据：2027年节假日安排（示例，仅用于测试）",
    "holidays": [{"name": "元旦", "start": "2027-01-01", "end": "2027-01-03"}],
    "makeup_workdays": [],
}


def test_a_deadline_running_into_an_unloaded_year_is_provisional_until_the_notice_is_imported(hall, persona):
    with time_machine.travel(dt.datetime(2026, 12, 21, 10, 0, tzinfo=TZ), tick=False):
        application = accepted(persona("window1"), enterprise(), item="430702-SCJG-0002")  # 8 WD
    case = application.cases.get()
    assert case.deadline_provisional
    assert due_day(case.promised_due_at) == dt.date(2026, 12, 31)  # 8 WD fit in 2026
    assert due_day(case.legal_due_at) == dt.date(2027, 1, 18)  # 20 WD, weekends only: provisional
    calendar_import_year(actor=None, calendar=calendar_default(), data=NOTICE_2027)
    case = Case.objects.get(pk=case.pk)
    assert not case.deadline_provisional
    assert due_day(case.legal_due_at) == dt.date(2027, 1, 19)  # New Year's Day now counted as a holiday


def test_a_suspension_gives_back_the_working_days_it_covers(hall, persona):
    with time_machine.travel(dt.datetime(2025, 3, 3, 9, 30, tzinfo=TZ), tick=False):
        application = accepted(persona("window1"), enterprise(), item="430702-SCJG-0002")
        case = application.cases.get()
        reviewer = department_staff("SCJG")
        case = services.case_start_review(actor=reviewer, case=case)
    assert due_day(case.promised_due_at) == dt.date(2025, 3, 13)
    with time_machine.travel(dt.datetime(2025, 3, 5, 10, 0, tzinfo=TZ), tick=False):
        case = services.case_suspend(
            actor=reviewer, case=case, reason=SuspensionReason.TESTING, expected_days=5, note="送检"
        )
        assert case.promised_due_at is None  # while paused, no deadline
    with time_machine.travel(dt.datetime(2025, 3, 10, 10, 0, tzinfo=TZ), tick=False):
        case = services.case_resume(actor=reviewer, case=case)
    # Paused from Wed 5 March to Mon 10 March: Thu, Fri and Mon (3 working days) given back.
    assert due_day(case.promised_due_at) == dt.date(2025, 3, 18)
    assert case.status == "reviewing"


def test_an_extension_needs_the_leaders_approval_and_moves_the_deadline(hall, persona):
    with time_machine.travel(dt.datetime(2025, 3, 3, 9, 30, tzinfo=TZ), tick=False):
        application = accepted(persona("window1"), enterprise(), item="430702-SCJG-0002")
        case = application.cases.get()
        reviewer = department_staff("SCJG")
        case = services.case_start_review(actor=reviewer, case=case)
        extension = services.extension_request(actor=reviewer, case=case, days=10, reason="需专家论证")
        with pytest.raises(PermissionDenied, match="分管领导"):
            services.extension_decide(actor=reviewer, extension=extension, approve=True)
        services.extension_decide(actor=persona("scjg_leader"), extension=extension, approve=True)
    case.refresh_from_db()
    assert case.extension_days == 10
    assert due_day(case.legal_due_at) == dt.date(2025, 4, 15)  # 20 + 10 WD (清明 4–6 April off)


def test_the_warning_timer_follows_the_deadline_through_a_suspension(hall, persona):
    from onewindow.cases.models import Timer, TimerKind

    with time_machine.travel(dt.datetime(2025, 3, 3, 9, 30, tzinfo=TZ), tick=False):
        application = accepted(persona("window1"), enterprise(), item="430702-SCJG-0002")
        case = application.cases.get()
        reviewer = department_staff("SCJG")
        case = services.case_start_review(actor=reviewer, case=case)

    def warning():
        return Timer.objects.get(kind=TimerKind.DEADLINE_WARNING, target_id=case.pk)

    first = warning().due_at
    assert case.accepted_at < first < case.promised_due_at
    with time_machine.travel(dt.datetime(2025, 3, 5, 10, 0, tzinfo=TZ), tick=False):
        case = services.case_suspend(
            actor=reviewer, case=case, reason=SuspensionReason.TESTING, expected_days=5
        )
    assert warning().cancelled
    with time_machine.travel(dt.datetime(2025, 3, 10, 10, 0, tzinfo=TZ), tick=False):
        case = services.case_resume(actor=reviewer, case=case)
    rearmed = warning()
    assert not rearmed.cancelled
    assert rearmed.due_at > first
