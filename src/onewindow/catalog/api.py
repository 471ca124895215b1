"""Catalogue endpoints: public guide data (items, bundles, statistics) and, for administrators,
catalogue import and export."""

from __future__ import annotations

from dataclasses import asdict
from fractions import Fraction
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from onewindow.catalog import fileformat
from onewindow.catalog.limits import JOINT_HANDLING_EXTENSION, limit_compression
from onewindow.catalog.models import BundleKind, ItemKind, MaterialForm, ServiceItem, StepKind
from onewindow.catalog.schemas import (
    BundleDetailOut,
    BundleSummaryOut,
    CompressionStatsOut,
    ImportReportOut,
    ItemDetailOut,
    ItemSummaryOut,
)
from onewindow.catalog.selectors import (
    bundle_combined_limit,
    bundle_combined_materials,
    bundle_get,
    bundle_items,
    bundle_joint_limit,
    bundle_list,
    catalogue_compression_stats,
    item_get,
    item_list_search,
)
from onewindow.catalog.services import catalogue_export, catalogue_import, catalogue_parse
from onewindow.clock.workdays import Duration
from onewindow.core.errors import InvalidInput
from onewindow.org.authz import require

router = Router(tags=["catalog"])


def _limit(limit: Duration | None) -> dict[str, Any] | None:
    return {"value": limit.value, "unit": limit.unit.value, "label": str(limit)} if limit else None


def _ratio(value: Fraction | None) -> float | None:
    return round(float(value), 4) if value is not None else None


def _summary(item: ServiceItem) -> dict[str, Any]:
    version = item.current_version
    return {
        "code": item.code,
        "name": item.name,
        "short_name": item.short_name,
        "kind": item.kind,
        "kind_label": str(ItemKind(item.kind).label),
        "department_code": item.department.code,
        "department_name": item.department.name,
        "audience": item.audience,
        "topics": [{"code": t.code, "name": t.name} for t in item.topics.all()],
        "legal_limit": _limit(version.legal_limit),
        "promised_limit": _limit(version.promised_limit),
        "is_instant": version.is_instant,
        "online_depth": version.online_depth,
        "max_visits": version.max_visits,
    }


@router.get("/items", response=list[ItemSummaryOut], auth=None)
def list_items(
    request: HttpRequest,
    q: str = "",
    department: str | None = None,
    topic: str | None = None,
    audience: str | None = None,
) -> list[dict[str, Any]]:
    """Search the catalogue by name, code, department, topic or pinyin initials (spscxk)."""
    items = item_list_search(query=q, department=department, topic=topic, audience=audience)
    return [_summary(i) for i in items]


@router.get("/items/{code}", response=ItemDetailOut, auth=None)
def get_item(request: HttpRequest, code: str) -> dict[str, Any]:
    """An item's guide data (办事指南): its current version with steps, materials and limits."""
    item = item_get(code=code)
    version = item.current_version
    return {
        **_summary(item),
        "version": version.number,
        "parent_code": item.parent.code if item.parent_id else None,
        "tiers": item.tiers,
        "collect_for_higher_tier": item.collect_for_higher_tier,
        "devolutions": [
            {"tier": d.tier, "action": d.action, "date": d.date.isoformat(), "note": d.note}
            for d in item.devolutions.all()
        ],
        "legal_basis": version.legal_basis,
        "conditions": version.conditions,
        "compression": _ratio(limit_compression(version.legal_limit, version.promised_limit)),
        "fee": str(version.fee),
        "fee_note": version.fee_note,
        "needs_inspection": version.needs_inspection,
        "deemed_consent_days": version.deemed_consent_days,
        "deemed_consent_basis": version.deemed_consent_basis,
        "conditional_on_deficiency": version.conditional_on_deficiency,
        "commitment_approval": version.commitment_approval,
        "post_verification_days": version.post_verification_days,
        "result": {
            "licence_type": version.result_licence_type or None,
            "paper": version.result_paper,
            "electronic": version.result_electronic,
        },
        "steps": [
            {
                "kind": s.kind,
                "kind_label": str(StepKind(s.kind).label),
                "department_code": s.department.code,
                "department_name": s.department.name,
                "limit": _limit(s.limit),
                "deemed_consent_basis": s.deemed_consent_basis,
            }
            for s in version.steps.all()
        ],
        "materials": [
            {
                "key": r.material.key,
                "name": r.material.name,
                "description": r.material.description,
                "satisfied_by": r.material.satisfied_by,
                "form": r.form,
                "form_label": str(MaterialForm(r.form).label),
                "copies": r.copies,
                "required": r.required,
                "waivable": r.waivable,
                "supply_days": r.supply_days,
                "commitment_allowed": r.commitment_allowed,
                "applies_to": r.applies_to,
                "note": r.note,
            }
            for r in version.requirements.all()
        ],
        "source_seed": item.source_seed,
        "source_note": item.source_note,
    }


