import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow.org.idcodes import (
    PROVINCES,
    USCC_ALPHABET,
    InvalidCode,
    RegionLevel,
    birth_date,
    generate_resident_id,
    generate_uscc,
    mask_resident_id,
    mask_uscc,
    organisation_code_valid,
    parent_code,
    parse_region_code,
    parse_uscc,
    resident_id_check_char,
    sex,
    upgrade_15_to_18,
    uscc_check_char,
    validate_region_code,
    validate_resident_id,
    validate_uscc,
)

TODAY = date(2025, 6, 1)

# The sample in GB 11643-1999: 北京市朝阳区, born 1949-12-31, sequence 002 (female).
STANDARD_SAMPLE = "11010519491231002X"

# Codes published by their registries (searchable on cods.org.cn / 国家企业信用信息公示系统).
PUBLISHED_USCCS = [
    "92141127MA0KD1Y64A",  # 个体工商户, cited in github.com/jaywcjlove/regexp-example/issues/23
    "12440600MB2C07549J",  # 事业单位, cited in github.com/xbeginagain/generator/issues/2
    "914403001922038216",  # 华为技术有限公司, printed on its business licence
]


def with_rid_check(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def with_uscc_check(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def invalid(call, *args, **kwargs) -> InvalidCode:
    with pytest.raises(InvalidCode) as info:
        call(*args, **kwargs)
    return info.value


def test_idcodes_imports_without_django():
    code = "import sys, onewindow.org.idcodes; assert 'django' not in sys.modules"
    src = Path(__file__).resolve().parents[3]
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": str(src)})


# --- 公民身份号码, GB 11643-1999 ---------------------------------------------------------------------


def test_the_sample_number_from_the_standard_is_valid():
    assert validate_resident_id(STANDARD_SAMPLE, today=TODAY) == STANDARD_SAMPLE


def test_the_check_character_is_the_mod_11_2_sum_worked_by_hand():
    digits = [1, 1, 0, 1, 0, 5, 1, 9, 4, 9, 1, 2, 3, 1, 0, 0, 2]
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(d * w for d, w in zip(digits, weights, strict=True))
    assert total == 167
    assert (12 - total % 11) % 11 == 10  # written as X
    assert resident_id_check_char("11010519491231002") == "X"
    # The standard's second sample ends in a digit: 195 mod 11 = 8, (12 - 8) mod 11 = 4.
    assert resident_id_check_char("44052418800101001") == "4"


def test_a_lowercase_x_is_accepted_and_upper_cased():
    assert validate_resident_id(STANDARD_SAMPLE.lower(), today=TODAY) == STANDARD_SAMPLE


def test_surrounding_whitespace_is_stripped():
    assert validate_resident_id(f" \t{STANDARD_SAMPLE}\u3000\n", today=TODAY) == STANDARD_SAMPLE


def test_full_width_characters_typed_with_a_chinese_ime_are_folded_to_ascii():
    full_width = "１１０１０５１９４９１２３１００２ｘ"
    assert validate_resident_id(full_width, today=TODAY) == STANDARD_SAMPLE


def test_a_wrong_check_character_names_position_18_and_the_expected_character():
    exc = invalid(validate_resident_id, "110105194912310023", today=TODAY)
    assert str(exc) == "身份证号码第18位校验码应为 X，实际为 3"
    assert (exc.field, exc.position) == ("resident_id", 18)


def test_a_number_of_the_wrong_length_is_refused_without_a_position():
    exc = invalid(validate_resident_id, STANDARD_SAMPLE[:17], today=TODAY)
    assert str(exc) == "身份证号码应为18位，实际为17位"
    assert exc.position is None


def test_an_old_15_digit_number_is_refused_with_a_request_for_18_digits():
    exc = invalid(validate_resident_id, "110105491231002", today=TODAY)
    assert str(exc) == "身份证号码应为18位，实际为15位；15位旧号码已停止使用，请提供18位号码"


def test_a_letter_among_the_first_17_characters_is_named_with_its_position():
    exc = invalid(validate_resident_id, "11010519491231A02X", today=TODAY)
    assert str(exc) == "身份证号码第15位“A”不是数字"
    assert exc.position == 15


def test_an_inner_space_is_named_as_a_space():
    exc = invalid(validate_resident_id, "110105 9491231002X", today=TODAY)
    assert str(exc) == "身份证号码第7位空格不是数字"


def test_a_final_character_other_than_a_digit_or_x_is_refused():
    exc = invalid(validate_resident_id, "11010519491231002Y", today=TODAY)
    assert str(exc) == "身份证号码第18位“Y”不是数字或 X"
    assert exc.position == 18


def test_an_impossible_birth_date_is_reported_with_positions_7_to_14():
    exc = invalid(validate_resident_id, with_rid_check("11010519990231002"), today=TODAY)
    assert str(exc) == "身份证号码第7–14位出生日期 19990231 不是有效日期"
    assert exc.position == 7


def test_a_birth_date_after_today_is_refused():
    tomorrow = TODAY + timedelta(days=1)
    number = with_rid_check(f"110105{tomorrow:%Y%m%d}002")
    exc = invalid(validate_resident_id, number, today=TODAY)
    assert str(exc) == "身份证号码第7–14位出生日期 20250602 晚于今天"
    assert validate_resident_id(number, today=tomorrow) == number


def test_without_today_the_current_date_in_china_is_used():
    exc = invalid(validate_resident_id, with_rid_check("11010529991231002"))
    assert "晚于今天" in str(exc)


def test_the_standards_1880_sample_is_refused_as_a_birth_before_1900():
    exc = invalid(validate_resident_id, "440524188001010014", today=TODAY)
    assert str(exc) == "身份证号码第7–14位出生日期 18800101 早于1900年，应为输入错误"


def test_an_unknown_province_code_is_refused():
    exc = invalid(validate_resident_id, with_rid_check("99010519491231002"), today=TODAY)
    assert str(exc) == "身份证号码第1–2位“99”不是有效的省级行政区划代码"
    assert exc.position == 1


@pytest.mark.parametrize("address", ["810000", "820000", "830000"])
def test_residence_permits_for_hong_kong_macao_and_taiwan_residents_are_accepted(address):
    number = with_rid_check(f"{address}19900101001")
    assert validate_resident_id(number, today=TODAY) == number


def test_a_value_that_is_not_text_raises_invalid_code():
    exc = invalid(validate_resident_id, 11010519491231002, today=TODAY)
    assert exc.field == "resident_id"


def test_birth_date_and_sex_are_read_from_the_number():
    assert birth_date(STANDARD_SAMPLE) == date(1949, 12, 31)
    assert sex(STANDARD_SAMPLE) == "F"
    assert sex(with_rid_check("11010519491231001")) == "M"


def test_upgrading_a_15_digit_number_inserts_the_century_and_the_check_character():
    assert upgrade_15_to_18("110105491231002") == STANDARD_SAMPLE


def test_upgrading_reports_an_impossible_date_at_its_position_in_the_old_number():
    exc = invalid(upgrade_15_to_18, "110105990231002")
    assert str(exc) == "15位身份证号码第7–12位出生日期 990231 不是有效日期"


def test_a_resident_id_is_masked_to_its_address_code_and_last_4_characters():
    assert mask_resident_id(STANDARD_SAMPLE.lower()) == "110105********002X"


@pytest.mark.parametrize("value", ["", "12345", "1101051949123100", None])
def test_masking_a_malformed_value_reveals_nothing_and_does_not_raise(value):
    assert set(mask_resident_id(value)) <= {"*"}


# --- 统一社会信用代码, GB 32100-2015 ----------------------------------------------------------------


@pytest.mark.parametrize("code", PUBLISHED_USCCS)
def test_published_codes_are_valid_and_carry_a_valid_organisation_code(code):
    assert validate_uscc(code) == code
    assert organisation_code_valid(code)


def test_the_check_character_is_the_mod_31_sum_worked_by_hand():
    # 92141127MA0KD1Y64A: values are indexes in USCC_ALPHABET (M=21, A=10, K=19, D=13, Y=30).
    values = [9, 2, 1, 4, 1, 1, 2, 7, 21, 10, 0, 19, 13, 1, 30, 6, 4]
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(v * w for v, w in zip(values, weights, strict=True))
    assert total == 2005
    assert 31 - total % 31 == 10  # "A"
    assert uscc_check_char("92141127MA0KD1Y64") == "A"


def test_the_organisation_code_check_values_letters_by_the_full_latin_alphabet():
    # MA0KD1Y6: M=22, A=10, K=20, D=13, Y=34 (not the USCC indexes); 557 mod 11 = 7; 11 - 7 = 4.
    values = [22, 10, 0, 20, 13, 1, 34, 6]
    assert sum(v * w for v, w in zip(values, [3, 7, 9, 10, 5, 8, 4, 2], strict=True)) == 557
    assert organisation_code_valid("MA0KD1Y6-4")
    assert not organisation_code_valid("MA0KD1Y6-5")


def test_a_check_value_of_31_is_written_as_0():
    # 911101085923662400 (北京字节跳动科技有限公司) has a weighted sum divisible by 31.
    assert uscc_check_char("91110108592366240") == "0"


def test_a_lowercase_code_with_surrounding_whitespace_is_normalised():
    assert validate_uscc(" 92141127ma0kd1y64a\n") == "92141127MA0KD1Y64A"


def test_a_letter_the_standard_does_not_use_is_named_with_its_position():
    exc = invalid(validate_uscc, "9214I127MA0KD1Y64A")
    assert str(exc) == "统一社会信用代码第5位“I”不是允许的字符（不使用 I、O、Z、S、V）"
    assert (exc.field, exc.position) == ("uscc", 5)


def test_punctuation_is_refused_with_the_allowed_characters_spelled_out():
    exc = invalid(validate_uscc, "92141127-A0KD1Y64A")
    assert (
        str(exc) == "统一社会信用代码第9位“-”不是允许的字符（只能使用数字和大写字母，不使用 I、O、Z、S、V）"
    )


def test_a_letter_in_the_division_code_is_refused():
    exc = invalid(validate_uscc, with_uscc_check("9214A127MA0KD1Y64"))
    assert str(exc) == "统一社会信用代码第5位“A”不是数字（第3–8位是登记管理机关行政区划码）"
    assert exc.position == 5


def test_a_wrong_check_character_names_the_expected_one():
    exc = invalid(validate_uscc, "92141127MA0KD1Y64B")
    assert str(exc) == "统一社会信用代码第18位校验码应为 A，实际为 B"
    assert exc.position == 18


def test_a_code_of_the_wrong_length_is_refused_without_a_position():
    exc = invalid(validate_uscc, "92141127MA0KD1Y64")
    assert str(exc) == "统一社会信用代码应为18位，实际为17位"
    assert exc.position is None


def test_a_wrong_organisation_code_check_does_not_invalidate_the_code():
    code = with_uscc_check("92141127MA0KD1Y65")
    assert validate_uscc(code) == code
    assert not parse_uscc(code).organisation_code_valid


def test_parse_uscc_names_the_authority_and_category():
    parts = parse_uscc("92141127MA0KD1Y64A")
    assert (parts.authority_name, parts.category_name) == ("工商", "个体工商户")
    assert (parts.region6, parts.organisation_code, parts.check) == ("141127", "MA0KD1Y64", "A")


def test_an_authority_missing_from_the_table_is_accepted_without_a_name():
    code = generate_uscc(random.Random(1), region6="511902", authority="G", category="1")
    parts = parse_uscc(code)
    assert (parts.authority_name, parts.category_name) == (None, None)


def test_a_uscc_is_masked_to_its_first_8_and_last_4_characters():
    assert mask_uscc("92141127MA0KD1Y64A") == "92141127******Y64A"
    assert mask_uscc("92141127") == "********"


# --- 统计用区划代码 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("510000000000", RegionLevel.PROVINCE),
        ("511900000000", RegionLevel.CITY),  # 巴中市
        ("511902000000", RegionLevel.COUNTY),  # 巴州区
        ("511902001000", RegionLevel.TOWN),
        ("511902001001", RegionLevel.VILLAGE),
        ("110100000000", RegionLevel.CITY),  # 北京市市辖区
        ("441900003000", RegionLevel.TOWN),  # a town of 东莞市, which has no counties
    ],
)
def test_the_level_is_the_lowest_non_zero_part(code, level):
    assert parse_region_code(code).level is level


