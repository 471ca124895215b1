"""零证明: the proof registry, its report, and inter-department verification (部门协查)."""

import datetime as dt
import json
from fractions import Fraction

import pytest
import time_machine

from onewindow.audit.models import AuditEvent
from onewindow.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from onewindow.licences.models import (
    ProofRequirement,
    ReplacementMethod,
    VerificationRequest,
    VerificationStatus,
)
from onewindow.licences.selectors import proof_report, verification_request_list_for_case
from onewindow.licences.services import (
    verification_request_answer,
    verification_request_create,
    verification_requests_mark_overdue,
)

from .conftest import SHANGHAI

pytestmark = pytest.mark.django_db

FRIDAY_BEFORE_SPRING_FESTIVAL = dt.datetime(2025, 1, 24, 15, 0, tzinfo=SHANGHAI)


def post(client, url, body):
    return client.post(
        url, data=body if isinstance(body, str) else json.dumps(body), content_type="application/json"
    )


@pytest.fixture
def ask(national, licence_types, person, dept):
    def create(**kwargs):
        values = {
            "actor": None,
            "requesting_department": dept("RS"),
            "responding_department": dept("GA"),
            "subject": person,
            "question": "请核实申请人有无犯罪记录",
            "case_no": "WL20250124-0007",
        }
        return verification_request_create(**{**values, **kwargs})

    return create


def test_the_demo_registry_holds_the_seeded_proofs(licence_types):
    assert ProofRequirement.objects.count() >= 10
    assert ProofRequirement.objects.filter(source_seed="002", source_note__contains="76项").exists()


def test_the_report_counts_proofs_by_method_and_the_proof_free_rate(licence_types):
    ProofRequirement.objects.create(name="仍需提供的证明", method=ReplacementMethod.RETAINED)
    report = proof_report()
    assert report.total == ProofRequirement.objects.count()
    assert report.by_method["retained"] == 1 and report.by_method["data_sharing"] >= 1
    assert report.proof_free_rate == Fraction(report.total - 1, report.total)


def test_an_empty_registry_has_no_rate(db):
    assert proof_report().proof_free_rate is None


def test_a_verification_request_is_due_in_working_days_across_the_spring_festival(ask):
    with time_machine.travel(FRIDAY_BEFORE_SPRING_FESTIVAL, tick=False):
        request = ask(days=5)
    # DESIGN.md §4: Sun 1-26 is a make-up working day, the holiday runs 1-28 … 2-4, so the
    # five working days are 1-26, 1-27, 2-5, 2-6 and 2-7.
    assert request.due_on == dt.date(2025, 2, 7)
    assert request.status == VerificationStatus.OPEN


def test_the_answer_is_recorded_on_the_case(ask):
    with time_machine.travel(FRIDAY_BEFORE_SPRING_FESTIVAL, tick=False):
        request = ask()
        verification_request_answer(
            request=request, actor=None, outcome="confirmed", answer="经核查无犯罪记录"
        )
    (found,) = verification_request_list_for_case(case_no="WL20250124-0007")
    assert (found.status, found.outcome, found.answer) == ("answered", "confirmed", "经核查无犯罪记录")
    assert AuditEvent.objects.filter(action="verification_request.answer").count() == 1


def test_a_request_cannot_be_answered_twice(ask):
    request = ask()
    verification_request_answer(request=request, actor=None, outcome="confirmed")
    with pytest.raises(InvalidTransition):
        verification_request_answer(request=request, actor=None, outcome="not_confirmed")


def test_an_unanswered_request_becomes_overdue_after_its_due_day_and_can_still_be_answered(ask):
    with time_machine.travel(FRIDAY_BEFORE_SPRING_FESTIVAL, tick=False):
        request = ask(days=5)
    assert verification_requests_mark_overdue(on=dt.date(2025, 2, 7)) == 0
    assert verification_requests_mark_overdue(on=dt.date(2025, 2, 8)) == 1
    assert verification_requests_mark_overdue(on=dt.date(2025, 2, 8)) == 0
    request.refresh_from_db()
    assert request.status == VerificationStatus.OVERDUE
    assert verification_request_answer(request=request, actor=None, outcome="no_record").status == "answered"


