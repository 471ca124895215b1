"""The case REST API end to end over HTTP: window intake → back-office review → decision →
joint delivery, and the notices on the way."""

from __future__ import annotations

import datetime as dt
import mimetypes

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.cases.models import Application, Case, CaseStatus
from onewindow.cases.schemas import CaseOut, WorklistOut
from onewindow.cases.tests.factories import CANCEL_FORM, PDF, department_staff, enterprise, in_register
from onewindow.org.models import Applicant

# The project's real URL configuration: the API as deployed, next to the pages.
API_URLS = "onewindow.urls"

pytestmark = [pytest.mark.django_db, pytest.mark.urls(API_URLS)]

BASE = "/api/v1/cases"
FOOD_PRODUCTION = "430702-SCJG-0002"  # 8 WD promised, 20 WD legal, needs a site inspection
DEREGISTRATION = "430702-SCJG-0009"  # no inspection
TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY_MORNING = dt.datetime(2025, 3, 3, 9, 30, tzinfo=TZ)


def at(day: str, clock: str = "09:30") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=TZ)


class Api:
    """A logged-in JSON client for the cases API."""

    def __init__(self, client, user) -> None:
        self.client = client
        self.user = user
        client.force_login(user)

    def as_(self, user) -> Api:
        self.client.force_login(user)
        self.user = user
        return self

    def get(self, url: str, **params):
        return self.client.get(BASE + url, params)

    def post(self, url: str, body: dict | None = None):
        return self.client.post(BASE + url, body or {}, content_type="application/json")

    def upload(self, ref: str, key: str, content: bytes = PDF, name: str = "material.pdf"):
        # Declared as a browser would, from the extension (SimpleUploadedFile says text/plain).
        declared = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return self.client.post(
            f"{BASE}/applications/{ref}/materials/{key}",
            {"file": SimpleUploadedFile(name, content, content_type=declared)},
        )


