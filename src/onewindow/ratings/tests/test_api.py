"""The ratings API over HTTP: public rating by number + ID suffix, staff lists, rates, rectification
actions, and bad input (malformed id, unknown id, garbage body, wrong role)."""

import pytest
import time_machine
from django.urls import path

from onewindow.api.main import api
from onewindow.ratings.models import Rating
from onewindow.ratings.tests.helpers import at, finished_case

urlpatterns = [path("api/v1/", api.urls)]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
BASE = "/api/v1/ratings"


@pytest.fixture
def case(hall, persona):
    return finished_case(persona("window1"))


def body(case, **extra):
    application = case.application
    return {
        "number": application.number,
        "id_suffix": application.applicant.id_number[-6:],
        "level": 2,
        "comment": "等太久",
        "tags": ["超时办理"],
    } | extra


def post(client, url, data):
    return client.post(BASE + url, data, content_type="application/json")


def test_the_applicant_rates_a_finished_case_with_the_number_and_id_suffix(client, case):
    response = post(client, "/", body(case))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["level_label"] == "不满意" and data["case_number"] == case.number
    assert data["rectification"]["state"] == "open"


def test_a_second_rating_is_a_409_problem_with_a_clear_message(client, case):
    post(client, "/", body(case))
    response = post(client, "/", body(case, level=5))
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert "一事一评" in response.json()["detail"] and response.json()["code"] == "already_rated"


def test_a_wrong_id_suffix_looks_like_an_unknown_number(client, case):
    wrong = post(client, "/", body(case, id_suffix="000000"))
    unknown = post(client, "/", body(case, number="430702209901010001"))
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json()["detail"] == unknown.json()["detail"]


@pytest.mark.parametrize(
    "garbage",
    [
        "not json",
        "[]",
        '{"number": 1}',
        '{"number": "x", "id_suffix": "1234", "level": 9}',
        '{"number": "a\\u0000"}',
    ],
)
def test_a_garbage_body_is_a_422_problem(client, hall, garbage):
    response = client.post(BASE + "/", garbage, content_type="application/json")
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"
    assert not Rating.objects.exists()


def test_staff_lists_ratings_and_the_supervisor_sees_the_rates(client, case, persona):
    post(client, "/", body(case, level=5))
    client.force_login(persona("supervisor"))
    listed = client.get(BASE + "/", {"bad_only": "false"})
    assert listed.status_code == 200 and len(listed.json()) == 1
    rates = client.get(BASE + "/rates", {"start": "2025-03-01", "end": "2025-03-31", "department": "SCJG"})
    assert rates.status_code == 200
    assert rates.json()["rating_rate"]["numerator"] == 1
    assert rates.json()["rating_rate"]["percent"] == "100.00"
    assert "评价率 =" in rates.json()["rating_rate"]["definition"]


def test_the_rates_need_the_supervision_role(client, hall, persona):
    client.force_login(persona("window1"))
    response = client.get(BASE + "/rates", {"start": "2025-03-01", "end": "2025-03-31"})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_the_rates_refuse_a_reversed_period_and_an_unknown_department(client, hall, persona):
    client.force_login(persona("supervisor"))
    assert client.get(BASE + "/rates", {"start": "2025-03-31", "end": "2025-03-01"}).status_code == 422
    assert client.get(BASE + "/rates", {"start": "2025-03-01", "end": "x"}).status_code == 422
    assert (
        client.get(
            BASE + "/rates", {"start": "2025-03-01", "end": "2025-03-31", "department": "NOPE"}
        ).status_code
        == 404
    )


def test_rectification_actions_over_http_and_their_bad_ids(client, case, persona):
    rectification = post(client, "/", body(case)).json()["rectification"]
    client.force_login(persona("scjg_reviewer"))
    url = f"/rectifications/{rectification['id']}"
    assert post(client, url + "/contact", {"note": "已回访"}).json()["state"] == "contacted"
    assert post(client, url + "/verify", {}).status_code == 409  # not rectified yet
    assert post(client, url + "/rectify", {"note": "已整改"}).json()["state"] == "rectified"
    assert post(client, url + "/verify", {}).status_code == 403  # a reviewer cannot verify
    assert post(client, "/rectifications/99999/contact", {"note": "x"}).status_code == 404
    assert post(client, "/rectifications/abc/contact", {"note": "x"}).status_code == 422
    assert post(client, "/rectifications/1/explode", {"note": "x"}).status_code == 422
    assert post(client, "/rectifications/99999999999999999999/contact", {}).status_code == 422


def test_anonymous_users_cannot_list_ratings(client, hall):
    assert client.get(BASE + "/").status_code == 401


def test_staff_record_a_rating_on_behalf_with_consent(client, case, persona):
    client.force_login(persona("window1"))
    refused = post(client, "/on-behalf", {"case_number": case.number, "level": 5})
    assert refused.status_code == 422 and "本人同意" in refused.json()["detail"]
    response = post(client, "/on-behalf", {"case_number": case.number, "level": 5, "consent": True})
    assert response.status_code == 201


def test_the_rating_window_is_checked_over_http_too(client, case):
    with time_machine.travel(at("2025-05-01"), tick=False):
        response = post(client, "/", body(case))
    assert response.status_code == 409 and response.json()["code"] == "rating_closed"
