"""Statistics read from the cases, ratings and complaints (issue #11).

Every figure is computed here, the way ``stats.definitions`` describes it, and nowhere else: the
dashboard, the API, the Excel export and the annual report call ``indicators``, ``breakdown``,
``trend`` and ``drill_cases``. Each function runs a bounded number of aggregate queries over the
period's rows (indexed by received / accepted / decided time), never one query per case.

Working time is counted with the work calendar on *distinct (accepted day, decided day) pairs*
with their counts, so a year of a large county is a few thousand pairs, not millions of rows.

These functions only read (so they can run on a read replica): the figures are as fresh as the
rollups. Bringing them up to date is the caller's job — the pages and the API call
``stats.rollup.ensure_fresh()`` (small changes only), the report command and the bench refresh
fully, and the worker refreshes every tick.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from onewindow.cases.models import (
    Application,
    ApplicationMaterial,
    ApplicationStatus,
    Case,
    CaseStatus,
    Channel,
    Extension,
    ExtensionStatus,
    PostVerification,
    Suspension,
    VerificationStatus,
)
from onewindow.cases.transitions import RUNNING
from onewindow.catalog.models import LimitUnit, ServiceItem, ServiceItemVersion
from onewindow.complaints.models import Complaint, ComplaintClass
from onewindow.core.errors import InvalidInput
from onewindow.core.timeutil import now
from onewindow.org.authz import can, grants_for
from onewindow.org.models import Department, Region, RegionLevel
from onewindow.ratings import conf as ratings_conf
from onewindow.ratings import selectors as rating_selectors
from onewindow.ratings.models import BAD_LEVELS
from onewindow.stats.definitions import BY_CODE, DIMENSIONS, INDICATORS, Indicator
from onewindow.stats.models import DailyRollup, Grain, RollupKind
from onewindow.stats.periods import Period, PeriodError, parse_period, weighted_percentile

# ---- scope ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatsFilter:
    """What a figure is about: a period and optionally a region (with the regions below it) and
    a department (with its sub-departments: cases it handles, applications for its items,
    complaints assigned to it)."""

    period: Period
    region: Region | None = None
    department: Department | None = None

    @property
    def department_ids(self) -> list[int] | None:
        if self.department is None:
            return None
        return rating_selectors.department_ids(self.department)

    @property
    def since(self) -> dt.datetime:
        return _start_of(self.period.start)

    @property
    def until(self) -> dt.datetime:
        return _start_of(self.period.end + dt.timedelta(days=1))

    @property
    def region_prefix(self) -> str | None:
        """The region codes' prefix to filter on; None when there is no region, or when the
        region contains every county-level and lower region there is (a one-county deployment
        asking for its county), so no query joins cases to their regions for nothing."""
        if self.region is None or _covers_all(self.region.prefix):
            return None
        return self.region.prefix

    def rating_scope(self) -> rating_selectors.Scope:
        return rating_selectors.Scope(
            self.period.start, self.period.end, department=self.department, region_prefix=self.region_prefix
        )


_COVERS_TTL = 60.0
_covers_cache: dict[str, tuple[float, bool]] = {}


def _covers_all(prefix: str) -> bool:
    """Does every county, town and village region start with ``prefix``? (cached for a minute)"""
    hit = _covers_cache.get(prefix)
    if hit is not None and time.monotonic() - hit[0] < _COVERS_TTL:
        return hit[1]
    levels = [RegionLevel.COUNTY, RegionLevel.TOWN, RegionLevel.VILLAGE]
    covers = not Region.objects.filter(level__in=levels).exclude(code__startswith=prefix).exists()
    _covers_cache[prefix] = (time.monotonic(), covers)
    return covers


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def stats_regions(user: Any) -> list[Region]:
    """The regions whose figures ``user`` may see (``stats.view``), county level and below."""
    regions = Region.objects.filter(level__in=[RegionLevel.COUNTY, RegionLevel.TOWN, RegionLevel.VILLAGE])
    return [r for r in regions.order_by("code") if can(user, "stats.view", region=r)]


def default_region(user: Any) -> Region | None:
    """The region a user's dashboard opens on: the widest region of their ``stats.view`` grants
    (None for an unscoped grant, i.e. everything)."""
    prefixes = [g.region_prefix for g in grants_for(user) if g.role in _stats_roles()]
    if getattr(user, "is_superuser", False) or any(p is None for p in prefixes):
        return None
    for prefix in sorted(prefixes, key=len):
        region = Region.objects.filter(code__startswith=prefix).order_by("code").first()
        if region is not None:
            return region
    return None


def _department_scoped(user: Any) -> bool:
    """True when every ``stats.view`` grant of ``user`` is limited to departments (a department's
    leader): they see their departments' figures only."""
    if getattr(user, "is_superuser", False):
        return False
    grants = [g for g in grants_for(user) if g.role in _stats_roles()]
    return bool(grants) and all(g.department_ids is not None for g in grants)