def test_a_region_code_is_split_into_its_five_parts():
    region = parse_region_code("511902001001")
    assert (region.province, region.city, region.county, region.town, region.village) == (
        "51",
        "19",
        "02",
        "001",
        "001",
    )


def test_a_six_digit_division_code_is_padded_to_twelve_digits():
    assert validate_region_code("511902") == "511902000000"


def test_parent_codes_walk_up_one_level_at_a_time():
    assert parent_code("511902001001") == "511902001000"
    assert parent_code("511902001000") == "511902000000"
    assert parent_code("511902000000") == "511900000000"
    assert parent_code("511900000000") == "510000000000"
    assert parent_code("510000000000") is None


def test_a_town_directly_under_a_city_without_counties_has_the_city_as_parent():
    assert parent_code("441900003000") == "441900000000"


def test_a_region_code_of_the_wrong_length_is_refused():
    exc = invalid(validate_region_code, "5119020010")
    assert str(exc) == "区划代码应为12位数字，实际为10位"
    assert (exc.field, exc.position) == ("region_code", None)


def test_a_non_digit_in_a_region_code_is_named_with_its_position():
    exc = invalid(validate_region_code, "51A902001001")
    assert str(exc) == "区划代码第3位“A”不是数字"
    assert exc.position == 3


def test_an_unknown_province_in_a_region_code_is_refused():
    exc = invalid(validate_region_code, "990000000000")
    assert str(exc) == "区划代码第1–2位“99”不是有效的省级行政区划代码"


