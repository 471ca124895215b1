"""Registration forms for tests, built like a founder fills them in; lifecycle state comes from the
real services (``established`` calls ``enterprise_establish``)."""

from __future__ import annotations

import copy
import datetime as dt
import random
from typing import Any

from onewindow.enterprises.models import Enterprise
from onewindow.enterprises.services import enterprise_establish, individual_business_register
from onewindow.org import idcodes
from onewindow.org.models import Department, Region


def resident_id(seed: int) -> str:
    rng = random.Random(seed)
    return idcodes.generate_resident_id(
        rng, region6="430702", birth=dt.date(1980 + seed % 20, 3, 1 + seed % 28)
    )


def person(name: str = "张三", seed: int = 1) -> dict[str, str]:
    return {"name": name, "id_number": resident_id(seed)}


def company_form(
    trade_name: str = "鼎盛",
    industry: str = "餐饮管理",
    *,
    capital: int = 1_000_000,
    address: str = "湖南省常德市武陵区人民路100号",
    seed: int = 1,
    **overrides: Any,
) -> dict[str, Any]:
    """A complete 有限责任公司 establishment form with one shareholder holding 100 %."""
    founder = person("张三", seed)
    data: dict[str, Any] = {
        "enterprise_type": "limited_company",
        "name": {
            "region": "常德市武陵区",
            "trade_name": trade_name,
            "industry": industry,
            "form": "有限公司",
        },
        "capital": capital,
        "currency": "CNY",
        "scope": ["餐饮管理", "企业管理咨询"],
        "address": {"text": address},
        "legal_representative": founder,
        "investors": [{"kind": "person", **founder, "contribution": capital, "share": 100}],
        "contact": {"name": "张三", "phone": "13907361234"},
        "tax": {"tax_officer": {**founder, "phone": "13907361234"}},
        "social": {"insured_count": 3},
    }
    data.update(copy.deepcopy(overrides))
    return data


def individual_form(trade_name: str = "李记", *, seed: int = 5, **overrides: Any) -> dict[str, Any]:
    operator = person("李明", seed)
    data: dict[str, Any] = {
        "name": {"region": "常德市武陵区", "trade_name": trade_name, "industry": "便利", "form": "店"},
        "operator": {**operator, "address": "湖南省常德市武陵区人民路8号"},
        "scope": ["日用百货销售"],
        "address": {"text": f"湖南省常德市武陵区{trade_name}路1号"},
        "contact": {"name": "李明", "phone": "13907365678"},
    }
    data.update(copy.deepcopy(overrides))
    return data


def county() -> Region:
    return Region.objects.get(code="430702000000")


def scjg() -> Department:
    return Department.objects.get(code="SCJG")


def established(data: dict[str, Any] | None = None, **form: Any) -> Enterprise:
    return enterprise_establish(
        actor=None,
        data=data or company_form(**form),
        case_number="WL20250310-0001",
        region=county(),
        authority=scjg(),
    )


def individual(data: dict[str, Any] | None = None, **form: Any) -> Enterprise:
    return individual_business_register(
        actor=None, data=data or individual_form(**form), region=county(), authority=scjg()
    )
