"""Writes for ratings, rectifications and the agency ranking.

Every public function is one transaction that leaves audit events. A rectification's state moves
only through ``rectification_transition`` and its table ``RECTIFICATION_TRANSITIONS``; each move
appends a ``RectificationEvent``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from onewindow.audit.services import audit_record
from onewindow.cases.models import Case
from onewindow.clock.deadlines import due
from onewindow.clock.models import Calendar
from onewindow.clock.selectors import calendar_for_region, region_uses_calendar, work_calendar
from onewindow.clock.workdays import Duration, Unit, WorkCalendar
from onewindow.core.errors import DomainError, InvalidInput, InvalidTransition
from onewindow.core.lifecycle import SYSTEM, Lifecycle, Rule
from onewindow.core.timers import claim_due
from onewindow.core.timeutil import now
from onewindow.core.validation import full_clean_or_raise
from onewindow.org.authz import require
from onewindow.org.models import Department
from onewindow.ratings import conf
from onewindow.ratings.models import (
    BAD_LEVELS,
    Grade,
    IndicatorSource,
    Level,
    RankingIndicator,
    RankingPeriod,
    RankingResult,
    RankingScheme,
    RankingScore,
    Rating,
    RatingChannel,
    Rectification,
    RectificationEvent,
    RectificationState,
)
from onewindow.ratings.selectors import (
    RECTIFICATION_OVERDUE,
    Rate,
    Scope,
    case_finished_at,
    cases_awaiting_default_rating,
    on_time_rate,
    rating_rate,
    rating_window_closes_at,
    rectification_rate,
    rectifications_due,
    satisfaction_rate,
)

MAX_TAGS = 10
MAX_COMMENT = 500


class AlreadyRated(DomainError):
    code, status, title = "already_rated", 409, "该办件已评价"


class RatingClosed(DomainError):
    code, status, title = "rating_closed", 409, "不在评价期内"


# ---- ratings ---------------------------------------------------------------------------------------


def _validated_tags(tags: Iterable[str]) -> list[str]:
    tags = [str(t).strip() for t in tags or ()]
    allowed = conf.tags()
    unknown = [t for t in tags if t not in allowed]
    if unknown:
        raise InvalidInput(
            f"评价标签无效：{'、'.join(unknown)}（可选：{'、'.join(allowed)}）", errors={"tags": unknown}
        )
    if len(set(tags)) != len(tags):
        raise InvalidInput("评价标签重复", errors={"tags": ["重复"]})
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"评价标签最多选择{MAX_TAGS}个", errors={"tags": ["过多"]})
    return tags


def _check_open(case: Case, *, at: dt.datetime) -> dt.datetime:
    finished = case_finished_at(case)
    if finished is None:
        raise RatingClosed(
            f"办件{case.number}尚未办结（{case.get_status_display()}），办结后才能评价", case=case.number
        )
    closes = rating_window_closes_at(case)
    if at >= closes:
        raise RatingClosed(
            f"办件{case.number}的评价期已于{timezone.localtime(closes):%Y-%m-%d %H:%M}"
            f"结束（办结后{conf.window_days()}日内可评价）",
            case=case.number,
        )
    return finished


def _refuse_second(case: Case) -> None:
    existing = Rating.objects.filter(case=case).first()
    if existing is not None:
        raise AlreadyRated(
            f"办件{case.number}已于{timezone.localtime(existing.rated_at):%Y-%m-%d %H:%M}评价"
            f"（{existing.get_level_display()}），每个办件只能评价一次（一事一评）",
            case=case.number,
        )


def _create_rating(case: Case, **fields: Any) -> Rating:
    application = case.application
    try:
        with transaction.atomic():
            return Rating.objects.create(
                case=case,
                department=case.department,
                window=application.window,
                accepted_by=application.accepted_by,
                decided_by=case.decided_by,
                **fields,
            )
    except IntegrityError:
        _refuse_second(case)  # rated concurrently: say so with the winner's level
        raise


@transaction.atomic
def rating_submit(
    *,
    case: Case,
    level: int,
    comment: str = "",
    tags: Sequence[str] = (),
    channel: str,
    anonymous: bool = False,
    actor: Any | None = None,
    consent: bool = False,
) -> Rating:
    """Record the one rating of a finished case (一事一评, 国办发〔2019〕51号).

    Rules: the case is finished (decided) and its rating window (``ONEWINDOW_RATINGS_WINDOW_DAYS``
    natural days) is still open, else ``RatingClosed`` (409); it has no rating yet, else
    ``AlreadyRated`` (409); level is one of the five levels, tags come from the configured set,
    anonymity is allowed only where configured (``InvalidInput``, 422). The applicant rates with
    ``actor=None`` (any channel but 代评); staff (``rating.submit_on_behalf``) rate only through
    the window pad or on the applicant's behalf, which needs ``consent``. A bad rating opens its
    rectification in the same transaction.
    """
    at = now()
    try:
        level = Level(int(level))
    except (TypeError, ValueError):
        raise InvalidInput("评价等级须为1至5（非常不满意至非常满意）", errors={"level": ["无效"]}) from None
    if channel not in RatingChannel.values:
        raise InvalidInput(f"评价渠道“{channel}”无效", errors={"channel": ["无效"]})
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(f"评价内容不能超过{MAX_COMMENT}字", errors={"comment": ["过长"]})
    tags = _validated_tags(tags)
    if anonymous and not conf.anonymous_allowed():
        raise InvalidInput("本地未开放匿名评价，请实名评价", errors={"anonymous": ["不允许"]})
    if actor is None and channel == RatingChannel.AGENT:
        raise InvalidInput("代为评价须由工作人员登录后录入", errors={"channel": ["无效"]})
    if actor is not None:
        require(actor, "rating.submit_on_behalf", region=case.application.region)
        if channel not in (RatingChannel.AGENT, RatingChannel.PAD):
            raise InvalidInput("工作人员只能通过窗口评价器或代为评价录入", errors={"channel": ["无效"]})
        if channel == RatingChannel.AGENT and not consent:
            raise InvalidInput("代为评价须经申请人本人同意", errors={"consent": ["须经本人同意"]})
    case = Case.objects.select_for_update().select_related("application", "department").get(pk=case.pk)
    finished = _check_open(case, at=at)
    _refuse_second(case)
    rating = _create_rating(
        case,
        level=level,
        comment=comment,
        tags=tags,
        channel=channel,
        anonymous=anonymous,
        applicant=None if anonymous else case.application.applicant,
        consent=consent if channel == RatingChannel.AGENT else False,
        recorded_by=actor,
        finished_at=finished,
        rated_at=at,
    )
    audit_record(
        actor=actor,
        actor_label="" if actor is not None else "applicant",
        action="rating.submit",
        target=rating,
        after={"case": case.number, "level": int(level), "channel": channel, "anonymous": anonymous},
    )
    if level in BAD_LEVELS:
        _open_rectification(rating, at)
    return rating


@transaction.atomic
def rating_record_default(*, case: Case) -> Rating:
    """Record a default rating (``is_default``) for a finished case whose window closed without a
    rating. Only while ``ONEWINDOW_RATINGS_DEFAULT_ON_SILENCE`` is on; the timer calls it.
    Default ratings never open a rectification and are counted apart from real ones."""
    if not conf.default_on_silence():
        raise InvalidTransition("未开启“逾期未评价视为默认评价”")
    case = Case.objects.select_for_update().select_related("application", "department").get(pk=case.pk)
    closes = rating_window_closes_at(case)
    if closes is None or now() < closes:
        raise RatingClosed(f"办件{case.number}仍在评价期内或尚未办结")
    _refuse_second(case)
    rating = _create_rating(
        case,
        level=conf.default_level(),
        channel=RatingChannel.ONLINE,
        anonymous=True,
        is_default=True,
        finished_at=case_finished_at(case),
        rated_at=now(),
    )
    audit_record(actor=None, action="rating.default", target=rating, after={"case": case.number})
    return rating


# ---- rectification ---------------------------------------------------------------------------------

S = RectificationState


# The one table of the rectification lifecycle: open → contacted → rectified → verified → published,
# a verification that fails sends it back to 整改中; escalations keep the state and stamp the row.
RECTIFICATION_TRANSITIONS: dict[tuple[str, str], Rule] = {
    (S.OPEN, "contact"): Rule(S.CONTACTED, "rating.rectify", "回访", needs_note=True),
    (S.CONTACTED, "rectify"): Rule(S.RECTIFIED, "rating.rectify", "完成整改", needs_note=True),
    (S.RECTIFIED, "verify"): Rule(S.VERIFIED, "rating.verify_rectification", "核实整改"),
    (S.RECTIFIED, "reject"): Rule(S.CONTACTED, "rating.verify_rectification", "退回整改", needs_note=True),
    (S.VERIFIED, "publish"): Rule(
        S.PUBLISHED, "rating.verify_rectification", "公开整改结果", needs_note=True
    ),
    (S.OPEN, "escalate_contact"): Rule(S.OPEN, SYSTEM, "回访逾期督办"),
    (S.OPEN, "escalate_rectify"): Rule(S.OPEN, SYSTEM, "整改逾期督办"),
    (S.CONTACTED, "escalate_rectify"): Rule(S.CONTACTED, SYSTEM, "整改逾期督办"),
}


RECTIFICATION = Lifecycle(
    noun="整改", states=RectificationState, table=RECTIFICATION_TRANSITIONS, state_field="state"
)


def _rectification_calendar(rating: Rating) -> WorkCalendar:
    return work_calendar(calendar_for_region(region=rating.case.application.region))


def _rectification_deadlines(at: dt.datetime, cal: WorkCalendar) -> dict[str, Any]:
    """Follow-up and rectification deadlines from ``at``; provisional past the loaded years
    (``clock.deadlines``), recomputed by ``rectifications_recompute_deadlines_for_calendar``."""
    contact, p1 = due(at, Duration(conf.contact_within_days(), Unit.WORKDAY), cal)
    rectify, p2 = due(at, Duration(conf.rectify_within_days(), Unit.WORKDAY), cal)
    return {"contact_due_at": contact, "rectify_due_at": rectify, "due_provisional": p1 or p2}


def _open_rectification(rating: Rating, at: dt.datetime) -> Rectification:
    """A bad rating's follow-up (回访, ``ONEWINDOW_RATINGS_CONTACT_DAYS`` working days) and
    rectification (整改, ``ONEWINDOW_RATINGS_RECTIFY_DAYS`` working days), both from the rating
    instant on the working calendar (the rating day itself not counted)."""
    cal = _rectification_calendar(rating)
    rectification = Rectification.objects.create(
        rating=rating,
        department=rating.department,
        state=S.OPEN,
        **_rectification_deadlines(at, cal),
        created_at=at,
    )
    RectificationEvent.objects.create(
        rectification=rectification, action="open", from_state="", to_state=S.OPEN, at=at
    )
    audit_record(
        actor=None,
        action="rectification.open",
        target=rectification,
        after={
            "contact_due_at": rectification.contact_due_at,
            "rectify_due_at": rectification.rectify_due_at,
            "due_provisional": rectification.due_provisional,
        },
    )
    return rectification


def _effects(rectification: Rectification, action: str, actor: Any, note: str, at: dt.datetime) -> dict:
    match action:
        case "contact":
            return {"contacted_at": at, "contact_note": note}
        case "rectify":
            return {"rectified_at": at, "measures": note}
        case "verify":
            return {"verified_at": at, "verified_by": actor}
        case "reject":
            return {"rectified_at": None}
        case "publish":
            return {"published_at": at, "result": note}
        case "escalate_contact":
            return {"contact_overdue_at": at}
        case "escalate_rectify":
            return {"rectify_overdue_at": at}
    return {}


@transaction.atomic
def rectification_transition(
    *, rectification: Rectification, action: str, actor: Any | None, note: str = ""
) -> Rectification:
    """Move a rectification by ``action`` along ``RECTIFICATION_TRANSITIONS``.

    Raises ``InvalidTransition`` (409) for a pair not in the table (saying what the state allows),
    ``PermissionDenied`` when the actor lacks the action's permission for the department,
    ``InvalidInput`` when a required note (回访记录, 整改措施, 退回理由, 公开结果) is empty and
    ``ConcurrentChange`` if someone moved it first. System actions (escalations) take ``actor=None``.
    """
    old = rectification.state
    rule = RECTIFICATION.rule(old, action)
    if rule.permission == SYSTEM:
        if actor is not None:
            raise InvalidTransition(f"“{rule.label}”由系统定时任务执行")
    else:
        require(actor, rule.permission, department=rectification.department)
    note = (note or "").strip()
    if rule.needs_note and not note:
        raise InvalidInput(f"请填写{rule.label}的说明", errors={"note": ["必填"]})
    at = now()
    fields = _effects(rectification, action, actor, note, at)
    RECTIFICATION.move(
        Rectification,
        rectification.pk,
        old=old,
        target=rule.target,
        expect=_unchanged(action),
        conflict="整改已被他人处理，请刷新后重试",
        **fields,
    )
    RectificationEvent.objects.create(
        rectification=rectification,
        action=action,
        from_state=old,
        to_state=rule.target,
        actor=actor,
        note=note,
        at=at,
    )
    audit_record(
        actor=actor,
        action=f"rectification.{action}",
        target=rectification,
        before={"state": old},
        after={"state": rule.target, **({"note": note[:200]} if note else {})},
    )
    rectification.refresh_from_db()
    return rectification


def _unchanged(action: str) -> dict:
    # An escalation fires once: the row must not carry the stamp already.
    if action == "escalate_contact":
        return {"contact_overdue_at__isnull": True}
    if action == "escalate_rectify":
        return {"rectify_overdue_at__isnull": True}
    return {}


# ---- calendar changes ------------------------------------------------------------------------------


def rectifications_recompute_deadlines_for_calendar(calendar: Calendar, years: frozenset[int]) -> int:
    """``clock.hooks`` handler: recount the deadlines of open rectifications (not yet rectified)
    of cases in regions counting on ``calendar``, where a deadline is provisional or runs into a
    changed year. Returns how many changed."""
    rows = Rectification.objects.filter(state__in=(S.OPEN, S.CONTACTED))
    first_changed = min(years, default=None)
    if first_changed is not None:
        start = timezone.make_aware(dt.datetime.combine(dt.date(first_changed, 1, 1), dt.time()))
        rows = rows.filter(
            Q(due_provisional=True) | Q(rectify_due_at__gte=start) | Q(contact_due_at__gte=start)
        )
    else:
        rows = rows.filter(due_provisional=True)
    uses = region_uses_calendar(calendar)
    cal = work_calendar(calendar)
    count = 0
    for row in rows.select_related("rating__case__application__region").iterator(chunk_size=2000):
        if not uses(row.rating.case.application.region):
            continue
        fields = _rectification_deadlines(row.created_at, cal)
        if any(getattr(row, name) != value for name, value in fields.items()):
            count += Rectification.objects.filter(pk=row.pk).update(**fields)
    return count


# ---- timers ----------------------------------------------------------------------------------------


def ratings_fire_due(*, limit: int = 500) -> list[tuple[int, str]]:
    """Escalate overdue follow-ups and rectifications, and (when configured) record default
    ratings for cases whose rating window closed in silence.

    Each row is claimed by ``core.timers.claim_due`` (``SELECT … FOR UPDATE SKIP LOCKED`` on
    PostgreSQL) and handled in its own transaction; the update is conditional on the row still
    being unstamped, so several workers never escalate twice. Returns ``(id, result)`` per row
    handled (the rectification's id, or the case's for a default rating).
    """

    def escalate(action: str) -> Callable[[Rectification], str]:
        def fire(row: Rectification) -> str:
            rectification_transition(rectification=row, action=action, actor=None)
            return f"rectification {action}"

        return fire

    def record_default(case: Case) -> str:
        rating_record_default(case=case)
        return f"default rating for {case.number}"

    fired: list[tuple[int, str]] = []
    for action, q, due_field in RECTIFICATION_OVERDUE:
        fired += claim_due(rectifications_due(q, due_field), limit=limit - len(fired), fire=escalate(action))
    if conf.default_on_silence():
        fired += claim_due(cases_awaiting_default_rating(), limit=limit - len(fired), fire=record_default)
    return fired


# ---- agency ranking ----------------------------------------------------------------------------------

HUNDRED = Decimal("100")


def ranking_weights_check(weights: Iterable[Decimal | int | str]) -> None:
    """Weights must be positive and sum to exactly 100 % (``InvalidInput`` otherwise)."""
    values = [Decimal(str(w)) for w in weights]
    if not values:
        raise InvalidInput("测评方案至少需要一个指标", errors={"indicators": ["必填"]})
    if any(v <= 0 for v in values):
        raise InvalidInput("指标权重必须大于0", errors={"indicators": ["权重必须大于0"]})
    total = sum(values, Decimal(0))
    if total != HUNDRED:
        raise InvalidInput(f"指标权重之和须为100%，当前为{total}%", errors={"indicators": [f"合计{total}%"]})


@transaction.atomic
def ranking_scheme_create(
    *,
    actor: Any,
    name: str,
    indicators: Sequence[dict[str, Any]],
    good_top: int = 20,
    fair_top: int = 50,
    bad_bottom: int = 6,
    departments: Iterable[Department] = (),
) -> RankingScheme:
    """A ranking scheme with its indicators ({code, name, weight, source}); weights sum to 100 %.
    ``departments`` are the units ranked (default: every active department)."""
    require(actor, "ranking.manage")
    ranking_weights_check(i.get("weight", 0) for i in indicators)
    scheme = RankingScheme(name=name, good_top=good_top, fair_top=fair_top, bad_bottom=bad_bottom)
    full_clean_or_raise(scheme)
    scheme.save()
    scheme.departments.set(list(departments))
    for spec in indicators:
        indicator = RankingIndicator(
            scheme=scheme,
            code=spec["code"],
            name=spec["name"],
            weight=Decimal(str(spec["weight"])),
            source=spec.get("source", IndicatorSource.MANUAL),
        )
        full_clean_or_raise(indicator)
        indicator.save()
    audit_record(
        actor=actor,
        action="ranking_scheme.create",
        target=scheme,
        after={"indicators": [{k: str(v) for k, v in i.items()} for i in indicators]},
    )
    return scheme


@transaction.atomic
def ranking_period_open(
    *, actor: Any, scheme: RankingScheme, label: str, start: dt.date, end: dt.date
) -> RankingPeriod:
    """A new ranking period (e.g. a quarter) of a scheme."""
    require(actor, "ranking.manage")
    period = RankingPeriod(scheme=scheme, label=label, start=start, end=end)
    full_clean_or_raise(period)
    period.save()
    audit_record(actor=actor, action="ranking_period.open", target=period, after={"start": start, "end": end})
    return period


@transaction.atomic
def ranking_score_enter(
    *,
    actor: Any,
    period: RankingPeriod,
    department: Department,
    indicator: RankingIndicator,
    score: Decimal | int | str,
) -> RankingScore:
    """Enter (or correct) a department's on-site score (现场测评, 0–100) on a manual indicator."""
    require(actor, "ranking.manage")
    if indicator.scheme_id != period.scheme_id:
        raise InvalidInput("该指标不属于本期测评方案", errors={"indicator": ["不属于本方案"]})
    if indicator.source != IndicatorSource.MANUAL:
        raise InvalidInput(
            f"指标“{indicator.name}”由系统根据数据计算，不能人工录入", errors={"indicator": ["系统计算"]}
        )
    try:
        value = Decimal(str(score))
    except ArithmeticError:
        raise InvalidInput("得分须为0至100的数字", errors={"score": ["无效"]}) from None
    if not value.is_finite() or not 0 <= value <= HUNDRED:
        raise InvalidInput("得分须为0至100的数字", errors={"score": ["超出范围"]})
    row, created = RankingScore.objects.update_or_create(
        period=period,
        department=department,
        indicator=indicator,
        defaults={"score": value, "entered_by": actor, "entered_at": now()},
    )
    audit_record(
        actor=actor,
        action="ranking_score.enter" if created else "ranking_score.correct",
        target=row,
        after={"department": department.code, "indicator": indicator.code, "score": value},
    )
    return row


