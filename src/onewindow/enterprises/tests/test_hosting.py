"""商务秘书企业 hosting (seed 001, 内江): agreements, capacity, allowed industries, ending."""

import datetime as dt

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.core.errors import InvalidInput, InvalidTransition
from onewindow.enterprises.models import AgreementStatus
from onewindow.enterprises.selectors import enterprises_needing_address_change, hosting_company_overview
from onewindow.enterprises.services import (
    hosting_agreement_create,
    hosting_agreement_end,
    hosting_agreements_fire_due,
    hosting_company_create,
    hosting_company_update,
)
from onewindow.enterprises.tests.conftest import IT
from onewindow.enterprises.tests.factories import company_form, county, established, scjg

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 3, 10)


def agreement(company, days=365, **kwargs):
    return hosting_agreement_create(
        actor=None, company=company, starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=days - 1), **kwargs
    )


def hosted_form(agreement_id, trade_name="云帆", scope=("软件开发", "网络技术服务")):
    data = company_form(trade_name=trade_name, industry="网络科技", scope=list(scope))
    return data | {"address": {"hosting_agreement": agreement_id}}


def test_a_hosted_enterprise_registers_at_the_hosting_address_by_its_agreement(hosting_company):
    signed = agreement(hosting_company, proposed_name="常德市武陵区云帆网络科技有限公司")
    enterprise = established(hosted_form(signed.pk))
    signed.refresh_from_db()
    assert (signed.status, signed.enterprise) == (AgreementStatus.ACTIVE, enterprise)
    assert enterprise.hosting_agreement == signed
    assert (
        enterprise.address
        == "湖南省常德市武陵区朗州路188号创业服务中心5楼（常德市武陵区创客商务秘书服务有限公司托管）"
    )


def test_a_full_hosting_company_refuses_a_new_agreement_clearly(hosting_company):
    agreement(hosting_company)
    agreement(hosting_company)
    with pytest.raises(InvalidInput) as caught:
        agreement(hosting_company)
    assert "托管容量为2户" in str(caught.value)
    assert "托管容量已满" in caught.value.fields["errors"]["company"][0]


def test_registration_is_refused_when_the_hosting_company_is_full(hosting_company):
    first, second = agreement(hosting_company), agreement(hosting_company)
    hosting_company_update(actor=None, company=hosting_company, capacity=1)
    established(hosted_form(first.pk))
    with pytest.raises(InvalidInput) as caught:
        established(hosted_form(second.pk, trade_name="墨言"))
    assert any(
        "已托管1户，不能再入驻" in m for m in caught.value.fields["errors"]["address.hosting_agreement"]
    )


def test_an_activity_needing_premises_cannot_register_at_a_hosting_address(hosting_company):
    signed = agreement(hosting_company)
    data = hosted_form(signed.pk, scope=["餐饮服务"])
    with pytest.raises(InvalidInput) as caught:
        established(data)
    assert "须有实际经营场所" in caught.value.fields["errors"]["scope.0"][0]


def test_an_industry_the_hosting_company_does_not_take_is_refused(register):
    from onewindow.enterprises.tests.conftest import make_hosting_company

    company = make_hosting_company(industries=[IT])
    data = hosted_form(agreement(company).pk, scope=["软件开发", "企业管理咨询"])
    with pytest.raises(InvalidInput) as caught:
        established(data)
    assert "租赁和商务服务业" in caught.value.fields["errors"]["scope.1"][0]


def test_an_agreement_serves_one_enterprise_only(hosting_company):
    signed = agreement(hosting_company)
    established(hosted_form(signed.pk))
    with pytest.raises(InvalidInput) as caught:
        established(hosted_form(signed.pk, trade_name="墨言"))
    assert "已用于其他企业" in caught.value.fields["errors"]["address.hosting_agreement"][0]


def test_an_agreement_past_its_end_is_ended_by_the_timer_and_flags_the_enterprise(hosting_company, frozen):
    enterprise = established(hosted_form(agreement(hosting_company, days=30).pk))
    assert not enterprises_needing_address_change().exists()
    frozen.move_to(dt.datetime(2025, 4, 9, 9, 0))
    assert list(enterprises_needing_address_change()) == [enterprise]  # computed before the timer runs
    fired = hosting_agreements_fire_due()
    assert len(fired) == 1
    assert hosting_agreements_fire_due() == []
    enterprise.hosting_agreement.refresh_from_db()
    assert enterprise.hosting_agreement.status == AgreementStatus.ENDED
    assert enterprise.hosting_agreement.ended_on == dt.date(2025, 4, 8)
    assert list(enterprises_needing_address_change()) == [enterprise]
    assert AuditEvent.objects.get(action="hosting_agreement.end").after["address_change_required"] is True


def test_ending_an_agreement_needs_a_reason_and_happens_once(hosting_company):
    signed = agreement(hosting_company)
    with pytest.raises(InvalidInput):
        hosting_agreement_end(actor=None, agreement=signed, reason=" ")
    hosting_agreement_end(actor=None, agreement=signed, reason="协议解除")
    with pytest.raises(InvalidTransition):
        hosting_agreement_end(actor=None, agreement=signed, reason="协议解除")


def test_the_registry_shows_capacity_hosted_enterprises_and_agreements_ending_soon(register):
    from onewindow.enterprises.tests.conftest import make_hosting_company

    company = make_hosting_company(capacity=5)
    long_one = established(hosted_form(agreement(company).pk))
    short_one = established(hosted_form(agreement(company, days=20).pk, trade_name="墨言"))
    agreement(company)  # signed, enterprise not yet registered
    overview = hosting_company_overview(company=company)
    assert (overview.capacity, overview.held, overview.pending, overview.free) == (5, 3, 1, 2)
    assert [h.name for h in overview.hosted] == [short_one.name, long_one.name]
    assert [h.name for h in overview.ending_soon] == [short_one.name]
    assert "*" in overview.hosted[0].uscc_masked


def test_a_hosting_company_needs_a_valid_code_known_industries_and_a_sane_capacity(register):
    with pytest.raises(InvalidInput) as caught:
        hosting_company_create(
            actor=None,
            name="某商务秘书服务有限公司\x00",
            uscc="91430702MA0000015X",
            address="朗州路1号",
            region=county(),
            authority=scjg(),
            capacity=10**12,
            allowed_industries=["炼钢"],
        )
    assert {"name", "uscc", "capacity", "allowed_industries.0"} <= set(caught.value.fields["errors"])
