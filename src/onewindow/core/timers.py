"""One entry point for every durable timer in the project: ``fire_all_due()``.

Each app that keeps timers (rows with a due time, fired once, claimed with
``SELECT … FOR UPDATE SKIP LOCKED``) exposes a function ``fn(*, limit: int) -> list[tuple[int, str]]``
returning ``(row id, result)`` for what it fired. ``onewindow tick`` and ``onewindow worker`` call
``fire_all_due()`` so that a new app's timers fire without editing those commands.

The core kernel imports no app (STYLE.md §2): each app registers its source from its
``AppConfig.ready`` with ``register_timer_source``, so sources fire in INSTALLED_APPS order.
``ONEWINDOW_TIMER_SOURCES`` (dotted paths) adds more for a deployment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

TimerSource = Callable[..., list[tuple[int, str]]]

_registered: dict[str, TimerSource | str] = {}


@dataclass(frozen=True)
class Fired:
    """One timer fired by ``fire_all_due``: which source, which row, what happened."""

    source: str
    pk: int
    result: str

    def __str__(self) -> str:
        return f"{self.source} #{self.pk}: {self.result}"


def register_timer_source(fn: TimerSource | str, *, name: str | None = None) -> None:
    """Add a timer source (a callable or its dotted path). Registering the same name twice is a no-op."""
    key = name or (fn if isinstance(fn, str) else f"{fn.__module__}.{fn.__qualname__}")
    _registered.setdefault(key, fn)


def timer_sources() -> dict[str, TimerSource]:
    """Every source by name, in firing order: registered by the apps, then from settings."""
    named: dict[str, TimerSource | str] = dict(_registered)
    for path in getattr(settings, "ONEWINDOW_TIMER_SOURCES", ()):
        named.setdefault(path, path)
    return {key: import_string(fn) if isinstance(fn, str) else fn for key, fn in named.items()}


def fire_all_due(*, limit: int = 500) -> list[Fired]:
    """Fire what is due in every source, at most ``limit`` rows per source; each source commits
    row by row, so a failure in one source leaves the others' fired rows fired."""
    fired: list[Fired] = []
    for name, fn in timer_sources().items():
        short = name.split(".")[1] if name.startswith("onewindow.") else name
        fired.extend(Fired(short, pk, result) for pk, result in fn(limit=limit))
    return fired
