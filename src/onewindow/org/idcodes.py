"""Check digits and structure of the identifiers the service hall handles every day.

* 公民身份号码 (resident identity number), GB 11643-1999;
* 统一社会信用代码 (unified social credit code, USCC), GB 32100-2015, whose body is an
  organisation code (组织机构代码) per GB 11714-1997;
* 统计用区划代码 (the 12-digit statistical division code of 国家统计局), whose first six digits are
  the administrative division code of GB/T 2260.

This module imports only the standard library so that it loads without Django (STYLE.md §2). Every
validator normalises its input (surrounding whitespace stripped, full-width characters folded to
ASCII by NFKC, letters upper-cased) and either returns the normalised value or raises `InvalidCode`.
The messages are user-facing Chinese; they are plain strings rather than `gettext_lazy` because this
module must not import Django.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Literal

__all__ = [
    "PROVINCES",
    "SERIAL_BODY_PREFIX",
    "USCC_ALPHABET",
    "USCC_AUTHORITIES",
    "USCC_CATEGORIES",
    "InvalidCode",
    "RegionCode",
    "RegionLevel",
    "UsccParts",
    "birth_date",
    "generate_resident_id",
    "generate_uscc",
    "mask_resident_id",
    "mask_uscc",
    "organisation_code_from_serial",
    "organisation_code_valid",
    "parent_code",
    "parse_region_code",
    "parse_uscc",
    "resident_id_check_char",
    "sex",
    "upgrade_15_to_18",
    "uscc_check_char",
    "uscc_from_serial",
    "validate_region_code",
    "validate_resident_id",
    "validate_uscc",
]

Field = Literal["resident_id", "uscc", "region_code"]
Sex = Literal["M", "F"]

_DIGITS = "0123456789"


class InvalidCode(ValueError):
    """A code failed validation.

    `field` names the kind of code ("resident_id", "uscc" or "region_code"). `position` is the
    1-based index of the offending character; for a multi-character part (a birth date, a province
    code) it is the part's first character; it is None when no single character is at fault (wrong
    length). The message (`str(exc)`) is Chinese and names the character and the reason. The
    exception deliberately does not carry the whole value: a resident identity number is personal
    information and exceptions end up in logs.
    """

    def __init__(self, message: str, *, field: Field, position: int | None = None) -> None:
        super().__init__(message)
        self.field: Field = field
        self.position = position


# Province-level codes (the first two digits) of GB/T 2260 中华人民共和国行政区划代码.
PROVINCES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}

# 港澳台居民居住证 (residence permits for residents of Hong Kong, Macao and Taiwan, 国办发〔2018〕81号)
# carry an 18-digit number in the GB 11643 format whose address code is 810000, 820000 or 830000.
# 83 is not a GB/T 2260 division, so it is accepted for resident identity numbers only.
_RESIDENT_ID_PROVINCES: dict[str, str] = {**PROVINCES, "83": "台湾居民居住证"}


def _default_today() -> date:
    # Dates of birth are calendar dates in China. China has used UTC+8 without daylight saving
    # since 1991, so a fixed offset is exact and spares this module a tzdata dependency.
    return datetime.now(timezone(timedelta(hours=8))).date()


def _show(ch: str) -> str:
    return "空格" if ch.isspace() else f"“{ch}”"


def _normalise(value: object, *, field: Field, label: str) -> str:
    if not isinstance(value, str):
        raise InvalidCode(f"{label}应为文本，实际为 {type(value).__name__}", field=field)
    # NFKC folds full-width digits and letters (typed with a Chinese IME in full-width mode) to ASCII.
    return unicodedata.normalize("NFKC", value).strip().upper()


def _require_digits(value: str, *, field: Field, label: str, start: int = 1) -> None:
    for i, ch in enumerate(value, start=start):
        if ch not in _DIGITS:
            raise InvalidCode(f"{label}第{i}位{_show(ch)}不是数字", field=field, position=i)


# --------------------------------------------------------------------------------------------------
# 公民身份号码, GB 11643-1999
# --------------------------------------------------------------------------------------------------

_RID = "身份证号码"
# GB 11643-1999: weight of position i (1..17) is 2**(18 - i) mod 11.
_RID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# GB 11643 sets no lower bound on the date of birth. Applicants, and the people named in their
# applications, are alive or recently deceased; nobody born before 1900 is alive today, so an earlier
# date is a typo (1880 for 1980). The standard's own second sample, 440524188001010014, is born 1880
# and is therefore refused here on purpose.
_EARLIEST_BIRTH = date(1900, 1, 1)


def resident_id_check_char(first17: str) -> str:
    """Check character of a resident identity number (GB 11643-1999, ISO 7064 MOD 11-2).

    `first17` is the first 17 digits. Sum each digit times its weight
    (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2); the check value is (12 - sum mod 11) mod 11, written
    as 'X' when it is 10. Raises InvalidCode if `first17` is not 17 ASCII digits.
    """
    if len(first17) != 17:
        raise InvalidCode(f"{_RID}前17位应为17位数字，实际为{len(first17)}位", field="resident_id")
    _require_digits(first17, field="resident_id", label=_RID)
    total = sum(int(ch) * w for ch, w in zip(first17, _RID_WEIGHTS, strict=True))
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _check_rid_region(code6: str) -> None:
    if code6[:2] not in _RESIDENT_ID_PROVINCES:
        raise InvalidCode(
            f"{_RID}第1–2位“{code6[:2]}”不是有效的省级行政区划代码", field="resident_id", position=1
        )


def _check_birth(yyyymmdd: str, *, where: str, today: date | None) -> date:
    """`where` names the date in messages, e.g. "身份证号码第7–14位出生日期 19990231"."""
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise InvalidCode(f"{where} 不是有效日期", field="resident_id", position=7) from None
    if born < _EARLIEST_BIRTH:
        raise InvalidCode(f"{where} 早于1900年，应为输入错误", field="resident_id", position=7)
    if today is not None and born > today:
        raise InvalidCode(f"{where} 晚于今天", field="resident_id", position=7)
    return born


def validate_resident_id(value: str, *, today: date | None = None) -> str:
    """Validate an 18-character resident identity number (GB 11643-1999) and return it normalised.

    Structure (GB 11643-1999): positions 1–6 address code (the first two digits must be a
    province-level code of GB/T 2260, or 83 for residence permits of Taiwan residents), 7–14 date
    of birth YYYYMMDD, 15–17 sequence code (odd for men, even for women), 18 check character
    (a digit or X, see `resident_id_check_char`). A lowercase x is accepted and upper-cased.

    The date of birth must be a real date, not before 1900 and not after `today` (default: the
    current date in China). Old 15-digit numbers are refused; convert them with `upgrade_15_to_18`.
    Raises InvalidCode.
    """
    rid = _normalise(value, field="resident_id", label=_RID)
    if len(rid) == 15 and all(ch in _DIGITS for ch in rid):
        raise InvalidCode(
            f"{_RID}应为18位，实际为15位；15位旧号码已停止使用，请提供18位号码", field="resident_id"
        )
    if len(rid) != 18:
        raise InvalidCode(f"{_RID}应为18位，实际为{len(rid)}位", field="resident_id")
    _require_digits(rid[:17], field="resident_id", label=_RID)
    if rid[17] not in _DIGITS + "X":
        raise InvalidCode(f"{_RID}第18位{_show(rid[17])}不是数字或 X", field="resident_id", position=18)
    _check_rid_region(rid[:6])
    _check_birth(
        rid[6:14],
        where=f"{_RID}第7–14位出生日期 {rid[6:14]}",
        today=_default_today() if today is None else today,
    )
    expected = resident_id_check_char(rid[:17])
    if rid[17] != expected:
        raise InvalidCode(
            f"{_RID}第18位校验码应为 {expected}，实际为 {rid[17]}", field="resident_id", position=18
        )
    return rid


def birth_date(resident_id: str) -> date:
    """Date of birth encoded in positions 7–14 of a resident identity number (GB 11643-1999).

    Validates the number first; raises InvalidCode.
    """
    rid = validate_resident_id(resident_id)
    return date(int(rid[6:10]), int(rid[10:12]), int(rid[12:14]))


def sex(resident_id: str) -> Sex:
    """Sex from the sequence code (positions 15–17): odd is "M", even is "F" (GB 11643-1999).

    Validates the number first; raises InvalidCode.
    """
    rid = validate_resident_id(resident_id)
    return "M" if int(rid[16]) % 2 == 1 else "F"


def mask_resident_id(value: str) -> str:
    """Mask a resident identity number for lists and exports: keep the address code (first 6) and
    the last 4 characters, hide the date of birth, e.g. "511902********123X".

    Never raises, so an export of legacy data cannot fail or leak: a 15-digit number keeps its first
    6 and last 4 as well, and a value of any other length is masked entirely.
    """
    if not isinstance(value, str):
        return ""
    rid = unicodedata.normalize("NFKC", value).strip().upper()
    if len(rid) in (15, 18):
        return rid[:6] + "*" * (len(rid) - 10) + rid[-4:]
    return "*" * len(rid)


def upgrade_15_to_18(old: str) -> str:
    """Convert a 15-digit first-generation number to the 18-digit form.

    A 15-digit number is address code (6), date of birth YYMMDD (6), sequence code (3). The
    18-digit form inserts the century "19" before the year (15-digit numbers were issued to people
    born in the 1900s) and appends the GB 11643-1999 check character. Raises InvalidCode.
    """
    digits = _normalise(old, field="resident_id", label="15位" + _RID)
    if len(digits) != 15:
        raise InvalidCode(f"15位{_RID}应为15位，实际为{len(digits)}位", field="resident_id")
    _require_digits(digits, field="resident_id", label="15位" + _RID)
    _check_rid_region(digits[:6])
    first17 = digits[:6] + "19" + digits[6:]
    _check_birth(first17[6:14], where=f"15位{_RID}第7–12位出生日期 {digits[6:12]}", today=None)
    return first17 + resident_id_check_char(first17)


def generate_resident_id(rng: random.Random, *, region6: str, birth: date, sex: Sex | None = None) -> str:
    """A valid resident identity number (GB 11643-1999) for test and simulated data.

    `region6` is a 6-digit address code whose province part is valid; the sequence code is drawn
    from `rng` (odd for "M", even for "F", either if `sex` is None). `birth` is not compared with
    today, so a simulator running on a simulated clock may use any date from 1900 on.
    Raises InvalidCode for a bad `region6` or a birth date before 1900.
    """
    if len(region6) != 6:
        raise InvalidCode(f"{_RID}地址码应为6位数字，实际为{len(region6)}位", field="resident_id")
    _require_digits(region6, field="resident_id", label=_RID)
    _check_rid_region(region6)
    yyyymmdd = birth.strftime("%Y%m%d")
    _check_birth(yyyymmdd, where=f"出生日期 {yyyymmdd}", today=None)
    # Odd sequence codes are men's, even ones women's; 000 is avoided.
    sequence = rng.randrange(1, 1000) if sex is None else rng.randrange(1 if sex == "M" else 2, 1000, 2)
    first17 = f"{region6}{yyyymmdd}{sequence:03d}"
    return first17 + resident_id_check_char(first17)


# --------------------------------------------------------------------------------------------------
# 统一社会信用代码, GB 32100-2015
# --------------------------------------------------------------------------------------------------

_USCC = "统一社会信用代码"
# GB 32100-2015: digits and upper-case letters except I, O, Z, S and V (easily confused
# with 1, 0, 2, 5 and U). A character's value in the check calculation is its index here.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
# GB 32100-2015: weight of position i (1..17) is 3**(i - 1) mod 31.
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_EXCLUDED = "IOZSV"

# Registration authorities (登记管理部门代码, position 1) and their organisation categories
# (机构类别代码, position 2), GB 32100-2015 附录 A. A and N were assigned after 2015.
USCC_AUTHORITIES: dict[str, str] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}
USCC_CATEGORIES: dict[str, dict[str, str]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    "2": {"1": "外国常驻新闻机构", "9": "其他"},
    "3": {
        "1": "律师执业机构",
        "2": "公证处",
        "3": "基层法律服务所",
        "4": "司法鉴定机构",
        "5": "仲裁委员会",
        "9": "其他",
    },
    "4": {"1": "外国在华文化中心", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "6": {
        "1": "外国旅游部门常驻代表机构",
        "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
        "9": "其他",
    },
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},
    "8": {"1": "基层工会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "A": {"1": "军队事业单位", "9": "其他"},
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    "Y": {"1": "其他"},
}
# Positions 1 and 2 are NOT checked against these tables: the national standards body keeps
# assigning authority and category codes after publication (A and N above are examples), and a
# county hall must not turn away an organisation whose code is newer than this table. A mistyped
# character in positions 1–2 is still caught by the check character.


def uscc_check_char(first17: str) -> str:
    """Check character of a unified social credit code (GB 32100-2015, MOD 31).

    `first17` is the first 17 characters. Sum each character's value (its index in
    `USCC_ALPHABET`) times its weight (1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28); the check
    value is 31 - sum mod 31, with 31 written as 0, mapped back through `USCC_ALPHABET`.
    Raises InvalidCode if `first17` is not 17 characters of the alphabet.
    """
    if len(first17) != 17:
        raise InvalidCode(f"{_USCC}前17位应为17个字符，实际为{len(first17)}个", field="uscc")
    _require_uscc_alphabet(first17)
    total = sum(_USCC_VALUES[ch] * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def _require_uscc_alphabet(value: str) -> None:
    for i, ch in enumerate(value, start=1):
        if ch in _USCC_VALUES:
            continue
        if ch in _USCC_EXCLUDED:
            why = "不使用 I、O、Z、S、V"
        else:
            why = "只能使用数字和大写字母，不使用 I、O、Z、S、V"
        raise InvalidCode(f"{_USCC}第{i}位{_show(ch)}不是允许的字符（{why}）", field="uscc", position=i)


def validate_uscc(value: str) -> str:
    """Validate a unified social credit code (GB 32100-2015) and return it normalised.

    Structure (GB 32100-2015): position 1 registration authority, 2 organisation category,
    3–8 administrative division code of the registering authority (digits; 100000 for national
    registrations, so the province is not checked), 9–17 organisation code (GB 11714 body and check),
    18 check character (see `uscc_check_char`). All characters come from `USCC_ALPHABET`.

    Enforced: length, alphabet, digits in 3–8, and the position-18 check character. Not enforced:
    the authority/category tables (see `USCC_CATEGORIES`) and the organisation-code check at
    position 17 (see `organisation_code_valid`). Raises InvalidCode.
    """
    code = _normalise(value, field="uscc", label=_USCC)
    if len(code) != 18:
        raise InvalidCode(f"{_USCC}应为18位，实际为{len(code)}位", field="uscc")
    _require_uscc_alphabet(code)
    for i in range(3, 9):
        if code[i - 1] not in _DIGITS:
            raise InvalidCode(
                f"{_USCC}第{i}位“{code[i - 1]}”不是数字（第3–8位是登记管理机关行政区划码）",
                field="uscc",
                position=i,
            )
    # Known exception: some codes issued in 厦门 before 2016 fail this check although they are
    # genuine (91350203M0001QKT19, github.com/chinabugotech/hutool/issues/4119). They are refused.
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise InvalidCode(f"{_USCC}第18位校验码应为 {expected}，实际为 {code[17]}", field="uscc", position=18)
    return code


# GB 11714-1997: weights of the 8 body characters; a character's value is 0–9 for digits and
# 10–35 for A–Z (the full Latin alphabet, unlike the USCC alphabet).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def organisation_code_valid(code: str) -> bool:
    """Whether an organisation code's check character is right (GB 11714-1997, MOD 11).

    `code` is a 9-character organisation code ("19220382-1" or "192203821") or an 18-character
    USCC, whose positions 9–17 are the organisation code. Check value = 11 - sum mod 11 over the
    8 body characters weighted 3 7 9 10 5 8 4 2, written 'X' for 10 and '0' for 11.

    `validate_uscc` does not require this. Real codes are supposed to carry it, and every published
    code we checked does, but we have no register-wide evidence that all of them do; the position-18
    check already catches any single mistyped character, and refusing an organisation that holds a
    genuine licence is worse than the rare typo this second check would add. Use it for warnings and
    data-quality reports.
    """
    org = unicodedata.normalize("NFKC", code).strip().upper()
    if len(org) == 18:
        org = org[8:17]
    elif len(org) == 10 and org[8] == "-":
        org = org[:8] + org[9]
    if len(org) != 9 or any(ch not in _ORG_CHARS for ch in org[:8]):
        return False
    return org[8] == _organisation_check_char(org[:8])


def _organisation_check_char(body: str) -> str:
    check = 11 - sum(_ORG_CHARS.index(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(check, str(check))


@dataclass(frozen=True)
class UsccParts:
    """The parts of a valid unified social credit code (GB 32100-2015).

    `authority_name` and `category_name` are None when the code is not in `USCC_AUTHORITIES` /
    `USCC_CATEGORIES` (codes assigned after this table was written).
    """

    code: str
    authority: str
    category: str
    region6: str
    organisation_code: str
    check: str
    authority_name: str | None
    category_name: str | None
    organisation_code_valid: bool


def parse_uscc(value: str) -> UsccParts:
    """Validate a unified social credit code (see `validate_uscc`) and split it into its parts."""
    code = validate_uscc(value)
    return UsccParts(
        code=code,
        authority=code[0],
        category=code[1],
        region6=code[2:8],
        organisation_code=code[8:17],
        check=code[17],
        authority_name=USCC_AUTHORITIES.get(code[0]),
        category_name=USCC_CATEGORIES.get(code[0], {}).get(code[1]),
        organisation_code_valid=organisation_code_valid(code),
    )


def mask_uscc(value: str) -> str:
    """Mask a unified social credit code for lists and exports: keep positions 1–8 (authority,
    category, region) and the last 4, e.g. "92141127******Y64A". A 个体工商户's code identifies a
    person, so it is masked like a resident identity number. Never raises; a value that is not
    18 characters long is masked entirely."""
    if not isinstance(value, str):
        return ""
    code = unicodedata.normalize("NFKC", value).strip().upper()
    if len(code) == 18:
        return code[:8] + "*" * 6 + code[-4:]
    return "*" * len(code)


def generate_uscc(rng: random.Random, *, region6: str, authority: str = "9", category: str = "1") -> str:
    """A valid unified social credit code (GB 32100-2015) for test and simulated data.

    The organisation-code body is 8 characters of `USCC_ALPHABET` drawn from `rng`, followed by its
    GB 11714 check character, so `organisation_code_valid` holds as well. Defaults to an enterprise
    registered by 工商 (9, 1). Raises InvalidCode for a bad `region6`, `authority` or `category`.
    """
    if len(region6) != 6:
        raise InvalidCode(f"{_USCC}登记管理机关行政区划码应为6位数字，实际为{len(region6)}位", field="uscc")
    _require_digits(region6, field="uscc", label=_USCC, start=3)
    if len(authority) != 1 or len(category) != 1:
        raise InvalidCode(f"{_USCC}登记管理部门代码和机构类别代码应各为1个字符", field="uscc")
    _require_uscc_alphabet(authority + category)
    body = "".join(rng.choice(USCC_ALPHABET) for _ in range(8))
    first17 = f"{authority}{category}{region6}{body}{_organisation_check_char(body)}"
    return first17 + uscc_check_char(first17)


# The organisation codes (positions 9–17) of new registrations are handed out by the national code
# centre; codes assigned to market entities since the 2015 reform start with "MA" (e.g. the 9–17 of
# 91430102MA4L…). `uscc_from_serial` stands in for that centre in one deployment: the n-th code of a
# registering region gets the body "MA" + n in base 31 over `USCC_ALPHABET`.
SERIAL_BODY_PREFIX = "MA"


def organisation_code_from_serial(serial: int, *, prefix: str = SERIAL_BODY_PREFIX) -> str:
    """The 9-character organisation code (GB 11714-1997 body and check character) for `serial`.

    The 8-character body is `prefix` followed by `serial` written in base 31 with the digits of
    `USCC_ALPHABET`, left-padded with "0"; the 9th character is the GB 11714 check character, so
    `organisation_code_valid` holds. Distinct serials give distinct codes. `serial` runs from 1 to
    31 ** (8 - len(prefix)) - 1 (887 503 680 with "MA"). Raises InvalidCode outside that range or
    for a prefix that is not 0–7 characters of `USCC_ALPHABET`.
    """
    if len(prefix) > 7:
        raise InvalidCode(f"组织机构代码前缀最多7个字符，实际为{len(prefix)}个", field="uscc")
    _require_uscc_alphabet(prefix)
    width = 8 - len(prefix)
    if isinstance(serial, bool) or not isinstance(serial, int) or not 1 <= serial < 31**width:
        raise InvalidCode(f"组织机构代码顺序号应为1至{31**width - 1}的整数", field="uscc")
    digits = []
    for _ in range(width):
        serial, remainder = divmod(serial, 31)
        digits.append(USCC_ALPHABET[remainder])
    body = prefix + "".join(reversed(digits))
    return body + _organisation_check_char(body)


def uscc_from_serial(
    serial: int,
    *,
    region6: str,
    authority: str = "9",
    category: str = "1",
    prefix: str = SERIAL_BODY_PREFIX,
) -> str:
    """The unified social credit code (GB 32100-2015) of the `serial`-th registration of a region.

    Position 1 registration authority (9 工商/市场监管), 2 organisation category (1 企业, 2 个体工商户,
    3 农民专业合作社), 3–8 `region6` (the registering authority's administrative division code),
    9–17 `organisation_code_from_serial(serial, prefix=prefix)`, 18 the GB 32100 check character.
    The same inputs always give the same code; uniqueness comes from never reusing a serial of a
    region (the caller's counter). Raises InvalidCode for a bad `region6`, authority, category or
    serial.
    """
    if not isinstance(region6, str) or len(region6) != 6:
        raise InvalidCode(f"{_USCC}登记管理机关行政区划码应为6位数字", field="uscc")
    _require_digits(region6, field="uscc", label=_USCC, start=3)
    if not isinstance(authority, str) or not isinstance(category, str) or len(authority + category) != 2:
        raise InvalidCode(f"{_USCC}登记管理部门代码和机构类别代码应各为1个字符", field="uscc")
    _require_uscc_alphabet(authority + category)
    first17 = f"{authority}{category}{region6}{organisation_code_from_serial(serial, prefix=prefix)}"
    return first17 + uscc_check_char(first17)


# --------------------------------------------------------------------------------------------------
# 统计用区划代码 (国家统计局) and GB/T 2260 administrative division codes
# --------------------------------------------------------------------------------------------------

_REGION = "区划代码"


class RegionLevel(StrEnum):
    PROVINCE = "province"  # 省级
    CITY = "city"  # 地级
    COUNTY = "county"  # 县级
    TOWN = "town"  # 乡级 (街道、镇、乡)
    VILLAGE = "village"  # 村级 (居委会、村委会)


@dataclass(frozen=True)
class RegionCode:
    """A 12-digit statistical division code split into its parts: province (2 digits), city (2),
    county (2), town (3), village (3). `level` is the level of the lowest non-zero part."""

    code: str
    province: str
    city: str
    county: str
    town: str
    village: str
    level: RegionLevel


# The five parts as (start, end) slices of the 12-digit code, from the top level down.
_REGION_PARTS: tuple[tuple[RegionLevel, int, int], ...] = (
    (RegionLevel.PROVINCE, 0, 2),
    (RegionLevel.CITY, 2, 4),
    (RegionLevel.COUNTY, 4, 6),
    (RegionLevel.TOWN, 6, 9),
    (RegionLevel.VILLAGE, 9, 12),
)
_LEVEL_START = {level: start for level, start, _end in _REGION_PARTS}


def validate_region_code(value: str) -> str:
    """Validate a statistical division code (统计用区划代码, 国家统计局) and return its 12 digits.

    Twelve digits: province (2), city (2), county (2), town (3), village (3); a level that does not
    apply is all zeros. A 6-digit GB/T 2260 administrative division code (province, city, county)
    is also accepted and padded with six zeros, because the statistical code extends GB/T 2260 by
    the town and village parts.

    Checked: the province part is a GB/T 2260 province-level code; a code below province level has a
    non-zero city part (municipalities use 01 市辖区, county-level units under a province 90); a village
    has a non-zero town part. The county part may be 00 below a city: prefecture-level cities
    without counties (东莞 441900, 中山 442000, 儋州 460400) have towns directly, e.g. 441900003000.
    Raises InvalidCode.
    """
    code = _normalise(value, field="region_code", label=_REGION)
    if len(code) not in (6, 12):
        raise InvalidCode(f"{_REGION}应为12位数字，实际为{len(code)}位", field="region_code")
    _require_digits(code, field="region_code", label=_REGION)
    code = code.ljust(12, "0")
    if code[:2] not in PROVINCES:
        raise InvalidCode(
            f"{_REGION}第1–2位“{code[:2]}”不是有效的省级行政区划代码", field="region_code", position=1
        )
    if code[2:4] == "00" and code[4:] != "0" * 8:
        raise InvalidCode(
            f"{_REGION}第3–4位地级代码为00，但第5–12位下级代码不全为0", field="region_code", position=3
        )
    if code[6:9] == "000" and code[9:] != "000":
        raise InvalidCode(
            f"{_REGION}第7–9位乡级代码为000，但第10–12位村级代码不为000", field="region_code", position=7
        )
    return code


def parse_region_code(code: str) -> RegionCode:
    """Validate a statistical division code (see `validate_region_code`) and split it into parts.

    The level is that of the lowest non-zero part: 511900000000 is a city (巴中市), 511902000000 a
    county (巴州区), 511902001000 a town, 511902001001 a village.
    """
    full = validate_region_code(code)
    level = RegionLevel.PROVINCE
    for part_level, start, end in _REGION_PARTS:
        if full[start:end].strip("0"):
            level = part_level
    return RegionCode(
        code=full,
        province=full[0:2],
        city=full[2:4],
        county=full[4:6],
        town=full[6:9],
        village=full[9:12],
        level=level,
    )


def parent_code(code: str) -> str | None:
    """The 12-digit code of the division directly above, or None for a province.

    The lowest non-zero part is set to zeros, so a town directly under a city without counties
    (441900003000) has that city (441900000000) as its parent. Raises InvalidCode.
    """
    region = parse_region_code(code)
    if region.level is RegionLevel.PROVINCE:
        return None
    return region.code[: _LEVEL_START[region.level]].ljust(12, "0")
