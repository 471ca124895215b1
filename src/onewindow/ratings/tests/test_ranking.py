"""Agency ranking (seed 001 巴中): weights sum to 100 %, grades by rank, consecutive-差 alert."""

import datetime as dt
from decimal import Decimal

import pytest

from onewindow.core.errors import InvalidInput, PermissionDenied
from onewindow.org.models import Department
from onewindow.ratings.models import Grade, RankingScheme
from onewindow.ratings.services import (
    grade_for_rank,
    ranking_compute,
    ranking_period_open,
    ranking_scheme_create,
    ranking_score_enter,
)

pytestmark = pytest.mark.django_db
BAZHONG = [  # 综合测评分按日常过程评价占40%、现场集中评价占60%
    {"code": "process", "name": "日常过程评价（好差评满意率）", "weight": 40, "source": "satisfaction_rate"},
    {"code": "onsite", "name": "现场集中评价（百人团）", "weight": 60, "source": "manual"},
]
CODES = ("SCJG", "SW", "GA", "ZJ")


@pytest.fixture
def supervisor(persona):
    return persona("supervisor")


@pytest.fixture
def scheme(hall, supervisor):
    return ranking_scheme_create(
        actor=supervisor,
        name="营商环境好差评季度测评",
        indicators=BAZHONG,
        good_top=1,
        fair_top=2,
        bad_bottom=1,
        departments=Department.objects.filter(code__in=CODES),
    )


def quarter(scheme, supervisor, label, start, scores):
    period = ranking_period_open(
        actor=supervisor, scheme=scheme, label=label, start=start, end=start + dt.timedelta(days=89)
    )
    onsite = scheme.indicators.get(code="onsite")
    for code, score in zip(CODES, scores, strict=True):
        ranking_score_enter(
            actor=supervisor,
            period=period,
            department=Department.objects.get(code=code),
            indicator=onsite,
            score=score,
        )
    return ranking_compute(actor=supervisor, period=period)


def test_indicator_weights_must_sum_to_100_percent(hall, supervisor):
    with pytest.raises(InvalidInput, match="权重之和须为100%，当前为90%"):
        ranking_scheme_create(
            actor=supervisor,
            name="错误方案",
            indicators=[{**BAZHONG[0], "weight": 40}, {**BAZHONG[1], "weight": 50}],
        )
    assert not RankingScheme.objects.exists()


def test_only_supervisors_and_administrators_manage_the_ranking(hall, persona):
    with pytest.raises(PermissionDenied):
        ranking_scheme_create(actor=persona("scjg_reviewer"), name="x", indicators=BAZHONG)


def test_the_seed_001_bands_grade_by_rank():
    scheme = RankingScheme(name="巴中", good_top=20, fair_top=50, bad_bottom=6)
    grades = {rank: grade_for_rank(rank, 60, scheme) for rank in (1, 20, 21, 50, 51, 54, 55, 60)}
    assert grades == {
        1: Grade.GOOD,
        20: Grade.GOOD,
        21: Grade.FAIR,
        50: Grade.FAIR,
        51: Grade.AVERAGE,
        54: Grade.AVERAGE,
        55: Grade.BAD,
        60: Grade.BAD,
    }


def test_departments_are_scored_40_60_ranked_and_graded(scheme, supervisor):
    results = quarter(scheme, supervisor, "2025年第一季度", dt.date(2025, 1, 1), [90, 80, 70, 60])
    table = [(r.department.code, r.score, r.rank, r.grade) for r in results]
    # No ratings in the quarter: the satisfaction indicator counts full marks (40).
    assert table == [
        ("SCJG", Decimal("94.00"), 1, Grade.GOOD),
        ("SW", Decimal("88.00"), 2, Grade.FAIR),
        ("GA", Decimal("82.00"), 3, Grade.AVERAGE),
        ("ZJ", Decimal("76.00"), 4, Grade.BAD),
    ]
    assert results[-1].alert == ""  # one 差 is a warning talk, not yet the alert
    assert "谈话提示" in results[-1].details["consequence"]


def test_equal_scores_share_a_rank(scheme, supervisor):
    results = quarter(scheme, supervisor, "2025年第一季度", dt.date(2025, 1, 1), [90, 90, 70, 60])
    assert [r.rank for r in results] == [1, 1, 3, 4]


def test_two_consecutive_bad_grades_raise_the_alert(scheme, supervisor):
    quarter(scheme, supervisor, "2025年第一季度", dt.date(2025, 1, 1), [90, 80, 70, 60])
    results = quarter(scheme, supervisor, "2025年第二季度", dt.date(2025, 4, 1), [90, 80, 70, 50])
    zj = next(r for r in results if r.department.code == "ZJ")
    assert zj.consecutive_bad == 2
    assert "黄牌警示" in zj.alert
    assert all(r.alert == "" for r in results if r.department.code != "ZJ")


def test_the_alert_threshold_is_configurable(scheme, supervisor, settings):
    settings.ONEWINDOW_RANKING_ALERT_CONSECUTIVE = 1
    results = quarter(scheme, supervisor, "2025年第一季度", dt.date(2025, 1, 1), [90, 80, 70, 60])
    assert results[-1].alert


def test_missing_on_site_scores_are_all_listed_before_anything_is_computed(scheme, supervisor):
    period = ranking_period_open(
        actor=supervisor,
        scheme=scheme,
        label="2025年第一季度",
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 3, 31),
    )
    with pytest.raises(InvalidInput) as exc:
        ranking_compute(actor=supervisor, period=period)
    assert len(exc.value.fields["errors"]["missing"]) == 4


def test_a_computed_indicator_cannot_be_entered_by_hand(scheme, supervisor):
    period = ranking_period_open(
        actor=supervisor, scheme=scheme, label="Q1", start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31)
    )
    with pytest.raises(InvalidInput, match="系统根据数据计算"):
        ranking_score_enter(
            actor=supervisor,
            period=period,
            department=Department.objects.get(code="SW"),
            indicator=scheme.indicators.get(code="process"),
            score=90,
        )
