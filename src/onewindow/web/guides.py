"""The 办事指南 as the pages and the PDF show it: one view model built from the catalogue's
selectors, so the HTML guide and its PDF never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from onewindow.catalog.limits import JOINT_HANDLING_EXTENSION, limit_compression
from onewindow.catalog.models import (
    DATA_SOURCES,
    Bundle,
    BundleOption,
    ItemStep,
    Material,
    MaterialForm,
    OnlineDepth,
    ServiceItem,
    ServiceItemVersion,
    Tier,
)
from onewindow.catalog.selectors import (
    bundle_combined_limit,
    bundle_combined_materials,
    bundle_items,
    bundle_joint_limit,
    material_producer,
    produced_in,
)
from onewindow.clock.workdays import Duration
from onewindow.org.models import ServiceWindow
from onewindow.org.selectors import hall_get_main


@dataclass
class MaterialLine:
    name: str
    description: str
    form: str
    copies: int
    required: bool
    waivable: bool
    supply_days: int | None
    commitment_allowed: bool
    exempt: str  # why it need not be handed in (免提交), or ""
    note: str
    exempt_always: bool = False  # produced by an earlier step of the bundle: never handed in
    items: list[str] = field(default_factory=list)

    @property
    def marks(self) -> list[str]:
        found = []
        if self.waivable:
            found.append(_("容缺（%(days)s个工作日内补交）") % {"days": self.supply_days or "—"})
        if self.commitment_allowed:
            found.append(_("告知承诺"))
        if self.exempt:
            label = _("免提交") if self.exempt_always else _("可免提交")
            found.append(f"{label}：{self.exempt}")
        return found


def exempt_reason(material: Material, producer: ServiceItem | None = None) -> str:
    """Why a material need not be handed in (免证办理), in the words the checklist uses too, or "".

    Produced by an earlier step of the same bundle: never handed in. Satisfied by an e-licence or
    shared data: not handed in when the system finds it for the applicant (the checklist then says
    which), otherwise asked for."""
    if producer is not None:
        return _("由本一件事中“%(item)s”的办理结果提供，无须提交") % {"item": producer.name}
    kind, _sep, name = (material.satisfied_by or "").partition(":")
    if kind == "licence" and name:
        return _("已有电子证照“%(name)s”的，由系统调取，无须提交") % {"name": name}
    if kind == "data" and name:
        return _("可通过%(source)s共享核验的，无须提交") % {"source": DATA_SOURCES.get(name, name)}
    return ""


def percent(value: Any) -> str:
    return f"{float(value) * 100:.1f}%" if value is not None else "—"


def fee_label(fee: Decimal, note: str) -> str:
    text = _("不收费") if not fee else _("%(fee)s 元") % {"fee": f"{fee:f}".rstrip("0").rstrip(".")}
    return f"{text}（{note}）" if note else text


def windows_for(departments: list[Any]) -> list[ServiceWindow]:
    """The main hall's windows that accept these departments' matters (where to go)."""
    main = hall_get_main()
    if main is None:
        return []
    return list(
        main.windows.filter(is_active=True, departments__in=departments).distinct().order_by("number")
    )


@dataclass
class StepLine:
    """One step of the procedure as the applicant reads it."""

    kind: str
    department: str
    limit: str  # "" when the step has no limit of its own
    deemed_consent: str  # "逾期未出具意见视为同意（依据：…）" where silence counts as consent, else ""


def step_line(step: ItemStep) -> StepLine:
    basis = step.deemed_consent_basis.strip()
    return StepLine(
        kind=step.get_kind_display(),
        department=step.department.short_name or step.department.name,
        limit=str(step.limit) if step.limit else "",
        deemed_consent=_("逾期未出具意见视为同意（依据：%(basis)s）") % {"basis": basis} if basis else "",
    )


@dataclass
class ItemGuide:
    item: ServiceItem
    materials: list[MaterialLine]
    legal: str
    promised: str
    compression: str
    fee: str
    online_depth: str
    visits: str
    windows: list[ServiceWindow]
    steps: list[StepLine]
    tiers: str  # where it may be handled: "县（区）、乡镇（街道）"
    collect: str  # where it may be handed in for the county department (代收代办), or ""
    deemed_consent: str  # the version's 缺席默认 for opinions asked during review, or ""


def visits_label(n: int) -> str:
    return _("零跑动") if n == 0 else _("最多跑%(n)s次") % {"n": n}


def tiers_label(item: ServiceItem) -> str:
    return "、".join(str(Tier(t).label) for t in item.tiers)


def collect_label(item: ServiceItem) -> str:
    """Where the item may be handed in although it is not devolved there (代收代办): the town and
    village places that do not handle it themselves, which pass it to the county department."""
    if not item.collect_for_higher_tier:
        return ""
    where = {Tier.TOWN: _("乡镇（街道）便民服务中心"), Tier.VILLAGE: _("村（社区）代办点")}
    places = [place for tier, place in where.items() if tier not in item.tiers]
    if not places:
        return ""
    return _("%(places)s可代收申请材料，转%(department)s受理办理") % {
        "places": "、".join(places),
        "department": item.department.name,
    }


def deemed_consent_label(version: ServiceItemVersion) -> str:
    """The version's 缺席默认 for the opinions asked during review, in words, or ""."""
    if not version.deemed_consent_days or not version.deemed_consent_basis.strip():
        return ""
    return _("征求意见的部门%(days)s个工作日内未出具意见的，视为同意（依据：%(basis)s）") % {
        "days": version.deemed_consent_days,
        "basis": version.deemed_consent_basis.strip(),
    }


