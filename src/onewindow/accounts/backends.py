"""The lockout check in the authentication chain (``settings.AUTHENTICATION_BACKENDS``)."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    """axes' check that refuses a locked-out account or address before the password is tried.

    Only sign-ins through a web request are counted and locked: ``authenticate`` without a
    request (a management command, the test client's ``login``) is not a sign-in from the
    network, so this backend steps aside and lets the next one decide."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
