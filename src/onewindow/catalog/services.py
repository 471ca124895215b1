"""Writes to the service catalogue: items and their versions, devolutions, bundles, and the
catalogue file import (docs/catalogue-format.md). Each service runs in one transaction and
leaves an audit event.

Versions are immutable: a change to what an item requires creates a new `ServiceItemVersion`
and moves ``current_version``; cases keep the version they were submitted under.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from onewindow.audit.services import audit_record
from onewindow.catalog import fileformat
from onewindow.catalog.fileformat import CatalogueDocument, FileError, Problem
from onewindow.catalog.limits import exceeds
from onewindow.catalog.models import (
    TOPICS,
    AppliesTo,
    Audience,
    Bundle,
    BundleDependency,
    BundleItem,
    BundleKind,
    BundleOption,
    DevolutionAction,
    ItemDevolution,
    ItemKind,
    ItemStep,
    LimitUnit,
    Material,
    MaterialForm,
    MaterialRequirement,
    OnlineDepth,
    ServiceItem,
    ServiceItemVersion,
    StepKind,
    Tier,
    Topic,
    find_cycle,
    valid_limit,
)
from onewindow.catalog.selectors import bundle_document, catalogue_document, version_document
from onewindow.clock.workdays import Duration
from onewindow.core.errors import InvalidInput
from onewindow.core.validation import errors_of
from onewindow.org.models import Department

DEMO_FILE = Path(__file__).parent / "data" / "demo_catalogue.yaml"

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
    "conditional_on_deficiency",
    "commitment_approval",
    "post_verification_days",
    "result_licence_type",
    "result_paper",
    "result_electronic",
]
STEP_FIELDS = ["kind", "department", "limit_value", "limit_unit"]
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
# Model field -> its place in the file format (relative to the version / step / item).
FIELD_PATHS = {
    "legal_limit_value": "legal_limit.value",
    "legal_limit_unit": "legal_limit.unit",
    "promised_limit_value": "promised_limit.value",
    "promised_limit_unit": "promised_limit.unit",
    "result_licence_type": "result.licence_type",
    "result_paper": "result.paper",
    "result_electronic": "result.electronic",
    "limit_value": "limit.value",
    "limit_unit": "limit.unit",
    "tier_county": "tiers",
    "tier_town": "tiers",
    "tier_village": "tiers",
    "source_seed": "source.seed",
    "source_note": "source.note",
}


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


def _join(base: str, sub: str) -> str:
    if not base:
        return sub
    return f"{base}.{sub}" if sub and not sub.startswith("[") else f"{base}{sub}"


class Problems:
    """Collects every error of a validation with its path (``items[3].version.materials[2].form``)."""

    def __init__(self) -> None:
        self.list: list[Problem] = []
        self._paths: set[str] = set()

    def add(self, path: str, message: str) -> None:
        self.list.append(Problem(path, str(message)))
        self._paths.add(path)

    def has(self, path: str) -> bool:
        """Is there already an error at ``path`` or at a place containing it?"""
        while path:
            if path in self._paths:
                return True
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return False

    def merge(self, other: Problems) -> None:
        """Add ``other``'s problems, except where this collection already reports the place."""
        for problem in other.list:
            if not self.has(problem.path):
                self.list.append(problem)
        for problem in other.list:
            self._paths.add(problem.path)

    def model(self, instance: models.Model, base: str, *, exclude: Sequence[str] = ()) -> None:
        """Run ``full_clean`` and add each field's errors at its path (once per path)."""
        try:
            instance.full_clean(exclude=list(exclude))
        except ValidationError as exc:
            for name, messages in errors_of(exc).items():
                path = base if name == "__all__" else _join(base, FIELD_PATHS.get(name, name))
                if self.has(path):
                    continue
                for message in messages:
                    self.add(path, message)

    def __bool__(self) -> bool:
        return bool(self.list)

    def raise_if_any(self, what: str, document: CatalogueDocument | None = None) -> None:
        if not self.list:
            return
        located = [document.locate(p) if document else p for p in self.list]
        shown = "；".join(str(p) for p in located[:5])
        more = f"；另有{len(located) - 5}处错误" if len(located) > 5 else ""
        raise InvalidInput(
            f"{what}有{len(located)}处错误，未做任何修改：{shown}{more}",
            errors=[p.as_dict() for p in located],
        )


# ---- versions -----------------------------------------------------------------------------------


