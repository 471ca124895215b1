"""Two-factor sign-in (TOTP) for administrators, leaders and supervisors: enrolment by a QR code on
first sign-in, the one-time code at every later sign-in, every page and API call held until then;
other staff sign in with the password alone; off in the demo (ONEWINDOW_REQUIRE_2FA=false)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.accounts.services import totp_reset
from onewindow.audit.models import AuditEvent
from onewindow.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def required(settings):
    settings.ONEWINDOW_REQUIRE_2FA = True


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in(client, username: str):
    return client.post("/login", {"username": username, "password": DEMO_PASSWORD})


def enrol(client, username: str) -> TOTPDevice:
    sign_in(client, username)
    client.get("/login/2fa/setup")
    device = TOTPDevice.objects.get(user__username=username)
    assert client.post("/login/2fa/setup", {"token": code(device)}).status_code == 302
    device.refresh_from_db()
    return device


@pytest.mark.parametrize("username", ["admin", "supervisor", "scjg_leader", "xzsp_leader"])
def test_accounts_of_power_are_held_until_they_enrol_an_authenticator(client, demo_org, username):
    with time_machine.travel(START, tick=False):
        response = sign_in(client, username)
        assert response.status_code == 302
        held = client.get(response["Location"])
        assert held.status_code == 302 and held["Location"].startswith("/login/2fa?next=")
        setup = client.get(client.get(held["Location"])["Location"])
        assert setup.status_code == 200 and "<svg" in setup.content.decode()
        assert re.search(r"([A-Z2-7]{4} ){3,}", setup.content.decode())  # the key, to type by hand


@pytest.mark.parametrize("username", ["window1", "scjg_reviewer", "shanpu_agent"])
def test_other_staff_sign_in_with_the_password_alone(client, demo_org, username):
    response = sign_in(client, username)
    assert client.get(response["Location"]).status_code == 200


def test_enrolment_confirms_the_first_code_and_opens_the_pages(client, demo_org):
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, "supervisor")
        client.get("/login/2fa/setup")
        device = TOTPDevice.objects.get(user__username="supervisor")
        assert client.post("/login/2fa/setup", {"token": "000000"}).status_code == 400
        clock.shift(dt.timedelta(seconds=2))  # django-otp waits a little after a wrong code
        done = client.post("/login/2fa/setup?next=/supervisor/", {"token": code(device)})
        assert done.status_code == 302 and done["Location"] == "/supervisor/"
        assert client.get("/supervisor/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="auth.totp_enrol", actor_label="supervisor").exists()


def test_every_later_sign_in_asks_for_the_current_code(client, demo_org):
    with time_machine.travel(START, tick=False) as clock:
        device = enrol(client, "admin")
        client.post("/logout")
        clock.shift(dt.timedelta(minutes=5))
        sign_in(client, "admin")
        assert client.get("/admin/").status_code == 302
        page = client.get("/login/2fa")
        assert page.status_code == 200 and "动态口令" in page.content.decode()
        assert client.post("/login/2fa", {"token": "123456"}).status_code == 400
        clock.shift(dt.timedelta(seconds=2))
        assert client.post("/login/2fa", {"token": code(device)}).status_code == 302
        assert client.get("/admin/").status_code == 200


def test_the_api_answers_403_problem_until_the_code_is_given(client, demo_org):
    sign_in(client, "supervisor")
    answer = client.get("/api/v1/complaints/")
    assert answer.status_code == 403 and answer.json()["code"] == "two_factor_required"
    assert answer["Content-Type"] == "application/problem+json"


def test_wrong_codes_count_towards_the_lockout(client, demo_org, settings):
    settings.ONEWINDOW_LOGIN_FAILURE_LIMIT = settings.AXES_FAILURE_LIMIT = 3
    with time_machine.travel(START, tick=False) as clock:
        enrol(client, "admin")
        client.post("/logout")
        sign_in(client, "admin")
        statuses = []
        for _ in range(3):
            clock.shift(dt.timedelta(seconds=40))  # past django-otp's own back-off
            statuses.append(client.post("/login/2fa", {"token": "000001"}).status_code)
        assert statuses == [400, 400, 429]
        assert "_auth_user_id" not in client.session  # the half-signed-in session ends


def test_an_administrator_reset_lets_the_user_enrol_a_new_phone(client, demo_org, persona):
    with time_machine.travel(START, tick=False):
        enrol(client, "supervisor")
        assert totp_reset(actor=persona("admin"), user=persona("supervisor")) == 1
        client.post("/logout")
        sign_in(client, "supervisor")
        assert client.get("/login/2fa")["Location"].startswith("/login/2fa/setup")
    assert AuditEvent.objects.filter(action="auth.totp_reset").exists()


def test_a_bound_authenticator_cannot_be_replaced_with_the_password_alone(client, demo_org):
    with time_machine.travel(START, tick=False):
        enrol(client, "supervisor")
        client.post("/logout")
        sign_in(client, "supervisor")
        assert client.get("/login/2fa/setup")["Location"].startswith("/login/2fa")
        assert TOTPDevice.objects.filter(user__username="supervisor").count() == 1


def test_the_demo_setting_turns_it_off(client, demo_org, settings):
    settings.ONEWINDOW_REQUIRE_2FA = False
    response = sign_in(client, "supervisor")
    assert client.get(response["Location"]).status_code == 200
