import json

import pytest

from onewindow.licences.models import Licence

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(
        url, data=body if isinstance(body, str) else json.dumps(body), content_type="application/json"
    )


def test_staff_list_a_holders_licences_by_credit_code(client, persona, food_licence, enterprise):
    client.force_login(persona("window1"))
    response = client.get(f"/api/v1/licences/?holder={enterprise.id_number}")
    assert response.status_code == 200
    assert {row["number"] for row in response.json()} == {food_licence.number, food_licence.parent.number}


def test_listing_needs_a_login(client, food_licence, enterprise):
    response = client.get(f"/api/v1/licences/?holder={enterprise.id_number}")
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"


def test_a_malformed_holder_number_is_a_422(client, persona, food_licence):
    client.force_login(persona("window1"))
    assert client.get("/api/v1/licences/?holder=123").status_code == 422


def test_a_reviewer_of_another_department_does_not_see_the_licence(client, persona, food_licence, enterprise):
    client.force_login(persona("sw_reviewer"))
    assert client.get(f"/api/v1/licences/?holder={enterprise.id_number}").json() == []
    assert client.get(f"/api/v1/licences/{food_licence.number}").status_code == 404


def test_the_detail_shows_status_holder_masked_and_the_qr_content(client, persona, food_licence, enterprise):
    client.force_login(persona("scjg_reviewer"))
    body = client.get(f"/api/v1/licences/{food_licence.number}").json()
    assert body["status"] == "valid" and body["parent_number"] == food_licence.parent.number
    assert enterprise.id_number not in json.dumps(body)
    assert body["code"].startswith("http://127.0.0.1:8000/verify/" + food_licence.number)


def test_an_unknown_number_is_a_404_and_a_malformed_one_a_422(client, persona, food_licence):
    client.force_login(persona("scjg_reviewer"))
    assert client.get("/api/v1/licences/JY99999999999999").status_code == 404
    assert client.get("/api/v1/licences/jy-1!").status_code == 422


def test_the_department_leader_revokes_a_licence_with_a_reason(client, persona, food_licence):
    client.force_login(persona("scjg_leader"))
    response = post(client, f"/api/v1/licences/{food_licence.number}/revoke", {"reason": "告知承诺核查不实"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "revoked"


def test_a_reviewer_may_not_revoke(client, persona, food_licence):
    client.force_login(persona("scjg_reviewer"))
    response = post(client, f"/api/v1/licences/{food_licence.number}/revoke", {"reason": "x"})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert Licence.objects.get(pk=food_licence.pk).status == "valid"


def test_revoking_without_a_reason_is_a_422(client, persona, food_licence):
    client.force_login(persona("scjg_leader"))
    assert post(client, f"/api/v1/licences/{food_licence.number}/revoke", {}).status_code == 422


@pytest.mark.parametrize("body", ["{not json", "[]", '{"reason": 5}', '{"reason": "' + "长" * 600 + '"}'])
def test_a_garbage_body_is_a_problem_not_a_500(client, persona, food_licence, body):
    client.force_login(persona("scjg_leader"))
    response = post(client, f"/api/v1/licences/{food_licence.number}/suspend", body)
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/problem+json"


def test_suspending_twice_is_a_409_naming_the_state(client, persona, food_licence):
    client.force_login(persona("scjg_leader"))
    assert (
        post(client, f"/api/v1/licences/{food_licence.number}/suspend", {"reason": "整改"}).status_code == 200
    )
    response = post(client, f"/api/v1/licences/{food_licence.number}/suspend", {"reason": "整改"})
    assert response.status_code == 409 and "暂停的证照不能暂停" in response.json()["detail"]
    response = post(client, f"/api/v1/licences/{food_licence.number}/resume", {})
    assert response.json()["status"] == "valid"


def test_the_export_is_for_staff_who_may_view_the_licence(client, persona, food_licence):
    assert client.get(f"/api/v1/licences/{food_licence.number}/export").status_code == 401
    client.force_login(persona("scjg_reviewer"))
    body = client.get(f"/api/v1/licences/{food_licence.number}/export").json()
    assert body["format"] == "onewindow-licence/1" and body["status"]["status"] == "valid"


def test_the_pdf_is_downloaded_by_staff_who_may_view_it(client, persona, food_licence):
    url = f"/licences/{food_licence.number}.pdf"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(persona("sw_reviewer"))
    assert client.get(url).status_code == 403
    client.force_login(persona("scjg_reviewer"))
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client.get("/licences/JY00000000000000.pdf").status_code == 404
