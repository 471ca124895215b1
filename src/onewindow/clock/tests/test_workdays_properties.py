"""Property tests: the indexed engine agrees with naive day-by-day loops over `chinese_calendar`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import chinese_calendar
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.clock.tests.test_workdays import calendar_from_chinese_calendar
from onewindow.clock.workdays import (
    Duration,
    Unit,
    add_natural_days,
    add_working_days,
    add_working_time,
    bulk_add_working_days,
    count_working_days,
    deadline_date,
    working_minutes_between,
)

CAL = calendar_from_chinese_calendar(2004, 2026)
SESSIONS = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30)))

# Starts end mid-2026 so that every derived date (up to 60 working days, plus a pause of up to
# 120 natural days, plus its shift) stays inside the loaded years 2004–2026.
starts = st.dates(date(2004, 1, 1), date(2026, 6, 30))
lengths = st.integers(0, 60)


def naive_add_working_days(start: date, n: int) -> date:
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        counted += chinese_calendar.is_workday(day)
    return day


def naive_count_working_days(start: date, end: date) -> int:
    return sum(
        chinese_calendar.is_workday(start + timedelta(days=i)) for i in range(1, (end - start).days + 1)
    )


def naive_add_working_minutes(start: datetime, minutes: int) -> datetime:
    """Step minute by minute (whole rest days at a time) until `minutes` working minutes have passed."""
    moment, left = start, minutes
    while left:
        if not chinese_calendar.is_workday(moment.date()):
            moment = datetime.combine(moment.date() + timedelta(days=1), time())
            continue
        if any(begin <= moment.time() < end for begin, end in SESSIONS):
            left -= 1
        moment += timedelta(minutes=1)
    return moment


@settings(max_examples=300, deadline=None)
@given(start=starts, n=lengths)
def test_adding_working_days_equals_a_naive_day_by_day_loop(start, n):
    assert add_working_days(start, n, CAL) == naive_add_working_days(start, n)


@settings(max_examples=300, deadline=None)
@given(start=starts, n=st.integers(1, 60))
def test_adding_working_days_lands_on_a_working_day_n_days_later(start, n):
    due = add_working_days(start, n, CAL)
    assert CAL.is_working_day(due)
    assert count_working_days(start, due, CAL) == n


@settings(max_examples=200, deadline=None)
@given(start=starts, span=st.integers(0, 120))
def test_counting_working_days_equals_a_naive_loop(start, span):
    end = start + timedelta(days=span)
    assert count_working_days(start, end, CAL) == naive_count_working_days(start, end)


@settings(max_examples=200, deadline=None)
@given(start=starts, n=st.integers(1, 60))
def test_a_natural_day_limit_ends_on_the_first_working_day_on_or_after_start_plus_n(start, n):
    due = add_natural_days(start, n, CAL)
    target = start + timedelta(days=n)
    assert chinese_calendar.is_workday(due)
    assert due >= target
    assert not any(
        chinese_calendar.is_workday(target + timedelta(days=i)) for i in range((due - target).days)
    )


@settings(max_examples=50, deadline=None)
@given(pairs=st.lists(st.tuples(starts, lengths), min_size=1, max_size=50))
def test_bulk_adding_equals_the_scalar_function(pairs):
    start_array = np.array([s for s, _ in pairs], dtype="datetime64[D]")
    n_array = np.array([n for _, n in pairs])
    bulk = bulk_add_working_days(start_array, n_array, CAL)
    assert bulk.astype(date).tolist() == [add_working_days(s, n, CAL) for s, n in pairs]


@settings(max_examples=200, deadline=None)
@given(start=starts, n=st.integers(1, 60), pause_at=st.integers(0, 90), pause_for=st.integers(0, 30))
def test_a_suspension_shifts_the_deadline_by_the_working_days_it_covers(start, n, pause_at, pause_for):
    due = add_working_days(start, n, CAL)
    pause_start = start + timedelta(days=pause_at)
    resume = pause_start + timedelta(days=pause_for)
    shifted = deadline_date(start, Duration(n, Unit.WORKDAY), CAL, pauses=[(pause_start, resume)])
    expected = (
        add_working_days(due, count_working_days(pause_start, resume, CAL), CAL) if pause_start < due else due
    )
    assert shifted == expected


minute_starts = st.builds(
    lambda day, minute: datetime.combine(day, time()) + timedelta(minutes=minute),
    starts,
    st.integers(0, 24 * 60 - 1),
)


@settings(max_examples=80, deadline=None)
@given(start=minute_starts, minutes=st.integers(1, 900))
def test_adding_working_minutes_equals_a_naive_minute_stepping_loop(start, minutes):
    fast = add_working_time(start, minutes, CAL)
    naive = naive_add_working_minutes(start, minutes)
    # The naive loop stops at the first minute boundary after the last working minute; the engine
    # returns that same instant (a limit ending at 12:00 ends at 12:00, not 13:30).
    assert fast == naive


@settings(max_examples=200, deadline=None)
@given(start=minute_starts, minutes=st.integers(0, 3000))
def test_working_minutes_between_a_start_and_its_deadline_are_the_limit(start, minutes):
    assert working_minutes_between(start, add_working_time(start, minutes, CAL), CAL) == minutes
