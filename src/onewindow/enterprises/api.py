"""Endpoints of the market-entity register: form checks, the name check (名称自主申报), the scope
list, enterprises and their versions, the 商务秘书企业 hosting registry and the address check.

Registering, changing and cancelling happen when a case is approved (the cases app calls the
services); these endpoints read, check, and keep the hosting registry."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Body, Path, Query, Router, Status
from ninja.responses import codes_4xx

from onewindow.core.errors import InvalidInput, NotFound
from onewindow.enterprises import names
from onewindow.enterprises.forms import KINDS, registration_schema, registration_validate
from onewindow.enterprises.models import Enterprise, HostingAgreement, HostingCompany
from onewindow.enterprises.schemas import (
    REGION_CODE,
    AddressCheckOut,
    AgreementEndIn,
    AgreementIn,
    AgreementOut,
    EnterpriseBriefOut,
    EnterpriseOut,
    FormOut,
    HostingCompanyIn,
    HostingCompanyOut,
    HostingOverviewOut,
    NameCheckIn,
    NameCheckOut,
    RegisterProblem,
    ScopeItemOut,
)
from onewindow.enterprises.selectors import (
    MAX_DB_ID,
    address_check,
    enterprise_get,
    enterprises_needing_address_change,
    forbidden_words,
    hosting_agreement_get,
    hosting_company_get,
    hosting_company_list,
    hosting_company_overview,
    name_taken,
    region_expressions_for,
    reserved_region_names,
    scope_catalogue,
)
from onewindow.enterprises.services import (
    hosting_agreement_create,
    hosting_agreement_end,
    hosting_company_create,
)
from onewindow.org import idcodes
from onewindow.org.authz import can, require
from onewindow.org.models import Department, Region

router = Router(tags=["enterprises"])
Kind = Path(..., pattern=r"^(establish|individual|change|cancel)$", description="、".join(KINDS))
FormBody = Body(..., description="登记申请数据，结构见 /forms/{kind}/schema")
UsccPath = Path(..., min_length=1, max_length=30, pattern=r"^[^\x00-\x1f/]+$", description="统一社会信用代码")


def _region(code: str) -> Region:
    try:
        full = idcodes.validate_region_code(code)
    except idcodes.InvalidCode as exc:
        raise InvalidInput(str(exc), errors={"region": [str(exc)]}) from None
    found = Region.objects.filter(code=full).first()
    if found is None:
        raise NotFound(f"区划 {full} 未收录")
    return found


def _visible_enterprise(request: HttpRequest, uscc: str) -> Enterprise:
    enterprise = enterprise_get(uscc=uscc)
    require(request.user, "enterprise.view", department=enterprise.authority, region=enterprise.region)
    return enterprise


def _visible_company(request: HttpRequest, uscc: str, action: str = "hosting.view") -> HostingCompany:
    company = hosting_company_get(uscc=uscc)
    require(request.user, action, department=company.authority)
    return company


@router.get("/forms/{kind}/schema", response={200: dict[str, Any], codes_4xx: RegisterProblem})
def form_schema(request: HttpRequest, kind: str = Kind) -> dict[str, Any]:
    """The JSON schema of a registration form, for pages that check input before sending it."""
    return registration_schema(kind)


@router.post("/forms/{kind}/validate", response={200: FormOut, codes_4xx: RegisterProblem})
def validate_form(
    request: HttpRequest,
    kind: str = Kind,
    region: str = Query(..., pattern=REGION_CODE, description="登记机关区划代码"),
    data: dict[str, Any] = FormBody,
) -> dict[str, Any]:
    """Check a registration form against the register now: 200 with the cleaned data, or 422 with
    ``errors`` (field path → messages) naming every problem."""
    return {"kind": kind, "data": registration_validate(kind, data, region=_region(region))}


@router.post("/names/check", response={200: NameCheckOut, codes_4xx: RegisterProblem})
def check_name(request: HttpRequest, body: NameCheckIn) -> dict[str, Any]:
    """名称自主申报: check a proposed name's parts (《企业名称登记管理规定》) and whether the register
    already holds it (第十七条)."""
    region = _region(body.region)
    entity_type = names.EntityType(body.enterprise_type)
    regions = region_expressions_for(region)
    cross = False
    if body.name is not None:
        parts = names.clean_parts(
            region=body.name.region,
            trade_name=body.name.trade_name,
            industry=body.name.industry,
            form=body.name.form,
        )
        cross = body.name.cross_industry
    elif body.full_name is not None:
        parts = names.split_name(
            body.full_name,
            entity_type=entity_type,
            regions=regions,
            industries=scope_catalogue().name_industries,
        )
    else:
        raise InvalidInput("请填写名称", errors={"name": ["请按字段填写名称，或填写完整名称 full_name"]})
    words = forbidden_words()
    problems = names.check_name(
        parts,
        entity_type=entity_type,
        regions=regions,
        reserved=reserved_region_names(parts.trade_name),
        words=words,
        cross_industry=cross,
    )
    conflict = None if problems else name_taken(name=parts, region=region)
    return {
        "name": parts.full,
        "parts": {
            "region": parts.region,
            "trade_name": parts.trade_name,
            "industry": parts.industry,
            "form": parts.form,
        },
        "ok": not problems and conflict is None,
        "problems": [p.__dict__ for p in problems],
        "conflict": str(conflict) if conflict else None,
        "words_version": words.version,
    }


@router.get("/scope-items", response=list[ScopeItemOut], auth=None)
def scope_items(
    request: HttpRequest, q: str = Query("", max_length=50, pattern=r"^[^\x00-\x1f]*$")
) -> list[Any]:
    """The standard business-scope wordings (经营范围规范表述), filtered by ``q``; public."""
    key = names.name_key(q)
    return [item for item in scope_catalogue().items if key in names.name_key(item.name)]


@router.get("/address-check", response={200: AddressCheckOut, codes_4xx: RegisterProblem})
def check_address(
    request: HttpRequest,
    address: str = Query(..., min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]*$"),
    region: str = Query(..., pattern=REGION_CODE),
) -> dict[str, Any]:
    """Who is registered at an address, and whether another entity may register there (一址多照)."""
    where = _region(region)
    require(request.user, "enterprise.view", region=where)
    found = address_check(address=address, region=where)
    return {
        "in_use": found.in_use,
        "hosting_company": found.hosting_company.name if found.hosting_company else None,
        "shared_allowed": found.shared_allowed,
        "needs_confirmation": found.needs_confirmation,
        "message": found.message,
    }


@router.get("/hosting-companies", response={200: list[HostingCompanyOut], codes_4xx: RegisterProblem})
def list_hosting_companies(
    request: HttpRequest, region: str | None = Query(None, pattern=REGION_CODE)
) -> list[HostingCompany]:
    """商务秘书企业 with their capacity and places taken (those whose authority you may see)."""
    require(request.user, "hosting.view")
    found = hosting_company_list(region=_region(region) if region else None)
    return [c for c in found if can(request.user, "hosting.view", department=c.authority)]


@router.post("/hosting-companies", response={201: HostingCompanyOut, codes_4xx: RegisterProblem})
def create_hosting_company(request: HttpRequest, body: HostingCompanyIn) -> Status:
    authority = Department.objects.select_related("region").filter(pk=body.authority).first()
    if authority is None:
        raise NotFound(f"部门 {body.authority} 不存在")
    require(request.user, "hosting.manage", department=authority)
    company = hosting_company_create(
        actor=request.user,
        name=body.name,
        uscc=body.uscc,
        address=body.address,
        region=_region(body.region),
        authority=authority,
        capacity=body.capacity,
        allowed_industries=body.allowed_industries,
    )
    return Status(201, hosting_company_list().get(pk=company.pk))


@router.get("/hosting-companies/{uscc}", response={200: HostingOverviewOut, codes_4xx: RegisterProblem})
def hosting_company_detail(request: HttpRequest, uscc: str = UsccPath) -> dict[str, Any]:
    """The registry of one 商务秘书企业: hosted enterprises, agreements ending within 30 days and
    enterprises whose agreement has ended (to change their address)."""
    company = _visible_company(request, uscc)
    overview = hosting_company_overview(company=company)
    return {
        **overview.__dict__,
        "company": hosting_company_list().get(pk=company.pk),
        "free": overview.free,
        "hosted": [h.__dict__ for h in overview.hosted],
        "ending_soon": [h.__dict__ for h in overview.ending_soon],
        "needing_address_change": [h.__dict__ for h in overview.needing_address_change],
    }


@router.post("/hosting-companies/{uscc}/agreements", response={201: AgreementOut, codes_4xx: RegisterProblem})
def create_agreement(request: HttpRequest, body: AgreementIn, uscc: str = UsccPath) -> Status:
    """Record a signed 托管协议 for an enterprise to be registered; refused when the company is full."""
    company = _visible_company(request, uscc, "hosting.agreement")
    agreement = hosting_agreement_create(
        actor=request.user,
        company=company,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        proposed_name=body.proposed_name,
    )
    return Status(201, agreement)


@router.get("/hosting-agreements/{agreement_id}", response={200: AgreementOut, codes_4xx: RegisterProblem})
def get_agreement(
    request: HttpRequest, agreement_id: int = Path(..., ge=1, le=MAX_DB_ID)
) -> HostingAgreement:
    agreement = hosting_agreement_get(pk=agreement_id)
    if not (
        can(request.user, "hosting.view", department=agreement.company.authority)
        or can(request.user, "hosting.agreement", department=agreement.company.authority)
    ):
        raise NotFound(f"托管协议 {agreement_id} 不存在")
    return agreement


@router.post(
    "/hosting-agreements/{agreement_id}/end", response={200: AgreementOut, codes_4xx: RegisterProblem}
)
def end_agreement(
    request: HttpRequest, body: AgreementEndIn, agreement_id: int = Path(..., ge=1, le=MAX_DB_ID)
) -> HostingAgreement:
    agreement = hosting_agreement_get(pk=agreement_id)
    require(request.user, "hosting.manage", department=agreement.company.authority)
    return hosting_agreement_end(actor=request.user, agreement=agreement, reason=body.reason)


@router.get("/address-change-required", response={200: list[EnterpriseBriefOut], codes_4xx: RegisterProblem})
def address_change_required(
    request: HttpRequest, region: str | None = Query(None, pattern=REGION_CODE)
) -> list[Enterprise]:
    """Hosted enterprises whose agreement has ended: they must register a new address."""
    require(request.user, "hosting.view")
    found = enterprises_needing_address_change(region=_region(region) if region else None)
    return [
        e
        for e in found
        if can(request.user, "hosting.view", department=e.hosting_agreement.company.authority)
    ]


@router.get("/{uscc}", response={200: EnterpriseOut, codes_4xx: RegisterProblem})
def get_enterprise(request: HttpRequest, uscc: str = UsccPath) -> Enterprise:
    """A registered enterprise with every version of its registration (变更 keeps the old values)."""
    return _visible_enterprise(request, uscc)