def item_guide(item: ServiceItem) -> ItemGuide:
    version = item.current_version
    assert version is not None
    lines = [
        MaterialLine(
            name=r.material.name,
            description=r.material.description,
            form=r.get_form_display(),
            copies=r.copies,
            required=r.required,
            waivable=r.waivable,
            supply_days=r.supply_days,
            commitment_allowed=r.commitment_allowed,
            exempt=exempt_reason(r.material),
            note=" ".join(
                x for x in (r.note, r.get_applies_to_display() if r.applies_to != "all" else "") if x
            ),
        )
        for r in version.requirements.all()
    ]
    legal, promised = version.legal_limit, version.promised_limit
    return ItemGuide(
        item=item,
        materials=lines,
        legal=str(legal) if legal else _("无法定时限"),
        promised=str(promised),
        compression=percent(limit_compression(legal, promised)),
        fee=fee_label(version.fee, version.fee_note),
        online_depth=str(OnlineDepth(version.online_depth).label),
        visits=visits_label(version.max_visits),
        windows=windows_for([item.department]),
        steps=[step_line(s) for s in version.steps.all()],
        tiers=tiers_label(item),
        collect=collect_label(item),
        deemed_consent=deemed_consent_label(version),
    )


@dataclass
class BundleGuide:
    bundle: Bundle
    option: BundleOption | None
    options: list[BundleOption]
    items: list[ServiceItem]
    materials: list[MaterialLine]
    material_total: int  # materials the items would ask for separately
    promised: str
    critical_path: str
    legal_total: str
    windows: list[ServiceWindow]
    joint_limit: str  # 联合办理's statutory limit ("45个工作日"), or "" when not handled jointly
    joint_note: str  # what joint handling means for the applicant, or ""


def joint_note(limit: Duration) -> str:
    return _(
        "联合办理（《中华人民共和国行政许可法》第二十六条）：各部门并联办理，办理时间不超过%(limit)s；"
        "经本级人民政府负责人批准，可以延长%(extension)s，并将延长期限的理由告知申请人（第四十二条第二款）"
    ) % {"limit": limit, "extension": JOINT_HANDLING_EXTENSION}


def bundle_guide(bundle: Bundle, option: BundleOption | None) -> BundleGuide:
    items = bundle_items(bundle, option)
    combined = bundle_combined_materials(bundle, option)
    limit = bundle_combined_limit(bundle, option)
    separately = sum(i.current_version.requirements.count() for i in items if i.current_version)
    legal_days = [
        i.current_version.legal_limit
        for i in items
        if i.current_version and i.current_version.legal_limit is not None
    ]
    same_unit = {d.unit for d in legal_days}
    legal_total = (
        _("%(n)s个工作日（各事项法定时限之和）") % {"n": sum(d.value for d in legal_days)}
        if legal_days and same_unit == {legal_days[0].unit} and legal_days[0].unit == "workday"
        else "—"
    )
    joint = bundle_joint_limit(bundle, option)
    produced = produced_in(items)
    return BundleGuide(
        bundle=bundle,
        option=option,
        options=list(bundle.options.all()),
        items=items,
        materials=[
            MaterialLine(
                name=c.material.name,
                description=c.material.description,
                form=str(MaterialForm(c.form).label),
                copies=c.copies,
                required=c.required,
                waivable=c.waivable,
                supply_days=c.supply_days,
                commitment_allowed=c.commitment_allowed,
                exempt=exempt_reason(c.material, material_producer(c.material, produced)),
                note="；".join(c.notes),
                items=[i.short_name or i.name for i in c.items],
                exempt_always=material_producer(c.material, produced) is not None,
            )
            for c in combined
        ],
        material_total=separately,
        promised=str(limit.promised) if limit.promised else "—",
        critical_path=str(limit.critical_path) if limit.critical_path else "—",
        legal_total=legal_total,
        windows=windows_for([i.department for i in items]),
        joint_limit=str(joint) if joint else "",
        joint_note=joint_note(joint) if joint else "",
    )
