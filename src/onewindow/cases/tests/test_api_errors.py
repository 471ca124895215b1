"""Every bad input gets a 4xx problem with a clear Chinese message and leaves the database as it was."""

from __future__ import annotations

import pytest

from onewindow.cases.models import Case
from onewindow.cases.tests.factories import department_staff, enterprise
from onewindow.cases.tests.test_api import (
    API_URLS,
    BASE,
    DEREGISTRATION,
    FOOD_PRODUCTION,
    Api,
    accepted_over_http,
    create,
    snapshot,
    submitted,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls(API_URLS)]


@pytest.fixture
def window(client, hall, persona) -> Api:
    return Api(client, persona("window1"))


def refused(response, status: int, *, says: str = "") -> dict:
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"]
    if says:
        assert says in str(body), body
    return body


def test_an_unknown_item_or_applicant_is_not_found_and_creates_nothing(window):
    enterprise()
    before = snapshot()
    refused(create(window, item_code="NO-SUCH-ITEM"), 404, says="没有编码为“NO-SUCH-ITEM”的事项")
    body = {"applicant_id_number": "91430702MA4L000000", "item_code": FOOD_PRODUCTION}
    refused(window.post("/applications", body), 404, says="未找到该证件号码的申请人")
    refused(create(window, bundle_code="430702-YJS-0002", option_code="Z"), 422, says="没有套餐")
    refused(create(window, item_code=FOOD_PRODUCTION, bundle_code="430702-YJS-0002"), 422, says="二选一")
    refused(create(window, channel="carrier-pigeon"), 422)
    assert snapshot() == before


def test_the_wrong_role_is_forbidden_and_changes_nothing(window, persona):
    ref = submitted(window)["draft_ref"]
    number = accepted_over_http(window, item_code=DEREGISTRATION)["cases"][0]["number"]
    scjg = department_staff("SCJG")
    before = snapshot()
    reviewer = window.as_(scjg)  # may see SCJG applications, may not accept them
    body = refused(reviewer.post(f"/applications/{ref}/accept"), 403, says="综合窗口受理人员")
    assert body["code"] == "permission_denied"
    body = refused(window.as_(persona("window1")).post(f"/{number}/start-review"), 403, says="后台审批人员")
    assert body["code"] == "permission_denied"
    refused(window.as_(persona("ga_reviewer")).get(f"/{number}"), 404)  # another department's case
    assert snapshot() == before


def test_an_action_the_state_does_not_allow_is_a_409_saying_what_is_allowed(window):
    number = accepted_over_http(window, item_code=DEREGISTRATION)["cases"][0]["number"]
    reviewer = window.as_(department_staff("SCJG"))
    before = snapshot()
    body = refused(reviewer.post(f"/{number}/decide", {"decision": "approve", "basis": "符合"}), 409)
    assert "只有即办件或告知承诺制事项可以当场决定" in body["detail"]
    body = refused(reviewer.post(f"/{number}/resume", {}), 409)
    assert body["detail"].startswith("已受理的办件不能恢复计时；当前可以：")
    assert snapshot() == before


def test_accepting_with_a_material_missing_is_a_409_naming_it(window):
    application = submitted(window, skip=("food_safety_rules",))
    before = snapshot()
    body = refused(window.post(f"/applications/{application['draft_ref']}/accept"), 409)
    assert "食品安全管理制度文本" in body["detail"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("content", "name", "says"),
    [
        (b"MZ\x90\x00binary", "virus.exe", "不是可接受的类型"),
        (b"", "empty.pdf", "空的"),
        (b"%PDF" + b"0" * (1024 * 1024 + 10), "big.pdf", "超过 1 MB"),
    ],
)
def test_an_oversize_or_wrong_type_upload_is_refused(window, settings, content, name, says):
    settings.ONEWINDOW_MAX_UPLOAD_MB = 1
    ref = create(window).json()["draft_ref"]
    before = snapshot()
    refused(window.upload(ref, "id_card", content, name), 422, says=says)
    assert snapshot() == before


def test_an_upload_without_a_file_or_for_an_unknown_material_is_refused(window):
    ref = create(window).json()["draft_ref"]
    before = snapshot()
    refused(window.client.post(f"{BASE}/applications/{ref}/materials/id_card", {}), 422)
    refused(window.upload(ref, "no_such_material"), 422, says="不需要材料")
    assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[]",
        '{"applicant_id_number": 5}',
        '{"applicant_id_number": "x", "form_data": "text"}',
        '{"applicant_id_number": "a\\u0000b", "item_code": "x"}',
        "\x00\xff",
    ],
)
def test_malformed_json_is_a_4xx(window, body):
    before = snapshot()
    response = window.client.post(f"{BASE}/applications", body, content_type="application/json")
    assert 400 <= response.status_code < 500, response.content
    assert snapshot() == before


@pytest.mark.parametrize(
    "url",
    [
        "/applications/NOPE",
        "/applications/%00",
        "/applications/" + "9" * 33,
        "/NO-SUCH-CASE",
        "/" + "x" * 41,
        "/opinions/abc",
        "/opinions/0",
        "/opinions/99999999999999999999999",
        "/extensions/-1/decide",
        "/inspections/12/findings",
    ],
)
def test_a_malformed_or_unknown_id_is_a_4xx(window, url):
    response = window.get(url) if url.count("/") < 3 and "opinions" not in url else window.post(url, {})
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"] == "application/problem+json"


def test_a_garbage_body_on_a_case_action_is_a_422(window):
    number = accepted_over_http(window, item_code=DEREGISTRATION)["cases"][0]["number"]
    reviewer = window.as_(department_staff("SCJG"))
    before = snapshot()
    refused(reviewer.post(f"/{number}/decide", {"decision": "maybe", "basis": ""}), 422)
    refused(reviewer.post(f"/{number}/suspend", {"reason": "lunch"}), 422)
    refused(reviewer.post(f"/{number}/extensions", {"days": 99, "reason": "x"}), 422)
    refused(reviewer.post(f"/{number}/opinions", {"departments": []}), 422)
    assert snapshot() == before
    assert Case.objects.get(number=number).status == "accepted"


def test_requests_without_login_are_401_except_tracking(client, hall):
    refused(client.get(f"{BASE}/worklist"), 401)
    refused(client.post(f"{BASE}/applications", {}, content_type="application/json"), 401)
    refused(client.get(f"{BASE}/track", {"number": "x", "id_suffix": "1234"}), 404)


def test_a_second_decision_on_a_decided_case_is_a_conflict(window):
    number = accepted_over_http(window, applicant=enterprise(seed=5), item_code=DEREGISTRATION)["cases"][0][
        "number"
    ]
    reviewer = window.as_(department_staff("SCJG"))
    reviewer.post(f"/{number}/start-review")
    reviewer.post(f"/{number}/submit-for-decision", {})
    assert reviewer.post(f"/{number}/decide", {"decision": "deny", "basis": "不符合"}).status_code == 200
    before = snapshot()
    body = refused(reviewer.post(f"/{number}/decide", {"decision": "approve", "basis": "符合"}), 409)
    assert "不予许可的办件不能准予许可" in body["detail"]
    assert snapshot() == before
