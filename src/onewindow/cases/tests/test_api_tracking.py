"""Public tracking by number and ID suffix, and the case detail's query budget."""

from __future__ import annotations

import pytest
import time_machine

from onewindow.cases import services
from onewindow.cases.tests.factories import (
    accepted,
    decide_through_review,
    department_staff,
    enterprise,
    person,
)
from onewindow.cases.tests.test_api import API_URLS, BASE, at

pytestmark = [pytest.mark.django_db, pytest.mark.urls(API_URLS)]
DEREGISTRATION = "430702-SCJG-0009"


@pytest.fixture
def officer(hall, persona):
    return persona("window1")


def track(client, number: str, suffix: str):
    return client.get(f"{BASE}/track", {"number": number, "id_suffix": suffix})


@pytest.mark.parametrize("length", [4, 5, 6])
def test_the_applicant_tracks_an_application_by_number_and_id_suffix(client, officer, length):
    applicant = person()
    application = accepted(officer, applicant, item="430702-RS-0001")
    response = track(client, application.number, applicant.id_number[-length:].lower())
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["number"] == application.number
    assert body["status"] == "accepted"
    assert body["applicant"] == "王*明"  # masked
    assert body["applicant_id"].count("*") == 8
    (case,) = body["cases"]
    assert case["status_label"] == "已受理" and case["due_day"]
    assert [e["action"] for e in body["events"]] == ["create", "submit", "accept", "open"]


def test_tracking_shows_no_staff_names_or_internal_notes(client, officer):
    applicant = enterprise()
    with time_machine.travel(at("2025-03-03"), tick=False):
        application = accepted(officer, applicant, item=DEREGISTRATION)
        case = application.cases.get()
        reviewer = department_staff("SCJG")
        case = services.case_start_review(actor=reviewer, case=case)
        services.case_request_opinions(actor=reviewer, case=case, departments=[case.department])
        decide_through_review(case, approve=False, basis="内部意见：材料存疑")
    body = track(client, application.number, applicant.id_number[-6:]).json()
    text = str(body)
    assert "SCJG审批员" not in text and "王建华" not in text
    assert "内部意见" not in text  # notes stay inside
    assert "request_opinion" not in text and "give_opinion" not in text
    assert body["cases"][0]["decision"] == "不予"
    assert applicant.id_number not in text


@pytest.mark.parametrize(
    ("number", "suffix"),
    [
        ("known", "0000"),  # wrong suffix
        ("430702209901010001", "right"),  # unknown number
        ("known", "X"),  # too short
    ],
)
def test_a_wrong_suffix_looks_exactly_like_an_unknown_number(client, officer, number, suffix):
    applicant = enterprise()
    application = accepted(officer, applicant, item=DEREGISTRATION)
    number = application.number if number == "known" else number
    suffix = applicant.id_number[-4:] if suffix == "right" else suffix
    response = track(client, number, suffix)
    assert response.status_code in (404, 422)
    if len(suffix) >= 4:
        unknown = track(client, "430702209901010009", applicant.id_number[-4:])
        assert response.status_code == unknown.status_code == 404
        assert response.json() == unknown.json()


def test_the_case_detail_runs_a_bounded_number_of_queries_however_long_its_history(
    client, officer, django_assert_max_num_queries
):
    application = accepted(officer, enterprise(), item=DEREGISTRATION)
    case = application.cases.get()
    reviewer = department_staff("SCJG", leader=True)
    client.force_login(reviewer)
    client.get(f"{BASE}/{case.number}")  # warm the calendar cache
    with django_assert_max_num_queries(30) as short:
        assert client.get(f"{BASE}/{case.number}").status_code == 200
    case = services.case_start_review(actor=reviewer, case=case)
    for _ in range(3):
        case = services.case_suspend(actor=reviewer, case=case, reason="testing", expected_days=5)
        case = services.case_resume(actor=reviewer, case=case)
    services.extension_request(actor=reviewer, case=case, days=2, reason="复杂")
    with django_assert_max_num_queries(len(short.captured_queries)) as long:
        response = client.get(f"{BASE}/{case.number}")
    assert response.status_code == 200
    assert len(response.json()["events"]) > 6
    assert len(long.captured_queries) == len(short.captured_queries)
