"""Downloading an uploaded material (``/window/material/<id>``): staff who may see the application
only, always as an attachment with the checked type, never sniffed; and the browser's upload
check is given the server's own list of kinds."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.cases import services
from onewindow.cases.models import ApplicationMaterial
from onewindow.cases.tests.factories import draft, enterprise
from onewindow.core.tests import samples
from onewindow.core.uploads import MATERIAL_KINDS

pytestmark = pytest.mark.django_db
FOOD_PRODUCTION = "430702-SCJG-0002"


@pytest.fixture
def material(hall, persona) -> ApplicationMaterial:
    officer = persona("window1")
    application = draft(officer, enterprise(), item=FOOD_PRODUCTION)
    return services.application_attach_material(
        actor=officer,
        application=application,
        material_key="id_card",
        upload=SimpleUploadedFile("法定代表人身份证.pdf", samples.pdf(), content_type="application/pdf"),
    )


def test_a_material_downloads_as_an_attachment_with_its_type_its_chinese_name_and_nosniff(
    client, persona, material
):
    client.force_login(persona("window1"))
    response = client.get(f"/window/material/{material.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('法定代表人身份证.pdf')}"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == samples.pdf()


def test_a_file_kept_before_the_checks_is_served_as_an_opaque_download(client, persona, material):
    legacy = ApplicationMaterial.objects.filter(pk=material.pk)
    legacy.update(content_type="text/html", original_name="x.html")
    client.force_login(persona("window1"))
    response = client.get(f"/window/material/{material.pk}")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="x.html.bin"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_anonymous_visitor_cannot_download_a_material(client, material):
    response = client.get(f"/window/material/{material.pk}")
    assert response.status_code == 302 and response["Location"].startswith("/login")


def test_staff_who_may_not_see_the_application_cannot_download_its_material(client, persona, material):
    client.force_login(persona("hefu_window"))  # a town's window: not this county application
    response = client.get(f"/window/material/{material.pk}")
    assert response.status_code == 403 and not hasattr(response, "streaming_content")


def test_the_browser_check_is_given_the_servers_kinds_and_accept_list(client, persona, material):
    client.force_login(persona("window1"))
    page = client.get(f"/window/app/{material.application.draft_ref}").content.decode()
    kinds = re.search(r'data-kinds="([^"]*)"', page).group(1).split(";")
    assert [k.split(":")[1].split(",") for k in kinds] == [list(k.extensions) for k in MATERIAL_KINDS]
    assert [k.split(":")[2] for k in kinds] == [k.magic.hex() for k in MATERIAL_KINDS]
    accept = re.search(r'type="file"[^>]*accept="([^"]*)"', page).group(1).split(",")
    assert {".pdf", ".jpg", ".jpeg", ".png", ".ofd", "application/ofd"} <= set(accept)
