"""What ``/healthz`` and the supervisors' page report beyond "the process answers" (issue 17).

* **timers**: a stopped worker must not stop the legal clock silently. The oldest timer that is
  due and has not fired (every source of ``core.timers``) is reported; once it has waited longer
  than ``ONEWINDOW_TIMER_LAG_MINUTES`` the check is an error (HTTP 503 from ``/healthz``).
* **calendar**: a national calendar without this year's, or from 1 November next year's, holiday
  notice is a warning: deadlines there are provisional (``clock.selectors.calendar_gaps``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.clock.selectors import calendar_gaps
from onewindow.core.timers import Backlog, timer_backlog
from onewindow.core.timeutil import now


def timer_lag_limit() -> dt.timedelta:
    """How long a due timer may wait for the worker before the health check fails."""
    return dt.timedelta(minutes=float(getattr(settings, "ONEWINDOW_TIMER_LAG_MINUTES", 15)))


@dataclass
class Health:
    """The checks' results: ``errors`` make ``/healthz`` answer 503, ``warnings`` do not."""

    oldest_timer: Backlog | None = None
    lag: dt.timedelta | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, object]:
        oldest = self.oldest_timer
        return {
            "status": "ok" if self.ok else "error",
            "timers": {
                "oldest_due": oldest.oldest_due.isoformat() if oldest else None,
                "source": oldest.source if oldest else None,
                "lag_seconds": round(self.lag.total_seconds()) if self.lag is not None else 0,
                "limit_seconds": round(timer_lag_limit().total_seconds()),
            },
            "errors": self.errors,
            "warnings": self.warnings,
        }


def health_check() -> Health:
    """Timer backlog and calendar coverage (a few aggregate queries, no writes)."""
    health = Health()
    backlog = timer_backlog()
    if backlog:
        oldest = backlog[0]
        health.oldest_timer, health.lag = oldest, max(now() - oldest.oldest_due, dt.timedelta(0))
        if health.lag > timer_lag_limit():
            health.errors.append(
                _(
                    "定时任务已积压：%(source)s 最早一项应于 %(due)s 执行，已超过 %(minutes)s 分钟仍未执行。"
                    "请检查 onewindow worker 是否在运行（或 cron 中的 onewindow tick）"
                )
                % {
                    "source": oldest.source,
                    "due": timezone.localtime(oldest.oldest_due).strftime("%Y-%m-%d %H:%M"),
                    "minutes": int(health.lag.total_seconds() // 60),
                }
            )
    health.warnings.extend(str(gap) for gap in calendar_gaps())
    return health
