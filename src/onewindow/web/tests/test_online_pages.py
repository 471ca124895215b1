"""网上申请 pages through Django's test client: identify, upload, commit, submit, correct, resubmit."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.cases.models import Application, ApplicationStatus, Channel, MaterialState
from onewindow.cases.tests.factories import PDF, enterprise
from onewindow.conftest import DEMO_PASSWORD
from onewindow.org import idcodes
from onewindow.org.models import Applicant

pytestmark = pytest.mark.django_db
START = "/apply/430702-YJS-0001?option=D"


def uscc(seed: int = 7) -> str:
    return idcodes.generate_uscc(random.Random(seed), region6="430702")


def registration_post(trade_name: str = "网申") -> dict:
    """The registration section of the page, filled in as a founder would (设立登记)."""
    founder_id = idcodes.generate_resident_id(random.Random(3), region6="430702", birth=dt.date(1985, 6, 1))
    return {
        "reg-enterprise_type": "limited_company",
        "reg-name_region": "常德市武陵区",
        "reg-name_trade": trade_name,
        "reg-name_industry": "科技",
        "reg-name_form": "有限公司",
        "reg-capital": "1000000",
        "reg-scope": "软件开发\n信息技术咨询服务",
        "reg-address": "湖南省常德市武陵区洞庭大道1号",
        "reg-leader_name": "李网申",
        "reg-leader_id": founder_id,
        "reg-investor1_name": "李网申",
        "reg-investor1_id": founder_id,
        "reg-investor1_contribution": "1000000",
        "reg-investor1_share": "100",
        "reg-contact_name": "李网申",
        "reg-contact_phone": "13907369999",
        "reg-tax_officer_name": "李网申",
        "reg-tax_officer_id": founder_id,
        "reg-tax_officer_phone": "13907369999",
        "reg-insured_count": "3",
    }


def identity(**overrides) -> dict:
    data = {
        **registration_post(),
        "kind": "entity",
        "name": "常德市武陵区网申科技有限公司",
        "id_number": uscc(),
        "legal_representative": "李网申",
        "phone": "13907369999",
        "delivery_method": "electronic",
        "delivery_address": "",
    }
    return {**data, **overrides}


def start(client, **overrides):
    response = client.post(START, identity(**overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    number = identity(**overrides)["id_number"]
    application = Application.objects.get(channel=Channel.ONLINE, applicant__id_number=number)
    return response["Location"], application


def test_the_bundle_guide_offers_online_application_and_the_form_checks_the_id(client, hall):
    guide = client.get("/guide/bundle/430702-YJS-0001", {"option": "D"}).content.decode()
    assert "/apply/430702-YJS-0001?option=D" in guide
    page = client.get(START)
    assert page.status_code == 200 and "data-id-check" in page.content.decode()
    wrong = identity(id_number=uscc()[:-1] + ("0" if uscc()[-1] != "0" else "1"))
    refused = client.post(START, wrong)
    assert refused.status_code == 400 and 'role="alert"' in refused.content.decode()
    assert not Application.objects.exists()
    assert client.get("/apply/430702-YJS-0001?option=Z").status_code == 404
    assert client.get("/apply/NO-SUCH-CODE").status_code == 404


def test_an_entity_needs_its_legal_representative_and_mail_needs_an_address(client, hall):
    page = client.post(START, identity(legal_representative=""))
    assert page.status_code == 400 and "法定代表人" in page.content.decode()
    page = client.post(START, identity(delivery_method="mail"))
    assert page.status_code == 400 and "邮寄地址" in page.content.decode()
    assert not Application.objects.exists()


def test_a_known_number_must_come_with_the_registered_name(client, hall):
    known = enterprise()
    page = client.post(START, identity(id_number=known.id_number, name="别的公司"))
    assert page.status_code == 400 and "不一致" in page.content.decode()
    _link, application = start(client, id_number=known.id_number, name=known.name)
    assert application.applicant == known and Applicant.objects.filter(id_number=known.id_number).count() == 1


def test_the_continue_link_is_the_only_way_in(client, hall):
    link, application = start(client)
    assert link == f"/apply/continue/{application.draft_ref}/{application.access_token}"
    page = client.get(link).content.decode()
    assert application.draft_ref in page and link in page
    assert application.materials.count() == 6
    assert client.get(f"/apply/continue/{application.draft_ref}/wrong-token").status_code == 404
    bad = client.post(f"/apply/continue/{application.draft_ref}/wrong-token/submit")
    assert bad.status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_upload_errors_are_shown_on_the_page(client, hall):
    link, application = start(client)
    key = application.materials.select_related("material").first().material.key
    page = client.post(
        link + "/upload", {"material": key, "file": SimpleUploadedFile("x.txt", b"hello world", "text/plain")}
    )
    assert page.status_code == 400 and "不是可接受的类型" in page.content.decode()


def test_apply_correct_resubmit_and_be_accepted(client, hall, persona):
    link, application = start(client)
    rows = list(application.materials.select_related("material"))
    committed = [r for r in rows if r.commitment_allowed]
    for row in committed:
        assert client.post(link + "/commit", {"material": row.material.key}).status_code == 302
    skipped = next(r for r in rows if not r.commitment_allowed and r.state == MaterialState.MISSING)
    for row in rows:
        if row in committed or row == skipped or row.state != MaterialState.MISSING:
            continue
        upload = SimpleUploadedFile(f"{row.material.key}.pdf", PDF, "application/pdf")
        response = client.post(link + "/upload", {"material": row.material.key, "file": upload})
        assert response.status_code == 302
    response = client.post(link + "/submit")
    assert response.status_code == 302 and response["Location"] == link
    page = client.get(link).content.decode()
    assert "已提交" in page and f"/track?number={application.draft_ref}" in page

    assert client.login(username="window1", password=DEMO_PASSWORD)
    client.post(f"/window/app/{application.draft_ref}/correction", {"note": "请补交"})
    client.logout()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CORRECTION_REQUESTED

    page = client.get(link).content.decode()
    assert "一次性告知书" in page and skipped.material.name in page
    upload = SimpleUploadedFile("fix.pdf", PDF, "application/pdf")
    response = client.post(link + "/upload", {"material": skipped.material.key, "file": upload})
    assert response.status_code == 302
    assert client.post(link + "/resubmit").status_code == 302

    assert client.login(username="window1", password=DEMO_PASSWORD)
    client.post(f"/window/app/{application.draft_ref}/accept")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    assert re.fullmatch(r"\d{18}", application.number)


def _registered_company():
    from onewindow.cases.tests.factories import in_register

    company = enterprise("常德市武陵区在册科技有限公司", seed=41)
    in_register(company)
    company.refresh_from_db()
    return company


def _entity_identity(company, **registration) -> dict:
    return {
        "kind": "entity",
        "name": company.name,
        "id_number": company.id_number,
        "legal_representative": company.legal_representative,
        "phone": "13907369999",
        "delivery_method": "electronic",
        "delivery_address": "",
        **registration,
    }


def test_a_change_is_applied_for_online_with_only_what_changes(client, hall):
    """变更登记 (条例 第二十四条): the page asks for the items to change; empty ones stay as registered."""
    company = _registered_company()
    page = client.get("/apply/430702-SCJG-0010").content.decode()
    assert "变更登记事项" in page and "reg-resolution_date" in page and "reg-enterprise_type" not in page
    unchanged = client.post("/apply/430702-SCJG-0010", _entity_identity(company, **{"reg-scope": ""}))
    assert unchanged.status_code == 400 and "请至少填写一项变更事项" in unchanged.content.decode()
    response = client.post(
        "/apply/430702-SCJG-0010", _entity_identity(company, **{"reg-scope": "软件开发", "reg-address": ""})
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    application = Application.objects.get(applicant=company)
    registration = application.form_data["registration"]
    assert "软件开发" in str(registration["scope"]) and registration.get("name") is None


def test_a_cancellation_online_asks_why_and_checks_the_liquidation(client, hall):
    """注销登记 (第三十一条; 第三十三条 简易注销): a dissolution outside the simplified procedure needs the
    date liquidation ended."""
    company = _registered_company()
    page = client.get("/apply/430702-SCJG-0009").content.decode()
    assert "注销登记信息" in page and "reg-cancel_reason" in page
    refused = client.post(
        "/apply/430702-SCJG-0009", _entity_identity(company, **{"reg-cancel_reason": "dissolution"})
    )
    assert refused.status_code == 400 and "清算完成日期" in refused.content.decode()
    accepted = client.post(
        "/apply/430702-SCJG-0009",
        _entity_identity(company, **{"reg-cancel_reason": "dissolution", "reg-simplified": "on"}),
    )
    assert accepted.status_code == 302, accepted.content.decode()[:2000]
    registration = Application.objects.get(applicant=company).form_data["registration"]
    assert (registration["reason"], registration["simplified"]) == ("dissolution", True)


def test_a_change_for_an_entity_not_in_the_register_says_so(client, hall):
    stranger = enterprise("常德市武陵区不在册科技有限公司", seed=42)
    page = client.post("/apply/430702-SCJG-0010", _entity_identity(stranger, **{"reg-scope": "软件开发"}))
    assert page.status_code == 400 and "登记" in page.content.decode()
    assert not Application.objects.filter(applicant=stranger).exists()
