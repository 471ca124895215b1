"""Two decisions completing the same 一业一证 bundle at once integrate its permits once (PostgreSQL)."""

import pytest
from django.db import connection

from onewindow.core.tests.concurrency import run_concurrently
from onewindow.licences.models import IntegratedPermit, Licence
from onewindow.licences.services import integrated_licence_issue_if_complete

from .conftest import PHARMACY

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking is tested on PostgreSQL"),
]


def test_two_concurrent_completions_issue_one_integrated_licence(pharmacy_permits, enterprise):
    def complete():
        return integrated_licence_issue_if_complete(
            holder=enterprise, bundle_name=PHARMACY, permits=pharmacy_permits, actor=None
        )

    (_, first), (_, second) = run_concurrently(complete, complete)
    assert first is not None and first == second  # the second waited, then found the first's
    assert Licence.objects.filter(number__startswith="ZH").count() == 1
    assert IntegratedPermit.objects.count() == 3
