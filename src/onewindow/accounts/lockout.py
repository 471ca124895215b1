"""Staff sign-in lockout (django-axes with its database handler, so every server process counts
the same failures): two limits, the page that says so, and the audit event.

An account is locked after ``ONEWINDOW_LOGIN_FAILURE_LIMIT`` failed sign-ins and an IP address
after ``ONEWINDOW_LOGIN_IP_FAILURE_LIMIT`` (higher, because a hall's staff share one address),
each for ``ONEWINDOW_LOGIN_LOCKOUT_MINUTES`` after the failure that locked it. Tries during the
lockout are refused without checking the password and do not extend it, so a guesser cannot keep
an officer locked out for good. Wrong one-time codes (two-factor sign-in) count as failures too.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessFailureLog
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from onewindow.audit.services import audit_record


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per account and a (higher) limit per address.

    axes compares one number with one limit: ``get_failures`` returns the account's failures, or
    the account limit itself once the address has reached its own limit. The two counts are kept
    on the request for the audit event."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        # One query set per entry of AXES_LOCKOUT_PARAMETERS: ["username", "ip_address"].
        by_account, by_address = (
            qs.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for qs in self.get_user_attempts(request, credentials)
        )
        request.onewindow_failures = (by_account, by_address)  # type: ignore[attr-defined]
        if by_address >= settings.ONEWINDOW_LOGIN_IP_FAILURE_LIMIT:
            return max(by_account, settings.AXES_FAILURE_LIMIT)
        return by_account

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """After a successful sign-in (``AXES_RESET_ON_SUCCESS``) clear the account's own failures,
        not the address's: axes would clear both, and then anyone with a valid account could wipe
        the count of a guesser sharing their address by signing in."""
        by_account = self.filter_user_attempts(request, credentials)[0]
        count, _ = by_account.delete()
        return count


def lockout_message() -> str:
    return _(
        "登录失败次数过多，该账号或本机所在网络地址已被暂时锁定，请%(minutes)s分钟后再试。"
        "如忘记密码，请联系系统管理员。"
    ) % {"minutes": settings.ONEWINDOW_LOGIN_LOCKOUT_MINUTES}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the staff login page again, saying why, with status 429."""
    context = {"form": AuthenticationForm(request), "next": "", "lockout": lockout_message()}
    return render(request, "web/login.html", context, status=429)


@receiver(user_locked_out)
def on_locked_out(sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kw: Any):
    """An audit event when a sign-in locks an account or an address (not again for each refused
    try while it stays locked), and a sign-in-log row for every refused try."""
    if getattr(request, "axes_failures_since_start", None) is None:
        # Refused during the lockout: axes did not count it (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_
        # LOCKOUT is off), but the sign-in log shows every try.
        AccessFailureLog.objects.create(
            username=username,
            ip_address=ip_address,
            user_agent=getattr(request, "axes_user_agent", "")[:255],
            http_accept=getattr(request, "axes_http_accept", "")[:1025],
            path_info=getattr(request, "axes_path_info", "")[:255],
            locked_out=True,
        )
        return
    by_account, by_address = getattr(request, "onewindow_failures", (0, 0))
    if by_account != settings.AXES_FAILURE_LIMIT and by_address != settings.ONEWINDOW_LOGIN_IP_FAILURE_LIMIT:
        return
    user = get_user_model().objects.filter(username=username).first() if username else None
    audit_record(
        actor=None,
        actor_label=(username or "-")[:150],
        action="auth.locked_out",
        target=user,
        after={
            "username": (username or "")[:150],
            "ip_address": ip_address or "",
            "account_failures": by_account,
            "address_failures": by_address,
            "minutes": settings.ONEWINDOW_LOGIN_LOCKOUT_MINUTES,
        },
    )
