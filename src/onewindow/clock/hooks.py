"""Hook point: apps above ``clock`` (cases) register what to recompute when a calendar changes.

``clock`` may not import ``cases`` (DESIGN.md §3), so ``cases`` registers a handler here from its
``AppConfig.ready``. Handlers run inside the calendar change's transaction and return how many
deadlines they recomputed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onewindow.clock.models import Calendar

RecomputeHandler = Callable[["Calendar", frozenset[int]], int]
_handlers: list[RecomputeHandler] = []


def register_recompute(handler: RecomputeHandler) -> None:
    """Call ``handler(calendar, changed_years)`` after every calendar change; idempotent."""
    if handler not in _handlers:
        _handlers.append(handler)


def unregister_recompute(handler: RecomputeHandler) -> None:
    if handler in _handlers:
        _handlers.remove(handler)


def run_recompute(calendar: Calendar, years: frozenset[int]) -> int:
    return sum(handler(calendar, years) for handler in list(_handlers))
