"""Keeping the daily rollups (``stats.models.DailyRollup``) up to date, incrementally.

A refresh recomputes only the days that may have changed since the last one:
- the days of applications and cases updated since the watermark (``updated_at``) or inserted
  since (ids above the last ones seen: bulk loads keep their historical ``updated_at``);
- the days of ratings made since, and of ratings whose rectification moved on since;
- the last ``RECENT_DAYS`` days, always, for writes that do not touch ``updated_at``;
and, after a calendar change (working days counted differently), everything.

Each day is deleted and recomputed from the cases in the same transaction, with one grouped query
per kind and per run of consecutive days, so a refresh is exact, not an estimate; then the month
rows of the months those days fall in are summed again from the day rows. The worker runs
``refresh_due`` every tick; the statistics pages and API endpoints call ``ensure_fresh`` before
reading (``stats.selectors`` never writes) so they are at most ``ONEWINDOW_STATS_REFRESH_SECONDS``
(default 60) behind; ``onewindow stats rebuild`` starts over.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from onewindow.cases.models import (
    Application,
    ApplicationMaterial,
    ApplicationStatus,
    Case,
    CaseEvent,
    Channel,
    CorrectionNotice,
    DeliveryMethod,
    MaterialState,
)
from onewindow.catalog.models import LimitUnit
from onewindow.clock.selectors import work_calendar
from onewindow.clock.workdays import CalendarRangeError, count_working_days
from onewindow.core.bulk import BulkWriter
from onewindow.core.errors import DomainError
from onewindow.core.timeutil import now
from onewindow.ratings.models import BAD_LEVELS, Rating, RectificationEvent, RectificationState
from onewindow.stats.models import COUNTERS, DIMENSIONS, DailyRollup, Grain, RollupKind, RollupState

log = logging.getLogger(__name__)

RECENT_DAYS = 7
REQUEST_MAX_DAYS = 62
REQUEST_MAX_REBUILD_CASES = 50_000
SLACK = dt.timedelta(minutes=5)  # transactions that started before a refresh and commit after it
BATCH = 5000

# visits = 1 for an on-site submission + 1 per correction after it + 1 for a window pick-up
# (stats.definitions: zero_visit_rate, max_one_visit_rate).
ZERO_VISITS = Q(channel=Channel.ONLINE) & ~Q(delivery_method=DeliveryMethod.WINDOW)
AT_MOST_ONE_VISIT = Q(channel=Channel.ONLINE) | (
    ~Q(delivery_method=DeliveryMethod.WINDOW) & Q(_corrected=False)
)


def refresh_seconds() -> float:
    return float(getattr(settings, "ONEWINDOW_STATS_REFRESH_SECONDS", 60))


@dataclass(frozen=True)
class RefreshResult:
    full: bool
    days: int
    rows: int

    def __str__(self) -> str:
        if self.full:
            return f"统计汇总全量重建：{self.rows} 行"
        return f"统计汇总增量刷新：{self.days} 天，{self.rows} 行"


def _state(*, wait: bool = True) -> RollupState | None:
    """The state row, locked for this transaction (None if ``wait`` is False and it is locked)."""
    if not RollupState.objects.exists():
        RollupState.objects.create()
    try:
        return RollupState.objects.select_for_update(nowait=not wait).order_by("pk").first()
    except OperationalError:
        return None


def invalidate() -> None:
    """Make the next refresh a full rebuild (after a calendar change or a bulk import)."""
    updated = RollupState.objects.update(watermark=None)
    if not updated:
        RollupState.objects.create()


def ensure_fresh(*, bounded: bool = True) -> RefreshResult | None:
    """Refresh when the last refresh is older than ``ONEWINDOW_STATS_REFRESH_SECONDS``.

    ``bounded`` (pages): do it only if it is small — at most ``REQUEST_MAX_DAYS`` days, or a
    rebuild of at most ``REQUEST_MAX_REBUILD_CASES`` cases — and not while another refresh runs;
    a larger one is left to the worker (``onewindow worker`` / ``tick``) or ``onewindow stats
    refresh``, and the page shows the figures as of the last refresh (``freshness``)."""
    state = RollupState.objects.order_by("pk").first()
    limit = refresh_seconds()
    if (
        state is not None
        and state.watermark is not None
        and state.refreshed_at is not None
        and (now() - state.refreshed_at).total_seconds() < limit
    ):
        return None
    if bounded:
        return refresh(max_days=REQUEST_MAX_DAYS, max_rebuild_cases=REQUEST_MAX_REBUILD_CASES, wait=False)
    return refresh()


def freshness() -> dt.datetime | None:
    """When the rollups were last refreshed (None: never)."""
    return RollupState.objects.order_by("pk").values_list("refreshed_at", flat=True).first()


def refresh_due(*, limit: int = 500) -> list[tuple[int, str]]:
    """Timer source for the worker (``core.timers``): refresh when stale, whatever the size.

    A refresh is upkeep, not a timer that fires for a case: it is logged, and nothing is reported
    as fired."""
    ensure_fresh(bounded=False)
    return []


def refresh(
    *,
    full: bool = False,
    max_days: int | None = None,
    max_rebuild_cases: int | None = None,
    wait: bool = True,
    progress: Callable[[str], None] | None = None,
) -> RefreshResult | None:
    """Bring the rollups up to date (see the module docstring); one transaction. With limits,
    return None without changing anything when the work would exceed them, or (``wait=False``)
    when another refresh holds the lock. ``progress`` is told of each block of days done (a
    rebuild of millions of cases takes minutes)."""
    with transaction.atomic():
        state = _state(wait=wait)
        if state is None:
            return None
        started = now()
        top_app = Application.objects.aggregate(m=Max("pk"))["m"] or 0
        top_case = Case.objects.aggregate(m=Max("pk"))["m"] or 0
        top_rating = Rating.objects.aggregate(m=Max("pk"))["m"] or 0
        top_rectification = RectificationEvent.objects.aggregate(m=Max("pk"))["m"] or 0
        full = full or state.watermark is None
        if full:
            if max_rebuild_cases is not None and top_case > max_rebuild_cases:
                # ids are a cheap upper bound; count only when they say it may be too many
                count = Case.objects.count()
                if count > max_rebuild_cases:
                    log.info("statistics rollups: rebuild of %s cases left to the worker", count)
                    return None
            DailyRollup.objects.all().delete()
            days: dict[str, set[dt.date] | None] = {kind: None for kind in RollupKind.values}
        else:
            days = _changed_days(state, started)
            wanted = max(len(d or ()) for d in days.values())
            if max_days is not None and wanted > max_days:
                log.info("statistics rollups: %s changed days left to the worker", wanted)
                return None
        with _index_lookups():
            rows, counted_days = _build(days, progress)
        state.watermark = started - SLACK
        state.refreshed_at = started
        if full:
            state.rebuilt_at = started
        state.days_refreshed = counted_days
        state.last_application_id, state.last_case_id = top_app, top_case
        state.last_rating_id, state.last_rectification_event_id = top_rating, top_rectification
        state.save()
    result = RefreshResult(full, counted_days, rows)
    log.info("%s", result)
    return result


def _build(days: dict[str, set[dt.date] | None], progress: Callable[[str], None] | None) -> tuple[int, int]:
    """Recompute the day rows of these days per kind (None: every day there is), then their months;
    return the rows written and the days counted."""
    rows = 0
    counted_days = 0
    for kind, builder in (
        (RollupKind.RECEIVED, _received),
        (RollupKind.ACCEPTED, _accepted),
        (RollupKind.DECIDED, _decided),
        (RollupKind.RATED, _rated),
    ):
        kind_days = days[kind]
        if kind_days is None:  # a rebuild: month by month, so memory stays bounded
            kind_days = _all_days(kind)
        elif not kind_days:
            continue
        else:
            DailyRollup.objects.filter(kind=kind, grain=Grain.DAY, day__in=sorted(kind_days)).delete()
        counted_days += len(kind_days)
        for chunk in _chunks(kind_days):
            rows += _save(builder(chunk))
            if progress:
                progress(f"{kind} {min(chunk):%Y-%m-%d}–{max(chunk):%Y-%m-%d}: {rows:,} rows")
        rows += _months(kind, {day.replace(day=1) for day in kind_days})
    return rows, counted_days


@contextlib.contextmanager
def _index_lookups() -> Iterator[None]:
    """Have PostgreSQL join a block of days' cases to their applications, ratings and materials by
    index look-ups, not by hashing or merging whole tables, and run the queries without JIT
    compilation. The grouped queries select one block of days (a month at most) of tables that
    hold years; estimated against the whole tables, a hash join over a sequential scan looks
    cheaper, and the cost of that scan grows with the years kept, for each block (on 1 M simulated
    cases, one month: 1.6 s of SQL with hash joins, 0.7 s without). The same estimates make the
    queries look expensive enough to compile: at 10 M cases, compiling took 2.8 s of the 5.5 s a
    month's queries took. The settings are put back afterwards: the refresh may run inside a
    page's transaction."""
    if connection.vendor != "postgresql":
        yield
        return
    names = ["enable_hashjoin", "enable_mergejoin", "jit"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [names])
        before = cursor.fetchall()
        cursor.execute("SELECT set_config(name, 'off', true) FROM unnest(%s::text[]) AS name", [names])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config(name, setting, true)"
                " FROM unnest(%s::text[], %s::text[]) AS s(name, setting)",
                [[n for n, _v in before], [v for _n, v in before]],
            )


