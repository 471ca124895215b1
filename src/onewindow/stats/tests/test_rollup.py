"""The daily rollups: incremental refresh finds what changed (updates and bulk inserts), matches
a full rebuild, and a calendar change forces a rebuild."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from onewindow.cases.models import Case, CaseEvent, CaseStatus
from onewindow.core.timeutil import now
from onewindow.stats.models import DailyRollup, RollupState
from onewindow.stats.periods import Period
from onewindow.stats.rollup import invalidate, on_calendar_change, refresh, refresh_due
from onewindow.stats.selectors import StatsFilter, indicators
from onewindow.stats.tests.fixtures import AT, build_march, local

pytestmark = pytest.mark.django_db

ROW_FIELDS = [f.name for f in DailyRollup._meta.fields if f.name != "id"]


@pytest.fixture
def march(hall):
    return build_march()


def snapshot() -> list[tuple]:
    return sorted(tuple(str(v) for v in row) for row in DailyRollup.objects.values_list(*ROW_FIELDS))


def march_figures(month):
    return indicators(StatsFilter(Period.month(2025, 3), month.county), at=AT)


def test_first_refresh_is_a_full_rebuild_and_later_ones_are_incremental(march):
    first = refresh()
    assert first.full and first.rows > 0
    RollupState.objects.update(watermark=now() + dt.timedelta(hours=1))  # nothing changed since
    second = refresh()
    assert not second.full
    assert second.days == 3 * 8  # the recent days of each kind (today and the 7 before)


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
    call_command("stats", "refresh")
    assert "增量刷新" in capsys.readouterr().out


def test_pages_leave_large_refreshes_to_the_worker(march):
    from onewindow.stats.rollup import ensure_fresh

    assert refresh(max_rebuild_cases=1) is None  # six cases: more than one
    assert DailyRollup.objects.count() == 0
    assert refresh(max_rebuild_cases=100).full
    RollupState.objects.update(watermark=local("2025-01-01"), refreshed_at=local("2025-01-01"))
    assert refresh(max_days=3) is None  # the March days and the last week have changed
    assert ensure_fresh(bounded=False) is not None
