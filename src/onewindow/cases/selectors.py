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

from django.db.models import Count, F, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from onewindow.cases.models import (
    DECIDED_CASE_STATES,
    OPEN_CASE_STATES,
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
    Extension,
    ExtensionStatus,
    Inspection,
    JointExtension,
    MaterialState,
    Opinion,
    Suspension,
)
from onewindow.cases.transitions import APPLICATION, CASE
from onewindow.clock.selectors import calendar_for_region, work_calendar
from onewindow.clock.workdays import (
    CalendarRangeError,
    Duration,
    Unit,
    WarningLevel,
    WarningPolicy,
    WorkCalendar,
    compression,
    elapsed,
    remaining,
    used_share,
)
from onewindow.core.errors import DomainError, InvalidInput, NotFound
from onewindow.core.timeutil import now
from onewindow.org.authz import can, scope_q
from onewindow.org.models import Applicant, ApplicantKind, Department, Hall
from onewindow.org.selectors import hall_get_main

# Open cases: running or suspended (the worklist shows both); the one definition is the model's.
OPEN_STATES = OPEN_CASE_STATES
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
            Prefetch("joint_extensions", JointExtension.objects.order_by("requested_at", "pk")),
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
            Prefetch("waits_for", Case.objects.only("pk", "number").order_by("number")),
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


def joint_extension_get_for_user(extension_id: int, user: Any) -> JointExtension:
    """A joint-handling extension on an application ``user`` may see; ``NotFound`` otherwise."""
    extension = (
        JointExtension.objects.select_related("application__region", "application__bundle")
        .filter(pk=extension_id)
        .first()
    )
    if extension is None or not application_visible(extension.application, user):
        raise NotFound(f"联合办理延期申请 {extension_id} 不存在或无权查看")
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
    """The people's actions the table allows from the application's state."""
    return APPLICATION.allowed(application.status)


def case_allowed_actions(case: Case) -> list[str]:
    """The people's actions the table allows from the case's state."""
    return CASE.allowed(case.status)


def case_extension_refusal(case: Case, at: dt.datetime | None = None) -> str | None:
    """Why the case's statutory limit cannot be extended now (行政许可法 第四十二条), or None: the
    limit must count working days, its deadline must not have passed, and no request may be pending."""
    legal_limit = case.item_version.legal_limit
    if legal_limit is None:
        return "本事项没有法定办理时限，不适用行政许可法第四十二条的延期"
    if legal_limit.unit != Unit.WORKDAY:
        return (
            f"本事项的法定时限为{legal_limit}，不以工作日计，不适用行政许可法第四十二条延长十个工作日的规定"
        )
    if case.legal_due_at is not None and (at or now()) >= case.legal_due_at:
        day = timezone.localdate(case.legal_due_at - dt.timedelta(microseconds=1))
        return f"法定期限已于{day:%Y年%m月%d日}届满；延期须在法定期限届满前申请并经负责人批准"
    if any(e.status == ExtensionStatus.REQUESTED for e in case.extensions.all()):
        return "已有一项延期申请待审批"
    return None


def case_actions_for(case: Case, user: Any) -> list[str]:
    """What ``user`` may do with ``case`` now: the table's actions from its state whose guards
    pass (``cases.transitions``) and whose permission the user holds for the case's department —
    exactly what the services would accept, for the pages' buttons."""
    actions = []
    for action in CASE.allowed(case.status):
        rule = CASE.table[(case.status, action)]
        if action in ("deliver", "close"):
            where: dict[str, Any] = {"region": case.application.region}
        else:
            where = {"department": case.department if action == "revoke" else case.step_department}
        if can(user, rule.permission, **where) and CASE.permitted(case, action):
            actions.append(action)
    return actions


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
        if not isinstance(pk, int) or isinstance(pk, bool) or not 0 <= pk < 2**63:
            raise ValueError
        # Our cursors hold an aware deadline of this century; a forged year 1 at +14:00 would
        # overflow when the database converts it to UTC.
        if due is not None and (due.tzinfo is None or not 2000 <= due.year <= 2100):
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
    """SQL for the warning rule (the same as ``_warning_of``); a stopped clock counts as normal."""
    if level == WarningLevel.OVERDUE:
        return Q(promised_due_at__lte=at)
    if level == WarningLevel.WARNING:
        return Q(promised_due_at__gt=at) & (Q(promised_due_at__lte=soon) | Q(warning_at__lte=at))
    return Q(promised_due_at__isnull=True) | (
        Q(promised_due_at__gt=soon) & (Q(warning_at__isnull=True) | Q(warning_at__gt=at))
    )