COMPUTED = {
    IndicatorSource.SATISFACTION_RATE: satisfaction_rate,
    IndicatorSource.RATING_RATE: rating_rate,
    IndicatorSource.RECTIFICATION_RATE: rectification_rate,
    IndicatorSource.ON_TIME_RATE: on_time_rate,
}

# Seed 001 巴中: what each count of consecutive 差 grades leads to.
BAD_GRADE_CONSEQUENCES = {
    1: "1次评为“差”等次：分管负责同志对班子成员谈话提示，主要负责人在媒体上作出整改承诺",
    2: "连续2次评为“差”等次：主要负责同志对班子成员诫勉谈话，给予黄牌警示",
    3: "连续3次评为“差”等次：提请作出组织处理",
}


def grade_for_rank(rank: int, total: int, scheme: RankingScheme) -> Grade:
    """The grade of a rank among ``total`` departments (seed 001: 前20位“好”，21—50位“较好”，
    后6位“差”，其余“一般”). The bottom band wins where bands overlap (a small field)."""
    if rank > total - scheme.bad_bottom:
        return Grade.BAD
    if rank <= scheme.good_top:
        return Grade.GOOD
    if rank <= scheme.fair_top:
        return Grade.FAIR
    return Grade.AVERAGE


def _indicator_value(indicator: RankingIndicator, scope: Scope, manual: dict) -> tuple[Decimal, str]:
    if indicator.source == IndicatorSource.MANUAL:
        return manual[(scope.department.pk, indicator.pk)], "现场测评"
    rate: Rate = COMPUTED[IndicatorSource(indicator.source)](scope)
    if rate.percent is None:
        return HUNDRED, f"{rate.name}：期间无数据，按满分计"
    return rate.percent, f"{rate.name} {rate.numerator}/{rate.denominator}"


