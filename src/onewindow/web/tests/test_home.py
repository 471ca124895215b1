import pytest

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_the_hall_and_its_windows(client, demo_org):
    page = client.get("/").content.decode()
    assert "常德市武陵区政务服务中心" in page
    assert "企业开办" in page and "统一出件" in page
    assert "河洑镇便民服务中心" in page


def test_the_home_page_explains_how_to_set_up_an_empty_hall(client):
    page = client.get("/").content.decode()
    assert "load-demo" in page


def test_health_reports_the_database(client):
    assert client.get("/healthz").json()["status"] == "ok"


def test_the_api_docs_are_served_without_a_cdn(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in page.lower()
