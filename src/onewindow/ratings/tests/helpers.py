"""Finished cases built through the real services, for the ratings and complaints tests."""

from __future__ import annotations

import datetime as dt
import itertools

import time_machine

from onewindow.cases.models import Case
from onewindow.cases.tests.factories import accepted, decide_through_review, enterprise

TZ = dt.timezone(dt.timedelta(hours=8))
DEREGISTRATION = "430702-SCJG-0009"  # 市场监管, no inspection, decided after review
_seeds = itertools.count(100)


def at(day: str, clock: str = "09:30") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=TZ)


def finished_case(
    officer, *, day: str = "2025-03-03", item: str = DEREGISTRATION, approve: bool = True
) -> Case:
    """A case accepted at ``officer``'s window and decided the same day (finished, 办结)."""
    with time_machine.travel(at(day, "09:00"), tick=False):
        seed = next(_seeds)
        application = accepted(officer, enterprise(f"常德市武陵区测试{seed}号有限公司", seed=seed), item=item)
        case = application.cases.get()
    with time_machine.travel(at(day, "10:00"), tick=False):
        return decide_through_review(case, approve=approve)


def running_case(officer, *, day: str = "2025-03-03", item: str = DEREGISTRATION) -> Case:
    with time_machine.travel(at(day, "09:00"), tick=False):
        seed = next(_seeds)
        application = accepted(officer, enterprise(f"常德市武陵区在办{seed}号有限公司", seed=seed), item=item)
        return application.cases.get()
