"""Two decisions completing the same 一业一证 bundle at once integrate its permits once (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from onewindow.licences.models import IntegratedPermit, Licence
from onewindow.licences.services import integrated_licence_issue_if_complete

from .conftest import PHARMACY

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking is tested on PostgreSQL"),
]


def run_concurrently(*functions):
    """Run each function in its own thread and connection, all starting together."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def runner(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_concurrent_completions_issue_one_integrated_licence(pharmacy_permits, enterprise):
    def complete():
        return integrated_licence_issue_if_complete(
            holder=enterprise, bundle_name=PHARMACY, permits=pharmacy_permits, actor=None
        )

    first, second = run_concurrently(complete, complete)
    assert first is not None and first == second  # the second waited, then found the first's
    assert Licence.objects.filter(number__startswith="ZH").count() == 1
    assert IntegratedPermit.objects.count() == 3