def stats_departments(user: Any) -> list[Department]:
    """The departments whose figures ``user`` may choose."""
    if not _department_scoped(user):
        return list(Department.objects.order_by("code"))
    ids: set[int] = set()
    for g in grants_for(user):
        if g.role in _stats_roles() and g.department_ids is not None:
            ids |= g.department_ids
    return list(Department.objects.filter(pk__in=ids).order_by("code"))


def default_department(user: Any) -> Department | None:
    """A department leader's dashboard opens on their department; others on all departments."""
    if not _department_scoped(user):
        return None
    from onewindow.org.models import RoleAssignment

    assignment = (
        RoleAssignment.objects.filter(
            staff__user=user, role__in=list(_stats_roles()), department__isnull=False
        )
        .select_related("department")
        .order_by("pk")
        .first()
    )
    return assignment.department if assignment else None


def _stats_roles() -> frozenset:
    from onewindow.org.roles import ACTIONS

    return ACTIONS["stats.view"]


def require_stats_view(user: Any, region: Region | None, department: Department | None = None) -> None:
    """Raise ``PermissionDenied`` unless ``user`` may see figures of ``region`` (None: all) and
    ``department`` (None: all departments)."""
    from onewindow.core.errors import PermissionDenied

    if not can(user, "stats.view"):
        raise PermissionDenied("您的账号没有查看统计分析的角色（分管领导、效能督查员或系统管理员）")
    if department is None and _department_scoped(user):
        raise PermissionDenied("您只能查看所在部门的统计，请选择部门")
    if department is not None and not can(user, "stats.view", department=department, region=region):
        raise PermissionDenied(f"您没有查看“{department.name}”统计数据的权限")
    if region is None:
        if department is None and default_region(user) is not None:
            raise PermissionDenied("您只能查看所辖区划的统计，请选择区划")
        return
    if not can(user, "stats.view", region=region, department=department):
        raise PermissionDenied(f"您没有查看“{region.name}”统计数据的权限")


FILTER_PARAMS = ("period", "day", "month", "year", "start", "end", "region", "department")


def stats_filter(user: Any, params: Mapping[str, str]) -> StatsFilter:
    """The scope of the pages' and the API's parameters (``FILTER_PARAMS``), checked for ``user``:
    a missing region or department is the user's default, an empty one means all; a bad period,
    region or department is ``InvalidInput``, a scope the user may not see ``PermissionDenied``."""

    def given(name: str) -> str | None:
        return params.get(name) or None

    try:
        period = parse_period(
            given("period"),
            today=timezone.localdate(),
            day=given("day"),
            month=given("month"),
            year=given("year"),
            start=given("start"),
            end=given("end"),
        )
    except PeriodError as exc:
        raise InvalidInput(str(exc), field="period") from exc
    region = region_by_code(params["region"]) if "region" in params else default_region(user)
    department = (
        department_by_code(params["department"]) if "department" in params else default_department(user)
    )
    require_stats_view(user, region, department)
    return StatsFilter(period, region, department)


def department_by_code(code: str | None) -> Department | None:
    """The department named by its code (or None for an empty code); a clear error otherwise."""
    if not code:
        return None
    department = Department.objects.filter(code=code.strip()).first()
    if department is None:
        raise InvalidInput(f"部门代码“{code[:32]}”不存在", field="department")
    return department


def region_by_code(code: str | None) -> Region | None:
    """The region named by a 12-digit code (or None for an empty code); a clear error otherwise."""
    if not code:
        return None
    region = Region.objects.filter(code=code.strip()).first()
    if region is None:
        raise InvalidInput(f"区划代码“{code}”不存在", field="region")
    return region


