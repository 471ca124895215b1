"""The Django side of the clock: calendars as data, seeding, notices, regional calendars."""

import datetime as dt

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.clock import hooks
from onewindow.clock.models import Calendar, CalendarDay, CalendarKind, CalendarYear, DayKind
from onewindow.clock.selectors import CalendarNotLoaded, calendar_for_region, work_calendar
from onewindow.clock.services import calendar_day_set, calendar_import_year, calendar_seed_national
from onewindow.clock.workdays import CalendarRangeError, add_working_days
from onewindow.core.errors import InvalidInput
from onewindow.org.models import Region

pytestmark = pytest.mark.django_db

NOTICE_2027 = {
    "year": 2027,
    "source": "测试：2027年部分节假日安排（示例数据，仅用于测试）",
    "holidays": [
        {"name": "元旦", "start": "2027-01-01", "end": "2027-01-03"},
        {"name": "春节", "start": "2027-02-06", "end": "2027-02-12"},
    ],
    "makeup_workdays": [{"date": "2027-02-14", "name": "春节调休"}],
}


def test_seeding_loads_every_year_of_the_package(national):
    years = set(CalendarYear.objects.filter(calendar=national).values_list("year", flat=True))
    assert years == set(range(2004, 2027))
    assert (
        CalendarDay.objects.get(calendar=national, date=dt.date(2025, 1, 26)).kind == DayKind.MAKEUP_WORKDAY
    )
    assert CalendarDay.objects.get(calendar=national, date=dt.date(2025, 1, 28)).name == "春节"


def test_the_seeded_calendar_gives_the_spring_festival_deadline(national):
    assert add_working_days(dt.date(2025, 1, 24), 5, work_calendar()) == dt.date(2025, 2, 7)


def test_seeding_again_changes_nothing_and_records_no_event(national):
    events = AuditEvent.objects.filter(action="calendar.seed").count()
    change = calendar_seed_national(actor=None)
    assert change.years_changed == []
    assert AuditEvent.objects.filter(action="calendar.seed").count() == events


def test_a_year_without_a_notice_is_refused_not_treated_as_holiday_free(national):
    with pytest.raises(CalendarRangeError, match="2027"):
        add_working_days(dt.date(2026, 12, 28), 10, work_calendar())


def test_importing_next_years_notice_extends_the_calendar_and_is_audited(national):
    change = calendar_import_year(actor=None, calendar=national, data=NOTICE_2027)
    assert change.years_changed == [2027]
    cal = work_calendar()
    assert cal.last_year == 2027
    assert not cal.is_working_day(dt.date(2027, 2, 8))
    assert cal.is_working_day(dt.date(2027, 2, 14))  # a Sunday made a working day
    assert AuditEvent.objects.filter(action="calendar.import_year").exists()


def test_a_bad_notice_reports_every_error_and_changes_nothing(national):
    bad = {
        "year": 2027,
        "source": "",
        "holidays": [{"name": "春节", "start": "2027-02-31", "end": "2027-02-12"}, {"start": "2027-05-01"}],
        "makeup_workdays": [{"date": "2027-02-15", "name": "调休"}, {"date": "2028-01-02"}],
    }
    with pytest.raises(InvalidInput) as info:
        calendar_import_year(actor=None, calendar=national, data=bad)
    errors = info.value.fields["errors"]
    assert len(errors) >= 5
    assert any("2027-02-15" in e and "不是休息日" in e for e in errors)
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_calendar_change_asks_the_registered_handlers_to_recompute(national):
    seen = []

    def handler(calendar, years):
        seen.append((calendar.code, sorted(years)))
        return 7

    hooks.register_recompute(handler)
    try:
        change = calendar_import_year(actor=None, calendar=national, data=NOTICE_2027)
    finally:
        hooks.unregister_recompute(handler)
    assert seen == [("national", [2027])]
    assert change.recomputed == 7


def test_a_regional_calendar_adds_its_own_holidays_for_its_region(national, demo_org):
    county = Region.objects.get(code="430702000000")
    regional = Calendar.objects.create(
        code="wuling", name="武陵区工作日历", kind=CalendarKind.REGIONAL, base=national, region=county
    )
    calendar_day_set(
        actor=None, calendar=regional, day=dt.date(2025, 3, 3), kind=DayKind.HOLIDAY, name="地方假日"
    )
    village = Region.objects.get(code="430702100201")
    assert calendar_for_region(region=village) == regional
    assert not work_calendar(regional).is_working_day(dt.date(2025, 3, 3))
    assert work_calendar(national).is_working_day(dt.date(2025, 3, 3))


def test_a_hall_calendar_keeps_its_own_office_hours(national):
    hall = Calendar.objects.create(
        code="hall-extended",
        name="大厅延时服务",
        kind=CalendarKind.HALL,
        base=national,
        sessions="08:30-12:00,13:00-18:00",
        weekend="",
    )
    cal = work_calendar(hall)
    assert cal.is_working_day(dt.date(2025, 3, 8))  # a Saturday: the hall is open
    assert cal.sessions[0][0] == dt.time(8, 30)


def test_no_calendar_at_all_is_a_clear_error(db):
    with pytest.raises(CalendarNotLoaded, match="calendar seed"):
        work_calendar()


def test_an_admin_edit_of_a_day_goes_through_the_clock_service(national, client, persona):
    client.force_login(persona("admin"))
    response = client.post(
        "/admin/clock/calendarday/add/",
        {"calendar": national.pk, "date": "2026-03-02", "kind": "holiday", "name": "测试假日"},
    )
    assert response.status_code == 302
    national.refresh_from_db()
    assert AuditEvent.objects.filter(action="calendar.day_set").exists()
    assert not work_calendar(national).is_working_day(dt.date(2026, 3, 2))
