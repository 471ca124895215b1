"""Intake: the application, its checklist, submission, correction, refusal and acceptance
(行政许可法 第三十二条)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction

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
from onewindow.cases.selectors import missing_materials, online_token_holds
from onewindow.cases.services.core import (
    DEFAULT_REMEDIES,
    GuardFailed,
    _application_number,
    _cancel_timer,
    _draft_reference,
    _event,
    _move_application,
    _timer,
)
from onewindow.cases.services.deadlines import _calendar_for, _due, _store_deadlines
from onewindow.cases.services.materials import _material
from onewindow.catalog.models import AppliesTo, Bundle, BundleOption, ServiceItem, StepKind
from onewindow.catalog.selectors import bundle_items, merge_requirements
from onewindow.clock.selectors import work_calendar
from onewindow.clock.workdays import (
    Duration,
    Unit,
)
from onewindow.core.errors import InvalidInput
from onewindow.core.timeutil import now
from onewindow.licences.sources import materials_satisfied
from onewindow.org.authz import require
from onewindow.org.models import Applicant, ApplicantKind, Hall, Region, ServiceWindow

# 行政许可法 第三十二条: incomplete materials must be listed in one notice at once or within five
# days; if none is given in time, the application counts as accepted on the day it was received.
CORRECTION_NOTICE_LIMIT = Duration(5, Unit.WORKDAY)

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


def _checklist(items: list[ServiceItem], applicant: Applicant) -> list[dict[str, Any]]:
    """One row per material across all items (一套材料), for this kind of applicant."""
    audience = AppliesTo.PERSON if applicant.kind == ApplicantKind.PERSON else AppliesTo.ENTITY
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

    Exactly one of ``item`` and ``bundle`` is given; an item must be handled at the region's tier.
    Materials that an existing licence or shared data satisfy are marked so (免证办理).

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
        form_data=form_data or {},
        status=ApplicationStatus.DRAFT,
        delivery_method=delivery_method,
        delivery_address=delivery_address.strip(),
        access_token=secrets.token_urlsafe(32) if online_applicant else "",
    )
    rows = _checklist(items, applicant)
    ApplicationMaterial.objects.bulk_create(
        ApplicationMaterial(
            application=application,
            material=row["material"],
            required=row["required"],
            waivable=row["waivable"],
            supply_days=row["supply_days"],
            commitment_allowed=row["commitment_allowed"],
        )
        for row in rows
    )
    satisfied = materials_satisfied(
        applicant=applicant, requirements=application.materials.select_related("material")
    )
    for key, evidence in satisfied.items():
        ApplicationMaterial.objects.filter(application=application, material__key=key).update(
            state=MaterialState.SATISFIED, evidence=(evidence.reference or evidence.summary)[:200]
        )
    _event(
        application=application,
        case=None,
        action="create",
        old="",
        new=ApplicationStatus.DRAFT,
        actor=actor,
        data={"title": application.title, "materials": len(rows), "satisfied": sorted(satisfied)},
    )
    return application


@transaction.atomic
def application_submit(*, actor: Any, application: Application, token: str | None = None) -> Application:
    """Hand the application in: the receipt time starts the five-working-day correction window
    (行政许可法 第三十二条); a timer accepts it as of that day if no notice is issued in time.
    An online applicant passes ``actor=None`` and the application's ``token``."""
    received = now()
    online = online_token_holds(actor, application, token)
    application = _move_application(application, "submit", actor, system=online, received_at=received)
    cal = work_calendar(_calendar_for(application))
    due, _provisional_flag = _due(received, CORRECTION_NOTICE_LIMIT, cal, [], [])
    _timer(TimerKind.DEEMED_ACCEPTANCE, application.pk, due)
    return application


