"""Bundles (一件事 / 一业一证 / 证照通1+X): their items, options, dependencies and 联合办理."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from onewindow.audit.services import audit_record
from onewindow.catalog.limits import JOINT_HANDLING_LIMIT, exceeds
from onewindow.catalog.models import (
    TOPICS,
    Bundle,
    BundleDependency,
    BundleItem,
    BundleOption,
    ServiceItem,
    Topic,
    find_cycle,
    valid_limit,
)
from onewindow.catalog.selectors import bundle_document
from onewindow.catalog.services.items import _diff
from onewindow.catalog.services.validation import Problems, _join
from onewindow.clock.workdays import Duration


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
    joint_handling: bool = False
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
            "joint_handling": self.joint_handling,
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


BUNDLE_FIELDS = (
    "code",
    "name",
    "kind",
    "promised_limit_value",
    "promised_limit_unit",
    "joint_handling",
    "source_seed",
    "source_note",
)


def _bundle_problems(
    spec: BundleSpec, base: str, item_departments: dict[str, Any], bundle: Bundle | None
) -> Problems:
    """Every rule of one bundle; ``item_departments`` maps each known item code (file or
    database) to its department's id (None when the file's department is itself in error)."""
    problems = Problems()
    # A copy: the stored bundle must keep its values, which the import compares with the file's.
    instance = copy.copy(bundle) if bundle is not None else Bundle()
    for name in BUNDLE_FIELDS:
        setattr(instance, name, getattr(spec, name))
    problems.model(instance, base)
    known_items = set(item_departments)
    if spec.joint_handling:
        _joint_handling_problems(problems, spec, base, item_departments)
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


def _joint_handling_problems(
    problems: Problems, spec: BundleSpec, base: str, item_departments: dict[str, Any]
) -> None:
    """联合办理 (行政许可法 第二十六条) is the handling of one matter by two or more departments, within
    45 working days (第四十二条第二款): a bundle of one department's items is not handled jointly
    (一业一证 in one department), and its promised limit may not be longer than the 45 days."""
    departments = [item_departments.get(code) for code in spec.items if code in item_departments]
    if departments and None not in departments and len(set(departments)) < 2:
        problems.add(
            _join(base, "joint_handling"),
            "联合办理须由两个以上部门分别实施（行政许可法第二十六条）；该一件事的事项都属于同一部门",
        )
    promised = valid_limit(spec.promised_limit_value, spec.promised_limit_unit)
    if promised is not None and exceeds(promised, JOINT_HANDLING_LIMIT):
        problems.add(
            _join(base, "promised_limit.value"),
            f"联合办理的承诺时限（{promised}）不能长于{JOINT_HANDLING_LIMIT}（行政许可法第四十二条第二款）",
        )


def _bundle_write(bundle: Bundle, spec: BundleSpec, items_by_code: dict[str, ServiceItem]) -> Bundle:
    for name in BUNDLE_FIELDS:
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


def _departments_of(items: Iterable[ServiceItem]) -> dict[str, Any]:
    return {i.code: i.department_id for i in items}


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
    joint_handling: bool = False,
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
        joint_handling=joint_handling,
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
    ``topics`` (codes), ``promised_limit`` (`Duration`), ``joint_handling`` (联合办理, 第二十六条),
    ``options`` (dicts with code, name and items), ``dependencies`` ((item, waits_for) pairs),
    ``source_seed``/``source_note``.

    Raises ``InvalidInput`` if an option or dependency names an item outside the bundle, the
    dependencies form a cycle, or joint handling is asked of one department's items or with a
    promised limit beyond 45 working days."""
    bundle_spec = _bundle_spec(**spec)
    items = {i.code: i for i in spec["items"]}
    _bundle_problems(bundle_spec, "", _departments_of(items.values()), None).raise_if_any("一件事")
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
        "joint_handling": bundle.joint_handling,
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
    _bundle_problems(bundle_spec, "", _departments_of(items.values()), bundle).raise_if_any("一件事")
    _bundle_write(bundle, bundle_spec, items)
    old, new = _diff(before, bundle_spec.document())
    audit_record(actor=actor, action="catalog.bundle_update", target=bundle, before=old, after=new)
    return bundle