def _version_problems(
    version: ServiceItemVersion, steps: list[ItemStep], requirements: list[MaterialRequirement], base: str
) -> Problems:
    """Every rule of one version, its steps and its materials; paths relative to ``base``."""
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
    seen: dict[str, int] = {}
    for j, requirement in enumerate(requirements):
        path = _join(base, f"materials[{j}]")
        problems.model(requirement, path, exclude=["version", "order", "material"])
        key = requirement.material.key
        if key in seen:
            problems.add(_join(path, "material"), f"材料“{key}”重复（已见于 materials[{seen[key]}]）")
        seen.setdefault(key, j)
    return problems


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
    audience: str = Audience.BOTH,
    topics: Iterable[Topic] = (),
    source_seed: str = "",
    source_note: str = "",
) -> ServiceItem:
    """Create an item with its first version.

    ``version`` holds version fields by model name (``legal_limit``/``promised_limit`` may be
    given as `Duration`); ``steps`` and ``materials`` are dicts of `ItemStep` /
    `MaterialRequirement` fields (``limit`` as a `Duration`, ``material`` as a `Material` or its
    key). Raises ``InvalidInput`` listing every broken rule (paths as in the catalogue file).
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
        audience=audience,
        source_seed=source_seed,
        source_note=source_note,
        search_initials=search_initials(name, short_name),
    )
    new_version = _version_from(version)
    new_steps, requirements = _steps_from(steps), _requirements_from(materials)
    problems = Problems()
    problems.model(item, "", exclude=["current_version"])
    problems.merge(_version_problems(new_version, new_steps, requirements, "version"))
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
    _version_problems(new_version, new_steps, requirements, "version").raise_if_any("事项版本")
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


# ---- bundles ------------------------------------------------------------------------------------


@dataclass
class BundleSpec:
    """A bundle as the services take it: item codes, options and dependencies by code."""

    code: str
    name: str
    kind: str
    items: list[str]
    topics: list[str] = field(default_factory=list)
    promised_limit_value: int | None = None
    promised_limit_unit: str = ""
    source_seed: str = ""
    source_note: str = ""
    options: list[dict[str, Any]] = field(default_factory=list)  # {code, name, items: [codes]}
    dependencies: list[dict[str, str]] = field(default_factory=list)  # {item, waits_for}

    def document(self) -> dict[str, Any]:
        """The bundle in the file format (for comparison with the database)."""
        limit = {"value": self.promised_limit_value, "unit": self.promised_limit_unit}
        position = {code: i for i, code in enumerate(self.items)}
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "topics": sorted(self.topics),
            "promised_limit": limit if self.promised_limit_unit else None,
            "source": {"seed": self.source_seed, "note": self.source_note},
            "items": list(self.items),
            "options": [
                {
                    "code": o["code"],
                    "name": o["name"],
                    "items": sorted(o["items"], key=lambda c: position.get(c, len(position))),
                }
                for o in self.options
            ],
            "dependencies": [{"item": d["item"], "waits_for": d["waits_for"]} for d in self.dependencies],
        }


def _bundle_problems(spec: BundleSpec, base: str, known_items: set[str], bundle: Bundle | None) -> Problems:
    problems = Problems()
    instance = bundle or Bundle()
    for name in (
        "code",
        "name",
        "kind",
        "promised_limit_value",
        "promised_limit_unit",
        "source_seed",
        "source_note",
    ):
        setattr(instance, name, getattr(spec, name))
    problems.model(instance, base)
    members = set(spec.items)
    if not spec.items:
        problems.add(_join(base, "items"), "一件事至少包含一个事项")
    for j, code in enumerate(spec.items):
        if code not in known_items:
            problems.add(_join(base, f"items[{j}]"), f"没有编码为“{code}”的事项")
        elif spec.items.index(code) != j:
            problems.add(_join(base, f"items[{j}]"), f"事项“{code}”重复")
    option_codes: set[str] = set()
    for j, option in enumerate(spec.options):
        path = _join(base, f"options[{j}]")
        if not option.get("code"):
            problems.add(_join(path, "code"), "必须填写")
        elif option["code"] in option_codes:
            problems.add(_join(path, "code"), f"套餐编码“{option['code']}”重复")
        option_codes.add(option.get("code") or "")
        if not option.get("name"):
            problems.add(_join(path, "name"), "必须填写")
        if not option.get("items"):
            problems.add(_join(path, "items"), "套餐至少包含一个事项")
        for k, code in enumerate(option.get("items") or []):
            if code not in members:
                problems.add(_join(path, f"items[{k}]"), f"事项“{code}”不在该一件事的 items 中")
    edges = []
    for j, dep in enumerate(spec.dependencies):
        path = _join(base, f"dependencies[{j}]")
        for key in ("item", "waits_for"):
            if dep.get(key) not in members:
                problems.add(_join(path, key), f"事项“{dep.get(key)}”不在该一件事的 items 中")
        if dep.get("item") == dep.get("waits_for"):
            problems.add(_join(path, "waits_for"), "事项不能等待自身")
        else:
            edges.append((dep.get("item"), dep.get("waits_for")))
    cycle = find_cycle(edges)
    if cycle:
        problems.add(
            _join(base, "dependencies"), f"前置关系形成了循环等待：{' → '.join(str(c) for c in cycle)}"
        )
    return problems


def _bundle_write(bundle: Bundle, spec: BundleSpec, items_by_code: dict[str, ServiceItem]) -> Bundle:
    for name in (
        "code",
        "name",
        "kind",
        "promised_limit_value",
        "promised_limit_unit",
        "source_seed",
        "source_note",
    ):
        setattr(bundle, name, getattr(spec, name))
    bundle.save()
    bundle.topics.set(_topics(spec.topics))
    bundle.entries.all().delete()
    bundle.dependencies.all().delete()
    bundle.options.all().delete()
    BundleItem.objects.bulk_create(
        [BundleItem(bundle=bundle, item=items_by_code[c], order=i) for i, c in enumerate(spec.items, start=1)]
    )
    for order, option_spec in enumerate(spec.options, start=1):
        option = BundleOption.objects.create(
            bundle=bundle, code=option_spec["code"], name=option_spec["name"], order=order
        )
        option.items.set([items_by_code[c] for c in option_spec["items"]])
    BundleDependency.objects.bulk_create(
        [
            BundleDependency(
                bundle=bundle, item=items_by_code[d["item"]], waits_for=items_by_code[d["waits_for"]]
            )
            for d in spec.dependencies
        ]
    )
    return bundle


def _topics(codes: Iterable[str]) -> list[Topic]:
    found = {t.code: t for t in Topic.objects.filter(code__in=list(codes))}
    result = []
    for code in codes:
        if code not in found:
            found[code] = Topic.objects.create(code=code, name=TOPICS.get(code, code))
        result.append(found[code])
    return result


def _bundle_spec(
    *,
    code: str,
    name: str,
    kind: str,
    items: Sequence[ServiceItem],
    topics: Iterable[str] = (),
    promised_limit: Duration | None = None,
    options: Iterable[dict[str, Any]] = (),
    dependencies: Iterable[tuple[ServiceItem, ServiceItem]] = (),
    source_seed: str = "",
    source_note: str = "",
) -> BundleSpec:
    return BundleSpec(
        code=code,
        name=name,
        kind=kind,
        items=[i.code for i in items],
        topics=list(topics),
        promised_limit_value=promised_limit.value if promised_limit else None,
        promised_limit_unit=promised_limit.unit.value if promised_limit else "",
        source_seed=source_seed,
        source_note=source_note,
        options=[
            {"code": o["code"], "name": o["name"], "items": [i.code for i in o["items"]]} for o in options
        ],
        dependencies=[{"item": a.code, "waits_for": b.code} for a, b in dependencies],
    )


@transaction.atomic
def bundle_create(*, actor: Any | None, **spec: Any) -> Bundle:
    """Create a bundle (一件事): ``code``, ``name``, ``kind``, ``items`` (items in order), optional
    ``topics`` (codes), ``promised_limit`` (`Duration`), ``options`` (dicts with code, name and
    items), ``dependencies`` ((item, waits_for) pairs), ``source_seed``/``source_note``.

    Raises ``InvalidInput`` if an option or dependency names an item outside the bundle, or the
    dependencies form a cycle."""
    bundle_spec = _bundle_spec(**spec)
    items = {i.code: i for i in spec["items"]}
    _bundle_problems(bundle_spec, "", set(items), None).raise_if_any("一件事")
    bundle = _bundle_write(Bundle(), bundle_spec, items)
    audit_record(actor=actor, action="catalog.bundle_create", target=bundle, after=bundle_spec.document())
    return bundle


@transaction.atomic
def bundle_update(*, bundle: Bundle, actor: Any | None, **changes: Any) -> Bundle:
    """Change a bundle; arguments as for ``bundle_create``, any omitted keep their value."""
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
    before = bundle_document(bundle)
    items_now = [e.item for e in bundle.entries.select_related("item")]
    current: dict[str, Any] = {
        "code": bundle.code,
        "name": bundle.name,
        "kind": bundle.kind,
        "items": items_now,
        "topics": [t.code for t in bundle.topics.all()],
        "promised_limit": bundle.promised_limit,
        "options": [
            {"code": o.code, "name": o.name, "items": list(o.items.all())} for o in bundle.options.all()
        ],
        "dependencies": [
            (d.item, d.waits_for) for d in bundle.dependencies.select_related("item", "waits_for")
        ],
        "source_seed": bundle.source_seed,
        "source_note": bundle.source_note,
    }
    current.update(changes)
    bundle_spec = _bundle_spec(**current)
    items = {i.code: i for i in current["items"]}
    _bundle_problems(bundle_spec, "", set(items), bundle).raise_if_any("一件事")
    _bundle_write(bundle, bundle_spec, items)
    old, new = _diff(before, bundle_spec.document())
    audit_record(actor=actor, action="catalog.bundle_update", target=bundle, before=old, after=new)
    return bundle


# ---- catalogue import -----------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import changed (or, for a dry run, would change)."""

    dry_run: bool = False
    topics_created: int = 0
    materials_created: int = 0
    materials_updated: int = 0
    items_created: int = 0
    items_updated: int = 0
    items_unchanged: int = 0
    versions_created: int = 0
    bundles_created: int = 0
    bundles_updated: int = 0
    bundles_unchanged: int = 0
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def __str__(self) -> str:
        prefix = "dry run, nothing saved: " if self.dry_run else ""
        return (
            f"{prefix}materials {self.materials_created} new / {self.materials_updated} updated; "
            f"items {self.items_created} new / {self.items_updated} updated / "
            f"{self.items_unchanged} unchanged; "
            f"{self.versions_created} new versions; bundles {self.bundles_created} new / "
            f"{self.bundles_updated} updated / {self.bundles_unchanged} unchanged"
        )


