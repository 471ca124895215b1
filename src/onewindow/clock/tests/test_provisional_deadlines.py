"""clock.deadlines: a deadline that runs past the loaded years counts weekends only there and is
flagged provisional, instead of failing (issue 17)."""

import datetime as dt
import subprocess
import sys

import pytest

from onewindow.clock.deadlines import due, due_date, provisional_calendar
from onewindow.clock.workdays import SHANGHAI, CalendarRangeError, Duration, Unit, WorkCalendar, deadline

# 2026 loaded, with New Year's Eve made a holiday to show that loaded days still count.
CAL = WorkCalendar(first_year=2026, last_year=2026, holidays={dt.date(2026, 12, 31): "测试假日"})
MONDAY_28_DECEMBER = dt.datetime(2026, 12, 28, 10, 0, tzinfo=SHANGHAI)
FIVE = Duration(5, Unit.WORKDAY)


def test_a_deadline_inside_the_loaded_years_is_final_and_unchanged():
    start = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
    assert due(start, FIVE, CAL) == (deadline(start, FIVE, CAL), False)


def test_a_deadline_running_into_the_next_year_counts_its_weekends_only_and_is_provisional():
    # 29, 30 Dec (31 Dec is a loaded holiday), then Fri 1 Jan 2027 (no notice: a working day),
    # Mon 4 and Tue 5 Jan; the limit ends at 24:00 of the fifth working day.
    assert due(MONDAY_28_DECEMBER, FIVE, CAL) == (dt.datetime(2027, 1, 6, tzinfo=SHANGHAI), True)
    with pytest.raises(CalendarRangeError):
        deadline(MONDAY_28_DECEMBER, FIVE, CAL)


def test_a_start_in_the_missing_year_itself_is_provisional_too():
    start = dt.datetime(2027, 1, 4, 10, 0, tzinfo=SHANGHAI)
    assert due(start, FIVE, CAL) == (dt.datetime(2027, 1, 12, tzinfo=SHANGHAI), True)


def test_the_last_day_form_gives_the_same_day_and_flag():
    assert due_date(dt.date(2026, 12, 28), FIVE, CAL) == (dt.date(2027, 1, 5), True)
    assert due_date(dt.date(2026, 3, 2), FIVE, CAL) == (dt.date(2026, 3, 9), False)


def test_no_limit_is_no_deadline():
    assert due(MONDAY_28_DECEMBER, None, CAL) == (None, False)
    assert due_date(dt.date(2026, 12, 28), None, CAL) == (None, False)


def test_the_provisional_calendar_keeps_the_loaded_days_and_adds_two_weekend_only_years():
    extended = provisional_calendar(CAL)
    assert (extended.first_year, extended.last_year) == (2026, 2028)
    assert not extended.is_working_day(dt.date(2026, 12, 31))
    assert extended.is_working_day(dt.date(2027, 1, 1)) and not extended.is_working_day(dt.date(2027, 1, 2))
    assert provisional_calendar(CAL) is extended  # built once per calendar


def test_beyond_the_provisional_years_the_range_error_still_says_which_year():
    with pytest.raises(CalendarRangeError, match="2029"):
        due(dt.datetime(2028, 12, 28, 10, 0, tzinfo=SHANGHAI), FIVE, CAL)


def test_the_module_imports_without_django():
    code = "import sys, onewindow.clock.deadlines; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": "src"})