def is_schema_exact(schema, response) -> bool:
    """The body is what ninja renders after validating it against ``schema``: the schema's fields
    in its order, nothing more, values of the right JSON types. The worklist and the case detail
    render their bodies without that validation (``cases.api._rendered``), so their tests check
    this. Datetimes are compared as instants: a render keeps milliseconds, so rendering a parsed
    body again may drop a ".000" that the first render wrote."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    return _same(schema.model_validate(body).model_dump(mode="json"), body)


def _same(expected, got) -> bool:
    if isinstance(expected, dict):
        return (
            isinstance(got, dict)
            and list(expected) == list(got)
            and all(_same(expected[k], got[k]) for k in expected)
        )
    if isinstance(expected, list):
        return isinstance(got, list) and len(expected) == len(got) and all(map(_same, expected, got))
    if isinstance(expected, str) and isinstance(got, str) and expected != got:
        try:
            return dt.datetime.fromisoformat(expected) == dt.datetime.fromisoformat(got)
        except ValueError:
            return False
    return type(expected) is type(got) and expected == got


@pytest.fixture
def window(client, hall, persona) -> Api:
    return Api(client, persona("window1"))


def create(window: Api, applicant=None, **body):
    applicant = applicant or Applicant.objects.filter(name=enterprise.__defaults__[0]).first() or enterprise()
    body = {"applicant_id_number": applicant.id_number, **body}
    if "item_code" not in body and "bundle_code" not in body:
        body["item_code"] = FOOD_PRODUCTION
    if body.get("item_code") == DEREGISTRATION and "form_data" not in body:
        # 注销登记 is the registered entity's own, with its form (factories.CANCEL_FORM)
        in_register(applicant)
        body["form_data"] = {"registration": CANCEL_FORM}
    return window.post("/applications", body)


def submitted(window: Api, applicant=None, *, skip: tuple[str, ...] = (), **body) -> dict:
    """An application created, with every material uploaded (but ``skip``), submitted over HTTP."""
    response = create(window, applicant, **body)
    assert response.status_code == 201, response.json()
    ref = response.json()["draft_ref"]
    for material in response.json()["materials"]:
        if material["key"] not in skip:
            assert window.upload(ref, material["key"]).status_code == 200
    response = window.post(f"/applications/{ref}/submit")
    assert response.status_code == 200, response.json()
    return response.json()


def accepted_over_http(window: Api, applicant=None, **body) -> dict:
    ref = submitted(window, applicant, **body)["draft_ref"]
    response = window.post(f"/applications/{ref}/accept")
    assert response.status_code == 200, response.json()
    return response.json()


def snapshot() -> tuple:
    """What a refused request must leave untouched."""
    from onewindow.audit.models import AuditEvent
    from onewindow.cases.models import ApplicationMaterial, CaseEvent, CorrectionNotice, Opinion

    return (
        list(Application.objects.order_by("pk").values_list("pk", "status", "lock_version")),
        list(Case.objects.order_by("pk").values_list("pk", "status", "lock_version", "promised_due_at")),
        list(ApplicationMaterial.objects.order_by("pk").values_list("pk", "state", "sha256")),
        CaseEvent.objects.count(),
        CorrectionNotice.objects.count(),
        Opinion.objects.count(),
        AuditEvent.objects.count(),
    )


def test_an_application_goes_from_the_window_through_review_and_decision_to_joint_delivery(window, persona):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        created = create(window)
        assert created.status_code == 201
        application = created.json()
        assert application["status"] == "draft"
        assert application["hall"] == "常德市武陵区政务服务中心"
        assert {m["state"] for m in application["materials"]} == {"missing"}
        ref = application["draft_ref"]
        for material in application["materials"]:
            uploaded = window.upload(ref, material["key"])
            assert uploaded.status_code == 200
            assert uploaded.json()["state"] == "provided"
            assert len(uploaded.json()["sha256"]) == 64
        assert window.post(f"/applications/{ref}/submit").json()["status"] == "submitted"
        accepted = window.post(f"/applications/{ref}/accept").json()
        assert accepted["status"] == "accepted"
        assert accepted["number"].startswith("43070220250303")
        (case,) = accepted["cases"]
        assert case["status"] == "accepted"
        assert case["promised_due_day"] == "2025-03-13"  # 8 working days
        number = case["number"]

    reviewer = window.as_(persona("scjg_reviewer"))
    with time_machine.travel(at("2025-03-04"), tick=False):
        review = reviewer.post(f"/{number}/start-review")
        assert review.status_code == 200
        assert review.json()["status"] == "reviewing"
        inspection = reviewer.post(
            f"/applications/{accepted['number']}/inspections",
            {"cases": [number], "scheduled_for": "2025-03-05T10:00:00", "inspectors": "王建华、刘卫东"},
        )
        assert inspection.status_code == 201, inspection.json()
        assert inspection.json()["cases"] == [number]
    with time_machine.travel(at("2025-03-05", "15:00"), tick=False):
        finding = reviewer.post(
            f"/inspections/{inspection.json()['id']}/findings",
            {"case": number, "passed": True, "note": "现场符合"},
        )
        assert finding.status_code == 201, finding.json()
        assert (
            reviewer.post(f"/{number}/submit-for-decision", {"note": "审查通过"}).json()["status"]
            == "deciding"
        )
        decided = reviewer.post(
            f"/{number}/decide", {"decision": "approve", "basis": "《食品安全法》第三十五条"}
        ).json()
        assert decided["status"] in ("approved", "issued")  # a licence is issued where the item has one
        assert decided["figures"]["promised"]["compression"] is not None
    delivery = window.as_(persona("delivery1"))
    with time_machine.travel(at("2025-03-06"), tick=False):
        delivered = delivery.post(f"/applications/{accepted['number']}/deliver", {"method": "window"})
        assert delivered.status_code == 200, delivered.json()
        assert [c["status"] for c in delivered.json()["cases"]] == ["closed"]
        response = delivery.get(f"/{number}")
        assert is_schema_exact(CaseOut, response)  # with events, findings and figures of a decided case
        detail = response.json()
    assert [e["action"] for e in detail["events"] if e["action"] != "issue"] == [
        "open",
        "start_review",
        "start_inspection",
        "finish_inspection",
        "submit_for_decision",
        "approve",
        "deliver",
        "close",
    ]
    assert detail["events"][1]["actor"] == "王建华"
    promised = detail["figures"]["promised"]
    assert promised["elapsed"] == 2  # accepted Monday, decided Wednesday
    assert promised["compression"] == 0.75  # 1 − 2/8
    assert detail["figures"]["legal"]["compression"] == 0.9  # 1 − 2/20
    for url in (
        f"/applications/{accepted['number']}/notices/acceptance.pdf",
        f"/{number}/notices/decision.pdf",
    ):
        pdf = delivery.get(url)
        assert pdf.status_code == 200
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")


def test_a_bundle_application_is_created_with_its_package_and_one_checklist(window):
    response = create(window, bundle_code="430702-YJS-0002", option_code="A")
    assert response.status_code == 201, response.json()
    keys = [m["key"] for m in response.json()["materials"]]
    assert len(keys) == len(set(keys))


def test_correction_resubmission_and_refusal_work_over_http(window):
    application = submitted(window, skip=("food_safety_rules",))
    ref = application["draft_ref"]
    notice = window.post(
        f"/applications/{ref}/correction",
        {"extra": [{"material": "id_card", "reason": "复印件不清晰"}], "note": "请一次补齐"},
    )
    assert notice.status_code == 201
    assert {i["material"] for i in notice.json()["items"]} == {"food_safety_rules", "id_card"}
    assert window.get(f"/applications/{ref}").json()["status"] == "correction_requested"
    assert window.upload(ref, "food_safety_rules").status_code == 200
    assert window.post(f"/applications/{ref}/resubmit").json()["status"] == "submitted"
    refused = window.post(f"/applications/{ref}/refuse", {"reason": "不属于本机关职权范围"})
    assert refused.status_code == 200
    assert refused.json()["status"] == "refused"
    assert "行政复议" in refused.json()["refusal_remedies"]
    assert window.get(f"/applications/{ref}/notices/refusal.pdf").status_code == 200
    assert window.get(f"/applications/{ref}/notices/correction.pdf").status_code == 200


def test_deficiency_and_commitment_are_marked_at_the_window(window):
    response = create(window, item_code="430702-WJ-0001")
    ref = response.json()["draft_ref"]
    marked = window.post(f"/applications/{ref}/materials/public_place_layout/mark", {"state": "committed"})
    assert marked.status_code == 200
    assert marked.json()["state"] == "committed"


def test_opinions_suspension_and_extension_go_through_the_case_endpoints(window, persona):
    number = accepted_over_http(window, item_code=DEREGISTRATION)["cases"][0]["number"]
    leader = department_staff("SCJG", leader=True)
    api = window.as_(leader)
    assert api.post(f"/{number}/start-review").status_code == 200
    opinions = api.post(f"/{number}/opinions", {"departments": ["SW"], "within_days": 3})
    assert opinions.status_code == 201, opinions.json()
    opinion_id = opinions.json()[0]["id"]
    given = window.as_(persona("sw_reviewer")).post(f"/opinions/{opinion_id}", {"verdict": "conforms"})
    assert given.status_code == 200, given.json()
    assert given.json()["verdict_label"] == "符合"
    api = window.as_(leader)
    suspended = api.post(f"/{number}/suspend", {"reason": "expert", "expected_days": 3, "note": "专家评审"})
    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["figures"]["promised"]["warning"] == "normal"
    assert api.post(f"/{number}/resume", {}).json()["status"] == "reviewing"
    extension = api.post(f"/{number}/extensions", {"days": 5, "reason": "情况复杂"})
    assert extension.status_code == 201
    decided = api.post(f"/extensions/{extension.json()['id']}/decide", {"approve": True})
    assert decided.json()["status"] == "approved"
    assert api.get(f"/{number}").json()["extension_days"] == 5
    detail = api.get(f"/{number}")
    assert is_schema_exact(CaseOut, detail)
    assert all(detail.json()[k] for k in ("opinions", "suspensions", "extensions"))
    worklist = window.as_(persona("scjg_reviewer")).get("/worklist")
    assert number in [i["number"] for i in worklist.json()["items"]]
    assert is_schema_exact(WorklistOut, worklist)


def test_post_verification_of_a_commitment_can_revoke_over_http(window, persona):
    response = create(window, item_code="430702-WJ-0001")
    ref = response.json()["draft_ref"]
    for material in response.json()["materials"]:
        if material["key"] != "public_place_layout":
            window.upload(ref, material["key"])
    window.post(f"/applications/{ref}/materials/public_place_layout/mark", {"state": "committed"})
    window.post(f"/applications/{ref}/submit")
    number = window.post(f"/applications/{ref}/accept").json()["cases"][0]["number"]
    api = window.as_(department_staff("WJ"))
    approved = api.post(f"/{number}/decide", {"decision": "approve", "basis": "告知承诺"})
    assert approved.json()["status"] in ("approved", "issued")
    assert approved.json()["post_verification"]["status"] == "open"
    window.as_(persona("delivery1")).post(f"/applications/{ref}/deliver", {})
    result = window.as_(department_staff("WJ")).post(
        f"/{number}/post-verification", {"passed": False, "note": "实际布局与承诺不符"}
    )
    assert result.status_code == 200, result.json()
    assert result.json()["status"] == "failed"
    detail = window.get(f"/{number}")
    assert detail.json()["status"] == CaseStatus.REVOKED
    assert detail.json()["post_verification"]["status"] == "failed"
    assert is_schema_exact(CaseOut, detail)