class _Entry:
    """Reads one mapping of the file, recording every problem with its path."""

    def __init__(self, problems: Problems, raw: Any, path: str, allowed: Iterable[str]) -> None:
        self.problems, self.path = problems, path
        if not isinstance(raw, dict):
            problems.add(path, "应为键值对（映射）" if raw is not None else "不能为空")
            raw = {}
        self.raw = raw
        for key in raw:
            if key not in allowed:
                problems.add(_join(path, str(key)), f"不认识的字段（可用：{'、'.join(allowed)}）")

    def at(self, key: str) -> str:
        return _join(self.path, key)

    def present(self, key: str) -> bool:
        return self.raw.get(key) is not None

    def text(self, key: str, *, required: bool = False, default: str = "") -> str:
        value = self.raw.get(key)
        if value is None or value == "":
            if required:
                self.problems.add(self.at(key), "必须填写")
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal | float):
            self.problems.add(self.at(key), "应为文字")
            return default
        return str(value).strip()

    def choice(self, key: str, choices: type[models.TextChoices], *, default: str | None = None) -> str:
        value = self.text(key, required=default is None, default=default or "")
        if value and value not in choices.values:
            self.problems.add(self.at(key), f"不是有效的选项：“{value}”（可选：{'、'.join(choices.values)}）")
        return value

    def integer(self, key: str, *, default: int | None = None, required: bool = False) -> int | None:
        value = self.raw.get(key)
        if value is None:
            if required:
                self.problems.add(self.at(key), "必须填写")
            return default
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.problems.add(self.at(key), f"应为非负整数，收到 {value!r}")
            return default
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.raw.get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1", "是", "y"):
            return True
        if text in ("false", "no", "0", "否", "n"):
            return False
        self.problems.add(self.at(key), f"应为 true 或 false，收到 {value!r}")
        return default

    def decimal(self, key: str, default: str) -> Decimal:
        value = self.raw.get(key, default)
        if value is None:
            value = default
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            number = Decimal(str(value).strip())
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.problems.add(self.at(key), f'应为金额（元），如 "0" 或 "12.50"，收到 {value!r}')
            return Decimal(default)
        return number

    def date(self, key: str) -> dt.date | None:
        value = self.raw.get(key)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problems.add(self.at(key), "应为日期，如 2020-05-01" if value is not None else "必须填写")
        return None

    def strings(self, key: str, *, default: Sequence[str] = ()) -> list[str]:
        value = self.raw.get(key)
        if value is None:
            return list(default)
        if not isinstance(value, list) or not all(
            isinstance(v, str | int) and not isinstance(v, bool) for v in value
        ):
            self.problems.add(self.at(key), "应为文字列表，如 [a, b]")
            return list(default)
        return [str(v).strip() for v in value]

    def entries(self, key: str) -> list[Any]:
        value = self.raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problems.add(self.at(key), "应为列表")
            return []
        return value

    def sub(self, key: str, allowed: Iterable[str]) -> _Entry | None:
        if self.raw.get(key) is None:
            return None
        return _Entry(self.problems, self.raw[key], self.at(key), allowed)

    def limit(self, key: str, *, required: bool) -> tuple[int | None, str]:
        sub = self.sub(key, ("value", "unit"))
        if sub is None:
            if required:
                self.problems.add(self.at(key), "必须填写时限，如 {value: 5, unit: workday}")
            return None, ""
        return sub.integer("value", required=True), sub.choice("unit", LimitUnit)


