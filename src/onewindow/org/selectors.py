"""Reads for the organisation."""

from __future__ import annotations

from django.db.models import QuerySet

from onewindow.core.errors import NotFound
from onewindow.org.models import Applicant, Department, Hall, Region, Staff


def applicant_get_by_id_number(*, id_number: str) -> Applicant:
    """The applicant with this identity number or credit code; ``NotFound`` otherwise."""
    try:
        return Applicant.objects.get(id_number=id_number.strip().upper())
    except Applicant.DoesNotExist:
        raise NotFound("未找到该证件号码的申请人") from None


def region_get(*, code: str) -> Region:
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise NotFound(f"区划代码 {code} 不存在") from None


def region_list_within(*, region: Region) -> QuerySet[Region]:
    """The region and every region below it (by the hierarchical code)."""
    return Region.objects.filter(code__startswith=region.prefix)


def department_list_active(*, region: Region | None = None) -> QuerySet[Department]:
    qs = Department.objects.filter(is_active=True).select_related("region")
    return qs.filter(region=region) if region is not None else qs


def hall_get_main() -> Hall | None:
    """The county-level hall whose name heads every page (the first one, by region code)."""
    return Hall.objects.filter(kind="county").order_by("region__code", "pk").first()


def staff_for_user(*, user: object) -> Staff | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Staff.objects.select_related("department", "window").filter(user=user).first()
