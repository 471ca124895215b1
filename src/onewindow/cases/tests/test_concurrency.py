"""Concurrency: two officers deciding one case, two workers firing one timer (PostgreSQL)."""

import pytest
from django.db import connection

from onewindow.cases import services
from onewindow.cases.models import CaseEvent, CaseStatus, Timer
from onewindow.cases.tests.factories import accepted, department_staff, enterprise
from onewindow.core.tests.concurrency import run_concurrently

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking is tested on PostgreSQL"),
]


def test_two_concurrent_decisions_on_one_case_exactly_one_succeeds(hall, persona):
    application = accepted(persona("window1"), enterprise(), item="430702-SCJG-0009")
    case = application.cases.get()
    reviewer = department_staff("SCJG")
    case = services.case_start_review(actor=reviewer, case=case)
    case = services.case_submit_for_decision(actor=reviewer, case=case)
    copies = [type(case).objects.get(pk=case.pk) for _ in range(2)]
    results = run_concurrently(
        lambda: services.case_decide(actor=reviewer, case=copies[0], approve=True, basis="符合"),
        lambda: services.case_decide(actor=reviewer, case=copies[1], approve=False, basis="不符合"),
    )
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    case.refresh_from_db()
    assert case.status in (CaseStatus.APPROVED, CaseStatus.ISSUED, CaseStatus.DENIED)
    assert CaseEvent.objects.filter(case=case, action__in=["approve", "deny"]).count() == 1


def test_two_workers_fire_each_due_timer_exactly_once(hall, persona):
    import datetime as dt

    from onewindow.cases.tests.factories import draft
    from onewindow.core.timeutil import now

    applications = [draft(persona("window1"), enterprise(seed=i), item="430702-SCJG-0009") for i in range(6)]
    for application in applications:
        services.application_submit(actor=persona("window1"), application=application)
    Timer.objects.update(due_at=now() - dt.timedelta(minutes=1))
    results = run_concurrently(services.timers_fire_due, services.timers_fire_due)
    fired = [pk for status, value in results if status == "ok" for pk, _r in value]
    assert len(fired) == len(set(fired)) == 6
    assert not Timer.objects.filter(fired_at__isnull=True, due_at__lte=now()).exists()
    assert all(a.status == "accepted" for a in type(applications[0]).objects.all())
