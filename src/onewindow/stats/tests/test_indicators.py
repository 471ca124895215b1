"""Each indicator on the hand-built March 2025 of ``fixtures.build_march``, worked out by hand.

app channel  delivery   region case item     accepted decided    WD promised result
a1  window   window     county c1   pharmacy 03-03    03-06      3  12       on time
a2  online   electronic county c2   pharmacy 03-07    03-12      3  12       on time, 告知承诺 failed
a3  online   mail       county c3   road     03-10    03-14      4  2        late, 容缺
a4  station  window     town   c4   instant  03-17    03-17 deny 0  instant  —
a5  window*  mail       county c5   road     03-20    —          —  2        overdue since 03-24
a6  window   mail       county c6   pharmacy 02-20    03-05      9  12       on time (Feb)
a7  window   mail       county —    refused 03-25
(* corrected once)
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from onewindow.stats.definitions import BY_CODE, INDICATORS
from onewindow.stats.periods import Period, PeriodError, parse_period, weighted_percentile
from onewindow.stats.rollup import refresh
from onewindow.stats.selectors import StatsFilter, breakdown, drill_cases, indicators, trend
from onewindow.stats.tests.fixtures import AT, build_march

pytestmark = pytest.mark.django_db


@pytest.fixture
def march(hall):
    month = build_march()
    refresh()  # the selectors only read the rollups
    return month


def figures_for(month, region=None):
    return indicators(StatsFilter(Period.month(2025, 3), region or month.county), at=AT)


def test_every_indicator_is_computed_and_defined(march):
    figures = figures_for(march)
    assert list(figures) == [i.code for i in INDICATORS]
    for code in figures:
        assert BY_CODE[code].definition, code


def test_intake_figures(march):
    f = figures_for(march)
    # a1–a5 and a7 were received in March; a6 in February.
    assert f["applications"].value == 6
    assert f["applications_refused"].value == 1  # a7
    assert f["applications_corrected"].value == 1  # a5
    assert f["cases_accepted"].value == 5  # c1–c5
    assert f["cases_finished"].value == 5  # c1, c2, c3, c4, c6
    assert f["cases_approved"].value == 4  # c4 was denied


def test_timeliness_figures(march):
    f = figures_for(march)
    # Promised deadlines: c1, c2, c3, c6 (c4 is instant, without one); c3 is late.
    assert (f["on_time_rate_promised"].numerator, f["on_time_rate_promised"].denominator) == (3, 4)
    assert f["on_time_rate_promised"].value == Decimal("75.00")
    assert f["finished_late"].value == 1
    assert f["on_time_rate_legal"].value == Decimal("100.00")  # all five within the statutory limit
    # Working days 3, 3, 4, 0, 9: mean 19 / 5 = 3.8; median (3rd of 5) 3; p90 (5th of 5) 9.
    assert f["working_days_mean"].value == Decimal("3.8")
    assert f["working_days_p50"].value == 3
    assert f["working_days_p90"].value == 9
    # Against statutory limits 45 + 45 + 20 + 20 + 45 = 175: 1 − 19/175 = 89.14 %.
    assert (f["compression_legal"].numerator, f["compression_legal"].denominator) == (19, 175)
    assert f["compression_legal"].value == Decimal("89.14")
    # Against promised limits in working days 12 + 12 + 2 + 12 = 38 (c4 is instant): 1 − 19/38 = 50 %.
    assert (f["compression_promised"].numerator, f["compression_promised"].denominator) == (19, 38)
    assert f["compression_promised"].value == Decimal("50.00")
    # The demo catalogue: Σ promised 129 over Σ statutory 490 working days → 1 − 129/490 = 73.67 %.
    assert (f["compression_catalogue"].numerator, f["compression_catalogue"].denominator) == (129, 490)
    assert f["compression_catalogue"].value == Decimal("73.67")
    assert f["overdue_open"].value == 1  # c5
    assert f["suspensions"].value == 1
    assert f["extensions"].value == 1


def test_convenience_figures(march):
    f = figures_for(march)
    assert f["online_rate"].value == Decimal("33.33")  # a2, a3 of 6
    assert f["fully_online_rate"].value == Decimal("16.67")  # a2 (online, e-licence)
    assert f["zero_visit_rate"].value == Decimal("33.33")  # a2, a3
    # At most one visit: a2, a3 (online) and a7 (window, mailed, no correction); a1 and a4 pick up
    # at the window (2 visits), a5 came back after a correction.
    assert f["max_one_visit_rate"].value == Decimal("50.00")
    assert f["station_share"].value == Decimal("16.67")  # a4
    assert f["instant_share"].value == Decimal("20.00")  # c4 of c1–c5
    assert f["proofs_replaced"].value == 1  # a1's material satisfied by shared data


def test_reform_figures(march):
    f = figures_for(march)
    assert f["deficiency_cases"].value == 1  # c3
    assert f["commitment_cases"].value == 1  # c2
    assert f["verifications_failed"].value == 1
    assert f["verifications_passed"].value == 0
    assert f["verifications_open"].value == 0


def test_feedback_figures(march):
    f = figures_for(march)
    # Finished 5; real ratings on c1 and c3 (c6's is a default rating): 2 / 5.
    assert (f["rating_rate"].numerator, f["rating_rate"].denominator) == (2, 5)
    assert f["rating_rate"].value == Decimal("40.00")
    assert f["satisfaction_rate"].value == Decimal("50.00")  # c1 非常满意, c3 非常不满意
    assert f["rectification_rate"].value == Decimal("0.00")  # c3's rectification still open
    assert f["bad_ratings_open"].value == 1
    assert f["complaints"].value == 3
    # Due: the consultation (answered in time) and the complaint (unanswered, past due); the
    # suggestion is not yet due and not counted.
    assert (f["complaint_sla_rate"].numerator, f["complaint_sla_rate"].denominator) == (1, 2)


def test_region_filter_keeps_the_town(march):
    f = figures_for(march, region=march.town)
    assert f["applications"].value == 1
    assert f["station_share"].value == Decimal("100.00")
    assert f["cases_finished"].value == 1
    assert f["working_days_mean"].value == Decimal("0.0")


def test_drill_down_lists_exactly_the_cases_behind_a_figure(march):
    f = StatsFilter(Period.month(2025, 3), march.county)
    cases = march.cases

    def numbers(code):
        return sorted(c.number for c in drill_cases(code, f, at=AT))

    assert numbers("overdue_open") == [cases["c5"].number]
    assert numbers("finished_late") == [cases["c3"].number]
    assert numbers("cases_finished") == sorted(cases[k].number for k in ("c1", "c2", "c3", "c4", "c6"))
    assert numbers("commitment_cases") == [cases["c2"].number]
    assert numbers("deficiency_cases") == [cases["c3"].number]
    assert numbers("verifications_failed") == [cases["c2"].number]
    assert numbers("bad_ratings_open") == [cases["c3"].number]
    assert numbers("applications_corrected") == [cases["c5"].number]
    assert numbers("suspensions") == numbers("extensions") == [cases["c5"].number]
    for indicator in INDICATORS:
        if indicator.drill:
            drill_cases(indicator.code, f, at=AT).count()  # every drillable code has a query


def test_breakdown_by_department_and_channel(march):
    f = StatsFilter(Period.month(2025, 3), march.county)
    by_channel = {r.key: r for r in breakdown(f, "channel", at=AT)}
    # window: c1, c5 accepted; c1, c6 finished (both on time, 3 and 9 WD); c5 overdue.
    assert (by_channel["window"].accepted, by_channel["window"].finished) == (2, 2)
    assert by_channel["window"].on_time_rate == Decimal("100.00")
    assert by_channel["window"].working_days_mean == Decimal("6.0")
    assert by_channel["window"].overdue_open == 1
    # online: c2 (on time, 3 WD), c3 (late, 4 WD).
    assert by_channel["online"].on_time_rate == Decimal("50.00")
    assert by_channel["online"].finished_late == 1
    assert by_channel["online"].working_days_mean == Decimal("3.5")
    by_state = {r.key: r.accepted for r in breakdown(f, "state", at=AT)}
    assert by_state == {"closed": 3, "denied": 1, "reviewing": 1}
    assert {r.key for r in breakdown(f, "region_tier", at=AT)} == {"county", "town"}


def test_trend_is_daily_for_a_month(march):
    points = trend(StatsFilter(Period.month(2025, 3), march.county))
    assert len(points) == 31
    by_day = {p.start.day: p for p in points}
    assert by_day[3].accepted == 1 and by_day[6].finished == 1
    assert by_day[14].finished == 1 and by_day[14].on_time_rate == Decimal("0.00")
    assert sum(p.accepted for p in points) == 5
    assert sum(p.finished for p in points) == 5


def test_empty_period_has_no_rates(hall):
    f = indicators(StatsFilter(Period.year(2024)))
    assert f["applications"].value == 0
    assert f["on_time_rate_promised"].value is None
    assert f["on_time_rate_promised"].display == "—"
    assert f["working_days_mean"].value is None


def test_periods_and_their_errors():
    assert Period.month(2025, 2).end.day == 28
    assert Period.year(2024).days == 366
    assert len(Period.year(2025).buckets()) == 12
    assert (
        parse_period("custom", today=Period.year(2025).start, start="2025-01-01", end="2025-01-31").days == 31
    )
    with pytest.raises(PeriodError, match="早于"):
        parse_period("custom", today=Period.year(2025).start, start="2025-02-01", end="2025-01-01")
    with pytest.raises(PeriodError, match="月份"):
        parse_period("month", today=Period.year(2025).start, month="2025-13")
    with pytest.raises(PeriodError, match="未知"):
        parse_period("week", today=Period.year(2025).start)
    with pytest.raises(PeriodError, match="格式"):
        parse_period("day", today=Period.year(2025).start, day="2025-02-30")
    with pytest.raises(PeriodError, match="三年"):
        Period(Period.year(2020).start, Period.year(2025).end)


def test_weighted_percentile_nearest_rank():
    assert weighted_percentile([], 0.5) is None
    assert weighted_percentile([(0, 1), (3, 2), (4, 1), (9, 1)], 0.5) == 3
    assert weighted_percentile([(0, 1), (3, 2), (4, 1), (9, 1)], 0.9) == 9
    assert weighted_percentile([(1, 9), (10, 1)], 0.9) == 1  # exactly 90 % at 1
