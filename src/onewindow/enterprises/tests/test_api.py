"""The register's endpoints: form and name checks, enterprises, the hosting registry."""

import json

import pytest

from onewindow.enterprises.tests.factories import company_form, established, scjg

pytestmark = pytest.mark.django_db
BASE = "/api/v1/enterprises"


def post(client, url, body):
    return client.post(
        url, data=body if isinstance(body, str) else json.dumps(body), content_type="application/json"
    )


def test_a_good_form_validates_to_its_cleaned_data(client, persona, register):
    client.force_login(persona("window2"))
    response = post(client, f"{BASE}/forms/establish/validate?region=430702000000", company_form())
    assert response.status_code == 200, response.content
    assert response.json()["data"]["derived"]["name"] == "常德市武陵区鼎盛餐饮管理有限公司"


def test_a_bad_form_is_a_422_problem_with_every_field_error(client, persona, register):
    client.force_login(persona("window2"))
    data = company_form(trade_name="中华", capital=10**40)
    response = post(client, f"{BASE}/forms/establish/validate?region=430702000000", data)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]["capital"] == ["数值超出范围或位数过多"]
    rules = post(
        client, f"{BASE}/forms/establish/validate?region=430702000000", company_form(trade_name="中华")
    )
    assert "name.trade_name" in rules.json()["errors"]


@pytest.mark.parametrize(
    "body", ["{not json", "[1, 2]", '"text"', json.dumps({"name": {"trade_name": "\u0000"}})]
)
def test_a_garbage_body_is_a_4xx_never_a_500(client, persona, register, body):
    client.force_login(persona("window2"))
    response = post(client, f"{BASE}/forms/establish/validate?region=430702000000", body)
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/problem+json"


def test_an_unknown_kind_or_region_is_refused(client, persona, register):
    client.force_login(persona("window2"))
    assert post(client, f"{BASE}/forms/merge/validate?region=430702000000", {}).status_code == 422
    assert post(client, f"{BASE}/forms/establish/validate?region=990000000000", {}).status_code == 422
    assert post(client, f"{BASE}/forms/establish/validate?region=430799000000", {}).status_code == 404


def test_the_form_schema_is_published(client, persona, register):
    client.force_login(persona("window2"))
    schema = client.get(f"{BASE}/forms/individual/schema").json()
    assert "operator" in schema["properties"]


def test_the_name_check_splits_a_full_name_and_finds_a_duplicate(client, persona, register):
    established()
    client.force_login(persona("window2"))
    response = post(
        client,
        f"{BASE}/names/check",
        {
            "enterprise_type": "limited_company",
            "region": "430702000000",
            "full_name": "常德市武陵区鼎盛餐饮管理有限公司",
        },
    )
    body = response.json()
    assert body["parts"] == {
        "region": "常德市武陵区",
        "trade_name": "鼎盛",
        "industry": "餐饮管理",
        "form": "有限公司",
    }
    assert (body["ok"], body["problems"]) == (False, [])
    assert "常德市武陵区鼎盛餐饮管理有限公司" in body["conflict"]


def test_the_name_check_reports_forbidden_words_by_part(client, persona, register):
    client.force_login(persona("window2"))
    body = post(
        client,
        f"{BASE}/names/check",
        {
            "enterprise_type": "limited_company",
            "region": "430702000000",
            "name": {
                "region": "常德市武陵区",
                "trade_name": "联合国",
                "industry": "餐饮",
                "form": "有限公司",
            },
        },
    ).json()
    assert body["ok"] is False
    assert [p["part"] for p in body["problems"]] == ["trade_name"]


def test_the_scope_list_is_public_and_searchable(client, register):
    rows = client.get(f"{BASE}/scope-items", {"q": "软件"}).json()
    assert [r["name"] for r in rows] == ["软件开发"]


