"""Writes and transitions for applications and cases.

Every public function here is one transaction that leaves ``CaseEvent`` rows and audit events;
statuses move only through ``_move_application``/``_move_case`` and the table in
``cases.transitions``. Guards raise ``DomainError`` subclasses whose messages say why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from onewindow.audit.services import audit_record
from onewindow.cases.models import (
    Application,
    ApplicationMaterial,
    ApplicationStatus,
    Case,
    CaseEvent,
    CaseStatus,
    Channel,
    CorrectionNotice,
    CreditRecord,
    Delivery,
    DeliveryMethod,
    Extension,
    ExtensionStatus,
    Inspection,
    InspectionFinding,
    MaterialState,
    NumberSequence,
    Opinion,
    OpinionVerdict,
    PostVerification,
    Suspension,
    SuspensionReason,
    Timer,
    TimerKind,
    VerificationStatus,
)
from onewindow.cases.transitions import (
    APPLICATION_TRANSITIONS,
    CASE_TRANSITIONS,
    RESUME,
    RUNNING,
    SYSTEM,
    allowed_actions,
)
from onewindow.catalog.models import AppliesTo, Bundle, BundleOption, ServiceItem, StepKind
from onewindow.catalog.selectors import bundle_items, merge_requirements
from onewindow.clock.models import Calendar
from onewindow.clock.selectors import calendar_for_region, work_calendar
from onewindow.clock.workdays import (
    CalendarRangeError,
    Duration,
    Unit,
    WorkCalendar,
    deadline,
)
from onewindow.core.errors import ConcurrentChange, DomainError, InvalidInput, InvalidTransition, NotFound
from onewindow.core.timeutil import now
from onewindow.licences.selectors import licence_get, licence_type_get
from onewindow.licences.services import licence_issue, licence_revoke
from onewindow.licences.sources import materials_satisfied
from onewindow.org.authz import require
from onewindow.org.models import Applicant, ApplicantKind, Department, Hall, Region, ServiceWindow

# 行政许可法 第三十二条: incomplete materials must be listed in one notice at once or within five
# days; if none is given in time, the application counts as accepted on the day it was received.
CORRECTION_NOTICE_LIMIT = Duration(5, Unit.WORKDAY)
# 行政许可法 第四十二条: an extension of up to ten working days with the leader's approval.
MAX_EXTENSION_DAYS = 10
# Accepted upload types and size (ONEWINDOW_MAX_UPLOAD_MB, default 20 MB).
UPLOAD_TYPES = {
    "application/pdf": b"%PDF",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG",
    "application/ofd": b"PK",
}
DEFAULT_REMEDIES = (
    "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼。"
)


class GuardFailed(DomainError):
    code, status, title = "guard_failed", 409, "尚不满足办理条件"


# ---- numbers -----------------------------------------------------------------------------------


def sequence_next(scope: str) -> int:
    """The next value of a named counter (application, draft and complaint numbers); row-locked
    so concurrent callers never share a value."""
    try:
        with transaction.atomic():
            NumberSequence.objects.get_or_create(scope=scope)
    except IntegrityError:
        pass  # created concurrently
    seq = NumberSequence.objects.select_for_update().get(scope=scope)
    NumberSequence.objects.filter(pk=seq.pk).update(last=F("last") + 1)
    return seq.last + 1


def _application_number(region: Region, at: dt.datetime) -> str:
    """受理编号: county code (6) + date (8) + sequence of the day in that county (4+)."""
    day = timezone.localdate(at)
    county = region.code[:6]
    return f"{county}{day:%Y%m%d}{sequence_next(f'app:{county}:{day:%Y%m%d}'):04d}"


def _draft_reference(region: Region, at: dt.datetime) -> str:
    day = timezone.localdate(at)
    county = region.code[:6]
    return f"S{county}{day:%Y%m%d}{sequence_next(f'draft:{county}:{day:%Y%m%d}'):05d}"


# ---- events and transitions --------------------------------------------------------------------


def _event(
    *,
    application: Application,
    case: Case | None,
    action: str,
    old: str,
    new: str,
    actor: Any,
    note: str = "",
    data: dict | None = None,
) -> None:
    CaseEvent.objects.create(
        application=application,
        case=case,
        action=action,
        from_status=old,
        to_status=new,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
        data=data or {},
        at=now(),
    )
    audit_record(
        actor=actor if getattr(actor, "pk", None) else None,
        action=f"{'case' if case else 'application'}.{action}",
        target=case or application,
        before={"status": old} if old else None,
        after={"status": new, **({"note": note} if note else {}), **(data or {})},
    )


def _state_label(table_model: Any, state: str) -> str:
    try:
        return str(table_model(state).label)
    except ValueError:
        return state


def _refuse_transition(kind: str, state: str, action: str, table: dict, model: Any) -> InvalidTransition:
    allowed = [table[(state, a)].label for a in allowed_actions(table, state)]
    what = next((r.label for (s, a), r in table.items() if a == action), action)
    hint = f"；当前可以：{'、'.join(allowed)}" if allowed else "；当前状态下已不能再办理"
    return InvalidTransition(
        f"{_state_label(model, state)}的{kind}不能{what}{hint}", action=action, state=state
    )


def _move_application(
    application: Application,
    action: str,
    actor: Any,
    *,
    note: str = "",
    data: dict | None = None,
    system: bool = False,
    **fields: Any,
) -> Application:
    rule = APPLICATION_TRANSITIONS.get((application.status, action))
    if rule is None:
        raise _refuse_transition(
            "申请", application.status, action, APPLICATION_TRANSITIONS, ApplicationStatus
        )
    if rule.permission == SYSTEM and not system:
        raise InvalidTransition(f"“{rule.label}”只能由系统定时任务执行")
    if not system and rule.permission != SYSTEM:
        require(actor, rule.permission, region=application.region)
    old = application.status
    moved = Application.objects.filter(
        pk=application.pk, status=old, lock_version=application.lock_version
    ).update(status=rule.target, lock_version=F("lock_version") + 1, updated_at=now(), **fields)
    if moved != 1:
        raise ConcurrentChange("该申请已被他人处理，请刷新后重试")
    _event(
        application=application,
        case=None,
        action=action,
        old=old,
        new=rule.target,
        actor=actor,
        note=note,
        data=data,
    )
    application.refresh_from_db()
    return application


def _move_case(
    case: Case,
    action: str,
    actor: Any,
    *,
    note: str = "",
    data: dict | None = None,
    system: bool = False,
    **fields: Any,
) -> Case:
    rule = CASE_TRANSITIONS.get((case.status, action))
    if rule is None:
        raise _refuse_transition("办件", case.status, action, CASE_TRANSITIONS, CaseStatus)
    if not system:
        department = case.department if action in {"revoke"} else case.step_department
        if action == "deliver" or action == "close":
            require(actor, rule.permission, region=case.application.region)
        else:
            require(actor, rule.permission, department=department)
    target = case.resume_status if rule.target == RESUME else rule.target
    if action == "suspend":
        fields["resume_status"] = case.status
    if rule.target == RESUME:
        fields["resume_status"] = ""
    old = case.status
    moved = Case.objects.filter(pk=case.pk, status=old, lock_version=case.lock_version).update(
        status=target, lock_version=F("lock_version") + 1, updated_at=now(), **fields
    )
    if moved != 1:
        raise ConcurrentChange(f"办件 {case.number} 已被他人处理，请刷新后重试")
    _event(
        application=case.application,
        case=case,
        action=action,
        old=old,
        new=target,
        actor=actor,
        note=note,
        data=data,
    )
    case.refresh_from_db()
    return case


def _timer(kind: str, target_id: int, due_at: dt.datetime) -> None:
    Timer.objects.update_or_create(
        kind=kind,
        target_id=target_id,
        defaults={"due_at": due_at, "fired_at": None, "cancelled": False, "result": ""},
    )


def _cancel_timer(kind: str, target_id: int) -> None:
    Timer.objects.filter(kind=kind, target_id=target_id, fired_at__isnull=True).update(cancelled=True)


# ---- deadlines ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadlines:
    promised: dt.datetime | None
    legal: dt.datetime | None
    provisional: bool


def _calendar_for(application: Application) -> Calendar:
    return calendar_for_region(region=application.region)


def _provisional(cal: WorkCalendar, years: int = 2) -> WorkCalendar:
    """The calendar extended by weekend-only years, for deadlines that run into a year whose
    holiday notice is not loaded yet. Such deadlines are flagged ``deadline_provisional`` and
    recomputed when the notice is imported — never presented as final."""
    return WorkCalendar(
        first_year=cal.first_year,
        last_year=cal.last_year + years,
        holidays=cal.holidays,
        makeup_workdays=cal.makeup_workdays,
        weekend=cal.weekend,
        sessions=cal.sessions,
    )


def _due(
    start: dt.datetime, limit: Duration | None, cal: WorkCalendar, pauses: list, extensions: list
) -> tuple:
    if limit is None:
        return None, False
    try:
        return deadline(start, limit, cal, pauses=pauses, extensions=extensions), False
    except CalendarRangeError:
        return deadline(start, limit, _provisional(cal), pauses=pauses, extensions=extensions), True


def case_deadlines(case: Case, cal: WorkCalendar | None = None) -> Deadlines:
    """Promised and statutory deadlines of ``case`` from its acceptance, suspensions and approved
    extensions (行政许可法 第四十二条、第四十五条), on its region's calendar."""
    cal = cal or work_calendar(_calendar_for(case.application))
    version = case.item_version
    pauses = [(s.started_at, s.ended_at) for s in case.suspensions.all()]
    extra = [
        Duration(e.days, Unit.WORKDAY) for e in case.extensions.all() if e.status == ExtensionStatus.APPROVED
    ]
    promised_limit, legal_limit = version.promised_limit, version.legal_limit

    def same_unit(limit: Duration | None) -> list:
        return extra if limit is not None and limit.unit == Unit.WORKDAY else []

    promised, p1 = _due(case.accepted_at, promised_limit, cal, pauses, same_unit(promised_limit))
    legal, p2 = _due(case.accepted_at, legal_limit, cal, pauses, same_unit(legal_limit))
    return Deadlines(promised=promised, legal=legal, provisional=p1 or p2)


