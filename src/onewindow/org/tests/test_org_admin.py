"""Bad input in the admin gets a form error in Chinese, not a 500."""

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.org.models import Applicant, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, persona):
    client.force_login(persona("admin"))
    return client


def test_the_admin_refuses_an_invalid_identity_number_and_says_which_character(admin_client):
    response = admin_client.post(
        "/admin/org/applicant/add/",
        {"kind": "person", "name": "张三", "id_number": "110105194912310021", "phone": "13907361234"},
    )
    assert response.status_code == 200
    assert "第18位" in response.content.decode()
    assert not Applicant.objects.exists()


def test_the_admin_refuses_an_invalid_region_code(admin_client):
    response = admin_client.post(
        "/admin/org/region/add/", {"code": "43070X000000", "name": "错", "level": "county"}
    )
    assert response.status_code == 200
    assert "区划代码" in response.content.decode()
    assert not Region.objects.filter(name="错").exists()


def test_an_admin_change_leaves_an_audit_event(admin_client):
    region = Region.objects.get(code="430702100201")
    response = admin_client.post(
        f"/admin/org/region/{region.pk}/change/",
        {"code": region.code, "name": "山铺村（改）", "level": "village", "parent": region.parent_id},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="region.admin_update").get()
    assert event.after == {"name": "山铺村（改）"}


def test_the_admin_speaks_chinese(admin_client):
    assert "行政区划" in admin_client.get("/admin/").content.decode()
