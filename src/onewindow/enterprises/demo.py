"""The demo register of 常德市武陵区: two 商务秘书企业 and a few enterprises, some hosted by them.

Seed 001 (内江) describes the model: 商务秘书企业 registered like any company, whose address hosts
small enterprises of low-premises industries (电子商务、文化创意、软件设计、广告设计 …) by a
托管协议. Everything is created through the real services, so every enterprise has a valid GB 32100
code, a version 1, audit events and a signed 营业执照 (so /verify can be tried on them). Names,
addresses and people are invented.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from onewindow.core.timeutil import today
from onewindow.enterprises.models import Enterprise, HostingAgreement, HostingCompany
from onewindow.enterprises.selectors import enterprise_licence_data
from onewindow.enterprises.services import (
    enterprise_establish,
    hosting_agreement_create,
    hosting_agreement_end,
    hosting_company_create,
    individual_business_register,
)
from onewindow.licences.models import LicenceType
from onewindow.licences.services import licence_issue
from onewindow.org import idcodes
from onewindow.org.models import Department, Region

COUNTY = "430702000000"
REGION_NAME = {"region": "常德市武陵区"}
IT = "信息传输、软件和信息技术服务业"
BUSINESS = "租赁和商务服务业"
RESEARCH = "科学研究和技术服务业"
CULTURE = "文化、体育和娱乐业"
TRADE = "批发和零售业"

HOSTING_COMPANIES = [
    {
        "trade_name": "创客",
        "address": "湖南省常德市武陵区朗州路188号创业服务中心5楼",
        "capacity": 200,
        "industries": [IT, BUSINESS, RESEARCH, CULTURE, TRADE],
        "founder": ("周海波", 11),
    },
    {
        "trade_name": "启航",
        "address": "湖南省常德市武陵区武陵大道568号金色大厦12楼",
        "capacity": 80,
        "industries": [IT, BUSINESS, TRADE],
        "founder": ("谭丽君", 12),
    },
]
# (company index, trade name, industry, form, type, scope, founder, seed, agreement days, ended)
HOSTED = [
    (
        0,
        "云帆",
        "网络科技",
        "有限公司",
        "limited_company",
        ["软件开发", "网络技术服务", "信息技术咨询服务"],
        "陈一帆",
        21,
        1095,
        False,
    ),
    (
        0,
        "墨言",
        "文化传媒",
        "有限公司",
        "limited_company",
        ["广告设计、代理", "组织文化艺术交流活动", "文艺创作"],
        "王墨",
        22,
        20,
        False,
    ),
    (
        1,
        "优品",
        "电子商务",
        "有限公司",
        "limited_company",
        ["互联网销售（除销售需要许可的商品）", "日用百货销售"],
        "刘优",
        23,
        730,
        False,
    ),
    (
        1,
        "智远",
        "企业管理咨询",
        "中心（有限合伙）",
        "limited_partnership",
        ["企业管理咨询", "市场营销策划"],
        "杨智远",
        24,
        365,
        True,
    ),
]


@dataclass
class DemoSummary:
    hosting_companies: int = 0
    enterprises: int = 0
    created: int = 0

    def __str__(self) -> str:
        return (
            f"{self.hosting_companies} 商务秘书企业, {self.enterprises} enterprises and individual "
            f"businesses ({self.created} new)"
        )


def _person(name: str, seed: int) -> dict[str, str]:
    born = dt.date(1975 + seed % 20, 1 + seed % 12, 1 + seed % 28)
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    return {"name": name, "id_number": idcodes.generate_resident_id(rng, region6="430702", birth=born)}


def _contact(person: dict[str, str], seed: int) -> dict[str, str]:
    return {"name": person["name"], "phone": f"139073{seed:05d}", "email": ""}


def _investors(person: dict[str, str], capital: int, entity_type: str, seed: int) -> list[dict[str, Any]]:
    if entity_type != "limited_partnership":
        return [{"kind": "person", **person, "contribution": capital, "share": 100}]
    partner = _person("张合伙", seed + 100)
    return [
        {
            "kind": "person",
            **person,
            "contribution": capital * 3 // 10,
            "share": 30,
            "liability": "unlimited",
        },
        {"kind": "person", **partner, "contribution": capital * 7 // 10, "share": 70, "liability": "limited"},
    ]


def _company_form(
    *, trade_name: str, industry: str, form: str, entity_type: str, scope: list[str], founder: tuple[str, int]
) -> dict[str, Any]:
    person = _person(*founder)
    capital = 1_000_000 if entity_type == "limited_company" else 500_000
    return {
        "enterprise_type": entity_type,
        "name": {**REGION_NAME, "trade_name": trade_name, "industry": industry, "form": form},
        "capital": capital,
        "scope": scope,
        "legal_representative": person,
        "investors": _investors(person, capital, entity_type, founder[1]),
        "contact": _contact(person, founder[1]),
        "tax": {"tax_officer": {**person, "phone": f"139073{founder[1]:05d}"}},
        "social": {"insured_count": 3},
    }


@transaction.atomic
def enterprises_load_demo(*, actor: Any | None = None) -> DemoSummary:
    """Load (or leave alone) the demo register: two 商务秘书企业 in 武陵区 (capacity 200 and 80), four
    enterprises hosted by them (one agreement ending within 30 days, one ended: its enterprise is
    flagged for a change of address) and an individual business, each with its 营业执照 when the
    licence types are loaded (``licences_load_demo`` runs first). Idempotent: an entry whose name
    is registered already is skipped."""
    county = Region.objects.get(code=COUNTY)
    authority = Department.objects.get(region=county, code="SCJG")
    summary = DemoSummary()
    on = today()
    companies: list[HostingCompany] = []
    for spec in HOSTING_COMPANIES:
        data = _company_form(
            trade_name=spec["trade_name"],
            industry="商务秘书服务",
            form="有限公司",
            entity_type="limited_company",
            scope=["商务秘书服务", "企业管理咨询", "会议及展览服务"],
            founder=spec["founder"],
        )
        data["address"] = {"text": spec["address"]}
        enterprise = _establish(data, county=county, authority=authority, summary=summary)
        company = HostingCompany.objects.filter(uscc=enterprise.uscc).first() or hosting_company_create(
            actor=actor,
            name=enterprise.name,
            uscc=enterprise.uscc,
            address=spec["address"],
            region=county,
            authority=authority,
            capacity=spec["capacity"],
            allowed_industries=spec["industries"],
        )
        companies.append(company)
    for index, trade, industry, form, entity_type, scope, founder, seed, days, ended in HOSTED:
        company = companies[index]
        data = _company_form(
            trade_name=trade,
            industry=industry,
            form=form,
            entity_type=entity_type,
            scope=scope,
            founder=(founder, seed),
        )
        full_name = f"{REGION_NAME['region']}{trade}{industry}{form}"
        if Enterprise.objects.filter(name=full_name).exists():
            summary.enterprises += 1
            continue
        agreement = hosting_agreement_create(
            actor=actor,
            company=company,
            starts_on=on - dt.timedelta(days=max(0, 365 - days)),  # a year's agreement ending soon
            ends_on=on + dt.timedelta(days=days),
            proposed_name=full_name,
        )
        data["address"] = {"hosting_agreement": agreement.pk}
        enterprise = _establish(data, county=county, authority=authority, summary=summary)
        if ended:
            hosting_agreement_end(
                actor=actor,
                agreement=HostingAgreement.objects.get(pk=agreement.pk),
                reason="入驻企业申请解除托管协议",
            )
            enterprise.refresh_from_db()
    operator = _person("李明", 31)
    shop = {
        "name": {**REGION_NAME, "trade_name": "李记", "industry": "便利", "form": "店"},
        "operator": {**operator, "address": "湖南省常德市武陵区人民路100号"},
        "capital": 50000,
        "scope": ["日用百货销售", "食品销售（仅销售预包装食品）"],
        "address": {"text": "湖南省常德市武陵区人民路100号"},
        "contact": _contact(operator, 31),
    }
    if not Enterprise.objects.filter(name="常德市武陵区李记便利店").exists():
        _licensed(individual_business_register(actor=actor, data=shop, region=county, authority=authority))
        summary.created += 1
    summary.enterprises += 1
    summary.hosting_companies = len(companies)
    return summary


def _establish(
    data: dict[str, Any], *, county: Region, authority: Department, summary: DemoSummary
) -> Enterprise:
    name = data["name"]
    full_name = f"{name['region']}{name['trade_name']}{name['industry']}{name['form']}"
    summary.enterprises += 1
    found = Enterprise.objects.filter(name=full_name).first()
    if found is not None:
        return found
    summary.created += 1
    return _licensed(enterprise_establish(actor=None, data=data, region=county, authority=authority))


def _licensed(enterprise: Enterprise) -> Enterprise:
    """Issue its 营业执照 (when the licence types are loaded), as the approval of its case would."""
    licence_type = LicenceType.objects.filter(name="营业执照").first()
    if licence_type is not None:
        licence_issue(
            licence_type=licence_type,
            holder=enterprise.applicant,
            actor=None,
            data=enterprise_licence_data(enterprise=enterprise),
            department=enterprise.authority,
        )
    return enterprise
