"""The one authorisation check: may this user do action X on an object of department D in region R?

Every app calls ``can``/``require`` (and ``scope_q`` to filter lists); nobody tests roles by hand.
Rules:
- A superuser may do everything; an inactive or anonymous user nothing.
- The action's roles come from ``org.roles.ACTIONS``. An unknown action is a programming error.
- A role assignment scoped to a department covers objects of that department and of its
  sub-departments; one scoped to a region covers objects in that region or below it (by the
  hierarchical region code); one scoped to both needs both; one with no scope covers everything.
- An object without a region is placed in its department's region.
- With neither a department nor a region, the question is "may the user do X anywhere?".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from onewindow.core.errors import PermissionDenied
from onewindow.org.models import PREFIX_LENGTH, Department, Region, RegionLevel, RoleAssignment
from onewindow.org.roles import ACTIONS, Role

_CACHE_ATTR = "_onewindow_grants"


@dataclass(frozen=True)
class Grant:
    """One role assignment, flattened for fast in-memory checks."""

    role: Role
    department_ids: frozenset[int] | None  # the department and its descendants; None = any
    region_prefix: str | None  # None = any region

    def covers(self, *, department: Department | None, region: Region | None) -> bool:
        if department is None and region is None:
            return True  # "may this user do X at all?" (e.g. before choosing an object)
        if self.department_ids is not None and (
            department is None or department.pk not in self.department_ids
        ):
            return False
        if self.region_prefix is not None:
            place = region if region is not None else (department.region if department is not None else None)
            if place is None or not place.code.startswith(self.region_prefix):
                return False
        return True


def _descendant_ids(department_id: int, children: dict[int | None, list[int]]) -> frozenset[int]:
    found, stack = {department_id}, [department_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return frozenset(found)


def grants_for(user: Any) -> list[Grant]:
    """The user's role assignments, loaded once per user object (one request)."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    grants: list[Grant] = []
    if getattr(user, "is_authenticated", False) and user.is_active:
        # Plain tuples, not model instances: this runs on every authenticated request.
        assignments = list(
            RoleAssignment.objects.filter(staff__user=user).values_list(
                "role", "department_id", "region__code", "region__level"
            )
        )
        children: dict[int | None, list[int]] = {}
        if any(department_id for _role, department_id, _code, _level in assignments):
            # No ordering: the tree is the same in any order (and ordering would join the regions).
            for pk, parent_id in Department.objects.order_by().values_list("pk", "parent_id"):
                children.setdefault(parent_id, []).append(pk)
        for role, department_id, region_code, region_level in assignments:
            grants.append(
                Grant(
                    role=Role(role),
                    department_ids=_descendant_ids(department_id, children) if department_id else None,
                    region_prefix=(
                        region_code[: PREFIX_LENGTH[RegionLevel(region_level)]]
                        if region_code is not None
                        else None
                    ),
                )
            )
    setattr(user, _CACHE_ATTR, grants)
    return grants


def forget_grants(user: Any) -> None:
    """Drop the cached grants, after the user's role assignments changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _roles_for(action: str) -> frozenset[Role]:
    try:
        return ACTIONS[action]
    except KeyError:
        raise LookupError(f"unknown action {action!r}: register it in onewindow.org.roles") from None


def can(
    user: Any,
    action: str,
    *,
    department: Department | None = None,
    region: Region | None = None,
) -> bool:
    """May ``user`` perform ``action`` on an object of ``department`` in ``region``?"""
    roles = _roles_for(action)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(g.role in roles and g.covers(department=department, region=region) for g in grants_for(user))


def require(
    user: Any,
    action: str,
    *,
    department: Department | None = None,
    region: Region | None = None,
) -> None:
    """Like ``can`` but raises ``PermissionDenied`` with a message saying what is missing."""
    if can(user, action, department=department, region=region):
        return
    roles = "、".join(r.label for r in sorted(_roles_for(action)))
    where = "、".join(str(x) for x in (department, region) if x is not None)
    scope = f"（{where}）" if where else ""
    raise PermissionDenied(f"此操作需要{roles}角色{scope}的授权", action=action)


def scope_q(user: Any, action: str, *, department_field: str, region_field: str | None = None) -> Q:
    """A filter that keeps only the objects on which ``user`` may perform ``action``.

    ``department_field`` and ``region_field`` name the object's department and region
    (``region_field`` may be None: the department's region is used).
    """
    roles = _roles_for(action)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    region_code = f"{region_field}__code" if region_field else f"{department_field}__region__code"
    combined = Q(pk__in=[])
    for g in grants_for(user):
        if g.role not in roles:
            continue
        part = Q()
        if g.department_ids is not None:
            part &= Q(**{f"{department_field}_id__in": sorted(g.department_ids)})
        if g.region_prefix is not None:
            part &= Q(**{f"{region_code}__startswith": g.region_prefix})
        if not part:  # an unscoped grant covers everything
            return Q()
        combined |= part
    return combined
