"""Reads: when a case counts as finished, the rating window, and the rates exactly as the seeds
report them (评价率, 满意率, 差评整改率, 按时办结率), each returned with its definition.

Definitions (also returned with every figure, and shown on the pages):

* **Finished case (办结)**: a case on which the department has made its decision (准予 or 不予),
  i.e. ``Case.decided_at`` is set — statuses 准予许可, 不予许可, 已制证, 已送达, 已办结 and a later
  已撤销. Seed 004 defines 办结 the same way: "从受理申请到作出办理决定、形成办理结果". The rating
  window opens at that instant, and a case counts in the period in which it was decided.
* **Rating rate (评价率)** = finished cases of the period that have a real (non-default) rating
  ÷ finished cases of the period. Seed 002 (常德武陵): 评价率 90.5 %.
* **Satisfaction rate (满意率)** = real ratings of the period whose level is a satisfied level
  ÷ real ratings of the period (by ``rated_at``). Satisfied levels are configurable
  (``ONEWINDOW_RATINGS_SATISFIED_LEVELS``), by default 非常满意 + 满意 + 基本满意: everything but the
  差评 of 国办发〔2019〕51号. Seeds: 98.77 %, 99.87 %, 100 %.
* **Bad-rating rectification rate (差评整改率)** = bad ratings of the period whose rectification a
  supervisor has verified (已核实 or 已公开) ÷ bad ratings of the period.
* **Default ratings** (silence turned into a rating when ``ONEWINDOW_RATINGS_DEFAULT_ON_SILENCE`` is
  on) are excluded from every rate above and reported apart as ``default_ratings``.
* **On-time rate (按承诺时限办结率)** = cases decided in the period before their promised deadline
  ÷ cases decided in the period that have a promised deadline.

A period is a range of local dates (Asia/Shanghai), both ends included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from onewindow.cases.models import Application, Case
from onewindow.cases.selectors import application_get
from onewindow.core.errors import NotFound
from onewindow.core.timeutil import now
from onewindow.org.authz import scope_q
from onewindow.org.models import Department, ServiceWindow
from onewindow.ratings import conf
from onewindow.ratings.models import BAD_LEVELS, Level, Rating, Rectification, RectificationState

FINISHED_DEFINITION = "办结：承办部门已作出办理决定（准予或不予），以决定时间计入期间"
RATING_RATE_DEFINITION = "评价率 = 期间内办结且已评价（不含默认评价）的办件数 ÷ 期间内办结的办件数"
SATISFACTION_RATE_DEFINITION = (
    "满意率 = 期间内评价等级为{levels}的评价数 ÷ 期间内评价总数（不含默认评价，按评价时间计）"
)
RECTIFICATION_RATE_DEFINITION = (
    "差评整改率 = 期间内差评（不满意、非常不满意）中整改已经督查核实的件数 ÷ 期间内差评件数（不含默认评价）"
)
ON_TIME_RATE_DEFINITION = (
    "按时办结率 = 期间内在承诺期限前作出决定的办件数 ÷ 期间内作出决定且有承诺期限的办件数"
)
VERIFIED_STATES = (RectificationState.VERIFIED, RectificationState.PUBLISHED)


# ---- finished cases and the rating window ---------------------------------------------------------


def case_finished_at(case: Case) -> dt.datetime | None:
    """When the case was finished (办结: decided), or None while it is still being handled."""
    return case.decided_at


def rating_window_closes_at(case: Case) -> dt.datetime | None:
    """The instant the rating window closes: 24:00 of the N-th natural day after the day the case
    was finished (N = ``ONEWINDOW_RATINGS_WINDOW_DAYS``, default 30). None while unfinished."""
    finished = case_finished_at(case)
    if finished is None:
        return None
    last_day = timezone.localdate(finished) + dt.timedelta(days=conf.window_days())
    return _start_of(last_day + dt.timedelta(days=1))


def rating_window_cutoff(at: dt.datetime | None = None) -> dt.datetime:
    """Cases finished before this instant have a closed rating window at ``at`` (default now)."""
    today = timezone.localdate(at or now())
    return _start_of(today - dt.timedelta(days=conf.window_days()))


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


# ---- rates ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """A rate with what it is made of: ``numerator``/``denominator`` and the definition text.
    ``rate`` is None when the denominator is 0 (nothing to count)."""

    name: str
    numerator: int
    denominator: int
    definition: str
    default_ratings: int = 0  # default ratings in the same scope, counted apart
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    @property
    def percent(self) -> Decimal | None:
        """The rate in percent, rounded half up to two decimals (90.48 → shown as 90.48 %)."""
        if not self.denominator:
            return None
        value = Decimal(self.numerator * 100) / Decimal(self.denominator)
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "rate": None if self.rate is None else str(self.rate),
            "percent": self.percent,
            "definition": self.definition,
            "default_ratings": self.default_ratings,
        }


@dataclass(frozen=True)
class Scope:
    """Which ratings and cases a figure is about: a period (local dates, inclusive) and optionally
    one department (with its sub-departments), one window or one staff member (the officer who
    accepted or the staff member who decided)."""

    start: dt.date
    end: dt.date
    department: Department | None = None
    window: ServiceWindow | None = None
    staff: Any | None = None  # a user
    region_prefix: str | None = None  # the significant digits of a region code (Region.prefix)

    @property
    def since(self) -> dt.datetime:
        return _start_of(self.start)

    @property
    def until(self) -> dt.datetime:
        return _start_of(self.end + dt.timedelta(days=1))


def department_ids(department: Department) -> list[int]:
    ids, frontier = {department.pk}, [department.pk]
    while frontier:
        frontier = list(Department.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier = [pk for pk in frontier if pk not in ids]
        ids.update(frontier)
    return sorted(ids)


def finished_cases(scope: Scope) -> QuerySet[Case]:
    """Cases finished (decided) in the scope's period, in its department / window / staff."""
    cases = Case.objects.filter(decided_at__gte=scope.since, decided_at__lt=scope.until)
    if scope.department is not None:
        cases = cases.filter(department_id__in=department_ids(scope.department))
    if scope.window is not None:
        cases = cases.filter(application__window=scope.window)
    if scope.staff is not None:
        cases = cases.filter(Q(application__accepted_by=scope.staff) | Q(decided_by=scope.staff))
    if scope.region_prefix:
        cases = cases.filter(application__region__code__startswith=scope.region_prefix)
    return cases


