"""Two-factor sign-in pages (``/login/2fa``): enrol an authenticator app by its QR code, then give
its one-time code after the password. Which accounts need it: ``accounts.selectors``; the rule
that every page waits for it: ``accounts.middleware``."""

from __future__ import annotations

from base64 import b32encode

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from onewindow.accounts.lockout import lockout_response
from onewindow.accounts.selectors import totp_device_confirmed
from onewindow.accounts.services import totp_enrol_confirm, totp_enrol_start, totp_verify
from onewindow.core.errors import DomainError
from onewindow.web.views import workbench_url


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return workbench_url(request.user)


def _credentials(request: HttpRequest) -> dict[str, str]:
    return {"username": request.user.get_username()}


def _count_failure(request: HttpRequest) -> HttpResponse | None:
    """A wrong one-time code counts as a failed sign-in (sign-in log and lockout, axes); when it
    locks the account, the session ends and the lockout page is shown."""
    user_login_failed.send(sender=__name__, credentials=_credentials(request), request=request)
    if getattr(request, "axes_locked_out", False):
        logout(request)
        return lockout_response(request)
    return None


def _locked(request: HttpRequest) -> HttpResponse | None:
    if AxesProxyHandler.is_locked(request, _credentials(request)):
        logout(request)
        return lockout_response(request)
    return None


@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """``/login/2fa``: the one-time code after the password."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("web:login"))
    if totp_device_confirmed(request.user) is None:
        return redirect(f"{reverse('web:two-factor-setup')}?{request.GET.urlencode()}")
    if request.user.is_verified():
        return redirect(_next_url(request))
    error, status = "", 200
    if request.method == "POST":
        refused = _locked(request)
        if refused:
            return refused
        try:
            device = totp_verify(user=request.user, token=request.POST.get("token", ""))
        except DomainError as exc:
            refused = _count_failure(request)
            if refused:
                return refused
            error, status = str(exc), 400
        else:
            otp_login(request, device)
            return redirect(_next_url(request))
    context = {"error": error, "next": _next_url(request)}
    return render(request, "web/two_factor.html", context, status=status)


@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """``/login/2fa/setup``: bind an authenticator app (scan the QR code, or type the key), then
    confirm with its first code. Once bound, only an administrator's reset allows another."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("web:login"))
    if totp_device_confirmed(request.user) is not None:
        return redirect(f"{reverse('web:two-factor')}?{request.GET.urlencode()}")
    device = totp_enrol_start(user=request.user)
    error, status = "", 200
    if request.method == "POST":
        refused = _locked(request)
        if refused:
            return refused
        try:
            device = totp_enrol_confirm(user=request.user, device=device, token=request.POST.get("token", ""))
        except DomainError as exc:
            refused = _count_failure(request)
            if refused:
                return refused
            error, status = str(exc), 400
        else:
            otp_login(request, device)
            return redirect(_next_url(request))
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    key = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))  # for typing it in by hand
    qr = segno.make(device.config_url, error="m", micro=False)
    context = {
        "error": error,
        "next": _next_url(request),
        # segno's inline SVG: made from the device's own URL, no markup from the visitor.
        "qr": mark_safe(qr.svg_inline(scale=5, border=4, light="#fff", title=_("动态口令绑定二维码"))),  # noqa: S308
        "key": key,
    }
    return render(request, "web/two_factor_setup.html", context, status=status)
