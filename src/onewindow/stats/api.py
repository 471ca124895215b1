"""Statistics endpoints: the indicators of a period and region with their definitions, a breakdown
by one dimension, the trend, and the cases behind a figure (paginated). The same selectors serve
the dashboard, the Excel export and the annual report; the endpoints that read the rollups bring
them up to date first when the change is small (``ensure_fresh``), as the pages do."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import codes_4xx

from onewindow.cases.schemas import Problem
from onewindow.core.errors import InvalidInput
from onewindow.stats.definitions import BY_CODE, DIMENSIONS, INDICATORS
from onewindow.stats.rollup import ensure_fresh
from onewindow.stats.selectors import (
    FILTER_PARAMS,
    StatsFilter,
    breakdown,
    drill_cases,
    indicators,
    stats_filter,
    trend,
)

router = Router(tags=["stats"])
PAGE_MAX = 200


class FilterIn(Schema):
    period: str = "month"
    day: str | None = None
    month: str | None = None
    year: str | None = None
    start: str | None = None
    end: str | None = None
    region: str | None = None
    department: str | None = None


class FigureOut(Schema):
    code: str
    name: str
    unit: str
    value: str | None
    numerator: int | None
    denominator: int | None
    definition: str


class IndicatorsOut(Schema):
    start: str
    end: str
    region: str | None
    department: str | None
    indicators: list[FigureOut]


class DefinitionOut(Schema):
    code: str
    name: str
    unit: str
    group: str
    definition: str
    drill: bool


class BreakdownRowOut(Schema):
    key: str
    label: str
    accepted: int
    finished: int
    on_time_rate: str | None
    finished_late: int
    working_days_mean: str | None
    overdue_open: int


class TrendPointOut(Schema):
    start: str
    end: str
    accepted: int
    finished: int
    on_time_rate: str | None


class DrillCaseOut(Schema):
    number: str
    item: str
    department: str
    status: str
    accepted_at: str
    promised_due_at: str | None
    decided_at: str | None


class DrillOut(Schema):
    indicator: str
    total: int
    offset: int
    cases: list[DrillCaseOut]


def _filter(request: HttpRequest, q: FilterIn) -> StatsFilter:
    params = {name: getattr(q, name) for name in FILTER_PARAMS if getattr(q, name) is not None}
    for name, value in params.items():
        if len(value) > 20:
            raise InvalidInput(f"参数 {name} 过长", field=name)
    return stats_filter(request.user, params)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


@router.get("/definitions", response={200: list[DefinitionOut], codes_4xx: Problem})
def definitions(request: HttpRequest):
    """Every indicator's definition (指标口径)."""
    return [
        {
            "code": i.code,
            "name": str(i.name),
            "unit": i.unit,
            "group": str(i.group),
            "definition": str(i.definition),
            "drill": i.drill,
        }
        for i in INDICATORS
    ]


@router.get("/indicators", response={200: IndicatorsOut, codes_4xx: Problem})
def indicator_values(request: HttpRequest, q: Query[FilterIn]):
    """All indicators of a period (``period`` = day|month|year|custom) and region."""
    f = _filter(request, q)
    ensure_fresh()
    return {
        "start": f.period.start.isoformat(),
        "end": f.period.end.isoformat(),
        "region": f.region.code if f.region else None,
        "department": f.department.code if f.department else None,
        "indicators": [fig.as_dict() for fig in indicators(f).values()],
    }


@router.get("/breakdown/{dimension}", response={200: list[BreakdownRowOut], codes_4xx: Problem})
def breakdown_rows(request: HttpRequest, dimension: str, q: Query[FilterIn]):
    """Cases by ``department``, ``item``, ``channel``, ``region_tier`` or ``state``."""
    if dimension not in DIMENSIONS:
        raise InvalidInput(
            f"未知的分析维度“{dimension[:20]}”，可选：{'、'.join(DIMENSIONS)}", field="dimension"
        )
    f = _filter(request, q)
    ensure_fresh()
    return [
        {
            "key": r.key,
            "label": r.label,
            "accepted": r.accepted,
            "finished": r.finished,
            "on_time_rate": _str(r.on_time_rate),
            "finished_late": r.finished_late,
            "working_days_mean": _str(r.working_days_mean),
            "overdue_open": r.overdue_open,
        }
        for r in breakdown(f, dimension)
    ]


@router.get("/trend", response={200: list[TrendPointOut], codes_4xx: Problem})
def trend_points(request: HttpRequest, q: Query[FilterIn]):
    """Cases accepted and finished per day (periods up to two months) or per month."""
    f = _filter(request, q)
    ensure_fresh()
    return [
        {
            "start": p.start.isoformat(),
            "end": p.end.isoformat(),
            "accepted": p.accepted,
            "finished": p.finished,
            "on_time_rate": _str(p.on_time_rate),
        }
        for p in trend(f)
    ]


@router.get("/indicators/{code}/cases", response={200: DrillOut, codes_4xx: Problem})
def drill(
    request: HttpRequest,
    code: str,
    q: Query[FilterIn],
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int = Query(50, ge=1, le=PAGE_MAX),
):
    """The cases behind a figure (indicators with ``drill``), by deadline, ``limit`` at a time."""
    if code not in BY_CODE:
        raise InvalidInput(f"未知的指标“{code[:40]}”", field="code")
    f = _filter(request, q)
    cases = drill_cases(code, f)
    page = list(cases[offset : offset + limit])
    return {
        "indicator": code,
        "total": cases.count(),
        "offset": offset,
        "cases": [
            {
                "number": c.number,
                "item": c.item_version.item.name,
                "department": c.department.name,
                "status": c.status,
                "accepted_at": c.accepted_at.isoformat(),
                "promised_due_at": _str(c.promised_due_at and c.promised_due_at.isoformat()),
                "decided_at": _str(c.decided_at and c.decided_at.isoformat()),
            }
            for c in page
        ],
    }