def ratings_in(scope: Scope, *, default: bool = False) -> QuerySet[Rating]:
    """Ratings made in the scope's period (real ones, or with ``default`` the default ones)."""
    ratings = Rating.objects.filter(rated_at__gte=scope.since, rated_at__lt=scope.until, is_default=default)
    return _in_scope(ratings, scope)


def ratings_of_finished(scope: Scope) -> QuerySet[Rating]:
    """Ratings of the cases finished in the scope's period. A rating carries its case's decision
    time (``finished_at``) and department, window and officers, so this needs no join to cases
    except for the region."""
    ratings = Rating.objects.filter(finished_at__gte=scope.since, finished_at__lt=scope.until)
    return _in_scope(ratings, scope)


def _in_scope(ratings: QuerySet[Rating], scope: Scope) -> QuerySet[Rating]:
    """Ratings of the scope's department, window, staff member and region (a rating carries its
    case's department, window and officers)."""
    if scope.department is not None:
        ratings = ratings.filter(department_id__in=department_ids(scope.department))
    if scope.window is not None:
        ratings = ratings.filter(window=scope.window)
    if scope.staff is not None:
        ratings = ratings.filter(Q(accepted_by=scope.staff) | Q(decided_by=scope.staff))
    if scope.region_prefix:
        ratings = ratings.filter(case__application__region__code__startswith=scope.region_prefix)
    return ratings


def rating_rate(scope: Scope) -> Rate:
    """评价率: finished cases with a real rating ÷ finished cases (see the module docstring)."""
    rated = ratings_of_finished(scope).aggregate(
        real=Count("id", filter=Q(is_default=False)), default=Count("id", filter=Q(is_default=True))
    )
    return Rate(
        name="评价率",
        numerator=rated["real"],
        denominator=finished_cases(scope).count(),
        definition=f"{RATING_RATE_DEFINITION}（{FINISHED_DEFINITION}）",
        default_ratings=rated["default"],
    )


