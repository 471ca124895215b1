"""Enterprise name rules (《企业名称登记管理规定》), pure: no database, no Django."""

import subprocess
import sys

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from onewindow.enterprises import names
from onewindow.enterprises.names import EntityType, NameParts
from onewindow.enterprises.selectors import FORBIDDEN_WORDS_FILE

REGIONS = names.region_expressions([("province", "湖南省"), ("city", "常德市"), ("county", "武陵区")])
WORDS = names.ForbiddenWords.from_document(yaml.safe_load(FORBIDDEN_WORDS_FILE.read_text(encoding="utf-8")))
LC = EntityType.LIMITED_COMPANY


def problems(parts: NameParts, entity_type: EntityType = LC, **kwargs) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for p in names.check_name(parts, entity_type=entity_type, regions=REGIONS, words=WORDS, **kwargs):
        found.setdefault(p.part, []).append(p.code)
    return found


def test_the_names_module_imports_without_django():
    code = "import sys, onewindow.enterprises.names; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": "src"})


def test_a_district_is_named_with_its_city_and_province_and_city_may_drop_their_suffix():
    assert REGIONS[:2] == ["常德市武陵区", "常德武陵区"]
    assert set(REGIONS) == {"常德市武陵区", "常德武陵区", "湖南省", "湖南", "常德市", "常德"}


def test_a_county_may_be_named_alone():
    assert "澧县" in names.region_expressions(
        [("province", "湖南省"), ("city", "常德市"), ("county", "澧县")]
    )


@pytest.mark.parametrize(
    ("parts", "entity_type"),
    [
        (NameParts("常德市武陵区", "鼎盛", "餐饮管理", "有限公司"), LC),
        (NameParts("常德", "鼎盛", "餐饮管理", "有限责任公司"), LC),
        (NameParts("湖南", "鼎盛", "科技", "股份有限公司"), EntityType.JOINT_STOCK_COMPANY),
        (NameParts("常德市武陵区", "鼎盛", "咨询", "中心（普通合伙）"), EntityType.GENERAL_PARTNERSHIP),
        (NameParts("常德市武陵区", "鼎盛", "咨询", "事务所（特殊普通合伙）"), EntityType.GENERAL_PARTNERSHIP),
        (NameParts("常德市武陵区", "鼎盛", "投资", "合伙企业（有限合伙）"), EntityType.LIMITED_PARTNERSHIP),
        (NameParts("常德市武陵区", "鼎盛", "服装", "店"), EntityType.SOLE_PROPRIETORSHIP),
        (NameParts("常德市武陵区", "张三", "小吃", ""), EntityType.INDIVIDUAL_BUSINESS),
        (NameParts("常德市武陵区", "鼎盛", "国际货运代理", "有限公司"), LC),
    ],
)
def test_well_formed_names_pass(parts, entity_type):
    assert problems(parts, entity_type) == {}


@pytest.mark.parametrize(
    ("parts", "entity_type", "part", "code"),
    [
        (NameParts("武陵区", "鼎盛", "餐饮", "有限公司"), LC, "region", "region_not_allowed"),
        (NameParts("长沙市", "鼎盛", "餐饮", "有限公司"), LC, "region", "region_not_allowed"),
        (NameParts("", "鼎盛", "餐饮", "有限公司"), LC, "region", "required"),
        (NameParts("常德市", "盛", "餐饮", "有限公司"), LC, "trade_name", "too_short"),
        (NameParts("常德市", "DS", "餐饮", "有限公司"), LC, "trade_name", "not_chinese"),
        (NameParts("常德市", "常德", "餐饮", "有限公司"), LC, "trade_name", "region_as_trade_name"),
        (NameParts("常德市", "餐饮", "餐饮", "有限公司"), LC, "trade_name", "industry_as_trade_name"),
        (NameParts("常德市", "鼎盛", "", "有限公司"), LC, "industry", "required"),
        (NameParts("常德市", "鼎盛", "餐饮", ""), LC, "form", "required"),
        (NameParts("常德市", "鼎盛", "餐饮", "集团"), LC, "form", "form_mismatch"),
        (
            NameParts("常德市", "鼎盛", "餐饮", "有限公司"),
            EntityType.JOINT_STOCK_COMPANY,
            "form",
            "form_mismatch",
        ),
        (
            NameParts("常德市", "鼎盛", "咨询", "中心"),
            EntityType.GENERAL_PARTNERSHIP,
            "form",
            "form_mismatch",
        ),
        (
            NameParts("常德市", "鼎盛", "咨询", "中心（普通合伙）"),
            EntityType.LIMITED_PARTNERSHIP,
            "form",
            "form_mismatch",
        ),
        (
            NameParts("常德市", "鼎盛", "咨询", "有限公司"),
            EntityType.SOLE_PROPRIETORSHIP,
            "form",
            "form_mismatch",
        ),
        (
            NameParts("常德市", "鼎盛", "小吃", "公司"),
            EntityType.INDIVIDUAL_BUSINESS,
            "form",
            "form_mismatch",
        ),
        (NameParts("常德市", "中国", "餐饮", "有限公司"), LC, "trade_name", "forbidden_word"),
        (NameParts("常德市", "鼎盛", "赌场", "有限公司"), LC, "industry", "forbidden_word"),
        (
            NameParts("常德市", "鼎盛", "中国菜", "店"),
            EntityType.INDIVIDUAL_BUSINESS,
            "industry",
            "forbidden_word",
        ),
        (NameParts("常德市", "鼎盛", "银行", "有限公司"), LC, "industry", "forbidden_word"),
        (NameParts("常德市", "鼎" * 21, "餐饮", "有限公司"), LC, "trade_name", "too_long"),
    ],
)
def test_each_broken_rule_is_reported_on_its_part(parts, entity_type, part, code):
    assert code in problems(parts, entity_type).get(part, [])