class _Resolver:
    """Looks up departments (by code, or ``<region code>:<code>`` when a code is used in several
    regions) and remembers what the file refers to."""

    def __init__(self) -> None:
        self.departments: dict[str, list[Department]] = {}
        for dept in Department.objects.select_related("region").filter(is_active=True):
            self.departments.setdefault(dept.code, []).append(dept)
            self.departments.setdefault(f"{dept.region.code}:{dept.code}", []).append(dept)

    def department(self, entry: _Entry, key: str) -> Department | None:
        code = entry.text(key, required=True)
        if not code:
            return None
        found = self.departments.get(code, [])
        if not found:
            entry.problems.add(entry.at(key), f"没有编码为“{code}”的部门")
            return None
        if len(found) > 1:
            entry.problems.add(entry.at(key), f"部门编码“{code}”在多个区划中使用，请写作“<区划代码>:{code}”")
            return None
        return found[0]


ITEM_KEYS = (
    "code",
    "name",
    "short_name",
    "kind",
    "department",
    "parent",
    "tiers",
    "devolutions",
    "audience",
    "topics",
    "source",
    "version",
)
VERSION_KEYS = (
    "legal_basis",
    "conditions",
    "legal_limit",
    "promised_limit",
    "is_instant",
    "fee",
    "fee_note",
    "online_depth",
    "max_visits",
    "needs_inspection",
    "deemed_consent_days",
    "conditional_on_deficiency",
    "commitment_approval",
    "post_verification_days",
    "steps",
    "result",
    "materials",
)
REQUIREMENT_KEYS = (
    "material",
    "form",
    "copies",
    "required",
    "waivable",
    "supply_days",
    "commitment_allowed",
    "applies_to",
    "note",
)


