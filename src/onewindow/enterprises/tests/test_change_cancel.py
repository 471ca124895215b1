"""变更登记 keeps the old values; 注销登记 ends the entity, its hosting and its licences."""

import datetime as dt

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.core.errors import ConcurrentChange, InvalidInput, InvalidTransition
from onewindow.enterprises.models import AgreementStatus, Enterprise, EnterpriseStatus, VersionReason
from onewindow.enterprises.selectors import enterprise_licence_data, enterprise_versions
from onewindow.enterprises.services import enterprise_cancel, enterprise_change, hosting_agreement_create
from onewindow.enterprises.tests.factories import company_form, established, person
from onewindow.licences.models import LicenceStatus, LicenceType
from onewindow.licences.services import licence_issue, licences_load_demo

pytestmark = pytest.mark.django_db
NEW_NAME = {"region": "常德市武陵区", "trade_name": "宏达", "industry": "餐饮管理", "form": "有限公司"}


def test_a_change_adds_a_version_and_keeps_the_old_values(register):
    enterprise = established()
    changed = enterprise_change(
        actor=None,
        enterprise=enterprise,
        data={"name": NEW_NAME, "scope": ["餐饮管理", "会议及展览服务"]},
        case_number="WL20250311-0002",
    )
    assert changed.name == changed.applicant.name == "常德市武陵区宏达餐饮管理有限公司"
    first, second = enterprise_versions(enterprise=changed)
    assert (first.name, first.data["scope"], first.valid_to is not None) == (
        "常德市武陵区鼎盛餐饮管理有限公司",
        ["餐饮管理", "企业管理咨询"],
        True,
    )
    assert (second.number, second.reason, second.changed_fields) == (
        2,
        VersionReason.CHANGE,
        ["name", "scope"],
    )
    assert second.data["scope"] == ["餐饮管理", "会议及展览服务"] and second.valid_to is None
    assert enterprise_licence_data(enterprise=changed)["名称"] == "常德市武陵区宏达餐饮管理有限公司"
    event = AuditEvent.objects.get(action="enterprise.change")
    assert event.before["name"] == "常德市武陵区鼎盛餐饮管理有限公司"


def test_a_new_name_is_checked_again(register):
    enterprise = established()
    with pytest.raises(InvalidInput) as caught:
        enterprise_change(
            actor=None, enterprise=enterprise, data={"name": {**NEW_NAME, "trade_name": "中国"}}
        )
    assert "name.trade_name" in caught.value.fields["errors"]


def test_keeping_ones_own_name_is_no_conflict_but_no_change_either(register):
    enterprise = established()
    with pytest.raises(InvalidInput, match="没有变化"):
        enterprise_change(
            actor=None, enterprise=enterprise, data={"name": {**NEW_NAME, "trade_name": "鼎盛"}}
        )


def test_a_former_name_blocks_its_trade_name_for_a_year(register, frozen):
    enterprise = established()
    enterprise_change(actor=None, enterprise=enterprise, data={"name": NEW_NAME})
    fresh = company_form(address="湖南省常德市武陵区人民路500号", seed=7)
    with pytest.raises(InvalidInput) as caught:
        established(fresh)
    assert "名称变更未满一年" in caught.value.fields["errors"]["name.trade_name"][0]
    frozen.move_to(dt.datetime(2026, 3, 12, 10, 0))
    assert established(fresh).trade_name == "鼎盛"


def test_a_capital_change_must_come_with_contributions_adding_up(register):
    enterprise = established()
    with pytest.raises(InvalidInput) as caught:
        enterprise_change(actor=None, enterprise=enterprise, data={"capital": 2_000_000})
    assert "investors" in caught.value.fields["errors"]
    founder = person("张三", 1)
    changed = enterprise_change(
        actor=None,
        enterprise=enterprise,
        data={
            "capital": 2_000_000,
            "investors": [
                {"kind": "person", **founder, "contribution": 1_500_000, "share": 75},
                {"kind": "person", **person("李四", 2), "contribution": 500_000, "share": 25},
            ],
        },
    )
    assert str(changed.registered_capital) == "2000000.00"
    assert enterprise_versions(enterprise=changed).first().data["capital"] == "1000000.00"


