"""Organisation endpoints: regions, departments, applicants."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from onewindow.org import idcodes
from onewindow.org.authz import require
from onewindow.org.models import ApplicantKind, Region
from onewindow.org.schemas import ApplicantIn, ApplicantOut, DepartmentOut, IdCheckIn, IdCheckOut, RegionOut
from onewindow.org.selectors import department_list_active, region_get
from onewindow.org.services import applicant_register

router = Router(tags=["org"])


@router.get("/regions/{code}", response=RegionOut, auth=None)
def get_region(request: HttpRequest, code: str) -> Region:
    return region_get(code=code)


@router.get("/departments", response=list[DepartmentOut], auth=None)
def list_departments(request: HttpRequest, region: str | None = None) -> list:
    return list(department_list_active(region=region_get(code=region) if region else None))


@router.post("/id-check", response=IdCheckOut, auth=None)
def check_id(request: HttpRequest, body: IdCheckIn) -> IdCheckOut:
    """Check an identity number or credit code as it is typed; says which character is wrong."""
    check = idcodes.validate_resident_id if body.kind == ApplicantKind.PERSON else idcodes.validate_uscc
    try:
        return IdCheckOut(valid=True, normalised=check(body.id_number))
    except idcodes.InvalidCode as exc:
        return IdCheckOut(valid=False, message=str(exc), position=exc.position)


@router.post("/applicants", response={201: ApplicantOut})
def register_applicant(request: HttpRequest, body: ApplicantIn) -> Status:
    region = region_get(code=body.region_code) if body.region_code else None
    require(request.user, "applicant.register", region=region)
    applicant = applicant_register(
        actor=request.user, region=region, **body.model_dump(exclude={"region_code"}, mode="json")
    )
    return Status(201, applicant)
