"""Reads of the service catalogue: items, search, bundles with their combined materials and limit,
the catalogue as a document (for export and content hashes), and compression statistics."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from onewindow.catalog.limits import (
    JOINT_HANDLING_LIMIT,
    WORKDAY_MINUTES,
    in_working_days,
    limit_compression,
)
from onewindow.catalog.models import (
    AppliesTo,
    Audience,
    Bundle,
    BundleOption,
    ItemStep,
    Material,
    MaterialForm,
    MaterialRequirement,
    OnlineDepth,
    ServiceItem,
    ServiceItemVersion,
    Topic,
)
from onewindow.clock.workdays import Duration, Unit
from onewindow.core.errors import NotFound
from onewindow.org.models import Department, Region

# ---- documents (docs/catalogue-format.md) ------------------------------------------------------------


def department_ref(department: Department) -> str:
    """How a catalogue file names a department: its code, or ``<region code>:<code>`` when the
    code is used in more than one region."""
    shared = Department.objects.filter(code=department.code).exclude(pk=department.pk).exists()
    return f"{department.region.code}:{department.code}" if shared else department.code


def _qualified_ref(department: Department) -> str:
    return f"{department.region_id}:{department.code}"


def fee_text(fee: Decimal | int | str) -> str:
    """A fee as the file writes it: "0", "12.5", "100"."""
    text = f"{Decimal(fee).quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _limit(value: int | None, unit: str) -> dict[str, Any] | None:
    return {"value": value, "unit": unit} if value is not None and unit else None


def version_document(
    version: ServiceItemVersion,
    steps: Sequence[ItemStep],
    requirements: Sequence[MaterialRequirement],
    *,
    ref: Callable[[Department], str] = _qualified_ref,
) -> dict[str, Any]:
    """A version in the file format with every field present (the canonical form whose hash
    decides whether an import creates a new version). Works on unsaved rows too.

    The deemed-consent bases (version and step ``deemed_consent_basis``) came after the first
    release: they appear only when set, so a version stored before them keeps its content hash
    (re-importing an unchanged catalogue creates no version), while setting or changing a basis
    changes the hash and makes a new version."""
    return {
        "legal_basis": version.legal_basis,
        "conditions": version.conditions,
        "legal_limit": _limit(version.legal_limit_value, version.legal_limit_unit),
        "promised_limit": _limit(version.promised_limit_value, version.promised_limit_unit),
        "is_instant": version.is_instant,
        "fee": fee_text(version.fee),
        "fee_note": version.fee_note,
        "online_depth": version.online_depth,
        "max_visits": version.max_visits,
        "needs_inspection": version.needs_inspection,
        "deemed_consent_days": version.deemed_consent_days,
        **({"deemed_consent_basis": version.deemed_consent_basis} if version.deemed_consent_basis else {}),
        **({"registration": version.registration} if version.registration else {}),
        "conditional_on_deficiency": version.conditional_on_deficiency,
        "commitment_approval": version.commitment_approval,
        "post_verification_days": version.post_verification_days,
        "steps": [_step_document(s, ref) for s in steps],
        "result": {
            "licence_type": version.result_licence_type or None,
            "paper": version.result_paper,
            "electronic": version.result_electronic,
        },
        "materials": [
            {
                "material": r.material.key,
                "form": r.form,
                "copies": r.copies,
                "required": r.required,
                "waivable": r.waivable,
                "supply_days": r.supply_days,
                "commitment_allowed": r.commitment_allowed,
                "applies_to": r.applies_to,
                "note": r.note,
            }
            for r in requirements
        ],
    }


def _step_document(step: ItemStep, ref: Callable[[Department], str]) -> dict[str, Any]:
    document = {
        "kind": step.kind,
        "department": ref(step.department),
        "limit": _limit(step.limit_value, step.limit_unit),
    }
    if step.deemed_consent_basis:
        document["deemed_consent_basis"] = step.deemed_consent_basis
    return document


def _items_with_versions() -> QuerySet[ServiceItem]:
    return ServiceItem.objects.select_related(
        "department__region", "parent", "current_version"
    ).prefetch_related(
        "topics",
        "devolutions",
        Prefetch("current_version__steps", queryset=ItemStep.objects.select_related("department__region")),
        Prefetch(
            "current_version__requirements", queryset=MaterialRequirement.objects.select_related("material")
        ),
    )


def item_document(item: ServiceItem) -> dict[str, Any]:
    """An item with its current version, in the file format."""
    version = item.current_version
    return {
        "code": item.code,
        "name": item.name,
        "short_name": item.short_name,
        "kind": item.kind,
        "department": department_ref(item.department),
        "parent": item.parent.code if item.parent_id else None,
        "tiers": item.tiers,
        "collect_for_higher_tier": item.collect_for_higher_tier,
        "devolutions": [
            {"tier": d.tier, "action": d.action, "date": d.date, "note": d.note}
            for d in sorted(item.devolutions.all(), key=lambda d: (d.date, d.pk))
        ],
        "audience": item.audience,
        "topics": sorted(t.code for t in item.topics.all()),
        "source": {"seed": item.source_seed, "note": item.source_note},
        "version": version_document(
            version, list(version.steps.all()), list(version.requirements.all()), ref=department_ref
        )
        if version
        else None,
    }


def bundle_document(bundle: Bundle) -> dict[str, Any]:
    """A bundle in the file format; option items follow the bundle's item order."""
    codes = [e.item.code for e in bundle.entries.select_related("item").order_by("order")]
    position = {code: i for i, code in enumerate(codes)}
    return {
        "code": bundle.code,
        "name": bundle.name,
        "kind": bundle.kind,
        "topics": sorted(t.code for t in bundle.topics.all()),
        "promised_limit": _limit(bundle.promised_limit_value, bundle.promised_limit_unit),
        "joint_handling": bundle.joint_handling,
        "source": {"seed": bundle.source_seed, "note": bundle.source_note},
        "items": codes,
        "options": [
            {
                "code": o.code,
                "name": o.name,
                "items": sorted((i.code for i in o.items.all()), key=lambda c: position.get(c, len(codes))),
            }
            for o in bundle.options.prefetch_related("items").order_by("order")
        ],
        "dependencies": [
            {"item": d.item.code, "waits_for": d.waits_for.code}
            for d in bundle.dependencies.select_related("item", "waits_for").order_by("pk")
        ],
    }


