"""Two ends besides 吊销: a licence re-issued on a change of registration is 已换发 and points to
its successor; the licences of a deregistered entity are 已注销 (《市场主体登记管理条例》第三十一条).
Both stay verifiable as such, online, on the page and offline, and neither can be left."""

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.core.errors import InvalidInput, InvalidTransition
from onewindow.licences.models import Licence, LicenceAction, LicenceStatus
from onewindow.licences.selectors import licence_valid_of_type, licence_verify
from onewindow.licences.services import (
    licence_cancel,
    licence_issue_integrated,
    licence_resume,
    licence_revoke,
    licence_supersede,
    licence_suspend,
    licence_transition,
)

from .conftest import PHARMACY, issue
from .test_licence_verify import export_file, offline

pytestmark = pytest.mark.django_db

CHANGE = "变更登记换发（办件 430702202503100009）"
DEREGISTERED = "市场主体已注销登记（办件 430702202503100010）"


@pytest.fixture
def new_business_licence(business_licence, enterprise) -> Licence:
    """The 营业执照 re-issued after a change of registration (a new address)."""
    return issue(
        "营业执照",
        enterprise,
        data={"类型": "有限责任公司", "住所": "湖南省常德市武陵区朗州路8号", "经营范围": "餐饮服务"},
    )


@pytest.fixture
def superseded(business_licence, new_business_licence) -> Licence:
    return licence_supersede(licence=business_licence, by=new_business_licence, actor=None, reason=CHANGE)


def test_superseding_marks_the_old_licence_superseded_and_points_to_the_new_one(
    superseded, new_business_licence
):
    assert superseded.status == LicenceStatus.SUPERSEDED
    assert superseded.superseded_by == new_business_licence
    assert superseded.status_reason == CHANGE
    new_business_licence.refresh_from_db()
    assert new_business_licence.status == LicenceStatus.VALID


def test_superseding_records_an_event_and_an_audit_entry_naming_the_new_licence(
    superseded, new_business_licence, persona
):
    event = superseded.events.last()
    assert (event.action, event.from_status, event.to_status, event.reason) == (
        LicenceAction.SUPERSEDE,
        LicenceStatus.VALID,
        LicenceStatus.SUPERSEDED,
        CHANGE,
    )
    audit = AuditEvent.objects.get(action="licence.supersede", object_id=str(superseded.pk))
    assert audit.after == {
        "status": "superseded",
        "reason": CHANGE,
        "superseded_by": new_business_licence.number,
    }


def test_both_licences_verify_the_old_one_as_superseded_with_the_new_number(superseded, new_business_licence):
    old = licence_verify(number=superseded.number)
    assert (old.verdict, old.is_valid, old.signature_ok) == ("superseded", False, True)
    assert old.superseded_by == new_business_licence.number and old.status_reason == CHANGE
    new = licence_verify(number=new_business_licence.number)
    assert (new.verdict, new.superseded_by) == ("valid", "")


