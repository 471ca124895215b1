"""Writes for the organisation: regions, departments, staff, applicants, and the demo county."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from onewindow.audit.services import audit_record
from onewindow.core.errors import InvalidInput
from onewindow.core.validation import full_clean_or_raise
from onewindow.org.authz import forget_grants
from onewindow.org.models import (
    Applicant,
    Department,
    Hall,
    Region,
    RoleAssignment,
    ServiceWindow,
    Staff,
)
from onewindow.org.roles import Role

DEMO_FILE = Path(__file__).parent / "data" / "demo_org.yaml"


@transaction.atomic
def applicant_register(
    *,
    actor: Any | None,
    kind: str,
    name: str,
    id_number: str,
    phone: str,
    legal_representative: str = "",
    email: str = "",
    address: str = "",
    region: Region | None = None,
) -> Applicant:
    """Register an applicant after checking the identity number (GB 11643 / GB 32100).

    Raises ``InvalidInput`` naming the wrong character of an invalid number, or when an
    applicant with the same number already exists.
    """
    applicant = Applicant(
        kind=kind,
        name=name.strip(),
        id_number=(id_number or "").strip().upper(),
        phone=phone.strip(),
        legal_representative=legal_representative.strip(),
        email=email.strip(),
        address=address.strip(),
        region=region,
    )
    full_clean_or_raise(applicant)
    applicant.save()
    audit_record(
        actor=actor,
        action="applicant.register",
        target=applicant,
        after={"kind": applicant.kind, "name": applicant.name, "id_number": applicant.masked_id_number},
    )
    return applicant


@dataclass(frozen=True)
class RoleSpec:
    role: Role
    department: Department | None = None
    region: Region | None = None


@transaction.atomic
def staff_create(
    *,
    actor: Any | None,
    username: str,
    name: str,
    employee_no: str,
    password: str,
    roles: list[RoleSpec],
    department: Department | None = None,
    window: ServiceWindow | None = None,
    is_superuser: bool = False,
) -> Staff:
    """Create a login and its staff record with scoped roles.

    Staff can open the admin site (``is_staff``), which shows only what their Django
    permissions allow. The password must pass ``AUTH_PASSWORD_VALIDATORS`` (length, common
    passwords, all digits, likeness to the username). Raises ``InvalidInput`` for a taken username
    or employee number, or a weak password (every validator's reason under ``password``).
    """
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise InvalidInput(f"用户名“{username}”已被使用", errors={"username": ["已被使用"]})
    user = user_model(username=username, is_staff=True, is_superuser=is_superuser)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(
            "密码不符合要求：" + "；".join(exc.messages), errors={"password": exc.messages}
        ) from exc
    user.set_password(password)
    full_clean_or_raise(user, exclude=["password"])
    user.save()
    staff = Staff(user=user, name=name, employee_no=employee_no, department=department, window=window)
    full_clean_or_raise(staff)
    staff.save()
    for spec in roles:
        staff_grant_role(
            actor=actor, staff=staff, role=spec.role, department=spec.department, region=spec.region
        )
    audit_record(
        actor=actor,
        action="staff.create",
        target=staff,
        after={"username": username, "employee_no": employee_no, "superuser": is_superuser},
    )
    return staff


@transaction.atomic
def staff_grant_role(
    *,
    actor: Any | None,
    staff: Staff,
    role: Role,
    department: Department | None = None,
    region: Region | None = None,
) -> RoleAssignment:
    """Give ``staff`` a role within a scope (see ``org.authz`` for what a scope covers)."""
    assignment, created = RoleAssignment.objects.get_or_create(
        staff=staff, role=Role(role).value, department=department, region=region
    )
    if created:
        audit_record(
            actor=actor,
            action="staff.grant_role",
            target=staff,
            after={"role": assignment.role, "department": str(department or ""), "region": str(region or "")},
        )
    forget_grants(staff.user)
    return assignment


@dataclass
class DemoSummary:
    regions: int = 0
    departments: int = 0
    halls: int = 0
    windows: int = 0
    staff: int = 0
    logins: list[str] = field(default_factory=list)  # the demo users' usernames, in file order

    def __str__(self) -> str:
        return (
            f"{self.regions} regions, {self.departments} departments, {self.halls} halls, "
            f"{self.windows} windows, {self.staff} staff"
        )


def _upsert(model: type, lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    obj = model.objects.filter(**lookup).first() or model(**lookup)
    for key, value in values.items():
        setattr(obj, key, value)
    full_clean_or_raise(obj)
    obj.save()
    return obj


@transaction.atomic
def org_load_demo(*, actor: Any | None = None, password: str, path: Path = DEMO_FILE) -> DemoSummary:
    """Load (or refresh) the demo county from ``demo_org.yaml``. Idempotent: existing rows
    are updated by their codes, existing users keep their passwords."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    summary = DemoSummary()
    regions: dict[str, Region] = {}
    for row in data["regions"]:
        regions[row["code"]] = _upsert(
            Region,
            {"code": row["code"]},
            {"name": row["name"], "level": row["level"], "parent": regions.get(row.get("parent", ""))},
        )
        summary.regions += 1
    county = next(r for r in regions.values() if r.level == "county")
    departments: dict[str, Department] = {}
    for row in data["departments"]:
        departments[row["code"]] = _upsert(
            Department,
            {"region": county, "code": row["code"]},
            {
                "name": row["name"],
                "short_name": row["short"],
                "phone": row.get("phone", ""),
                "parent": departments.get(row.get("parent", "")),
            },
        )
        summary.departments += 1
    windows: dict[tuple[str, str], ServiceWindow] = {}
    for row in data["halls"]:
        hall = _upsert(
            Hall,
            {"name": row["name"]},
            {
                "kind": row["kind"],
                "region": regions[row["region"]],
                "operator": departments.get(row.get("operator", "")),
                "address": row.get("address", ""),
                "phone": row.get("phone", ""),
                "opening_hours": row.get("opening_hours", ""),
            },
        )
        summary.halls += 1
        for w in row["windows"]:
            window = _upsert(
                ServiceWindow, {"hall": hall, "number": w["number"]}, {"name": w["name"], "kind": w["kind"]}
            )
            window.departments.set([departments[code] for code in w["departments"]])
            windows[(row["key"], w["number"])] = window
            summary.windows += 1
    user_model = get_user_model()
    for row in data["staff"]:
        specs = [
            RoleSpec(
                role=Role(r["role"]),
                department=departments.get(r.get("department", "")),
                region=regions.get(r.get("region", "")),
            )
            for r in row["roles"]
        ]
        department = departments.get(row.get("department", ""))
        window = windows.get(tuple(row["window"])) if row.get("window") else None
        existing = Staff.objects.filter(user__username=row["username"]).first()
        if existing is None and user_model.objects.filter(username=row["username"]).exists():
            raise InvalidInput(f"用户名“{row['username']}”已存在但不是工作人员，无法载入演示数据")
        if existing is None:
            staff_create(
                actor=actor,
                username=row["username"],
                name=row["name"],
                employee_no=row["employee_no"],
                password=password,
                roles=specs,
                department=department,
                window=window,
                is_superuser=row.get("superuser", False),
            )
        else:
            for spec in specs:
                staff_grant_role(
                    actor=actor,
                    staff=existing,
                    role=spec.role,
                    department=spec.department,
                    region=spec.region,
                )
        summary.staff += 1
        summary.logins.append(row["username"])
    audit_record(actor=actor, action="org.load_demo", after={"summary": str(summary)})
    return summary
