"""A bounded schemathesis run over every case endpoint, through the WSGI app: whatever the input
(valid by the schema or deliberately not), the answer is never a 5xx, and a documented answer
matches its documented schema. ``fuzz_operations`` also serves the run over the other endpoints
(``api/tests/test_openapi.py``)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, response_schema_conformance

from onewindow.cases import services
from onewindow.cases.tests.factories import accepted, department_staff, enterprise
from onewindow.cases.tests.test_api import API_URLS

pytestmark = [pytest.mark.django_db, pytest.mark.urls(API_URLS)]
EXAMPLES_PER_OPERATION = 6
TIME_BUDGET_SECONDS = 30.0
CSRF = "f" * 32  # an unmasked CSRF secret, sent as cookie and header


@contextlib.contextmanager
def requests_inside_the_test_transaction():
    """Like Django's test client: do not close the connection (and the test's transaction)
    when a request starts or ends."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def lived_in(hall, persona) -> dict[str, str]:
    """Some state for the fuzzer to run into: half of the generated requests are aimed at a real
    application, case, material, opinion, extension and inspection."""
    officer = persona("window1")
    application = accepted(officer, enterprise(), item="430702-SCJG-0002")
    case = application.cases.get()
    leader = department_staff("SCJG", leader=True)
    case = services.case_start_review(actor=leader, case=case)
    (opinion,) = services.case_request_opinions(actor=leader, case=case, departments=[case.department])
    extension = services.extension_request(actor=leader, case=case, days=1, reason="复杂")
    inspection = services.inspection_schedule(
        actor=leader,
        application=application,
        cases=[case],
        scheduled_for=case.accepted_at,
        inspectors="王建华",
    )
    return {
        "ref": application.number,
        "number": case.number,
        "key": "id_card",
        "opinion_id": str(opinion.pk),
        "extension_id": str(extension.pk),
        "inspection_id": str(inspection.pk),
    }


def fuzz_operations(
    *,
    include: Callable[[str], bool],
    cookies: dict[str, str],
    aim: dict[str, str],
    budget_seconds: float = TIME_BUDGET_SECONDS,
    examples: int = EXAMPLES_PER_OPERATION,
) -> tuple[list[str], list[int]]:
    """Fuzz every operation whose path ``include`` accepts, positive and negative examples, until
    the time budget is spent: half the requests aim their path parameters at the real objects of
    ``aim`` (by parameter name). Each request runs in a savepoint that is rolled back, so no
    request sees another's effects (or, on PostgreSQL, another's failed statement). Fails on a 5xx
    or a documented status whose body does not match its schema; returns the operations tried and
    the statuses seen."""
    app = WSGIHandler()
    started = time.monotonic()
    statuses: list[int] = []
    tried: list[str] = []
    with requests_inside_the_test_transaction():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        for result in schema.get_all_operations():
            operation = result.ok()
            if not include(operation.path) or time.monotonic() - started > budget_seconds:
                continue
            tried.append(f"{operation.method.upper()} {operation.path}")
            cases = operation.as_strategy(schemathesis.GenerationMode.POSITIVE) | operation.as_strategy(
                schemathesis.GenerationMode.NEGATIVE
            )

            @given(case=cases, aimed=st.booleans())
            @hypothesis_settings(
                max_examples=examples,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def fuzz(case: schemathesis.Case, aimed: bool) -> None:
                if aimed and case.path_parameters:
                    case.path_parameters = {k: aim.get(k, v) for k, v in case.path_parameters.items()}
                # The schema's cookie auth makes the fuzzer invent session cookies: use the real one,
                # so that requests get past authentication into validation and the services.
                case.cookies = {**(case.cookies or {}), **cookies}
                savepoint = transaction.savepoint()
                try:
                    response = case.call(headers={"X-CSRFToken": CSRF})
                finally:
                    transaction.savepoint_rollback(savepoint)
                statuses.append(response.status_code)
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

            fuzz()
    return tried, statuses


def signed_in_cookies(user: Any) -> dict[str, str]:
    """The session and CSRF cookies of ``user``, for requests made outside the test client."""
    client = Client()
    client.force_login(user)
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}


def test_no_case_endpoint_answers_with_a_server_error(lived_in, persona, settings):
    settings.ALLOWED_HOSTS = ["*"]
    tried, statuses = fuzz_operations(
        include=lambda path: "/cases/" in path,
        cookies=signed_in_cookies(persona("admin")),  # a superuser: every permission check passes
        aim=lived_in,
    )
    assert len(tried) >= 15, tried  # (29 endpoints; a slow machine may stop at the time budget)
    assert 200 in statuses and statuses.count(403) < len(statuses) / 4  # past auth and CSRF
