"""A bad rating opens a follow-up and a rectification on the working calendar; overdue ones escalate."""

import datetime as dt

import pytest
import time_machine

from onewindow.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from onewindow.core.timers import fire_all_due
from onewindow.ratings.models import Rectification, RectificationEvent, RectificationState
from onewindow.ratings.services import rating_submit, ratings_fire_due, rectification_transition
from onewindow.ratings.tests.helpers import TZ, at, finished_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(hall, persona):
    return persona("window1")


@pytest.fixture
def bad_rating_before_spring_festival(officer):
    """Rated 不满意 on Friday 2025-01-24, just before the 2025 Spring Festival holiday."""
    case = finished_case(officer, day="2025-01-24")
    with time_machine.travel(at("2025-01-24", "16:00"), tick=False):
        return rating_submit(
            case=case, level=2, comment="材料要求反复变", tags=["多次跑腿"], channel="online"
        )


def test_a_bad_rating_opens_a_rectification_whose_deadlines_follow_the_working_calendar(
    bad_rating_before_spring_festival,
):
    rectification = bad_rating_before_spring_festival.rectification
    assert rectification.state == RectificationState.OPEN
    # 1 working day: Sunday 26 January 2025 is a make-up working day (调休), so 回访 ends with it.
    assert rectification.contact_due_at == dt.datetime(2025, 1, 27, tzinfo=TZ)
    # 15 working days skip the holiday 28 Jan – 4 Feb and count Saturday 8 Feb (调休).
    assert rectification.rectify_due_at == dt.datetime(2025, 2, 21, tzinfo=TZ)
    assert RectificationEvent.objects.filter(rectification=rectification, action="open").exists()


def test_the_follow_up_deadline_is_configurable(officer, settings):
    settings.ONEWINDOW_RATINGS_CONTACT_DAYS = 2
    settings.ONEWINDOW_RATINGS_RECTIFY_DAYS = 5
    case = finished_case(officer, day="2025-01-24")
    with time_machine.travel(at("2025-01-24", "16:00"), tick=False):
        rectification = rating_submit(case=case, level=1, channel="online").rectification
    assert rectification.contact_due_at == dt.datetime(2025, 1, 28, tzinfo=TZ)
    assert rectification.rectify_due_at == dt.datetime(2025, 2, 8, tzinfo=TZ)  # DESIGN.md §4 example


def test_a_rectification_goes_from_follow_up_to_published_result(bad_rating_before_spring_festival, persona):
    rectification = bad_rating_before_spring_festival.rectification
    reviewer, supervisor = persona("scjg_reviewer"), persona("supervisor")
    rectification = rectification_transition(
        rectification=rectification, action="contact", actor=reviewer, note="电话回访，已致歉"
    )
    rectification = rectification_transition(
        rectification=rectification, action="rectify", actor=reviewer, note="统一材料清单并公示"
    )
    with pytest.raises(PermissionDenied):
        rectification_transition(rectification=rectification, action="verify", actor=reviewer)
    rectification = rectification_transition(rectification=rectification, action="verify", actor=supervisor)
    rectification = rectification_transition(
        rectification=rectification, action="publish", actor=supervisor, note="已整改：材料清单统一公示"
    )
    assert rectification.state == RectificationState.PUBLISHED
    assert rectification.verified_by == supervisor and rectification.result.startswith("已整改")
    actions = list(rectification.events.values_list("action", flat=True))
    assert actions == ["open", "contact", "rectify", "verify", "publish"]


def test_a_rectification_cannot_skip_the_follow_up(bad_rating_before_spring_festival, persona):
    rectification = bad_rating_before_spring_festival.rectification
    with pytest.raises(InvalidTransition, match="当前可以：回访"):
        rectification_transition(
            rectification=rectification, action="rectify", actor=persona("scjg_reviewer"), note="x"
        )


def test_the_follow_up_needs_a_record_of_the_call(bad_rating_before_spring_festival, persona):
    with pytest.raises(InvalidInput, match="回访"):
        rectification_transition(
            rectification=bad_rating_before_spring_festival.rectification,
            action="contact",
            actor=persona("scjg_reviewer"),
        )


def test_a_failed_verification_sends_the_rectification_back(bad_rating_before_spring_festival, persona):
    rectification = bad_rating_before_spring_festival.rectification
    reviewer, supervisor = persona("scjg_reviewer"), persona("supervisor")
    rectification = rectification_transition(
        rectification=rectification, action="contact", actor=reviewer, note="回访"
    )
    rectification = rectification_transition(
        rectification=rectification, action="rectify", actor=reviewer, note="整改"
    )
    rectification = rectification_transition(
        rectification=rectification, action="reject", actor=supervisor, note="未见整改材料"
    )
    assert rectification.state == RectificationState.CONTACTED and rectification.rectified_at is None


def test_an_overdue_follow_up_and_an_overdue_rectification_escalate_once(
    bad_rating_before_spring_festival, persona
):
    rectification = bad_rating_before_spring_festival.rectification
    with time_machine.travel(at("2025-01-26", "23:59"), tick=False):
        assert ratings_fire_due() == []  # the make-up Sunday is still inside the limit
    with time_machine.travel(at("2025-01-27", "00:00"), tick=False):
        assert ratings_fire_due() == [(rectification.pk, "rectification escalate_contact")]
        assert ratings_fire_due() == []  # idempotent
    rectification.refresh_from_db()
    assert rectification.escalated and rectification.contact_overdue_at is not None
    assert rectification.state == RectificationState.OPEN
    with time_machine.travel(at("2025-02-05"), tick=False):
        rectification = rectification_transition(
            rectification=rectification, action="contact", actor=persona("scjg_reviewer"), note="回访（逾期）"
        )
    with time_machine.travel(at("2025-02-21", "08:00"), tick=False):
        fired = [str(f) for f in fire_all_due()]
    assert f"ratings #{rectification.pk}: rectification escalate_rectify" in fired
    rectification.refresh_from_db()
    assert rectification.rectify_overdue_at is not None
    assert list(rectification.events.values_list("action", flat=True)) == [
        "open",
        "escalate_contact",
        "contact",
        "escalate_rectify",
    ]


def test_escalation_is_the_timers_not_a_users(bad_rating_before_spring_festival, persona):
    with pytest.raises(InvalidTransition, match="系统定时任务"):
        rectification_transition(
            rectification=bad_rating_before_spring_festival.rectification,
            action="escalate_contact",
            actor=persona("supervisor"),
        )


def test_a_rectification_verified_before_its_deadline_never_escalates(
    bad_rating_before_spring_festival, persona
):
    rectification = bad_rating_before_spring_festival.rectification
    reviewer, supervisor = persona("scjg_reviewer"), persona("supervisor")
    with time_machine.travel(at("2025-01-24", "17:00"), tick=False):
        for action, actor in (("contact", reviewer), ("rectify", reviewer), ("verify", supervisor)):
            rectification = rectification_transition(
                rectification=rectification, action=action, actor=actor, note="好"
            )
    with time_machine.travel(at("2025-03-31"), tick=False):
        assert ratings_fire_due() == []
    assert Rectification.objects.get().escalated is False