def catalogue_document() -> dict[str, Any]:
    """The whole catalogue in the file format (what ``catalogue_export`` writes)."""
    from onewindow.catalog.models import Material

    return {
        "topics": [{"code": t.code, "name": t.name} for t in Topic.objects.order_by("code")],
        "materials": [
            {"key": m.key, "name": m.name, "description": m.description, "satisfied_by": m.satisfied_by}
            for m in Material.objects.order_by("key")
        ],
        # Parents before their sub-items, so a reader going top-down always knows the parent.
        "items": [
            item_document(i)
            for i in sorted(_items_with_versions(), key=lambda i: (i.parent_id is not None, i.code))
            if i.current_version_id
        ],
        "bundles": [bundle_document(b) for b in Bundle.objects.order_by("code")],
    }


# ---- items ----------------------------------------------------------------------------------------


def item_get(*, code: str) -> ServiceItem:
    """The item with ``code`` and its current version's steps and materials; raises ``NotFound``."""
    item = _items_with_versions().filter(code=code).first()
    if item is None or item.current_version_id is None:
        raise NotFound(f"没有编码为“{code}”的事项")
    return item


def item_list_search(
    *,
    query: str = "",
    department: Department | str | None = None,
    topic: str | None = None,
    audience: str | None = None,
) -> QuerySet[ServiceItem]:
    """Items matching ``query`` in their name, short name, code, department name, topic name or
    code, or pinyin initials (``spscxk`` finds 食品生产许可); filtered by department (object or
    code), topic code and audience (an audience filter also keeps items for both audiences)."""
    items = ServiceItem.objects.filter(current_version__isnull=False)
    query = (query or "").strip()
    if query:
        match = (
            Q(name__icontains=query)
            | Q(short_name__icontains=query)
            | Q(code__icontains=query)
            | Q(department__name__icontains=query)
            | Q(department__short_name__icontains=query)
            | Q(topics__name__icontains=query)
            | Q(topics__code__iexact=query)
        )
        if query.isascii() and query.replace(" ", "").isalnum():
            match |= Q(search_initials__contains=query.lower().replace(" ", ""))
        items = items.filter(pk__in=ServiceItem.objects.filter(match).values("pk"))
    if isinstance(department, Department):
        items = items.filter(department=department)
    elif department:
        items = items.filter(department__code=department)
    if topic:
        items = items.filter(topics__code=topic)
    if audience and audience != Audience.BOTH:
        items = items.filter(audience__in=[audience, Audience.BOTH])
    return items.select_related("department", "current_version").prefetch_related("topics").order_by("code")


