"""Reads for sign-in: who must use two-factor sign-in, and with which device."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.org.authz import grants_for
from onewindow.org.roles import Role

# 等保 level 3 (GB/T 22239-2019 8.1.4.1): accounts that can change the catalogue, the users, the
# decisions and the supervision records sign in with two different factors.
TWO_FACTOR_ROLES = frozenset({Role.ADMINISTRATOR, Role.LEADER, Role.GOVERNMENT_LEADER, Role.SUPERVISOR})


def two_factor_required(user: Any) -> bool:
    """True when ``user`` must pass a one-time code after the password: a superuser or a holder
    of an administrator, leader or supervisor role, while ``ONEWINDOW_REQUIRE_2FA`` is on."""
    if not settings.ONEWINDOW_REQUIRE_2FA:
        return False
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or any(g.role in TWO_FACTOR_ROLES for g in grants_for(user))


def totp_device_confirmed(user: Any) -> TOTPDevice | None:
    """The user's enrolled authenticator (a confirmed TOTP device), or None before enrolment."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()