def _store_deadlines(case: Case) -> None:
    due = case_deadlines(case)
    Case.objects.filter(pk=case.pk).update(
        promised_due_at=due.promised, legal_due_at=due.legal, deadline_provisional=due.provisional
    )
    case.promised_due_at, case.legal_due_at, case.deadline_provisional = (
        due.promised,
        due.legal,
        due.provisional,
    )
    _arm_warning(case)


# The supervisors' warning (预警) fires when 80 % of the promised time has passed; the
# worklist's colour also flags the last working day.
WARNING_SHARE = 0.8


def _arm_warning(case: Case) -> None:
    """(Re)arm the deadline-warning timer after the deadline moved; none while the clock stops."""
    if case.promised_due_at is None:
        _cancel_timer(TimerKind.DEADLINE_WARNING, case.pk)
        return
    warn_at = case.accepted_at + (case.promised_due_at - case.accepted_at) * WARNING_SHARE
    _timer(TimerKind.DEADLINE_WARNING, case.pk, warn_at)


OPEN_STATES = (*RUNNING, CaseStatus.SUSPENDED)


def case_recompute_deadlines_for_calendar(calendar: Calendar, years: frozenset[int]) -> int:
    """Clock hook: recompute the deadlines of open cases after ``calendar`` changed.

    Only cases whose region uses this calendar are touched; the others keep theirs.
    """
    count = 0
    cal = work_calendar(calendar)
    cases = (
        Case.objects.filter(status__in=OPEN_STATES)
        .select_related("application__region", "item_version")
        .prefetch_related("suspensions", "extensions")
    )
    uses: dict[int, bool] = {}  # region id → does it use this calendar (one lookup per region)
    for case in cases.iterator(chunk_size=2000):
        region = case.application.region
        if region.pk not in uses:
            uses[region.pk] = calendar_for_region(region=region).pk == calendar.pk
        if not uses[region.pk]:
            continue
        due = case_deadlines(case, cal)
        if (due.promised, due.legal, due.provisional) != (
            case.promised_due_at,
            case.legal_due_at,
            case.deadline_provisional,
        ):
            Case.objects.filter(pk=case.pk).update(
                promised_due_at=due.promised, legal_due_at=due.legal, deadline_provisional=due.provisional
            )
            count += 1
    return count


