"""Ninja schemas of the market-entity register. The registration forms themselves are the pydantic
schemas of ``forms`` (the API takes and returns the same structure)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from onewindow.enterprises.forms import NameIn
from onewindow.enterprises.models import Enterprise, EnterpriseType, EnterpriseVersion, HostingAgreement
from onewindow.enterprises.selectors import MAX_DB_ID
from onewindow.org import idcodes

REGION_CODE = r"^\d{6}(\d{6})?$"
USCC_PATTERN = r"^[0-9A-Za-z]{18}$"


class RegisterProblem(Schema):
    """An error as ``application/problem+json`` (RFC 9457). A form's 422 carries ``errors``: field
    path → messages (``forms.registration_validate``); a shared address also ``needs_confirmation``."""

    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    errors: Any = None
    needs_confirmation: list[str] | None = None


class NameCheckIn(Schema):
    """名称自主申报: a name in parts, or typed in one piece (``full_name``), for an entity type."""

    enterprise_type: Literal[
        "limited_company",
        "joint_stock_company",
        "sole_proprietorship",
        "general_partnership",
        "limited_partnership",
        "individual_business",
    ]
    region: str = Field(..., pattern=REGION_CODE, description="登记机关区划代码")
    name: NameIn | None = None
    full_name: str | None = Field(None, min_length=1, max_length=100)


class NameProblemOut(Schema):
    part: str
    code: str
    message: str


class NameCheckOut(Schema):
    name: str
    parts: dict[str, str]
    ok: bool
    problems: list[NameProblemOut]
    conflict: str | None
    words_version: str


class ScopeItemOut(Schema):
    name: str
    kind: str
    licence: str
    industry: str
    premises: bool


class VersionOut(Schema):
    number: int
    reason: str
    name: str
    changed_fields: list[str]
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    case_number: str


class EnterpriseOut(Schema):
    uscc: str
    name: str
    enterprise_type: str
    type_label: str
    registered_capital: str | None
    currency: str
    business_scope: list[str]
    address: str
    legal_representative: str
    established_on: dt.date
    status: str
    cancelled_on: dt.date | None
    version: int
    hosting_company: str | None
    hosting_ends_on: dt.date | None
    versions: list[VersionOut]

    @staticmethod
    def resolve_type_label(obj: Enterprise) -> str:
        return str(EnterpriseType(obj.enterprise_type).label)

    @staticmethod
    def resolve_registered_capital(obj: Enterprise) -> str | None:
        return None if obj.registered_capital is None else f"{obj.registered_capital:f}"

    @staticmethod
    def resolve_hosting_company(obj: Enterprise) -> str | None:
        return obj.hosting_agreement.company.name if obj.hosting_agreement_id else None

    @staticmethod
    def resolve_hosting_ends_on(obj: Enterprise) -> dt.date | None:
        return obj.hosting_agreement.ends_on if obj.hosting_agreement_id else None

    @staticmethod
    def resolve_versions(obj: Enterprise) -> list[EnterpriseVersion]:
        return list(obj.versions.order_by("number"))


class EnterpriseBriefOut(Schema):
    uscc_masked: str
    name: str
    hosting_company: str | None
    hosting_ends_on: dt.date | None

    @staticmethod
    def resolve_uscc_masked(obj: Enterprise) -> str:
        return idcodes.mask_uscc(obj.applicant.id_number)

    @staticmethod
    def resolve_hosting_company(obj: Enterprise) -> str | None:
        return obj.hosting_agreement.company.name if obj.hosting_agreement_id else None

    @staticmethod
    def resolve_hosting_ends_on(obj: Enterprise) -> dt.date | None:
        return obj.hosting_agreement.ends_on if obj.hosting_agreement_id else None


class HostingCompanyIn(Schema):
    name: str = Field(..., min_length=1, max_length=95)
    uscc: str = Field(..., min_length=1, max_length=30)
    address: str = Field(..., min_length=1, max_length=95)
    region: str = Field(..., pattern=REGION_CODE)
    authority: int = Field(..., ge=1, le=MAX_DB_ID, description="登记机关（部门ID）")
    capacity: int = Field(..., ge=1, le=100_000)
    allowed_industries: list[str] = Field(..., min_length=1, max_length=30)


class HostingCompanyOut(Schema):
    name: str
    uscc: str
    address: str
    region: str = Field(..., alias="region.code")
    capacity: int
    held: int
    hosted: int
    allowed_industries: list[str]
    is_active: bool


class HostedOut(Schema):
    name: str
    uscc_masked: str
    agreement_id: int
    starts_on: dt.date
    ends_on: dt.date
    ends_soon: bool
    ended: bool


class HostingOverviewOut(Schema):
    company: HostingCompanyOut
    capacity: int
    held: int
    pending: int
    free: int
    hosted: list[HostedOut]
    ending_soon: list[HostedOut]
    needing_address_change: list[HostedOut]


class AgreementIn(Schema):
    starts_on: dt.date
    ends_on: dt.date
    proposed_name: str = Field("", max_length=200)


class AgreementEndIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


class AgreementOut(Schema):
    id: int
    company: str = Field(..., alias="company.name")
    company_uscc: str = Field(..., alias="company.uscc")
    enterprise: str | None
    proposed_name: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    ended_on: dt.date | None
    end_reason: str

    @staticmethod
    def resolve_enterprise(obj: HostingAgreement) -> str | None:
        return obj.enterprise.name if obj.enterprise_id else None


class AddressCheckOut(Schema):
    in_use: list[str]
    hosting_company: str | None
    shared_allowed: bool
    needs_confirmation: bool
    message: str


class FormOut(Schema):
    """The cleaned registration data (``forms.registration_validate``)."""

    kind: str
    data: dict[str, Any]
