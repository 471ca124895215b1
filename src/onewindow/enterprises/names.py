"""Enterprise names (企业名称): their parts, the rules each part follows, and the keys names and
addresses are compared by.

A name is 行政区划 + 字号 + 行业或者经营特点 + 组织形式, e.g. 常德市武陵区 + 鼎盛 + 餐饮管理 + 有限公司
(《企业名称登记管理规定》, 国务院令第734号, 2021年3月1日起施行, 第六条). The rules enforced here:

* 第五条: names use standard Chinese characters (规范汉字) only;
* 第六条: all four parts; an enterprise that operates across industries may leave out the industry;
* 第七条: the division is the enterprise's own, county level or above; a city district (市辖区) is
  named together with its city (常德市武陵区, not 武陵区 alone);
* 第八条: the trade name (字号) has two or more Chinese characters and is not the name of a county-level
  or higher division, nor the industry;
* 第十条 with the laws on each form: the organisational form matches the entity type
  (公司法 第七条: 有限责任公司/有限公司, 股份有限公司/股份公司; 合伙企业法 第十五条 普通合伙, 第五十六条
  特殊普通合伙, 第六十二条 有限合伙; 个人独资企业不得使用“有限”“有限责任”“公司”; a 个体工商户 may
  use 厂、店、馆、部、行、中心 and the like, never 企业、公司、合作社, or no name at all:
  《市场主体登记管理条例实施细则》第六条);
* 第十一条, 第十二条: forbidden words, from a versioned data file (`ForbiddenWords`);
* 第十七条: within one registering authority a trade name may not repeat that of an enterprise of the
  same industry, or of one whose name has no industry (`trade_names_conflict`); the database side
  (selectors.name_taken) adds names changed or cancelled less than a year ago.

Like ``org.idcodes`` this module imports only the standard library (STYLE.md §2); its messages are
user-facing Chinese plain strings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "COMPANY_TYPES",
    "MAX_NAME_LENGTH",
    "MAX_PART_LENGTH",
    "PART_LABELS",
    "TYPE_LABELS",
    "EntityType",
    "ForbiddenWord",
    "ForbiddenWords",
    "NameParts",
    "NameProblem",
    "address_key",
    "check_name",
    "clean_parts",
    "name_key",
    "region_expressions",
    "split_name",
    "trade_names_conflict",
]


class EntityType(StrEnum):
    """The market-entity types a county authority registers (《市场主体登记管理条例》第二条)."""

    LIMITED_COMPANY = "limited_company"  # 有限责任公司
    JOINT_STOCK_COMPANY = "joint_stock_company"  # 股份有限公司
    SOLE_PROPRIETORSHIP = "sole_proprietorship"  # 个人独资企业
    GENERAL_PARTNERSHIP = "general_partnership"  # 普通合伙企业
    LIMITED_PARTNERSHIP = "limited_partnership"  # 有限合伙企业
    INDIVIDUAL_BUSINESS = "individual_business"  # 个体工商户


TYPE_LABELS: dict[EntityType, str] = {
    EntityType.LIMITED_COMPANY: "有限责任公司",
    EntityType.JOINT_STOCK_COMPANY: "股份有限公司",
    EntityType.SOLE_PROPRIETORSHIP: "个人独资企业",
    EntityType.GENERAL_PARTNERSHIP: "普通合伙企业",
    EntityType.LIMITED_PARTNERSHIP: "有限合伙企业",
    EntityType.INDIVIDUAL_BUSINESS: "个体工商户",
}
COMPANY_TYPES = frozenset({EntityType.LIMITED_COMPANY, EntityType.JOINT_STOCK_COMPANY})
PARTNERSHIP_TYPES = frozenset({EntityType.GENERAL_PARTNERSHIP, EntityType.LIMITED_PARTNERSHIP})

PART_LABELS = {"region": "行政区划", "trade_name": "字号", "industry": "行业或者经营特点", "form": "组织形式"}
PARTS = tuple(PART_LABELS)
# No law caps a part's length; these bounds keep a typing accident (or an attack) out of the register.
MAX_PART_LENGTH = 20
MAX_NAME_LENGTH = 50

_COMPANY_FORMS = {
    # 公司法 第七条
    EntityType.LIMITED_COMPANY: ("有限责任公司", "有限公司"),
    EntityType.JOINT_STOCK_COMPANY: ("股份有限公司", "股份公司"),
}
# Forms of an unincorporated business: 个人独资企业 (个人独资企业登记管理办法 第六条: no 有限/有限责任/
# 公司), and the words the former 个体工商户名称登记管理办法 第十条 lists for 个体工商户.
_SHOP_FORMS = ("厂", "店", "馆", "部", "行", "中心", "工作室", "经营部", "商行", "门市部", "社", "坊")
_PARTNERSHIP_SUFFIXES = {
    # 合伙企业法 第十五条、第五十六条: 普通合伙 / 特殊普通合伙; 第六十二条: 有限合伙
    EntityType.GENERAL_PARTNERSHIP: ("（普通合伙）", "（特殊普通合伙）"),
    EntityType.LIMITED_PARTNERSHIP: ("（有限合伙）",),
}
_PARTNERSHIP_STEMS = ("合伙企业", "企业", "中心", "事务所", "工作室", "商行")
_FORBIDDEN_IN_FORM = {
    EntityType.SOLE_PROPRIETORSHIP: ("有限", "公司"),
    EntityType.GENERAL_PARTNERSHIP: ("有限公司", "公司"),
    EntityType.LIMITED_PARTNERSHIP: ("有限公司", "公司"),
    EntityType.INDIVIDUAL_BUSINESS: ("企业", "公司", "合作社"),
}

# 规范汉字: CJK Unified Ideographs and Extension A. (Names in the scripts of ethnic autonomous areas,
# 第五条第二款, are registered by those areas' systems; this hall does not accept them.)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_SPACE = re.compile(r"\s+")
_ADDRESS_NOISE = re.compile(r"[\s,，。.;；:：、\"'“”‘’`·\-－—_]+")


@dataclass(frozen=True)
class NameParts:
    """The four parts of a name (already cleaned with `clean_parts`). An empty `industry` means a
    cross-industry name; an empty `form` is allowed only for a 个体工商户."""

    region: str
    trade_name: str
    industry: str = ""
    form: str = ""

    @property
    def full(self) -> str:
        return f"{self.region}{self.trade_name}{self.industry}{self.form}"


@dataclass(frozen=True)
class NameProblem:
    """One reason a name cannot be registered. `part` is one of "region", "trade_name",
    "industry", "form" or "name" (the whole); `code` is stable for programs, `message` Chinese."""

    part: str
    code: str
    message: str


@dataclass(frozen=True)
class ForbiddenWord:
    word: str
    parts: frozenset[str]
    reason: str
    basis: str
    types: frozenset[EntityType] | None = None  # None: every type

    def applies_to(self, entity_type: EntityType) -> bool:
        return self.types is None or entity_type in self.types


@dataclass(frozen=True)
class ForbiddenWords:
    """The versioned list of words a name may not contain (data/name_forbidden_words.yaml)."""

    version: str
    words: tuple[ForbiddenWord, ...]

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> ForbiddenWords:
        """Build the list from the parsed data file. Raises ValueError naming the first bad entry."""
        version = document.get("version") if isinstance(document, Mapping) else None
        rows = document.get("words") if isinstance(document, Mapping) else None
        if not isinstance(version, str) or not version or not isinstance(rows, list):
            raise ValueError("禁用字词表须有 version（文本）和 words（列表）")
        words = []
        for i, row in enumerate(rows):
            try:
                parts = frozenset(row["parts"])
                types = frozenset(EntityType(t) for t in row["types"]) if "types" in row else None
                word = ForbiddenWord(str(row["word"]), parts, str(row["reason"]), str(row["basis"]), types)
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"禁用字词表第{i + 1}项格式不正确：{exc}") from None
            if not word.word or not parts or not parts <= {"trade_name", "industry", "form"}:
                raise ValueError(f"禁用字词表第{i + 1}项的 word 或 parts 不正确")
            words.append(word)
        return cls(version=version, words=tuple(words))


def _fold(text: str) -> str:
    """Remove whitespace and write brackets full width, as Chinese names are written."""
    text = unicodedata.normalize("NFC", text)
    return _SPACE.sub("", text).replace("(", "（").replace(")", "）")


def clean_parts(*, region: str = "", trade_name: str = "", industry: str = "", form: str = "") -> NameParts:
    """The parts with whitespace removed and brackets written full width (（普通合伙）)."""
    return NameParts(_fold(region), _fold(trade_name), _fold(industry), _fold(form))


def name_key(text: str) -> str:
    """The key two names (or two parts) are compared by: NFKC (full and half width alike), no
    whitespace, brackets unified. Equal keys mean "the same name" for the duplicate rules."""
    folded = unicodedata.normalize("NFKC", text or "")
    return _SPACE.sub("", folded).replace("(", "（").replace(")", "）")


def address_key(text: str, *, region_names: Iterable[str] = ()) -> str:
    """The key two addresses are compared by (一址多照): NFKC, no whitespace or punctuation, and the
    leading division names left out, so 湖南省常德市武陵区人民路 100 号 and 武陵区人民路100号 match.
    `region_names` are the names of the divisions the address lies in (province down to town)."""
    key = _ADDRESS_NOISE.sub("", unicodedata.normalize("NFKC", text or "")).casefold()
    # Longest first, and from the longest again after each cut, so 常德市 goes before 常德 can leave
    # a stray 市 behind; ties in a fixed order so the key never depends on set order.
    names = sorted({unicodedata.normalize("NFKC", n) for n in region_names if n}, key=lambda n: (-len(n), n))
    while True:
        found = next((n for n in names if key.startswith(n) and len(key) > len(n)), None)
        if found is None:
            return key
        key = key[len(found) :]


_REGION_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "省", "市")


def _short(name: str) -> str | None:
    for suffix in _REGION_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def region_expressions(chain: Sequence[tuple[str, str]]) -> list[str]:
    """The division names an enterprise of the lowest division in `chain` may put in its name.

    `chain` lists (level, name) from the province down to the county, e.g. [("province", "湖南省"),
    ("city", "常德市"), ("county", "武陵区")]; lower levels (town, village) are ignored, since a
    name carries a county-level or higher division (第七条). Province and city may be written without
    their 省/市 (湖南, 常德); a city district only after its city (常德市武陵区, 常德武陵区); a county or
    county-level city also alone (澧县). Longest first.
    """
    found: list[str] = []
    city: list[str] = []
    for level, name in chain:
        if level not in ("province", "city", "county") or not name:
            continue
        short = _short(name)
        if level == "county":
            if name.endswith("区") and city:
                found += [c + name for c in city]
            else:
                found.append(name)
        else:
            found += [name] + ([short] if short else [])
            if level == "city":
                city = [name] + ([short] if short else [])
    return sorted(dict.fromkeys(found), key=len, reverse=True)


def _non_han(text: str) -> str | None:
    return next((ch for ch in text if not _HAN.match(ch)), None)


def _check_han(part: str, text: str, problems: list[NameProblem]) -> None:
    bad = _non_han(text)
    if bad is not None:
        shown = "空格" if bad.isspace() else f"“{bad}”"
        problems.append(
            NameProblem(
                part,
                "not_chinese",
                f"{PART_LABELS[part]}只能使用规范汉字，{shown}不是汉字（《企业名称登记管理规定》第五条）",
            )
        )


def _check_form(parts: NameParts, entity_type: EntityType, problems: list[NameProblem]) -> None:
    form, label = parts.form, TYPE_LABELS[entity_type]
    if not form:
        if entity_type is not EntityType.INDIVIDUAL_BUSINESS:
            problems.append(
                NameProblem(
                    "form",
                    "required",
                    f"请填写组织形式；{label}的名称应标明组织形式（《企业名称登记管理规定》第十条）",
                )
            )
        return
    for word in _FORBIDDEN_IN_FORM.get(entity_type, ()):
        if word in form:
            problems.append(
                NameProblem("form", "form_mismatch", f"{label}的名称不得使用“{word}”字样，与其责任形式不符")
            )
            return
    if entity_type in _COMPANY_FORMS:
        allowed = _COMPANY_FORMS[entity_type]
        if form not in allowed:
            problems.append(
                NameProblem(
                    "form",
                    "form_mismatch",
                    f"{label}的组织形式应为“{'”或“'.join(allowed)}”（《中华人民共和国公司法》第七条），"
                    f"不能是“{form}”",
                )
            )
    elif entity_type in _PARTNERSHIP_SUFFIXES:
        suffixes = _PARTNERSHIP_SUFFIXES[entity_type]
        suffix = next((s for s in suffixes if form.endswith(s)), None)
        if suffix is None:
            basis = "第六十二条" if entity_type is EntityType.LIMITED_PARTNERSHIP else "第十五条、第五十六条"
            problems.append(
                NameProblem(
                    "form",
                    "form_mismatch",
                    f"{label}的名称应标明“{'”或“'.join(suffixes)}”字样（《中华人民共和国合伙企业法》{basis}），"
                    f"如“中心{suffixes[0]}”",
                )
            )
        elif form[: -len(suffix)]:
            _check_han("form", form[: -len(suffix)], problems)
    elif form not in _SHOP_FORMS:
        problems.append(
            NameProblem(
                "form",
                "form_mismatch",
                f"{label}的组织形式可以使用“{'”“'.join(_SHOP_FORMS)}”等字样，不能是“{form}”",
            )
        )


def check_name(
    parts: NameParts,
    *,
    entity_type: EntityType,
    regions: Sequence[str],
    reserved: Iterable[str] = (),
    words: ForbiddenWords | None = None,
    cross_industry: bool = False,
) -> list[NameProblem]:
    """Every reason `parts` cannot be the name of an `entity_type` entity; empty when it can.

    `regions` are the division names allowed in this name (`region_expressions` of the registering
    region); `reserved` are the names of county-level or higher divisions, which may not be a trade
    name (第八条); `words` the forbidden words; `cross_industry` says the enterprise operates across
    industries and its name leaves the industry out (第六条; not for a 个体工商户). The duplicate
    rule (第十七条) needs the register and is checked by the caller with `trade_names_conflict`.
    """
    problems: list[NameProblem] = []
    for part in PARTS:
        value = getattr(parts, part)
        if len(value) > MAX_PART_LENGTH:
            problems.append(
                NameProblem(part, "too_long", f"{PART_LABELS[part]}不能超过{MAX_PART_LENGTH}个字")
            )
    if problems:
        return problems
    # 行政区划 (第七条)
    if not parts.region:
        problems.append(NameProblem("region", "required", "请填写行政区划名称（企业所在地县级以上行政区划）"))
    elif parts.region not in regions:
        hint = "、".join(f"“{r}”" for r in regions[:6])
        district = next((r for r in regions if r.endswith(parts.region) and r != parts.region), None)
        why = (
            f"市辖区名称应同时冠以所属设区的市的名称，如“{district}”"
            if district
            else f"应为企业所在地县级以上行政区划名称，可以使用{hint}"
        )
        problems.append(
            NameProblem(
                "region",
                "region_not_allowed",
                f"行政区划“{parts.region}”不符合要求：{why}（《企业名称登记管理规定》第七条）",
            )
        )
    # 字号 (第五条、第八条)
    if not parts.trade_name:
        problems.append(NameProblem("trade_name", "required", "请填写字号"))
    else:
        before = len(problems)
        _check_han("trade_name", parts.trade_name, problems)
        if len(problems) == before and len(parts.trade_name) < 2:
            problems.append(
                NameProblem(
                    "trade_name", "too_short", "字号应由两个以上汉字组成（《企业名称登记管理规定》第八条）"
                )
            )
        reserved_keys = {name_key(r) for r in reserved} | {name_key(r) for r in regions}
        if name_key(parts.trade_name) in reserved_keys:
            problems.append(
                NameProblem(
                    "trade_name",
                    "region_as_trade_name",
                    f"县级以上地方行政区划名称“{parts.trade_name}”不得作为字号（《企业名称登记管理规定》第八条）",
                )
            )
        if parts.industry and name_key(parts.trade_name) == name_key(parts.industry):
            problems.append(
                NameProblem(
                    "trade_name",
                    "industry_as_trade_name",
                    "行业或者经营特点不得作为字号（《企业名称登记管理规定》第八条）",
                )
            )
    # 行业或者经营特点 (第六条、第九条)
    if parts.industry:
        _check_han("industry", parts.industry, problems)
        if cross_industry:
            problems.append(
                NameProblem(
                    "industry", "cross_industry_with_industry", "跨行业综合经营的名称不含行业表述，请二选一"
                )
            )
    elif entity_type is EntityType.INDIVIDUAL_BUSINESS:
        problems.append(
            NameProblem(
                "industry",
                "required",
                "请填写行业，应反映主要经营活动内容或者经营特点（《企业名称登记管理规定》第九条）",
            )
        )
    elif not cross_industry:
        problems.append(
            NameProblem(
                "industry",
                "required",
                "请填写行业或者经营特点，应反映主营业务（《企业名称登记管理规定》第九条）；跨行业综合经营的企业可以不含行业表述"
                "（同规定第六条），此时请选择“跨行业综合经营”",
            )
        )
    _check_form(parts, entity_type, problems)
    # 禁用字词 (第十一条、第十二条)
    for entry in words.words if words is not None else ():
        if not entry.applies_to(entity_type):
            continue
        for part in sorted(entry.parts):
            if entry.word in getattr(parts, part):
                problems.append(
                    NameProblem(
                        part,
                        "forbidden_word",
                        f"{PART_LABELS[part]}含有“{entry.word}”：{entry.reason}（{entry.basis}）",
                    )
                )
    if len(parts.full) > MAX_NAME_LENGTH:
        problems.append(NameProblem("name", "too_long", f"名称不能超过{MAX_NAME_LENGTH}个字"))
    return problems


def trade_names_conflict(candidate: NameParts, registered: NameParts) -> bool:
    """第十七条: the same trade name is refused for an enterprise of the same industry, or when either
    name has no industry; identical names always conflict. Compared by `name_key`."""
    if name_key(candidate.full) == name_key(registered.full):
        return True
    if name_key(candidate.trade_name) != name_key(registered.trade_name):
        return False
    return (
        not candidate.industry
        or not registered.industry
        or name_key(candidate.industry) == name_key(registered.industry)
    )


def split_name(
    full: str, *, entity_type: EntityType, regions: Sequence[str], industries: Iterable[str] = ()
) -> NameParts:
    """Split a full name typed in one piece into its parts, best effort: the longest allowed
    division at the start, the longest form of the type at the end, the longest known industry
    word before it; the rest is the trade name. Check the result with `check_name`, whose messages
    then name the part at fault (a name that does not start with an allowed division has an
    empty region)."""
    text = _fold(full)
    region = next((r for r in sorted(regions, key=len, reverse=True) if text.startswith(r)), "")
    rest = text[len(region) :]
    candidates: list[str] = []
    if entity_type in _COMPANY_FORMS:
        candidates = list(_COMPANY_FORMS[entity_type])
    elif entity_type in _PARTNERSHIP_SUFFIXES:
        suffix = next((s for s in _PARTNERSHIP_SUFFIXES[entity_type] if rest.endswith(s)), None)
        if suffix is not None:
            candidates = [stem + suffix for stem in _PARTNERSHIP_STEMS] + [suffix]
    else:
        candidates = list(_SHOP_FORMS)
    form = next(
        (f for f in sorted(candidates, key=len, reverse=True) if rest.endswith(f) and len(rest) > len(f)), ""
    )
    rest = rest[: len(rest) - len(form)]
    industry = next(
        (
            w
            for w in sorted(set(industries), key=len, reverse=True)
            if w and rest.endswith(w) and len(rest) > len(w)
        ),
        "",
    )
    return NameParts(region, rest[: len(rest) - len(industry)], industry, form)
