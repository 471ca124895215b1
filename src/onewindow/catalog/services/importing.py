"""The catalogue file import (docs/catalogue-format.md): read the whole document, validate every
rule with its path, then upsert topics, materials, items (a new version only when the content
changes) and bundles in one transaction; on any error nothing changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models, transaction

from onewindow.audit.services import audit_record
from onewindow.catalog.fileformat import CatalogueDocument
from onewindow.catalog.models import (
    TOPICS,
    AppliesTo,
    Audience,
    Bundle,
    BundleKind,
    DevolutionAction,
    ItemDevolution,
    ItemKind,
    ItemStep,
    LimitUnit,
    Material,
    MaterialForm,
    MaterialRequirement,
    OnlineDepth,
    Registration,
    ServiceItem,
    ServiceItemVersion,
    StepKind,
    Tier,
    Topic,
)
from onewindow.catalog.selectors import bundle_document
from onewindow.catalog.services.bundles import BundleSpec, _bundle_problems, _bundle_write, _topics
from onewindow.catalog.services.items import (
    _diff,
    _digest,
    _version_problems,
    _version_write,
    search_initials,
)
from onewindow.catalog.services.validation import Problems, _join
from onewindow.org.models import Department


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
    "collect_for_higher_tier",
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
    "deemed_consent_basis",
    "registration",
    "conditional_on_deficiency",
    "commitment_approval",
    "post_verification_days",
    "steps",
    "result",
    "materials",
)
STEP_KEYS = ("kind", "department", "limit", "deemed_consent_basis")
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
        deemed_consent_basis=v.text("deemed_consent_basis"),
        registration=v.choice("registration", Registration, default=Registration.NONE),
        conditional_on_deficiency=v.boolean("conditional_on_deficiency", False),
        commitment_approval=commitment,
        post_verification_days=v.integer("post_verification_days"),
        result_licence_type=result.text("licence_type"),
        result_paper=result.boolean("paper", True),
        result_electronic=result.boolean("electronic", False),
    )
    steps = []
    for k, raw in enumerate(v.entries("steps")):
        s = _Entry(v.problems, raw, v.at(f"steps[{k}]"), STEP_KEYS)
        limit_value, limit_unit = s.limit("limit", required=False)
        steps.append(
            ItemStep(
                kind=s.choice("kind", StepKind),
                department=resolver.department(s, "department"),
                limit_value=limit_value,
                limit_unit=limit_unit,
                deemed_consent_basis=s.text("deemed_consent_basis"),
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
        item.collect_for_higher_tier = e.boolean("collect_for_higher_tier", False)
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
            problems.merge(
                _version_problems(version, steps, requirements, version_entry.path, department=department)
            )
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


def _plan_bundles(
    root: _Entry, item_departments: dict[str, Any]
) -> list[tuple[str, BundleSpec, Bundle | None]]:
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
                "joint_handling",
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
            joint_handling=e.boolean("joint_handling", False),
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
        root.problems.merge(_bundle_problems(spec, e.path, item_departments, bundle))
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
        "collect_for_higher_tier": item.collect_for_higher_tier,
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
    item_departments: dict[str, Any] = dict(ServiceItem.objects.values_list("code", "department_id"))
    item_departments.update({p.item.code: p.item.department_id for p in item_plans})
    bundle_plans = _plan_bundles(root, item_departments)
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