# ---- online applicants (网上申请) ------------------------------------------------------------------
#
# Online applicants have no login. The one way the intake services run without a staff actor:
# ``actor`` is ``None``, the application's channel is ``online`` and the caller presents the
# application's random ``access_token`` (handed to the applicant as the "continue" link).
# Anything else still goes through ``require`` — an anonymous actor without the token is refused,
# and staff-only actions (accept, correction, refuse, 容缺) are never opened this way.


def _online_holder(actor: Any, application: Application, token: str | None) -> bool:
    """True when an online applicant proves possession of ``application`` by its token.

    ``token is None`` means the caller does not claim the online path (``require`` decides);
    a token given for a window application, or a wrong one, raises ``NotFound`` so that a guess
    reveals nothing.
    """
    if token is None or actor is not None:
        return False
    if (
        application.channel != Channel.ONLINE
        or not application.access_token
        or not secrets.compare_digest(application.access_token, str(token))
    ):
        raise NotFound("申请不存在或链接无效")
    return True


def application_get_online(draft_ref: str, token: str) -> Application:
    """The online application behind a continue link; ``NotFound`` for any wrong part."""
    application = (
        Application.objects.select_related("applicant", "region", "item", "bundle", "bundle_option")
        .filter(draft_ref=str(draft_ref)[:32], channel=Channel.ONLINE)
        .first()
    )
    if application is None:
        raise NotFound("申请不存在或链接无效")
    _online_holder(None, application, token)
    return application


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


def _material(application: Application, key: str) -> ApplicationMaterial:
    row = application.materials.select_related("material").filter(material__key=key).first()
    if row is None:
        raise InvalidInput(f"本申请不需要材料“{key}”", errors={"material": [key]})
    return row


def _check_upload(upload: UploadedFile) -> tuple[str, bytes]:
    limit = int(getattr(settings, "ONEWINDOW_MAX_UPLOAD_MB", 20)) * 1024 * 1024
    if upload.size is None or upload.size == 0:
        raise InvalidInput("上传的文件是空的")
    if upload.size > limit:
        raise InvalidInput(
            f"文件“{upload.name}”为 {upload.size / 1048576:.1f} MB，超过 {limit // 1048576} MB 上限"
        )
    head = upload.read(8)
    upload.seek(0)
    for content_type, magic in UPLOAD_TYPES.items():
        if head.startswith(magic):
            return content_type, head
    raise InvalidInput(f"文件“{upload.name}”不是可接受的类型（PDF、JPG、PNG 或 OFD）")


