import pytest
from django.contrib.auth import get_user_model

from onewindow.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged_in(client):
    user = get_user_model().objects.create_superuser(username="root", password="pw-123456")
    client.force_login(user)
    return client, user


def test_the_admin_lists_events_but_offers_no_change_or_delete(admin_client_logged_in):
    client, user = admin_client_logged_in
    event = audit_record(actor=user, action="test.touch")
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    response = client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"action": "forged"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.action == "test.touch"
