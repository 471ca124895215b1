"""Items and their immutable versions: create, revise (a new version whenever the content hash
changes), devolve to and withdraw from the town and village tiers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction

from onewindow.audit.services import audit_record
from onewindow.catalog.limits import exceeds
from onewindow.catalog.models import (
    Audience,
    DevolutionAction,
    ItemDevolution,
    ItemStep,
    LimitUnit,
    Material,
    MaterialRequirement,
    ServiceItem,
    ServiceItemVersion,
    StepKind,
    Tier,
    Topic,
    valid_limit,
)
from onewindow.catalog.selectors import version_document
from onewindow.catalog.services.validation import Problems, _join
from onewindow.core.errors import InvalidInput
from onewindow.org.models import Department

# The version fields a revision copies from the previous version unless changed.
VERSION_FIELDS = [
    "legal_basis",
    "conditions",
    "legal_limit_value",
    "legal_limit_unit",
    "promised_limit_value",
    "promised_limit_unit",
    "is_instant",
    "fee",
    "fee_note",
    "online_depth",
    "max_visits",
    "needs_inspection",
    "deemed_consent_days",
    "deemed_consent_basis",
    "registration",
    "conditional_on_deficiency",
    "commitment_approval",
    "post_verification_days",
    "result_licence_type",
    "result_paper",
    "result_electronic",
]
STEP_FIELDS = ["kind", "department", "limit_value", "limit_unit", "deemed_consent_basis"]
REQUIREMENT_FIELDS = [
    "material",
    "form",
    "copies",
    "required",
    "waivable",
    "supply_days",
    "commitment_allowed",
    "applies_to",
    "note",
]


def search_initials(*names: str) -> str:
    """Lower-case pinyin initials of each name, space separated: 食品生产许可 → "spscxk"."""
    # pypinyin loads its whole dictionary on import (~55 MB per process): import it only here,
    # when an item is saved, not in every web worker at start-up.
    from pypinyin import Style, lazy_pinyin

    words = []
    for name in names:
        letters = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore"))
        letters = "".join(ch for ch in letters.lower() if ch.isascii() and ch.isalnum())
        if letters and letters not in words:
            words.append(letters)
    return " ".join(words)[:200]


def content_hash(document: dict[str, Any]) -> str:
    """SHA-256 of a version's canonical document (keys sorted, no whitespace)."""
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# ---- versions -----------------------------------------------------------------------------------


def _version_problems(
    version: ServiceItemVersion,
    steps: list[ItemStep],
    requirements: list[MaterialRequirement],
    base: str,
    *,
    department: Department | None = None,
) -> Problems:
    """Every rule of one version, its steps and its materials; paths relative to ``base``.
    ``department`` is the item's (implementing) department, when known: a step's deemed consent
    (缺席默认) only stands for the opinion of another department."""
    problems = Problems()
    problems.model(version, base, exclude=["item", "number", "content_hash", "created_by"])
    kinds = {s.kind for s in steps}
    if not {StepKind.ACCEPT, StepKind.DECIDE} <= kinds:
        problems.add(_join(base, "steps"), "办理环节须包含受理（accept）和决定（decide）")
    promised = valid_limit(version.promised_limit_value, version.promised_limit_unit)
    for j, step in enumerate(steps):
        path = _join(base, f"steps[{j}]")
        problems.model(step, path, exclude=["version", "order"])
        limit = valid_limit(step.limit_value, step.limit_unit)
        if limit is not None and promised is not None and exceeds(limit, promised):
            problems.add(_join(path, "limit.value"), f"环节时限（{limit}）不能长于承诺时限（{promised}）")
        if step.deemed_consent_basis.strip():
            _deemed_consent_problems(problems, step, path, department)
    seen: dict[str, int] = {}
    for j, requirement in enumerate(requirements):
        path = _join(base, f"materials[{j}]")
        problems.model(requirement, path, exclude=["version", "order", "material"])
        key = requirement.material.key
        if key in seen:
            problems.add(_join(path, "material"), f"材料“{key}”重复（已见于 materials[{seen[key]}]）")
        seen.setdefault(key, j)
    return problems