@transaction.atomic
def application_attach_material(
    *,
    actor: Any,
    application: Application,
    material_key: str,
    upload: UploadedFile,
    token: str | None = None,
) -> ApplicationMaterial:
    """Attach a file for one checklist material (type checked by content, size limited, SHA-256
    recorded). Before acceptance it fills the checklist; after it, it supplies a 容缺 material.
    An online applicant passes ``actor=None`` and the application's ``token``."""
    if not _online_holder(actor, application, token):
        require(actor, "application.submit_on_behalf", region=application.region)
    if application.status not in (
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.CORRECTION_REQUESTED,
        ApplicationStatus.ACCEPTED,
    ):
        raise InvalidTransition(f"{application.get_status_display()}的申请不能再上传材料")
    row = _material(application, material_key)
    if application.status == ApplicationStatus.ACCEPTED and row.state != MaterialState.WAIVED:
        raise InvalidTransition(f"申请已受理，材料“{row.material.name}”无需再上传")
    content_type, _head = _check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    supplying = row.state == MaterialState.WAIVED and application.status == ApplicationStatus.ACCEPTED
    row.file.save(upload.name, upload, save=False)
    row.original_name = upload.name[:200]
    row.content_type = content_type
    row.size = upload.size
    row.sha256 = digest.hexdigest()
    row.state = MaterialState.PROVIDED
    if supplying:
        row.supplied_at = now()
    row.save()
    _event(
        application=application,
        case=None,
        action="supply_material" if supplying else "attach_material",
        old=application.status,
        new=application.status,
        actor=actor,
        data={"material": material_key, "sha256": row.sha256, "size": row.size},
    )
    if supplying:
        _after_supply(application)
    return row


def _after_supply(application: Application) -> None:
    if application.materials.filter(state=MaterialState.WAIVED).exists():
        return
    _cancel_timer(TimerKind.SUPPLY_DEADLINE, application.pk)
    _cancel_timer(TimerKind.SUPPLY_REMINDER, application.pk)
    Case.objects.filter(application=application, deficient=True).update(deficient=False)


@transaction.atomic
def application_mark_material(
    *,
    actor: Any,
    application: Application,
    material_key: str,
    state: str,
    evidence: str = "",
    token: str | None = None,
) -> ApplicationMaterial:
    """Set a checklist material's state at the window: 容缺 (``waived``) only where the catalogue
    allows it, 告知承诺 (``committed``) only where a commitment may replace it, back to
    ``missing``, or ``provided`` for paper originals checked at the window.

    An online applicant (``actor=None`` with the token) may only sign a commitment (``committed``)
    or withdraw it (``missing``); 容缺 and ``provided`` stay with the window officer."""
    if _online_holder(actor, application, token):
        if state not in (MaterialState.COMMITTED, MaterialState.MISSING):
            raise GuardFailed("网上申请只能对允许告知承诺的材料签署承诺；容缺受理须由窗口办理")
        current = _material(application, material_key)
        if state == MaterialState.MISSING and current.state != MaterialState.COMMITTED:
            raise GuardFailed(f"材料“{current.material.name}”不是告知承诺状态，无需撤回")
    else:
        require(actor, "application.accept", region=application.region)
    if application.status not in (
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.CORRECTION_REQUESTED,
    ):
        raise InvalidTransition(f"{application.get_status_display()}的申请不能再修改材料清单")
    row = _material(application, material_key)
    if state == MaterialState.WAIVED and not row.waivable:
        raise GuardFailed(f"材料“{row.material.name}”不在容缺受理清单内，不能容缺")
    if state == MaterialState.COMMITTED and not row.commitment_allowed:
        raise GuardFailed(f"材料“{row.material.name}”不适用告知承诺")
    if state not in (
        MaterialState.WAIVED,
        MaterialState.COMMITTED,
        MaterialState.MISSING,
        MaterialState.PROVIDED,
    ):
        raise InvalidInput(f"材料状态“{state}”无效")
    old = row.state
    row.state = state
    row.evidence = evidence[:200]
    row.save(update_fields=["state", "evidence"])
    _event(
        application=application,
        case=None,
        action="mark_material",
        old=application.status,
        new=application.status,
        actor=actor,
        data={"material": material_key, "from": old, "to": state},
    )
    return row


def missing_materials(application: Application) -> list[ApplicationMaterial]:
    """Required materials neither provided nor covered by 容缺, 告知承诺 or shared data."""
    return list(
        application.materials.select_related("material").filter(required=True, state=MaterialState.MISSING)
    )


@transaction.atomic
def application_submit(*, actor: Any, application: Application, token: str | None = None) -> Application:
    """Hand the application in: the receipt time starts the five-working-day correction window
    (行政许可法 第三十二条); a timer accepts it as of that day if no notice is issued in time.
    An online applicant passes ``actor=None`` and the application's ``token``."""
    received = now()
    online = _online_holder(actor, application, token)
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
    online = _online_holder(actor, application, token)
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


# ---- back office ---------------------------------------------------------------------------------


def _lock(case: Case) -> Case:
    """Re-read the case for a guard decision (the update itself is still conditional)."""
    return Case.objects.select_related(
        "application__region", "item_version", "department", "step_department"
    ).get(pk=case.pk)


