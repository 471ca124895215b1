"""免证办理: a material that an existing valid licence or a shared data source satisfies is not asked for."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

from onewindow.catalog.models import MaterialRequirement
from onewindow.catalog.services import catalogue_import
from onewindow.licences.services import licence_revoke, licences_expire_due
from onewindow.licences.sources import (
    ApplicantRegistrySource,
    HttpRegistrySource,
    LicenceLibrarySource,
    SharedDataSource,
    data_sources,
    materials_satisfied,
)

pytestmark = pytest.mark.django_db

CATALOGUE = {
    "materials": [
        {"key": "application_form", "name": "申请书"},
        {"key": "business_licence", "name": "营业执照", "satisfied_by": "licence:营业执照"},
        {"key": "id_card", "name": "法定代表人身份证", "satisfied_by": "data:applicant_registry"},
        {"key": "social_insurance", "name": "社保缴纳证明", "satisfied_by": "data:social_insurance"},
    ],
    "items": [
        {
            "code": "T-WJ-0001",
            "name": "公共场所卫生许可",
            "kind": "licence",
            "department": "WJ",
            "audience": "entity",
            "version": {
                "legal_limit": {"value": 20, "unit": "workday"},
                "promised_limit": {"value": 10, "unit": "workday"},
                "steps": [{"kind": "accept", "department": "XZSP"}, {"kind": "decide", "department": "WJ"}],
                "result": {"licence_type": "公共场所卫生许可证", "paper": True, "electronic": True},
                "materials": [
                    {"material": "application_form", "form": "original"},
                    {"material": "business_licence", "form": "copy"},
                    {"material": "id_card", "form": "copy"},
                ],
            },
        }
    ],
}


@pytest.fixture
def requirements(demo_org):
    report = catalogue_import(CATALOGUE, actor=None)
    assert not getattr(report, "problems", None), report
    return list(
        MaterialRequirement.objects.filter(version__item__code="T-WJ-0001").select_related("material")
    )


def asked_for(requirements, satisfied):
    return sorted(r.material.key for r in requirements if r.material.key not in satisfied)


def test_an_applicant_with_a_valid_business_licence_is_asked_for_one_material_less(
    requirements, enterprise, business_licence
):
    satisfied = materials_satisfied(applicant=enterprise, requirements=requirements)
    assert satisfied["business_licence"].reference == business_licence.number
    assert satisfied["business_licence"].licence_id == business_licence.pk
    assert asked_for(requirements, satisfied) == ["application_form"]  # id_card: applicant registry


def test_without_a_business_licence_it_must_be_supplied(requirements, enterprise, licence_types):
    satisfied = materials_satisfied(applicant=enterprise, requirements=requirements)
    assert asked_for(requirements, satisfied) == ["application_form", "business_licence"]


def test_a_revoked_licence_satisfies_nothing(requirements, enterprise, business_licence):
    licence_revoke(licence=business_licence, actor=None, reason="吊销营业执照")
    assert "business_licence" not in materials_satisfied(applicant=enterprise, requirements=requirements)


def test_an_expired_licence_satisfies_nothing_even_before_the_timer_runs(
    requirements, enterprise, food_licence, frozen
):
    requirement = SimpleNamespace(material=SimpleNamespace(key="food", satisfied_by="licence:食品经营许可证"))
    assert "food" in materials_satisfied(applicant=enterprise, requirements=[requirement])
    frozen.move_to("2030-03-10 09:00 +08:00")
    assert materials_satisfied(applicant=enterprise, requirements=[requirement]) == {}
    licences_expire_due(on=dt.date(2030, 3, 10))
    assert materials_satisfied(applicant=enterprise, requirements=[requirement]) == {}


def test_another_holders_licence_does_not_count(requirements, person, business_licence):
    assert "business_licence" not in materials_satisfied(applicant=person, requirements=requirements)


def test_requirements_are_read_by_duck_typing():
    requirement = SimpleNamespace(material=SimpleNamespace(key="x", satisfied_by=""))
    assert materials_satisfied(applicant=SimpleNamespace(pk=None), requirements=[requirement]) == {}


def test_the_built_in_sources_implement_the_protocol():
    assert all(isinstance(s, SharedDataSource) for s in (LicenceLibrarySource(), ApplicantRegistrySource()))


class FakeRegistry(BaseHTTPRequestHandler):
    """An external registry that knows one person's social insurance record."""

    known = "11010519491231002X"

    def do_GET(self):
        query = parse_qs(urlsplit(self.path).query)
        if urlsplit(self.path).path != "/evidence":
            self.send_error(404)
            return
        if query.get("id_number") == [self.known] and query.get("spec") == ["data:social_insurance"]:
            body = {"satisfied": True, "reference": "SB-2025-001", "summary": "社保连续缴纳36个月"}
        elif query.get("id_number") == ["BROKEN"]:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>not json")
            return
        else:
            body = {"satisfied": False}
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def registry_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRegistry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_http_adapter_returns_the_external_registrys_evidence(registry_url, person):
    source = HttpRegistrySource(base_url=registry_url, timeout=2)
    evidence = source.satisfies("data:social_insurance", person)
    assert (evidence.reference, evidence.summary, evidence.source) == (
        "SB-2025-001",
        "社保连续缴纳36个月",
        "external_registry",
    )


def test_the_http_adapter_answers_none_when_the_registry_has_no_record(registry_url, enterprise):
    assert HttpRegistrySource(base_url=registry_url).satisfies("data:social_insurance", enterprise) is None


def test_a_malformed_answer_counts_as_not_satisfied(registry_url):
    broken = SimpleNamespace(id_number="BROKEN")
    assert HttpRegistrySource(base_url=registry_url).satisfies("data:social_insurance", broken) is None


def test_an_unreachable_registry_does_not_block_intake(person):
    source = HttpRegistrySource(base_url="http://127.0.0.1:9", timeout=0.5)  # discard port: refused
    assert source.satisfies("data:social_insurance", person) is None


def test_the_configured_external_registry_is_asked_after_the_internal_sources(
    settings, registry_url, requirements, person
):
    settings.ONEWINDOW_EXTERNAL_REGISTRY_URL = registry_url
    assert [s.name for s in data_sources()] == ["licence_library", "applicant_registry", "external_registry"]
    requirement = SimpleNamespace(
        material=SimpleNamespace(key="social_insurance", satisfied_by="data:social_insurance")
    )
    satisfied = materials_satisfied(applicant=person, requirements=[requirement])
    assert satisfied["social_insurance"].reference == "SB-2025-001"


def test_only_http_urls_are_accepted_for_the_external_registry():
    with pytest.raises(ValueError, match="http"):
        HttpRegistrySource(base_url="file:///etc/passwd")
