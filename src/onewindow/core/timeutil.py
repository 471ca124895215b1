"""The only clock the project reads (STYLE.md §5): freeze these in tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """The current instant, timezone-aware (UTC inside; shown in Asia/Shanghai)."""
    return timezone.now()


def today() -> dt.date:
    """Today's date in the project's time zone (Asia/Shanghai)."""
    return timezone.localdate(now())