def satisfaction_rate(scope: Scope) -> Rate:
    """满意率: satisfied-level ratings ÷ ratings, default ratings apart (see the module docstring)."""
    levels = sorted(conf.satisfied_levels(), reverse=True)
    names = "、".join(str(Level(level).label) for level in levels)
    counted = dict(ratings_in(scope).values_list("level").annotate(n=Count("id")).order_by())
    by_level = {level: counted.get(level, 0) for level in range(5, 0, -1)}
    return Rate(
        name="满意率",
        numerator=sum(by_level[level] for level in levels),
        denominator=sum(by_level.values()),
        definition=SATISFACTION_RATE_DEFINITION.format(levels=names),
        default_ratings=ratings_in(scope, default=True).count(),
        extra={"by_level": {str(Level(k).label): v for k, v in by_level.items()}},
    )


def rectification_rate(scope: Scope) -> Rate:
    """差评整改率: bad ratings whose rectification is verified ÷ bad ratings (see module docstring)."""
    bad = ratings_in(scope).filter(level__in=sorted(BAD_LEVELS))
    return Rate(
        name="差评整改率",
        numerator=bad.filter(rectification__state__in=VERIFIED_STATES).count(),
        denominator=bad.count(),
        definition=RECTIFICATION_RATE_DEFINITION,
        default_ratings=ratings_in(scope, default=True).count(),
    )


def on_time_rate(scope: Scope) -> Rate:
    """按时办结率: cases decided before their promised deadline ÷ decided cases with one.

    The deadline instant is exclusive (a case is overdue from it on: clock.workdays)."""
    decided = finished_cases(scope).filter(promised_due_at__isnull=False)
    return Rate(
        name="按时办结率",
        numerator=decided.filter(decided_at__lt=F("promised_due_at")).count(),
        denominator=decided.count(),
        definition=ON_TIME_RATE_DEFINITION,
    )


def rates_summary(scope: Scope) -> dict[str, Rate]:
    """The three rating figures of one scope, keyed ``rating_rate``, ``satisfaction_rate``,
    ``rectification_rate``."""
    return {
        "rating_rate": rating_rate(scope),
        "satisfaction_rate": satisfaction_rate(scope),
        "rectification_rate": rectification_rate(scope),
    }


# ---- lookups ----------------------------------------------------------------------------------------


def application_for_applicant(number: str, id_suffix: str) -> Application:
    """The application with this number whose applicant's ID ends with ``id_suffix`` (4–6
    characters). Unknown number and wrong suffix give the same ``NotFound`` (like tracking)."""
    suffix = (id_suffix or "").strip().upper()
    refused = NotFound("未找到与受理编号和证件号码后几位相符的申请，请核对后重试")
    if not 4 <= len(suffix) <= 6:
        raise refused
    try:
        application = application_get(number)
    except NotFound:
        raise refused from None
    if not application.applicant.id_number.upper().endswith(suffix):
        raise refused
    return application


def case_for_applicant(number: str, id_suffix: str, case_number: str = "") -> Case:
    """The case the applicant wants to rate: ``case_number`` within the application, or its only
    case. ``NotFound`` when it does not belong to the application, ``InvalidInput`` when the
    application has several cases and none was named."""
    from onewindow.core.errors import InvalidInput

    application = application_for_applicant(number, id_suffix)
    cases = application.cases.select_related("department", "application__window")
    if case_number:
        case = cases.filter(number=case_number.strip()[:40]).first()
        if case is None:
            raise NotFound(f"办件“{case_number[:40]}”不属于该申请")
        return case
    found = list(cases[:2])
    if len(found) == 1:
        return found[0]
    raise InvalidInput("该申请包含多个办件，请选择要评价的办件", errors={"case_number": ["必填"]})


@dataclass(frozen=True)
class RatableCase:
    number: str
    item: str
    department: str
    status_label: str
    finished_at: dt.datetime | None
    closes_at: dt.datetime | None
    rating: Rating | None

    @property
    def can_rate(self) -> bool:
        return self.rating is None and self.closes_at is not None and now() < self.closes_at


def ratable_cases(application: Application) -> list[RatableCase]:
    """Each case of the application with its rating window and its rating (for the public page)."""
    out = []
    for case in application.cases.select_related("item_version__item", "department").order_by("number"):
        rating = Rating.objects.select_related("rectification").filter(case=case).first()
        out.append(
            RatableCase(
                number=case.number,
                item=case.item_version.item.name,
                department=case.department.name,
                status_label=case.get_status_display(),
                finished_at=case_finished_at(case),
                closes_at=rating_window_closes_at(case),
                rating=rating,
            )
        )
    return out


