"""Schemas of the catalogue API."""

from __future__ import annotations

from ninja import Schema


class LimitOut(Schema):
    value: int
    unit: str
    label: str  # e.g. "8个工作日", "即办"


class TopicOut(Schema):
    code: str
    name: str


class ItemSummaryOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    department_code: str
    department_name: str
    audience: str
    topics: list[TopicOut]
    legal_limit: LimitOut | None
    promised_limit: LimitOut
    is_instant: bool
    online_depth: str
    max_visits: int


class StepOut(Schema):
    kind: str
    kind_label: str
    department_code: str
    department_name: str
    limit: LimitOut | None


class MaterialOut(Schema):
    key: str
    name: str
    description: str
    satisfied_by: str
    form: str
    form_label: str
    copies: int
    required: bool
    waivable: bool
    supply_days: int | None
    commitment_allowed: bool
    applies_to: str
    note: str


class ResultOut(Schema):
    licence_type: str | None
    paper: bool
    electronic: bool


class DevolutionOut(Schema):
    tier: str
    action: str
    date: str
    note: str


class ItemDetailOut(ItemSummaryOut):
    version: int
    parent_code: str | None
    tiers: list[str]
    devolutions: list[DevolutionOut]
    legal_basis: str
    conditions: str
    compression: float | None  # (legal − promised) / legal
    fee: str
    fee_note: str
    needs_inspection: bool
    deemed_consent_days: int | None
    conditional_on_deficiency: bool
    commitment_approval: bool
    post_verification_days: int | None
    result: ResultOut
    steps: list[StepOut]
    materials: list[MaterialOut]
    source_seed: str
    source_note: str


class CombinedMaterialOut(Schema):
    key: str
    name: str
    form: str
    copies: int
    required: bool
    waivable: bool
    supply_days: int | None
    commitment_allowed: bool
    applies_to: str
    items: list[str]
    notes: list[str]


class BundleOptionOut(Schema):
    code: str
    name: str
    items: list[str]


class DependencyOut(Schema):
    item: str
    waits_for: str


class BundleSummaryOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    topics: list[TopicOut]
    promised_limit: LimitOut | None


class BundleDetailOut(BundleSummaryOut):
    option: str | None
    critical_path: LimitOut | None
    items: list[ItemSummaryOut]
    options: list[BundleOptionOut]
    dependencies: list[DependencyOut]
    materials: list[CombinedMaterialOut]
    separate_material_count: int  # materials the items ask for one by one
    source_seed: str
    source_note: str


class ImportReportOut(Schema):
    dry_run: bool
    summary: str
    topics_created: int
    materials_created: int
    materials_updated: int
    items_created: int
    items_updated: int
    items_unchanged: int
    versions_created: int
    bundles_created: int
    bundles_updated: int
    bundles_unchanged: int
    changes: list[str]


class ItemCompressionOut(Schema):
    code: str
    name: str
    legal_limit: LimitOut | None
    promised_limit: LimitOut
    compression: float | None


class CompressionStatsOut(Schema):
    item_count: int
    compared_count: int
    mean_compression: float | None
    overall_compression: float | None
    instant_share: float | None
    zero_visit_share: float | None
    full_online_share: float | None
    average_legal_days: float | None
    average_promised_days: float | None
    items: list[ItemCompressionOut]