@transaction.atomic
def application_request_correction(
    *, actor: Any, application: Application, extra: Iterable[dict[str, str]] = (), note: str = ""
) -> CorrectionNotice:
    """一次性告知: one notice listing every missing material, plus any other problems found.

    Raises ``GuardFailed`` if nothing is missing and no other problem is given.
    """
    items = [
        {"material": m.material.key, "name": m.material.name, "reason": "未提交"}
        for m in missing_materials(application)
    ]
    for entry in extra:
        reason = str(entry.get("reason", "")).strip()
        key = str(entry.get("material", "")).strip()
        if not reason:
            raise InvalidInput("每项补正内容都须写明原因", errors={"extra": ["reason 必填"]})
        name = _material(application, key).material.name if key else "其他"
        items = [i for i in items if i["material"] != key or not key] + [
            {"material": key, "name": name, "reason": reason}
        ]
    if not items:
        raise GuardFailed("材料已齐全，无需补正；请直接受理")
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
    and the application's ``token``)."""
    received = now()
    online = online_token_holds(actor, application, token)
    application = _move_application(application, "resubmit", actor, system=online, received_at=received)
    CorrectionNotice.objects.filter(application=application, resubmitted_at__isnull=True).update(
        resubmitted_at=received
    )
    cal = work_calendar(_calendar_for(application))
    due, _p = _due(received, CORRECTION_NOTICE_LIMIT, cal, [], [])
    _timer(TimerKind.DEEMED_ACCEPTANCE, application.pk, due)
    return application


@transaction.atomic
def application_refuse(
    *, actor: Any, application: Application, reason: str, remedies: str = ""
) -> Application:
    """不予受理: the decision states its reason and the applicant's remedies."""
    if not reason.strip():
        raise InvalidInput("不予受理须说明理由", errors={"reason": ["必填"]})
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


def _open_cases(application: Application, actor: Any, accepted_at: dt.datetime) -> list[Case]:
    items = _chosen_items(application.item, application.bundle, application.bundle_option)
    waived = application.materials.filter(state=MaterialState.WAIVED).exists()
    committed = application.materials.filter(state=MaterialState.COMMITTED).exists()
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
            deficient=waived,
            commitment=committed,
        )
        _store_deadlines(case)
        _event(
            application=application,
            case=case,
            action="open",
            old="",
            new=CaseStatus.ACCEPTED,
            actor=actor,
            data={"item": item.code, "version": version.number, "department": step_department.short_name},
        )
        cases.append(case)
    if application.bundle_id:
        by_item = {c.item_version.item_id: c for c in cases}
        for dep in application.bundle.dependencies.all():
            if dep.item_id in by_item and dep.waits_for_id in by_item:
                by_item[dep.item_id].waits_for.add(by_item[dep.waits_for_id])
    return cases


def _accept(
    application: Application, actor: Any, action: str, accepted_at: dt.datetime, system: bool
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
        deemed_accepted=(action == "deem_accept"),
    )
    _cancel_timer(TimerKind.DEEMED_ACCEPTANCE, application.pk)
    _open_cases(application, actor, accepted_at)
    cal = work_calendar(_calendar_for(application))
    if application.bundle_id and application.bundle.promised_limit is not None:
        joint, _p = _due(accepted_at, application.bundle.promised_limit, cal, [], [])
        Application.objects.filter(pk=application.pk).update(joint_due_at=joint)
        application.joint_due_at = joint
    waived = list(application.materials.filter(state=MaterialState.WAIVED))
    if waived:
        days = min(m.supply_days or 5 for m in waived)
        due, _p = _due(accepted_at, Duration(days, Unit.WORKDAY), cal, [], [])
        ApplicationMaterial.objects.filter(pk__in=[m.pk for m in waived]).update(supply_due_at=due)
        _timer(TimerKind.SUPPLY_DEADLINE, application.pk, due)
        if days > 1:
            reminder, _p = _due(accepted_at, Duration(days - 1, Unit.WORKDAY), cal, [], [])
            _timer(TimerKind.SUPPLY_REMINDER, application.pk, reminder)
    return application


@transaction.atomic
def application_accept(*, actor: Any, application: Application) -> Application:
    """受理: every required material is provided, waived (容缺) or replaced by a commitment
    (告知承诺) or shared data; the application gets its number and one case per item, each
    bound to the item's current version with its promised and statutory deadlines."""
    _accept_guards(application)
    return _accept(application, actor, "accept", now(), system=False)


@transaction.atomic
def application_deem_accept(*, application: Application) -> Application:
    """Timer: no correction notice within five working days → accepted as of the receipt day."""
    return _accept(application, None, "deem_accept", application.received_at or now(), system=True)