def test_a_department_cannot_ask_itself(ask, dept):
    with pytest.raises(InvalidInput):
        ask(responding_department=dept("RS"))


def test_the_proof_registry_and_its_report_are_public(client, licence_types):
    assert len(client.get("/api/v1/licences/proofs").json()) == ProofRequirement.objects.count()
    assert client.get("/api/v1/licences/proofs?method=cancelled").json()[0]["method_label"] == "直接取消"
    assert client.get("/api/v1/licences/proofs?method=nonsense").status_code == 422
    assert client.get("/api/v1/licences/proofs/report").json()["proof_free_rate"] == 1.0


def test_a_reviewer_asks_another_department_and_its_reviewer_answers(client, persona, national, person, dept):
    client.force_login(persona("scjg_reviewer"))
    response = post(
        client,
        "/api/v1/licences/verification-requests",
        {
            "requesting_department": dept("SCJG").pk,
            "responding_department": dept("GA").pk,
            "subject_id_number": person.id_number,
            "question": "请核实申请人户籍信息",
            "case_no": "WL-1",
        },
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    answer = {"outcome": "confirmed", "answer": "属实"}
    assert post(client, f"/api/v1/licences/verification-requests/{pk}/answer", answer).status_code == 403
    client.force_login(persona("ga_reviewer"))
    response = post(client, f"/api/v1/licences/verification-requests/{pk}/answer", answer)
    assert response.status_code == 200 and response.json()["status"] == "answered"


def test_a_reviewer_may_not_ask_in_another_departments_name(client, persona, national, person, dept):
    client.force_login(persona("scjg_reviewer"))
    body = {
        "requesting_department": dept("SW").pk,
        "responding_department": dept("GA").pk,
        "subject_id_number": person.id_number,
        "question": "?",
    }
    assert post(client, "/api/v1/licences/verification-requests", body).status_code == 403


def test_a_window_officer_may_not_ask_in_another_departments_name(client, persona, national, person, dept):
    """window1's role covers the county's departments for intake; that does not make a request
    from it one of 公安's or 市场监管's (issue 17). It may ask in its own department's name."""
    client.force_login(persona("window1"))
    body = {"responding_department": dept("GA").pk, "subject_id_number": person.id_number, "question": "?"}
    for other in ("SCJG", "RS"):
        response = post(
            client,
            "/api/v1/licences/verification-requests",
            {**body, "requesting_department": dept(other).pk},
        )
        assert response.status_code == 403, response.content
    assert not VerificationRequest.objects.exists()
    response = post(
        client, "/api/v1/licences/verification-requests", {**body, "requesting_department": dept("XZSP").pk}
    )
    assert response.status_code == 201, response.content


def test_the_service_refuses_a_request_in_another_departments_name(ask, persona, dept):
    with pytest.raises(PermissionDenied):
        ask(actor=persona("window1"), requesting_department=dept("RS"))
    assert ask(actor=persona("scjg_reviewer"), requesting_department=dept("SCJG")).created_by == persona(
        "scjg_reviewer"
    )


@pytest.mark.parametrize(
    ("url", "body", "status"),
    [
        ("/api/v1/licences/verification-requests/abc/answer", {"outcome": "confirmed"}, 422),
        ("/api/v1/licences/verification-requests/999999/answer", {"outcome": "confirmed"}, 404),
        ("/api/v1/licences/verification-requests/1/answer", "{garbage", 400),
        ("/api/v1/licences/verification-requests", {"requesting_department": "x"}, 422),
        (
            "/api/v1/licences/verification-requests",
            {
                "requesting_department": 999999,
                "responding_department": 1,
                "subject_id_number": "x",
                "question": "q",
            },
            404,
        ),
    ],
)
def test_bad_verification_requests_are_clear_4xx(client, persona, national, url, body, status):
    client.force_login(persona("scjg_reviewer"))
    response = post(client, url, body)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
