"""Two-factor sign-in is enforced for every page and API call, not only at the login form."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from onewindow.accounts.selectors import two_factor_required
from onewindow.api.errors import problem  # the edge's one problem+json shape

# Reachable before the one-time code: the code pages themselves, signing out, the language switch,
# static files and the health check.
OPEN_PREFIXES = ("/login/2fa", "/logout", "/i18n/", "/healthz", "/static/")


class TwoFactorMiddleware:
    """After ``django_otp.middleware.OTPMiddleware``: a user who must use two-factor sign-in
    (``accounts.selectors.two_factor_required``) and has not yet given a one-time code in this
    session is sent to ``/login/2fa`` (enrolment first if no authenticator is bound); the API
    answers 403 ``two_factor_required`` (problem+json)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.ONEWINDOW_REQUIRE_2FA and not request.path.startswith(OPEN_PREFIXES):
            user = request.user
            if user.is_authenticated and not user.is_verified() and two_factor_required(user):
                return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return problem(
                403,
                code="two_factor_required",
                title="请先完成双因素认证",
                detail="此账号须在登录后输入验证器的动态口令",
            )
        return redirect(f"{reverse('web:two-factor')}?{urlencode({'next': request.get_full_path()})}")