# ---- base querysets (what each family of indicators counts) -----------------------------------------


def applications_in(f: StatsFilter) -> QuerySet[Application]:
    """Applications received in the period (drafts excluded), in the region."""
    qs = Application.objects.exclude(status=ApplicationStatus.DRAFT).filter(
        received_at__gte=f.since, received_at__lt=f.until
    )
    if f.region_prefix:
        qs = qs.filter(region__code__startswith=f.region_prefix)
    if f.department is not None:
        qs = qs.filter(item__department_id__in=f.department_ids)
    return qs


def _cases_in_region(f: StatsFilter) -> QuerySet[Case]:
    qs = Case.objects.all()
    if f.region_prefix:
        qs = qs.filter(application__region__code__startswith=f.region_prefix)
    if f.department is not None:
        qs = qs.filter(department_id__in=f.department_ids)
    return qs


def cases_accepted(f: StatsFilter) -> QuerySet[Case]:
    return _cases_in_region(f).filter(accepted_at__gte=f.since, accepted_at__lt=f.until)


def cases_finished(f: StatsFilter) -> QuerySet[Case]:
    """办结: decided (approved or denied) in the period — the same rule as the ratings' rates."""
    return _cases_in_region(f).filter(decided_at__gte=f.since, decided_at__lt=f.until)


def cases_overdue(f: StatsFilter, *, at: dt.datetime | None = None) -> QuerySet[Case]:
    """Running (not suspended) cases past their promised deadline now — the worklist's rule."""
    return _cases_in_region(f).filter(status__in=RUNNING, promised_due_at__lte=at or now())


# ---- figures ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One indicator's value in one scope: a count, a percentage (numerator ÷ denominator, two
    decimals, half up) or a number of working days (one decimal)."""

    indicator: Indicator
    value: Decimal | int | None
    numerator: int | None = None
    denominator: int | None = None

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def display(self) -> str:
        if self.value is None:
            return "—"
        if self.indicator.unit == "percent":
            return f"{self.value}%"
        if self.indicator.unit == "workdays":
            return f"{self.value}"
        return f"{self.value:,}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": str(self.indicator.name),
            "unit": self.indicator.unit,
            "value": None if self.value is None else str(self.value),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "definition": str(self.indicator.definition),
        }


def percent(numerator: int | Fraction, denominator: int | Fraction) -> Decimal | None:
    if not denominator:
        return None
    ratio = Fraction(numerator) / Fraction(denominator) * 100
    value = Decimal(ratio.numerator) / Decimal(ratio.denominator)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _count(code: str, value: int) -> Figure:
    return Figure(BY_CODE[code], value)


def _rate(code: str, numerator: int, denominator: int) -> Figure:
    return Figure(BY_CODE[code], percent(numerator, denominator), numerator, denominator)


@dataclass
class WorkingTime:
    """Working days from acceptance to decision of finished cases, as (days, count) pairs, with the
    limits summed for the compression figures (from the decided rollups)."""

    pairs: list[tuple[int, int]] = field(default_factory=list)
    total: int = 0
    count: int = 0
    actual_vs_legal: int = 0
    legal_total: int = 0
    actual_vs_promised: int = 0
    promised_total: int = 0
    unknown: int = 0  # cases whose days fall outside the loaded calendar years

    def mean(self) -> Decimal | None:
        if not self.count:
            return None
        return (Decimal(self.total) / Decimal(self.count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def percentile(self, share: float) -> int | None:
        return weighted_percentile(self.pairs, share)


_WT_SUMS = {
    "total": "wd_total",
    "count": "wd_count",
    "unknown": "wd_unknown",
    "actual_vs_legal": "actual_vs_legal",
    "legal_total": "legal_total",
    "actual_vs_promised": "actual_vs_promised",
    "promised_total": "promised_total",
}


def working_time(f: StatsFilter, *, histogram: bool = True) -> WorkingTime:
    """Working time of the cases finished in the scope (``histogram`` for the percentiles)."""
    decided = rollups(f, RollupKind.DECIDED)
    sums = decided.aggregate(**{k: Sum(v) for k, v in _WT_SUMS.items()})
    wt = WorkingTime(**{k: v or 0 for k, v in sums.items()})
    if histogram and wt.count:
        hist: dict[int, int] = defaultdict(int)
        for part in decided.exclude(wd_count=0).values_list("wd_hist", flat=True).iterator(chunk_size=5000):
            for days, n in part.items():
                hist[int(days)] += n
        wt.pairs = sorted(hist.items())
    return wt


def working_time_by(f: StatsFilter, dimension: str) -> dict[str, WorkingTime]:
    """``working_time`` per value of a dimension (keys as in ``breakdown``), without percentiles."""
    field_name = _ROLLUP_DIMENSIONS[dimension]
    grouped = (
        rollups(f, RollupKind.DECIDED)
        .values(field_name)
        .annotate(**{k: Sum(v) for k, v in _WT_SUMS.items()})
        .order_by()
    )
    keys = dimension_keys(dimension, [g[field_name] for g in grouped])
    return {keys[g[field_name]][0]: WorkingTime(**{k: g[k] or 0 for k in _WT_SUMS}) for g in grouped}


def _compression(actual: int, limit: int) -> Decimal | None:
    if not limit:
        return None
    return percent(limit - actual, limit)


def catalogue_compression(department_ids: list[int] | None = None) -> tuple[int, int]:
    """(Σ promised, Σ statutory) working days over the items' current versions whose two
    limits are both in working days (an instant promise counts 0), of some departments' items."""
    versions = ServiceItemVersion.objects.filter(
        item__current_version=F("pk"), legal_limit_unit=LimitUnit.WORKDAY
    )
    if department_ids is not None:
        versions = versions.filter(item__department_id__in=department_ids)
    versions = versions.values_list(
        "legal_limit_value", "promised_limit_value", "promised_limit_unit", "is_instant"
    )
    promised_sum = legal_sum = 0
    for legal, promised, unit, instant in versions:
        if not legal:
            continue
        if instant or unit == LimitUnit.INSTANT:
            promised = 0
        elif unit != LimitUnit.WORKDAY or promised is None:
            continue
        promised_sum += promised
        legal_sum += legal
    return promised_sum, legal_sum


