"""一址多照: a second entity at a registered address is a warning the window confirms, unless a
policy allows it; a hosting address takes entities only by agreement."""

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.core.errors import InvalidInput
from onewindow.enterprises.services import address_policy_set
from onewindow.enterprises.tests.factories import company_form, county, established

pytestmark = pytest.mark.django_db
SAME_PLACE = "常德市武陵区人民路 100号"  # the first one's address, written differently


def second(**kwargs):
    data = company_form(trade_name="宏达", industry="信息技术", scope=["软件开发"], address=SAME_PLACE)
    data["address"].update(kwargs)
    return data


def test_a_second_entity_at_a_registered_address_needs_the_windows_confirmation(register):
    established()
    with pytest.raises(InvalidInput) as caught:
        established(second())
    assert caught.value.fields["needs_confirmation"] == ["address.confirm_shared_address"]
    assert (
        "常德市武陵区鼎盛餐饮管理有限公司"
        in caught.value.fields["errors"]["address.confirm_shared_address"][0]
    )


def test_a_confirmed_shared_address_registers_and_the_confirmation_is_audited(register):
    established()
    other = established(second(confirm_shared_address=True))
    assert AuditEvent.objects.get(action="enterprise.establish", object_id=str(other.pk)).after[
        "shared_address_confirmed"
    ]


def test_a_policy_allowing_one_address_many_licences_needs_no_confirmation(register):
    established()
    address_policy_set(
        actor=None, region=county(), basis="《常德市企业住所（经营场所）登记管理办法》（演示）"
    )
    assert established(second()).address == SAME_PLACE


def test_a_policy_capacity_is_a_hard_limit(register):
    established()
    address_policy_set(
        actor=None, region=county(), address="人民路100号", basis="集群注册地址（演示）", capacity=1
    )
    with pytest.raises(InvalidInput) as caught:
        established(second(confirm_shared_address=True))
    assert "上限1户" in caught.value.fields["errors"]["address.text"][0]


def test_a_hosting_address_without_an_agreement_is_refused(hosting_company):
    data = second()
    data["address"]["text"] = "湖南省常德市武陵区朗州路188号创业服务中心5楼"
    with pytest.raises(InvalidInput) as caught:
        established(data)
    assert "须与其签订托管协议" in caught.value.fields["errors"]["address.text"][0]


def test_an_address_outside_the_authoritys_region_is_refused(register):
    data = second()
    data["address"]["region"] = "430703000000"
    with pytest.raises(InvalidInput) as caught:
        established(data)
    assert "address.region" in caught.value.fields["errors"]