def rating_list_for_user(
    user: Any,
    *,
    department: Department | None = None,
    level: int | None = None,
    bad_only: bool = False,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[Rating]:
    """Ratings the user may see (``rating.view`` within their scope), newest first."""
    ratings = Rating.objects.filter(
        scope_q(user, "rating.view", department_field="department")
    ).select_related("case", "department", "window", "rectification")
    if department is not None:
        ratings = ratings.filter(department=department)
    if level is not None:
        ratings = ratings.filter(level=level)
    if bad_only:
        ratings = ratings.filter(level__in=sorted(BAD_LEVELS))
    if start is not None:
        ratings = ratings.filter(rated_at__gte=_start_of(start))
    if end is not None:
        ratings = ratings.filter(rated_at__lt=_start_of(end + dt.timedelta(days=1)))
    return ratings


def rating_get_for_user(user: Any, pk: int) -> Rating:
    rating = rating_list_for_user(user).filter(pk=pk).first()
    if rating is None:
        raise NotFound(f"评价 {pk} 不存在或无权查看")
    return rating


def rectification_list_for_user(user: Any, *, state: str | None = None) -> QuerySet[Rectification]:
    """Rectifications the user may work on or verify, by rectification deadline."""
    q = scope_q(user, "rating.rectify", department_field="department") | scope_q(
        user, "rating.verify_rectification", department_field="department"
    )
    rows = Rectification.objects.filter(q).select_related("rating__case", "department")
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("rectify_due_at", "pk")


def rectification_get_for_user(user: Any, pk: int) -> Rectification:
    found = rectification_list_for_user(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(f"整改 {pk} 不存在或无权查看")
    return found


# ---- timers ----------------------------------------------------------------------------------------

# What the worker escalates (``ratings_fire_due``): (action, open rows, their deadline field).
RECTIFICATION_OVERDUE = (
    (
        "escalate_contact",
        Q(state=RectificationState.OPEN, contact_overdue_at__isnull=True),
        "contact_due_at",
    ),
    (
        "escalate_rectify",
        Q(
            state__in=(RectificationState.OPEN, RectificationState.CONTACTED),
            rectify_overdue_at__isnull=True,
        ),
        "rectify_due_at",
    ),
)


def rectifications_due(q: Q, due_field: str, at: dt.datetime | None = None) -> QuerySet[Rectification]:
    """Rectifications of one ``RECTIFICATION_OVERDUE`` entry past their ``due_field``, oldest first."""
    return Rectification.objects.filter(q, **{f"{due_field}__lte": at or now()}).order_by(due_field, "pk")


def cases_awaiting_default_rating(at: dt.datetime | None = None) -> QuerySet[Case]:
    """Decided cases whose rating window closed without a rating, oldest decision first (a
    default rating is recorded for them when ``conf.default_on_silence()``)."""
    # NOT EXISTS, not an outer join: PostgreSQL cannot lock the nullable side of one.
    return (
        Case.objects.filter(decided_at__lt=rating_window_cutoff(at))
        .filter(~Exists(Rating.objects.filter(case=OuterRef("pk"))))
        .order_by("decided_at", "pk")
    )


def ratings_count_due() -> int:
    """``core.timers`` count for ``onewindow tick --dry-run``: escalations (one per overdue step)
    and, with default ratings on, cases waiting for one."""
    at = now()
    count = sum(rectifications_due(q, field, at).count() for _action, q, field in RECTIFICATION_OVERDUE)
    if conf.default_on_silence():
        count += cases_awaiting_default_rating(at).count()
    return count


def ratings_oldest_due() -> dt.datetime | None:
    """``core.timers`` backlog: the oldest deadline the worker has not acted on yet — a follow-up
    or rectification past due and not escalated, or (with default ratings on) a case whose rating
    window closed without a rating. None when nothing is waiting."""
    at = now()
    found = [
        rectifications_due(q, field, at).aggregate(m=Min(field))["m"]
        for _action, q, field in RECTIFICATION_OVERDUE
    ]
    if conf.default_on_silence():
        decided = cases_awaiting_default_rating(at).aggregate(m=Min("decided_at"))["m"]
        if decided is not None:  # the window closes at the start of the day after its last day
            closed = timezone.localdate(decided) + dt.timedelta(days=conf.window_days() + 1)
            found.append(_start_of(closed))
    return min((f for f in found if f is not None), default=None)