@transaction.atomic
def case_start_review(*, actor: Any, case: Case) -> Case:
    """后台审查 begins in the case's department. Each review step of another department in the
    item's steps becomes a joint-review opinion request with that step's limit (seed 001 大件运输:
    police opinion within 4 hours, silence counts as passed)."""
    case = _move_case(case, "start_review", actor, current_step=StepKind.REVIEW)
    steps = case.item_version.steps.filter(kind=StepKind.REVIEW).exclude(department=case.department)
    for step in steps.select_related("department"):
        limit = step.limit or Duration(case.item_version.deemed_consent_days or 5, Unit.WORKDAY)
        _request_opinion(case, step.department, limit, actor)
    return case


def _request_opinion(case: Case, department: Department, within: Duration, actor: Any) -> Opinion:
    cal = work_calendar(_calendar_for(case.application))
    due, _p = _due(now(), within, cal, [], [])
    opinion, created = Opinion.objects.get_or_create(
        case=case, department=department, defaults={"due_at": due}
    )
    if not created:
        raise InvalidInput(f"已向{department.short_name}征求过意见")
    _timer(TimerKind.OPINION_DEADLINE, opinion.pk, due)
    _event(
        application=case.application,
        case=case,
        action="request_opinion",
        old=case.status,
        new=case.status,
        actor=actor,
        data={"department": department.short_name, "due": due, "within": str(within)},
    )
    return opinion


@transaction.atomic
def case_request_opinions(
    *, actor: Any, case: Case, departments: list[Department], within: Duration | None = None
) -> list[Opinion]:
    """联合审查: ask departments for an opinion by a deadline. Silence past it is recorded by the
    timer as deemed consent (缺席默认, seed 001; 自公告: 5 working days)."""
    require(actor, "case.review", department=case.step_department)
    if case.status != CaseStatus.REVIEWING:
        raise InvalidTransition(f"{case.get_status_display()}的办件不能征求意见；请先开始审查")
    if not departments:
        raise InvalidInput("请至少选择一个征求意见的部门")
    within = within or Duration(case.item_version.deemed_consent_days or 5, Unit.WORKDAY)
    return [_request_opinion(case, department, within, actor) for department in departments]


@transaction.atomic
def opinion_give(*, actor: Any, opinion: Opinion, verdict: str, text: str = "") -> Opinion:
    """A department answers a joint review: 符合 / 符合但需修改 / 不符合 (the latter two need text)."""
    require(actor, "case.opinion", department=opinion.department)
    if opinion.case.status not in (CaseStatus.REVIEWING, CaseStatus.INSPECTING, CaseStatus.SUSPENDED):
        raise InvalidTransition(f"{opinion.case.get_status_display()}的办件不再征求意见")
    if verdict not in OpinionVerdict.values:
        raise InvalidInput(f"意见“{verdict}”无效：应为符合、符合但需修改或不符合")
    if verdict != OpinionVerdict.CONFORMS and not text.strip():
        raise InvalidInput("“符合但需修改”或“不符合”须写明具体意见", errors={"text": ["必填"]})
    given = Opinion.objects.filter(pk=opinion.pk, given_at__isnull=True).update(
        verdict=verdict, text=text.strip(), given_at=now(), given_by=actor
    )
    if given != 1:
        raise ConcurrentChange("该意见已答复（或已逾期视为同意）")
    _cancel_timer(TimerKind.OPINION_DEADLINE, opinion.pk)
    opinion.refresh_from_db()
    _event(
        application=opinion.case.application,
        case=opinion.case,
        action="give_opinion",
        old=opinion.case.status,
        new=opinion.case.status,
        actor=actor,
        data={"department": opinion.department.short_name, "verdict": verdict},
    )
    return opinion


@transaction.atomic
def opinion_deem_consent(*, opinion: Opinion) -> bool:
    """Timer: record a silent department as consenting (缺席默认). Idempotent."""
    done = Opinion.objects.filter(pk=opinion.pk, given_at__isnull=True).update(
        verdict=OpinionVerdict.CONFORMS, text="逾期未答复，按缺席默认视为同意", given_at=now(), deemed=True
    )
    if done:
        _event(
            application=opinion.case.application,
            case=opinion.case,
            action="deem_opinion",
            old=opinion.case.status,
            new=opinion.case.status,
            actor=None,
            data={"department": opinion.department.short_name},
        )
    return bool(done)


@transaction.atomic
def inspection_schedule(
    *, actor: Any, application: Application, cases: list[Case], scheduled_for: dt.datetime, inspectors: str
) -> Inspection:
    """多勘合一: one site visit for every listed case of the application that needs one."""
    if not cases:
        raise InvalidInput("请选择需要踏勘的办件")
    cases = [_lock(case) for case in cases]
    for case in cases:
        require(actor, "case.inspect", department=case.step_department)
        if case.status != CaseStatus.REVIEWING:
            raise InvalidTransition(
                f"{case.get_status_display()}的办件 {case.number} 不能安排踏勘；请先开始审查"
            )
    if not inspectors.strip():
        raise InvalidInput("请填写踏勘人员", errors={"inspectors": ["必填"]})
    for case in cases:
        if case.application_id != application.pk:
            raise InvalidInput(f"办件 {case.number} 不属于申请 {application}")
        if not case.item_version.needs_inspection:
            raise InvalidInput(f"办件 {case.number} 的事项不需要现场核查")
    inspection = Inspection.objects.create(
        application=application, scheduled_for=scheduled_for, inspectors=inspectors.strip(), created_by=actor
    )
    inspection.cases.set(cases)
    for case in cases:
        _move_case(
            _lock(case),
            "start_inspection",
            actor,
            current_step=StepKind.INSPECT,
            data={"inspection": inspection.pk, "scheduled_for": scheduled_for},
        )
    return inspection