def test_a_county_without_a_city_part_is_refused():
    exc = invalid(validate_region_code, "510002000000")
    assert str(exc) == "区划代码第3–4位地级代码为00，但第5–12位下级代码不全为0"
    assert exc.position == 3


def test_a_village_without_a_town_part_is_refused():
    exc = invalid(validate_region_code, "511902000001")
    assert str(exc) == "区划代码第7–9位乡级代码为000，但第10–12位村级代码不为000"
    assert exc.position == 7


# --- Properties ---------------------------------------------------------------------------------

regions6 = st.builds(
    lambda province, rest: f"{province}{rest:04d}",
    st.sampled_from(sorted(PROVINCES)),
    st.integers(0, 9999),
)
births = st.dates(date(1900, 1, 1), TODAY)
sexes = st.sampled_from(["M", "F"])


@st.composite
def resident_ids(draw):
    rng = draw(st.randoms(use_true_random=False))
    return generate_resident_id(rng, region6=draw(regions6), birth=draw(births), sex=draw(sexes))


@st.composite
def usccs(draw):
    rng = draw(st.randoms(use_true_random=False))
    authority, category = draw(st.sampled_from(USCC_ALPHABET)), draw(st.sampled_from(USCC_ALPHABET))
    return generate_uscc(rng, region6=draw(regions6), authority=authority, category=category)


