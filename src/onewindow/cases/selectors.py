"""Reads for applications and cases: lookups with visibility, the department worklist, deadline
figures, and the public tracking view. Nothing here writes."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Value
from django.utils import timezone

from onewindow.cases.models import (
    Application,
    ApplicationMaterial,
    Case,
    CaseEvent,
    CaseStatus,
    Channel,
    CorrectionNotice,
    Extension,
    Inspection,
    MaterialState,
    Opinion,
    Suspension,
)
from onewindow.cases.transitions import APPLICATION_TRANSITIONS, CASE_TRANSITIONS, RUNNING, allowed_actions
from onewindow.clock.selectors import calendar_for_region, work_calendar
from onewindow.clock.workdays import (
    CalendarRangeError,
    Duration,
    Unit,
    WarningLevel,
    WorkCalendar,
    compression,
    elapsed,
    remaining,
    used_share,
)
from onewindow.core.errors import DomainError, InvalidInput, NotFound
from onewindow.core.timeutil import now
from onewindow.org.authz import can, scope_q
from onewindow.org.models import ApplicantKind, Department, Hall
from onewindow.org.selectors import hall_get_main

# Open cases: running or suspended (the worklist shows both).
OPEN_STATES = (*RUNNING, CaseStatus.SUSPENDED)
# A running case turns yellow when at most this share of its promised time is left, or its
# deadline falls on or before the next working day (clock.workdays.WarningPolicy defaults).
WARNING_SHARE_DENOMINATOR = 5  # 20 %
WORKLIST_MAX_LIMIT = 200
# What a worklist row carries (the API and the department queue page show these): the case's
# own columns, and of its relations only the names and numbers shown, so a page of 50 does not
# load and decode every application's form data and every item version's settings.
_DEPARTMENT_FIELDS = ("id", "code", "name", "short_name", "region")
WORKLIST_FIELDS = (
    *(f.name for f in Case._meta.concrete_fields),
    "application__id",
    "application__number",
    "application__draft_ref",
    "application__applicant_id",
    "application__applicant__id",
    "application__applicant__kind",
    "application__applicant__name",
    "item_version__id",
    "item_version__item_id",
    "item_version__number",
    "item_version__item__id",
    "item_version__item__code",
    "item_version__item__name",
    *(f"department__{f}" for f in _DEPARTMENT_FIELDS),
    *(f"step_department__{f}" for f in _DEPARTMENT_FIELDS),
)


def due_day(instant: dt.datetime | None) -> dt.date | None:
    """The last day of a deadline, in local time. Day limits end at the midnight after their last
    day (``clock.workdays``), so the instant itself is one tick past that day."""
    if instant is None:
        return None
    return timezone.localtime(instant - dt.timedelta(microseconds=1)).date()


# ---- lookups -------------------------------------------------------------------------------------


def application_get(number_or_ref: str) -> Application:
    """The application with this acceptance number or submission reference; ``NotFound`` otherwise."""
    key = (number_or_ref or "").strip()
    found = (
        Application.objects.select_related("applicant", "region", "hall", "item", "bundle", "bundle_option")
        .filter(Q(number=key) | Q(draft_ref=key))
        .first()
        if key and len(key) <= 32 and "\x00" not in key
        else None
    )
    if found is None:
        raise NotFound(f"申请“{key[:40]}”不存在或无权查看")
    return found


def application_visible(application: Application, user: Any) -> bool:
    """Window staff and agents of its region, and staff of any department handling one of its
    cases (or its single item), may see an application."""
    region = application.region
    if can(user, "case.view", region=region) or can(user, "application.submit_on_behalf", region=region):
        return True
    departments = {c.step_department for c in application.cases.select_related("step_department")}
    departments |= {c.department for c in application.cases.select_related("department")}
    if application.item_id:
        departments.add(application.item.department)
    return any(can(user, "case.view", department=d) for d in departments)


def application_get_for_user(number_or_ref: str, user: Any) -> Application:
    """``application_get`` restricted to what ``user`` may see (``NotFound`` otherwise, so that
    existence does not leak)."""
    application = application_get(number_or_ref)
    if not application_visible(application, user):
        raise NotFound(f"申请“{number_or_ref[:40]}”不存在或无权查看")
    return application


def application_detail(number_or_ref: str, user: Any) -> Application:
    """A visible application with its materials, correction notices and cases prefetched."""
    application = application_get_for_user(number_or_ref, user)
    return (
        Application.objects.select_related("applicant", "region", "hall", "item", "bundle", "bundle_option")
        .prefetch_related(
            Prefetch("materials", ApplicationMaterial.objects.select_related("material").order_by("pk")),
            Prefetch("corrections", CorrectionNotice.objects.order_by("issued_at", "pk")),
            Prefetch(
                "cases",
                Case.objects.select_related("item_version__item", "step_department", "department").order_by(
                    "number"
                ),
            ),
        )
        .get(pk=application.pk)
    )


def _case_queryset() -> QuerySet[Case]:
    return Case.objects.select_related(
        "application__applicant",
        "application__region",
        "item_version__item",
        "department__region",
        "step_department__region",
    )


def case_get(number: str) -> Case:
    """The case with this number; ``NotFound`` otherwise."""
    key = (number or "").strip()
    found = (
        _case_queryset().filter(number=key).first() if key and len(key) <= 40 and "\x00" not in key else None
    )
    if found is None:
        raise NotFound(f"办件“{key[:40]}”不存在或无权查看")
    return found


def case_visible(case: Case, user: Any) -> bool:
    """Staff of the case's queue or responsible department, of a department asked for an opinion,
    or with a region-wide role where the application was made, may see a case."""
    if can(user, "case.view", department=case.step_department) or can(
        user, "case.view", department=case.department
    ):
        return True
    if can(user, "case.view", region=case.application.region):
        return True
    prefetched = getattr(case, "_prefetched_objects_cache", {}).get("opinions")
    opinions = prefetched if prefetched is not None else case.opinions.select_related("department")
    return any(can(user, "case.opinion", department=o.department) for o in opinions)


def case_get_for_user(number: str, user: Any) -> Case:
    """``case_get`` restricted to what ``user`` may see (``NotFound`` otherwise)."""
    case = case_get(number)
    if not case_visible(case, user):
        raise NotFound(f"办件“{number[:40]}”不存在或无权查看")
    return case


def case_detail(number: str, user: Any) -> Case:
    """A visible case with its events, opinions, suspensions, extensions and findings prefetched
    (``NotFound`` otherwise). One fetch: the visibility check reads the prefetched opinions."""
    key = (number or "").strip()
    rows = (
        _case_queryset()
        .select_related("post_verification__department")
        .prefetch_related(
            Prefetch("events", CaseEvent.objects.select_related("actor__staff").order_by("at", "pk")),
            Prefetch(
                "opinions", Opinion.objects.select_related("department", "given_by__staff").order_by("pk")
            ),
            # The model's ordering ("case", "started_at") would join the case again to sort by
            # the case's own ordering: all rows here belong to one case.
            Prefetch("suspensions", Suspension.objects.order_by("started_at")),
            "extensions",
            "findings",
        )
        .filter(number=key)
        # The number is unique: no ORDER BY (``first()`` would sort by the model's ordering, and
        # building that clause over eleven joined tables cost a fifth of compiling the query).
        .order_by()[:1]
        if key and len(key) <= 40 and "\x00" not in key
        else ()
    )
    found = next(iter(rows), None)
    if found is None or not case_visible(found, user):
        raise NotFound(f"办件“{key[:40]}”不存在或无权查看")
    return found


def opinion_get_for_user(opinion_id: int, user: Any) -> Opinion:
    """An opinion request that ``user`` may answer or see; ``NotFound`` otherwise."""
    opinion = (
        Opinion.objects.select_related(
            "department__region", "case__application__region", "case__step_department"
        )
        .filter(pk=opinion_id)
        .first()
    )
    if opinion is None or not (
        can(user, "case.opinion", department=opinion.department) or case_visible(opinion.case, user)
    ):
        raise NotFound(f"联审意见 {opinion_id} 不存在或无权查看")
    return opinion


def inspection_get_for_user(inspection_id: int, user: Any) -> Inspection:
    """A joint site inspection of an application ``user`` may see; ``NotFound`` otherwise."""
    inspection = (
        Inspection.objects.select_related("application__region", "application__item__department")
        .filter(pk=inspection_id)
        .first()
    )
    if inspection is None or not application_visible(inspection.application, user):
        raise NotFound(f"踏勘 {inspection_id} 不存在或无权查看")
    return inspection


def extension_get_for_user(extension_id: int, user: Any) -> Extension:
    """An extension request on a case ``user`` may see; ``NotFound`` otherwise."""
    extension = (
        Extension.objects.select_related(
            "case__application__region", "case__department__region", "case__step_department__region"
        )
        .filter(pk=extension_id)
        .first()
    )
    if extension is None or not case_visible(extension.case, user):
        raise NotFound(f"延期申请 {extension_id} 不存在或无权查看")
    return extension


def department_get(code: str) -> Department:
    """An active department by code (the county-level one first: codes are unique per region);
    ``InvalidInput`` if there is none."""
    found = Department.objects.filter(code=code, is_active=True).order_by("region__code").first()
    if found is None:
        raise InvalidInput(f"部门编码“{code[:32]}”不存在", errors={"department": [code[:32]]})
    return found


def department_get_for_case(case: Case, code: str) -> Department:
    """A department by code, in the region of the case's responsible department (codes are unique
    per region); ``InvalidInput`` if there is none."""
    found = Department.objects.filter(code=code, region_id=case.department.region_id, is_active=True).first()
    return found or department_get(code)


def application_hall(application: Application) -> Hall | None:
    """The hall named on the application's notices: its own hall, else the main county hall."""
    return application.hall if application.hall_id else hall_get_main()


