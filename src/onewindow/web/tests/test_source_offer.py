"""GNU AGPL-3.0 §13: every page offers the source of the running version, served by the server."""

import io
import tarfile

import pytest

pytestmark = pytest.mark.django_db


def test_every_page_links_to_the_source_and_the_server_serves_it(client):
    page = client.get("/")
    assert 'href="/source.tar.gz"' in page.content.decode()
    response = client.get("/source.tar.gz")
    assert response.status_code == 200 and response["Content-Type"] == "application/gzip"
    with tarfile.open(
        fileobj=io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ) as archive:
        names = archive.getnames()
    assert any(name.endswith("onewindow/cases/transitions.py") for name in names)
    assert any(name.endswith("/LICENSE") for name in names)
    assert not any(name.endswith(".pyc") or "__pycache__" in name for name in names)


def test_a_configured_public_copy_is_linked_instead(client, settings):
    settings.ONEWINDOW_SOURCE_URL = "https://example.org/onewindow/v0.1.0"
    assert 'href="https://example.org/onewindow/v0.1.0"' in client.get("/").content.decode()