@given(rng=st.randoms(use_true_random=False), region6=regions6, birth=births, wanted=sexes)
def test_generated_resident_ids_validate_and_encode_the_birth_date_and_sex(rng, region6, birth, wanted):
    number = generate_resident_id(rng, region6=region6, birth=birth, sex=wanted)
    assert validate_resident_id(number, today=TODAY) == number
    assert (birth_date(number), sex(number)) == (birth, wanted)


@given(number=resident_ids(), data=st.data())
def test_changing_any_one_character_of_a_resident_id_makes_it_invalid(number, data):
    position = data.draw(st.integers(0, 17))
    allowed = "0123456789X" if position == 17 else "0123456789"
    new = data.draw(st.sampled_from([ch for ch in allowed if ch != number[position]]))
    with pytest.raises(InvalidCode):
        validate_resident_id(number[:position] + new + number[position + 1 :], today=TODAY)


@given(number=resident_ids())
def test_a_masked_resident_id_hides_the_birth_date(number):
    masked = mask_resident_id(number)
    assert (len(masked), masked[:6], masked[6:14], masked[14:]) == (18, number[:6], "*" * 8, number[14:])


@given(code=usccs())
def test_generated_usccs_validate_and_carry_a_valid_organisation_code(code):
    assert validate_uscc(code) == code
    assert organisation_code_valid(code)


@given(code=usccs(), data=st.data())
def test_changing_any_one_character_of_a_uscc_makes_it_invalid(code, data):
    position = data.draw(st.integers(0, 17))
    new = data.draw(st.sampled_from([ch for ch in USCC_ALPHABET if ch != code[position]]))
    with pytest.raises(InvalidCode):
        validate_uscc(code[:position] + new + code[position + 1 :])


LEVELS = list(RegionLevel)


@st.composite
def region_codes(draw):
    depth = draw(st.integers(0, 4))  # index into LEVELS
    province = draw(st.sampled_from(sorted(PROVINCES)))
    city = draw(st.integers(1, 99)) if depth >= 1 else 0
    # Below county level the county part may be 00 (cities without counties, such as 东莞).
    county = draw(st.integers(1 if depth == 2 else 0, 99)) if depth >= 2 else 0
    town = draw(st.integers(1, 999)) if depth >= 3 else 0
    village = draw(st.integers(1, 999)) if depth == 4 else 0
    return f"{province}{city:02d}{county:02d}{town:03d}{village:03d}", LEVELS[depth]


@given(drawn=region_codes())
def test_a_region_codes_parts_reassemble_into_the_code_at_the_drawn_level(drawn):
    code, level = drawn
    region = parse_region_code(code)
    assert region.level is level
    assert region.province + region.city + region.county + region.town + region.village == code


@given(drawn=region_codes())
def test_walking_up_parent_codes_reaches_the_province_through_ever_higher_levels(drawn):
    code, _level = drawn
    chain = [code]
    while (parent := parent_code(chain[-1])) is not None:
        assert parent[:2] == code[:2]
        chain.append(parent)
    levels = [LEVELS.index(parse_region_code(c).level) for c in chain]
    assert levels == sorted(levels, reverse=True)
    assert len(set(levels)) == len(levels)
    assert chain[-1] == code[:2] + "0" * 10


@given(region6=regions6.filter(lambda c: c[2:4] != "00" or c[4:] == "00"))
def test_a_six_digit_code_means_the_same_as_its_twelve_digit_expansion(region6):
    assert parse_region_code(region6) == parse_region_code(region6 + "000000")
