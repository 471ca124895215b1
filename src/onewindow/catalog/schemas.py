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
    # 缺席默认: the basis on which the department's silence past ``limit`` counts as consent;
    # "" where silence is no consent (the department must answer).
    deemed_consent_basis: str


class ItemMaterialOut(Schema):
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


class ItemResultOut(Schema):
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
    collect_for_higher_tier: bool  # 代收代办: town and village windows may collect it for the county
    devolutions: list[DevolutionOut]
    legal_basis: str
    conditions: str
    compression: float | None  # (legal − promised) / legal
    fee: str
    fee_note: str
    needs_inspection: bool
    deemed_consent_days: int | None
    deemed_consent_basis: str
    conditional_on_deficiency: bool
    commitment_approval: bool
    post_verification_days: int | None
    result: ItemResultOut
    steps: list[StepOut]
    materials: list[ItemMaterialOut]
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
    joint_handling: bool  # 联合办理 (行政许可法 第二十六条)


class BundleDetailOut(BundleSummaryOut):
    option: str | None
    critical_path: LimitOut | None
    # 45 working days when handled jointly and the chosen items belong to two or more departments
    # (行政许可法 第四十二条第二款; extendable by ``joint_extension`` with the 本级人民政府负责人's approval)
    joint_limit: LimitOut | None
    joint_extension: LimitOut | None
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
