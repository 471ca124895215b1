"""一业一证 (seed 000): a pharmacy's permits become one integrated licence (行业综合许可证), one QR;
each permit stays in the licence library and revoking one shows on the integrated licence."""

import datetime as dt
import subprocess

import pytest
from django.db import IntegrityError, transaction

from onewindow.audit.models import AuditEvent
from onewindow.core.errors import DomainError, InvalidInput, NotFound
from onewindow.licences import signing
from onewindow.licences.models import IntegratedPermit, Licence, LicenceAction, LicenceStatus, LicenceType
from onewindow.licences.pdf import licence_pdf
from onewindow.licences.selectors import integrated_licence_for, licence_code, licence_verify
from onewindow.licences.services import (
    integrated_licence_issue_if_complete,
    integrated_type_name,
    licence_issue_integrated,
    licence_revoke,
    licence_suspend,
)

from .conftest import BUNDLE_CODE, PHARMACY, issue
from .test_licence_verify import export_file, local, offline

pytestmark = pytest.mark.django_db


@pytest.fixture
def integrated(pharmacy_permits, enterprise) -> Licence:
    return licence_issue_integrated(
        holder=enterprise,
        bundle_name=PHARMACY,
        bundle_code=BUNDLE_CODE,
        permits=pharmacy_permits,
        actor=None,
        source_case_no="430702202503100001",
    )


def test_the_demo_has_an_integrated_licence_type_for_the_pharmacy_bundle(licence_types):
    licence_type = LicenceType.objects.get(name=integrated_type_name(PHARMACY))
    assert licence_type.name == "行业综合许可证（开办药店“一业一证”）"
    assert licence_type.department.code == "XZSP" and licence_type.number_prefix == "ZH"


def test_the_pharmacy_gets_one_integrated_licence_listing_its_three_permits(integrated, pharmacy_permits):
    assert integrated.licence_type.name == "行业综合许可证（开办药店“一业一证”）"
    assert integrated.number.startswith("ZH430702")
    assert list(integrated.permits.order_by("permit_links__position")) == pharmacy_permits
    listed = integrated.payload["permits"]
    assert [p["number"] for p in listed] == [p.number for p in pharmacy_permits]
    assert [p["type"] for p in listed] == ["药品经营许可证", "食品经营许可证", "第二类医疗器械经营备案凭证"]
    # each one's scope and validity, as signed
    assert [p["scope"] for p in listed] == ["药品经营许可（零售）", "保健食品销售", "第二类医疗器械经营备案"]
    assert listed[0]["valid_from"] == "2025-03-10" and listed[0]["expires_on"] == "2030-03-09"
    assert integrated.payload["data"] == {"事项": PHARMACY}


def test_the_integrated_licence_is_signed_and_verifies_by_one_qr_code(client, integrated):
    assert signing.payload_hash(integrated.payload) == integrated.payload_hash
    response = client.get(local(licence_code(integrated)))
    result = response.context["result"]
    assert (result.verdict, result.code_matches) == ("valid", True)
    assert [p.status for p in result.permits] == ["valid", "valid", "valid"]
    page = response.content.decode()
    assert "整合的许可" in page and "保健食品销售" in page and "一证准营" in page


def test_each_permit_says_which_integrated_licence_lists_it(client, integrated, pharmacy_permits):
    assert integrated_licence_for(pharmacy_permits[1]) == integrated
    assert integrated_licence_for(integrated) is None
    result = client.get(f"/verify/{pharmacy_permits[1].number}").context["result"]
    assert result.verdict == "valid" and result.integrated_in == integrated.number


def test_the_integrated_licence_ends_with_the_first_permit_to_expire(business_licence, enterprise, frozen):
    short = issue("食品经营许可证", enterprise, expires_on=dt.date(2026, 6, 30))
    long = issue("药品经营许可证", enterprise)
    licence = licence_issue_integrated(
        holder=enterprise, bundle_name=PHARMACY, permits=[long, short], actor=None
    )
    assert (licence.valid_from, licence.expires_on) == (dt.date(2025, 3, 10), dt.date(2026, 6, 30))


