"""The 80 % warning (预警) falls at four fifths of the limit's *working* time, and moves with every
change of the deadline, a calendar change included."""

import datetime as dt

import pytest
import time_machine

from onewindow.cases import services
from onewindow.cases.models import Case, Timer, TimerKind
from onewindow.cases.selectors import due_day
from onewindow.cases.tests.factories import accepted, enterprise
from onewindow.clock.models import DayKind
from onewindow.clock.selectors import calendar_default
from onewindow.clock.services import calendar_day_set

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def at(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


def warning_timer(case: Case) -> Timer:
    return Timer.objects.get(kind=TimerKind.DEADLINE_WARNING, target_id=case.pk)


def test_a_two_hour_case_accepted_at_1759_before_a_holiday_is_warned_after_the_holiday(hall, persona):
    """2025-09-30 17:59, then 国庆 01–08 October: 96 working minutes (80 % of 2 hours) run out at
    10:36 on Thursday 9 October, not at 0 % used in the middle of the holiday."""
    with at(dt.datetime(2025, 9, 30, 17, 59, tzinfo=TZ)):
        case = accepted(persona("window1"), enterprise(), item="430702-SCJG-0001").cases.get()
    assert case.promised_due_at == dt.datetime(2025, 10, 9, 11, 0, tzinfo=TZ)
    assert case.warning_at == dt.datetime(2025, 10, 9, 10, 36, tzinfo=TZ)
    assert warning_timer(case).due_at == case.warning_at
    for moment, fires in [
        (dt.datetime(2025, 10, 3, 12, 0, tzinfo=TZ), False),
        (dt.datetime(2025, 10, 9, 10, 35, tzinfo=TZ), False),
        (dt.datetime(2025, 10, 9, 10, 36, tzinfo=TZ), True),
    ]:
        with at(moment):
            fired = [pk for pk, _result in services.timers_fire_due()]
        assert (warning_timer(case).pk in fired) is fires


def test_a_working_day_case_is_warned_at_the_end_of_four_fifths_of_its_working_days(hall, persona):
    with at(dt.datetime(2025, 3, 3, 9, 30, tzinfo=TZ)):
        case = accepted(persona("window1"), enterprise(), item="430702-SCJG-0003").cases.get()  # 5 WD
    assert due_day(case.promised_due_at) == dt.date(2025, 3, 10)
    assert case.warning_at == dt.datetime(2025, 3, 7, 17, 30, tzinfo=TZ)  # the 4th day's last session ends


def test_a_calendar_change_moves_the_deadline_and_re_arms_the_warning_timer(hall, persona):
    with at(dt.datetime(2025, 3, 3, 9, 30, tzinfo=TZ)):
        case = accepted(persona("window1"), enterprise(), item="430702-SCJG-0003").cases.get()
    before = warning_timer(case).due_at
    calendar_day_set(
        actor=None,
        calendar=calendar_default(),
        day=dt.date(2025, 3, 5),
        kind=DayKind.HOLIDAY,
        name="地方假日",
    )
    case = Case.objects.get(pk=case.pk)
    assert due_day(case.promised_due_at) == dt.date(2025, 3, 11)
    assert case.warning_at == dt.datetime(2025, 3, 10, 17, 30, tzinfo=TZ)
    assert warning_timer(case).due_at == case.warning_at != before
