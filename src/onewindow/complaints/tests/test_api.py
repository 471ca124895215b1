"""The complaints API over HTTP, including the 12345 upload and bad inputs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import path

from onewindow.api.main import api
from onewindow.complaints.models import Complaint

urlpatterns = [path("api/v1/", api.urls)]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
BASE = "/api/v1/complaints"
MATTER = {
    "klass": "complaint",
    "subject": "排队久",
    "text": "排了两小时",
    "contact_name": "王",
    "contact_phone": "13907361234",
}


def post(client, url, data):
    return client.post(BASE + url, data, content_type="application/json")


def test_a_complaint_goes_from_the_public_form_to_the_follow_up(client, hall, persona):
    created = post(client, "/", MATTER)
    assert created.status_code == 201, created.json()
    number = created.json()["number"]
    client.force_login(persona("supervisor"))
    assert post(client, f"/{number}/assign", {"department_code": "SCJG"}).json()["status"] == "assigned"
    client.force_login(persona("scjg_reviewer"))
    assert post(client, f"/{number}/reply", {"note": "已增开窗口"}).json()["status"] == "replied"
    client.logout()
    seen = client.get(f"{BASE}/public/{number}", {"phone_suffix": "1234"})
    assert seen.status_code == 200 and seen.json()["reply"] == "已增开窗口" and seen.json()["can_follow_up"]
    code = created.json()["follow_up_code"]
    rated = post(
        client, f"/public/{number}/follow-up", {"phone_suffix": "1234", "code": code, "satisfied": True}
    )
    assert rated.json()["status"] == "closed"


def test_the_public_view_needs_the_right_phone_suffix(client, hall):
    number = post(client, "/", MATTER).json()["number"]
    assert client.get(f"{BASE}/public/{number}", {"phone_suffix": "0000"}).status_code == 404
    assert client.get(f"{BASE}/public/NOPE", {"phone_suffix": "1234"}).status_code == 404
    assert client.get(f"{BASE}/public/{number}", {"phone_suffix": "12"}).status_code == 422


@pytest.mark.parametrize("garbage", ["nope", "{}", '{"klass": "rant", "subject": "x", "text": "y"}'])
def test_a_garbage_body_is_a_422_problem(client, hall, garbage):
    response = client.post(BASE + "/", garbage, content_type="application/json")
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"
    assert not Complaint.objects.exists()


def test_staff_actions_check_the_role_and_the_ids(client, hall, persona):
    number = post(client, "/", MATTER).json()["number"]
    client.force_login(persona("scjg_reviewer"))
    assert (
        post(client, f"/{number}/assign", {"department_code": "SCJG"}).status_code == 404
    )  # not visible yet
    client.force_login(persona("supervisor"))
    assert post(client, "/TS000/assign", {"department_code": "SCJG"}).status_code == 404
    assert post(client, f"/{number}/explode", {}).status_code == 422
    assert post(client, f"/{number}/assign", {"department_code": "NOPE"}).status_code == 404
    assert post(client, f"/{number}/assign", {}).status_code == 422
    assert post(client, f"/{number}/reply", {}).status_code == 422  # a reply needs its text


def test_the_12345_upload_reports_every_error_and_imports_nothing(client, hall, persona):
    client.force_login(persona("supervisor"))
    bad = "工单号,受理时间,诉求类别,主题,诉求内容\nT-1,2025-03-03 09:00,投诉,,x\nT-2,yesterday,咨询,y,z\n"
    response = client.post(BASE + "/import", {"file": SimpleUploadedFile("12345.csv", bad.encode())})
    assert response.status_code == 422
    errors = {(e["row"], e["field"]) for e in response.json()["errors"]}
    assert {(1, "subject"), (1, "contact_name"), (2, "received_at")} <= errors
    assert not Complaint.objects.exists()


def test_only_supervisors_and_administrators_upload(client, hall, persona):
    client.force_login(persona("window1"))
    response = client.post(BASE + "/import", {"file": SimpleUploadedFile("a.csv", b"x")})
    assert response.status_code == 403


def test_a_non_utf8_upload_is_refused(client, hall, persona):
    client.force_login(persona("supervisor"))
    response = client.post(BASE + "/import", {"file": SimpleUploadedFile("a.csv", "工单号".encode("gbk"))})
    assert response.status_code == 422
