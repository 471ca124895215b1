"""`onewindow createuser` applies Django's password validators: a weak password is refused with
every reason, and nothing is created."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db
ARGS = ["--name", "张丽", "--employee-no", "WL9001", "--role", "window_officer", "--region", "430702000000"]


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1", "8"),  # MinimumLengthValidator: at least 8 characters
        ("12345678901", "只包含数字"),  # NumericPasswordValidator
        ("password123", "太常见"),  # CommonPasswordValidator
        ("zhangli_window", "太相似"),  # UserAttributeSimilarityValidator (the username)
    ],
)
def test_a_weak_password_is_refused_with_the_reason(demo_org, password, reason):
    with pytest.raises(CommandError) as refused:
        call_command("createuser", "zhangli_window", *ARGS, "--password", password)
    assert reason in str(refused.value)
    assert not get_user_model().objects.filter(username="zhangli_window").exists()


def test_a_strong_password_creates_the_login(demo_org):
    call_command("createuser", "zhangli_window", *ARGS, "--password", "Hall-Window-2025-qx")
    user = get_user_model().objects.get(username="zhangli_window")
    assert user.check_password("Hall-Window-2025-qx")
