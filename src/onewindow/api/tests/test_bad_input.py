"""Bad input on every URL of the project is a clear 4xx, never a 500: control characters in path,
query, form fields, file names and JSON (at any depth), JSON bombs, non-JSON API bodies, absurd
dates and forged worklist cursors. The URLs come from the resolver and the OpenAPI document
(``surface.routes``), so a new page or endpoint is covered without being listed here.

PostgreSQL is where NUL fails (its text cannot hold it; SQLite stores it): the suite runs on both.
Each request runs in a savepoint that is rolled back, so one request's effects (or a failed
statement on PostgreSQL) cannot change what the next one sees. Signed in as a superuser, so that
input gets past the permission checks to the code that parses it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client

from onewindow.api.main import api
from onewindow.api.tests.surface import Route, routes, string_fields
from onewindow.cases.tests.factories import PDF, draft, enterprise
from onewindow.complaints.models import Complaint

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
# Paths and query strings refuse every C0 control character and DEL; text refuses all but tab,
# line feed and carriage return (and lone surrogates, which JSON can spell).
LINE_CHARS = {"nul": "\x00", "escape": "\x1b", "newline": "\n", "delete": "\x7f"}
TEXT_CHARS = {"nul": "\x00", "escape": "\x1b", "backspace": "\x08", "delete": "\x7f"}
ABSURD_DATES = {
    "year_1": "0001-01-01",
    "year_9999": "9999-12-31",
    "year_1_at_plus_14": "0001-01-01T00:00:00+14:00",
    "year_9999_at_minus_14": "9999-12-31T23:59:59-14:00",
}
# Query parameters that pages read as dates, periods or cursors (pages have no schema to ask).
PAGE_DATE_PARAMS = ("day", "month", "year", "start", "end", "due_before", "from", "to", "date")
# The pages that read dates: each must refuse an absurd one with 400 (the others ignore them).
# A working Monday inside the demo calendar.
A_MONDAY = dt.datetime(2025, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DATE_PAGES = ("/stats/", "/stats/cases", "/stats/export.xlsx", "/feedback/rates")


def _cursor(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


FORGED_CURSORS = {
    "year_1_at_plus_14": _cursor(["0001-01-01T00:00:00+14:00", 1]),
    "year_9999_at_minus_14": _cursor(["9999-12-31T23:59:59-14:00", 1]),
    "id_past_bigint": _cursor([None, 2**80]),
    "naive_time": _cursor(["2025-01-01T00:00:00", 1]),
    "nested": _cursor(b"[" * 100_000),
    "not_base64": "%%%",
}


class Surface:
    """A signed-in client that sends each request in a savepoint and rolls it back."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.failures: list[str] = []

    def send(self, method: str, url: str, **kwargs: Any) -> HttpResponse:
        savepoint = transaction.savepoint()
        try:
            return getattr(self.client, method)(url, **kwargs)
        finally:
            transaction.savepoint_rollback(savepoint)

    def expect(self, method: str, url: str, ok: Callable[[HttpResponse], bool], **kwargs: Any) -> None:
        response = self.send(method, url, **kwargs)
        if not ok(response):
            self.failures.append(
                f"{method.upper()} {url!r} → {response.status_code} {response.get('Content-Type')}"
            )

    def expect_refused(self, method: str, url: str, *, api: bool, status: int = 400, **kwargs: Any) -> None:
        """``status`` with problem+json from the API, with the 400 page from pages."""

        def ok(response: HttpResponse) -> bool:
            kind = response.get("Content-Type", "")
            return response.status_code == status and (
                kind == PROBLEM if api else kind.startswith("text/html")
            )

        self.expect(method, url, ok, **kwargs)


@pytest.fixture
def surface(client, django_user_model) -> Surface:
    """For input the edge refuses before any view runs: no data needed, so no demo hall."""
    client.force_login(django_user_model.objects.create_superuser("edge", "edge@example.invalid", None))
    client.raise_request_exception = False
    return Surface(client)


@pytest.fixture
def hall_surface(hall, persona, client) -> Surface:
    """For input that reaches the views: the demo hall, as its superuser (every permission check
    passes, so the input gets to the code that parses it)."""
    client.force_login(persona("admin"))
    client.raise_request_exception = False
    return Surface(client)