def test_the_integrated_licence_is_linked_to_the_business_licence(integrated, business_licence):
    assert integrated.parent == business_licence


def test_issuing_it_is_audited_with_its_permits(integrated, pharmacy_permits):
    audit = AuditEvent.objects.get(action="licence.issue", object_id=str(integrated.pk))
    assert audit.after["permits"] == [p.number for p in pharmacy_permits]
    assert integrated.events.get().action == LicenceAction.ISSUE


def test_revoking_one_permit_shows_on_the_integrated_licence(client, integrated, pharmacy_permits):
    food = pharmacy_permits[1]
    licence_revoke(licence=food, actor=None, reason="经营场所不符合要求")

    result = licence_verify(number=integrated.number)
    assert result.verdict == "partly_invalid" and not result.is_valid
    assert [(p.number, p.status) for p in result.invalid_permits] == [(food.number, "revoked")]
    assert result.invalid_permits[0].status_reason == "经营场所不符合要求"
    page = client.get(f"/verify/{integrated.number}").content.decode()
    assert "部分许可已失效" in page and food.number in page and "相应经营项目不得开展" in page
    # the other permits, and the permit itself, each say their own state
    assert licence_verify(number=pharmacy_permits[0].number).verdict == "valid"
    assert licence_verify(number=food.number).verdict == "revoked"
    # the integrated licence's history records it; its own record stays valid
    integrated.refresh_from_db()
    assert integrated.status == LicenceStatus.VALID
    event = integrated.events.get(action=LicenceAction.PERMIT)
    assert food.number in event.reason and "经营场所不符合要求" in event.reason
    assert AuditEvent.objects.filter(action="licence.permit_change", object_id=str(integrated.pk)).exists()


def test_a_suspended_permit_also_shows_and_resuming_it_clears_it(integrated, pharmacy_permits):
    from onewindow.licences.services import licence_resume

    licence_suspend(licence=pharmacy_permits[0], actor=None, reason="责令整改")
    result = licence_verify(number=integrated.number)
    assert result.verdict == "partly_invalid" and result.invalid_permits[0].status == "suspended"
    licence_resume(licence=pharmacy_permits[0], actor=None, reason="整改完成")
    assert licence_verify(number=integrated.number).verdict == "valid"
    assert integrated.events.filter(action=LicenceAction.PERMIT).count() == 2


def test_when_its_first_permit_expires_the_integrated_licence_expires_with_it(integrated, frozen):
    frozen.move_to("2030-03-10 09:00 +08:00")  # the day after the permits' last day
    result = licence_verify(number=integrated.number)
    assert result.verdict == "expired" and {p.status for p in result.permits} == {"expired"}


def test_the_verification_api_lists_the_permits_and_their_states(client, integrated, pharmacy_permits):
    licence_revoke(licence=pharmacy_permits[2], actor=None, reason="备案信息虚假")
    body = client.get(f"/api/v1/licences/verify/{integrated.number}").json()
    assert body["verdict"] == "partly_invalid" and body["verdict_label"] == "部分许可已失效"
    assert [(p["number"], p["status"], p["is_valid"]) for p in body["permits"]] == [
        (pharmacy_permits[0].number, "valid", True),
        (pharmacy_permits[1].number, "valid", True),
        (pharmacy_permits[2].number, "revoked", False),
    ]
    assert "permits" not in body["public"]
    permit = client.get(f"/api/v1/licences/verify/{pharmacy_permits[0].number}").json()
    assert permit["integrated_in"] == integrated.number and permit["permits"] == []


def test_staff_see_the_links_in_the_licence_library(
    client, persona, integrated, pharmacy_permits, enterprise
):
    client.force_login(persona("window1"))
    rows = {r["number"]: r for r in client.get(f"/api/v1/licences/?holder={enterprise.id_number}").json()}
    assert rows[integrated.number]["permits"] == [p.number for p in pharmacy_permits]
    assert rows[pharmacy_permits[0].number]["integrated_in"] == integrated.number


