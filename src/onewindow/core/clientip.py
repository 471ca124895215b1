"""The visitor's IP address, for throttles and the sign-in log.

Behind reverse proxies ``REMOTE_ADDR`` is the nearest proxy. ``ONEWINDOW_PROXY_COUNT`` says how
many proxies the deployment puts in front of the app server; each appends the address it saw
to ``X-Forwarded-For``, so the client is the entry that many places from the right. Entries
further left were written by the client and are never trusted (a guesser would otherwise pick
a new "address" for every try).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

UNKNOWN = "0.0.0.0"  # noqa: S104 - a placeholder for a missing address, never bound


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's address as the configured proxies saw it; ``0.0.0.0`` when unknown."""
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "") or UNKNOWN
    proxies = int(getattr(settings, "ONEWINDOW_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [part for part in (request.META.get("HTTP_X_FORWARDED_FOR", "") or "").split(",") if part]
    if len(forwarded) < proxies:
        return remote
    return _valid(forwarded[-proxies]) or remote
