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


def test_pages_are_chinese_even_when_the_browser_prefers_english(client, demo_org):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "用户名" in response.content.decode()


def test_a_visitor_who_chooses_english_gets_english(client, demo_org):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/admin/login/")
    assert response["Content-Language"] == "en"
    assert "Username" in response.content.decode()
