"""A complaint filed in late December, before next year's holiday notice is imported, gets a
provisional deadline (weekends only) that is recomputed when the notice comes (issue 17)."""

import datetime as dt

import pytest
import time_machine

from onewindow.clock.selectors import calendar_default
from onewindow.clock.services import calendar_import_year
from onewindow.complaints.models import Complaint
from onewindow.complaints.services import (
    ComplaintIn,
    complaint_submit,
    complaint_transition,
    complaints_fire_due,
)
from onewindow.org.models import Department
from onewindow.ratings.tests.helpers import TZ, at

pytestmark = pytest.mark.django_db

# chinesecalendar 1.11.0 knows the years up to 2026: 2027 is the missing next year.
NOTICE_2027 = {
    "year": 2027,
    "source": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
    "holidays": [{"name": "元旦", "start": "2027-01-01", "end": "2027-01-03"}],
    "makeup_workdays": [],
}


def matter(klass: str = "complaint") -> ComplaintIn:
    return ComplaintIn(
        klass=klass,
        subject="窗口排队时间过长",
        text="上午排队两小时",
        contact_name="王先生",
        contact_phone="13907361234",
    )


def file_on_28_december(klass: str = "complaint") -> Complaint:
    with time_machine.travel(at("2026-12-28", "10:00"), tick=False):
        return complaint_submit(data=matter(klass))


def test_a_complaint_filed_on_28_december_of_the_last_loaded_year_is_registered_provisionally(hall):
    complaint = file_on_28_december()
    # 5 working days: 29, 30, 31 December, then Friday 1 January 2027 (no notice yet) and Monday 4.
    assert complaint.due_at == dt.datetime(2027, 1, 5, tzinfo=TZ)
    assert complaint.due_provisional
    assert complaint.due_from == at("2026-12-28", "10:00")


def test_a_suggestion_with_thirty_working_days_is_registered_too(hall):
    complaint = file_on_28_december("suggestion")
    assert complaint.due_provisional and complaint.due_at.year == 2027


def test_importing_the_notice_recomputes_the_deadline_and_clears_the_flag(hall):
    complaint = file_on_28_december()
    with time_machine.travel(at("2026-12-29", "09:00"), tick=False):
        change = calendar_import_year(actor=None, calendar=calendar_default(), data=NOTICE_2027)
    assert change.recomputed >= 1
    complaint.refresh_from_db()
    # 元旦 1–3 January is a holiday: the five working days end on Tuesday 5 January.
    assert complaint.due_at == dt.datetime(2027, 1, 6, tzinfo=TZ)
    assert not complaint.due_provisional


def test_an_escalation_in_december_starts_a_provisional_new_round(hall, persona):
    with time_machine.travel(at("2026-12-21", "10:00"), tick=False):
        complaint = complaint_submit(data=matter())
        complaint = complaint_transition(
            complaint=complaint, action="assign", actor=persona("supervisor"), department=_scjg()
        )
    assert not complaint.due_provisional  # due at the end of Monday 28 December
    with time_machine.travel(at("2026-12-29", "08:00"), tick=False):
        complaints_fire_due()  # overdue: 二次交办 with a new limit from now
    complaint.refresh_from_db()
    assert complaint.round == 2 and complaint.due_provisional
    assert complaint.due_from == at("2026-12-29", "08:00")
    assert complaint.due_at == dt.datetime(2027, 1, 6, tzinfo=TZ)


def test_a_matter_of_a_loaded_year_is_not_provisional(hall):
    with time_machine.travel(at("2026-03-02", "10:00"), tick=False):
        complaint = complaint_submit(data=matter())
    assert not complaint.due_provisional
    assert complaint.due_at == dt.datetime(2026, 3, 10, tzinfo=TZ)


def _scjg() -> Department:
    return Department.objects.get(code="SCJG")


def test_the_api_tells_staff_the_deadline_is_provisional(hall, persona, client):
    complaint = file_on_28_december()
    client.force_login(persona("supervisor"))
    body = client.get(f"/api/v1/complaints/{complaint.number}").json()
    assert body["due_provisional"] is True
    assert dt.datetime.fromisoformat(body["due_at"]) == dt.datetime(2027, 1, 5, tzinfo=TZ)
