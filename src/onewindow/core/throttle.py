"""Throttles on guessable secrets: look-ups by a public number plus a short suffix.

Tracking, rating and complaint look-ups take a number (which can be guessed: it is sequential)
and the last 4 characters of an ID number or phone, only 10⁴ possibilities. Each failed look-up
counts against the visitor's IP address and against the number; once either count reaches its
limit within the window, every look-up of that kind from that address, or of that number, is
refused with ``Throttled`` (429) until the window has passed, even with the right suffix: a
guesser learns nothing from the answer. Successful look-ups count nothing, so an applicant who
checks progress every day is never blocked.

The counters live in the Django cache named ``ONEWINDOW_THROTTLE_CACHE`` (``throttle``): the
database cache by default, so every server process sees the same counts without Redis, or Redis
when ``ONEWINDOW_THROTTLE_REDIS_URL`` is set. Windows are fixed slots of
``ONEWINDOW_LOOKUP_WINDOW_SECONDS`` counted from the epoch on ``core.timeutil.now`` (so tests move
time instead of sleeping). The database cache increments by read-then-write: requests racing in
parallel may each count once where two were made, so a burst can exceed a limit by at most the
number of concurrent requests, not by a factor.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

from onewindow.core.clientip import client_ip
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.timeutil import now

T = TypeVar("T")


class Throttled(DomainError):
    code, status, title = "throttled", 429, "尝试次数过多，请稍后再试"


@dataclass(frozen=True)
class Limit:
    """How many failed look-ups one IP address and one number may make per window."""

    per_ip: int
    per_key: int
    window_seconds: int


def lookup_limit() -> Limit:
    """The limit of public look-ups by number + suffix (settings ``ONEWINDOW_LOOKUP_*``)."""
    return Limit(
        per_ip=int(settings.ONEWINDOW_LOOKUP_LIMIT_PER_IP),
        per_key=int(settings.ONEWINDOW_LOOKUP_LIMIT_PER_NUMBER),
        window_seconds=int(settings.ONEWINDOW_LOOKUP_WINDOW_SECONDS),
    )


def _slot(limit: Limit) -> tuple[int, int]:
    """The current window's index and the seconds left in it."""
    elapsed = int(now().timestamp())
    return elapsed // limit.window_seconds, limit.window_seconds - elapsed % limit.window_seconds


def _keys(scope: str, ip: str, key: str, slot: int) -> tuple[str, str]:
    # Hashed: the cache key stays short and valid whatever the visitor typed.
    digest = hashlib.sha256(key.strip().upper().encode("utf-8", "replace")).hexdigest()[:32]
    return f"throttle:{scope}:ip:{ip}:{slot}", f"throttle:{scope}:key:{digest}:{slot}"


def _cache():
    return caches[getattr(settings, "ONEWINDOW_THROTTLE_CACHE", "throttle")]


def throttle_check(scope: str, *, ip: str, key: str, limit: Limit | None = None) -> None:
    """Raise ``Throttled`` when ``ip`` or ``key`` has used up its failed look-ups of ``scope``
    in the current window; the error carries ``retry_after`` (seconds)."""
    limit = limit or lookup_limit()
    slot, left = _slot(limit)
    ip_key, number_key = _keys(scope, ip, key, slot)
    counts = _cache().get_many([ip_key, number_key])
    if counts.get(ip_key, 0) >= limit.per_ip or counts.get(number_key, 0) >= limit.per_key:
        minutes = max(1, (left + 59) // 60)
        raise Throttled(
            f"查询失败次数过多，已暂停查询，请{minutes}分钟后再试；如需帮助请拨打12345或到大厅窗口咨询",
            retry_after=left,
        )


def throttle_fail(scope: str, *, ip: str, key: str, limit: Limit | None = None) -> None:
    """Count one failed look-up of ``key`` from ``ip``."""
    limit = limit or lookup_limit()
    slot, _left = _slot(limit)
    cache = _cache()
    for cache_key in _keys(scope, ip, key, slot):
        # The entry outlives its window a little; the next window uses another key anyway.
        cache.add(cache_key, 0, timeout=limit.window_seconds + 60)
        try:
            cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=limit.window_seconds + 60)


def guarded_lookup(request: HttpRequest, scope: str, key: str, lookup: Callable[[], T]) -> T:
    """Run ``lookup`` (a selector that raises ``NotFound`` for a wrong number or suffix) under the
    throttle of ``scope``: refused with ``Throttled`` once the visitor or the number has failed
    too often; each ``NotFound`` counts one failure and is re-raised."""
    ip = client_ip(request)
    throttle_check(scope, ip=ip, key=key)
    try:
        return lookup()
    except NotFound:
        throttle_fail(scope, ip=ip, key=key)
        raise


def create_cache_tables(using: str = "default", **kwargs: object) -> None:
    """A ``post_migrate`` receiver: ``onewindow migrate`` also creates the database cache's table
    (the throttle counters). Django keeps it outside migrations, in ``createcachetable``, which does
    nothing when the table exists or when the counters are in Redis."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
