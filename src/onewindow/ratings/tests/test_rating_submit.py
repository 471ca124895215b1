"""Submitting a rating: one per finished case, inside its window, on the five national levels."""

import pytest
import time_machine

from onewindow.audit.models import AuditEvent
from onewindow.core.errors import InvalidInput, PermissionDenied
from onewindow.ratings.models import Level, Rating, RatingChannel, Rectification
from onewindow.ratings.services import AlreadyRated, RatingClosed, rating_submit
from onewindow.ratings.tests.helpers import at, finished_case, running_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(hall, persona):
    return persona("window1")


def test_a_finished_case_is_rated_once_with_its_department_window_and_staff(officer):
    case = finished_case(officer)
    with time_machine.travel(at("2025-03-04"), tick=False):
        rating = rating_submit(case=case, level=5, comment="一次办好", tags=["一次办好"], channel="online")
    assert rating.get_level_display() == "非常满意"
    assert rating.department == case.department
    assert rating.window == case.application.window
    assert rating.accepted_by == officer
    assert rating.decided_by == case.decided_by
    assert rating.applicant == case.application.applicant
    assert not rating.is_default
    assert AuditEvent.objects.filter(action="rating.submit", object_id=str(rating.pk)).exists()


def test_a_second_rating_of_the_same_case_is_refused_with_a_clear_message(officer):
    case = finished_case(officer)
    with time_machine.travel(at("2025-03-04"), tick=False):
        rating_submit(case=case, level=4, channel="pad")
        with pytest.raises(AlreadyRated, match="每个办件只能评价一次（一事一评）") as exc:
            rating_submit(case=case, level=1, channel="online")
    assert exc.value.status == 409
    assert Rating.objects.filter(case=case).count() == 1


def test_a_case_still_being_handled_cannot_be_rated(officer):
    case = running_case(officer)
    with pytest.raises(RatingClosed, match="尚未办结"):
        rating_submit(case=case, level=5, channel="online")


def test_the_rating_window_closes_after_the_configured_natural_days(officer, settings):
    settings.ONEWINDOW_RATINGS_WINDOW_DAYS = 30
    case = finished_case(officer, day="2025-03-03")
    with time_machine.travel(at("2025-04-02", "23:59"), tick=False):  # day 30 after 3 March
        assert rating_submit(case=case, level=5, channel="online")
    other = finished_case(officer, day="2025-03-03")
    with (
        time_machine.travel(at("2025-04-03", "00:00"), tick=False),
        pytest.raises(RatingClosed, match="评价期已于"),
    ):
        rating_submit(case=other, level=5, channel="online")


def test_anonymous_ratings_are_refused_where_the_setting_forbids_them(officer, settings):
    settings.ONEWINDOW_RATINGS_ANONYMOUS = False
    case = finished_case(officer)
    with pytest.raises(InvalidInput, match="未开放匿名评价"):
        rating_submit(case=case, level=5, channel="online", anonymous=True)
    settings.ONEWINDOW_RATINGS_ANONYMOUS = True
    rating = rating_submit(case=case, level=5, channel="online", anonymous=True)
    assert rating.anonymous and rating.applicant is None


def test_an_agent_rating_on_behalf_needs_the_applicants_consent(officer, persona):
    case = finished_case(officer)
    with pytest.raises(InvalidInput, match="须经申请人本人同意"):
        rating_submit(case=case, level=4, channel=RatingChannel.AGENT, actor=officer)
    rating = rating_submit(case=case, level=4, channel=RatingChannel.AGENT, actor=officer, consent=True)
    assert rating.recorded_by == officer and rating.consent


def test_a_reviewer_may_not_rate_on_the_applicants_behalf(officer):
    from onewindow.cases.tests.factories import department_staff

    case = finished_case(officer)
    with pytest.raises(PermissionDenied):
        rating_submit(case=case, level=5, channel="agent", actor=department_staff("SCJG"), consent=True)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"level": 6}, "level"),
        ({"level": "x"}, "level"),
        ({"channel": "fax"}, "channel"),
        ({"tags": ["好极了"]}, "tags"),
        ({"tags": ["一次办好", "一次办好"]}, "tags"),
        ({"comment": "长" * 501}, "comment"),
        ({"channel": "agent"}, "channel"),
    ],
)
def test_bad_rating_input_is_refused_field_by_field(officer, kwargs, field):
    case = finished_case(officer)
    with pytest.raises(InvalidInput) as exc:
        rating_submit(case=case, **({"level": 5, "channel": "online"} | kwargs))
    assert field in exc.value.fields["errors"]
    assert not Rating.objects.exists()


def test_a_good_rating_opens_no_rectification(officer):
    rating = rating_submit(case=finished_case(officer), level=Level.BASICALLY_SATISFIED, channel="online")
    assert not Rectification.objects.filter(rating=rating).exists()