def test_staff_read_an_enterprise_with_its_versions(client, persona, register):
    enterprise = established()
    client.force_login(persona("scjg_reviewer"))
    body = client.get(f"{BASE}/{enterprise.uscc}").json()
    assert (body["uscc"], body["name"], body["type_label"]) == (
        enterprise.uscc,
        enterprise.name,
        "有限责任公司",
    )
    assert [v["number"] for v in body["versions"]] == [1]


def test_an_unknown_code_is_a_404_and_a_malformed_one_a_422(client, persona, register):
    client.force_login(persona("scjg_reviewer"))
    assert client.get(f"{BASE}/91430702MA0000015F").status_code == 404
    assert client.get(f"{BASE}/91430702MA0000015X").status_code == 422
    assert client.get(f"{BASE}/not-a-code").status_code == 422


def test_reading_needs_a_login(client, register):
    enterprise = established()
    assert client.get(f"{BASE}/{enterprise.uscc}").status_code == 401


def test_market_regulation_sees_the_hosting_registry_and_another_department_does_not(
    client, persona, hosting_company
):
    client.force_login(persona("scjg_reviewer"))
    rows = client.get(f"{BASE}/hosting-companies").json()
    assert [(r["name"], r["capacity"], r["held"]) for r in rows] == [(hosting_company.name, 2, 0)]
    detail = client.get(f"{BASE}/hosting-companies/{hosting_company.uscc}").json()
    assert (detail["free"], detail["hosted"]) == (2, [])
    client.force_login(persona("sw_reviewer"))
    assert client.get(f"{BASE}/hosting-companies").json() == []
    assert client.get(f"{BASE}/hosting-companies/{hosting_company.uscc}").status_code == 403


def test_the_window_records_an_agreement_until_the_company_is_full(client, persona, hosting_company):
    client.force_login(persona("window2"))
    url = f"{BASE}/hosting-companies/{hosting_company.uscc}/agreements"
    body = {
        "starts_on": "2025-03-10",
        "ends_on": "2026-03-09",
        "proposed_name": "常德市武陵区云帆网络科技有限公司",
    }
    assert [post(client, url, body).status_code for _ in range(2)] == [201, 201]
    full = post(client, url, body)
    assert full.status_code == 422 and "托管容量已满" in full.json()["detail"]


def test_the_hosting_registry_is_created_by_market_regulation(client, persona, register):
    client.force_login(persona("scjg_leader"))
    body = {
        "name": "常德市武陵区启航商务秘书服务有限公司",
        "uscc": "91430702MA0000015F",
        "address": "湖南省常德市武陵区武陵大道568号",
        "region": "430702000000",
        "authority": scjg().pk,
        "capacity": 80,
        "allowed_industries": ["信息传输、软件和信息技术服务业"],
    }
    response = post(client, f"{BASE}/hosting-companies", body)
    assert response.status_code == 201, response.content
    assert response.json()["held"] == 0
    assert post(client, f"{BASE}/hosting-companies", body).status_code == 422  # registered already
    client.force_login(persona("window2"))
    assert (
        post(client, f"{BASE}/hosting-companies", {**body, "uscc": "91430702MA0000023A"}).status_code == 403
    )


@pytest.mark.parametrize("agreement_id", ["0", "99999999999999999999999", "abc"])
def test_a_malformed_agreement_id_is_a_422(client, persona, register, agreement_id):
    client.force_login(persona("scjg_leader"))
    assert client.get(f"{BASE}/hosting-agreements/{agreement_id}").status_code == 422


def test_an_unknown_agreement_is_a_404(client, persona, register):
    client.force_login(persona("scjg_leader"))
    assert client.get(f"{BASE}/hosting-agreements/12345").status_code == 404


def test_the_address_check_names_who_is_registered_there(client, persona, register):
    established()
    client.force_login(persona("window2"))
    body = client.get(
        f"{BASE}/address-check", {"region": "430702000000", "address": "武陵区人民路100号"}
    ).json()
    assert body["in_use"] == ["常德市武陵区鼎盛餐饮管理有限公司"]
    assert body["needs_confirmation"] is True
