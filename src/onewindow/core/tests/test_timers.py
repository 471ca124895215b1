import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from onewindow.cases.models import Timer, TimerKind
from onewindow.core.errors import DomainError
from onewindow.core.timers import (
    _count_due,
    _oldest_due,
    claim_due,
    fire_all_due,
    timer_due_counts,
    timer_sources,
)
from onewindow.core.timeutil import now


def test_every_app_with_timers_registers_its_source():
    names = list(timer_sources())
    for source in ("cases", "licences", "ratings", "complaints"):
        assert any(name.startswith(f"onewindow.{source}.") for name in names), source


def test_every_source_with_due_rows_can_also_count_them():
    # tick --dry-run adds up count_due; a source that reports a backlog must be counted too.
    assert set(_oldest_due) <= set(_count_due)


@pytest.mark.django_db
def test_tick_fires_every_source_and_prints_a_summary(capsys):
    assert fire_all_due() == []
    call_command("tick")
    assert "tick: 0 timers fired" in capsys.readouterr().out


def _timers(n: int, *, minutes_ago: int = 1) -> list[Timer]:
    due = now() - dt.timedelta(minutes=minutes_ago)
    return [
        Timer.objects.create(
            kind=TimerKind.DEADLINE_WARNING, target_id=1000 + i, due_at=due + dt.timedelta(seconds=i)
        )
        for i in range(n)
    ]


def _due():
    return Timer.objects.filter(fired_at__isnull=True, due_at__lte=now()).order_by("due_at", "pk")


def _mark(timer: Timer, result: str) -> None:
    Timer.objects.filter(pk=timer.pk).update(fired_at=now(), result=result)


@pytest.mark.django_db
def test_claim_due_fires_each_due_row_once_oldest_first_and_marks_it():
    timers = _timers(3)
    fired = claim_due(_due(), limit=10, fire=lambda t: f"fired {t.target_id}", mark=_mark)
    assert fired == [(t.pk, f"fired {t.target_id}") for t in timers]
    assert set(Timer.objects.values_list("result", flat=True)) == {f"fired {t.target_id}" for t in timers}
    assert claim_due(_due(), limit=10, fire=lambda t: "again", mark=_mark) == []


@pytest.mark.django_db
def test_claim_due_stops_at_the_limit_and_leaves_the_rest_due():
    timers = _timers(3)
    assert [pk for pk, _r in claim_due(_due(), limit=2, fire=lambda t: "ok", mark=_mark)] == [
        timers[0].pk,
        timers[1].pk,
    ]
    assert list(_due()) == [timers[2]]


@pytest.mark.django_db
def test_a_refused_row_has_its_effects_rolled_back_and_is_marked_with_the_reason():
    (timer,) = _timers(1)

    def fire(row: Timer) -> str:
        Timer.objects.create(kind=TimerKind.DELIVERY_DUE, target_id=row.target_id, due_at=now())
        raise DomainError("办件已办结")

    assert claim_due(_due(), limit=10, fire=fire, mark=_mark) == [(timer.pk, "refused: 办件已办结")]
    assert not Timer.objects.filter(kind=TimerKind.DELIVERY_DUE).exists()  # the savepoint rolled back
    timer.refresh_from_db()
    assert (timer.result, timer.fired_at is not None) == ("refused: 办件已办结", True)


@pytest.mark.django_db
def test_a_refused_row_without_a_mark_stays_due_but_is_not_claimed_twice_in_one_run():
    timers = _timers(2)

    def fire(row: Timer) -> str:
        raise DomainError("稍后再试")

    assert claim_due(_due(), limit=10, fire=fire) == [(t.pk, "refused: 稍后再试") for t in timers]
    assert list(_due()) == timers  # retried by the next run


@pytest.mark.django_db
def test_a_bug_in_a_fire_is_not_hidden_and_leaves_the_row_due():
    _timers(1)

    def fire(row: Timer) -> str:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        claim_due(_due(), limit=10, fire=fire, mark=_mark)
    assert _due().count() == 1


@pytest.mark.django_db
def test_tick_dry_run_counts_the_due_rows_of_every_source_and_fires_none(hall, capsys):
    from onewindow.complaints.services import ComplaintIn, complaint_submit

    with time_machine.travel(dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC), tick=False):
        complaint_submit(
            data=ComplaintIn(
                klass="consultation", subject="办事指南", text="营业执照需要哪些材料", anonymous=True
            )
        )
    _timers(2)
    counts = dict(timer_due_counts())
    assert counts["cases"] >= 2 and counts["complaints"] == 1
    assert {"ratings", "licences", "audit"} <= set(counts)
    call_command("tick", "--dry-run")
    out = capsys.readouterr().out
    assert f"due: cases: {counts['cases']}" in out and "due: complaints: 1" in out
    total = sum(c for c in counts.values() if c is not None)
    assert out.rstrip().endswith(f"dry run: {total} timers due, none fired")
    assert Timer.objects.filter(fired_at__isnull=False).count() == 0