@dataclass
class _ItemPlan:
    path: str
    item: ServiceItem
    parent_code: str | None
    topics: list[str]
    devolutions: list[ItemDevolution]
    version: ServiceItemVersion
    steps: list[ItemStep]
    requirements: list[MaterialRequirement]


def _read_version(
    v: _Entry, resolver: _Resolver, materials: dict[str, Material]
) -> tuple[ServiceItemVersion, list[ItemStep], list[MaterialRequirement]]:
    legal_value, legal_unit = v.limit("legal_limit", required=False)
    promised_value, promised_unit = v.limit("promised_limit", required=True)
    result = v.sub("result", ("licence_type", "paper", "electronic")) or _Entry(
        v.problems, {}, v.at("result"), ()
    )
    commitment = v.boolean("commitment_approval", False)
    version = ServiceItemVersion(
        legal_basis=v.text("legal_basis"),
        conditions=v.text("conditions"),
        legal_limit_value=legal_value,
        legal_limit_unit=legal_unit,
        promised_limit_value=promised_value,
        promised_limit_unit=promised_unit,
        # Omitted: an item whose promised limit is 即办 is an instant item.
        is_instant=v.boolean("is_instant", promised_unit == LimitUnit.INSTANT),
        fee=v.decimal("fee", "0"),
        fee_note=v.text("fee_note"),
        online_depth=v.choice("online_depth", OnlineDepth, default=OnlineDepth.GUIDE),
        max_visits=v.integer("max_visits", default=1),
        needs_inspection=v.boolean("needs_inspection", False),
        deemed_consent_days=v.integer("deemed_consent_days"),
        conditional_on_deficiency=v.boolean("conditional_on_deficiency", False),
        commitment_approval=commitment,
        post_verification_days=v.integer("post_verification_days"),
        result_licence_type=result.text("licence_type"),
        result_paper=result.boolean("paper", True),
        result_electronic=result.boolean("electronic", False),
    )
    steps = []
    for k, raw in enumerate(v.entries("steps")):
        s = _Entry(v.problems, raw, v.at(f"steps[{k}]"), ("kind", "department", "limit"))
        limit_value, limit_unit = s.limit("limit", required=False)
        steps.append(
            ItemStep(
                kind=s.choice("kind", StepKind),
                department=resolver.department(s, "department"),
                limit_value=limit_value,
                limit_unit=limit_unit,
            )
        )
    requirements = []
    for k, raw in enumerate(v.entries("materials")):
        m = _Entry(v.problems, raw, v.at(f"materials[{k}]"), REQUIREMENT_KEYS)
        key = m.text("material", required=True)
        if key and key not in materials:
            m.problems.add(m.at("material"), f"材料库中没有“{key}”（须在 materials 中定义）")
        requirements.append(
            MaterialRequirement(
                material=materials.get(key) or Material(key=key or "?"),
                form=m.choice("form", MaterialForm, default=MaterialForm.ORIGINAL),
                copies=m.integer("copies", default=1),
                required=m.boolean("required", True),
                waivable=m.boolean("waivable", False),
                supply_days=m.integer("supply_days"),
                commitment_allowed=m.boolean("commitment_allowed", False),
                applies_to=m.choice("applies_to", AppliesTo, default=AppliesTo.ALL),
                note=m.text("note"),
            )
        )
    return version, steps, requirements