def test_china_may_qualify_the_industry_of_a_company_but_not_be_its_trade_name():
    assert problems(NameParts("常德市", "鼎盛", "中国菜餐饮", "有限公司")) == {}
    assert "trade_name" in problems(NameParts("常德市", "中国", "餐饮", "有限公司"))


def test_a_cross_industry_name_leaves_out_the_industry():
    assert problems(NameParts("常德市", "鼎盛", "", "有限公司"), cross_industry=True) == {}
    assert "industry" in problems(
        NameParts("常德市", "鼎盛", "", "店"), EntityType.INDIVIDUAL_BUSINESS, cross_industry=True
    )


def test_a_given_region_name_is_reserved_as_a_trade_name():
    assert "trade_name" in problems(NameParts("常德市", "澧县", "餐饮", "有限公司"), reserved={"澧县"})


def test_parts_are_cleaned_of_spaces_and_get_full_width_brackets():
    assert names.clean_parts(
        region=" 常德市 ", trade_name="鼎 盛", industry="咨询", form="中心(普通合伙)"
    ) == NameParts("常德市", "鼎盛", "咨询", "中心（普通合伙）")


def test_a_full_name_is_split_into_its_parts():
    split = names.split_name(
        "常德市武陵区鼎盛餐饮管理有限公司", entity_type=LC, regions=REGIONS, industries=["餐饮管理", "管理"]
    )
    assert split == NameParts("常德市武陵区", "鼎盛", "餐饮管理", "有限公司")
    partnership = names.split_name(
        "常德鼎盛咨询中心（有限合伙）",
        entity_type=EntityType.LIMITED_PARTNERSHIP,
        regions=REGIONS,
        industries=["咨询"],
    )
    assert partnership == NameParts("常德", "鼎盛", "咨询", "中心（有限合伙）")


def test_the_same_trade_name_conflicts_in_the_same_industry_or_without_one():
    registered = NameParts("常德市", "鼎盛", "餐饮", "有限公司")
    assert names.trade_names_conflict(NameParts("湖南", "鼎盛", "餐饮", "有限责任公司"), registered)
    assert names.trade_names_conflict(NameParts("常德市", "鼎盛", "", "有限公司"), registered)
    assert not names.trade_names_conflict(NameParts("常德市", "鼎盛", "科技", "有限公司"), registered)
    assert not names.trade_names_conflict(NameParts("常德市", "宏达", "餐饮", "有限公司"), registered)


def test_addresses_match_without_their_division_names_spaces_or_width():
    where = ["湖南省", "常德市", "武陵区"]
    assert names.address_key("湖南省常德市武陵区人民路 100 号", region_names=where) == names.address_key(
        "武陵区人民路１００号", region_names=where
    )
    assert names.address_key("人民路100号", region_names=where) != names.address_key(
        "人民路101号", region_names=where
    )


def test_a_malformed_forbidden_words_file_is_refused():
    with pytest.raises(ValueError, match="第1项"):
        names.ForbiddenWords.from_document(
            {"version": "x", "words": [{"word": "甲", "parts": ["everywhere"]}]}
        )


HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)


@given(trade=st.text(HAN, min_size=2, max_size=8))
def test_any_trade_name_of_two_or_more_han_characters_without_forbidden_words_passes(trade):
    parts = NameParts("常德市武陵区", trade, "餐饮管理", "有限公司")
    found = problems(parts)
    forbidden = any(w.word in trade for w in WORDS.words if "trade_name" in w.parts)
    if forbidden or trade in REGIONS or trade == "餐饮管理":
        assert "trade_name" in found
    else:
        assert found == {}


def _foreign(ch: str) -> bool:
    return not ch.isspace() and not ("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf")


@given(trade=st.text(min_size=2, max_size=8).filter(lambda t: any(_foreign(c) for c in t)))
def test_a_trade_name_with_any_non_han_character_is_refused(trade):
    cleaned = names.clean_parts(region="常德市", trade_name=trade, industry="餐饮", form="有限公司")
    assert "trade_name" in problems(cleaned)


@given(order=st.permutations(["湖南省", "湖南", "常德市", "常德", "武陵区"]))
def test_the_address_key_does_not_depend_on_the_order_of_the_division_names(order):
    assert names.address_key("湖南省常德市武陵区人民路100号", region_names=order) == "人民路100号"
