from __future__ import annotations

from ninja import Schema
from pydantic import Field

from onewindow.org.models import ApplicantKind


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None = Field(None, alias="parent.code")


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    region_code: str = Field(..., alias="region.code")


class ApplicantIn(Schema):
    kind: ApplicantKind
    name: str = Field(..., min_length=1, max_length=200)
    id_number: str = Field(..., min_length=1, max_length=32)
    phone: str = Field(..., min_length=1, max_length=30)
    legal_representative: str = Field("", max_length=50)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=200)
    region_code: str | None = None


class ApplicantOut(Schema):
    id: int
    kind: str
    name: str
    id_number_masked: str = Field(..., alias="masked_id_number")
    phone: str


class IdCheckIn(Schema):
    kind: ApplicantKind
    id_number: str = Field(..., max_length=32)


class IdCheckOut(Schema):
    valid: bool
    normalised: str | None = None
    message: str | None = None
    position: int | None = None
