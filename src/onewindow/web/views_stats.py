"""Statistics pages for leaders and supervisors: the dashboard (today / this month / this year or a
custom range, by region), drill-down from a figure to the cases behind it, and the Excel export.

Every number on these pages comes from ``stats.selectors``; the views only parse the filter,
check ``stats.view`` for the chosen region, bring the rollups up to date when the change is small
(``stats.rollup.ensure_fresh``: the selectors only read, so they can run on a replica) and render.
Served under ``/stats/`` in the ``stats`` URL namespace (``web.urls_stats``); the templates are
the stats app's (``stats/templates/stats``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onewindow.core.errors import DomainError, InvalidInput
from onewindow.stats import charts
from onewindow.stats.definitions import BY_CODE, DIMENSIONS, GROUPS
from onewindow.stats.rollup import ensure_fresh, freshness
from onewindow.stats.selectors import (
    BREAKDOWN_COLUMNS,
    StatsFilter,
    breakdown,
    complaint_figures,
    default_department,
    default_region,
    drill_cases,
    indicators,
    stats_departments,
    stats_filter,
    stats_regions,
    trend,
)
from onewindow.web.access import domain_error_page, staff_page

PAGE_SIZE = 50


def _filter(request: HttpRequest) -> StatsFilter:
    return stats_filter(request.user, request.GET)


def _query(f: StatsFilter, **extra: Any) -> str:
    params: dict[str, str] = {"period": f.period.kind}
    if f.period.kind == "day":
        params["day"] = f.period.start.isoformat()
    elif f.period.kind == "month":
        params["month"] = f"{f.period.start.year}-{f.period.start.month:02d}"
    elif f.period.kind == "year":
        params["year"] = str(f.period.start.year)
    else:
        params["start"], params["end"] = f.period.start.isoformat(), f.period.end.isoformat()
    params["region"] = f.region.code if f.region else ""
    params["department"] = f.department.code if f.department else ""
    params.update({k: str(v) for k, v in extra.items()})
    return urlencode(params)


def _base_context(request: HttpRequest, f: StatsFilter) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "f": f,
        "refreshed_at": freshness(),
        "regions": stats_regions(request.user),
        "departments": stats_departments(request.user),
        "may_see_all": default_region(request.user) is None,
        "may_see_all_departments": default_department(request.user) is None,
        "today": today,
        "query": _query(f),
        "quick": [
            (_("今日"), _query(StatsFilter(f.period.day(today), f.region, f.department))),
            (_("本月"), _query(StatsFilter(f.period.month(today.year, today.month), f.region, f.department))),
            (_("本年"), _query(StatsFilter(f.period.year(today.year), f.region, f.department))),
        ],
    }


@require_GET
@staff_page("stats.view")
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        f = _filter(request)
        dimension = request.GET.get("dim") or "department"
        if dimension not in DIMENSIONS:
            raise InvalidInput(_("未知的分析维度：%(dim)s") % {"dim": dimension[:20]}, field="dim")
        ensure_fresh()
        sla = complaint_figures(f)
        figures = indicators(f, complaints=sla)
        points = trend(f)
        rows = breakdown(f, dimension)
    except DomainError as exc:
        return _error(request, exc)
    # By identity: comparing the lazy group names would translate both sides for every pair.
    groups = [(group, [fig for fig in figures.values() if fig.indicator.group is group]) for group in GROUPS]
    chart = charts.bar_line_chart(
        [p.label for p in points],
        [
            charts.Series(_("受理"), [p.accepted for p in points], "s1"),
            charts.Series(_("办结"), [p.finished for p in points], "s2"),
        ],
        charts.Series(_("按时办结率"), [p.on_time_rate for p in points], "s3"),
        title=_("%(period)s受理、办结与按时办结率") % {"period": f.period.label},
    )
    top = [(r.label, r.accepted) for r in rows[:12] if r.accepted]
    context = {
        **_base_context(request, f),
        "groups": groups,
        "figures": figures,
        "points": points,
        "chart": chart,
        "dimension": dimension,
        "dimensions": [(key, name, _query(f, dim=key)) for key, name in DIMENSIONS.items()],
        "columns": [label for _k, label in BREAKDOWN_COLUMNS],
        "rows": rows,
        "top_chart": charts.hbar_chart(
            top, title=_("受理办件数（按%(dim)s）") % {"dim": DIMENSIONS[dimension]}
        )
        if top
        else "",
        "sla": sla,
    }
    return render(request, "stats/dashboard.html", context)


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A bad filter is shown on the filter page (400); permission errors get the 403 page."""

    def page(message: str, status: int) -> HttpResponse:
        context = {
            "error": message,
            "regions": stats_regions(request.user),
            "departments": stats_departments(request.user),
            "may_see_all": default_region(request.user) is None,
            "may_see_all_departments": default_department(request.user) is None,
            "f": None,
            "quick": [],
        }
        return render(request, "stats/dashboard.html", context, status=status)

    return domain_error_page(request, exc, page)


@require_GET
@staff_page("stats.view")
def drilldown(request: HttpRequest) -> HttpResponse:
    """``/stats/cases?indicator=overdue_open&…``: the cases behind a figure, 50 per page."""
    code = request.GET.get("indicator", "")
    try:
        f = _filter(request)
        cases = drill_cases(code, f)
    except DomainError as exc:
        return _error(request, exc)
    paginator = Paginator(cases, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        **_base_context(request, f),
        "indicator": BY_CODE[code],
        "page": page,
        "query": _query(f, indicator=code),
        "back_query": _query(f),
    }
    return render(request, "stats/drilldown.html", context)


@require_GET
@staff_page("stats.view")
def export(request: HttpRequest) -> HttpResponse:
    from onewindow.stats.excel import workbook

    try:
        f = _filter(request)
        ensure_fresh()
        data = workbook(f)
    except DomainError as exc:
        return _error(request, exc)
    name = f"onewindow-stats-{f.period.start:%Y%m%d}-{f.period.end:%Y%m%d}.xlsx"
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@staff_page("stats.view")
def definitions(request: HttpRequest) -> HttpResponse:
    from onewindow.stats.definitions import INDICATORS

    return render(request, "stats/definitions.html", {"indicators": INDICATORS, "groups": GROUPS})
