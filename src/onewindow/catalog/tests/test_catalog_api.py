"""The catalogue API: public guide data; import and export for administrators only."""

import io
import json

import pytest
from openpyxl import load_workbook

from onewindow.catalog.models import ServiceItem, ServiceItemVersion
from onewindow.catalog.tests.catalogues import BUNDLE, FOOD, HR, catalogue

pytestmark = pytest.mark.django_db

API = "/api/v1/catalog"


def test_anyone_reads_an_items_guide_with_limits_and_compression(client, small_catalogue):
    response = client.get(f"{API}/items/{FOOD}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["legal_limit"] == {"value": 20, "unit": "workday", "label": "20个工作日"}
    assert body["promised_limit"]["label"] == "8个工作日"
    assert body["compression"] == 0.6
    assert [s["kind"] for s in body["steps"]] == ["accept", "inspect", "decide"]
    assert body["materials"][2] == {
        "key": "floor_plan",
        "name": "生产场所平面图",
        "description": "",
        "satisfied_by": "",
        "form": "copy",
        "form_label": "复印件",
        "copies": 1,
        "required": True,
        "waivable": True,
        "supply_days": 5,
        "commitment_allowed": False,
        "applies_to": "all",
        "note": "",
    }
    assert body["kind_label"] == "行政许可" and body["version"] == 1


def test_an_unknown_item_code_is_a_404_problem(client, small_catalogue):
    response = client.get(f"{API}/items/NO-SUCH-ITEM")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


def test_the_item_list_searches_by_pinyin_initials(client, small_catalogue):
    response = client.get(f"{API}/items", {"q": "spscxk"})
    assert [i["code"] for i in response.json()] == [FOOD]


def test_a_bundle_shows_one_combined_material_list(client, small_catalogue):
    body = client.get(f"{API}/bundles/{BUNDLE}").json()
    assert len(body["materials"]) == 4
    assert body["separate_material_count"] == 7
    assert body["promised_limit"]["label"] == "8个工作日"
    assert client.get(f"{API}/bundles/{BUNDLE}", {"option": "B"}).json()["items"][0]["code"] == HR
    assert client.get(f"{API}/bundles/{BUNDLE}", {"option": "Z"}).status_code == 404


def test_the_compression_statistics_are_public(client, small_catalogue):
    body = client.get(f"{API}/stats").json()
    assert body["item_count"] == 3 and body["instant_share"] == pytest.approx(1 / 3, abs=1e-4)


def test_importing_needs_a_login(client, demo_org):
    response = client.post(f"{API}/import", json.dumps(catalogue()), content_type="application/json")
    assert response.status_code == 401


def test_a_non_administrator_may_not_import(client, persona):
    client.force_login(persona("scjg_reviewer"))
    response = client.post(f"{API}/import", json.dumps(catalogue()), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not ServiceItem.objects.exists()


def test_an_administrator_imports_a_json_body(client, persona):
    client.force_login(persona("admin"))
    response = client.post(f"{API}/import", json.dumps(catalogue()), content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["items_created"] == 3


def test_a_dry_run_upload_saves_nothing(client, persona):
    client.force_login(persona("admin"))
    upload = io.BytesIO(json.dumps(catalogue()).encode())
    upload.name = "catalogue.json"
    response = client.post(f"{API}/import?dry_run=true", {"file": upload})
    assert response.status_code == 200, response.content
    assert response.json()["dry_run"] is True
    assert not ServiceItem.objects.exists()


@pytest.mark.parametrize(
    "body", ["{not json", "[]", json.dumps({"items": [{"code": "x"}]}), json.dumps({"items": 3})]
)
def test_a_garbage_import_is_a_422_problem_listing_the_errors(client, persona, body):
    client.force_login(persona("admin"))
    response = client.post(f"{API}/import", body, content_type="application/json")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]
    assert not ServiceItemVersion.objects.exists()


def test_a_malformed_import_lists_every_error(client, persona):
    client.force_login(persona("admin"))
    data = catalogue()
    data["items"][0]["kind"] = "permit"
    data["items"][1]["version"]["fee"] = "free"
    response = client.post(f"{API}/import", json.dumps(data), content_type="application/json")
    assert response.status_code == 422
    assert [e["path"] for e in response.json()["errors"]] == ["items[0].kind", "items[1].version.fee"]


def test_an_upload_with_an_unknown_extension_is_refused(client, persona):
    client.force_login(persona("admin"))
    upload = io.BytesIO(b"hello")
    upload.name = "catalogue.txt"
    assert client.post(f"{API}/import", {"file": upload}).status_code == 422


def test_an_administrator_exports_excel(client, persona, small_catalogue):
    client.force_login(persona("admin"))
    response = client.get(f"{API}/export", {"format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book["items"].max_row == 4


def test_exporting_needs_the_administrator_role(client, persona, small_catalogue):
    client.force_login(persona("window1"))
    assert client.get(f"{API}/export").status_code == 403


def test_an_unknown_export_format_is_a_422(client, persona, small_catalogue):
    client.force_login(persona("admin"))
    assert client.get(f"{API}/export", {"format": "pdf"}).status_code == 422
