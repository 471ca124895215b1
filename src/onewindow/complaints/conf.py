"""Complaint settings with their defaults (seed 001: 简单类立即回复；一般事项5个工作日内办结；
情况复杂的最长不超过30个工作日)."""

from __future__ import annotations

from django.conf import settings

# Working days per class; 0 = immediately (by the end of the day received).
DEFAULT_SLA_DAYS: dict[str, int] = {"consultation": 0, "help": 5, "complaint": 5, "suggestion": 30}


def sla_days() -> dict[str, int]:
    """ONEWINDOW_COMPLAINTS_SLA_DAYS overrides DEFAULT_SLA_DAYS class by class."""
    return {**DEFAULT_SLA_DAYS, **getattr(settings, "ONEWINDOW_COMPLAINTS_SLA_DAYS", {})}


def complex_days() -> int:
    """ONEWINDOW_COMPLAINTS_COMPLEX_DAYS (default 30): the limit of a matter marked complex."""
    return int(getattr(settings, "ONEWINDOW_COMPLAINTS_COMPLEX_DAYS", 30))