def _consecutive_bad(period: RankingPeriod, department: Department) -> int:
    earlier = (
        RankingResult.objects.filter(
            period__scheme=period.scheme, period__end__lt=period.start, department=department
        )
        .order_by("-period__end")
        .values_list("grade", flat=True)
    )
    count = 0
    for grade in earlier:
        if grade != Grade.BAD:
            break
        count += 1
    return count


@transaction.atomic
def ranking_compute(*, actor: Any, period: RankingPeriod) -> list[RankingResult]:
    """Score, rank and grade every ranked department for the period, and raise the alert for
    consecutive 差 grades (``ONEWINDOW_RANKING_ALERT_CONSECUTIVE``, default 2).

    Score = Σ weight × indicator value (each 0–100): manual indicators from ``RankingScore``,
    computed ones from the rates (a rate with no data counts as full marks). Ties share a rank.
    Raises ``InvalidInput`` listing every missing on-site score. Recomputing replaces the results.
    """
    require(actor, "ranking.manage")
    scheme = period.scheme
    indicators = list(scheme.indicators.all())
    ranking_weights_check(i.weight for i in indicators)
    departments = list(scheme.departments.all()) or list(Department.objects.filter(is_active=True))
    manual = {(s.department_id, s.indicator_id): s.score for s in RankingScore.objects.filter(period=period)}
    missing = [
        f"{d.short_name}·{i.name}"
        for d in departments
        for i in indicators
        if i.source == IndicatorSource.MANUAL and (d.pk, i.pk) not in manual
    ]
    if missing:
        raise InvalidInput(f"尚未录入现场测评得分：{'、'.join(missing)}", errors={"missing": missing})
    scored = []
    for department in departments:
        scope = Scope(start=period.start, end=period.end, department=department)
        total, details = Decimal(0), []
        for indicator in indicators:
            value, how = _indicator_value(indicator, scope, manual)
            total += value * indicator.weight / HUNDRED
            details.append(
                {
                    "indicator": indicator.code,
                    "name": indicator.name,
                    "weight": str(indicator.weight),
                    "value": str(value),
                    "how": how,
                }
            )
        scored.append((total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), department, details))
    scored.sort(key=lambda row: (-row[0], row[1].code))
    RankingResult.objects.filter(period=period).delete()
    results, previous, rank = [], None, 0
    threshold = conf.ranking_alert_consecutive()
    for position, (score, department, details) in enumerate(scored, start=1):
        if score != previous:
            rank, previous = position, score
        grade = grade_for_rank(rank, len(scored), scheme)
        consecutive = _consecutive_bad(period, department) + 1 if grade == Grade.BAD else 0
        consequence = BAD_GRADE_CONSEQUENCES.get(min(consecutive, 3), "")
        alert = consequence if consecutive >= threshold else ""
        results.append(
            RankingResult.objects.create(
                period=period,
                department=department,
                score=score,
                rank=rank,
                grade=grade,
                consecutive_bad=consecutive,
                alert=alert,
                details={"indicators": details, "consequence": consequence},
            )
        )
        if alert:
            audit_record(actor=actor, action="ranking.alert", target=results[-1], after={"alert": alert})
    RankingPeriod.objects.filter(pk=period.pk).update(computed_at=now())
    audit_record(actor=actor, action="ranking.compute", target=period, after={"departments": len(results)})
    return results
