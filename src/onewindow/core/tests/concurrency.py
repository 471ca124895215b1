"""Running service calls at the same moment, each in its own thread and database connection, for
the row-locking tests on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections

from onewindow.core.errors import DomainError


def run_concurrently(*functions: Callable[[], Any], timeout: float = 30) -> list[tuple[str, Any]]:
    """Start every function together (a barrier) and return, in order, ``("ok", result)`` or
    ``("refused", the DomainError)`` for each; other exceptions leave ``None``. Each thread closes
    its connections."""
    barrier = threading.Barrier(len(functions))
    results: list[Any] = [None] * len(functions)

    def runner(i: int, fn: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except DomainError as exc:
            results[i] = ("refused", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results
