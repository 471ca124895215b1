"""The daily rollups: incremental refresh finds what changed (updates and bulk inserts), matches
a full rebuild, and a calendar change forces a rebuild."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from onewindow.cases.models import Case, CaseEvent, CaseStatus
from onewindow.core.timeutil import now
from onewindow.ratings.models import (
    Rating,
    RatingChannel,
    Rectification,
    RectificationEvent,
    RectificationState,
)
from onewindow.stats.models import COUNTERS, DailyRollup, Grain, RollupKind, RollupState
from onewindow.stats.periods import Period
from onewindow.stats.rollup import ensure_fresh, invalidate, on_calendar_change, refresh, refresh_due
from onewindow.stats.selectors import StatsFilter, breakdown, indicators, rollups, trend
from onewindow.stats.tests.fixtures import AT, build_march, local

pytestmark = pytest.mark.django_db

ROW_FIELDS = [f.name for f in DailyRollup._meta.fields if f.name != "id"]


@pytest.fixture
def march(hall):
    return build_march()


def snapshot() -> list[tuple]:
    return sorted(tuple(str(v) for v in row) for row in DailyRollup.objects.values_list(*ROW_FIELDS))


def march_figures(month):
    """The March figures as a page shows them: small changes refreshed first (``ensure_fresh``)."""
    ensure_fresh()
    return indicators(StatsFilter(Period.month(2025, 3), month.county), at=AT)


def test_first_refresh_is_a_full_rebuild_and_later_ones_are_incremental(march):
    first = refresh()
    assert first.full and first.rows > 0
    RollupState.objects.update(watermark=now() + dt.timedelta(hours=1))  # nothing changed since
    second = refresh()
    assert not second.full
    assert second.days == 4 * 8  # the recent days of each kind (today and the 7 before)


def test_a_case_decided_after_the_last_refresh_is_counted(march, settings):
    settings.ONEWINDOW_STATS_REFRESH_SECONDS = 0
    assert march_figures(march)["cases_finished"].value == 5
    c5 = Case.objects.get(pk=march.cases["c5"].pk)
    c5.status, c5.decision, c5.decided_at = CaseStatus.APPROVED, "approve", local("2025-03-28", "10:00")
    c5.save()  # updated_at moves: the 28 March rows are recomputed
    figures = march_figures(march)
    assert figures["cases_finished"].value == 6
    assert figures["finished_late"].value == 2  # due 24 March
    assert figures["overdue_open"].value == 0


def test_bulk_inserted_cases_with_old_timestamps_are_found_by_id(march, settings):
    settings.ONEWINDOW_STATS_REFRESH_SECONDS = 0
    march_figures(march)
    template = Case.objects.get(pk=march.cases["c1"].pk)
    copies = []
    for n in range(3):
        template.pk, template.number = None, f"BULK-{n}"
        copies.append(Case(**{f.attname: getattr(template, f.attname) for f in Case._meta.concrete_fields}))
    Case.objects.bulk_create(copies)
    Case.objects.filter(number__startswith="BULK-").update(updated_at=local("2025-03-06", "15:00"))
    figures = march_figures(march)
    assert figures["cases_accepted"].value == 5 + 3
    assert figures["cases_finished"].value == 5 + 3
    assert figures["working_days_mean"].value == Decimal("3.5")  # (19 + 3 × 3) / 8


def test_incremental_refresh_equals_a_full_rebuild(march, settings):
    a5 = march.applications["a5"]
    CaseEvent.objects.create(application=a5, action="submit", to_status="submitted", at=a5.received_at)
    refresh()
    # A resubmission after a correction moves the receipt to another day: both days are recomputed.
    a5.received_at = local("2025-04-02")
    a5.save()
    CaseEvent.objects.create(application=a5, action="resubmit", to_status="submitted", at=a5.received_at)
    c3 = Case.objects.get(pk=march.cases["c3"].pk)
    c3.status = CaseStatus.REVOKED
    c3.decision = "deny"
    c3.save()
    refresh()
    assert march_figures(march)["applications"].value == 5
    incremental = snapshot()
    refresh(full=True)
    full = snapshot()
    assert [r[:3] for r in full] == [r[:3] for r in incremental]
    assert full == incremental


def test_a_calendar_change_forces_a_rebuild(march):
    refresh()
    on_calendar_change(None, frozenset({2025}))
    assert RollupState.objects.get().watermark is None
    assert refresh().full


def test_worker_refreshes_only_when_stale(march, settings):
    settings.ONEWINDOW_STATS_REFRESH_SECONDS = 3600

    def refreshed_at():
        return RollupState.objects.get().refreshed_at

    assert refresh_due() == []  # upkeep: nothing reported as fired
    first = refreshed_at()
    assert first is not None and DailyRollup.objects.exists()
    refresh_due()
    assert refreshed_at() == first  # fresh: nothing done
    invalidate()
    refresh_due()
    assert refreshed_at() > first


def test_stats_command(march, capsys):
    call_command("stats", "status")
    assert "下次刷新将全量重建" in capsys.readouterr().out
    call_command("stats", "rebuild")
    out = capsys.readouterr().out
    assert "全量重建" in out and "汇总行数" in out
    assert "decided 2025-03-" in out  # progress: the blocks of days done, by kind
    call_command("stats", "refresh", "--quiet")
    out = capsys.readouterr().out
    assert "增量刷新" in out and " rows" not in out


def test_the_rollups_are_built_by_index_look_ups_and_the_planner_is_left_as_it_was(march, monkeypatch):
    from django.db import connection

    from onewindow.stats import rollup

    if connection.vendor != "postgresql":
        pytest.skip("planner settings are PostgreSQL's")

    def setting() -> tuple[str, str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_hashjoin'), current_setting('jit')")
            return cursor.fetchone()

    before = setting()
    seen = []
    build = rollup._decided
    monkeypatch.setattr(rollup, "_decided", lambda days: seen.append(setting()) or build(days))
    refresh(full=True)
    assert seen and set(seen) == {("off", "off")}
    assert before[0] == "on" and setting() == before  # the refresh ran in this test's transaction


def test_pages_leave_large_refreshes_to_the_worker(march):
    from onewindow.stats.rollup import ensure_fresh

    assert refresh(max_rebuild_cases=1) is None  # six cases: more than one
    assert DailyRollup.objects.count() == 0
    assert refresh(max_rebuild_cases=100).full
    RollupState.objects.update(watermark=local("2025-01-01"), refreshed_at=local("2025-01-01"))
    assert refresh(max_days=3) is None  # the March days and the last week have changed
    assert ensure_fresh(bounded=False) is not None


def test_month_rows_hold_the_sums_of_their_day_rows(march):
    refresh()
    for kind in RollupKind.values:
        days = DailyRollup.objects.filter(kind=kind, grain=Grain.DAY, day__month=3, day__year=2025)
        months = DailyRollup.objects.filter(kind=kind, grain=Grain.MONTH, day=dt.date(2025, 3, 1))
        assert days.exists() and months.exists()
        sums = {c: Sum(c) for c in COUNTERS}
        assert days.aggregate(**sums) == months.aggregate(**sums)
        assert months.count() <= days.count()
    month_hist: dict[str, int] = {}
    for row in DailyRollup.objects.filter(
        kind=RollupKind.DECIDED, grain=Grain.MONTH, day=dt.date(2025, 3, 1)
    ):
        assert list(row.wd_hist) == sorted(row.wd_hist, key=int)
        for wd, n in row.wd_hist.items():
            month_hist[wd] = month_hist.get(wd, 0) + n
    day_hist: dict[str, int] = {}
    for part in DailyRollup.objects.filter(
        kind=RollupKind.DECIDED, grain=Grain.DAY, day__month=3, day__year=2025
    ).values_list("wd_hist", flat=True):
        for wd, n in part.items():
            day_hist[wd] = day_hist.get(wd, 0) + n
    assert month_hist == day_hist and sum(month_hist.values()) == 5


def test_a_month_reads_its_month_rows_and_a_custom_range_its_day_rows(march):
    refresh()
    month = StatsFilter(Period.month(2025, 3), march.county)
    assert set(rollups(month, RollupKind.DECIDED).values_list("grain", flat=True)) == {Grain.MONTH}
    assert set(rollups(month, RollupKind.DECIDED, daily=True).values_list("grain", flat=True)) == {Grain.DAY}
    # 15 February – 31 March: the day rows of February's second half, March's month rows.
    span = StatsFilter(Period(dt.date(2025, 2, 15), dt.date(2025, 3, 31)), march.county)
    grains = set(rollups(span, RollupKind.ACCEPTED).values_list("grain", "day"))
    assert (Grain.MONTH, dt.date(2025, 3, 1)) in grains
    assert all((g == Grain.DAY and d < dt.date(2025, 3, 1)) or g == Grain.MONTH for g, d in grains)
    assert indicators(month, at=AT)["cases_finished"].value == 5


def test_ratings_made_and_rectifications_verified_after_a_refresh_are_counted(march, settings):
    settings.ONEWINDOW_STATS_REFRESH_SECONDS = 0
    before = march_figures(march)
    assert before["rating_rate"].numerator == 2 and before["rectification_rate"].value == Decimal("0.00")
    assert before["bad_ratings_open"].value == 1
    # An old case rated now (a late, bulk or imported rating keeps its March dates), and the bad
    # rating's rectification verified by an event.
    c2 = Case.objects.get(pk=march.cases["c2"].pk)
    Rating.objects.create(
        case=c2,
        level=4,
        channel=RatingChannel.ONLINE,
        department=c2.department,
        finished_at=c2.decided_at,
        rated_at=local("2025-03-20"),
    )
    rectification = Rectification.objects.get(rating__case=march.cases["c3"])
    rectification.state = RectificationState.VERIFIED
    rectification.save()
    RectificationEvent.objects.create(
        rectification=rectification,
        action="verify",
        from_state="open",
        to_state="verified",
        at=local("2025-03-20"),
    )
    RollupState.objects.update(watermark=now())  # the March days are not "recent": found by id
    after = march_figures(march)
    assert after["rating_rate"].numerator == 3
    assert after["satisfaction_rate"].denominator == 3
    assert after["rectification_rate"].value == Decimal("100.00")
    assert after["bad_ratings_open"].value == 0
    incremental = snapshot()
    refresh(full=True)
    assert snapshot() == incremental


def test_the_figures_only_read_so_a_read_replica_can_serve_them(march, settings):
    # Stale rollups (never refreshed, and no grace period): the selectors still write nothing.
    settings.ONEWINDOW_STATS_REFRESH_SECONDS = 0
    f = StatsFilter(Period.month(2025, 3), march.county)
    with CaptureQueriesContext(connection) as ctx:
        indicators(f, at=AT)
        breakdown(f, "department", at=AT)
        trend(f)
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}
        or "FOR UPDATE" in q["sql"].upper()
    ]
    assert writes == []
    assert not DailyRollup.objects.exists()