# ---- bundles --------------------------------------------------------------------------------------


def bundle_get(*, code: str) -> Bundle:
    """The bundle with ``code``; raises ``NotFound``."""
    bundle = Bundle.objects.prefetch_related("topics", "options__items").filter(code=code).first()
    if bundle is None:
        raise NotFound(f"没有编码为“{code}”的一件事")
    return bundle


def bundle_list() -> QuerySet[Bundle]:
    return Bundle.objects.prefetch_related("topics").order_by("code")


def registration_of(
    *,
    item: ServiceItem | None = None,
    bundle: Bundle | None = None,
    bundle_option: BundleOption | None = None,
) -> str:
    """The market-entity registration an application for this item or bundle option includes
    (``Registration``: establish, individual, change, cancel), or "" for none."""
    items = bundle_items(bundle, bundle_option) if bundle is not None else [item] if item is not None else []
    return next(
        (
            i.current_version.registration
            for i in items
            if i.current_version and i.current_version.registration
        ),
        "",
    )


def produced_in(items: Sequence[ServiceItem]) -> dict[str, ServiceItem]:
    """Licence types that one of ``items`` issues, by type name (the 营业执照 of 企业设立登记): in a
    bundle, a material those licences satisfy is produced by the earlier step, not asked for."""
    return {
        item.current_version.result_licence_type: item
        for item in items
        if item.current_version is not None and item.current_version.result_licence_type
    }


def material_producer(material: Material, produced: dict[str, ServiceItem]) -> ServiceItem | None:
    """The item among ``produced`` whose result licence satisfies ``material``, or None."""
    kind, _sep, name = (material.satisfied_by or "").partition(":")
    return produced.get(name) if kind == "licence" else None


def bundle_items(bundle: Bundle, option: BundleOption | str | None = None) -> list[ServiceItem]:
    """The bundle's items in order, or only those of ``option`` (an option or its code);
    raises ``NotFound`` for an unknown option."""
    entries = bundle.entries.select_related("item__department", "item__current_version").prefetch_related(
        Prefetch(
            "item__current_version__requirements",
            queryset=MaterialRequirement.objects.select_related("material"),
        )
    )
    items = [e.item for e in entries.order_by("order")]
    if option is None:
        return items
    if isinstance(option, str):
        found = bundle.options.filter(code=option).first()
        if found is None:
            raise NotFound(f"“{bundle.name}”没有编码为“{option}”的套餐")
        option = found
    chosen = set(option.items.values_list("pk", flat=True))
    return [i for i in items if i.pk in chosen]


