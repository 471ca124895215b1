"""The catalogue admin: versions are read-only; revising goes through item_revise."""

import datetime as dt

import pytest

from onewindow.catalog.models import ServiceItem
from onewindow.catalog.services import VERSION_FIELDS
from onewindow.catalog.tests.catalogues import FOOD, HR

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, persona, small_catalogue):
    client.force_login(persona("admin"))
    return client


def revise_form(version, **changes):
    data = {}
    for name in VERSION_FIELDS:
        value = getattr(version, name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    data.update(changes)
    return data


def test_a_version_page_is_read_only(admin_client):
    version = ServiceItem.objects.get(code=FOOD).current_version
    page = admin_client.get(f"/admin/catalog/serviceitemversion/{version.pk}/change/")
    assert page.status_code == 200
    assert b'name="promised_limit_value"' not in page.content
    response = admin_client.post(f"/admin/catalog/serviceitemversion/{version.pk}/change/", {"fee": "9"})
    assert response.status_code == 403


def test_revising_in_the_admin_creates_a_new_version(admin_client):
    item = ServiceItem.objects.get(code=FOOD)
    old = item.current_version
    response = admin_client.post(
        f"/admin/catalog/serviceitem/{item.pk}/revise/", revise_form(old, promised_limit_value=6)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert item.current_version.number == 2 and item.current_version.promised_limit_value == 6
    old.refresh_from_db()
    assert old.promised_limit_value == 8


def test_an_invalid_revision_is_a_chinese_form_error(admin_client):
    item = ServiceItem.objects.get(code=FOOD)
    response = admin_client.post(
        f"/admin/catalog/serviceitem/{item.pk}/revise/",
        revise_form(item.current_version, promised_limit_value=30),
    )
    assert response.status_code == 200
    assert "不能长于法定时限" in response.content.decode()
    assert item.versions.count() == 1


def test_the_item_page_records_a_devolution_through_the_service(admin_client):
    item = ServiceItem.objects.get(code=HR)
    page = admin_client.get(f"/admin/catalog/serviceitem/{item.pk}/change/")
    assert page.status_code == 200
    data = {
        "code": item.code,
        "name": item.name,
        "short_name": "",
        "kind": item.kind,
        "department": item.department_id,
        "audience": item.audience,
        "topics": [t.pk for t in item.topics.all()],
        "source_seed": "",
        "source_note": "",
        "devolutions-TOTAL_FORMS": "1",
        "devolutions-INITIAL_FORMS": "0",
        "devolutions-0-tier": "town",
        "devolutions-0-action": "devolve",
        "devolutions-0-date": dt.date(2020, 5, 1).isoformat(),
        "devolutions-0-note": "下放乡街",
    }
    response = admin_client.post(f"/admin/catalog/serviceitem/{item.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    item.refresh_from_db()
    assert item.tier_town and item.devolutions.count() == 1


def test_the_import_page_lists_every_error(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("bad.json", b'{"items": [{"code": "x"}]}')
    response = admin_client.post("/admin/catalog/serviceitem/import/", {"file": upload})
    assert response.status_code == 200
    assert "必须填写" in response.content.decode()
