"""Rates reproduce hand-computed values; default ratings are counted apart."""

from decimal import Decimal
from fractions import Fraction

import pytest
import time_machine

from onewindow.org.models import Department
from onewindow.ratings.selectors import Scope, on_time_rate, rates_summary, satisfaction_rate
from onewindow.ratings.services import rating_submit, ratings_fire_due, rectification_transition
from onewindow.ratings.tests.helpers import at, finished_case

pytestmark = pytest.mark.django_db
MARCH = {"start": at("2025-03-01").date(), "end": at("2025-03-31").date()}


@pytest.fixture
def march(hall, persona, settings):
    """10 cases finished in March 2025; 9 rated 5,5,5,4,4,3,3,2,1; the 10th silent until its
    window closed, then given a default rating; one of the two bad ratings rectified and verified."""
    settings.ONEWINDOW_RATINGS_DEFAULT_ON_SILENCE = True
    officer = persona("window1")
    cases = [finished_case(officer, day="2025-03-03") for _ in range(10)]
    ratings = []
    with time_machine.travel(at("2025-03-05"), tick=False):
        for case, level in zip(cases, [5, 5, 5, 4, 4, 3, 3, 2, 1], strict=False):
            ratings.append(rating_submit(case=case, level=level, channel="pad"))
        reviewer, supervisor = persona("scjg_reviewer"), persona("supervisor")
        rectification = ratings[-1].rectification
        for action, actor in (("contact", reviewer), ("rectify", reviewer), ("verify", supervisor)):
            rectification = rectification_transition(
                rectification=rectification, action=action, actor=actor, note="已办"
            )
    with time_machine.travel(at("2025-03-12"), tick=False):
        assert all("default" not in r for _pk, r in ratings_fire_due())  # window still open
    with time_machine.travel(at("2025-04-03", "00:00"), tick=False):
        fired = ratings_fire_due()
    assert [r for _pk, r in fired if "default" in r] == [f"default rating for {cases[-1].number}"]
    return cases


def test_the_rates_of_march_match_the_hand_computed_values(march):
    rates = rates_summary(Scope(**MARCH))
    rating = rates["rating_rate"]
    assert (rating.numerator, rating.denominator, rating.rate) == (9, 10, Fraction(9, 10))
    assert rating.percent == Decimal("90.00")
    assert rating.default_ratings == 1  # counted apart, not in the rate
    satisfied = rates["satisfaction_rate"]
    assert (satisfied.numerator, satisfied.denominator) == (7, 9)
    assert satisfied.percent == Decimal("77.78")
    assert "非常满意、满意、基本满意" in satisfied.definition
    rectified = rates["rectification_rate"]
    assert (rectified.numerator, rectified.denominator, rectified.percent) == (1, 2, Decimal("50.00"))


def test_every_figure_carries_its_definition(march):
    for rate in rates_summary(Scope(**MARCH)).values():
        assert "=" in rate.definition and "默认评价" in rate.definition
        assert rate.as_dict()["definition"] == rate.definition


def test_basically_satisfied_can_be_configured_out_of_the_satisfied_levels(march, settings):
    settings.ONEWINDOW_RATINGS_SATISFIED_LEVELS = (5, 4)
    rate = satisfaction_rate(Scope(**MARCH))
    assert (rate.numerator, rate.denominator) == (5, 9)
    assert "基本满意" not in rate.definition


def test_rates_narrow_to_a_department_a_window_and_a_staff_member(march, persona):
    scjg = Department.objects.get(code="SCJG")
    window = march[0].application.window
    assert rates_summary(Scope(**MARCH, department=scjg))["rating_rate"].denominator == 10
    assert (
        rates_summary(Scope(**MARCH, department=Department.objects.get(code="SW")))["rating_rate"].denominator
        == 0
    )
    assert rates_summary(Scope(**MARCH, window=window))["satisfaction_rate"].denominator == 9
    assert rates_summary(Scope(**MARCH, staff=persona("window1")))["rating_rate"].numerator == 9
    assert rates_summary(Scope(**MARCH, staff=persona("window2")))["rating_rate"].denominator == 0


def test_a_rate_without_anything_to_count_has_no_value(hall):
    rate = rates_summary(Scope(**MARCH))["rating_rate"]
    assert rate.rate is None and rate.percent is None


def test_the_seed_002_rating_rate_of_90_5_percent_is_rounded_half_up():
    from onewindow.ratings.selectors import Rate

    rate = Rate(name="评价率", numerator=34390, denominator=38000, definition="")
    assert rate.percent == Decimal("90.50")


def test_the_on_time_rate_compares_the_decision_with_the_promised_deadline(hall, persona):
    finished_case(persona("window1"), day="2025-03-03")
    rate = on_time_rate(Scope(**MARCH))
    assert (rate.numerator, rate.denominator) == (1, 1)