def _warning_of(
    due: dt.datetime | None, warning_at: dt.datetime | None, at: dt.datetime, soon: dt.datetime
) -> str:
    """Overdue from the promised deadline on; warning once four fifths of the promised working time
    are used (``Case.warning_at``, clock.workdays.warning_moment) or the deadline falls on or before
    the end of the next working day; else normal. A stopped clock (no deadline) is normal."""
    if due is None:
        return WarningLevel.NORMAL
    if due <= at:
        return WarningLevel.OVERDUE
    if due <= soon or (warning_at is not None and warning_at <= at):
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
    on; warning when it falls on or before the next working day or four fifths of the promised
    working time are used (``Case.warning_at``). Raises ``InvalidInput`` for an unknown status or
    warning level or a malformed cursor.
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
            WorklistRow(case=c, warning=_warning_of(c.promised_due_at, c.warning_at, at, soon)) for c in rows
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
    "warning_at",
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
        r["warning"] = _warning_of(r["promised_due_at"], r.pop("warning_at"), at, soon)
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
        qs = qs.filter(_warning_q(warning, at, soon))
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
    start = case.clock_started_at
    if start is None:  # waits for another case's result: its clock has not started
        return LimitFigures(str(limit), str(limit.unit), None, None, None, None, None, None, None)
    end = max(end, start)
    extensions = extensions if limit.unit == Unit.WORKDAY else []
    used = elapsed(start, end, limit.unit, cal, pauses=pauses)
    left = remaining(end, start, limit, cal, pauses=pauses, extensions=extensions)
    share = used_share(start, end, limit, cal, pauses=pauses, extensions=extensions)
    level = None
    if running:
        if due is None:
            level = WarningLevel.NORMAL
        elif end >= due:
            level = WarningLevel.OVERDUE
        elif due <= soon or (share is not None and 1 - share <= WarningPolicy().share):
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
    # 第四十二条: an extension moves the statutory deadline only, never the promised one.
    extensions = [Duration(e.days, Unit.WORKDAY) for e in case.extensions.all() if e.status == "approved"]
    notes: list[str] = []
    try:
        cal = work_calendar(calendar_for_region(region=case.application.region))
        soon = _next_working_day_end(at)
        promised = _limit_figures(
            case, version.promised_limit, case.promised_due_at, cal, end, pauses, [], running, soon
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
    if case.clock_started_at is None:
        notes.append("须待前置办件出具结果后起算办理时限，等待期间不计时")
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
    "approve_joint_extension": "经本级人民政府负责人批准延长联合办理期限",
    "start_clock": "前置办件已出具结果，开始计时",
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
    detail: str = ""  # what the applicant is told with it (reasons, lengths, the moved deadline)


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


def _public_day(value: Any) -> str:
    """A deadline instant (stored in an event's data as text) as the last day it includes."""
    if not value:
        return ""
    instant = dt.datetime.fromisoformat(str(value)) if not isinstance(value, dt.datetime) else value
    return f"{timezone.localdate(instant - dt.timedelta(microseconds=1)):%Y年%m月%d日}"


def _public_detail(event: CaseEvent) -> str:
    """What the applicant is told with an event: the reason and expected length of a suspension
    (第四十五条), the reason and new statutory deadline of an extension (第四十二条), why an
    application counts as accepted (第三十二条)."""
    data = event.data or {}
    if event.action == "suspend":
        label = data.get("reason_label") or data.get("reason", "")
        days = data.get("expected_days")
        return f"中止原因：{label}" + (f"，预计{days}个工作日" if days else "")
    if event.action in ("approve_extension", "approve_joint_extension"):
        due = _public_day(data.get("legal_due_at"))
        return f"延长{data.get('days')}个工作日，理由：{data.get('reason', '')}" + (
            f"；法定办理期限延至{due}" if due else ""
        )
    if event.action in ("accept", "deem_accept") and data.get("deemed"):
        return "收件后五个工作日内未告知补正，依行政许可法第三十二条自收件之日起即为受理"
    if event.action == "start_clock":
        return event.note
    return ""


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
            detail=_public_detail(e),
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


def timers_due() -> QuerySet:
    """The case timers (deemed acceptance, deemed consent, reminders, warnings) that are due now
    and have neither fired nor been cancelled, oldest first: what ``timers_fire_due`` claims."""
    from onewindow.cases.models import Timer

    return Timer.objects.filter(fired_at__isnull=True, cancelled=False, due_at__lte=now()).order_by(
        "due_at", "pk"
    )


def timers_oldest_due() -> dt.datetime | None:
    """``core.timers`` backlog: the due time of the oldest due case timer (``timers_due``)."""
    return timers_due().aggregate(m=Min("due_at"))["m"]


def timers_count_due() -> int:
    """``core.timers`` count for ``onewindow tick --dry-run``: how many case timers are due."""
    return timers_due().count()


def applicant_commitment_bar(applicant: Any) -> str | None:
    """Why ``applicant`` may not use 告知承诺 now, or None: an unrepaired false-commitment record
    (国办发〔2020〕42号: 承诺不实的，依法撤销并纳入信用记录; the applicant supplies the materials
    until the record is repaired)."""
    record = (
        CreditRecord.objects.filter(applicant=applicant, kind="false_commitment", repaired_at__isnull=True)
        .order_by("-recorded_at")
        .first()
    )
    if record is None:
        return None
    day = timezone.localdate(record.recorded_at)
    return f"申请人于{day:%Y年%m月%d日}有虚假承诺记录且尚未信用修复，暂不适用告知承诺"


def version_material_keys(version: Any, applicant: Any) -> set[str]:
    """The material keys one item version asks this kind of applicant for."""
    audience = "person" if applicant.kind == ApplicantKind.PERSON else "entity"
    return {
        key
        for key, applies_to in version.requirements.values_list("material__key", "applies_to")
        if applies_to in ("all", audience)
    }


def case_material_keys(case: Case) -> set[str]:
    """The materials of the application that this case's item needs (a case page lists only these;
    a waived material holds only the cases that need it)."""
    return version_material_keys(case.item_version, case.application.applicant)


def case_materials(case: Case) -> list[ApplicationMaterial]:
    """The application's checklist rows that this case's item needs, in checklist order."""
    keys = case_material_keys(case)
    return [m for m in case.application.materials.select_related("material").all() if m.material.key in keys]


# ---- applicants, as the window finds them --------------------------------------------------------

# Who searches applicants: the window officers and agents who apply on their behalf.
APPLICANT_SEARCH_ACTION = "application.submit_on_behalf"


def applicant_scope_q(user: Any) -> Q:
    """The applicants ``user`` may find: registered in a region of the user's scope, or who have
    applied there (an application of that region; for a department-scoped role, a case of that
    department). A town window or a village agent sees its own people, the county hall all."""
    # scope_q decides what each of the user's role assignments covers; the two paths to a region
    # are the applicant's own (registered there) and its applications' (applied there).
    cases = "application__cases__department"
    return scope_q(user, APPLICANT_SEARCH_ACTION, department_field=cases, region_field="region") | scope_q(
        user, APPLICANT_SEARCH_ACTION, department_field=cases, region_field="application__region"
    )


def _scoped(rows: QuerySet[Applicant], user: Any) -> QuerySet[Applicant]:
    # A sub-select, so that joins through several applications never repeat an applicant.
    return rows.filter(pk__in=Applicant.objects.filter(applicant_scope_q(user)).values("pk"))


def applicant_search_for_user(
    user: Any, *, id_number: str = "", name: str = "", id_suffix: str = "", limit: int = 20
) -> list[Applicant]:
    """Applicants of the user's scope found by their full ID number (or credit code), or by their
    exact name together with the last 4–6 characters of it. Nothing else is searched: a prefix of
    an ID number would let anyone read numbers out character by character (an oracle), and a part
    of a name would list strangers. The page shows the numbers masked.

    Raises ``InvalidInput`` for any other query."""
    number = (id_number or "").strip().upper()
    name = (name or "").strip()
    suffix = (id_suffix or "").strip().upper()
    if number:
        if len(number) != 18 or not number.isalnum():
            raise InvalidInput(
                "请输入完整的18位证件号码（身份证号或统一社会信用代码）",
                errors={"id_number": ["须为完整的18位"]},
            )
        rows = Applicant.objects.filter(id_number=number)
    elif name and suffix:
        if not (MIN_SUFFIX <= len(suffix) <= MAX_SUFFIX and suffix.isalnum()):
            raise InvalidInput("证件号码后几位须为4至6个字母或数字", errors={"id_suffix": ["须为4至6位"]})
        rows = Applicant.objects.filter(name=name[:200], id_number__endswith=suffix)
    else:
        raise InvalidInput(
            "请输入完整的证件号码，或同时输入姓名（名称）和证件号码后4至6位",
            errors={"id_number": ["完整号码，或姓名加后几位"]},
        )
    return list(_scoped(rows, user).order_by("name", "pk")[:limit])


def applicant_get_for_user(user: Any, pk: int) -> Applicant:
    """The applicant ``pk`` if it is in the user's scope (``applicant_scope_q``); ``NotFound``
    otherwise, so that numbering through ids shows no one else's people."""
    found = _scoped(Applicant.objects.filter(pk=pk), user).first()
    if found is None:
        raise NotFound("申请人不存在或不在您的服务范围内")
    return found


# ---- workbench lists and the supervisor's dashboard ------------------------------------------------
#
# Bounded (every list is limited) and scoped through ``org.authz.scope_q``.

LIST_LIMIT = 50


def _today_bounds() -> tuple[dt.datetime, dt.datetime]:
    start = timezone.localtime(now()).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(days=1)


def _application_scope(user: Any, action: str) -> Q:
    return scope_q(user, action, department_field="item__department", region_field="region")


def application_list_today(user: Any) -> QuerySet[Application]:
    """Applications started today where ``user`` may accept them, newest first."""
    start, end = _today_bounds()
    return (
        Application.objects.filter(_application_scope(user, "application.accept"))
        .filter(created_at__gte=start, created_at__lt=end)
        .select_related("applicant", "item", "bundle", "bundle_option")
        .order_by("-created_at")[:LIST_LIMIT]
    )


def _awaiting_delivery(user: Any, action: str) -> QuerySet[Application]:
    """Accepted applications not yet delivered whose cases are all decided, with ``delivery_due``:
    the earliest 第四十四条 due date of their decisions."""
    return (
        Application.objects.filter(_application_scope(user, action))
        .filter(status=ApplicationStatus.ACCEPTED, delivery__isnull=True, cases__isnull=False)
        .exclude(cases__status__in=[s for s in CaseStatus.values if s not in DECIDED_CASE_STATES])
        .annotate(delivery_due=Min("cases__delivery_due_at"))
    )


def application_list_ready_for_delivery(user: Any) -> list[Application]:
    """统一出件: applications whose cases are all decided, earliest delivery due date first, each
    with ``delivery_due`` (行政许可法 第四十四条: ten working days from the decision) and
    ``delivery_overdue``."""
    at = now()
    rows = list(
        _awaiting_delivery(user, "case.deliver")
        .select_related("applicant", "item", "bundle", "bundle_option")
        .order_by(F("delivery_due").asc(nulls_last=True), "accepted_at", "pk")[:LIST_LIMIT]
    )
    for row in rows:
        row.delivery_overdue = row.delivery_due is not None and row.delivery_due <= at
    return rows


def deliveries_overdue(user: Any) -> list[Application]:
    """Decided applications not delivered within ten working days of a decision (第四十四条), the
    longest overdue first, within ``user``'s supervision scope (computed, whatever the timer did)."""
    return list(
        _awaiting_delivery(user, "supervision.view")
        .filter(delivery_due__lte=now())
        .select_related("applicant", "item", "bundle", "bundle_option")
        .order_by("delivery_due", "pk")[:LIST_LIMIT]
    )


def delivery_list_today(user: Any) -> QuerySet[Delivery]:
    start, end = _today_bounds()
    return (
        Delivery.objects.filter(delivered_at__gte=start, delivered_at__lt=end)
        .filter(application__in=Application.objects.filter(_application_scope(user, "case.deliver")))
        .select_related("application__applicant", "application__item", "application__bundle")
        .order_by("-delivered_at")[:LIST_LIMIT]
    )


def opinion_list_pending(user: Any) -> QuerySet[Opinion]:
    """Joint-review opinions awaiting an answer from departments ``user`` may answer for, the
    earliest deadline first (opinions without one last)."""
    return (
        Opinion.objects.filter(scope_q(user, "case.opinion", department_field="department"))
        .filter(given_at__isnull=True)
        .select_related("case__item_version__item", "department")
        .order_by(F("due_at").asc(nulls_last=True), "pk")[:LIST_LIMIT]
    )


def extension_list_pending(user: Any) -> QuerySet[Extension]:
    """Extension requests awaiting this leader's approval, oldest first."""
    return (
        Extension.objects.filter(scope_q(user, "case.approve_extension", department_field="case__department"))
        .filter(status=ExtensionStatus.REQUESTED)
        .select_related("case__item_version__item")
        .order_by("requested_at")[:LIST_LIMIT]
    )


def joint_extension_list_pending(user: Any) -> QuerySet[JointExtension]:
    """Joint-handling extensions awaiting the 本级人民政府负责人's approval, oldest first."""
    return (
        JointExtension.objects.filter(
            scope_q(
                user,
                "application.approve_joint_extension",
                department_field="application__item__department",
                region_field="application__region",
            )
        )
        .filter(status=ExtensionStatus.REQUESTED)
        .select_related("application__applicant", "application__bundle", "application__bundle_option")
        .order_by("requested_at")[:LIST_LIMIT]
    )


@dataclass(frozen=True)
class Dashboard:
    by_status: list[tuple[str, str, int]]
    by_warning: dict[str, int]
    overdue: list[Case]
    deliveries_overdue: list[Application]
    intake_today: int
    accepted_today: int
    completed_today: int


def supervision_dashboard(user: Any) -> Dashboard:
    """Counts of open cases by state and by warning level (the worklist's rule: overdue from the
    promised deadline on; warning once four fifths of its working time are used or when it falls on
    or before the next working day), the overdue list with the responsible department, decisions
    not delivered within ten working days (第四十四条), and today's intake and completions, within
    ``user``'s supervision scope."""
    at = now()
    soon = _next_working_day_end(at)
    cases = Case.objects.filter(
        scope_q(user, "supervision.view", department_field="department", region_field="application__region")
    )
    # Open cases only: they are few and indexed (case_open_*), where counting every case ever
    # handled grows with the years; finished cases are counted by the statistics (/stats/).
    # One grouped pass counts them by state and by warning level together.
    open_cases = cases.filter(status__in=OPEN_STATES)
    overdue_q = _warning_q(WarningLevel.OVERDUE, at, soon)
    warning_q = _warning_q(WarningLevel.WARNING, at, soon)
    grouped = (
        open_cases.values("status")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=overdue_q), warning=Count("pk", filter=warning_q))
        .order_by()
    )
    counts = {g["status"]: g for g in grouped}
    by_status = [
        (value, str(label), counts[value]["n"] if value in counts else 0)
        for value, label in CaseStatus.choices
        if value in OPEN_STATES
    ]
    open_total = sum(g["n"] for g in counts.values())
    overdue_n = sum(g["overdue"] for g in counts.values())
    warning_n = sum(g["warning"] for g in counts.values())
    start, end = _today_bounds()
    applications = Application.objects.filter(
        scope_q(user, "supervision.view", department_field="item__department", region_field="region")
    )
    return Dashboard(
        by_status=by_status,
        by_warning={"normal": open_total - overdue_n - warning_n, "warning": warning_n, "overdue": overdue_n},
        overdue=list(
            open_cases.filter(overdue_q)
            .select_related("department", "step_department", "item_version__item", "application")
            .order_by("promised_due_at", "pk")[:LIST_LIMIT]
        ),
        deliveries_overdue=deliveries_overdue(user),
        intake_today=applications.filter(received_at__gte=start, received_at__lt=end).count(),
        accepted_today=applications.filter(accepted_at__gte=start, accepted_at__lt=end).count(),
        completed_today=cases.filter(closed_at__gte=start, closed_at__lt=end).count(),
    )


def delivery_for_tracking(number: str) -> Delivery | None:
    """The 统一出件 record of the application whose public tracking was just answered (by number
    or submission reference), for the applicant to see how and when the results were sent and the
    mail tracking number. Call only after ``application_track`` accepted the ID suffix."""
    return (
        Delivery.objects.filter(Q(application__number=number) | Q(application__draft_ref=number))
        .only("method", "tracking_number", "delivered_at")
        .first()
    )
