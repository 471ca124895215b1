import json

import pytest

from onewindow.org.models import Applicant

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"


def post(client, url, body):
    return client.post(
        url, data=json.dumps(body) if not isinstance(body, str) else body, content_type="application/json"
    )


def test_registering_an_applicant_needs_a_login(client, demo_org):
    response = post(
        client,
        "/api/v1/org/applicants",
        {"kind": "person", "name": "张三", "id_number": VALID_ID, "phone": "13907361234"},
    )
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_a_window_officer_registers_an_applicant(client, persona):
    client.force_login(persona("window1"))
    response = post(
        client,
        "/api/v1/org/applicants",
        {"kind": "person", "name": "张三", "id_number": VALID_ID, "phone": "13907361234"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["id_number_masked"].endswith("002X")


def test_an_invalid_identity_number_is_a_problem_json_naming_the_character(client, persona):
    client.force_login(persona("window1"))
    response = post(
        client,
        "/api/v1/org/applicants",
        {"kind": "person", "name": "张三", "id_number": "110105194912310021", "phone": "13907361234"},
    )
    assert response.status_code == 422
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert body["code"] == "invalid_input" and "第18位" in body["detail"]
    assert not Applicant.objects.exists()


def test_a_reviewer_may_not_register_applicants(client, persona):
    client.force_login(persona("scjg_reviewer"))
    response = post(
        client,
        "/api/v1/org/applicants",
        {"kind": "person", "name": "张三", "id_number": VALID_ID, "phone": "13907361234"},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("body", ["{not json", "[]", json.dumps({"kind": "robot"}), json.dumps({})])
def test_a_garbage_body_is_a_4xx_problem(client, persona, body):
    client.force_login(persona("window1"))
    response = post(client, "/api/v1/org/applicants", body)
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/problem+json"


def test_an_unknown_region_is_a_404_problem(client, demo_org):
    response = client.get("/api/v1/org/regions/999999999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_region_is_served_with_its_parent(client, demo_org):
    response = client.get("/api/v1/org/regions/430702100000")
    assert response.json() == {
        "code": "430702100000",
        "name": "河洑镇",
        "level": "town",
        "parent_code": "430702000000",
    }


def test_the_id_check_says_which_character_is_wrong(client, db):
    response = post(client, "/api/v1/org/id-check", {"kind": "person", "id_number": "110105194912310021"})
    body = response.json()
    assert body["valid"] is False and body["position"] == 18
