"""Rating endpoints: the applicant's rating (public, by number + ID suffix), staff rating on
behalf, the ratings list, the rates with their definitions, rectification actions and the
agency ranking. Handlers parse, call one service or selector and shape the answer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema, Status
from ninja.responses import codes_4xx
from pydantic import Field

from onewindow.cases.schemas import KEY_PATTERN, MAX_ID, In, LocalDate, Problem
from onewindow.cases.selectors import case_get_for_user
from onewindow.core.errors import InvalidInput, NotFound
from onewindow.core.throttle import guarded_lookup
from onewindow.org.authz import require
from onewindow.org.models import Department, ServiceWindow
from onewindow.ratings import services
from onewindow.ratings.models import RankingPeriod, Rating, RatingChannel, Rectification
from onewindow.ratings.selectors import (
    Rate,
    Scope,
    case_for_applicant,
    rates_summary,
    rating_list_for_user,
    rectification_get_for_user,
    rectification_list_for_user,
)

router = Router(tags=["ratings"])
Id = Path(..., ge=1, le=MAX_ID)
MAX_PERIOD_DAYS = 3660


# ---- schemas -------------------------------------------------------------------------------------


class PublicRatingIn(In):
    number: str = Field(..., min_length=1, max_length=32, pattern=KEY_PATTERN, description="受理编号")
    id_suffix: str = Field(..., min_length=4, max_length=6, description="申请人证件号码后4至6位")
    case_number: str = Field("", max_length=40, description="办件编号；申请只有一个办件时可省略")
    level: int = Field(..., ge=1, le=5, description="5 非常满意 … 1 非常不满意")
    comment: str = Field("", max_length=500)
    tags: list[str] = Field(default_factory=list, max_length=10)
    channel: RatingChannel = RatingChannel.ONLINE
    anonymous: bool = False


class StaffRatingIn(In):
    case_number: str = Field(..., min_length=1, max_length=40, pattern=KEY_PATTERN)
    level: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=500)
    tags: list[str] = Field(default_factory=list, max_length=10)
    channel: RatingChannel = RatingChannel.AGENT
    anonymous: bool = False
    consent: bool = Field(False, description="代为评价须经申请人本人同意")


class RectificationOut(Schema):
    id: int
    state: str
    state_label: str
    department: str
    contact_due_at: dt.datetime
    rectify_due_at: dt.datetime
    escalated: bool
    result: str


class RatingOut(Schema):
    id: int
    case_number: str
    level: int
    level_label: str
    comment: str
    tags: list[str]
    channel: str
    anonymous: bool
    is_default: bool
    department: str
    rated_at: dt.datetime
    rectification: RectificationOut | None


class RateOut(Schema):
    name: str
    numerator: int
    denominator: int
    rate: str | None = Field(None, description="精确分数，如 9/10")
    percent: Decimal | None = Field(None, description="百分比，保留两位小数")
    definition: str
    default_ratings: int


class RatesOut(Schema):
    start: dt.date
    end: dt.date
    rating_rate: RateOut
    satisfaction_rate: RateOut
    rectification_rate: RateOut


class RectificationNoteIn(In):
    note: str = Field("", max_length=2000)


class ScoreIn(In):
    department_code: str = Field(..., min_length=1, max_length=32)
    indicator_code: str = Field(..., min_length=1, max_length=40)
    score: Decimal = Field(..., ge=0, le=100, max_digits=5, decimal_places=2)


class RankingResultOut(Schema):
    department: str
    score: Decimal
    rank: int
    grade: str
    grade_label: str
    consecutive_bad: int
    alert: str
    details: dict[str, Any]


class PeriodOut(Schema):
    id: int
    scheme: str
    label: str
    start: dt.date
    end: dt.date
    computed_at: dt.datetime | None
    results: list[RankingResultOut]


# ---- shaping -------------------------------------------------------------------------------------


def _rectification(r: Rectification) -> dict[str, Any]:
    return {
        "id": r.pk,
        "state": r.state,
        "state_label": r.get_state_display(),
        "department": r.department.name,
        "contact_due_at": r.contact_due_at,
        "rectify_due_at": r.rectify_due_at,
        "escalated": r.escalated,
        "result": r.result,
    }


def _rating(r: Rating) -> dict[str, Any]:
    rect = getattr(r, "rectification", None) if r.is_bad else None
    return {
        "id": r.pk,
        "case_number": r.case.number,
        "level": r.level,
        "level_label": r.get_level_display(),
        "comment": r.comment,
        "tags": r.tags,
        "channel": r.channel,
        "anonymous": r.anonymous,
        "is_default": r.is_default,
        "department": r.department.name,
        "rated_at": r.rated_at,
        "rectification": _rectification(rect) if rect is not None else None,
    }


def _rate(rate: Rate) -> dict[str, Any]:
    return rate.as_dict()


def _period(period: RankingPeriod) -> dict[str, Any]:
    return {
        "id": period.pk,
        "scheme": period.scheme.name,
        "label": period.label,
        "start": period.start,
        "end": period.end,
        "computed_at": period.computed_at,
        "results": [
            {
                "department": r.department.name,
                "score": r.score,
                "rank": r.rank,
                "grade": r.grade,
                "grade_label": r.get_grade_display(),
                "consecutive_bad": r.consecutive_bad,
                "alert": r.alert,
                "details": r.details,
            }
            for r in period.results.select_related("department").order_by("rank", "department__code")
        ],
    }


def _period_get(pk: int) -> RankingPeriod:
    period = RankingPeriod.objects.select_related("scheme").filter(pk=pk).first()
    if period is None:
        raise NotFound(f"测评期次 {pk} 不存在")
    return period


# ---- endpoints -----------------------------------------------------------------------------------


@router.post("", response={201: RatingOut, codes_4xx: Problem}, auth=None)
def submit_public(request: HttpRequest, body: PublicRatingIn):
    """The applicant rates a finished case (一事一评), identified by the acceptance number and the
    last 4–6 characters of the ID number or credit code, as on the tracking page; failed
    look-ups are throttled per IP address and per number (429 ``throttled``)."""
    if body.channel == RatingChannel.AGENT:
        raise InvalidInput("代为评价须由工作人员登录后录入", errors={"channel": ["无效"]})
    case = guarded_lookup(
        request,
        "rating",
        body.number,
        lambda: case_for_applicant(body.number, body.id_suffix, body.case_number),
    )
    rating = services.rating_submit(
        case=case,
        level=body.level,
        comment=body.comment,
        tags=body.tags,
        channel=body.channel,
        anonymous=body.anonymous,
    )
    return Status(201, _rating(rating))


@router.post("/on-behalf", response={201: RatingOut, codes_4xx: Problem})
def submit_on_behalf(request: HttpRequest, body: StaffRatingIn):
    """Window staff or an agent record the rating at the window pad or, with the applicant's
    consent, on their behalf (代为评价)."""
    case = case_get_for_user(body.case_number, request.user)
    rating = services.rating_submit(
        case=case,
        level=body.level,
        comment=body.comment,
        tags=body.tags,
        channel=body.channel,
        anonymous=body.anonymous,
        actor=request.user,
        consent=body.consent,
    )
    return Status(201, _rating(rating))


@router.get("", response={200: list[RatingOut], codes_4xx: Problem})
def rating_list(
    request: HttpRequest,
    department: str | None = Query(None, max_length=32, description="部门编码"),
    level: int | None = Query(None, ge=1, le=5),
    bad_only: bool = False,
    start: LocalDate | None = None,
    end: LocalDate | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
):
    """Ratings the user may see (``rating.view``), newest first."""
    require(request.user, "rating.view")
    dept = _department(department) if department else None
    rows = rating_list_for_user(
        request.user, department=dept, level=level, bad_only=bad_only, start=start, end=end
    )
    return [_rating(r) for r in rows[offset : offset + limit]]


def _department(code: str) -> Department:
    found = Department.objects.filter(code=code).first()
    if found is None:
        raise NotFound(f"部门“{code[:32]}”不存在")
    return found


@router.get("/rates", response={200: RatesOut, codes_4xx: Problem})
def rates(
    request: HttpRequest,
    start: LocalDate,
    end: LocalDate,
    department: str | None = Query(None, max_length=32),
    window: int | None = Query(None, ge=1, le=MAX_ID),
    staff: str | None = Query(None, max_length=150, description="工作人员用户名"),
):
    """评价率, 满意率 and 差评整改率 of a period, each with numerator, denominator and definition."""
    from django.contrib.auth import get_user_model

    dept = _department(department) if department else None
    require(request.user, "supervision.view", department=dept)
    if end < start or (end - start).days > MAX_PERIOD_DAYS:
        raise InvalidInput("统计期间无效（截止日不能早于起始日，且不超过10年）", errors={"end": ["无效"]})
    win = ServiceWindow.objects.filter(pk=window).first() if window else None
    if window and win is None:
        raise NotFound(f"窗口 {window} 不存在")
    user = get_user_model().objects.filter(username=staff).first() if staff else None
    if staff and user is None:
        raise NotFound(f"工作人员“{staff[:40]}”不存在")
    summary = rates_summary(Scope(start=start, end=end, department=dept, window=win, staff=user))
    return {"start": start, "end": end, **{k: _rate(v) for k, v in summary.items()}}


@router.get("/rectifications", response={200: list[RectificationOut], codes_4xx: Problem})
def rectification_list(request: HttpRequest, state: str | None = Query(None, max_length=10)):
    """Rectifications the user may work on or verify, by deadline."""
    return [_rectification(r) for r in rectification_list_for_user(request.user, state=state)[:200]]


@router.post("/rectifications/{pk}/{action}", response={200: RectificationOut, codes_4xx: Problem})
def rectification_action(
    request: HttpRequest,
    body: RectificationNoteIn,
    pk: int = Id,
    action: str = Path(..., pattern="^(contact|rectify|verify|reject|publish)$"),
):
    """回访 (contact), 整改 (rectify), 核实 (verify) / 退回 (reject) and 公开 (publish)."""
    rectification = rectification_get_for_user(request.user, pk)
    moved = services.rectification_transition(
        rectification=rectification, action=action, actor=request.user, note=body.note
    )
    return _rectification(moved)


@router.get("/ranking/periods/{pk}", response={200: PeriodOut, codes_4xx: Problem})
def ranking_period(request: HttpRequest, pk: int = Id):
    """A ranking period with each department's score, rank, grade and alert."""
    require(request.user, "supervision.view")
    return _period(_period_get(pk))


@router.post("/ranking/periods/{pk}/scores", response={200: PeriodOut, codes_4xx: Problem})
def ranking_score(request: HttpRequest, body: ScoreIn, pk: int = Id):
    """Enter an on-site (现场测评) score of a department."""
    period = _period_get(pk)
    indicator = period.scheme.indicators.filter(code=body.indicator_code).first()
    if indicator is None:
        raise NotFound(f"指标“{body.indicator_code}”不属于本方案")
    services.ranking_score_enter(
        actor=request.user,
        period=period,
        department=_department(body.department_code),
        indicator=indicator,
        score=body.score,
    )
    return _period(period)


@router.post("/ranking/periods/{pk}/compute", response={200: PeriodOut, codes_4xx: Problem})
def ranking_compute(request: HttpRequest, pk: int = Id):
    """Compute scores, ranks, grades and consecutive-差 alerts of the period."""
    period = _period_get(pk)
    services.ranking_compute(actor=request.user, period=period)
    period.refresh_from_db()
    return _period(period)
