"""Intake: the application, its checklist, submission, correction, refusal and acceptance
(行政许可法 第三十二条)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from onewindow.cases.models import (
    Application,
    ApplicationMaterial,
    ApplicationStatus,
    Case,
    CaseStatus,
    Channel,
    CorrectionNotice,
    DeliveryMethod,
    MaterialState,
    TimerKind,
)
from onewindow.cases.selectors import (
    applicant_commitment_bar,
    missing_materials,
    online_token_holds,
    version_material_keys,
)
from onewindow.cases.services.core import (
    DEFAULT_REMEDIES,
    _application_number,
    _cancel_timer,
    _draft_reference,
    _event,
    _move_application,
    _timer,
)
from onewindow.cases.services.deadlines import (
    _due,
    _store_deadlines,
    _store_joint_deadlines,
    application_cal,
    application_deemed_acceptance_at,
)
from onewindow.cases.services.materials import _material
from onewindow.catalog.models import (
    AppliesTo,
    Bundle,
    BundleOption,
    Registration,
    ServiceItem,
    StepKind,
)
from onewindow.catalog.selectors import bundle_items, material_producer, merge_requirements, produced_in
from onewindow.clock.workdays import (
    Duration,
    Unit,
)
from onewindow.core.errors import GuardFailed, InvalidInput
from onewindow.core.timeutil import now
from onewindow.enterprises.forms import registration_validate
from onewindow.licences.sources import materials_satisfied
from onewindow.org.authz import require
from onewindow.org.models import Applicant, ApplicantKind, Hall, Region, RegionLevel, ServiceWindow

# ---- intake --------------------------------------------------------------------------------------


def _chosen_items(
    item: ServiceItem | None, bundle: Bundle | None, option: BundleOption | None
) -> list[ServiceItem]:
    if bundle is not None:
        if option is not None and option.bundle_id != bundle.pk:
            raise InvalidInput(f"套餐“{option.name}”不属于“{bundle.name}”")
        items = bundle_items(bundle, option)
        if not items:
            raise InvalidInput(f"“{bundle.name}”没有可办理的事项")
        return items
    assert item is not None
    return [item]


def _audience(applicant: Applicant) -> str:
    return AppliesTo.PERSON if applicant.kind == ApplicantKind.PERSON else AppliesTo.ENTITY


def _checklist(items: list[ServiceItem], applicant: Applicant) -> list[dict[str, Any]]:
    """One row per material across all items (一套材料), for this kind of applicant."""
    audience = _audience(applicant)
    needed: dict[int, list] = {}
    for item in items:
        for requirement in item.current_version.requirements.select_related("material").all():
            if requirement.applies_to in (AppliesTo.ALL, audience):
                needed.setdefault(requirement.material_id, []).append(requirement)
    rows = []
    for requirements in needed.values():
        merged = merge_requirements(requirements)
        rows.append({"material": requirements[0].material, **merged})
    return rows


# The later steps of a start-up bundle that need sections of the registration form (企业开办: the tax
# registration for the first invoices, the staff count for the social-insurance registration).
FORM_SECTIONS_BY_DEPARTMENT = {"SW": "tax", "RS": "social"}


def _registration_form(
    items: list[ServiceItem], form_data: dict[str, Any], region: Region, applicant: Applicant
) -> dict[str, Any]:
    """An item that registers an entity (设立、个体工商户、变更、注销登记) carries its registration form in
    ``form_data["registration"]`` (``enterprises.forms``): checked here, field by field, and kept
    cleaned (the proposed name, type, capital, scope, address or hosting agreement, legal
    representative, investors, contact, and the tax and social-insurance sections the bundle's
    later steps need). A change or cancellation is applied for by the registered entity itself
    (《市场主体登记管理条例》第二十四条、第三十一条): its credit code is the applicant's. Raises
    ``InvalidInput`` with every problem at once."""
    registering = [i for i in items if i.current_version.registration]
    if not registering:
        return form_data
    if len(registering) > 1:
        raise InvalidInput("一份申请只能办理一项市场主体登记")
    kind = registering[0].current_version.registration
    data = form_data.get("registration")
    if kind in (Registration.CHANGE, Registration.CANCEL) and data in (None, {}):
        data = {}  # the entity's own code is filled in below; the form's check names what is missing
    elif not isinstance(data, dict) or not data:
        raise InvalidInput(
            f"“{registering[0].name}”须填写登记信息（名称、类型、住所、经营范围等）",
            errors={"registration": ["必填"]},
        )
    if kind in (Registration.CHANGE, Registration.CANCEL):
        data = {**data, "uscc": data.get("uscc") or applicant.id_number}
        if data["uscc"] != applicant.id_number:
            message = "变更、注销登记须由该市场主体申请：统一社会信用代码须与申请人一致"
            raise InvalidInput(message, errors={"registration.uscc": [message]})
    needs = {
        FORM_SECTIONS_BY_DEPARTMENT[i.department.code]
        for i in items
        if i.department.code in FORM_SECTIONS_BY_DEPARTMENT
    }
    cleaned = registration_validate(kind, data, region=region, require=sorted(needs))
    return {**form_data, "registration": cleaned, "registration_kind": kind}


def _intake_tier(items: list[ServiceItem], region: Region) -> bool:
    """Check that the window's tier may take in every item; True when it collects them for the
    county department (代收代办). Raises ``GuardFailed`` with the reason otherwise."""
    level = region.level
    if level not in (RegionLevel.TOWN, RegionLevel.VILLAGE):
        for item in items:
            if not item.tier_county and not item.collect_for_higher_tier:
                raise GuardFailed(
                    f"“{item.name}”由乡镇（街道）或村（社区）办理，请到事项下放的便民服务中心申请"
                )
        return False
    handles = {RegionLevel.TOWN: "tier_town", RegionLevel.VILLAGE: "tier_village"}[level]
    collected = False
    for item in items:
        if getattr(item, handles):
            continue
        if not item.collect_for_higher_tier:
            tier = "乡镇（街道）" if level == RegionLevel.TOWN else "村（社区）"
            raise GuardFailed(
                f"“{item.name}”未下放至{tier}，也不可代收代办，本窗口不能受理；请到区（县）政务服务中心办理"
            )
        collected = True
    return collected


@transaction.atomic
def application_create(
    *,
    actor: Any,
    applicant: Applicant,
    channel: str,
    region: Region,
    item: ServiceItem | None = None,
    bundle: Bundle | None = None,
    bundle_option: BundleOption | None = None,
    hall: Hall | None = None,
    window: ServiceWindow | None = None,
    form_data: dict | None = None,
    delivery_method: str = DeliveryMethod.WINDOW,
    delivery_address: str = "",
    online_applicant: bool = False,
) -> Application:
    """Start an application (draft) with its material checklist generated from the catalogue.

    Exactly one of ``item`` and ``bundle`` is given. A town or village window takes in only items
    devolved to its tier, and collects the others only where the item allows 代收代办 (the case
    then goes to the county department); anything else raises ``GuardFailed``. Materials that an
    existing licence or shared data satisfy are marked so (免证办理), and so are those that an
    earlier item of the same bundle issues (the business licence for the seal). An applicant with
    an unrepaired false-commitment record gets no 告知承诺 option.

    ``online_applicant=True`` is the citizen's own 网上申请: allowed only with ``actor=None`` and
    ``channel=online``; no staff permission is checked and a random ``access_token`` is stored
    (the applicant's proof of possession for the later steps).
    """
    if (item is None) == (bundle is None):
        raise InvalidInput("请选择一个事项或一个“一件事”（二者选一）")
    if channel not in Channel.values:
        raise InvalidInput(f"申请渠道“{channel}”无效")
    if delivery_method not in DeliveryMethod.values:
        raise InvalidInput(f"送达方式“{delivery_method}”无效")
    if delivery_method == DeliveryMethod.MAIL and not delivery_address.strip():
        raise InvalidInput("选择免费邮寄时须填写邮寄地址", errors={"delivery_address": ["必填"]})
    if online_applicant:
        if actor is not None or channel != Channel.ONLINE:
            raise InvalidInput("网上申请只能由申请人本人通过网上渠道提交")
    else:
        require(actor, "application.submit_on_behalf", region=region)
    items = _chosen_items(item, bundle, bundle_option)
    for chosen in items:
        if chosen.current_version is None:
            raise InvalidInput(f"事项“{chosen.name}”尚未发布办事指南，暂不能申请")
    collected = _intake_tier(items, region)
    form_data = _registration_form(items, form_data or {}, region, applicant)
    at = now()
    application = Application.objects.create(
        draft_ref=_draft_reference(region, at),
        applicant=applicant,
        agent=actor if getattr(actor, "pk", None) else None,
        channel=channel,
        item=item,
        bundle=bundle,
        bundle_option=bundle_option,
        region=region,
        hall=hall,
        window=window,
        form_data=form_data,
        status=ApplicationStatus.DRAFT,
        delivery_method=delivery_method,
        delivery_address=delivery_address.strip(),
        access_token=secrets.token_urlsafe(32) if online_applicant else "",
        collected_on_behalf=collected,
    )
    rows = _checklist(items, applicant)
    barred = applicant_commitment_bar(applicant) is not None
    ApplicationMaterial.objects.bulk_create(
        ApplicationMaterial(
            application=application,
            material=row["material"],
            required=row["required"],
            waivable=row["waivable"],
            supply_days=row["supply_days"],
            commitment_allowed=row["commitment_allowed"] and not barred,
        )
        for row in rows
    )
    produced = produced_in(items)
    in_bundle = {
        row["material"].key: producer
        for row in rows
        if (producer := material_producer(row["material"], produced)) is not None
    }
    for key, producer in in_bundle.items():
        ApplicationMaterial.objects.filter(application=application, material__key=key).update(
            state=MaterialState.SATISFIED,
            evidence=f"由本次申请“{producer.name}”的办理结果提供"[:200],
        )
    satisfied = materials_satisfied(
        applicant=applicant,
        requirements=application.materials.select_related("material").exclude(material__key__in=in_bundle),
    )
    for key, evidence in satisfied.items():
        ApplicationMaterial.objects.filter(application=application, material__key=key).update(
            state=MaterialState.SATISFIED, evidence=(evidence.summary or evidence.reference)[:200]
        )
    _event(
        application=application,
        case=None,
        action="create",
        old="",
        new=ApplicationStatus.DRAFT,
        actor=actor,
        data={
            "title": application.title,
            "materials": len(rows),
            "satisfied": sorted([*satisfied, *in_bundle]),
            **({"collected_on_behalf": True} if collected else {}),
        },
    )
    return application


def _arm_deemed_acceptance(application: Application) -> None:
    at = application_deemed_acceptance_at(application)
    if at is not None:
        _timer(TimerKind.DEEMED_ACCEPTANCE, application.pk, at)


@transaction.atomic
def application_submit(*, actor: Any, application: Application, token: str | None = None) -> Application:
    """Hand the application in: the receipt time starts the five-working-day correction window
    (行政许可法 第三十二条); a timer announces the moment it is accepted by law, which every action
    computes for itself. An online applicant passes ``actor=None`` and the application's ``token``."""
    received = now()
    online = online_token_holds(actor, application, token)
    application = _move_application(application, "submit", actor, system=online, received_at=received)
    _arm_deemed_acceptance(application)
    return application


def _refuse_after_art32(application: Application, what: str) -> None:
    """第三十二条: once five working days have passed since receipt without a correction notice, the
    application *is* accepted as of its receipt; a notice or a refusal is no longer possible,
    whether or not the timer has fired."""
    if application.status != ApplicationStatus.SUBMITTED:
        return
    deemed_at = application_deemed_acceptance_at(application)
    if deemed_at is None or now() < deemed_at:
        return
    received = timezone.localdate(application.received_at)
    last_day = timezone.localdate(deemed_at - dt.timedelta(microseconds=1))
    raise GuardFailed(
        f"本申请于{received:%Y年%m月%d日}收件，五个工作日内（至{last_day:%Y年%m月%d日}）未告知补正，"
        f"依行政许可法第三十二条自收件之日起即为受理，不能再{what}；请办理受理，受理时间记为收件时间",
        deemed_acceptance_at=deemed_at,
    )


def _correction_scope(application: Application, items: list[dict[str, str]]) -> None:
    """一次性告知 across rounds: after a resubmission, a further notice may only concern materials
    resubmitted since the previous notice, or materials already named in an earlier notice and
    still missing; anything else needs a new fact stated as its reason (``new_fact``)."""
    earlier = list(application.corrections.order_by("issued_at", "pk"))
    if not earlier:
        return
    last = earlier[-1]
    named = {i.get("material") for notice in earlier for i in notice.items if i.get("material")}
    resubmitted = set(
        application.materials.filter(provided_at__gt=last.issued_at).values_list("material__key", flat=True)
    )
    outside = [
        i["name"]
        for i in items
        if not i.get("new_fact") and not (i.get("material") and i["material"] in named | resubmitted)
    ]
    if outside:
        raise GuardFailed(
            f"已一次性告知过补正内容；再次告知只能针对重新提交的材料：{'、'.join(outside)}"
            "不在此范围。确因新情况需要补正的，请逐项写明新情况",
            outside=outside,
        )


@transaction.atomic
def application_request_correction(
    *, actor: Any, application: Application, extra: Iterable[dict[str, str]] = (), note: str = ""
) -> CorrectionNotice:
    """一次性告知: one notice listing every missing material, plus any other problems found.

    Each extra entry is ``{material, reason[, new_fact]}``. Raises ``GuardFailed`` if nothing is
    missing and no other problem is given, once the 第三十二条 window has closed, and (after a
    resubmission) for anything outside the resubmitted materials without a stated new fact.
    """
    require(actor, "application.request_correction", region=application.region)
    _refuse_after_art32(application, "告知补正")
    items = [
        {"material": m.material.key, "name": m.material.name, "reason": "未提交"}
        for m in missing_materials(application)
    ]
    for entry in extra:
        reason = str(entry.get("reason", "")).strip()
        key = str(entry.get("material", "")).strip()
        new_fact = str(entry.get("new_fact", "")).strip()
        if not reason:
            raise InvalidInput("每项补正内容都须写明原因", errors={"extra": ["reason 必填"]})
        name = _material(application, key).material.name if key else "其他"
        row = {
            "material": key,
            "name": name,
            "reason": reason,
            **({"new_fact": new_fact} if new_fact else {}),
        }
        items = [i for i in items if i["material"] != key or not key] + [row]
    if not items:
        raise GuardFailed("材料已齐全，无需补正；请直接受理")
    _correction_scope(application, items)
    application = _move_application(
        application, "request_correction", actor, note=note, data={"items": items}
    )
    notice = CorrectionNotice.objects.create(
        application=application, items=items, note=note, issued_at=now(), issued_by=actor
    )
    _cancel_timer(TimerKind.DEEMED_ACCEPTANCE, application.pk)
    return notice


@transaction.atomic
def application_resubmit(*, actor: Any, application: Application, token: str | None = None) -> Application:
    """The applicant returns the corrected materials to the same application (online: ``actor=None``
    and the application's ``token``): a new receipt, with its own five-working-day window. Refused
    when the notice named only materials and none of them was provided or replaced since."""
    received = now()
    online = online_token_holds(actor, application, token)
    notice = application.corrections.filter(resubmitted_at__isnull=True).order_by("-issued_at").first()
    named = {i.get("material") for i in notice.items} if notice is not None else set()
    if (
        notice is not None
        and "" not in named
        and None not in named
        and not application.materials.filter(
            material__key__in=named, provided_at__gt=notice.issued_at
        ).exists()
    ):
        raise GuardFailed("补正告知书所列材料尚未提交或更换；请先按补正告知书补齐材料，再重新提交")
    application = _move_application(application, "resubmit", actor, system=online, received_at=received)
    CorrectionNotice.objects.filter(application=application, resubmitted_at__isnull=True).update(
        resubmitted_at=received
    )
    _arm_deemed_acceptance(application)
    return application


@transaction.atomic
def application_refuse(
    *, actor: Any, application: Application, reason: str, remedies: str = ""
) -> Application:
    """不予受理: the decision states its reason and the applicant's remedies. Not once the
    application counts as accepted (第三十二条)."""
    require(actor, "application.refuse", region=application.region)
    if not reason.strip():
        raise InvalidInput("不予受理须说明理由", errors={"reason": ["必填"]})
    _refuse_after_art32(application, "作出不予受理决定")
    application = _move_application(
        application,
        "refuse",
        actor,
        note=reason.strip(),
        refusal_reason=reason.strip(),
        refusal_remedies=(remedies.strip() or DEFAULT_REMEDIES),
    )
    _cancel_timer(TimerKind.DEEMED_ACCEPTANCE, application.pk)
    return application


def _accept_guards(application: Application) -> None:
    missing = missing_materials(application)
    if missing:
        names = "、".join(m.material.name for m in missing)
        raise GuardFailed(f"以下必要材料尚未提交：{names}。请一次性告知补正，或对可容缺材料选择容缺受理")
    reason = applicant_commitment_bar(application.applicant)
    if reason and application.materials.filter(state=MaterialState.COMMITTED).exists():
        raise GuardFailed(f"{reason}；请撤回承诺并提交相应材料")


def _open_cases(application: Application, actor: Any, accepted_at: dt.datetime) -> list[Case]:
    """One case per item. A case that waits for another case's result (a bundle dependency, or a
    material the other case issues) starts its clock when that result is issued; a waived (容缺)
    material holds only the cases that need it."""
    items = _chosen_items(application.item, application.bundle, application.bundle_option)
    states = dict(application.materials.values_list("material__key", "state"))
    waived = {key for key, state in states.items() if state == MaterialState.WAIVED}
    committed = {key for key, state in states.items() if state == MaterialState.COMMITTED}
    produced = produced_in(items)
    waits: dict[int, set[int]] = {item.pk: set() for item in items}
    if application.bundle_id:
        for dep in application.bundle.dependencies.all():
            if dep.item_id in waits and dep.waits_for_id in waits:
                waits[dep.item_id].add(dep.waits_for_id)
    needs: dict[int, set[str]] = {}
    for item in items:
        version = item.current_version
        needs[item.pk] = version_material_keys(version, application.applicant)
        for requirement in version.requirements.select_related("material"):
            producer = material_producer(requirement.material, produced)
            if producer is not None and producer.pk != item.pk and requirement.material.key in needs[item.pk]:
                waits[item.pk].add(producer.pk)
    cases = []
    for index, item in enumerate(items, start=1):
        version = item.current_version
        first_step = version.steps.exclude(kind=StepKind.ACCEPT).order_by("order").first()
        # 前台综合受理、后台分类办理: after acceptance the case waits in the queue of its
        # responsible department; other departments' review steps become joint-review opinions.
        step_department = item.department
        case = Case.objects.create(
            number=f"{application.number}-{index:02d}",
            application=application,
            item_version=version,
            department=item.department,
            current_step=first_step.kind if first_step else StepKind.DECIDE,
            step_department=step_department,
            status=CaseStatus.ACCEPTED,
            accepted_at=accepted_at,
            clock_started_at=None if waits[item.pk] else accepted_at,
            deficient=bool(waived & needs[item.pk]),
            commitment=bool(committed & needs[item.pk]),
        )
        _store_deadlines(case)
        _event(
            application=application,
            case=case,
            action="open",
            old="",
            new=CaseStatus.ACCEPTED,
            actor=actor,
            data={
                "item": item.code,
                "version": version.number,
                "department": step_department.short_name,
                **({"clock": "waits"} if waits[item.pk] else {}),
            },
        )
        cases.append(case)
    by_item = {c.item_version.item_id: c for c in cases}
    for item_id, prerequisites in waits.items():
        for prerequisite in prerequisites:
            by_item[item_id].waits_for.add(by_item[prerequisite])
    return cases


def _accept(
    application: Application,
    actor: Any,
    action: str,
    accepted_at: dt.datetime,
    *,
    system: bool,
    deemed: bool,
) -> Application:
    number = _application_number(application.region, accepted_at)
    application = _move_application(
        application,
        action,
        actor,
        system=system,
        number=number,
        accepted_at=accepted_at,
        accepted_by=actor if getattr(actor, "pk", None) else None,
        deemed_accepted=deemed,
        data={"deemed": True, "basis": "行政许可法第三十二条"} if deemed else None,
    )
    _cancel_timer(TimerKind.DEEMED_ACCEPTANCE, application.pk)
    _open_cases(application, actor, accepted_at)
    _store_joint_deadlines(application)
    waived = list(application.materials.filter(state=MaterialState.WAIVED))
    if waived:
        cal = application_cal(application)
        days = min(m.supply_days or 5 for m in waived)
        due, _p = _due(accepted_at, Duration(days, Unit.WORKDAY), cal)
        ApplicationMaterial.objects.filter(pk__in=[m.pk for m in waived]).update(supply_due_at=due)
        _timer(TimerKind.SUPPLY_DEADLINE, application.pk, due)
        if days > 1:
            reminder, _p = _due(accepted_at, Duration(days - 1, Unit.WORKDAY), cal)
            _timer(TimerKind.SUPPLY_REMINDER, application.pk, reminder)
    return application


@transaction.atomic
def application_accept(*, actor: Any, application: Application) -> Application:
    """受理: every required material is provided, waived (容缺) or replaced by a commitment
    (告知承诺) or shared data; the application gets its number and one case per item, each
    bound to the item's current version with its promised and statutory deadlines.

    Once five working days have passed since receipt without a correction notice, the application
    is accepted by law as of its receipt (第三十二条): a late acceptance is dated to the receipt,
    marked ``deemed_accepted``, and its deadlines count from there, whatever the timer did.
    """
    require(actor, "application.accept", region=application.region)
    if application.status == ApplicationStatus.SUBMITTED:
        deemed_at = application_deemed_acceptance_at(application)
        if deemed_at is not None and now() >= deemed_at:
            return _accept(application, actor, "accept", application.received_at, system=False, deemed=True)
    _accept_guards(application)
    return _accept(application, actor, "accept", now(), system=False, deemed=False)


@transaction.atomic
def application_deem_accept(*, application: Application) -> Application:
    """Timer: no correction notice within five working days → accepted as of the receipt day."""
    return _accept(
        application, None, "deem_accept", application.received_at or now(), system=True, deemed=True
    )