def _whole_months(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first days of the first and the last calendar month lying wholly in [start, end]."""
    first = start if start.day == 1 else (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    after = end + dt.timedelta(days=1)
    last = (after.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # month ending by ``end``
    return (first, last) if first <= last else None


def rollups(f: StatsFilter, kind: str, *, daily: bool = False) -> QuerySet[DailyRollup]:
    """The rollup rows of one kind in the scope's days and region: the month rows of the whole
    calendar months in the period and the day rows of the days around them (``daily``: day rows
    only, for a trend by day). Sums over either are the same; month rows are fewer."""
    start, end = f.period.start, f.period.end
    months = None if daily else _whole_months(start, end)
    if months is None:
        when = Q(grain=Grain.DAY, day__gte=start, day__lte=end)
    else:
        first, last = months
        after_last = (last + dt.timedelta(days=32)).replace(day=1)
        when = Q(grain=Grain.MONTH, day__gte=first, day__lte=last)
        if start < first:
            when |= Q(grain=Grain.DAY, day__gte=start, day__lt=first)
        if after_last <= end:
            when |= Q(grain=Grain.DAY, day__gte=after_last, day__lte=end)
    qs = DailyRollup.objects.filter(when, kind=kind)
    if f.region_prefix:
        qs = qs.filter(region_code__startswith=f.region_prefix)
    if f.department is not None:
        qs = qs.filter(department_id__in=f.department_ids)
    return qs


def indicators(
    f: StatsFilter, *, at: dt.datetime | None = None, complaints: dict[str, Any] | None = None
) -> dict[str, Figure]:
    """Every indicator of ``stats.definitions`` for the scope, keyed by code: three aggregates over
    the daily rollups plus a few indexed queries on small tables, whatever the number of cases.
    ``complaints``: ``complaint_figures(f, at=at)`` when the caller shows them anyway."""
    at = at or now()
    figures: dict[str, Figure] = {}

    station = Q(region_level__in=[RegionLevel.TOWN, RegionLevel.VILLAGE])
    apps = rollups(f, RollupKind.RECEIVED).aggregate(
        total=Sum("n"),
        refused=Sum("refused"),
        corrected=Sum("corrected"),
        online=Sum("n", filter=Q(channel=Channel.ONLINE)),
        fully_online=Sum("fully_online"),
        zero_visits=Sum("zero_visits"),
        one_visit=Sum("one_visit"),
        station=Sum("n", filter=station),
        proofs=Sum("proofs"),
    )
    apps = {k: v or 0 for k, v in apps.items()}
    total_apps = apps["total"]
    figures["applications"] = _count("applications", total_apps)
    figures["applications_refused"] = _count("applications_refused", apps["refused"])
    figures["applications_corrected"] = _count("applications_corrected", apps["corrected"])
    figures["online_rate"] = _rate("online_rate", apps["online"], total_apps)
    figures["fully_online_rate"] = _rate("fully_online_rate", apps["fully_online"], total_apps)
    figures["zero_visit_rate"] = _rate("zero_visit_rate", apps["zero_visits"], total_apps)
    figures["max_one_visit_rate"] = _rate("max_one_visit_rate", apps["one_visit"], total_apps)
    figures["station_share"] = _rate("station_share", apps["station"], total_apps)
    figures["proofs_replaced"] = _count("proofs_replaced", apps["proofs"])

    accepted = rollups(f, RollupKind.ACCEPTED).aggregate(
        total=Sum("n"), instant=Sum("instant"), commitment=Sum("commitment"), deficiency=Sum("deficiency")
    )
    accepted = {k: v or 0 for k, v in accepted.items()}
    figures["cases_accepted"] = _count("cases_accepted", accepted["total"])
    figures["instant_share"] = _rate("instant_share", accepted["instant"], accepted["total"])
    figures["commitment_cases"] = _count("commitment_cases", accepted["commitment"])
    figures["deficiency_cases"] = _count("deficiency_cases", accepted["deficiency"])
    verifications = dict(
        PostVerification.objects.filter(case__in=cases_accepted(f).filter(commitment=True).values("pk"))
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    figures["verifications_passed"] = _count(
        "verifications_passed", verifications.get(VerificationStatus.PASSED, 0)
    )
    figures["verifications_failed"] = _count(
        "verifications_failed", verifications.get(VerificationStatus.FAILED, 0)
    )
    figures["verifications_open"] = _count(
        "verifications_open", verifications.get(VerificationStatus.OPEN, 0)
    )

    finished = rollups(f, RollupKind.DECIDED).aggregate(
        total=Sum("n"),
        approved=Sum("approved"),
        with_promised=Sum("with_promised"),
        on_time=Sum("on_time"),
        with_legal=Sum("with_legal"),
        on_time_legal=Sum("on_time_legal"),
        rated_real=Sum("rated_real"),
    )
    finished = {k: v or 0 for k, v in finished.items()}
    figures["cases_finished"] = _count("cases_finished", finished["total"])
    figures["cases_approved"] = _count("cases_approved", finished["approved"])
    figures["on_time_rate_promised"] = _rate(
        "on_time_rate_promised", finished["on_time"], finished["with_promised"]
    )
    figures["finished_late"] = _count("finished_late", finished["with_promised"] - finished["on_time"])
    figures["on_time_rate_legal"] = _rate(
        "on_time_rate_legal", finished["on_time_legal"], finished["with_legal"]
    )

    wt = working_time(f)
    figures["working_days_mean"] = Figure(BY_CODE["working_days_mean"], wt.mean(), denominator=wt.count)
    figures["working_days_p50"] = Figure(
        BY_CODE["working_days_p50"], wt.percentile(0.5), denominator=wt.count
    )
    figures["working_days_p90"] = Figure(
        BY_CODE["working_days_p90"], wt.percentile(0.9), denominator=wt.count
    )
    figures["compression_legal"] = Figure(
        BY_CODE["compression_legal"],
        _compression(wt.actual_vs_legal, wt.legal_total),
        wt.actual_vs_legal,
        wt.legal_total,
    )
    figures["compression_promised"] = Figure(
        BY_CODE["compression_promised"],
        _compression(wt.actual_vs_promised, wt.promised_total),
        wt.actual_vs_promised,
        wt.promised_total,
    )
    promised_sum, legal_sum = catalogue_compression(f.department_ids)
    figures["compression_catalogue"] = Figure(
        BY_CODE["compression_catalogue"], _compression(promised_sum, legal_sum), promised_sum, legal_sum
    )
    figures["overdue_open"] = _count("overdue_open", cases_overdue(f, at=at).count())
    figures["suspensions"] = _count("suspensions", suspensions_in(f).count())
    figures["extensions"] = _count("extensions", extensions_in(f).count())

    # 好差评, as ratings.selectors defines them (rates_summary), from the rollups: ratings of the
    # cases finished in the period (decided rows), ratings made in the period by level (rated rows)
    figures["rating_rate"] = _rate("rating_rate", finished["rated_real"], finished["total"])
    rated = rollups(f, RollupKind.RATED).aggregate(
        bad_rectified=Sum("bad_rectified"), **{f"level_{k}": Sum(f"level_{k}") for k in range(1, 6)}
    )
    by_level = {k: rated[f"level_{k}"] or 0 for k in range(1, 6)}
    satisfied = sum(by_level[k] for k in ratings_conf.satisfied_levels())
    figures["satisfaction_rate"] = _rate("satisfaction_rate", satisfied, sum(by_level.values()))
    bad = sum(by_level[k] for k in BAD_LEVELS)
    rectified = rated["bad_rectified"] or 0
    figures["rectification_rate"] = _rate("rectification_rate", rectified, bad)
    figures["bad_ratings_open"] = _count("bad_ratings_open", bad - rectified)

    sla = complaint_figures(f, at=at) if complaints is None else complaints
    figures["complaints"] = _count("complaints", sla["total"])
    figures["complaint_sla_rate"] = _rate("complaint_sla_rate", sla["on_time"], sla["due"])
    return {i.code: figures[i.code] for i in INDICATORS}


def suspensions_in(f: StatsFilter) -> QuerySet[Suspension]:
    qs = Suspension.objects.filter(started_at__gte=f.since, started_at__lt=f.until)
    if f.region_prefix:
        qs = qs.filter(case__application__region__code__startswith=f.region_prefix)
    if f.department is not None:
        qs = qs.filter(case__department_id__in=f.department_ids)
    return qs


def extensions_in(f: StatsFilter) -> QuerySet[Extension]:
    qs = Extension.objects.filter(
        status=ExtensionStatus.APPROVED, decided_at__gte=f.since, decided_at__lt=f.until
    )
    if f.region_prefix:
        qs = qs.filter(case__application__region__code__startswith=f.region_prefix)
    if f.department is not None:
        qs = qs.filter(case__department_id__in=f.department_ids)
    return qs


def complaints_in(f: StatsFilter) -> QuerySet[Complaint]:
    qs = Complaint.objects.filter(received_at__gte=f.since, received_at__lt=f.until)
    if f.region_prefix:
        qs = qs.filter(region__code__startswith=f.region_prefix)
    if f.department is not None:
        qs = qs.filter(department_id__in=f.department_ids)
    return qs


def complaint_figures(f: StatsFilter, *, at: dt.datetime | None = None) -> dict[str, Any]:
    """Complaints of the period: total, by class, and the SLA counts (see ``complaint_sla_rate``)."""
    at = at or now()
    qs = complaints_in(f)
    agg = qs.aggregate(
        total=Count("id"),
        on_time=Count(
            "id", filter=Q(due_at__isnull=False, replied_at__isnull=False, replied_at__lt=F("due_at"))
        ),
        late=Count(
            "id",
            filter=Q(due_at__isnull=False)
            & (
                Q(replied_at__isnull=False, replied_at__gte=F("due_at"))
                | Q(replied_at__isnull=True, due_at__lte=at)
            ),
        ),
    )
    by_class = dict(qs.values_list("klass").annotate(n=Count("id")).order_by())
    return {
        "total": agg["total"],
        "on_time": agg["on_time"],
        "late": agg["late"],
        "due": agg["on_time"] + agg["late"],
        "by_class": {str(label): by_class.get(value, 0) for value, label in ComplaintClass.choices},
    }


# ---- breakdowns, trends, drill-down -------------------------------------------------------------------

_ROLLUP_DIMENSIONS = {
    "department": "department_id",
    "item": "item_id",
    "channel": "channel",
    "region_tier": "region_level",
}
_CASE_DIMENSIONS = {
    "department": "department_id",
    "item": "item_version__item_id",
    "channel": "application__channel",
    "region_tier": "application__region__level",
    "state": "status",
}
_DIMENSION_LABELS = {
    "channel": dict(Channel.choices),
    "region_tier": dict(RegionLevel.choices),
    "state": dict(CaseStatus.choices),
}
BREAKDOWN_COLUMNS = (
    ("key", "代码"),
    ("label", "名称"),
    ("accepted", "受理办件数"),
    ("finished", "办结办件数"),
    ("on_time_rate", "承诺时限内办结率（%）"),
    ("finished_late", "超承诺时限办结件数"),
    ("working_days_mean", "平均办理用时（工作日）"),
    ("overdue_open", "在办超期件数"),
)


def dimension_keys(dimension: str, values: Iterable[Any]) -> dict[Any, tuple[str, str]]:
    """Raw rollup / case values of a dimension → (key, label): department codes and item codes
    with their names, choice values with their labels."""
    values = [v for v in set(values) if v is not None]
    if dimension == "department":
        return {
            pk: (code, name)
            for pk, code, name in Department.objects.filter(pk__in=values).values_list("pk", "code", "name")
        }
    if dimension == "item":
        return {
            pk: (code, name)
            for pk, code, name in ServiceItem.objects.filter(pk__in=values).values_list("pk", "code", "name")
        }
    labels = _DIMENSION_LABELS[dimension]
    return {v: (str(v), str(labels.get(v, v))) for v in values}


@dataclass
class BreakdownRow:
    key: str
    label: str
    accepted: int = 0
    finished: int = 0
    with_promised: int = 0
    on_time: int = 0
    overdue_open: int = 0
    days_total: int = 0
    days_count: int = 0

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(self.on_time, self.with_promised)

    @property
    def finished_late(self) -> int:
        return self.with_promised - self.on_time

    @property
    def working_days_mean(self) -> Decimal | None:
        if not self.days_count:
            return None
        return (Decimal(self.days_total) / Decimal(self.days_count)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    def cells(self) -> list[Any]:
        return [getattr(self, key) for key, _label in BREAKDOWN_COLUMNS]


def breakdown(f: StatsFilter, dimension: str, *, at: dt.datetime | None = None) -> list[BreakdownRow]:
    """One row per value of ``dimension`` (department, item, channel, region_tier, state): cases
    accepted and finished in the period, on time, late, mean working days, overdue now."""
    if dimension not in _CASE_DIMENSIONS:
        raise InvalidInput(f"未知的分析维度“{dimension}”，可选：{'、'.join(DIMENSIONS)}", field="dimension")
    raw: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    case_field = _CASE_DIMENSIONS[dimension]
    if dimension == "state":  # the current state is not rolled up: count the period's cases
        for g in cases_accepted(f).values(case_field).annotate(n=Count("id")).order_by():
            raw[g[case_field]]["accepted"] = g["n"]
        finished = (
            cases_finished(f)
            .values(case_field)
            .annotate(
                n=Count("id"),
                p=Count("id", filter=Q(promised_due_at__isnull=False)),
                ok=Count("id", filter=Q(promised_due_at__isnull=False, decided_at__lt=F("promised_due_at"))),
            )
        )
        for g in finished.order_by():
            raw[g[case_field]].update(finished=g["n"], with_promised=g["p"], on_time=g["ok"])
    else:
        field_name = _ROLLUP_DIMENSIONS[dimension]
        for g in rollups(f, RollupKind.ACCEPTED).values(field_name).annotate(n=Sum("n")).order_by():
            raw[g[field_name]]["accepted"] = g["n"]
        decided = (
            rollups(f, RollupKind.DECIDED)
            .values(field_name)
            .annotate(
                n=Sum("n"),
                p=Sum("with_promised"),
                ok=Sum("on_time"),
                days=Sum("wd_total"),
                counted=Sum("wd_count"),
            )
        )
        for g in decided.order_by():
            raw[g[field_name]].update(
                finished=g["n"],
                with_promised=g["p"],
                on_time=g["ok"],
                days_total=g["days"],
                days_count=g["counted"],
            )
    for g in cases_overdue(f, at=at).values(case_field).annotate(n=Count("id")).order_by():
        raw[g[case_field]]["overdue_open"] = g["n"]
    keys = dimension_keys(dimension, raw)
    rows = []
    for value, counts in raw.items():
        key, label = keys.get(value, (str(value), str(value)))
        rows.append(BreakdownRow(key, label, **counts))
    return sorted(rows, key=lambda r: (-r.accepted, -r.finished, r.key))


@dataclass(frozen=True)
class TrendPoint:
    start: dt.date
    end: dt.date
    accepted: int
    finished: int
    on_time: int
    with_promised: int

    @property
    def label(self) -> str:
        if self.start == self.end:
            return f"{self.start.month}/{self.start.day}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(self.on_time, self.with_promised)


def trend(f: StatsFilter) -> list[TrendPoint]:
    """Cases accepted and finished per day (periods up to two months) or per month, with the
    on-time rate of each bucket: two grouped queries over the rollups."""
    buckets = f.period.buckets()
    by_day = len(buckets) == f.period.days

    def bucket_of(day: dt.date) -> dt.date:
        return day if by_day else day.replace(day=1)

    accepted: dict[dt.date, int] = defaultdict(int)
    for row in rollups(f, RollupKind.ACCEPTED, daily=by_day).values("day").annotate(n=Sum("n")).order_by():
        accepted[bucket_of(row["day"])] += row["n"]
    finished: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0, 0])
    rows = (
        rollups(f, RollupKind.DECIDED, daily=by_day)
        .values("day")
        .annotate(n=Sum("n"), p=Sum("with_promised"), ok=Sum("on_time"))
        .order_by()
    )
    for row in rows:
        bucket = finished[bucket_of(row["day"])]
        bucket[0] += row["n"]
        bucket[1] += row["p"]
        bucket[2] += row["ok"]
    points = []
    for start, end in buckets:
        key = start if by_day else start.replace(day=1)
        n, p, ok = finished.get(key, [0, 0, 0])
        points.append(TrendPoint(start, end, accepted.get(key, 0), n, ok, p))
    return points


def drill_cases(code: str, f: StatsFilter, *, at: dt.datetime | None = None) -> QuerySet[Case]:
    """The cases behind a figure (indicators marked ``drill``), ordered by deadline."""
    indicator = BY_CODE.get(code)
    if indicator is None or not indicator.drill:
        drillable = "、".join(i.code for i in INDICATORS if i.drill)
        raise InvalidInput(f"指标“{code}”不能下钻到办件，可下钻的指标：{drillable}", field="indicator")
    if code == "applications":
        qs = _cases_in_region(f).filter(application__in=applications_in(f).values("pk"))
    elif code == "applications_corrected":
        corrected = applications_in(f).filter(corrections__isnull=False).values("pk")
        qs = _cases_in_region(f).filter(application__in=corrected)
    elif code == "cases_accepted":
        qs = cases_accepted(f)
    elif code == "cases_finished":
        qs = cases_finished(f)
    elif code == "finished_late":
        qs = cases_finished(f).filter(promised_due_at__isnull=False, decided_at__gte=F("promised_due_at"))
    elif code == "overdue_open":
        qs = cases_overdue(f, at=at)
    elif code == "suspensions":
        qs = _cases_in_region(f).filter(pk__in=suspensions_in(f).values("case_id"))
    elif code == "extensions":
        qs = _cases_in_region(f).filter(pk__in=extensions_in(f).values("case_id"))
    elif code == "deficiency_cases":
        waived = ApplicationMaterial.objects.filter(
            application=OuterRef("application_id"), supply_due_at__isnull=False
        )
        qs = cases_accepted(f).filter(Exists(waived))
    elif code == "commitment_cases":
        qs = cases_accepted(f).filter(commitment=True)
    elif code == "verifications_failed":
        qs = cases_accepted(f).filter(post_verification__status=VerificationStatus.FAILED)
    elif code == "bad_ratings_open":
        bad = (
            rating_selectors.ratings_in(f.rating_scope())
            .filter(level__in=sorted(BAD_LEVELS))
            .exclude(rectification__state__in=rating_selectors.VERIFIED_STATES)
        )
        qs = Case.objects.filter(pk__in=bad.values("case_id"))
    else:  # pragma: no cover - every drillable code is listed above (a test checks)
        raise InvalidInput(f"指标“{code}”不能下钻", field="indicator")
    return qs.select_related("department", "item_version__item", "application").order_by(
        F("promised_due_at").asc(nulls_last=True), "pk"
    )