def test_the_verify_page_says_superseded_and_links_to_the_new_licence(
    client, superseded, new_business_licence
):
    response = client.get(f"/verify/{superseded.number}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "已换发（请以新证为准）" in page and "已换发新证" in page and "换发后的证照" in page
    assert f'href="/verify/{new_business_licence.number}"' in page
    assert "此证照当前无效" in page and CHANGE in page


def test_the_public_json_check_names_the_new_licence(client, superseded, new_business_licence):
    body = client.get(f"/api/v1/licences/verify/{superseded.number}").json()
    assert (body["verdict"], body["verdict_label"]) == ("superseded", "已换发（请以新证为准）")
    assert body["superseded_by"] == new_business_licence.number and not body["is_valid"]


def test_staff_see_the_new_number_in_the_licence_library(client, persona, superseded, new_business_licence):
    client.force_login(persona("scjg_reviewer"))
    body = client.get(f"/api/v1/licences/{superseded.number}").json()
    assert (body["status"], body["superseded_by"]) == ("superseded", new_business_licence.number)
    assert client.get(f"/api/v1/licences/{new_business_licence.number}").json()["superseded_by"] is None


def test_a_suspended_licence_can_be_superseded_too(business_licence, new_business_licence):
    licence_suspend(licence=business_licence, actor=None, reason="责令整改")
    licence = licence_supersede(licence=business_licence, by=new_business_licence, actor=None, reason=CHANGE)
    assert licence.status == LicenceStatus.SUPERSEDED and licence.superseded_by == new_business_licence


def test_the_holder_valid_licence_of_the_type_is_the_new_one(superseded, new_business_licence, enterprise):
    assert licence_valid_of_type(holder=enterprise, type_name="营业执照") == new_business_licence


def _refused(licence: Licence, by: Licence, reason: str, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        licence_supersede(licence=licence, by=by, actor=None, reason=reason)
    licence.refresh_from_db()
    assert (licence.status, licence.superseded_by) == (LicenceStatus.VALID, None)


def test_superseding_by_a_licence_of_another_holder_is_refused(business_licence, person):
    other = issue("营业执照", person, data={"类型": "个体工商户"})
    _refused(business_licence, other, CHANGE, "不是原持证主体")


def test_superseding_by_a_licence_of_another_type_is_refused(business_licence, food_licence):
    _refused(business_licence, food_licence, CHANGE, "不是同一证照类型")


def test_superseding_by_a_licence_that_is_not_valid_is_refused(business_licence, new_business_licence):
    licence_revoke(licence=new_business_licence, actor=None, reason="提交虚假材料")
    _refused(business_licence, new_business_licence, CHANGE, "当前无效")


def test_superseding_by_the_licence_itself_is_refused(business_licence):
    _refused(business_licence, business_licence, CHANGE, "原证照本身")


def test_superseding_needs_a_reason(business_licence, new_business_licence):
    _refused(business_licence, new_business_licence, "  ", "须写明原因")


def test_the_supersede_move_needs_the_new_licence(business_licence):
    with pytest.raises(InvalidInput, match="须指明换发后的新证"):
        licence_transition(
            licence=business_licence, action=LicenceAction.SUPERSEDE, actor=None, reason=CHANGE
        )


@pytest.fixture
def cancelled(food_licence) -> Licence:
    return licence_cancel(licence=food_licence, actor=None, reason=DEREGISTERED)


def test_cancelling_marks_the_licence_cancelled_not_revoked(cancelled):
    assert cancelled.status == LicenceStatus.CANCELLED and cancelled.get_status_display() == "已注销"
    event = cancelled.events.last()
    assert (event.action, event.to_status, event.reason) == ("cancel", "cancelled", DEREGISTERED)
    assert AuditEvent.objects.filter(action="licence.cancel", object_id=str(cancelled.pk)).exists()


def test_a_cancelled_licence_verifies_as_cancelled_with_its_reason(client, cancelled):
    result = licence_verify(number=cancelled.number)
    assert (result.verdict, result.status_reason, result.superseded_by) == ("cancelled", DEREGISTERED, "")
    page = client.get(f"/verify/{cancelled.number}").content.decode()
    assert "已注销（市场主体已终止）" in page and DEREGISTERED in page and "已吊销" not in page


def test_cancelling_needs_a_reason(food_licence):
    with pytest.raises(InvalidInput):
        licence_cancel(licence=food_licence, actor=None, reason="")


def test_a_revoked_licence_cannot_be_cancelled(food_licence):
    licence_revoke(licence=food_licence, actor=None, reason="告知承诺核查不实")
    with pytest.raises(InvalidTransition, match="已吊销的证照不能注销"):
        licence_cancel(licence=food_licence, actor=None, reason=DEREGISTERED)


MOVES_OUT = {
    "resume": lambda licence, by: licence_resume(licence=licence, actor=None, reason="整改完成"),
    "suspend": lambda licence, by: licence_suspend(licence=licence, actor=None, reason="整改"),
    "revoke": lambda licence, by: licence_revoke(licence=licence, actor=None, reason="核查不实"),
    "cancel": lambda licence, by: licence_cancel(licence=licence, actor=None, reason=DEREGISTERED),
    "supersede": lambda licence, by: licence_supersede(licence=licence, by=by, actor=None, reason=CHANGE),
}


@pytest.mark.parametrize("move", MOVES_OUT)
@pytest.mark.parametrize("end", ["superseded", "cancelled"])
def test_nothing_moves_a_licence_out_of_superseded_or_cancelled(
    business_licence, new_business_licence, enterprise, end, move
):
    if end == "superseded":
        ended = licence_supersede(
            licence=business_licence, by=new_business_licence, actor=None, reason=CHANGE
        )
    else:
        ended = licence_cancel(licence=business_licence, actor=None, reason=DEREGISTERED)
    another = issue("营业执照", enterprise, data={"类型": "有限责任公司"})
    with pytest.raises(InvalidTransition, match="当前状态下已不能再办理"):
        MOVES_OUT[move](ended, another)
    ended.refresh_from_db()
    assert ended.status == end


@pytest.fixture
def integrated(pharmacy_permits, enterprise) -> Licence:
    return licence_issue_integrated(
        holder=enterprise, bundle_name=PHARMACY, permits=pharmacy_permits, actor=None
    )


def test_a_cancelled_permit_leaves_its_integrated_licence_partly_invalid(
    client, integrated, pharmacy_permits
):
    food = pharmacy_permits[1]
    licence_cancel(licence=food, actor=None, reason=DEREGISTERED)
    result = licence_verify(number=integrated.number)
    assert result.verdict == "partly_invalid"
    assert [(p.number, p.status, p.status_label, p.status_reason) for p in result.invalid_permits] == [
        (food.number, "cancelled", "已注销", DEREGISTERED)
    ]
    note = integrated.events.get(action=LicenceAction.PERMIT)
    assert food.number in note.reason and "已注销" in note.reason
    assert "已注销" in client.get(f"/verify/{integrated.number}").content.decode()


def test_a_superseded_permit_leaves_it_partly_invalid_and_the_note_names_the_new_permit(
    integrated, pharmacy_permits, enterprise
):
    food = pharmacy_permits[1]
    renewed = issue("食品经营许可证", enterprise, data={"经营项目": "保健食品销售"})
    licence_supersede(licence=food, by=renewed, actor=None, reason=CHANGE)
    result = licence_verify(number=integrated.number)
    assert result.verdict == "partly_invalid" and result.invalid_permits[0].status == "superseded"
    note = integrated.events.get(action=LicenceAction.PERMIT)
    assert "已换发" in note.reason and renewed.number in note.reason


def test_an_export_made_after_cancelling_verifies_offline_as_cancelled(tmp_path, settings, cancelled):
    out, status = offline(tmp_path, settings, export_file(tmp_path, cancelled))
    assert "verdict: cancelled" in out and "已注销" in out and status == 3


def test_an_export_made_after_superseding_names_the_new_licence_offline(
    tmp_path, settings, superseded, new_business_licence
):
    out, status = offline(tmp_path, settings, export_file(tmp_path, superseded))
    assert "verdict: superseded" in out and status == 3
    assert f"已换发新证：{new_business_licence.number}" in out