def _bundle_summary(bundle: Any) -> dict[str, Any]:
    return {
        "code": bundle.code,
        "name": bundle.name,
        "kind": bundle.kind,
        "kind_label": str(BundleKind(bundle.kind).label),
        "topics": [{"code": t.code, "name": t.name} for t in bundle.topics.all()],
        "promised_limit": _limit(bundle.promised_limit),
        "joint_handling": bundle.joint_handling,
    }


@router.get("/bundles", response=list[BundleSummaryOut], auth=None)
def list_bundles(request: HttpRequest) -> list[dict[str, Any]]:
    return [_bundle_summary(b) for b in bundle_list()]


@router.get("/bundles/{code}", response=BundleDetailOut, auth=None)
def get_bundle(request: HttpRequest, code: str, option: str | None = None) -> dict[str, Any]:
    """A bundle (一件事) with its one combined material list (一套材料) and combined limit;
    ``option`` narrows both to one package (套餐)."""
    bundle = bundle_get(code=code)
    items = bundle_items(bundle, option)
    combined = bundle_combined_materials(bundle, option)
    limit = bundle_combined_limit(bundle, option)
    joint = bundle_joint_limit(bundle, option)
    return {
        **_bundle_summary(bundle),
        "option": option,
        "critical_path": _limit(limit.critical_path),
        "joint_limit": _limit(joint),
        "joint_extension": _limit(JOINT_HANDLING_EXTENSION if joint else None),
        "items": [_summary(i) for i in items if i.current_version_id],
        "options": [
            {"code": o.code, "name": o.name, "items": [i.code for i in o.items.all()]}
            for o in bundle.options.all()
        ],
        "dependencies": [
            {"item": d.item.code, "waits_for": d.waits_for.code}
            for d in bundle.dependencies.select_related("item", "waits_for")
        ],
        "materials": [
            {
                "key": m.material.key,
                "name": m.material.name,
                **{k: v for k, v in asdict(m).items() if k not in ("material", "items")},
                "items": [i.code for i in m.items],
            }
            for m in combined
        ],
        "separate_material_count": sum(len(m.items) for m in combined),
        "source_seed": bundle.source_seed,
        "source_note": bundle.source_note,
    }


@router.get("/stats", response=CompressionStatsOut, auth=None)
def compression_stats(request: HttpRequest) -> dict[str, Any]:
    """Compression of promised against statutory limits, per item and overall."""
    stats = catalogue_compression_stats()
    return {
        "item_count": stats.item_count,
        "compared_count": stats.compared_count,
        **{
            name: _ratio(getattr(stats, name))
            for name in (
                "mean_compression",
                "overall_compression",
                "instant_share",
                "zero_visit_share",
                "full_online_share",
                "average_legal_days",
                "average_promised_days",
            )
        },
        "items": [
            {
                "code": i.code,
                "name": i.name,
                "legal_limit": _limit(i.legal),
                "promised_limit": _limit(i.promised),
                "compression": _ratio(i.compression),
            }
            for i in stats.items
        ],
    }


@router.post("/import", response=ImportReportOut)
def import_catalogue(request: HttpRequest, dry_run: bool = False) -> dict[str, Any]:
    """Import a catalogue file (administrators): a multipart upload named ``file`` (.yaml, .yml,
    .json or .xlsx) or a JSON body. On any error nothing changes and the 422 problem lists every
    error with its place."""
    require(request.user, "catalog.manage")
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(
                "请上传目录文件（字段名 file）", errors=[{"path": "file", "message": "必须上传"}]
            )
        document = catalogue_parse(upload.read(), filename=upload.name or "")
    else:
        fmt = "yaml" if "yaml" in (request.content_type or "") else "json"
        document = catalogue_parse(request.body, fmt=fmt)
    report = catalogue_import(document, actor=request.user, dry_run=dry_run)
    return {**asdict(report), "summary": str(report)}


@router.get("/export")
def export_catalogue(request: HttpRequest, format: str = "yaml") -> HttpResponse:
    """The whole catalogue as a file (administrators): yaml, json or xlsx."""
    require(request.user, "catalog.manage")
    content = catalogue_export(format)
    response = HttpResponse(content, content_type=fileformat.CONTENT_TYPES[format])
    response["Content-Disposition"] = f'attachment; filename="catalogue.{format}"'
    return response
