"""Complaints: one number per matter, SLA by class on the working calendar, escalation and
re-assignment (二次交办) when overdue, follow-up rating of the reply."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from onewindow.complaints.models import Complaint, ComplaintStatus
from onewindow.complaints.selectors import complaint_follow_up_code
from onewindow.complaints.services import (
    ComplaintIn,
    complaint_follow_up_by_complainant,
    complaint_submit,
    complaint_transition,
    complaints_fire_due,
)
from onewindow.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from onewindow.org.models import Department
from onewindow.ratings.tests.helpers import TZ, at

pytestmark = pytest.mark.django_db


def matter(klass="complaint", **extra) -> ComplaintIn:
    base = {
        "subject": "窗口排队时间过长",
        "text": "上午排队两小时",
        "contact_name": "王先生",
        "contact_phone": "13907361234",
    }
    return ComplaintIn(klass=klass, **(base | extra))


@pytest.fixture
def supervisor(hall, persona):
    return persona("supervisor")


def test_each_matter_gets_its_own_number_of_the_day(supervisor):
    with time_machine.travel(at("2025-03-03"), tick=False):
        first = complaint_submit(data=matter())
        second = complaint_submit(data=matter("suggestion"))
    assert first.number == "TS430702202503030001"
    assert second.number == "TS430702202503030002"
    assert first.status == ComplaintStatus.RECEIVED


@pytest.mark.parametrize(
    ("klass", "due"),
    [
        ("consultation", dt.datetime(2025, 1, 25, tzinfo=TZ)),  # immediately: by the end of the day
        ("help", dt.datetime(2025, 2, 8, tzinfo=TZ)),  # 5 WD over the Spring Festival (DESIGN.md §4)
        ("complaint", dt.datetime(2025, 2, 8, tzinfo=TZ)),
        ("suggestion", dt.datetime(2025, 3, 14, tzinfo=TZ)),  # 30 WD: 13 March is the 30th
    ],
)
def test_the_deadline_follows_the_class_sla_on_the_working_calendar(supervisor, klass, due):
    with time_machine.travel(at("2025-01-24"), tick=False):
        assert complaint_submit(data=matter(klass)).due_at == due


def test_the_sla_is_configurable_by_setting_and_by_table(supervisor, settings):
    from onewindow.complaints.models import ComplaintSla

    settings.ONEWINDOW_COMPLAINTS_SLA_DAYS = {"complaint": 1}
    with time_machine.travel(at("2025-03-03"), tick=False):
        assert complaint_submit(data=matter()).due_at == dt.datetime(2025, 3, 5, tzinfo=TZ)
        ComplaintSla.objects.create(klass="complaint", working_days=2)
        assert complaint_submit(data=matter()).due_at == dt.datetime(2025, 3, 6, tzinfo=TZ)
        assert complaint_submit(data=matter(complex=True)).due_at == dt.datetime(
            2025, 4, 16, tzinfo=TZ
        )  # 30 WD, 清明 off


def test_a_real_name_matter_needs_a_contact_and_an_anonymous_one_has_none(supervisor):
    with pytest.raises(InvalidInput) as exc:
        complaint_submit(data=matter(contact_name="", contact_phone="12"))
    assert set(exc.value.fields["errors"]) == {"contact_name", "contact_phone"}
    anonymous = complaint_submit(data=matter(contact_name="", contact_phone="", anonymous=True))
    assert anonymous.anonymous


def test_the_public_cannot_assign_or_claim_another_channel(supervisor):
    with pytest.raises(InvalidInput):
        complaint_submit(data=matter(channel="hotline"))


def test_a_complaint_is_assigned_replied_and_closed_when_the_complainant_is_satisfied(supervisor, persona):
    complaint = complaint_submit(data=matter())
    complaint = complaint_transition(
        complaint=complaint, action="assign", actor=supervisor, department=Department.objects.get(code="SCJG")
    )
    with pytest.raises(PermissionDenied):
        complaint_transition(complaint=complaint, action="reply", actor=persona("sw_reviewer"), note="x")
    complaint = complaint_transition(
        complaint=complaint, action="reply", actor=persona("scjg_reviewer"), note="已增开窗口"
    )
    complaint = complaint_follow_up_by_complainant(
        complaint=complaint, phone_suffix="1234", code=complaint_follow_up_code(complaint), satisfied=True
    )
    assert complaint.status == ComplaintStatus.CLOSED and complaint.follow_up == "satisfied"
    assert list(complaint.events.values_list("action", flat=True)) == [
        "receive",
        "assign",
        "reply",
        "satisfied",
    ]


def test_an_unsatisfied_follow_up_is_reassigned_once_then_referred(supervisor, persona):
    reviewer = persona("scjg_reviewer")
    complaint = complaint_submit(data=matter())
    complaint = complaint_transition(
        complaint=complaint, action="assign", actor=supervisor, department=Department.objects.get(code="SCJG")
    )
    complaint = complaint_transition(complaint=complaint, action="reply", actor=reviewer, note="已解释")
    complaint = complaint_transition(complaint=complaint, action="unsatisfied", actor=supervisor)
    assert (complaint.status, complaint.round) == (ComplaintStatus.ASSIGNED, 2)  # 二次交办
    complaint = complaint_transition(complaint=complaint, action="reply", actor=reviewer, note="重新复查处理")
    complaint = complaint_transition(complaint=complaint, action="unsatisfied", actor=supervisor)
    assert complaint.status == ComplaintStatus.REFERRED  # 转报纪检监察机关


def test_a_complaint_past_its_sla_is_reassigned_then_flagged(supervisor):
    with time_machine.travel(at("2025-03-03"), tick=False):
        complaint = complaint_submit(data=matter())
        complaint = complaint_transition(
            complaint=complaint,
            action="assign",
            actor=supervisor,
            department=Department.objects.get(code="SCJG"),
        )
    assert complaint.due_at == dt.datetime(2025, 3, 11, tzinfo=TZ)
    with time_machine.travel(at("2025-03-10", "23:59"), tick=False):
        assert complaints_fire_due() == []
    with time_machine.travel(at("2025-03-11", "00:00"), tick=False):
        assert [r for _pk, r in complaints_fire_due()] == [
            f"complaint {complaint.number} re-assigned (二次交办)"
        ]
        assert complaints_fire_due() == []
    complaint.refresh_from_db()
    assert (complaint.round, complaint.escalations, complaint.overdue_at) == (2, 1, None)
    assert complaint.due_at == dt.datetime(2025, 3, 19, tzinfo=TZ)  # a new 5 WD limit from the escalation
    with time_machine.travel(at("2025-03-19", "00:00"), tick=False):
        assert [r for _pk, r in complaints_fire_due()] == [f"complaint {complaint.number} flagged overdue"]
        assert complaints_fire_due() == []
    complaint.refresh_from_db()
    assert complaint.overdue_at is not None and complaint.escalations == 2
    actions = list(complaint.events.values_list("action", flat=True))
    assert actions == ["receive", "assign", "escalate", "escalate"]


def test_a_closed_complaint_cannot_be_replied_again(supervisor, persona):
    complaint = complaint_submit(data=matter("consultation"))
    complaint = complaint_transition(
        complaint=complaint, action="reply", actor=persona("window1"), note="当场解答"
    )
    complaint = complaint_transition(complaint=complaint, action="close", actor=supervisor, note="无需回访")
    with pytest.raises(InvalidTransition):
        complaint_transition(complaint=complaint, action="reply", actor=supervisor, note="x")


def test_a_wrong_phone_suffix_cannot_rate_the_reply(supervisor, persona):
    from onewindow.core.errors import NotFound

    complaint = complaint_submit(data=matter("consultation"))
    complaint = complaint_transition(
        complaint=complaint, action="reply", actor=persona("window1"), note="解答"
    )
    with pytest.raises(NotFound):
        complaint_follow_up_by_complainant(
            complaint=complaint,
            phone_suffix="9999",
            code=complaint_follow_up_code(complaint),
            satisfied=False,
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
@pytest.mark.django_db(transaction=True)
def test_numbers_stay_unique_under_concurrency(hall):
    numbers, errors = [], []

    def submit():
        try:
            numbers.append(complaint_submit(data=matter()).number)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(numbers)) == 8 == Complaint.objects.count()