@transaction.atomic
def inspection_record_finding(
    *, actor: Any, inspection: Inspection, case: Case, passed: bool, note: str = ""
) -> InspectionFinding:
    """Record the site finding for one case; the case returns to review with it."""
    if not inspection.cases.filter(pk=case.pk).exists():
        raise InvalidInput(f"办件 {case.number} 不在本次踏勘中")
    case = _lock(case)  # the caller's copy may predate the scheduling
    require(actor, "case.inspect", department=case.step_department)
    if case.status != CaseStatus.INSPECTING:
        raise InvalidTransition(f"{case.get_status_display()}的办件 {case.number} 不能记录踏勘结论")
    if not passed and not note.strip():
        raise InvalidInput("核查不通过须写明问题", errors={"note": ["必填"]})
    try:
        with transaction.atomic():
            finding = InspectionFinding.objects.create(
                inspection=inspection,
                case=case,
                passed=passed,
                note=note.strip(),
                recorded_by=actor,
                recorded_at=now(),
            )
    except IntegrityError:
        raise ConcurrentChange(f"办件 {case.number} 的踏勘结论已记录") from None
    _move_case(
        _lock(case),
        "finish_inspection",
        actor,
        current_step=StepKind.REVIEW,
        data={"passed": passed, "note": note.strip()},
    )
    if inspection.findings.count() == inspection.cases.count():  # the visit is done for every case
        Inspection.objects.filter(pk=inspection.pk, done_at__isnull=True).update(done_at=now())
    return finding


@transaction.atomic
def case_submit_for_decision(*, actor: Any, case: Case, note: str = "") -> Case:
    """Review done: every requested opinion is in (or deemed), and any inspection is recorded."""
    if case.status != CaseStatus.REVIEWING:
        raise _refuse_transition("办件", case.status, "submit_for_decision", CASE_TRANSITIONS, CaseStatus)
    pending = case.opinions.filter(given_at__isnull=True).select_related("department")
    if pending:
        names = "、".join(o.department.short_name for o in pending)
        raise GuardFailed(f"尚有部门未答复联审意见：{names}（逾期将按缺席默认视为同意）")
    if case.item_version.needs_inspection and not case.findings.exists():
        raise GuardFailed("该事项需要现场核查，请先安排踏勘并记录结论")
    return _move_case(case, "submit_for_decision", actor, note=note, current_step=StepKind.DECIDE)


def _decision_guards(case: Case, approve: bool) -> None:
    version = case.item_version
    if case.status == CaseStatus.ACCEPTED and not (
        version.is_instant or (case.commitment and version.commitment_approval)
    ):
        raise GuardFailed("只有即办件或告知承诺制事项可以当场决定；其他办件须经审查")
    if approve and case.deficient and not version.conditional_on_deficiency:
        raise GuardFailed("容缺材料尚未补齐，补齐后方可作出准予决定")
    unfinished = [
        c.number
        for c in case.waits_for.all()
        if c.status not in (CaseStatus.APPROVED, CaseStatus.ISSUED, CaseStatus.DELIVERED, CaseStatus.CLOSED)
    ]
    if approve and unfinished:
        raise GuardFailed(f"须待前置办件 {'、'.join(unfinished)} 准予后方可决定")


def _issue_licence(case: Case, actor: Any) -> Case:
    """准予 → 制证: the result licence is issued, signed, with the decision (行政许可法 第四十四条
    allows ten days; here it is at once) and put in the licence library."""
    version = case.item_version
    licence = licence_issue(
        licence_type=licence_type_get(name=version.result_licence_type),
        holder=case.application.applicant,
        actor=actor,
        department=case.department,
        data={"事项": version.item.name, "办件编号": case.number},
        source_case_no=case.number,
        source_case_id=case.pk,
    )
    return _move_case(
        case, "issue", actor, system=True, licence_number=licence.number, data={"licence": licence.number}
    )


@transaction.atomic
def case_decide(
    *, actor: Any, case: Case, approve: bool, basis: str, remedies: str = "", licence_data: dict | None = None
) -> Case:
    """准予 / 不予许可 with the legal basis (and, for a denial, the remedies). On approval on a
    commitment (告知承诺) a post-verification task is opened for the supervising department."""
    case = _lock(case)
    if not basis.strip():
        raise InvalidInput("决定须写明依据", errors={"basis": ["必填"]})
    _decision_guards(case, approve)
    case = _move_case(
        case,
        "approve" if approve else "deny",
        actor,
        note=basis.strip(),
        decision="approve" if approve else "deny",
        decision_basis=basis.strip(),
        decision_remedies="" if approve else (remedies.strip() or DEFAULT_REMEDIES),
        decided_at=now(),
        decided_by=actor,
        current_step=StepKind.ISSUE,
    )
    version = case.item_version
    if approve and version.result_licence_type:
        case = _issue_licence(case, actor)
    if approve and case.commitment and version.commitment_approval:
        cal = work_calendar(_calendar_for(case.application))
        due, _p = _due(now(), Duration(version.post_verification_days or 30, Unit.WORKDAY), cal, [], [])
        PostVerification.objects.create(
            case=case, department=case.department, due_at=due, status=VerificationStatus.OPEN
        )
        _timer(TimerKind.POST_VERIFICATION_DUE, case.pk, due)
    _cancel_timer(TimerKind.DEADLINE_WARNING, case.pk)
    return case