def _plan_items(
    root: _Entry, resolver: _Resolver, materials: dict[str, Material], topics: set[str]
) -> list[_ItemPlan]:
    problems = root.problems
    existing = {i.code: i for i in ServiceItem.objects.select_related("parent")}
    plans: list[_ItemPlan] = []
    codes: dict[str, int] = {}
    for i, raw in enumerate(root.entries("items")):
        e = _Entry(problems, raw, f"items[{i}]", ITEM_KEYS)
        code = e.text("code", required=True)
        if code in codes:
            problems.add(e.at("code"), f"事项编码“{code}”重复（已见于 items[{codes[code]}]）")
        codes.setdefault(code, i)
        item = existing.get(code) or ServiceItem(code=code)
        name, short_name = e.text("name", required=True), e.text("short_name")
        tiers = e.strings("tiers", default=[Tier.COUNTY])
        for k, tier in enumerate(tiers):
            if tier not in Tier.values:
                problems.add(
                    e.at(f"tiers[{k}]"), f"不是有效的选项：“{tier}”（可选：{'、'.join(Tier.values)}）"
                )
        source = e.sub("source", ("seed", "note")) or _Entry(problems, {}, e.at("source"), ())
        item.name, item.short_name = name, short_name
        item.kind = e.choice("kind", ItemKind)
        department = resolver.department(e, "department")
        if department is not None:
            item.department = department
        item.tier_county, item.tier_town, item.tier_village = (t in tiers for t in Tier.values)
        item.audience = e.choice("audience", Audience, default=Audience.BOTH)
        item.source_seed, item.source_note = source.text("seed"), source.text("note")
        item.search_initials = search_initials(name, short_name)
        item_topics = e.strings("topics")
        for k, topic in enumerate(item_topics):
            if topic not in topics:
                problems.add(e.at(f"topics[{k}]"), f"没有编码为“{topic}”的主题（可在 topics 中定义）")
        devolutions = []
        for k, raw_dev in enumerate(e.entries("devolutions")):
            d = _Entry(problems, raw_dev, e.at(f"devolutions[{k}]"), ("tier", "action", "date", "note"))
            record = ItemDevolution(
                tier=d.choice("tier", Tier),
                action=d.choice("action", DevolutionAction),
                date=d.date("date"),
                note=d.text("note"),
            )
            problems.model(record, d.path, exclude=["item"])
            devolutions.append(record)
        if department is not None:
            problems.model(item, e.path, exclude=["current_version", "parent", "department"])
        version_entry = e.sub("version", VERSION_KEYS)
        if version_entry is None:
            problems.add(e.at("version"), "必须填写 version")
            version_entry = _Entry(Problems(), {}, e.at("version"), VERSION_KEYS)  # reported once
        version, steps, requirements = _read_version(version_entry, resolver, materials)
        if version_entry.problems is problems:
            problems.merge(_version_problems(version, steps, requirements, version_entry.path))
        parent = e.text("parent") or None
        plans.append(_ItemPlan(e.path, item, parent, item_topics, devolutions, version, steps, requirements))
    # Parents: in the file or already in the catalogue; never the item itself or below it.
    parent_of = {code: i.parent.code if i.parent else None for code, i in existing.items()}
    parent_of.update({p.item.code: p.parent_code for p in plans})
    for plan in plans:
        if plan.parent_code is None:
            continue
        if plan.parent_code not in parent_of:
            problems.add(_join(plan.path, "parent"), f"没有编码为“{plan.parent_code}”的事项")
            continue
        seen, code = {plan.item.code}, plan.parent_code
        while code is not None:
            if code in seen:
                problems.add(_join(plan.path, "parent"), "所属主项不能是事项本身或其子项（形成循环）")
                break
            seen.add(code)
            code = parent_of.get(code)
    return plans


def _plan_materials(root: _Entry) -> tuple[dict[str, Material], list[Material]]:
    existing = {m.key: m for m in Material.objects.all()}
    library = dict(existing)
    in_file: list[Material] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(root.entries("materials")):
        e = _Entry(root.problems, raw, f"materials[{i}]", ("key", "name", "description", "satisfied_by"))
        key = e.text("key", required=True)
        if key in seen:
            root.problems.add(e.at("key"), f"材料标识“{key}”重复（已见于 materials[{seen[key]}]）")
            continue
        seen[key] = i
        material = existing.get(key) or Material(key=key)
        material.name, material.description = e.text("name", required=True), e.text("description")
        material.satisfied_by = e.text("satisfied_by")
        root.problems.model(material, e.path)
        library[key] = material
        in_file.append(material)
    return library, in_file


def _plan_topics(root: _Entry) -> tuple[set[str], list[Topic]]:
    known = set(TOPICS) | set(Topic.objects.values_list("code", flat=True))
    declared = []
    for i, raw in enumerate(root.entries("topics")):
        e = _Entry(root.problems, raw, f"topics[{i}]", ("code", "name"))
        code = e.text("code", required=True)
        topic = Topic.objects.filter(code=code).first() or Topic(code=code)
        topic.name = e.text("name", required=True)
        root.problems.model(topic, e.path)
        known.add(topic.code)
        declared.append(topic)
    return known, declared


