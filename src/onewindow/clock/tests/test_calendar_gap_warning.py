"""From 1 November on, a national calendar without next year's holiday notice is a warning (and
this year's missing notice at any time): in the admin's calendar pages and `calendar show`
(issue 17). The health check and the supervisors' page are tested in web/tests/test_health.py."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from onewindow.clock.selectors import calendar_gaps
from onewindow.clock.services import calendar_import_year
from onewindow.clock.workdays import SHANGHAI

pytestmark = pytest.mark.django_db

# chinesecalendar 1.11.0 knows the years up to 2026.
NOTICE_2027 = {
    "year": 2027,
    "source": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
    "holidays": [{"name": "元旦", "start": "2027-01-01", "end": "2027-01-03"}],
}


@pytest.mark.parametrize(
    ("day", "missing"),
    [
        (dt.date(2026, 10, 31), []),
        (dt.date(2026, 11, 1), [2027]),
        (dt.date(2026, 11, 2), [2027]),
        (dt.date(2026, 12, 31), [2027]),
    ],
    ids=["the-day-before-1-november", "1-november", "the-day-after", "new-years-eve"],
)
def test_next_years_missing_notice_is_a_warning_from_1_november_on(national, day, missing):
    gaps = calendar_gaps(on=day)
    assert [gap.year for gap in gaps] == missing
    assert all("2027" in str(gap) and national.name in str(gap) for gap in gaps)


def test_the_warning_ends_when_the_notice_is_imported(national):
    calendar_import_year(actor=None, calendar=national, data=NOTICE_2027)
    assert calendar_gaps(on=dt.date(2026, 11, 2)) == []


def test_this_years_missing_notice_is_a_warning_at_any_time(national):
    assert [gap.year for gap in calendar_gaps(on=dt.date(2027, 3, 1))] == [2027]
    assert [gap.year for gap in calendar_gaps(on=dt.date(2027, 11, 1))] == [2027, 2028]


def test_without_a_national_calendar_the_warning_says_how_to_seed(db):
    (gap,) = calendar_gaps(on=dt.date(2026, 3, 1))
    assert "calendar seed" in str(gap)


def test_calendar_show_prints_the_warning(national, capsys):
    with time_machine.travel(dt.datetime(2026, 11, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        call_command("calendar", "show")
    out = capsys.readouterr().out
    assert "national [default]" in out
    assert "WARNING" in out and "2027" in out


def test_calendar_show_has_no_warning_on_31_october(national, capsys):
    with time_machine.travel(dt.datetime(2026, 10, 31, 9, 0, tzinfo=SHANGHAI), tick=False):
        call_command("calendar", "show")
    assert "WARNING" not in capsys.readouterr().out


@pytest.mark.parametrize("page", ["/admin/clock/calendar/", "/admin/clock/calendarday/"])
def test_the_admins_calendar_pages_show_the_warning(national, admin_client, page):
    with time_machine.travel(dt.datetime(2026, 11, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        response = admin_client.get(page)
    assert response.status_code == 200
    assert any("2027" in str(m) for m in response.context["messages"])


def test_the_admins_calendar_page_has_no_warning_on_31_october(national, admin_client):
    with time_machine.travel(dt.datetime(2026, 10, 31, 9, 0, tzinfo=SHANGHAI), tick=False):
        response = admin_client.get("/admin/clock/calendar/")
    assert not list(response.context["messages"])