@transaction.atomic
def case_suspend(*, actor: Any, case: Case, reason: str, note: str = "") -> Case:
    """中止 (行政许可法 第四十五条): hearings, testing, appraisal, expert review stop the clock."""
    if reason not in SuspensionReason.values:
        raise InvalidInput(
            f"中止原因“{reason}”无效：只有听证、招标拍卖、检验检测检疫、鉴定、专家评审可以中止计时"
        )
    case = _move_case(case, "suspend", actor, note=note, data={"reason": reason})
    Suspension.objects.create(case=case, reason=reason, note=note, started_at=now())
    _store_deadlines(case)
    return case


@transaction.atomic
def case_resume(*, actor: Any, case: Case, note: str = "") -> Case:
    case = _move_case(case, "resume", actor, note=note)
    Suspension.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now())
    _store_deadlines(case)
    return case


@transaction.atomic
def extension_request(*, actor: Any, case: Case, days: int, reason: str) -> Extension:
    """延期 request (行政许可法 第四十二条): at most ten working days in all, with a reason;
    it takes effect when the leader approves it."""
    require(actor, "case.review", department=case.step_department)
    if case.status not in RUNNING:
        raise InvalidTransition(f"{case.get_status_display()}的办件不能申请延期")
    if not isinstance(days, int) or days < 1:
        raise InvalidInput("延长的工作日数须为正整数")
    if case.extension_days + days > MAX_EXTENSION_DAYS:
        raise GuardFailed(f"延期累计不能超过{MAX_EXTENSION_DAYS}个工作日（已延长{case.extension_days}个）")
    if not reason.strip():
        raise InvalidInput("延期须说明理由", errors={"reason": ["必填"]})
    if case.extensions.filter(status=ExtensionStatus.REQUESTED).exists():
        raise GuardFailed("已有一项延期申请待审批")
    extension = Extension.objects.create(
        case=case,
        days=days,
        reason=reason.strip(),
        status=ExtensionStatus.REQUESTED,
        requested_by=actor,
        requested_at=now(),
    )
    _event(
        application=case.application,
        case=case,
        action="request_extension",
        old=case.status,
        new=case.status,
        actor=actor,
        data={"days": days, "reason": reason.strip()},
    )
    return extension


@transaction.atomic
def extension_decide(*, actor: Any, extension: Extension, approve: bool) -> Extension:
    """The leader approves or rejects an extension; approval moves the deadlines."""
    case = extension.case
    require(actor, "case.approve_extension", department=case.department)
    if approve and case.status not in (*RUNNING, CaseStatus.SUSPENDED):
        raise InvalidTransition(f"{case.get_status_display()}的办件不能再延期")
    status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    done = Extension.objects.filter(pk=extension.pk, status=ExtensionStatus.REQUESTED).update(
        status=status, decided_by=actor, decided_at=now()
    )
    if done != 1:
        raise ConcurrentChange("该延期申请已审批")
    if approve:
        Case.objects.filter(pk=case.pk).update(extension_days=F("extension_days") + extension.days)
        case.refresh_from_db()
        _store_deadlines(case)
    _event(
        application=case.application,
        case=case,
        action="approve_extension" if approve else "reject_extension",
        old=case.status,
        new=case.status,
        actor=actor,
        data={"days": extension.days},
    )
    extension.refresh_from_db()
    return extension


# ---- delivery, verification, revocation ---------------------------------------------------------

DECIDED = (CaseStatus.APPROVED, CaseStatus.ISSUED, CaseStatus.DENIED)


@transaction.atomic
def application_deliver(
    *, actor: Any, application: Application, method: str | None = None, tracking_number: str = ""
) -> Delivery:
    """统一出件: once every case is decided, hand all results over together; cases close."""
    require(actor, "case.deliver", region=application.region)
    method = method or application.delivery_method
    if method not in DeliveryMethod.values:
        raise InvalidInput(f"送达方式“{method}”无效")
    if method == DeliveryMethod.MAIL and not tracking_number.strip():
        raise InvalidInput("免费邮寄须登记邮件单号", errors={"tracking_number": ["必填"]})
    cases = list(application.cases.select_related("application__region", "step_department", "department"))
    undecided = [c.number for c in cases if c.status not in DECIDED]
    if not cases or undecided:
        raise GuardFailed(f"还有办件未办结，不能统一出件：{'、'.join(undecided) or '无办件'}")
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                application=application,
                method=method,
                tracking_number=tracking_number.strip(),
                delivered_at=now(),
                delivered_by=actor,
            )
    except IntegrityError:
        raise ConcurrentChange("该申请的结果已出件") from None
    for case in cases:
        case = _move_case(
            case, "deliver", actor, data={"method": method, "tracking": tracking_number.strip()}
        )
        _move_case(case, "close", actor, closed_at=now())
    return delivery