def test_a_stale_copy_cannot_change_what_another_change_already_changed(register):
    enterprise = established()
    stale = Enterprise.objects.get(pk=enterprise.pk)
    enterprise_change(actor=None, enterprise=enterprise, data={"scope": ["餐饮管理"]})
    with pytest.raises(ConcurrentChange):
        enterprise_change(actor=None, enterprise=stale, data={"scope": ["企业管理咨询"]})


def test_moving_away_from_a_hosting_address_ends_the_agreement(hosting_company):
    signed = hosting_agreement_create(
        actor=None, company=hosting_company, starts_on=dt.date(2025, 3, 10), ends_on=dt.date(2026, 3, 9)
    )
    data = company_form(trade_name="云帆", industry="网络科技", scope=["软件开发"])
    data["address"] = {"hosting_agreement": signed.pk}
    enterprise = established(data)
    moved = enterprise_change(
        actor=None, enterprise=enterprise, data={"address": {"text": "湖南省常德市武陵区建设路9号"}}
    )
    signed.refresh_from_db()
    assert (signed.status, signed.end_reason) == (AgreementStatus.ENDED, "住所变更登记")
    assert moved.hosting_agreement is None and moved.address == "湖南省常德市武陵区建设路9号"


@pytest.fixture
def business_licence(register, settings, tmp_path):
    settings.ONEWINDOW_KEY_DIR = tmp_path / "keys"
    licences_load_demo()
    enterprise = established()
    licence = licence_issue(
        licence_type=LicenceType.objects.get(name="营业执照"),
        holder=enterprise.applicant,
        actor=None,
        data=enterprise_licence_data(enterprise=enterprise),
    )
    return enterprise, licence


def test_cancelling_ends_the_enterprise_and_its_licences(business_licence):
    """《市场主体登记管理条例》第三十一条: the entity ends; its licences lapse as 已注销, not 吊销."""
    enterprise, licence = business_licence
    cancelled = enterprise_cancel(
        actor=None,
        enterprise=enterprise,
        case_number="WL20250312-0003",
        data={"reason": "dissolution", "simplified": True},
    )
    assert (cancelled.status, cancelled.cancelled_on) == (EnterpriseStatus.CANCELLED, dt.date(2025, 3, 10))
    last = enterprise_versions(enterprise=cancelled).last()
    assert (last.number, last.reason, last.data["cancellation"]["simplified"]) == (
        2,
        VersionReason.CANCEL,
        True,
    )
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.CANCELLED
    assert "WL20250312-0003" in licence.status_reason
    assert AuditEvent.objects.get(action="enterprise.cancel").after["licences_cancelled"] == [licence.number]


def test_a_cancelled_enterprise_cannot_be_changed_or_cancelled_again(register):
    enterprise = enterprise_cancel(actor=None, enterprise=established())
    with pytest.raises((InvalidInput, InvalidTransition)):
        enterprise_change(actor=None, enterprise=enterprise, data={"scope": ["餐饮管理"]})
    with pytest.raises((InvalidInput, InvalidTransition)):
        enterprise_cancel(actor=None, enterprise=enterprise)


def test_a_dissolution_outside_the_simplified_procedure_states_when_liquidation_ended(register):
    with pytest.raises(InvalidInput) as caught:
        enterprise_cancel(actor=None, enterprise=established(), data={"reason": "dissolution"})
    assert "liquidation_completed_on" in caught.value.fields["errors"]


def test_a_cancelled_name_stays_blocked_for_a_year(register, frozen):
    enterprise_cancel(actor=None, enterprise=established())
    fresh = company_form(address="湖南省常德市武陵区人民路500号", seed=7)
    with pytest.raises(InvalidInput) as caught:
        established(fresh)
    assert "注销未满一年" in caught.value.fields["errors"]["name.trade_name"][0]
    frozen.move_to(dt.datetime(2026, 3, 12, 10, 0))
    assert established(fresh).status == EnterpriseStatus.ACTIVE
