"""A small catalogue in the file format (docs/catalogue-format.md), for tests to import and mutate."""

from __future__ import annotations

import copy
from typing import Any

FOOD = "T-SCJG-0001"
HR = "T-RS-0001"
SEAL = "T-GA-0001"
BUNDLE = "T-YJS-0001"

_CATALOGUE: dict[str, Any] = {
    "materials": [
        {"key": "application_form", "name": "申请书"},
        {"key": "business_licence", "name": "营业执照", "satisfied_by": "licence:营业执照"},
        {"key": "id_card", "name": "法定代表人身份证", "satisfied_by": "data:applicant_registry"},
        {"key": "floor_plan", "name": "生产场所平面图"},
    ],
    "items": [
        {
            "code": FOOD,
            "name": "食品生产许可",
            "kind": "licence",
            "department": "SCJG",
            "audience": "entity",
            "topics": ["catering"],
            "source": {"seed": "003", "note": "20个工作日压缩至8个工作日"},
            "version": {
                "legal_basis": "《中华人民共和国食品安全法》第三十五条",
                "legal_limit": {"value": 20, "unit": "workday"},
                "promised_limit": {"value": 8, "unit": "workday"},
                "online_depth": "online",
                "max_visits": 1,
                "needs_inspection": True,
                "steps": [
                    {"kind": "accept", "department": "XZSP", "limit": {"value": 1, "unit": "workday"}},
                    {"kind": "inspect", "department": "SCJG", "limit": {"value": 5, "unit": "workday"}},
                    {"kind": "decide", "department": "SCJG", "limit": {"value": 1, "unit": "workday"}},
                ],
                "result": {"licence_type": "食品生产许可证", "paper": True, "electronic": True},
                "materials": [
                    {"material": "application_form", "form": "original"},
                    {"material": "business_licence", "form": "copy"},
                    {"material": "floor_plan", "form": "copy", "waivable": True, "supply_days": 5},
                ],
            },
        },
        {
            "code": HR,
            "name": "人力资源服务许可",
            "kind": "licence",
            "department": "RS",
            "audience": "entity",
            "topics": ["employment"],
            "version": {
                "legal_limit": {"value": 5, "unit": "workday"},
                "promised_limit": {"value": 0, "unit": "instant"},
                "online_depth": "full",
                "max_visits": 0,
                "commitment_approval": True,
                "post_verification_days": 20,
                "steps": [{"kind": "accept", "department": "XZSP"}, {"kind": "decide", "department": "RS"}],
                "materials": [
                    {"material": "application_form", "form": "electronic"},
                    {"material": "business_licence", "form": "electronic", "commitment_allowed": True},
                ],
            },
        },
        {
            "code": SEAL,
            "name": "公章刻制备案",
            "kind": "other_power",
            "department": "GA",
            "audience": "entity",
            "topics": ["enterprise_startup"],
            "version": {
                "legal_limit": None,
                "promised_limit": {"value": 2, "unit": "hour"},
                "online_depth": "full",
                "max_visits": 0,
                "steps": [{"kind": "accept", "department": "XZSP"}, {"kind": "decide", "department": "GA"}],
                "materials": [
                    {"material": "business_licence", "form": "original"},
                    {"material": "id_card", "form": "copy", "copies": 2},
                ],
            },
        },
    ],
    "bundles": [
        {
            "code": BUNDLE,
            "name": "开办食品企业一件事",
            "kind": "one_thing",
            "topics": ["enterprise_startup", "catering"],
            "promised_limit": {"value": 8, "unit": "workday"},
            "items": [FOOD, HR, SEAL],
            "options": [
                {"code": "A", "name": "食品生产+公章（2件事）", "items": [SEAL, FOOD]},
                {"code": "B", "name": "仅人力资源", "items": [HR]},
            ],
            "dependencies": [{"item": FOOD, "waits_for": SEAL}],
        }
    ],
}


def catalogue() -> dict[str, Any]:
    """A fresh deep copy of the test catalogue: 4 materials, 3 items, 1 bundle."""
    return copy.deepcopy(_CATALOGUE)


# The legal-rule fields (docs/catalogue-format.md): a police opinion on the food item whose silence
# counts as consent on a stated basis, a version-level deemed consent, a collectable item and a
# jointly handled bundle (食品 SCJG, 人力资源 RS, 公章 GA: three departments).
STEP_BASIS = "种子001 超时默认制：公安机关交通管理部门4个小时内提出意见，未按时提出意见的，视为审查通过"
VERSION_BASIS = "某市并联审批实施办法第十条：征求意见5个工作日内未答复的，视为同意"


def legal_catalogue() -> dict[str, Any]:
    """The test catalogue with every legal-rule field set; the police's review is steps[1] of FOOD."""
    data = catalogue()
    food, hr, _seal = data["items"]
    food["version"]["steps"].insert(
        1,
        {
            "kind": "review",
            "department": "GA",
            "limit": {"value": 4, "unit": "hour"},
            "deemed_consent_basis": STEP_BASIS,
        },
    )
    food["version"]["deemed_consent_days"] = 5
    food["version"]["deemed_consent_basis"] = VERSION_BASIS
    hr["collect_for_higher_tier"] = True
    data["bundles"][0]["joint_handling"] = True
    return data