def application_allowed_actions(application: Application) -> list[str]:
    return allowed_actions(APPLICATION_TRANSITIONS, application.status)


def case_allowed_actions(case: Case) -> list[str]:
    return allowed_actions(CASE_TRANSITIONS, case.status)


# ---- worklist ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorklistRow:
    case: Case
    warning: str


@dataclass(frozen=True)
class WorklistPage:
    rows: list[WorklistRow]
    next_cursor: str | None


def _encode_cursor(due: dt.datetime | None, pk: int) -> str:
    raw = json.dumps([due.isoformat() if due else None, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[dt.datetime | None, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        due_text, pk = json.loads(raw)
        due = dt.datetime.fromisoformat(due_text) if due_text is not None else None
        if not isinstance(pk, int) or isinstance(pk, bool) or (due is not None and due.tzinfo is None):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise InvalidInput("翻页游标无效，请从第一页重新查询", errors={"after": ["无效"]}) from None
    return due, pk


def _next_working_day_end(at: dt.datetime) -> dt.datetime:
    """The end of the next working day after ``at``'s local day: a deadline at or before it has at
    most one working day left (national calendar, loaded once per process)."""
    local_day = timezone.localtime(at).date()
    try:
        following = work_calendar().next_working_day(local_day)
    except (CalendarRangeError, DomainError):
        following = local_day + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(following + dt.timedelta(days=1), dt.time()))


def _warning_q(level: str, at: dt.datetime, soon: dt.datetime) -> Q:
    """SQL for the cheap warning rule (the same as ``_warning_of``) over the annotations
    ``_left5`` (5 × time left) and ``_span`` (promised time); a stopped clock counts as normal."""
    if level == WarningLevel.OVERDUE:
        return Q(promised_due_at__lte=at)
    if level == WarningLevel.WARNING:
        return Q(promised_due_at__gt=at) & (Q(promised_due_at__lte=soon) | Q(_left5__lte=F("_span")))
    return Q(promised_due_at__isnull=True) | (Q(promised_due_at__gt=soon) & Q(_left5__gt=F("_span")))


def _warning_of(due: dt.datetime | None, accepted_at: dt.datetime, at: dt.datetime, soon: dt.datetime) -> str:
    if due is None:
        return WarningLevel.NORMAL
    if due <= at:
        return WarningLevel.OVERDUE
    if due <= soon or (due - at) * WARNING_SHARE_DENOMINATOR <= due - accepted_at:
        return WarningLevel.WARNING
    return WarningLevel.NORMAL


def worklist(
    user: Any,
    *,
    department: Department | None = None,
    status: str | None = None,
    warning: str | None = None,
    due_before: dt.datetime | None = None,
    after: str | None = None,
    limit: int = 50,
) -> WorklistPage:
    """The department worklist: open cases in the queues of departments ``user`` may review, by
    promised deadline then id (cases whose clock is stopped come last), a page at a time.

    Keyset pagination: ``after`` is the opaque cursor of the previous page's last row, so pages
    never skip or repeat a case while others are added. The query runs on the partial index
    ``case_open_queue_idx`` (step_department, promised_due_at, id over open cases: no sort node,
    whatever the table's size) or ``case_worklist_idx`` (step_department, status, promised_due_at,
    id) where the partial index does not apply (SQLite with a status filter). Warning levels
    (normal / warning / overdue) are computed from the promised deadline: overdue from the deadline
    on; warning when it falls on or before the next working day or at most 20 % of the promised
    time is left. Raises ``InvalidInput`` for an unknown status or warning level or a malformed cursor.
    """
    rows, next_cursor, at, soon = _worklist_fetch(
        user,
        department=department,
        status=status,
        warning=warning,
        due_before=due_before,
        after=after,
        limit=limit,
        shape=lambda qs: qs.select_related(
            "application__applicant", "item_version__item", "step_department", "department"
        ).only(*WORKLIST_FIELDS),
        due_and_pk=lambda c: (c.promised_due_at, c.pk),
    )
    return WorklistPage(
        rows=[
            WorklistRow(case=c, warning=_warning_of(c.promised_due_at, c.accepted_at, at, soon)) for c in rows
        ],
        next_cursor=next_cursor,
    )


# The columns of a worklist row in the API (``worklist_items``): one query of plain values.
WORKLIST_ITEM_VALUES = (
    "id",
    "number",
    "application__number",
    "application__draft_ref",
    "application__applicant__name",
    "item_version__item__name",
    "department__name",
    "step_department__name",
    "status",
    "accepted_at",
    "promised_due_at",
    "deficient",
    "commitment",
)


@dataclass(frozen=True)
class WorklistItemsPage:
    rows: list[dict[str, Any]]  # WORKLIST_ITEM_VALUES, and "warning"
    next_cursor: str | None


def worklist_items(
    user: Any,
    *,
    department: Department | None = None,
    status: str | None = None,
    warning: str | None = None,
    due_before: dt.datetime | None = None,
    after: str | None = None,
    limit: int = 50,
) -> WorklistItemsPage:
    """``worklist`` as plain values, for the API: the same cases, order, warnings and cursor, but
    one dictionary of ``WORKLIST_ITEM_VALUES`` per row instead of seven model instances (a case,
    its application, applicant, item version, item and two departments)."""
    rows, next_cursor, at, soon = _worklist_fetch(
        user,
        department=department,
        status=status,
        warning=warning,
        due_before=due_before,
        after=after,
        limit=limit,
        shape=lambda qs: qs.values(*WORKLIST_ITEM_VALUES),
        due_and_pk=lambda r: (r["promised_due_at"], r["id"]),
    )
    for r in rows:
        r["warning"] = _warning_of(r["promised_due_at"], r["accepted_at"], at, soon)
    return WorklistItemsPage(rows=rows, next_cursor=next_cursor)


def _worklist_fetch(
    user: Any,
    *,
    department: Department | None,
    status: str | None,
    warning: str | None,
    due_before: dt.datetime | None,
    after: str | None,
    limit: int,
    shape: Callable[[QuerySet[Case]], QuerySet[Any]],
    due_and_pk: Callable[[Any], tuple[dt.datetime | None, int]],
) -> tuple[list[Any], str | None, dt.datetime, dt.datetime]:
    """The rows of one worklist page as ``shape`` selects them, the next page's cursor, and the
    instants the warning levels are measured against (now, the end of the next working day)."""
    if status is not None and status not in OPEN_STATES:
        raise InvalidInput(f"状态“{status[:24]}”不是待办状态", errors={"status": [status[:24]]})
    if warning is not None and warning not in {w.value for w in WarningLevel}:
        raise InvalidInput(f"预警级别“{warning[:12]}”无效", errors={"warning": [warning[:12]]})
    limit = max(1, min(int(limit), WORKLIST_MAX_LIMIT))
    at = now()
    soon = _next_working_day_end(at)
    qs = Case.objects.filter(scope_q(user, "case.review", department_field="step_department"))
    qs = qs.filter(status=status) if status else qs.filter(status__in=OPEN_STATES)
    if department is not None:
        qs = qs.filter(step_department=department)
    if due_before is not None:
        qs = qs.filter(promised_due_at__lt=due_before)
    if warning is not None:
        qs = qs.annotate(
            _left5=ExpressionWrapper(
                (F("promised_due_at") - Value(at, output_field=DateTimeField())) * WARNING_SHARE_DENOMINATOR,
                output_field=DurationField(),
            ),
            _span=ExpressionWrapper(F("promised_due_at") - F("accepted_at"), output_field=DurationField()),
        ).filter(_warning_q(warning, at, soon))
    qs = shape(qs)
    cursor_due, cursor_pk = _decode_cursor(after) if after else (None, None)
    rows: list[Any] = []
    if cursor_pk is None or cursor_due is not None:
        dated = qs.filter(promised_due_at__isnull=False)
        if cursor_pk is not None:
            dated = dated.filter(
                Q(promised_due_at__gt=cursor_due) | Q(promised_due_at=cursor_due, pk__gt=cursor_pk)
            )
        rows = list(dated.order_by("promised_due_at", "pk")[: limit + 1])
    if len(rows) <= limit and due_before is None:
        undated = qs.filter(promised_due_at__isnull=True)
        if cursor_pk is not None and cursor_due is None:
            undated = undated.filter(pk__gt=cursor_pk)
        rows += list(undated.order_by("pk")[: limit + 1 - len(rows)])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode_cursor(*due_and_pk(rows[-1])) if more else None
    return rows, next_cursor, at, soon


# ---- deadline figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LimitFigures:
    """One limit (promised or statutory) of a case, measured at ``at``."""

    limit: str
    unit: str
    due_at: dt.datetime | None
    due_day: dt.date | None
    elapsed: float | None  # working days, natural days or working minutes, as the unit counts
    remaining: float | None
    used_share: float | None
    warning: str | None  # only while the case runs
    compression: float | None  # only once decided


@dataclass(frozen=True)
class CaseFigures:
    at: dt.datetime
    running: bool
    provisional: bool
    extension_days: int
    promised: LimitFigures | None
    legal: LimitFigures | None
    notes: list[str] = field(default_factory=list)


def _ratio(value: Fraction | None) -> float | None:
    return round(float(value), 4) if value is not None else None


def _limit_figures(
    case: Case,
    limit: Duration | None,
    due: dt.datetime | None,
    cal: WorkCalendar,
    end: dt.datetime,
    pauses: list,
    extensions: list,
    running: bool,
    soon: dt.datetime,
) -> LimitFigures | None:
    if limit is None:
        return None
    same = extensions if limit.unit == Unit.WORKDAY else []
    used = elapsed(case.accepted_at, end, limit.unit, cal, pauses=pauses)
    left = remaining(end, case.accepted_at, limit, cal, pauses=pauses, extensions=same)
    share = used_share(case.accepted_at, end, limit, cal, pauses=pauses, extensions=same)
    level = None
    if running:
        if due is None:
            level = WarningLevel.NORMAL
        elif end >= due:
            level = WarningLevel.OVERDUE
        elif due <= soon or (share is not None and 1 - share <= Fraction(1, WARNING_SHARE_DENOMINATOR)):
            level = WarningLevel.WARNING
        else:
            level = WarningLevel.NORMAL
    squeeze = None
    if not running and limit.base_value > 0 and limit.unit in (Unit.WORKDAY, Unit.NATURAL_DAY):
        # Whole days used, rounded up (a part-day counts as a day), against the limit.
        days = int(used) + (1 if used % 1 else 0)
        squeeze = _ratio(compression(days, limit.base_value))
    return LimitFigures(
        limit=str(limit),
        unit=str(limit.unit),
        due_at=due,
        due_day=due_day(due),
        elapsed=_ratio(used),
        remaining=_ratio(left),
        used_share=_ratio(share),
        warning=level,
        compression=squeeze,
    )


def case_figures(case: Case) -> CaseFigures:
    """Deadline figures of a case: promised and statutory limits with their deadlines, the working
    time used (pauses excluded, 行政许可法 第四十五条) until now or the decision, the share used, what
    is left, the warning level while it runs and, once decided, the compression 1 − used/limit."""
    at = now()
    running = case.status in OPEN_STATES
    end = at if running else (case.decided_at or case.closed_at or at)
    end = max(end, case.accepted_at)
    version = case.item_version
    pauses = [(s.started_at, s.ended_at) for s in case.suspensions.all()]
    extensions = [Duration(e.days, Unit.WORKDAY) for e in case.extensions.all() if e.status == "approved"]
    notes: list[str] = []
    try:
        cal = work_calendar(calendar_for_region(region=case.application.region))
        soon = _next_working_day_end(at)
        promised = _limit_figures(
            case, version.promised_limit, case.promised_due_at, cal, end, pauses, extensions, running, soon
        )
        legal = _limit_figures(
            case, version.legal_limit, case.legal_due_at, cal, end, pauses, extensions, running, soon
        )
    except CalendarRangeError:
        promised = legal = None
        notes.append("工作日历尚未覆盖本办件的全部期间，暂无法计算用时")
    if case.deadline_provisional:
        notes.append("期限跨入尚未公布节假日安排的年份，暂按周末计算，公布后自动重算")
    if case.status == CaseStatus.SUSPENDED:
        notes.append("办件已中止，暂停计时")
    return CaseFigures(
        at=at,
        running=running,
        provisional=case.deadline_provisional,
        extension_days=case.extension_days,
        promised=promised,
        legal=legal,
        notes=notes,
    )


# ---- public tracking -----------------------------------------------------------------------------

# Events shown to the public, with their wording; everything else (internal opinions, material
# bookkeeping, timers) stays inside.
PUBLIC_EVENTS: dict[str, str] = {
    "create": "创建申请",
    "submit": "提交申请",
    "request_correction": "一次性告知补正",
    "resubmit": "补正后重新提交",
    "accept": "受理",
    "deem_accept": "逾期未告知补正，视为受理",
    "refuse": "不予受理",
    "withdraw": "撤回申请",
    "supply_material": "补交容缺材料",
    "open": "转部门办理",
    "start_review": "开始审查",
    "start_inspection": "现场核查",
    "finish_inspection": "完成现场核查",
    "submit_for_decision": "审查完毕，待决定",
    "approve": "准予许可",
    "deny": "不予许可",
    "issue": "制发证照",
    "suspend": "中止（暂停计时）",
    "resume": "恢复计时",
    "approve_extension": "经批准延长办理期限",
    "deliver": "统一出件",
    "close": "办结",
    "revoke": "撤销许可",
}
MIN_SUFFIX, MAX_SUFFIX = 4, 6


@dataclass(frozen=True)
class PublicEvent:
    at: dt.datetime
    action: str
    label: str
    case: str | None


@dataclass(frozen=True)
class PublicCase:
    number: str
    item: str
    status: str
    status_label: str
    department: str
    due_day: dt.date | None
    decision: str


@dataclass(frozen=True)
class PublicTracking:
    number: str
    title: str
    status: str
    status_label: str
    applicant: str
    applicant_id: str
    received_at: dt.datetime | None
    accepted_at: dt.datetime | None
    joint_due_day: dt.date | None
    cases: list[PublicCase]
    events: list[PublicEvent]


def _masked_name(application: Application) -> str:
    applicant = application.applicant
    name = applicant.name
    if applicant.kind != ApplicantKind.PERSON or len(name) < 2:
        return name
    return name[0] + "*" * (len(name) - 1) if len(name) == 2 else name[0] + "*" * (len(name) - 2) + name[-1]


def application_track(number: str, id_suffix: str) -> PublicTracking:
    """Public tracking (查询办件进度): the application with this number (or submission reference)
    whose applicant's ID number or credit code ends with ``id_suffix`` (4–6 characters, any case).

    An unknown number and a wrong suffix give the same ``NotFound``, so the answer never tells
    whether a number exists. Only public-safe data: no staff names, notes or internal steps, the
    applicant's name and number masked.
    """
    suffix = (id_suffix or "").strip().upper()
    refused = NotFound("未找到与受理编号和证件号码后几位相符的申请，请核对后重试")
    if not MIN_SUFFIX <= len(suffix) <= MAX_SUFFIX:
        raise refused
    try:
        application = application_get(number)
    except NotFound:
        raise refused from None
    if not application.applicant.id_number.upper().endswith(suffix):
        raise refused
    cases = list(application.cases.select_related("item_version__item", "step_department").order_by("number"))
    events = [
        PublicEvent(
            at=e.at,
            action=e.action,
            label=PUBLIC_EVENTS[e.action],
            case=e.case.number if e.case_id else None,
        )
        for e in application.events.select_related("case").order_by("at", "pk")
        if e.action in PUBLIC_EVENTS
    ]
    return PublicTracking(
        number=application.number or application.draft_ref,
        title=application.title,
        status=application.status,
        status_label=application.get_status_display(),
        applicant=_masked_name(application),
        applicant_id=application.applicant.masked_id_number,
        received_at=application.received_at,
        accepted_at=application.accepted_at,
        joint_due_day=due_day(application.joint_due_at),
        cases=[
            PublicCase(
                number=c.number,
                item=c.item_version.item.name,
                status=c.status,
                status_label=c.get_status_display(),
                department=c.step_department.name,
                due_day=due_day(c.promised_due_at),
                decision=c.get_decision_display() if c.decision else "",
            )
            for c in cases
        ],
        events=events,
    )


# ---- online applicants (网上申请) ------------------------------------------------------------------
#
# Online applicants have no login. The one way the intake services run without a staff actor:
# ``actor`` is ``None``, the application's channel is ``online`` and the caller presents the
# application's random ``access_token`` (handed to the applicant as the "continue" link).
# Anything else still goes through ``require`` — an anonymous actor without the token is refused,
# and staff-only actions (accept, correction, refuse, 容缺) are never opened this way.


def online_token_holds(actor: Any, application: Application, token: str | None) -> bool:
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
    online_token_holds(None, application, token)
    return application


def missing_materials(application: Application) -> list[ApplicationMaterial]:
    """Required materials neither provided nor covered by 容缺, 告知承诺 or shared data."""
    return list(
        application.materials.select_related("material").filter(required=True, state=MaterialState.MISSING)
    )
