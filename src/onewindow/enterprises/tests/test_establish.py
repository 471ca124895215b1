"""企业设立登记 and 个体工商户登记: the entity comes into being with its own credit code."""

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.core.errors import InvalidInput
from onewindow.enterprises.models import Enterprise, EnterpriseStatus, VersionReason
from onewindow.enterprises.selectors import enterprise_get, enterprise_licence_data
from onewindow.enterprises.tests.factories import (
    company_form,
    established,
    individual,
    individual_form,
    person,
)
from onewindow.org import idcodes
from onewindow.org.models import ApplicantKind

pytestmark = pytest.mark.django_db


def test_establishing_creates_an_entity_applicant_holding_a_valid_new_credit_code(register):
    enterprise = established()
    applicant = enterprise.applicant
    assert applicant.kind == ApplicantKind.ENTITY
    assert applicant.name == enterprise.name == "常德市武陵区鼎盛餐饮管理有限公司"
    assert applicant.legal_representative == "张三"
    parts = idcodes.parse_uscc(applicant.id_number)
    assert (parts.authority, parts.category, parts.region6) == ("9", "1", "430702")
    assert parts.organisation_code_valid


def test_the_enterprise_is_found_by_its_credit_code_and_is_active_from_today(register):
    enterprise = established()
    found = enterprise_get(uscc=enterprise.uscc)
    assert found == enterprise
    assert (found.status, found.established_on.isoformat(), found.version) == (
        EnterpriseStatus.ACTIVE,
        "2025-03-10",
        1,
    )


def test_establishing_records_version_one_with_the_whole_form_and_the_case(register):
    enterprise = established()
    version = enterprise.versions.get()
    assert (version.number, version.reason, version.case_number) == (
        1,
        VersionReason.ESTABLISH,
        "WL20250310-0001",
    )
    assert version.data["investors"][0]["share"] == "100"
    assert version.data["derived"]["name"] == enterprise.name


def test_establishing_is_audited_without_the_full_credit_code(register):
    enterprise = established()
    event = AuditEvent.objects.get(action="enterprise.establish", object_id=str(enterprise.pk))
    assert event.after["case_number"] == "WL20250310-0001"
    assert event.after["uscc"] == idcodes.mask_uscc(enterprise.uscc)


def test_two_enterprises_get_different_codes(register):
    first = established()
    second = established(trade_name="宏达", address="湖南省常德市武陵区人民路200号")
    assert first.uscc != second.uscc


def test_the_business_licence_data_names_the_company_and_its_code_not_the_founder(register):
    enterprise = established()
    data = enterprise_licence_data(enterprise=enterprise)
    assert data["名称"] == "常德市武陵区鼎盛餐饮管理有限公司"
    assert data["统一社会信用代码"] == enterprise.uscc
    assert data["类型"] == "有限责任公司"
    assert data["法定代表人"] == "张三"
    assert data["注册资本"] == "100万元人民币"
    assert data["成立日期"] == "2025-03-10"
    assert data["住所"] == "湖南省常德市武陵区人民路100号"
    assert data["经营范围"] == "餐饮管理；企业管理咨询"


def test_an_individual_business_gets_a_code_of_category_two(register):
    shop = individual()
    assert shop.uscc[:8] == "92430702"
    assert idcodes.validate_uscc(shop.uscc) == shop.uscc
    assert shop.name == "常德市武陵区李记便利店"
    data = enterprise_licence_data(enterprise=shop)
    assert data["经营者"] == "李明"
    assert data["组成形式"] == "个人经营"
    assert "注册资本" not in data


def test_a_family_business_licence_says_so(register):
    shop = individual(individual_form(composition="family", family_members=[person("王芳", 9)]))
    assert enterprise_licence_data(enterprise=shop)["组成形式"] == "家庭经营"


def test_an_individual_business_without_a_name_is_known_by_its_operator(register):
    shop = individual(individual_form(name=None))
    assert shop.name == "李明（个体工商户）"


def test_a_refused_registration_leaves_nothing_behind(register):
    bad = company_form(investors=[])
    with pytest.raises(InvalidInput):
        established(bad)
    assert not Enterprise.objects.exists()


def test_a_town_hall_registers_in_its_countys_name_and_code(register):
    from onewindow.enterprises.services import individual_business_register
    from onewindow.org.models import Region

    town = Region.objects.get(code="430702100000")
    data = individual_form(address={"text": "湖南省常德市武陵区河洑镇河洑街1号", "region": "430702100000"})
    shop = individual_business_register(actor=None, data=data, region=town)
    assert shop.uscc[2:8] == "430702"
    assert (shop.region.code, shop.address_region.code) == ("430702000000", "430702100000")


@pytest.mark.parametrize("case_number", ["WL\x0020250310", "W" * 41, 42])
def test_a_malformed_case_number_is_invalid_input(register, case_number):
    from onewindow.enterprises.services import enterprise_establish
    from onewindow.enterprises.tests.factories import county

    with pytest.raises(InvalidInput):
        enterprise_establish(actor=None, data=company_form(), case_number=case_number, region=county())
    assert not Enterprise.objects.exists()