def _routes(*, admin: bool = True, api_only: bool = False, pages_only: bool = False) -> list[Route]:
    return [
        r
        for r in routes()
        if (admin or not r.is_admin) and (not api_only or r.is_api) and (not pages_only or not r.is_api)
    ]


def test_the_surface_holds_every_page_and_every_documented_operation():
    found = routes()
    documented = api.get_openapi_schema()["paths"]
    assert {r.route for r in found if r.is_api} >= {
        p.removeprefix("/").replace("{", "<").replace("}", ">") for p in documented
    }
    assert {"guide/", "apply/<str:code>", "department/", "stats/", "feedback/rates"} <= {
        r.route for r in found
    }


REPORTED = ["/guide/?q=a%00", "/api/v1/catalog/items?q=%00", "/api/v1/org/regions/43%00", "/apply/a%00"]


def test_the_reported_reproducers_get_a_clear_400_and_a_bad_cookie_is_dropped(surface):
    surface.client.logout()
    for url in REPORTED:
        response = surface.send("get", url)
        assert response.status_code == 400, url
        if url.startswith("/api/"):
            assert response["Content-Type"] == PROBLEM and response.json()["code"] == "control_character"
            assert "U+0000" in response.json()["detail"]
        else:
            assert "含有不允许的控制字符 U+0000" in response.content.decode()
    # A session cookie spelled with an octal escape ("\000") reached the session store as NUL.
    surface.client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    assert surface.send("get", "/guide/", data={"q": "营业执照"}).status_code == 200


def test_a_control_character_in_any_path_parameter_is_refused(surface):
    for route in _routes():
        for name in (n for n in route.params if n not in route.int_params):
            for char in LINE_CHARS.values() if not route.is_admin else ("\x00",):
                for method in route.methods if not route.is_admin else ("get",):
                    surface.expect_refused(method, route.url(**{name: f"a{char}"}), api=route.is_api)
    assert not surface.failures, "\n".join(surface.failures)


def test_a_control_character_in_any_query_parameter_is_refused(surface):
    for route in _routes():
        for char in LINE_CHARS.values() if not route.is_admin else ("\x00",):
            query = urlencode({name: f"a{char}" for name in {"q", *route.query}})
            for method in route.methods if not route.is_admin else ("get",):
                surface.expect_refused(method, f"{route.url()}?{query}", api=route.is_api)
    assert not surface.failures, "\n".join(surface.failures)


def test_a_control_character_in_any_form_field_or_upload_is_refused(surface):
    for char in TEXT_CHARS.values():
        form = {"name": f"张三{char}", "q": "a", "text": "第一行\r\n第二行"}
        for route in _routes(pages_only=True, admin=False):
            url = route.url()
            surface.expect_refused("post", url, api=False, data=urlencode(form), content_type=FORM)
            surface.expect_refused("post", url, api=False, data=form)  # multipart
            surface.expect_refused("post", url, api=False, data={"file": _upload(char)})
        for route in _routes(api_only=True):
            for method in route.body_methods():
                if "multipart/form-data" in route.operations[method].get("requestBody", {}).get(
                    "content", {}
                ):
                    surface.expect_refused(method, route.url(), api=True, data={"file": _upload(char)})
    assert not surface.failures, "\n".join(surface.failures)


def _upload(char: str) -> SimpleUploadedFile:
    """A PDF whose declared type holds ``char`` (Django already drops control characters from
    file names, not from the part's type, which the window stores)."""
    return SimpleUploadedFile(f"营业执照{char}.pdf", b"%PDF-1.4\n", content_type=f"application/pdf{char}")