_SOURCE = {
    RollupKind.RECEIVED: (Application, "received_at"),
    RollupKind.ACCEPTED: (Case, "accepted_at"),
    RollupKind.DECIDED: (Case, "decided_at"),
    RollupKind.RATED: (Rating, "rated_at"),
}


_COUNTERS = frozenset(COUNTERS)


class _Row:
    """A rollup row being built, with DailyRollup's column names as attributes: far cheaper than
    a model instance (a rebuild makes millions). A counter never set is 0, the column default."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> int:  # only for attributes not set
        if name in _COUNTERS:
            return 0
        raise AttributeError(name)


def _save(objs: list[_Row]) -> int:
    """Insert the rows (COPY on PostgreSQL: a rebuild writes millions of 40-column rows, and
    ``bulk_create`` spends most of its time preparing each value)."""
    return BulkWriter(DailyRollup, assign_ids=False).write(vars(o) for o in objs)


def _months(kind: str, months: set[dt.date]) -> int:
    """Sum the day rows of ``kind`` in these months (their first days) into month rows, replacing
    the month rows there were; the working-day histograms are merged here (JSON)."""
    if not months:
        return 0
    DailyRollup.objects.filter(kind=kind, grain=Grain.MONTH, day__in=sorted(months)).delete()
    rows = 0
    for first in sorted(months):
        following = (first + dt.timedelta(days=32)).replace(day=1)
        days = DailyRollup.objects.filter(kind=kind, grain=Grain.DAY, day__gte=first, day__lt=following)
        out: dict[Key, _Row] = {}
        for g in days.values(*DIMENSIONS).annotate(**{c: Sum(c) for c in COUNTERS}).order_by():
            key = tuple(g[d] for d in DIMENSIONS)
            out[key] = _Row(kind=kind, grain=Grain.MONTH, day=first, **g)
        if kind == RollupKind.DECIDED:
            hist: dict[Key, dict[int, int]] = defaultdict(lambda: defaultdict(int))
            for *key, part in (
                days.exclude(wd_hist={}).values_list(*DIMENSIONS, "wd_hist").iterator(chunk_size=BATCH)
            ):
                merged = hist[tuple(key)]
                for wd, n in part.items():
                    merged[int(wd)] += n
            for key, merged in hist.items():
                out[key].wd_hist = {str(k): v for k, v in sorted(merged.items())}
        rows += _save(list(out.values()))
    return rows


def _all_days(kind: str) -> set[dt.date]:
    """Every local day from the first to the last event of this kind (a rebuild's days)."""
    model, field = _SOURCE[kind]
    bounds = model.objects.aggregate(first=Min(field), last=Max(field))
    if bounds["first"] is None:
        return set()
    first, last = timezone.localdate(bounds["first"]), timezone.localdate(bounds["last"])
    return {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}


def _chunks(days: set[dt.date], size: int = 31) -> list[set[dt.date]]:
    ordered = sorted(days)
    return [set(ordered[i : i + size]) for i in range(0, len(ordered), size)]


def _local_days(qs: QuerySet, field: str) -> set[dt.date]:
    return {
        d
        for d in qs.filter(**{f"{field}__isnull": False})
        .annotate(_d=TruncDate(field))
        .values_list("_d", flat=True)
        .distinct()
        .order_by()
        if d is not None
    }


def _changed_days(state: RollupState, started: dt.datetime) -> dict[str, set[dt.date] | None]:
    """The days to recompute per kind. A case's acceptance and decision times are written once by
    the services; an application's receipt time moves when it is resubmitted after a correction,
    so the days of its earlier submissions (from its event log) are recomputed too."""
    since = state.watermark
    updated_apps = Application.objects.filter(updated_at__gte=since)
    apps = Application.objects.filter(Q(updated_at__gte=since) | Q(pk__gt=state.last_application_id))
    cases = Case.objects.filter(Q(updated_at__gte=since) | Q(pk__gt=state.last_case_id))
    earlier = CaseEvent.objects.filter(
        application__in=updated_apps.values("pk"), case__isnull=True, action__in=("submit", "resubmit")
    )
    # A rating is never edited; its rectification moves on through events.
    ratings = Rating.objects.filter(Q(pk__gt=state.last_rating_id) | Q(rated_at__gte=since))
    rectified = Rating.objects.filter(
        rectification__events__pk__gt=state.last_rectification_event_id
    ) | Rating.objects.filter(rectification__events__at__gte=since)
    today = timezone.localdate(started)
    recent = {today - dt.timedelta(days=i) for i in range(RECENT_DAYS + 1)}
    return {
        RollupKind.RECEIVED: _local_days(apps, "received_at") | _local_days(earlier, "at") | recent,
        RollupKind.ACCEPTED: _local_days(cases, "accepted_at") | recent,
        RollupKind.DECIDED: _local_days(cases, "decided_at") | _local_days(ratings, "finished_at") | recent,
        RollupKind.RATED: _local_days(ratings, "rated_at") | _local_days(rectified, "rated_at") | recent,
    }


def _ranges(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days as (first, last) runs."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(days):
        if runs and day == runs[-1][1] + dt.timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _in_days(field: str, days: set[dt.date] | None) -> Q:
    if days is None:
        return Q(**{f"{field}__isnull": False})
    q = Q(pk__in=[])
    for first, last in _ranges(days):
        q |= Q(**{f"{field}__gte": _start_of(first), f"{field}__lt": _start_of(last + dt.timedelta(days=1))})
    return q


Key = tuple[Any, ...]


def _received(days: set[dt.date] | None) -> list[_Row]:
    corrected = CorrectionNotice.objects.filter(application=OuterRef("pk"))
    dims = ("_day", "region__code", "region__level", "item__department_id", "item_id", "channel", "bundle_id")
    apps = (
        Application.objects.exclude(status=ApplicationStatus.DRAFT)
        .filter(_in_days("received_at", days))
        .annotate(_day=TruncDate("received_at"), _corrected=Exists(corrected))
    )
    rows: dict[Key, _Row] = {}
    grouped = (
        apps.values(*dims)
        .annotate(
            n=Count("id"),
            refused=Count("id", filter=Q(status=ApplicationStatus.REFUSED)),
            corrected=Count("id", filter=Q(_corrected=True)),
            fully_online=Count(
                "id", filter=Q(channel=Channel.ONLINE, delivery_method=DeliveryMethod.ELECTRONIC)
            ),
            zero_visits=Count("id", filter=ZERO_VISITS),
            one_visit=Count("id", filter=AT_MOST_ONE_VISIT),
        )
        .order_by()
    )
    for g in grouped:
        key = tuple(g[d] for d in dims)
        rows[key] = _Row(
            kind=RollupKind.RECEIVED,
            day=g["_day"],
            region_code=g["region__code"],
            region_level=g["region__level"],
            department_id=g["item__department_id"],
            item_id=g["item_id"],
            channel=g["channel"],
            bundle_id=g["bundle_id"],
            n=g["n"],
            refused=g["refused"],
            corrected=g["corrected"],
            fully_online=g["fully_online"],
            zero_visits=g["zero_visits"],
            one_visit=g["one_visit"],
        )
    mdims = tuple(f"application__{d}" if d != "_day" else d for d in dims)
    # Per application key, the proofs that replaced a material and the cases made.
    for counter, children in (
        ("proofs", ApplicationMaterial.objects.filter(state=MaterialState.SATISFIED)),
        ("cases", Case.objects.all()),
    ):
        grouped = (
            children.exclude(application__status=ApplicationStatus.DRAFT)
            .filter(_in_days("application__received_at", days))
            .annotate(_day=TruncDate("application__received_at"))
            .values(*mdims)
            .annotate(n=Count("id"))
            .order_by()
        )
        for g in grouped:
            key = tuple(g[d] for d in mdims)
            if key in rows:
                setattr(rows[key], counter, g["n"])
    return list(rows.values())


ISSUE_TIME = ExpressionWrapper(F("closed_at") - F("decided_at"), output_field=DurationField())

_CASE_DIMS = (
    "application__region__code",
    "application__region__level",
    "department_id",
    "item_version__item_id",
    "application__channel",
)


def _rollup(kind: str, day: dt.date, g: dict[str, Any]) -> _Row:
    return _Row(
        kind=kind,
        day=day,
        region_code=g["application__region__code"],
        region_level=g["application__region__level"],
        department_id=g["department_id"],
        item_id=g["item_version__item_id"],
        channel=g["application__channel"],
    )


def _accepted(days: set[dt.date] | None) -> list[_Row]:
    waived = ApplicationMaterial.objects.filter(
        application=OuterRef("application_id"), supply_due_at__isnull=False
    )
    grouped = (
        Case.objects.filter(_in_days("accepted_at", days))
        .annotate(_day=TruncDate("accepted_at"), _waived=Exists(waived))
        .values("_day", *_CASE_DIMS)
        .annotate(
            n=Count("id"),
            instant=Count("id", filter=Q(item_version__is_instant=True)),
            commitment=Count("id", filter=Q(commitment=True)),
            deficiency=Count("id", filter=Q(_waived=True)),
        )
        .order_by()
    )
    out = []
    for g in grouped:
        row = _rollup(RollupKind.ACCEPTED, g["_day"], g)
        row.n, row.instant, row.commitment, row.deficiency = (
            g["n"],
            g["instant"],
            g["commitment"],
            g["deficiency"],
        )
        out.append(row)
    return out


def _decided(days: set[dt.date] | None) -> list[_Row]:
    limits = (
        "item_version__legal_limit_value",
        "item_version__legal_limit_unit",
        "item_version__promised_limit_value",
        "item_version__promised_limit_unit",
    )
    grouped = (
        Case.objects.filter(_in_days("decided_at", days))
        .annotate(_day=TruncDate("decided_at"), _acc=TruncDate("accepted_at"))
        .values("_day", "_acc", *_CASE_DIMS, *limits)
        .annotate(
            n=Count("id"),
            approved=Count("id", filter=Q(decision="approve")),
            with_promised=Count("id", filter=Q(promised_due_at__isnull=False)),
            on_time=Count("id", filter=Q(promised_due_at__isnull=False, decided_at__lt=F("promised_due_at"))),
            with_legal=Count("id", filter=Q(legal_due_at__isnull=False)),
            on_time_legal=Count("id", filter=Q(legal_due_at__isnull=False, decided_at__lt=F("legal_due_at"))),
            closed=Count("id", filter=Q(closed_at__isnull=False)),
            issue=Sum(ISSUE_TIME, filter=Q(closed_at__isnull=False)),
            rated_real=Count("rating", filter=Q(rating__is_default=False)),
            rated_default=Count("rating", filter=Q(rating__is_default=True)),
        )
        .order_by()
    )
    try:
        cal = work_calendar()
    except DomainError:
        cal = None
    rows: dict[Key, _Row] = {}
    counters = (
        "n",
        "approved",
        "with_promised",
        "on_time",
        "with_legal",
        "on_time_legal",
        "closed",
        "rated_real",
        "rated_default",
    )
    for g in grouped:
        key = (g["_day"], *(g[d] for d in _CASE_DIMS))
        row = rows.get(key)
        if row is None:
            row = rows[key] = _rollup(RollupKind.DECIDED, g["_day"], g)
            row.wd_hist = defaultdict(int)
        for name in counters:
            setattr(row, name, getattr(row, name) + g[name])
        if g["issue"] is not None:
            row.issue_seconds += max(0, round(g["issue"].total_seconds()))
        n = g["n"]
        try:
            if cal is None or g["_acc"] is None:
                raise CalendarRangeError("no calendar")
            wd = max(0, count_working_days(g["_acc"], g["_day"], cal))
        except (CalendarRangeError, ValueError):
            row.wd_unknown += n
            continue
        row.wd_count += n
        row.wd_total += wd * n
        row.wd_hist[wd] += n
        if g["item_version__legal_limit_unit"] == LimitUnit.WORKDAY and g["item_version__legal_limit_value"]:
            row.actual_vs_legal += wd * n
            row.legal_total += g["item_version__legal_limit_value"] * n
        if (
            g["item_version__promised_limit_unit"] == LimitUnit.WORKDAY
            and g["item_version__promised_limit_value"]
        ):
            row.actual_vs_promised += wd * n
            row.promised_total += g["item_version__promised_limit_value"] * n
    for row in rows.values():
        row.wd_hist = {str(k): v for k, v in sorted(row.wd_hist.items())}
    return list(rows.values())


def _rated(days: set[dt.date] | None) -> list[_Row]:
    """Ratings by the day they were made, in their case's region, department, item and channel:
    real ones (``n``) by level, default ones apart, bad ones whose rectification is verified."""
    verified = (RectificationState.VERIFIED, RectificationState.PUBLISHED)
    bad = Q(is_default=False, level__in=sorted(BAD_LEVELS))
    levels = {f"level_{k}": Count("id", filter=Q(is_default=False, level=k)) for k in range(1, 6)}
    grouped = (
        Rating.objects.filter(_in_days("rated_at", days))
        .annotate(_day=TruncDate("rated_at"))
        .values("_day", *(f"case__{d}" for d in _CASE_DIMS))
        .annotate(
            n=Count("id", filter=Q(is_default=False)),
            ratings_default=Count("id", filter=Q(is_default=True)),
            bad_rectified=Count("id", filter=bad & Q(rectification__state__in=verified)),
            **levels,
        )
        .order_by()
    )
    out = []
    for g in grouped:
        row = _rollup(RollupKind.RATED, g["_day"], {d: g[f"case__{d}"] for d in _CASE_DIMS})
        for name in ("n", "ratings_default", "bad_rectified", *levels):
            setattr(row, name, g[name])
        out.append(row)
    return out


def on_calendar_change(calendar: Any, years: frozenset[int]) -> int:
    """``clock.hooks`` handler: working days may count differently now; rebuild next time."""
    invalidate()
    return 0