def _deemed_consent_problems(
    problems: Problems, step: ItemStep, path: str, department: Department | None
) -> None:
    """The rules of a step's deemed consent beyond ``ItemStep.clean`` (a review step with a limit):
    it stands for another department's opinion, never the implementing department's own review,
    and silence needs time to pass (no 即办 limit)."""
    where = _join(path, "deemed_consent_basis")
    if problems.has(where):
        return
    if department is not None and step.department_id is not None and step.department_id == department.pk:
        problems.add(where, "缺席默认只适用于征求其他部门意见的审查环节，不适用于实施部门自身的审查")
    if step.limit_unit == LimitUnit.INSTANT and not problems.has(_join(path, "limit")):
        problems.add(
            _join(path, "limit.unit"), "缺席默认的环节须有办理时限（逾期未出具意见才视为同意），不能为即办"
        )


def _version_write(
    *,
    item: ServiceItem,
    version: ServiceItemVersion,
    steps: list[ItemStep],
    requirements: list[MaterialRequirement],
    actor: Any | None,
    digest: str,
) -> ServiceItemVersion:
    last = item.versions.aggregate(models.Max("number"))["number__max"] or 0
    version.item, version.number, version.content_hash = item, last + 1, digest
    version.created_by = actor if getattr(actor, "pk", None) else None
    version.save()
    for order, step in enumerate(steps, start=1):
        step.version, step.order = version, order
        step.save()
    for order, requirement in enumerate(requirements, start=1):
        requirement.version, requirement.order = version, order
        requirement.save()
    ServiceItem.objects.filter(pk=item.pk).update(current_version=version)
    item.current_version = version
    return version


def _digest(
    version: ServiceItemVersion, steps: list[ItemStep], requirements: list[MaterialRequirement]
) -> str:
    return content_hash(version_document(version, steps, requirements))


def _version_from(fields: dict[str, Any]) -> ServiceItemVersion:
    fields = _expand_limits(fields)
    unknown = sorted(set(fields) - set(VERSION_FIELDS))
    if unknown:
        raise InvalidInput(
            f"不认识的版本字段：{'、'.join(unknown)}",
            errors=[{"path": u, "message": "不认识的字段"} for u in unknown],
        )
    return ServiceItemVersion(**fields)


def _steps_from(specs: Iterable[dict[str, Any]]) -> list[ItemStep]:
    steps = []
    for spec in specs:
        spec = dict(spec)
        limit = spec.pop("limit", None)
        if limit is not None:
            spec["limit_value"], spec["limit_unit"] = limit.value, limit.unit.value
        steps.append(ItemStep(**spec))
    return steps


def _requirements_from(specs: Iterable[dict[str, Any]]) -> list[MaterialRequirement]:
    requirements = []
    for spec in specs:
        spec = dict(spec)
        if isinstance(spec.get("material"), str):
            key = spec["material"]
            spec["material"] = Material.objects.filter(key=key).first()
            if spec["material"] is None:
                raise InvalidInput(
                    f"材料库中没有“{key}”", errors=[{"path": "materials", "message": f"没有材料 {key}"}]
                )
        requirements.append(MaterialRequirement(**spec))
    return requirements


def _copy_rows(rows: Iterable[models.Model], fields: list[str]) -> list[dict[str, Any]]:
    return [{name: getattr(row, name) for name in fields} for row in rows]


@transaction.atomic
def item_create(
    *,
    actor: Any | None,
    code: str,
    name: str,
    kind: str,
    department: Department,
    version: dict[str, Any],
    steps: Iterable[dict[str, Any]],
    materials: Iterable[dict[str, Any]] = (),
    short_name: str = "",
    parent: ServiceItem | None = None,
    tiers: Iterable[str] = (Tier.COUNTY,),
    collect_for_higher_tier: bool = False,
    audience: str = Audience.BOTH,
    topics: Iterable[Topic] = (),
    source_seed: str = "",
    source_note: str = "",
) -> ServiceItem:
    """Create an item with its first version.

    ``version`` holds version fields by model name (``legal_limit``/``promised_limit`` may be
    given as `Duration`); ``steps`` and ``materials`` are dicts of `ItemStep` /
    `MaterialRequirement` fields (``limit`` as a `Duration`, ``material`` as a `Material` or its
    key). ``collect_for_higher_tier``: town and village windows may collect it for the county
    (代收代办). Raises ``InvalidInput`` listing every broken rule (paths as in the catalogue file).
    """
    tiers = set(tiers)
    item = ServiceItem(
        code=code.strip(),
        name=name.strip(),
        short_name=short_name.strip(),
        kind=kind,
        department=department,
        parent=parent,
        tier_county=Tier.COUNTY in tiers,
        tier_town=Tier.TOWN in tiers,
        tier_village=Tier.VILLAGE in tiers,
        collect_for_higher_tier=collect_for_higher_tier,
        audience=audience,
        source_seed=source_seed,
        source_note=source_note,
        search_initials=search_initials(name, short_name),
    )
    new_version = _version_from(version)
    new_steps, requirements = _steps_from(steps), _requirements_from(materials)
    problems = Problems()
    problems.model(item, "", exclude=["current_version"])
    problems.merge(_version_problems(new_version, new_steps, requirements, "version", department=department))
    problems.raise_if_any("事项")
    item.save()
    item.topics.set(list(topics))
    _version_write(
        item=item,
        version=new_version,
        steps=new_steps,
        requirements=requirements,
        actor=actor,
        digest=_digest(new_version, new_steps, requirements),
    )
    audit_record(
        actor=actor, action="catalog.item_create", target=item, after={"code": item.code, "version": 1}
    )
    return item