def test_a_control_character_in_any_json_string_or_key_is_refused_at_any_depth(surface):
    document = api.get_openapi_schema()
    for char in [*TEXT_CHARS.values(), "\ud800"]:  # and a lone surrogate, which JSON can spell
        for route in _routes(api_only=True):
            for method in route.body_methods():
                content = route.operations[method].get("requestBody", {}).get("content", {})
                shaped = (
                    string_fields(content["application/json"]["schema"], document, f"a{char}")
                    if "application/json" in content
                    else None
                )
                nested = {"form_data": {"经营范围": [{"备注": f"a{char}"}]}}
                keyed = {"form_data": {f"key{char}": "value"}}
                for body in (shaped, nested, keyed):
                    if body is not None and _holds(body, char):
                        surface.expect_refused(
                            method, route.url(), api=True, data=json.dumps(body), content_type=JSON
                        )
    assert not surface.failures, "\n".join(surface.failures)


def _holds(body: Any, char: str) -> bool:
    """Whether some string or key of ``body`` holds ``char`` (a schema without strings cannot)."""
    return char in json.dumps(body, ensure_ascii=False)


NOT_JSON_BODIES = [
    ("[" * 100_000 + "]" * 100_000, JSON, 400),  # RecursionError in json.loads
    ('{"a":' * 70 + "1" + "}" * 70, JSON, 400),  # deeper than MAX_DEPTH
    ('{"reason": "csrf-shaped"}', "text/plain", 415),  # what a cross-site form can send
    ("reason=csrf-shaped", FORM, 415),
    ("--x\r\n", "multipart/form-data", 400),  # no boundary: Django's parser gives up
]


def test_an_api_body_that_is_too_deep_or_not_json_is_refused(surface):
    for route in _routes(api_only=True):
        for method in route.body_methods():
            for body, content_type, status in NOT_JSON_BODIES:
                surface.expect_refused(
                    method, route.url(), api=True, status=status, data=body, content_type=content_type
                )
    assert not surface.failures, "\n".join(surface.failures)


def test_absurd_dates_and_forged_cursors_are_refused(hall_surface):
    surface = hall_surface
    refused = lambda r: r.status_code in (400, 422)  # noqa: E731
    checked = 0
    for value in ABSURD_DATES.values():
        for route in _routes(api_only=True):
            for name in route.date_query:
                checked += 1
                surface.expect("get", route.url(), refused, data={name: value})
        query = {name: value for name in PAGE_DATE_PARAMS} | {"month": value[:7], "year": value[:4]}
        for route in _routes(pages_only=True, admin=False):
            if "get" in route.methods and route.url() not in DATE_PAGES:  # these ignore dates
                surface.expect("get", route.url(), lambda r: r.status_code < 500, data=query)
        for page in DATE_PAGES:
            for period in ("custom", "day", "month", "year"):
                surface.expect("get", page, lambda r: r.status_code == 400, data={**query, "period": period})
    for cursor in FORGED_CURSORS.values():
        surface.expect("get", "/api/v1/cases/worklist", refused, data={"after": cursor})
        surface.expect("get", "/department/", lambda r: r.status_code == 400, data={"after": cursor})
    assert checked >= 3 * len(ABSURD_DATES)  # ratings (start, end), worklist (due_before)
    assert not surface.failures, "\n".join(surface.failures)


def test_chinese_text_line_breaks_tabs_and_uploads_pass_the_edge(hall_surface, persona):
    surface = hall_surface
    with time_machine.travel(A_MONDAY, tick=False):
        response = surface.client.get("/guide/", {"q": "营业执照"})
        assert response.status_code == 200
        text = "第一行\r\n\t第二行：营业执照（副本）"
        form = {"klass": "suggestion", "subject": "建议", "text": text, "anonymous": "on"}
        response = surface.client.post("/feedback/complain", urlencode(form), content_type=FORM)
        assert response.status_code == 200, response.content
        assert Complaint.objects.get().text.replace("\r\n", "\n") == text.replace("\r\n", "\n")
        officer = persona("window1")
        application = draft(officer, enterprise(), item="430702-SCJG-0002")
        key = application.materials.select_related("material").first().material.key
        surface.client.force_login(officer)
        upload = SimpleUploadedFile("营业执照 副本.pdf", PDF, content_type="application/pdf")
        url = f"/api/v1/cases/applications/{application.draft_ref}/materials/{key}"
        response = surface.client.post(url, {"file": upload})
        assert response.status_code == 200, response.content
        assert response.json()["original_name"] == "营业执照 副本.pdf"
