"""Reads for applications and cases."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def due_day(instant: dt.datetime | None) -> dt.date | None:
    """The last day of a deadline, in local time. Day limits end at the midnight after their last
    day (``clock.workdays``), so the instant itself is one tick past that day."""
    if instant is None:
        return None
    return timezone.localtime(instant - dt.timedelta(microseconds=1)).date()
