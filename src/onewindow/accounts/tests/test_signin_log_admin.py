"""The sign-in log in the admin: Chinese, for administrators only; a lockout released there ends
at once and leaves an audit event."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.audit.models import AuditEvent
from onewindow.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
PAGES = [
    "/admin/accounts/signin/",
    "/admin/accounts/signinfailure/",
    "/admin/accounts/signinlockout/",
    "/admin/accounts/authenticator/",
]


@pytest.fixture
def history(client, demo_org, persona):
    client.post("/login", {"username": "window1", "password": "wrong"})
    client.post("/login", {"username": "window1", "password": DEMO_PASSWORD})
    client.logout()
    client.post("/login", {"username": "window2", "password": "wrong"})
    TOTPDevice.objects.create(user=persona("supervisor"), name="动态口令", confirmed=True)


@pytest.mark.parametrize("url", PAGES)
def test_administrators_see_the_sign_in_log_in_chinese(client, persona, history, url):
    client.force_login(persona("admin"))
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert (
        "用户名" in text and "Username" not in text and "Attempt Time" not in text and "Confirmed" not in text
    )


def test_the_admin_index_groups_them_under_a_chinese_heading(client, persona, history):
    client.force_login(persona("admin"))
    text = client.get("/admin/").content.decode()
    assert "账号与登录安全" in text and "登录成功记录" in text and "登录失败记录" in text
    assert "Axes" not in text and "Access attempts" not in text


@pytest.mark.parametrize("username", ["supervisor", "window1"])
def test_other_staff_cannot_open_the_sign_in_log(client, persona, history, username):
    client.force_login(persona(username))
    for url in PAGES:
        assert client.get(url).status_code in (302, 403)


def test_an_administrator_releases_a_lockout(client, persona, history):
    client.force_login(persona("admin"))
    attempt = AccessAttempt.objects.get(username="window2")
    answer = client.post(
        "/admin/accounts/signinlockout/", {"action": "release", "_selected_action": [attempt.pk]}
    )
    assert answer.status_code == 302
    assert not AccessAttempt.objects.filter(username="window2").exists()
    assert AuditEvent.objects.filter(action="auth.lockout_release", actor_label="admin").exists()