@dataclass
class CombinedMaterial:
    """One material of a bundle's combined list (一套材料), asked once however many items need it."""

    material: Any
    form: str
    copies: int
    required: bool
    waivable: bool
    supply_days: int | None
    commitment_allowed: bool
    applies_to: str
    items: list[ServiceItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def merge_requirements(requirements: Sequence[MaterialRequirement]) -> dict[str, Any]:
    """How one material is asked for when several items need it (pure):

    - form: originals if any item needs the original, copies if any needs a copy (both →
      original_and_copy); electronic only if every item accepts the electronic form;
    - copies: the most any item asks for; required if any item requires it;
    - waivable (容缺) and commitment_allowed (告知承诺) only if every item allows it, with the
      shortest supply deadline;
    - applies_to: the common value, else all.
    """
    forms = {r.form for r in requirements}
    original = bool(forms & {MaterialForm.ORIGINAL, MaterialForm.ORIGINAL_AND_COPY})
    copy = bool(forms & {MaterialForm.COPY, MaterialForm.ORIGINAL_AND_COPY})
    if original and copy:
        form = MaterialForm.ORIGINAL_AND_COPY
    elif original:
        form = MaterialForm.ORIGINAL
    elif copy:
        form = MaterialForm.COPY
    else:
        form = MaterialForm.ELECTRONIC
    waivable = all(r.waivable for r in requirements)
    audiences = {r.applies_to for r in requirements}
    return {
        "form": str(form),
        "copies": max(r.copies for r in requirements),
        "required": any(r.required for r in requirements),
        "waivable": waivable,
        "supply_days": min(r.supply_days for r in requirements if r.supply_days) if waivable else None,
        "commitment_allowed": all(r.commitment_allowed for r in requirements),
        "applies_to": audiences.pop() if len(audiences) == 1 else str(AppliesTo.ALL),
    }


def bundle_combined_materials(
    bundle: Bundle, option: BundleOption | str | None = None
) -> list[CombinedMaterial]:
    """The bundle's one list of materials (一套材料): each `Material` once, with the items that
    need it, in the order first needed (bundle item order, then each item's material order).
    With ``option``, only that option's items count (raises ``NotFound`` for an unknown option)."""
    needed: dict[int, list[tuple[ServiceItem, MaterialRequirement]]] = {}
    for item in bundle_items(bundle, option):
        if item.current_version is None:
            continue
        for requirement in item.current_version.requirements.all():
            needed.setdefault(requirement.material_id, []).append((item, requirement))
    combined = []
    for pairs in needed.values():
        requirements = [r for _item, r in pairs]
        combined.append(
            CombinedMaterial(
                material=requirements[0].material,
                items=list(dict.fromkeys(item for item, _r in pairs)),
                notes=list(dict.fromkeys(r.note for r in requirements if r.note)),  # each note once
                **merge_requirements(requirements),
            )
        )
    return combined


@dataclass(frozen=True)
class BundleLimit:
    """A bundle's limits: the combined promised limit the bundle declares (None if it declares
    none), and the critical path: the longest chain of item promised limits through the
    dependencies, since independent cases run in parallel (并联审批)."""

    promised: Duration | None
    critical_path: Duration | None

    @property
    def effective(self) -> Duration | None:
        """What the applicant is promised: the declared limit, else the critical path."""
        return self.promised or self.critical_path


def critical_path(limits: dict[str, Duration], waits: Iterable[tuple[str, str]]) -> Duration | None:
    """The longest chain of ``limits`` along ``waits`` ((item, waits_for) pairs) (pure).

    Working time is added in working minutes (1 working day = 420 minutes, see ``limits``); the
    result keeps the items' unit when they share one, is in minutes when they mix hours and
    minutes, and otherwise in working days rounded up. None if any limit is in natural days.
    """
    if not limits:
        return None
    days = {code: in_working_days(limit) for code, limit in limits.items()}
    if any(d is None for d in days.values()):
        return None
    before: dict[str, list[str]] = {}
    for item, waits_for in waits:
        before.setdefault(item, []).append(waits_for)
    memo: dict[str, Fraction] = {}

    def finish(code: str, stack: frozenset[str] = frozenset()) -> Fraction:
        if code not in memo:
            earlier = [
                finish(w, stack | {code}) for w in before.get(code, []) if w in days and w not in stack
            ]
            memo[code] = days[code] + max(earlier, default=Fraction(0))  # type: ignore[operator]
        return memo[code]

    longest = max(finish(code) for code in days)
    units = {limit.unit for limit in limits.values()}
    if units == {Unit.INSTANT}:
        return Duration.instant()
    minutes = longest * WORKDAY_MINUTES
    if units <= {Unit.WORK_HOUR, Unit.INSTANT} and minutes % 60 == 0:
        return Duration(int(minutes // 60), Unit.WORK_HOUR)
    if units <= {Unit.WORK_HOUR, Unit.WORK_MINUTE, Unit.INSTANT}:
        return Duration(math.ceil(minutes), Unit.WORK_MINUTE)
    return Duration(math.ceil(longest), Unit.WORKDAY)


def bundle_combined_limit(bundle: Bundle, option: BundleOption | str | None = None) -> BundleLimit:
    """The bundle's declared promised limit and the critical path of the chosen items."""
    items = bundle_items(bundle, option)
    chosen = {i.code for i in items}
    limits = {i.code: i.current_version.promised_limit for i in items if i.current_version is not None}
    waits = [
        (d.item.code, d.waits_for.code)
        for d in bundle.dependencies.select_related("item", "waits_for")
        if d.item.code in chosen and d.waits_for.code in chosen
    ]
    return BundleLimit(promised=bundle.promised_limit, critical_path=critical_path(limits, waits))


def bundle_joint_limit(bundle: Bundle, option: BundleOption | str | None = None) -> Duration | None:
    """The statutory joint limit (``limits.JOINT_HANDLING_LIMIT``, 45 working days) when the bundle
    is handled jointly (``joint_handling``, 行政许可法 第二十六条、第四十二条第二款) and the chosen items
    (those of ``option``, or all) belong to two or more departments; None otherwise (an option
    within one department is no joint handling). Raises ``NotFound`` for an unknown option."""
    if not bundle.joint_handling:
        return None
    departments = {i.department_id for i in bundle_items(bundle, option)}
    return JOINT_HANDLING_LIMIT if len(departments) >= 2 else None


# ---- compression statistics ---------------------------------------------------------------------


@dataclass(frozen=True)
class LimitRow:
    """The figures of one item's current version that the statistics use."""

    code: str
    name: str
    legal: Duration | None
    promised: Duration
    is_instant: bool
    max_visits: int
    online_depth: str


@dataclass(frozen=True)
class ItemCompression:
    code: str
    name: str
    legal: Duration | None
    promised: Duration
    compression: Fraction | None  # (legal − promised) / legal; None when not comparable
    legal_days: Fraction | None  # in working days (hours at 7 a day); None for natural days
    promised_days: Fraction | None


@dataclass(frozen=True)
class CompressionStats:
    """Catalogue compression figures (see ``compression_stats`` for the definitions)."""

    items: list[ItemCompression]
    item_count: int
    compared_count: int
    mean_compression: Fraction | None
    overall_compression: Fraction | None
    instant_share: Fraction | None
    zero_visit_share: Fraction | None
    full_online_share: Fraction | None
    average_legal_days: Fraction | None
    average_promised_days: Fraction | None


def _share(count: int, total: int) -> Fraction | None:
    return Fraction(count, total) if total else None


def compression_stats(rows: Sequence[LimitRow]) -> CompressionStats:
    """Compression of the promised limits against the statutory ones (pure).

    Definitions:
    - an item's compression is (legal − promised) / legal in a common unit
      (``limits.limit_compression``: hours and minutes at 1 working day = 7 working hours, 即办 = 0);
      None when it has no legal limit, the legal limit is 0, or natural days meet working time;
    - ``compared_count``: items with a compression; ``mean_compression``: their mean;
    - ``average_legal_days`` / ``average_promised_days``: the means, over the compared items that
      count in working time, of both limits in working days; ``overall_compression`` is
      1 − average promised / average legal over those items (the catalogue-wide compression,
      weighted by the legal limit);
    - ``instant_share``: share of all items that are 即办件; ``zero_visit_share``: share with
      0 visits (零跑动); ``full_online_share``: share that is 全程网办.
    """
    items = []
    for row in rows:
        items.append(
            ItemCompression(
                code=row.code,
                name=row.name,
                legal=row.legal,
                promised=row.promised,
                compression=limit_compression(row.legal, row.promised),
                legal_days=in_working_days(row.legal) if row.legal else None,
                promised_days=in_working_days(row.promised),
            )
        )
    compared = [i for i in items if i.compression is not None]
    in_days = [i for i in compared if i.legal_days is not None and i.promised_days is not None]
    n = len(items)
    avg_legal = sum((i.legal_days for i in in_days), Fraction(0)) / len(in_days) if in_days else None  # type: ignore[misc]
    avg_promised = (
        sum((i.promised_days for i in in_days), Fraction(0)) / len(in_days) if in_days else None  # type: ignore[misc]
    )
    return CompressionStats(
        items=items,
        item_count=n,
        compared_count=len(compared),
        mean_compression=sum((i.compression for i in compared), Fraction(0)) / len(compared)
        if compared
        else None,  # type: ignore[misc]
        overall_compression=1 - avg_promised / avg_legal if avg_legal and avg_promised is not None else None,
        instant_share=_share(sum(r.is_instant for r in rows), n),
        zero_visit_share=_share(sum(r.max_visits == 0 for r in rows), n),
        full_online_share=_share(sum(r.online_depth == OnlineDepth.FULL for r in rows), n),
        average_legal_days=avg_legal,
        average_promised_days=avg_promised,
    )


def catalogue_compression_stats(region: Region | None = None) -> CompressionStats:
    """``compression_stats`` of every item's current version, optionally only the items of
    departments in ``region`` (or below it)."""
    items = ServiceItem.objects.filter(current_version__isnull=False).select_related("current_version")
    if region is not None:
        items = items.filter(department__region__code__startswith=region.prefix)
    rows = [
        LimitRow(
            code=i.code,
            name=i.name,
            legal=i.current_version.legal_limit,
            promised=i.current_version.promised_limit,
            is_instant=i.current_version.is_instant,
            max_visits=i.current_version.max_visits,
            online_depth=i.current_version.online_depth,
        )
        for i in items.order_by("code")
    ]
    return compression_stats(rows)