def test_the_offline_export_says_which_permits_had_lapsed(tmp_path, settings, integrated, pharmacy_permits):
    out, status = offline(tmp_path, settings, export_file(tmp_path, integrated))
    assert status == 0 and "verdict: valid" in out
    licence_revoke(licence=pharmacy_permits[0], actor=None, reason="吊销")
    out, status = offline(tmp_path, settings, export_file(tmp_path, integrated))
    assert status == 3 and "verdict: partly_invalid" in out and pharmacy_permits[0].number in out


def test_the_integrated_licence_prints_its_permits(integrated, tmp_path):
    path = tmp_path / "integrated.pdf"
    path.write_bytes(licence_pdf(integrated))
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "整合许可1" in text and integrated.payload["permits"][2]["number"] in text


def test_it_is_issued_only_once_every_permit_is_there(pharmacy_permits, enterprise):
    drug, food, device = pharmacy_permits
    kwargs = {"holder": enterprise, "bundle_name": PHARMACY, "actor": None}
    assert integrated_licence_issue_if_complete(permits=[drug, None, device], **kwargs) is None
    assert integrated_licence_issue_if_complete(permits=[drug], **kwargs) is None
    first = integrated_licence_issue_if_complete(permits=[drug, food, device], **kwargs)
    assert first is not None and first.permits.count() == 3
    again = integrated_licence_issue_if_complete(permits=[drug, food, device], **kwargs)
    assert again == first and Licence.objects.filter(licence_type=first.licence_type).count() == 1


def test_a_permit_already_integrated_is_not_integrated_again(integrated, pharmacy_permits, enterprise):
    with pytest.raises(DomainError, match=f"已整合进行业综合许可证 {integrated.number}"):
        licence_issue_integrated(
            holder=enterprise, bundle_name=PHARMACY, permits=pharmacy_permits[:2], actor=None
        )


def test_fewer_than_two_permits_or_one_twice_is_refused(pharmacy_permits, enterprise):
    with pytest.raises(InvalidInput, match="至少整合两项"):
        licence_issue_integrated(
            holder=enterprise, bundle_name=PHARMACY, permits=pharmacy_permits[:1], actor=None
        )
    with pytest.raises(InvalidInput, match="重复"):
        licence_issue_integrated(
            holder=enterprise, bundle_name=PHARMACY, permits=[pharmacy_permits[0]] * 2, actor=None
        )
    assert not IntegratedPermit.objects.exists()


def test_a_permit_of_another_holder_is_refused(pharmacy_permits, enterprise, person):
    other = issue("食品经营许可证", person)
    with pytest.raises(DomainError, match="不是“常德市武陵区味道好餐饮管理有限公司”的证照"):
        licence_issue_integrated(
            holder=enterprise, bundle_name=PHARMACY, permits=[pharmacy_permits[0], other], actor=None
        )


def test_a_permit_no_longer_valid_is_refused(pharmacy_permits, enterprise):
    licence_revoke(licence=pharmacy_permits[0], actor=None, reason="吊销")
    with pytest.raises(DomainError, match="当前无效"):
        licence_issue_integrated(
            holder=enterprise, bundle_name=PHARMACY, permits=pharmacy_permits, actor=None
        )
    assert not Licence.objects.filter(number__startswith="ZH").exists()


def test_the_business_licence_is_not_integrated(pharmacy_permits, business_licence, enterprise):
    with pytest.raises(DomainError, match="主照"):
        licence_issue_integrated(
            holder=enterprise,
            bundle_name=PHARMACY,
            permits=[business_licence, pharmacy_permits[0]],
            actor=None,
        )


def test_a_bundle_without_its_integrated_licence_type_is_a_clear_404(pharmacy_permits, enterprise):
    with pytest.raises(NotFound, match="行业综合许可证（开办餐馆“一业一证”）"):
        licence_issue_integrated(
            holder=enterprise, bundle_name="开办餐馆“一业一证”", permits=pharmacy_permits, actor=None
        )


def test_the_database_refuses_a_permit_in_two_integrated_licences(integrated, pharmacy_permits):
    with pytest.raises(IntegrityError), transaction.atomic():
        IntegratedPermit.objects.create(
            integrated=pharmacy_permits[0], permit=pharmacy_permits[1], position=1
        )
