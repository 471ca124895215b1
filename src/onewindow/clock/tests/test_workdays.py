"""Unit tests for the working-day engine, on the real State Council holiday data 2004–2026."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction

import numpy as np
import pytest
from chinese_calendar import constants

from onewindow.clock.workdays import (
    CalendarRangeError,
    Duration,
    InvalidCalendarError,
    Unit,
    WarningLevel,
    WarningPolicy,
    WorkCalendar,
    add_natural_days,
    add_working_days,
    add_working_time,
    bulk_add_working_days,
    compression,
    count_working_days,
    deadline,
    deadline_date,
    elapsed,
    explain_working_days,
    remaining,
    used_share,
    warning_level,
    working_minutes_between,
)


def _chinese_name(english: str) -> str:
    try:
        return constants.Holiday(english).chinese
    except ValueError:
        return english


def calendar_from_chinese_calendar(first_year: int = 2004, last_year: int = 2026) -> WorkCalendar:
    """The calendar the Django side seeds from the `chinesecalendar` package (holidays and 调休 days)."""

    def in_range(days: dict[date, str]) -> dict[date, str]:
        return {d: _chinese_name(name) for d, name in days.items() if first_year <= d.year <= last_year}

    return WorkCalendar(
        first_year=first_year,
        last_year=last_year,
        holidays=in_range(constants.holidays),
        makeup_workdays=in_range(constants.workdays),
    )


CAL = calendar_from_chinese_calendar()
WD = Unit.WORKDAY


# ---- the counting convention -------------------------------------------------------------------


def test_five_working_days_from_friday_24_january_2025_end_on_7_february_across_spring_festival():
    assert add_working_days(date(2025, 1, 24), 5, CAL) == date(2025, 2, 7)


def test_the_acceptance_day_itself_is_not_counted():
    assert add_working_days(date(2025, 3, 3), 1, CAL) == date(2025, 3, 4)


def test_zero_working_days_ends_on_the_same_day():
    assert add_working_days(date(2025, 3, 8), 0, CAL) == date(2025, 3, 8)


def test_count_working_days_counts_the_end_day_but_not_the_start_day():
    assert count_working_days(date(2025, 1, 24), date(2025, 2, 7), CAL) == 5


def test_count_working_days_is_negative_when_the_end_is_before_the_start():
    assert count_working_days(date(2025, 2, 7), date(2025, 1, 24), CAL) == -5


def test_a_datetime_is_counted_on_its_local_date_in_shanghai():
    # 2025-03-02 20:00 UTC is Monday 2025-03-03 04:00 in Shanghai.
    assert add_working_days(datetime(2025, 3, 2, 20, 0, tzinfo=UTC), 1, CAL) == date(2025, 3, 4)


# ---- real holiday notices ----------------------------------------------------------------------


@pytest.mark.parametrize("day", [date(2025, 1, 26), date(2025, 2, 8)])
def test_spring_festival_2025_make_up_weekend_days_are_working_days(day):
    assert CAL.is_working_day(day)


@pytest.mark.parametrize("day", [date(2025, 1, 28) + timedelta(days=i) for i in range(8)])
def test_spring_festival_2025_holiday_days_are_not_working_days(day):
    assert not CAL.is_working_day(day)


def test_national_day_2025_skips_1_to_8_october():
    assert add_working_days(date(2025, 9, 30), 1, CAL) == date(2025, 10, 9)


@pytest.mark.parametrize(
    ("start", "due"), [(date(2025, 9, 26), date(2025, 9, 28)), (date(2025, 10, 10), date(2025, 10, 11))]
)
def test_national_day_2025_make_up_days_sunday_28_september_and_saturday_11_october_count(start, due):
    assert add_working_days(start, 1, CAL) == due


def test_spring_festival_2026_make_up_saturday_14_february_counts():
    assert add_working_days(date(2026, 2, 13), 1, CAL) == date(2026, 2, 14)


def test_spring_festival_2026_skips_15_to_23_february():
    assert add_working_days(date(2026, 2, 14), 1, CAL) == date(2026, 2, 24)


def test_spring_festival_2026_make_up_saturday_28_february_counts():
    assert add_working_days(date(2026, 2, 27), 1, CAL) == date(2026, 2, 28)


def test_national_day_2026_skips_1_to_7_october():
    assert add_working_days(date(2026, 9, 30), 1, CAL) == date(2026, 10, 8)


@pytest.mark.parametrize(
    ("start", "due"), [(date(2026, 9, 18), date(2026, 9, 20)), (date(2026, 10, 9), date(2026, 10, 10))]
)
def test_national_day_2026_make_up_days_sunday_20_september_and_saturday_10_october_count(start, due):
    assert add_working_days(start, 1, CAL) == due


def test_counting_crosses_the_year_boundary_into_the_new_year_make_up_day():
    # 2026-01-01..03 are New Year's Day; Sunday 2026-01-04 is a make-up working day.
    assert add_working_days(date(2025, 12, 31), 1, CAL) == date(2026, 1, 4)


def test_counting_across_the_year_boundary_matches_the_count():
    assert count_working_days(date(2025, 12, 30), date(2026, 1, 5), CAL) == 3


# ---- errors ------------------------------------------------------------------------------------


def test_a_start_in_a_year_without_holiday_data_raises_a_range_error_naming_the_year():
    with pytest.raises(CalendarRangeError, match="2027年的节假日安排尚未导入"):
        add_working_days(date(2027, 1, 4), 1, CAL)


def test_a_result_beyond_the_loaded_years_raises_a_range_error_naming_the_next_year():
    with pytest.raises(CalendarRangeError, match="2027年的节假日安排尚未导入") as caught:
        add_working_days(date(2026, 12, 30), 5, CAL)
    assert caught.value.year == 2027


def test_a_date_before_the_loaded_years_raises_a_range_error():
    with pytest.raises(CalendarRangeError, match="2003年"):
        CAL.is_working_day(date(2003, 12, 31))


def test_a_range_error_is_a_value_error():
    assert issubclass(CalendarRangeError, ValueError)


def test_a_negative_number_of_working_days_is_refused():
    with pytest.raises(ValueError, match="不能为负数"):
        add_working_days(date(2025, 3, 3), -1, CAL)


@pytest.mark.parametrize("n", [1.5, "5", True, None])
def test_a_non_integer_number_of_working_days_is_refused(n):
    with pytest.raises(ValueError, match="非负整数"):
        add_working_days(date(2025, 3, 3), n, CAL)


def test_negative_working_minutes_are_refused():
    with pytest.raises(ValueError, match="不能为负数"):
        add_working_time(datetime(2025, 3, 3, 9), -5, CAL)


# ---- working hours -----------------------------------------------------------------------------


def test_two_working_hours_from_11_00_skip_the_lunch_break():
    assert add_working_time(datetime(2025, 3, 3, 11, 0), 120, CAL) == datetime(2025, 3, 3, 14, 30)


def test_two_working_hours_from_16_45_end_at_10_15_the_next_working_day():
    # 16:45–17:30 is 45 minutes, the other 75 minutes run from 09:00.
    assert add_working_time(datetime(2025, 3, 6, 16, 45), 120, CAL) == datetime(2025, 3, 7, 10, 15)


def test_working_hours_from_friday_continue_on_a_make_up_sunday():
    assert add_working_time(datetime(2025, 1, 24, 16, 45), 120, CAL) == datetime(2025, 1, 26, 10, 15)


def test_working_hours_skip_a_holiday():
    assert add_working_time(datetime(2025, 9, 30, 16, 0), 120, CAL) == datetime(2025, 10, 9, 9, 30)


def test_working_hours_from_before_opening_count_from_the_first_session():
    assert add_working_time(datetime(2025, 3, 3, 7, 0), 60, CAL) == datetime(2025, 3, 3, 10, 0)


def test_working_hours_from_the_lunch_break_count_from_the_afternoon_session():
    assert add_working_time(datetime(2025, 3, 3, 12, 30), 30, CAL) == datetime(2025, 3, 3, 14, 0)


def test_working_hours_from_a_saturday_count_from_monday_morning():
    assert add_working_time(datetime(2025, 3, 8, 10, 0), 30, CAL) == datetime(2025, 3, 10, 9, 30)


def test_a_limit_that_runs_out_at_closing_time_ends_at_closing_time_not_next_morning():
    assert add_working_time(datetime(2025, 3, 6, 15, 30), 120, CAL) == datetime(2025, 3, 6, 17, 30)


def test_working_hours_jump_whole_working_days():
    # 5 whole days of 7 working hours from Monday 09:00 end on Friday 17:30.
    assert add_working_time(datetime(2025, 3, 3, 9, 0), 5 * 7 * 60, CAL) == datetime(2025, 3, 7, 17, 30)


def test_an_aware_start_gives_an_aware_result_in_the_same_zone():
    start = datetime(2025, 3, 6, 8, 45, tzinfo=UTC)  # 16:45 in Shanghai
    assert add_working_time(start, 120, CAL) == datetime(2025, 3, 7, 2, 15, tzinfo=UTC)


def test_working_minutes_between_ignore_lunch_and_nights():
    minutes = working_minutes_between(datetime(2025, 3, 6, 16, 45), datetime(2025, 3, 7, 10, 15), CAL)
    assert minutes == 120


def test_working_hours_past_the_loaded_years_raise_a_range_error():
    with pytest.raises(CalendarRangeError, match="2027年"):
        add_working_time(datetime(2026, 12, 31, 17, 0), 60, CAL)


# ---- natural days ------------------------------------------------------------------------------


def test_a_natural_day_limit_ending_on_a_holiday_moves_to_the_next_working_day():
    # 民法典 第二百零三条: 2025-09-21 + 10 days = 1 October (National Day) → Thursday 9 October.
    assert add_natural_days(date(2025, 9, 21), 10, CAL) == date(2025, 10, 9)


def test_a_natural_day_limit_ending_on_a_weekend_moves_to_monday():
    assert add_natural_days(date(2025, 3, 3), 5, CAL) == date(2025, 3, 10)


def test_a_natural_day_limit_ending_on_a_make_up_saturday_stays_there():
    assert add_natural_days(date(2025, 10, 1), 10, CAL) == date(2025, 10, 11)


# ---- deadlines, suspension, extension ----------------------------------------------------------


def test_a_working_day_deadline_is_the_midnight_ending_the_last_day():
    due = deadline(datetime(2025, 1, 24, 10, 0), Duration(5, WD), CAL)
    assert due == datetime(2025, 2, 8, 0, 0)


def test_deadline_date_is_the_last_day_of_the_limit():
    assert deadline_date(datetime(2025, 1, 24, 10, 0), Duration(5, WD), CAL) == date(2025, 2, 7)


def test_an_aware_deadline_is_midnight_in_shanghai_expressed_in_the_input_zone():
    due = deadline(datetime(2025, 1, 24, 2, 0, tzinfo=UTC), Duration(5, WD), CAL)
    assert due == datetime(2025, 2, 7, 16, 0, tzinfo=UTC)


def test_an_instant_limit_ends_with_the_acceptance_day():
    assert deadline(datetime(2025, 3, 3, 10, 0), Duration.instant(), CAL) == datetime(2025, 3, 4)


def test_an_hour_limit_deadline_is_when_the_working_time_runs_out():
    due = deadline(datetime(2025, 3, 6, 16, 45), Duration(2, Unit.WORK_HOUR), CAL)
    assert due == datetime(2025, 3, 7, 10, 15)


def test_a_suspension_across_national_day_gives_back_the_working_days_after_the_pause_day():
    # 10 WD from Monday 2025-09-22 end on Saturday 11 October (make-up day). Expert review from
    # 29 September to 10 October gives back 30 Sep, 9 Oct and 10 Oct: due Wednesday 15 October.
    pauses = [(datetime(2025, 9, 29, 10, 0), datetime(2025, 10, 10, 15, 0))]
    due = deadline_date(datetime(2025, 9, 22, 9, 0), Duration(10, WD), CAL, pauses=pauses)
    assert due == date(2025, 10, 15)


def test_a_suspension_shifts_the_deadline_by_the_paused_working_days():
    without = deadline_date(datetime(2025, 9, 22, 9, 0), Duration(10, WD), CAL)
    paused = count_working_days(date(2025, 9, 29), date(2025, 10, 10), CAL)
    pauses = [(date(2025, 9, 29), date(2025, 10, 10))]
    assert deadline_date(datetime(2025, 9, 22, 9, 0), Duration(10, WD), CAL, pauses=pauses) == (
        add_working_days(without, paused, CAL)
    )


def test_a_suspension_resumed_the_same_day_changes_nothing():
    pauses = [(datetime(2025, 3, 4, 9, 0), datetime(2025, 3, 4, 16, 0))]
    assert deadline_date(datetime(2025, 3, 3), Duration(5, WD), CAL, pauses=pauses) == date(2025, 3, 10)


def test_an_open_suspension_leaves_the_deadline_undefined():
    pauses = [(datetime(2025, 3, 4, 9, 0), None)]
    assert deadline(datetime(2025, 3, 3, 9, 0), Duration(5, WD), CAL, pauses=pauses) is None


def test_a_suspension_starting_after_the_deadline_does_not_revive_the_limit():
    pauses = [(datetime(2025, 3, 12, 9, 0), None)]
    assert deadline_date(datetime(2025, 3, 3), Duration(5, WD), CAL, pauses=pauses) == date(2025, 3, 10)


def test_overlapping_suspensions_are_not_given_back_twice():
    pauses = [(date(2025, 3, 4), date(2025, 3, 6)), (date(2025, 3, 5), date(2025, 3, 7))]
    assert deadline_date(date(2025, 3, 3), Duration(5, WD), CAL, pauses=pauses) == date(2025, 3, 13)


def test_a_suspension_of_an_hour_limit_gives_back_the_exact_working_time():
    pauses = [(datetime(2025, 3, 3, 10, 0), datetime(2025, 3, 3, 15, 0))]
    due = deadline(datetime(2025, 3, 3, 9, 0), Duration(2, Unit.WORK_HOUR), CAL, pauses=pauses)
    assert due == datetime(2025, 3, 3, 16, 0)


def test_a_suspension_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="早于"):
        deadline(datetime(2025, 3, 3), Duration(5, WD), CAL, pauses=[(date(2025, 3, 5), date(2025, 3, 4))])


def test_an_extension_of_ten_working_days_adds_to_the_limit():
    # 20 WD from 2025-03-03 end on 31 March; +10 WD skip Qingming (4–6 April) and end on 15 April.
    due = deadline_date(date(2025, 3, 3), Duration(20, WD), CAL, extensions=[Duration(10, WD)])
    assert due == date(2025, 4, 15)


def test_an_extension_in_another_kind_of_unit_is_refused():
    with pytest.raises(ValueError, match="不一致"):
        deadline_date(date(2025, 3, 3), Duration(20, WD), CAL, extensions=[Duration(2, Unit.WORK_HOUR)])


def test_hour_and_minute_extensions_add_up():
    due = deadline(
        datetime(2025, 3, 3, 9, 0),
        Duration(1, Unit.WORK_HOUR),
        CAL,
        extensions=[Duration(30, Unit.WORK_MINUTE)],
    )
    assert due == datetime(2025, 3, 3, 10, 30)


# ---- elapsed, shares, compression --------------------------------------------------------------


def test_elapsed_working_days_exclude_the_spring_festival():
    assert elapsed(datetime(2025, 1, 24, 10), datetime(2025, 2, 7, 16), WD, CAL) == 5


def test_elapsed_working_days_exclude_suspended_days():
    pauses = [(date(2025, 3, 4), date(2025, 3, 6))]
    assert elapsed(date(2025, 3, 3), date(2025, 3, 10), WD, CAL, pauses=pauses) == 3


def test_elapsed_hour_units_are_working_minutes():
    assert elapsed(datetime(2025, 3, 3, 11), datetime(2025, 3, 3, 14, 30), Unit.WORK_HOUR, CAL) == 120


def test_used_share_is_elapsed_over_the_limit_with_extensions():
    share = used_share(
        date(2025, 3, 3), date(2025, 3, 10), Duration(5, WD), CAL, extensions=[Duration(5, WD)]
    )
    assert share == Fraction(1, 2)


def test_used_share_of_an_instant_limit_is_undefined():
    assert used_share(date(2025, 3, 3), date(2025, 3, 3), Duration.instant(), CAL) is None


def test_compression_of_the_pharmacy_seed_against_the_legal_and_promised_limits():
    assert round(float(compression(Duration(3, WD), Duration(65, WD))), 3) == 0.954
    assert round(float(compression(Duration(3, WD), Duration(17, WD))), 3) == 0.824


def test_compression_of_an_instant_promise_is_complete():
    assert compression(Duration.instant(), Duration(10, WD)) == 1


def test_compression_against_a_zero_limit_is_refused():
    with pytest.raises(ValueError, match="即办"):
        compression(3, 0)


# ---- warning levels ----------------------------------------------------------------------------

ACCEPTED = datetime(2025, 1, 24, 10, 0)  # 5 WD, due at the end of Friday 2025-02-07
FIVE_DAYS = Duration(5, WD)


def test_a_case_with_two_working_days_left_is_normal():
    assert warning_level(datetime(2025, 2, 5, 12), ACCEPTED, FIVE_DAYS, CAL) is WarningLevel.NORMAL


def test_a_case_with_one_working_day_left_is_a_warning():
    assert warning_level(datetime(2025, 2, 6, 9), ACCEPTED, FIVE_DAYS, CAL) is WarningLevel.WARNING


def test_a_case_in_the_last_second_of_its_last_day_is_a_warning():
    now = datetime.combine(date(2025, 2, 7), time(23, 59, 59))
    assert warning_level(now, ACCEPTED, FIVE_DAYS, CAL) is WarningLevel.WARNING


def test_a_case_is_overdue_from_the_midnight_after_its_last_day():
    assert warning_level(datetime(2025, 2, 8, 0, 0), ACCEPTED, FIVE_DAYS, CAL) is WarningLevel.OVERDUE


def test_a_case_with_exactly_the_warning_share_left_is_a_warning():
    # 20 WD from 2025-03-03: on 2025-03-25 16 are used and 4 (20 %) remain.
    assert remaining(datetime(2025, 3, 25, 9), datetime(2025, 3, 3), Duration(20, WD), CAL) == 4
    level = warning_level(datetime(2025, 3, 25, 9), datetime(2025, 3, 3), Duration(20, WD), CAL)
    assert level is WarningLevel.WARNING


def test_a_case_with_just_over_the_warning_share_left_is_normal():
    level = warning_level(datetime(2025, 3, 24, 9), datetime(2025, 3, 3), Duration(20, WD), CAL)
    assert level is WarningLevel.NORMAL


def test_the_warning_policy_is_configurable():
    policy = WarningPolicy(days=2, share=Fraction(0))
    level = warning_level(datetime(2025, 2, 5, 12), ACCEPTED, FIVE_DAYS, CAL, policy=policy)
    assert level is WarningLevel.WARNING


def test_a_suspended_case_is_not_overdue_while_the_suspension_is_open():
    pauses = [(datetime(2025, 2, 5, 9), None)]
    level = warning_level(datetime(2025, 3, 1), ACCEPTED, FIVE_DAYS, CAL, pauses=pauses)
    assert level is WarningLevel.NORMAL


def test_an_hour_limit_warns_in_its_last_fifth():
    accepted = datetime(2025, 3, 3, 9, 0)
    limit = Duration(100, Unit.WORK_MINUTE)
    assert warning_level(datetime(2025, 3, 3, 10, 19), accepted, limit, CAL) is WarningLevel.NORMAL
    assert warning_level(datetime(2025, 3, 3, 10, 20), accepted, limit, CAL) is WarningLevel.WARNING


# ---- bulk --------------------------------------------------------------------------------------


def test_bulk_add_working_days_equals_the_scalar_function_on_a_sample():
    rng = np.random.default_rng(20250124)
    starts = np.datetime64("2004-01-01") + rng.integers(0, 8000, 2000)
    ns = rng.integers(0, 60, 2000)
    bulk = bulk_add_working_days(starts, ns, CAL)
    expected = [add_working_days(s.astype(date), int(n), CAL) for s, n in zip(starts, ns, strict=True)]
    assert bulk.astype(date).tolist() == expected


def test_bulk_results_past_the_loaded_years_raise_a_range_error_with_the_count_and_first_case():
    starts = np.array(["2025-01-24", "2026-12-30", "2026-12-31"], dtype="datetime64[D]")
    with pytest.raises(CalendarRangeError, match="共2个期限超出范围，第一个为 2026-12-30 起算5个工作日"):
        bulk_add_working_days(starts, np.array([5, 5, 5]), CAL)


def test_bulk_starts_outside_the_loaded_years_raise_a_range_error():
    with pytest.raises(CalendarRangeError, match="2003年"):
        bulk_add_working_days(np.array(["2003-12-31"], dtype="datetime64[D]"), np.array([1]), CAL)


def test_bulk_negative_lengths_are_refused():
    with pytest.raises(ValueError, match="不能为负数"):
        bulk_add_working_days(np.array(["2025-01-24"], dtype="datetime64[D]"), np.array([-1]), CAL)


# ---- explanation -------------------------------------------------------------------------------


def test_explanation_names_the_skipped_holidays_and_the_make_up_day():
    notes = explain_working_days(date(2025, 1, 24), 5, CAL)
    reasons = {note.day: note.reason for note in notes}
    assert [note.day for note in notes if note.counted][-1] == date(2025, 2, 7)
    assert "春节调休上班" in reasons[date(2025, 1, 26)]
    assert "春节放假" in reasons[date(2025, 1, 28)]
    assert "周六休息日" in reasons[date(2025, 1, 25)]


# ---- durations and calendar construction -------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (Duration(5, WD), "5个工作日"),
        (Duration(2, Unit.WORK_HOUR), "2个工作小时"),
        (Duration(50, Unit.WORK_MINUTE), "50分钟"),
        (Duration(30, Unit.NATURAL_DAY), "30个自然日"),
        (Duration.instant(), "即办"),
    ],
)
def test_durations_read_in_chinese(duration, text):
    assert str(duration) == text


def test_a_duration_accepts_the_unit_as_stored_text():
    assert Duration(5, "workday") == Duration(5, WD)


@pytest.mark.parametrize(
    ("value", "unit", "message"),
    [
        (-1, WD, "不能为负数"),
        (1.5, WD, "非负整数"),
        (1, Unit.INSTANT, "即办件的时限必须为0"),
        (1, "fortnight", "未知的时限单位"),
    ],
)
def test_an_invalid_duration_is_refused(value, unit, message):
    with pytest.raises(ValueError, match=message):
        Duration(value, unit)


def test_a_make_up_working_day_on_a_weekday_is_refused():
    with pytest.raises(InvalidCalendarError, match="只能是周末"):
        WorkCalendar(first_year=2025, last_year=2025, makeup_workdays={date(2025, 3, 4): "春节"})


def test_a_day_both_holiday_and_make_up_day_is_refused():
    day = date(2025, 3, 8)
    with pytest.raises(InvalidCalendarError, match="既是节假日又是调休上班日"):
        WorkCalendar(first_year=2025, last_year=2025, holidays=[day], makeup_workdays=[day])


def test_overlapping_office_sessions_are_refused():
    sessions = ((time(9), time(12)), (time(11, 30), time(17)))
    with pytest.raises(InvalidCalendarError, match="重叠"):
        WorkCalendar(first_year=2025, last_year=2025, sessions=sessions)


def test_an_office_session_ending_before_it_starts_is_refused():
    with pytest.raises(InvalidCalendarError, match="开始时间不早于结束时间"):
        WorkCalendar(first_year=2025, last_year=2025, sessions=((time(12), time(9)),))


def test_a_holiday_outside_the_covered_years_is_refused():
    with pytest.raises(InvalidCalendarError, match="不在日历覆盖的年份"):
        WorkCalendar(first_year=2025, last_year=2025, holidays=[date(2026, 1, 1)])


def test_a_reversed_year_range_is_refused():
    with pytest.raises(InvalidCalendarError, match="晚于"):
        WorkCalendar(first_year=2026, last_year=2025)


def test_a_calendar_is_frozen():
    with pytest.raises(AttributeError):
        CAL.first_year = 2000  # type: ignore[misc]


def test_regional_holidays_and_custom_office_hours_are_data():
    cal = WorkCalendar(
        first_year=2025,
        last_year=2025,
        holidays={date(2025, 3, 4): "三月三"},
        sessions=((time(8, 30), time(12)),),
    )
    assert add_working_days(date(2025, 3, 3), 1, cal) == date(2025, 3, 5)
    assert add_working_time(datetime(2025, 3, 3, 11, 0), 120, cal) == datetime(2025, 3, 5, 9, 30)
