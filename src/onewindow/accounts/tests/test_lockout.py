"""Staff sign-in lockout: an account after repeated failures, an address after more; a clear
Chinese page with 429, an audit event, the sign-in log, and sign-in allowed again after the
lockout time."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog

from onewindow.audit.models import AuditEvent
from onewindow.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def limits(settings):
    settings.ONEWINDOW_LOGIN_FAILURE_LIMIT = settings.AXES_FAILURE_LIMIT = 3
    settings.ONEWINDOW_LOGIN_IP_FAILURE_LIMIT = 5
    settings.ONEWINDOW_LOGIN_LOCKOUT_MINUTES = 15
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)


def sign_in(client, username: str, password: str, ip: str = "203.0.113.7"):
    return client.post("/login", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_an_account_is_locked_after_repeated_failures_with_a_chinese_page(client, demo_org):
    with time_machine.travel(START, tick=False):
        for _ in range(2):
            assert sign_in(client, "window1", "wrong").status_code == 200
        locked = sign_in(client, "window1", "wrong")
        assert locked.status_code == 429
        assert "登录失败次数过多" in locked.content.decode() and "15分钟" in locked.content.decode()
        refused = sign_in(client, "window1", DEMO_PASSWORD, ip="198.51.100.2")
        assert refused.status_code == 429 and "_auth_user_id" not in client.session


def test_the_lockout_ends_after_the_lockout_time_and_tries_meanwhile_do_not_extend_it(client, demo_org):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(3):
            sign_in(client, "window1", "wrong")
        clock.shift(dt.timedelta(minutes=14))
        assert sign_in(client, "window1", "wrong").status_code == 429
        clock.shift(dt.timedelta(minutes=1, seconds=1))
        assert sign_in(client, "window1", DEMO_PASSWORD).status_code == 302


def test_an_address_is_locked_after_failures_on_several_accounts(client, demo_org):
    with time_machine.travel(START, tick=False):
        for username in ("window1", "window2", "delivery1", "nobody", "scjg_reviewer"):
            sign_in(client, username, "wrong", ip="203.0.113.50")
        assert sign_in(client, "sw_reviewer", DEMO_PASSWORD, ip="203.0.113.50").status_code == 429
        assert sign_in(client, "sw_reviewer", DEMO_PASSWORD, ip="203.0.113.51").status_code == 302


def test_a_successful_sign_in_clears_the_accounts_count_but_not_the_addresses(client, demo_org):
    with time_machine.travel(START, tick=False):
        sign_in(client, "window2", "wrong")
        sign_in(client, "window1", "wrong")
        sign_in(client, "window1", "wrong")
        assert sign_in(client, "window1", DEMO_PASSWORD).status_code == 302
        assert not AccessAttempt.objects.filter(username="window1").exists()
        assert AccessAttempt.objects.filter(username="window2").exists()


def test_the_lockout_is_an_audit_event_once_per_lock(client, demo_org):
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            sign_in(client, "window1", "wrong")
    events = AuditEvent.objects.filter(action="auth.locked_out")
    assert events.count() == 1
    event = events.get()
    assert event.after["username"] == "window1" and event.after["ip_address"] == "203.0.113.7"
    assert event.object_repr == "window1"


def test_the_sign_in_log_has_who_when_where_and_whether_it_succeeded(client, demo_org):
    with time_machine.travel(START, tick=False):
        sign_in(client, "window1", "wrong")
        sign_in(client, "window1", DEMO_PASSWORD, ip="198.51.100.9")
    failure = AccessFailureLog.objects.get()
    assert (failure.username, failure.ip_address, failure.attempt_time) == ("window1", "203.0.113.7", START)
    success = AccessLog.objects.get()
    assert (success.username, success.ip_address) == ("window1", "198.51.100.9")


def test_the_admin_login_is_locked_the_same_way(client, demo_org):
    with time_machine.travel(START, tick=False):
        for _ in range(3):
            client.post(
                "/admin/login/", {"username": "admin", "password": "wrong"}, REMOTE_ADDR="203.0.113.7"
            )
        assert sign_in(client, "admin", DEMO_PASSWORD, ip="198.51.100.3").status_code == 429


def test_signing_in_from_the_command_line_is_not_counted(demo_org):
    from django.contrib.auth import authenticate

    for _ in range(5):
        assert authenticate(username="window1", password="wrong") is None
    assert authenticate(username="window1", password=DEMO_PASSWORD) is not None