@transaction.atomic
def post_verification_finish(*, actor: Any, case: Case, passed: bool, note: str = "") -> PostVerification:
    """告知承诺 post-verification: a false commitment revokes the result and records a credit event."""
    verification = PostVerification.objects.select_related("case").filter(case=case).first()
    if verification is None:
        raise InvalidInput(f"办件 {case.number} 没有承诺核查任务")
    require(actor, "case.review", department=verification.department)
    if not passed and not note.strip():
        raise InvalidInput("核查发现承诺不实须写明情况", errors={"note": ["必填"]})
    status = VerificationStatus.PASSED if passed else VerificationStatus.FAILED
    done = PostVerification.objects.filter(pk=verification.pk, status=VerificationStatus.OPEN).update(
        status=status, result_note=note.strip(), finished_at=now(), finished_by=actor
    )
    if done != 1:
        raise ConcurrentChange("该承诺核查已完成")
    _cancel_timer(TimerKind.POST_VERIFICATION_DUE, case.pk)
    case = _lock(case)
    _event(
        application=case.application,
        case=case,
        action="post_verification",
        old=case.status,
        new=case.status,
        actor=actor,
        data={"passed": passed, "note": note.strip()},
    )
    if not passed:
        case_revoke(actor=actor, case=case, reason=f"告知承诺核查不实：{note.strip()}", system=True)
        CreditRecord.objects.create(
            applicant=case.application.applicant,
            case=case,
            kind="false_commitment",
            note=note.strip(),
            recorded_at=now(),
        )
        audit_record(
            actor=actor,
            action="credit.record",
            target=case.application.applicant,
            after={"kind": "false_commitment", "case": case.number},
        )
    verification.refresh_from_db()
    return verification


@transaction.atomic
def case_revoke(*, actor: Any, case: Case, reason: str, system: bool = False) -> Case:
    """Revoke an approved or issued result (撤销许可), e.g. after a failed post-verification."""
    if not reason.strip():
        raise InvalidInput("撤销须说明理由")
    case = _lock(case)
    case = _move_case(case, "revoke", actor, note=reason.strip(), system=system)
    if case.licence_number:
        licence_revoke(licence=licence_get(number=case.licence_number), actor=actor, reason=reason.strip())
    return case


# ---- timers --------------------------------------------------------------------------------------


def _fire(timer: Timer) -> str:
    if timer.kind == TimerKind.DEEMED_ACCEPTANCE:
        application = Application.objects.filter(pk=timer.target_id).first()
        if application is None or application.status != ApplicationStatus.SUBMITTED:
            return "skipped: not waiting for acceptance"
        application_deem_accept(application=application)
        return f"accepted as of receipt: {application.number}"
    if timer.kind == TimerKind.OPINION_DEADLINE:
        opinion = (
            Opinion.objects.select_related("case__application", "department")
            .filter(pk=timer.target_id)
            .first()
        )
        if opinion is None:
            return "skipped: opinion gone"
        return "deemed consent" if opinion_deem_consent(opinion=opinion) else "skipped: already answered"
    if timer.kind in (
        TimerKind.SUPPLY_REMINDER,
        TimerKind.SUPPLY_DEADLINE,
        TimerKind.DEADLINE_WARNING,
        TimerKind.POST_VERIFICATION_DUE,
    ):
        # Reminders and warnings are recorded as events; notification channels hook in here.
        target = (
            Application.objects.filter(pk=timer.target_id).first()
            if timer.kind in (TimerKind.SUPPLY_REMINDER, TimerKind.SUPPLY_DEADLINE)
            else Case.objects.filter(pk=timer.target_id).select_related("application").first()
        )
        if target is None:
            return "skipped: target gone"
        application = target if isinstance(target, Application) else target.application
        case = target if isinstance(target, Case) else None
        _event(
            application=application,
            case=case,
            action=f"timer_{timer.kind}",
            old="",
            new="",
            actor=None,
            note=str(TimerKind(timer.kind).label),
        )
        return "recorded"
    return "skipped: unknown kind"


def timers_fire_due(*, limit: int = 500) -> list[tuple[int, str]]:
    """Fire every due timer once. Safe with several workers: each timer is claimed with
    ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite serialises writers) and marked
    fired in the same transaction as its effect, so a crash leaves it due, never half-done."""
    fired: list[tuple[int, str]] = []
    for _ in range(limit):
        with transaction.atomic():
            due = Timer.objects.filter(fired_at__isnull=True, cancelled=False, due_at__lte=now()).order_by(
                "due_at", "pk"
            )
            timer = due.select_for_update(skip_locked=True).first()
            if timer is None:
                break
            try:
                with transaction.atomic():
                    result = _fire(timer)
            except DomainError as exc:
                result = f"refused: {exc}"
            Timer.objects.filter(pk=timer.pk).update(fired_at=now(), result=result[:200])
            fired.append((timer.pk, result))
    return fired
