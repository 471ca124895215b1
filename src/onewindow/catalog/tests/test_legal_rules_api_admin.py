"""The legal-rule fields in the catalogue API (public guide data) and the catalogue admin."""

import pytest

from onewindow.catalog.models import Bundle, ServiceItem
from onewindow.catalog.services import VERSION_FIELDS, catalogue_import
from onewindow.catalog.tests.catalogues import BUNDLE, FOOD, HR, STEP_BASIS, VERSION_BASIS, legal_catalogue

pytestmark = pytest.mark.django_db

API = "/api/v1/catalog"


@pytest.fixture
def legal(demo_org) -> None:
    catalogue_import(legal_catalogue(), actor=None)


@pytest.fixture
def admin_client(client, persona, legal):
    client.force_login(persona("admin"))
    return client


def test_an_items_guide_data_names_each_steps_deemed_consent_basis(client, legal):
    body = client.get(f"{API}/items/{FOOD}").json()
    assert [(s["kind"], s["department_code"], s["deemed_consent_basis"]) for s in body["steps"]] == [
        ("accept", "XZSP", ""),
        ("review", "GA", STEP_BASIS),
        ("inspect", "SCJG", ""),
        ("decide", "SCJG", ""),
    ]
    assert (body["deemed_consent_days"], body["deemed_consent_basis"]) == (5, VERSION_BASIS)
    assert body["collect_for_higher_tier"] is False
    assert client.get(f"{API}/items/{HR}").json()["collect_for_higher_tier"] is True


def test_a_joint_bundle_shows_its_45_day_limit_and_15_day_extension(client, legal):
    body = client.get(f"{API}/bundles/{BUNDLE}").json()
    assert body["joint_handling"] is True
    assert body["joint_limit"] == {"value": 45, "unit": "workday", "label": "45个工作日"}
    assert body["joint_extension"]["label"] == "15个工作日"
    one_department = client.get(f"{API}/bundles/{BUNDLE}", {"option": "B"}).json()
    assert (one_department["joint_limit"], one_department["joint_extension"]) == (None, None)
    listed = {b["code"]: b for b in client.get(f"{API}/bundles").json()}
    assert listed[BUNDLE]["joint_handling"] is True


def test_the_admin_shows_a_versions_steps_with_their_bases(admin_client):
    version = ServiceItem.objects.get(code=FOOD).current_version
    page = admin_client.get(f"/admin/catalog/serviceitemversion/{version.pk}/change/").content.decode()
    assert STEP_BASIS in page and VERSION_BASIS in page


def test_a_revision_in_the_admin_changes_the_versions_basis_into_a_new_version(admin_client):
    item = ServiceItem.objects.get(code=FOOD)
    old = item.current_version
    data = {}
    for name in VERSION_FIELDS:
        value = getattr(old, name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    data["deemed_consent_basis"] = "新的依据"
    response = admin_client.post(f"/admin/catalog/serviceitem/{item.pk}/revise/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert (item.current_version.number, item.current_version.deemed_consent_basis) == (2, "新的依据")
    data["deemed_consent_basis"] = ""
    page = admin_client.post(f"/admin/catalog/serviceitem/{item.pk}/revise/", data)
    assert page.status_code == 200 and "缺席默认须写明依据" in page.content.decode()
    assert item.versions.count() == 2


def test_the_admin_item_page_edits_collect_for_higher_tier(admin_client):
    item = ServiceItem.objects.get(code=FOOD)
    page = admin_client.get(f"/admin/catalog/serviceitem/{item.pk}/change/").content.decode()
    assert 'name="collect_for_higher_tier"' in page
    data = {
        "code": item.code,
        "name": item.name,
        "short_name": item.short_name,
        "kind": item.kind,
        "department": item.department_id,
        "audience": item.audience,
        "topics": [t.pk for t in item.topics.all()],
        "collect_for_higher_tier": "on",
        "source_seed": item.source_seed,
        "source_note": item.source_note,
        "devolutions-TOTAL_FORMS": "0",
        "devolutions-INITIAL_FORMS": "0",
    }
    response = admin_client.post(f"/admin/catalog/serviceitem/{item.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    item.refresh_from_db()
    assert item.collect_for_higher_tier
    assert item.versions.count() == 1  # an item-level field: no new version


def test_the_admin_lists_bundles_with_joint_handling(admin_client):
    page = admin_client.get("/admin/catalog/bundle/", {"joint_handling__exact": "1"}).content.decode()
    assert Bundle.objects.get(code=BUNDLE).name in page
