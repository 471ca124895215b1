"""The registration forms are checked on the server, every problem at once, with field paths."""

import pytest

from onewindow.core.errors import InvalidInput
from onewindow.enterprises.forms import registration_validate
from onewindow.enterprises.tests.factories import company_form, county, established, individual_form, person

pytestmark = pytest.mark.django_db


def errors_of(data, kind="establish", **kwargs) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as caught:
        registration_validate(kind, data, region=county(), **kwargs)
    return caught.value.fields["errors"]


def test_a_complete_company_form_comes_back_cleaned_with_the_full_name(register):
    cleaned = registration_validate("establish", company_form(), region=county())
    assert cleaned["derived"]["name"] == "常德市武陵区鼎盛餐饮管理有限公司"
    assert cleaned["capital"] == "1000000.00"
    assert cleaned["investors"][0]["contribution"] == "1000000.00"


def test_the_cleaned_data_is_itself_valid_input(register):
    cleaned = registration_validate("establish", company_form(), region=county())
    again = registration_validate("establish", cleaned, region=county())
    assert {k: v for k, v in again.items() if k != "derived"} == {
        k: v for k, v in cleaned.items() if k != "derived"
    }


def test_a_forbidden_word_in_the_trade_name_is_refused_with_its_basis(register):
    errors = errors_of(company_form(trade_name="中华"))
    assert any("“中华”" in m and "第十二条" in m for m in errors["name.trade_name"])


def test_a_name_without_industry_is_refused_unless_cross_industry(register):
    data = company_form()
    data["name"]["industry"] = ""
    assert "name.industry" in errors_of(data)
    data["name"]["cross_industry"] = True
    assert (
        registration_validate("establish", data, region=county())["derived"]["name"]
        == "常德市武陵区鼎盛有限公司"
    )


def test_a_company_may_not_use_the_form_of_a_partnership(register):
    data = company_form()
    data["name"]["form"] = "中心（普通合伙）"
    assert any("有限公司" in m for m in errors_of(data)["name.form"])


def test_a_trade_name_taken_in_the_same_industry_is_refused(register):
    established()
    errors = errors_of(company_form(address="湖南省常德市武陵区人民路300号"))
    assert any("第十七条" in m and "常德市武陵区鼎盛餐饮管理有限公司" in m for m in errors["name.trade_name"])


def test_the_same_trade_name_in_another_industry_is_allowed(register):
    established()
    data = company_form(industry="信息技术", address="湖南省常德市武陵区人民路300号", scope=["软件开发"])
    assert registration_validate("establish", data, region=county())


def test_a_trade_name_typed_with_spaces_and_half_width_is_the_same_name(register):
    established()
    data = company_form(address="湖南省常德市武陵区人民路300号")
    data["name"]["trade_name"] = " 鼎 盛 "
    assert "name.trade_name" in errors_of(data)


def test_shares_must_add_up_to_a_hundred_percent(register):
    data = company_form()
    data["investors"] = [
        {"kind": "person", **person("张三", 1), "contribution": 600_000, "share": 60},
        {"kind": "person", **person("李四", 2), "contribution": 400_000, "share": 30},
    ]
    assert any("100%" in m and "90" in m for m in errors_of(data)["investors"])


def test_contributions_must_add_up_to_the_registered_capital(register):
    data = company_form()
    data["investors"][0]["contribution"] = 900_000
    assert any("900000.00" in m and "1000000.00" in m for m in errors_of(data)["investors"])


def test_a_company_needs_a_capital_above_zero(register):
    data = company_form(capital=0)
    data["investors"][0]["contribution"] = 0
    assert "capital" in errors_of(data)


def test_a_limited_partnership_needs_a_general_and_a_limited_partner(register):
    data = company_form(enterprise_type="limited_partnership")
    data["name"]["form"] = "中心（有限合伙）"
    data["investors"] = [
        {"kind": "person", **person("张三", 1), "contribution": 500_000, "share": 50, "liability": "limited"},
        {"kind": "person", **person("李四", 2), "contribution": 500_000, "share": 50, "liability": "limited"},
    ]
    assert any("普通合伙人" in m for m in errors_of(data)["investors"])


def test_a_wrong_identity_number_is_named_by_its_field(register):
    data = company_form()
    data["legal_representative"]["id_number"] = data["legal_representative"]["id_number"][:17] + (
        "0" if data["legal_representative"]["id_number"][17] != "0" else "1"
    )
    assert any("第18位" in m for m in errors_of(data)["legal_representative.id_number"])


def test_every_problem_of_the_form_is_reported_at_once(register):
    data = company_form(trade_name="国家", capital=0)
    data["investors"][0]["share"] = 50
    data["contact"]["phone"] = "12"
    errors = errors_of(data)
    assert {"name.trade_name", "capital", "investors", "contact.phone"} <= set(errors)


def test_structure_errors_name_each_field_in_chinese(register):
    data = company_form()
    del data["contact"]
    data["capital"] = "很多"
    data["surprise"] = 1
    errors = errors_of(data)
    assert errors["contact"] == ["必填"]
    assert errors["capital"] == ["应为数字"]
    assert errors["surprise"] == ["不认识的字段"]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("capital", 10**40),
        ("capital", 1e308 * 10),
        ("capital", "1e400"),
        ("capital", "NaN"),
        ("social.insured_count", 10**30),
        ("address.hosting_agreement", 2**64),
        ("investors.0.share", "1e-30"),
    ],
)
def test_huge_or_non_finite_numbers_are_field_errors(register, path, value):
    data = company_form()
    target = data
    *parents, last = path.split(".")
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    target[int(last) if last.isdigit() else last] = value
    assert path in errors_of(data)


def test_a_nul_character_is_a_field_error_not_a_database_error(register):
    data = company_form()
    data["scope"][1] = "企业管理\x00咨询"
    data["contact"]["name"] = "张\x00三"
    errors = errors_of(data)
    assert "控制字符" in errors["scope.1"][0]
    assert "contact.name" in errors


def test_a_form_that_is_not_an_object_is_refused(register):
    assert errors_of(["not", "a", "form"]) == {"__all__": ["应为对象"]}


def test_an_unknown_kind_is_refused(register):
    with pytest.raises(InvalidInput):
        registration_validate("merge", company_form(), region=county())


def test_sections_the_bundle_option_needs_are_required_when_asked(register):
    data = company_form()
    del data["tax"]
    assert registration_validate("establish", data, region=county())["tax"] is None
    assert "tax" in errors_of(data, require=("tax",))


def test_the_name_declaration_must_be_the_name_applied_for(register):
    data = company_form(name_declaration={"name": "常德市武陵区鼎盛餐饮有限公司"})
    assert "name_declaration.name" in errors_of(data)


def test_a_family_business_lists_its_family_members(register):
    data = individual_form(composition="family")
    assert "family_members" in errors_of(data, kind="individual")
    data["family_members"] = [person("王芳", 9)]
    assert registration_validate("individual", data, region=county())["family_members"][0]["name"] == "王芳"


def test_an_individual_business_may_not_call_itself_a_company(register):
    data = individual_form()
    data["name"]["form"] = "公司"
    assert "name.form" in errors_of(data, kind="individual")
