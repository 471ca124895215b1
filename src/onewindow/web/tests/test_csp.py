"""The Content-Security-Policy (django-csp) allows scripts and styles from this site's files only,
and every page passes it: no inline <script>, no <style> element, no style= or on…= attribute, no
javascript: link, no asset from another host."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from onewindow.cases.tests.factories import accepted, enterprise
from onewindow.complaints.services import ComplaintIn, complaint_submit

pytestmark = pytest.mark.django_db
DATA_TYPES = {"application/json", "application/ld+json"}  # data blocks, never executed


class InlineFinder(HTMLParser):
    """Collects what a strict policy would block."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")
            if name in ("src", "href") and tag in ("script", "link", "img") and "//" in (value or "")[:8]:
                self.found.append(f"<{tag} {name}={value}> from another host")
        if tag == "style":
            self.found.append("<style> element")
        if tag == "script":
            self._script = named

    def handle_data(self, data: str) -> None:
        script = self._script
        if (
            script is not None
            and not script.get("src")
            and script.get("type") not in DATA_TYPES
            and data.strip()
        ):
            self.found.append(f"inline <script>: {data.strip()[:60]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


def blocked_by_policy(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


@pytest.fixture
def world(hall, persona):
    application = accepted(persona("window1"), enterprise(), item="430702-SCJG-0002")
    complaint = complaint_submit(
        data=ComplaintIn(
            klass="complaint", subject="排队久", text="两小时", contact_name="王", contact_phone="13907361234"
        )
    )
    return application, complaint


def public_pages(application, complaint) -> list[str]:
    suffix = application.applicant.id_number[-4:]
    return [
        "/",
        "/guide/",
        "/guide/?q=spscxk",
        "/guide/item/430702-SCJG-0002",
        f"/track?number={application.number}&suffix={suffix}",
        f"/feedback/rate?number={application.number}&suffix={suffix}",
        "/feedback/complain",
        f"/feedback/complaint?number={complaint.number}&phone=1234",
        "/verify/NOPE",
        "/apply/430702-SCJG-0002",
        "/login",
        "/api/v1/docs",
    ]


STAFF_PAGES = {
    "window1": ["/window/", "/window/?name=x&id_suffix=1234", "/window/applicant", "/window/delivery"],
    "scjg_reviewer": ["/department/"],
    "supervisor": ["/supervisor/", "/stats/", "/stats/definitions", "/feedback/rates"],
    "admin": ["/admin/", "/admin/accounts/signin/", "/admin/org/staff/"],
}


def test_every_response_carries_a_policy_without_unsafe_inline(client, hall):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe" not in policy


def test_the_public_pages_pass_the_policy(client, world):
    for url in public_pages(*world):
        page = client.get(url)
        assert page.status_code in (200, 404), url
        assert blocked_by_policy(page.content.decode()) == [], url


@pytest.mark.parametrize("username", list(STAFF_PAGES))
def test_the_staff_pages_pass_the_policy(client, world, persona, username):
    application, _complaint = world
    client.force_login(persona(username))
    urls = list(STAFF_PAGES[username])
    if username == "window1":
        urls.append(f"/window/app/{application.number}")
    if username == "scjg_reviewer":
        urls.append(f"/department/case/{application.cases.get().number}")
    if username == "admin":
        urls.append(f"/admin/org/staff/{persona('window1').staff.pk}/change/")
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200, url
        assert blocked_by_policy(page.content.decode()) == [], url


def test_the_two_factor_pages_pass_the_policy(client, world, settings):
    from onewindow.conftest import DEMO_PASSWORD

    settings.ONEWINDOW_REQUIRE_2FA = True
    client.post("/login", {"username": "supervisor", "password": DEMO_PASSWORD})
    page = client.get("/login/2fa/setup")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    assert blocked_by_policy(page.content.decode()) == []


def test_the_finder_catches_what_the_policy_blocks():
    assert blocked_by_policy('<select onchange="x()"></select><p style="color:red">') != []
    assert blocked_by_policy("<script>alert(1)</script><style>p{}</style>") != []
    assert (
        blocked_by_policy('<script src="/static/a.js"></script><script type="application/json">{}</script>')
        == []
    )
