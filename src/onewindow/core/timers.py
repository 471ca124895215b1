"""One entry point for every durable timer in the project: ``fire_all_due()``.

Each app that keeps timers (rows with a due time, fired once, claimed with
``SELECT … FOR UPDATE SKIP LOCKED``) exposes a function ``fn(*, limit: int) -> list[tuple[int, str]]``
returning ``(row id, result)`` for what it fired. ``onewindow tick`` and ``onewindow worker`` call
``fire_all_due()`` so that a new app's timers fire without editing those commands.

The core kernel imports no app (STYLE.md §2): each app registers its source from its
``AppConfig.ready`` with ``register_timer_source``, so sources fire in INSTALLED_APPS order.
``ONEWINDOW_TIMER_SOURCES`` (dotted paths) adds more for a deployment.

A stopped worker must not stop the legal clock silently (issue 17): a source also registers
``oldest_due() -> datetime | None``, the due time of its oldest row that is due and not fired,
and ``timer_backlog()`` collects them for the health check and the supervisors' page. It may
register ``count_due() -> int`` too, how many rows a run would fire now, which ``onewindow tick
--dry-run`` adds up (``timer_due_counts``).

Every source that fires rows claims them with ``claim_due``, the one implementation of
"one row, one transaction, ``SELECT … FOR UPDATE SKIP LOCKED``" (issue 16).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db import models, transaction
from django.utils.module_loading import import_string

from onewindow.core.errors import DomainError

TimerSource = Callable[..., list[tuple[int, str]]]
OldestDue = Callable[[], dt.datetime | None]
CountDue = Callable[[], int]
M = TypeVar("M", bound=models.Model)

_registered: dict[str, TimerSource | str] = {}
_oldest_due: dict[str, OldestDue | str] = {}
_count_due: dict[str, CountDue | str] = {}


def claim_due(
    due: models.QuerySet[M],
    *,
    limit: int | None,
    fire: Callable[[M], str],
    mark: Callable[[M, str], object] | None = None,
) -> list[tuple[int, str]]:
    """Fire the rows of ``due`` (an ordered queryset of what is due now), at most ``limit`` (None:
    until none is left), and return ``(row id, result)`` for each.

    Each row is claimed in its own transaction with ``SELECT … FOR UPDATE SKIP LOCKED`` (on
    PostgreSQL several workers share the rows, none waits for another and no row fires twice;
    SQLite serialises writers), then ``fire(row)`` runs in a savepoint: a ``DomainError`` rolls
    back its effects only and becomes the result ``refused: …``. ``mark(row, result)`` then stamps
    the row fired in the same transaction, so a crash leaves it due, never half-done. Without
    ``mark`` the effect itself must take the row out of ``due`` (a conditional status change); a
    refused row then stays due for the next run, and is not claimed again in this one."""
    fired: list[tuple[int, str]] = []
    seen: list[int] = []
    while limit is None or len(fired) < limit:
        with transaction.atomic():
            row = due.exclude(pk__in=seen).select_for_update(skip_locked=True, of=("self",)).first()
            if row is None:
                break
            try:
                with transaction.atomic():
                    result = fire(row)
            except DomainError as exc:
                result = f"refused: {exc}"
            if mark is not None:
                mark(row, result)
            seen.append(row.pk)
            fired.append((row.pk, result))
    return fired


@dataclass(frozen=True)
class Fired:
    """One timer fired by ``fire_all_due``: which source, which row, what happened."""

    source: str
    pk: int
    result: str

    def __str__(self) -> str:
        return f"{self.source} #{self.pk}: {self.result}"


def register_timer_source(
    fn: TimerSource | str,
    *,
    name: str | None = None,
    oldest_due: OldestDue | str | None = None,
    count_due: CountDue | str | None = None,
) -> None:
    """Add a timer source (a callable or its dotted path) and, if it keeps rows with a due time,
    the reader of its oldest unfired due row (for ``timer_backlog``) and the counter of its due
    rows (for ``timer_due_counts``). Registering the same name twice is a no-op."""
    key = name or (fn if isinstance(fn, str) else f"{fn.__module__}.{fn.__qualname__}")
    _registered.setdefault(key, fn)
    if oldest_due is not None:
        _oldest_due.setdefault(key, oldest_due)
    if count_due is not None:
        _count_due.setdefault(key, count_due)


def timer_sources() -> dict[str, TimerSource]:
    """Every source by name, in firing order: registered by the apps, then from settings."""
    named: dict[str, TimerSource | str] = dict(_registered)
    for path in getattr(settings, "ONEWINDOW_TIMER_SOURCES", ()):
        named.setdefault(path, path)
    return {key: import_string(fn) if isinstance(fn, str) else fn for key, fn in named.items()}


def _short(name: str) -> str:
    return name.split(".")[1] if name.startswith("onewindow.") else name


def fire_all_due(*, limit: int = 500) -> list[Fired]:
    """Fire what is due in every source, at most ``limit`` rows per source; each source commits
    row by row, so a failure in one source leaves the others' fired rows fired."""
    fired: list[Fired] = []
    for name, fn in timer_sources().items():
        fired.extend(Fired(_short(name), pk, result) for pk, result in fn(limit=limit))
    return fired


@dataclass(frozen=True)
class Backlog:
    """The oldest row of one timer source that is due and has not fired."""

    source: str
    oldest_due: dt.datetime

    def __str__(self) -> str:
        return f"{self.source}: due since {self.oldest_due.isoformat()}"


def timer_backlog() -> list[Backlog]:
    """Per source, the due time of its oldest due and unfired row, oldest first; sources with
    nothing waiting are left out. One aggregate query per source."""
    found = []
    for name, fn in _oldest_due.items():
        reader = import_string(fn) if isinstance(fn, str) else fn
        oldest = reader()
        if oldest is not None:
            found.append(Backlog(_short(name), oldest))
    return sorted(found, key=lambda b: b.oldest_due)


def timer_due_counts() -> list[tuple[str, int | None]]:
    """How many rows each source would fire now, in firing order (None: upkeep that keeps no
    due rows, such as the statistics refresh, is not counted). Nothing is fired or locked."""
    counts: list[tuple[str, int | None]] = []
    for name in timer_sources():
        reader = _count_due.get(name)
        count = None if reader is None else (import_string(reader) if isinstance(reader, str) else reader)()
        counts.append((_short(name), count))
    return counts
