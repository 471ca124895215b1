"""One counter for every human-readable number (issue 16: one mechanism for one job).

``sequence_next(scope)`` hands out 1, 2, 3 … per scope. Callers build the number around it:
application and draft numbers (``cases.services.core``), complaint numbers (``complaints``) and
licence numbers (``licences``, scope ``licence:<stem>``)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from onewindow.core.errors import ConcurrentChange
from onewindow.core.models import NumberSequence


def sequence_next(scope: str) -> int:
    """The next value of the counter ``scope`` (the first is 1).

    The increment is an ``UPDATE`` that row-locks the counter until the caller's transaction ends,
    so concurrent callers queue on it (PostgreSQL) or on the write lock (SQLite) and never share a
    value; a value is reused only if the transaction that took it rolls back, with whatever it
    numbered. A new scope's row is created in a savepoint; when another caller creates it first,
    the increment is tried again. Raises ``ConcurrentChange`` if the row cannot be had."""
    with transaction.atomic(savepoint=False):
        for _attempt in range(3):
            if NumberSequence.objects.filter(scope=scope).update(last=F("last") + 1):
                return NumberSequence.objects.values_list("last", flat=True).get(scope=scope)
            try:
                with transaction.atomic():
                    NumberSequence.objects.create(scope=scope, last=1)
                return 1
            except IntegrityError:
                continue  # created concurrently: increment it
    raise ConcurrentChange("编号分配冲突，请重试")