@transaction.atomic
def item_revise(
    *,
    item: ServiceItem,
    actor: Any | None,
    steps: Iterable[dict[str, Any]] | None = None,
    materials: Iterable[dict[str, Any]] | None = None,
    **changes: Any,
) -> ServiceItemVersion:
    """Create the item's next version: the current one with ``changes`` applied (version fields by
    model name, or ``legal_limit``/``promised_limit`` as `Duration`); steps and materials are
    copied unless given. Moves ``current_version``; earlier versions (and the cases bound to
    them) are untouched. If nothing differs, returns the current version and creates none.

    Raises ``InvalidInput`` for unknown fields or any broken rule.
    """
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    current = item.current_version
    fields = {name: getattr(current, name) for name in VERSION_FIELDS} if current else {}
    fields.update(_expand_limits(changes))
    new_version = _version_from(fields)
    new_steps = _steps_from(steps if steps is not None else _copy_rows(current.steps.all(), STEP_FIELDS))
    requirements = _requirements_from(
        materials if materials is not None else _copy_rows(current.requirements.all(), REQUIREMENT_FIELDS)
    )
    _version_problems(
        new_version, new_steps, requirements, "version", department=item.department
    ).raise_if_any("事项版本")
    digest = _digest(new_version, new_steps, requirements)
    if current is not None and digest == current.content_hash:
        return current
    version = _version_write(
        item=item, version=new_version, steps=new_steps, requirements=requirements, actor=actor, digest=digest
    )
    before = (
        version_document(current, list(current.steps.all()), list(current.requirements.all()))
        if current
        else {}
    )
    after = version_document(version, new_steps, requirements)
    audit_record(
        actor=actor,
        action="catalog.item_revise",
        target=item,
        before={"version": current.number if current else None, **_diff(before, after)[0]},
        after={"version": version.number, **_diff(before, after)[1]},
    )
    return version


def _expand_limits(changes: dict[str, Any]) -> dict[str, Any]:
    expanded = dict(changes)
    for name in ("legal_limit", "promised_limit"):
        if name in expanded:
            limit = expanded.pop(name)
            expanded[f"{name}_value"] = limit.value if limit is not None else None
            expanded[f"{name}_unit"] = limit.unit.value if limit is not None else ""
    return expanded


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


@transaction.atomic
def item_devolve(
    *,
    item: ServiceItem,
    tier: str,
    date: dt.date,
    actor: Any | None,
    action: str = DevolutionAction.DEVOLVE,
    note: str = "",
) -> ItemDevolution:
    """Record a 下放 (devolve) of the item to a town or village tier, or its 收回 (withdraw), and
    update where it may be handled. Raises ``InvalidInput`` if the item is already (or not)
    handled there, or for the county tier, which is never devolved or withdrawn."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    if tier not in (Tier.TOWN, Tier.VILLAGE):
        raise InvalidInput(
            "只能下放至或收回自乡镇（街道）、村（社区）", errors=[{"path": "tier", "message": "无效层级"}]
        )
    if action not in DevolutionAction.values:
        raise InvalidInput(f"不是有效的操作：{action}", errors=[{"path": "action", "message": "无效操作"}])
    flag = f"tier_{tier}"
    enabled = action == DevolutionAction.DEVOLVE
    if getattr(item, flag) == enabled:
        state = "已下放至" if enabled else "未下放至"
        raise InvalidInput(
            f"“{item.name}”{state}{Tier(tier).label}", errors=[{"path": "tier", "message": state}]
        )
    setattr(item, flag, enabled)
    item.save(update_fields=[flag])
    record = ItemDevolution(item=item, tier=tier, action=action, date=date, note=note)
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action=f"catalog.item_{action}",
        target=item,
        after={"tier": tier, "date": date, "note": note},
    )
    return record
