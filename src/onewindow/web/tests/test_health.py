"""/healthz and the supervisors' page: a stopped worker must not stop the legal clock silently, and
a missing holiday notice is a visible warning (issue 17)."""

import datetime as dt

import pytest
import time_machine

from onewindow.cases.models import Timer, TimerKind
from onewindow.complaints.services import ComplaintIn, complaint_submit
from onewindow.core.timers import _oldest_due, fire_all_due, timer_backlog
from onewindow.ratings.tests.helpers import TZ, at

pytestmark = pytest.mark.django_db

NOON = at("2025-03-04", "12:00")


def timer_due(minutes_ago: float) -> Timer:
    return Timer.objects.create(
        kind=TimerKind.DEADLINE_WARNING, target_id=1, due_at=NOON - dt.timedelta(minutes=minutes_ago)
    )


def health(client):
    with time_machine.travel(NOON, tick=False):
        return client.get("/healthz")


def test_every_timer_source_reports_its_oldest_due_row():
    for source in ("cases", "licences", "ratings", "complaints", "audit"):
        assert any(name.startswith(f"onewindow.{source}.") for name in _oldest_due), source


def test_without_due_timers_the_health_check_is_ok(client):
    response = health(client)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["timers"]["oldest_due"] is None


def test_a_timer_due_within_the_limit_is_reported_but_ok(client):
    timer_due(minutes_ago=10)
    body = health(client).json()
    assert body["status"] == "ok"
    assert body["timers"]["source"] == "cases"
    assert body["timers"]["lag_seconds"] == 600


def test_a_timer_waiting_past_the_limit_makes_the_health_check_fail_with_the_reason(client):
    timer_due(minutes_ago=16)
    response = health(client)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert "worker" in body["errors"][0] and "cases" in body["errors"][0]


def test_the_limit_is_a_setting(client, settings):
    settings.ONEWINDOW_TIMER_LAG_MINUTES = 30
    timer_due(minutes_ago=16)
    assert health(client).status_code == 200


def test_fired_and_cancelled_timers_do_not_count(client):
    long_ago = NOON - dt.timedelta(hours=2)
    Timer.objects.create(kind=TimerKind.DEADLINE_WARNING, target_id=1, due_at=long_ago, fired_at=NOON)
    Timer.objects.create(kind=TimerKind.SUPPLY_REMINDER, target_id=1, due_at=long_ago, cancelled=True)
    assert health(client).status_code == 200


def test_an_unescalated_complaint_counts_and_firing_it_clears_the_backlog(client, hall):
    with time_machine.travel(at("2025-03-03", "10:00"), tick=False):  # due at the end of 10 March
        complaint_submit(
            data=ComplaintIn(
                klass="complaint",
                subject="排队久",
                text="排了两小时",
                contact_name="王",
                contact_phone="13907361234",
            )
        )
    later = dt.datetime(2025, 3, 11, 0, 20, tzinfo=TZ)
    with time_machine.travel(later, tick=False):
        waiting = {b.source: b.oldest_due for b in timer_backlog()}
        assert waiting["complaints"] == dt.datetime(2025, 3, 11, tzinfo=TZ)
        assert "audit" in waiting  # the audit log grew and was not signed either
        assert client.get("/healthz").status_code == 503
        fire_all_due()  # what `onewindow tick` does
        assert timer_backlog() == []
        assert client.get("/healthz").status_code == 200


def test_a_missing_holiday_notice_is_a_warning_not_an_error(client, hall):
    with time_machine.travel(at("2026-11-01", "09:00"), tick=False):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert any("2027" in warning for warning in response.json()["warnings"])


def test_the_supervisors_page_shows_the_backlog_and_the_calendar_warning(client, hall, persona):
    client.force_login(persona("supervisor"))
    with time_machine.travel(at("2026-11-02", "09:00"), tick=False):
        Timer.objects.create(kind=TimerKind.DEADLINE_WARNING, target_id=1, due_at=at("2026-11-02", "08:00"))
        page = client.get("/supervisor/").content.decode()
    assert "2027年的节假日安排" in page
    assert "定时任务已积压" in page and "2026-11-02 08:00" in page