def _plan_bundles(root: _Entry, item_codes: set[str]) -> list[tuple[str, BundleSpec, Bundle | None]]:
    existing = {b.code: b for b in Bundle.objects.all()}
    plans = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(root.entries("bundles")):
        e = _Entry(
            root.problems,
            raw,
            f"bundles[{i}]",
            (
                "code",
                "name",
                "kind",
                "topics",
                "promised_limit",
                "source",
                "items",
                "options",
                "dependencies",
            ),
        )
        source = e.sub("source", ("seed", "note")) or _Entry(root.problems, {}, e.at("source"), ())
        limit_value, limit_unit = e.limit("promised_limit", required=False)
        options = []
        for k, raw_option in enumerate(e.entries("options")):
            o = _Entry(root.problems, raw_option, e.at(f"options[{k}]"), ("code", "name", "items"))
            options.append({"code": o.text("code"), "name": o.text("name"), "items": o.strings("items")})
        dependencies = []
        for k, raw_dep in enumerate(e.entries("dependencies")):
            d = _Entry(root.problems, raw_dep, e.at(f"dependencies[{k}]"), ("item", "waits_for"))
            dependencies.append(
                {"item": d.text("item", required=True), "waits_for": d.text("waits_for", required=True)}
            )
        spec = BundleSpec(
            code=e.text("code", required=True),
            name=e.text("name", required=True),
            kind=e.choice("kind", BundleKind),
            items=e.strings("items"),
            topics=e.strings("topics"),
            promised_limit_value=limit_value,
            promised_limit_unit=limit_unit,
            source_seed=source.text("seed"),
            source_note=source.text("note"),
            options=options,
            dependencies=dependencies,
        )
        if spec.code in seen:
            root.problems.add(
                e.at("code"), f"一件事编码“{spec.code}”重复（已见于 bundles[{seen[spec.code]}]）"
            )
        seen.setdefault(spec.code, i)
        bundle = existing.get(spec.code)
        root.problems.merge(_bundle_problems(spec, e.path, item_codes, bundle))
        plans.append((e.path, spec, bundle))
    return plans


def _item_snapshot(item: ServiceItem) -> dict[str, Any]:
    return {
        "name": item.name,
        "short_name": item.short_name,
        "kind": item.kind,
        "department": item.department_id,
        "parent": item.parent.code if item.parent_id else None,
        "tiers": item.tiers,
        "audience": item.audience,
        "source": [item.source_seed, item.source_note],
        "topics": sorted(t.code for t in item.topics.all()) if item.pk else [],
        "devolutions": sorted((d.tier, d.action, d.date.isoformat(), d.note) for d in item.devolutions.all())
        if item.pk
        else [],
    }


@transaction.atomic
def catalogue_import(data: Any, *, actor: Any | None, dry_run: bool = False) -> ImportReport:
    """Import a catalogue document (docs/catalogue-format.md): upsert topics, materials, items and
    bundles by their codes. Validates everything first; on any error changes nothing and raises
    ``InvalidInput`` whose ``errors`` list every problem with its path (and, for Excel, its sheet,
    row and column). An item whose version content is unchanged (same content hash) gets no new
    version. ``data`` is a dict or a `CatalogueDocument` from ``catalogue_parse``. With
    ``dry_run`` the report says what would change, and nothing is saved.
    """
    document = data if isinstance(data, CatalogueDocument) else CatalogueDocument(data)
    problems = Problems()
    problems.list += [p for p in document.problems]
    root = _Entry(problems, document.data, "", ("departments", "topics", "materials", "items", "bundles"))
    topic_codes, declared_topics = _plan_topics(root)
    library, file_materials = _plan_materials(root)
    resolver = _Resolver()
    item_plans = _plan_items(root, resolver, library, topic_codes)
    item_codes = set(ServiceItem.objects.values_list("code", flat=True)) | {p.item.code for p in item_plans}
    bundle_plans = _plan_bundles(root, item_codes)
    for _path, spec, _bundle in bundle_plans:
        for k, topic in enumerate(spec.topics):
            if topic not in topic_codes:
                problems.add(f"{_path}.topics[{k}]", f"没有编码为“{topic}”的主题（可在 topics 中定义）")
    problems.raise_if_any("目录文件", document)

    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        _apply(report, declared_topics, file_materials, item_plans, bundle_plans, actor)
        audit_record(actor=actor, action="catalog.import", after={"summary": str(report), "dry_run": dry_run})
        if dry_run:
            transaction.set_rollback(True)
    return report


def _apply(
    report: ImportReport,
    topics: list[Topic],
    materials: list[Material],
    item_plans: list[_ItemPlan],
    bundle_plans: list[tuple[str, BundleSpec, Bundle | None]],
    actor: Any | None,
) -> None:
    for topic in topics:
        old = Topic.objects.filter(pk=topic.pk).first() if topic.pk else None
        if old is None or old.name != topic.name:
            topic.save()
            report.topics_created += old is None
            report.changes.append(f"主题 {topic.code}")
    for material in materials:
        old = Material.objects.filter(pk=material.pk).first() if material.pk else None
        fields = ("name", "description", "satisfied_by")
        if old is not None and all(getattr(old, f) == getattr(material, f) for f in fields):
            continue
        material.save()
        if old is None:
            report.materials_created += 1
            report.changes.append(f"新建材料 {material.key}")
        else:
            report.materials_updated += 1
            report.changes.append(f"修改材料 {material.key}")
            audit_record(
                actor=actor, action="catalog.material_update", target=material, after={"name": material.name}
            )
    for plan in item_plans:  # requirements were built with unsaved materials of this file
        for requirement in plan.requirements:
            requirement.material = Material.objects.get(key=requirement.material.key)
    by_code: dict[str, ServiceItem] = {}
    before: dict[str, dict[str, Any] | None] = {}
    for plan in item_plans:
        item = plan.item
        before[item.code] = _item_snapshot(ServiceItem.objects.get(pk=item.pk)) if item.pk else None
        item.parent = None if plan.parent_code is None else item.parent
        if plan.parent_code is not None and (item.parent is None or item.parent.code != plan.parent_code):
            item.parent = ServiceItem.objects.filter(code=plan.parent_code).first()
        item.save()
        by_code[item.code] = item
    for plan in item_plans:
        item = plan.item
        if plan.parent_code is not None and (item.parent is None or item.parent.code != plan.parent_code):
            item.parent = by_code.get(plan.parent_code) or ServiceItem.objects.get(code=plan.parent_code)
            item.save(update_fields=["parent"])
        item.topics.set(_topics(plan.topics))
        wanted = sorted((d.tier, d.action, d.date.isoformat(), d.note) for d in plan.devolutions)
        if before[item.code] is None or before[item.code]["devolutions"] != wanted:
            item.devolutions.all().delete()
            for record in plan.devolutions:
                record.item = item
                record.save()
        current = item.current_version
        digest = _digest(plan.version, plan.steps, plan.requirements)
        new_version = current is None or current.content_hash != digest
        if new_version:
            _version_write(
                item=item,
                version=plan.version,
                steps=plan.steps,
                requirements=plan.requirements,
                actor=actor,
                digest=digest,
            )
            report.versions_created += 1
        after = _item_snapshot(item)
        if before[item.code] is None:
            report.items_created += 1
            report.changes.append(f"新建事项 {item.code}")
            audit_record(
                actor=actor, action="catalog.item_import", target=item, after={"created": True, "version": 1}
            )
        elif new_version or after != before[item.code]:
            report.items_updated += 1
            old, new = _diff(before[item.code] or {}, after)
            if new_version:
                new["version"] = item.current_version.number
                report.changes.append(f"事项 {item.code} 第{item.current_version.number}版")
            else:
                report.changes.append(f"修改事项 {item.code}")
            audit_record(actor=actor, action="catalog.item_import", target=item, before=old, after=new)
        else:
            report.items_unchanged += 1
    all_items = {i.code: i for i in ServiceItem.objects.all()}
    for _path, spec, bundle in bundle_plans:
        old_doc = bundle_document(bundle) if bundle is not None else None
        if old_doc == spec.document():
            report.bundles_unchanged += 1
            continue
        saved = _bundle_write(bundle or Bundle(), spec, all_items)
        if bundle is None:
            report.bundles_created += 1
            report.changes.append(f"新建一件事 {spec.code}")
        else:
            report.bundles_updated += 1
            report.changes.append(f"修改一件事 {spec.code}")
        old, new = _diff(old_doc or {}, spec.document())
        audit_record(actor=actor, action="catalog.bundle_import", target=saved, before=old, after=new)


# ---- files --------------------------------------------------------------------------------------


def catalogue_parse(content: bytes, *, fmt: str | None = None, filename: str = "") -> CatalogueDocument:
    """Parse catalogue file ``content`` as ``fmt`` (yaml, json or xlsx; by default from
    ``filename``'s extension). Raises ``InvalidInput`` if the file cannot be read at all, with the
    line and column of a YAML/JSON syntax error."""
    try:
        return fileformat.parse(content, fmt or fileformat.format_of(filename))
    except FileError as exc:
        raise InvalidInput(
            f"{exc.location}：{exc.message}" if exc.location else exc.message,
            errors=[{"path": exc.location or "", "message": exc.message}],
        ) from exc


def catalogue_load_file(path: str | Path) -> CatalogueDocument:
    """Read a catalogue file; the format comes from its extension (.yaml, .yml, .json, .xlsx)."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(
            f"无法读取文件 {path}：{exc.strerror}", errors=[{"path": str(path), "message": str(exc)}]
        ) from exc
    return catalogue_parse(content, filename=path.name)


def catalogue_export(fmt: str = "yaml") -> bytes:
    """The whole catalogue as a file in ``fmt`` (yaml, json or xlsx) that imports back unchanged."""
    if fmt not in fileformat.FORMATS:
        raise InvalidInput(
            f"不支持的格式：{fmt}（支持 {'、'.join(fileformat.FORMATS)}）",
            errors=[{"path": "format", "message": "不支持的格式"}],
        )
    return fileformat.dump(catalogue_document(), fmt)


@transaction.atomic
def catalog_load_demo(*, actor: Any | None = None, path: Path = DEMO_FILE) -> ImportReport:
    """Import the demo catalogue (``catalog/data/demo_catalogue.yaml``). Idempotent: a second load
    creates no versions. Needs the demo organisation (departments) loaded first."""
    return catalogue_import(catalogue_load_file(path), actor=actor)
