"""The bureau's annual work report (年度工作总结), written from the data (issue #11).

``build_report`` reads the figures through ``stats.selectors`` (every number in the text is a
``Figure``, a breakdown row or a count of the cases listed next to it) and returns a
format-independent ``Document``: a title, sections with headings, paragraphs, tables and bullet
lists. ``render_markdown``, ``render_pdf`` (reportlab, the embedded Chinese font of the notices)
and ``render_docx`` (python-docx) turn it into a file.

The structure follows the summaries in the seeds (seed 003 东湖区行政审批局工作总结, seed 000):
一、主要成效 (figures, compared with the previous year when it has data), 二、典型做法 (what the
data shows worked: the most used 一件事, the departments most often on time, the channel shift,
the items with the largest compression), 三、存在的问题 (computed: items often finished late,
cases past the statutory limit, open overdue cases, slow departments, ratings and complaints —
each with the cases behind it), 四、下一步工作计划 (one plan per problem, then the standing
ones), and an appendix 指标口径 with each indicator's definition.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils import timezone
from reportlab.pdfbase import pdfmetrics

from onewindow.cases.models import Case
from onewindow.catalog.models import Bundle, BundleKind, LimitUnit, ServiceItem
from onewindow.core.errors import DomainError
from onewindow.core.timeutil import now
from onewindow.org.models import Hall, HallKind, Region, RegionLevel
from onewindow.ratings import selectors as rating_selectors
from onewindow.ratings.models import BAD_LEVELS, Rectification, RectificationState
from onewindow.stats.definitions import GROUPS, INDICATORS
from onewindow.stats.models import RollupKind
from onewindow.stats.periods import Period
from onewindow.stats.selectors import (
    BreakdownRow,
    Figure,
    StatsFilter,
    applications_in,
    breakdown,
    cases_finished,
    complaint_figures,
    complaints_in,
    dimension_keys,
    drill_cases,
    indicators,
    percent,
    rollups,
    working_time_by,
)

FORMATS = ("pdf", "docx", "md")
MAX_LISTED = 10  # case numbers listed per problem, then "等N件"
TOP = 5  # rows named per ranking
# Cases finished in the year are listed in the order they were decided: the range scan of the
# decision-time index stops at the tenth, where the drill-down's deadline order would walk the
# deadline index from the first year on (minutes at 10 M cases).
BY_DECISION = ("decided_at", "pk")


class ReportError(DomainError):
    code, status, title = "report_error", 422, "无法生成年度工作总结"


# ---- document model ------------------------------------------------------------------------------


@dataclass
class Heading:
    text: str
    level: int = 2  # 1: 一、… (section headings are Section.heading); 2: （一）…


@dataclass
class Paragraph:
    text: str
    indent: bool = True  # first-line indent of two characters (body text)
    note: bool = False  # smaller, grey (data notes)


@dataclass
class BulletList:
    items: list[str]


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: list[float]  # relative column widths
    caption: str = ""
    numeric: frozenset[int] = frozenset()  # right-aligned columns
    span: float = 1.0  # share of the text width (PDF, DOCX)


Block = Heading | Paragraph | BulletList | Table


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)
    page_break: bool = False  # start on a new page (the appendix)


@dataclass
class Document:
    title: str
    subtitle: str
    sections: list[Section]
    signature: list[str] = field(default_factory=list)
    preamble: list[Block] = field(default_factory=list)


# ---- small formatting helpers --------------------------------------------------------------------

ORDINALS = "一二三四五六七八九十"


def ordinal(i: int) -> str:
    """1 → 一, 11 → 十一 (enough for headings and 一是/二是)."""
    if i <= 10:
        return ORDINALS[i - 1]
    if i < 20:
        return "十" + ORDINALS[i - 11]
    return str(i)


def _q(name: str) -> str:
    """A name in quotes, unless it already has some (小店开业证照通“1+X”)."""
    return name if "“" in name else f"“{name}”"


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _n(value: int | Decimal | None) -> str:
    return "—" if value is None else f"{value:,}"


def _fig(fig: Figure, unit: str = "") -> str:
    """A figure as text: 95.70%（1,470/1,536）for a rate, 1,411件 for a count."""
    if fig.value is None:
        return "暂无数据"
    if fig.indicator.unit == "percent":
        if fig.numerator is not None and fig.denominator:
            return f"{fig.display}（{_n(fig.numerator)}/{_n(fig.denominator)}）"
        return fig.display
    if fig.indicator.unit == "workdays":
        return f"{fig.display}个工作日"
    return f"{fig.display}{unit}"


def _change(cur: Figure, prev: Figure | None) -> str:
    """同比 wording for a figure against the previous year's (empty when not comparable)."""
    if prev is None or cur.value is None or prev.value is None:
        return ""
    unit = cur.indicator.unit
    delta = Decimal(cur.value) - Decimal(prev.value)
    if unit == "percent":
        if delta == 0:
            return "，与上年持平"
        word = "提高" if delta > 0 else "下降"
        return f"，较上年{word}{abs(delta):.2f}个百分点"
    if unit == "workdays":
        if delta == 0:
            return "，与上年持平"
        word = "增加" if delta > 0 else "减少"
        return f"，较上年{word}{abs(delta):.1f}个工作日"
    if not prev.value:
        return ""
    rate = percent(int(cur.value) - int(prev.value), int(prev.value))
    if rate is None or rate == 0:
        return "，与上年持平"
    word = "增长" if rate > 0 else "下降"
    return f"，同比{word}{abs(rate)}%"


def _table_change(cur: Figure, prev: Figure | None) -> str:
    if prev is None or cur.value is None or prev.value is None:
        return "—"
    delta = Decimal(cur.value) - Decimal(prev.value)
    sign = "+" if delta > 0 else ""
    if cur.indicator.unit == "percent":
        return f"{sign}{delta:.2f}个百分点"
    if cur.indicator.unit == "workdays":
        return f"{sign}{delta:.1f}"
    return f"{sign}{int(delta):,}"


def _case_list(numbers: Sequence[str], total: int) -> str:
    """ "A、B、C等12件" (up to MAX_LISTED numbers), or "A、B（共2件）"."""
    shown = "、".join(numbers[:MAX_LISTED])
    if total > len(numbers[:MAX_LISTED]):
        return f"{shown}等{total:,}件"
    return f"{shown}（共{total:,}件）"


def _numbers(qs: QuerySet[Case], total: int | None = None) -> tuple[list[str], int]:
    """The first case numbers of ``qs`` and how many there are (``total`` when the figures
    already say, so the year's cases are not counted again)."""
    numbers = list(qs.values_list("number", flat=True)[:MAX_LISTED])
    return numbers, qs.count() if total is None else total


def _limit_text(value: int | None, unit: str) -> str:
    if unit == LimitUnit.INSTANT:
        return "即办"
    if not value:
        return "—"
    label = dict(LimitUnit.choices).get(unit, unit)
    return f"{value}{label}" if unit != LimitUnit.WORKDAY else f"{value}个工作日"


# ---- scope and naming ----------------------------------------------------------------------------


def default_county() -> Region | None:
    """The county of the (first) county-level hall, or the first county."""
    hall = Hall.objects.filter(kind=HallKind.COUNTY_CENTRE).select_related("region").order_by("pk").first()
    if hall is not None:
        return hall.region
    return Region.objects.filter(level=RegionLevel.COUNTY).order_by("code").first()


def bureau_name(region: Region | None) -> str:
    """常德市武陵区行政审批服务局 for a county; the town's or village's service centre below it."""
    if region is None:
        return "行政审批服务局"
    chain: list[Region] = []
    node: Region | None = region
    while node is not None and node.level != RegionLevel.PROVINCE:
        chain.append(node)
        node = node.parent
    place = "".join(r.name for r in reversed(chain))
    if region.level == RegionLevel.TOWN:
        return f"{place}便民服务中心"
    if region.level == RegionLevel.VILLAGE:
        return f"{place}便民服务站"
    return f"{place}行政审批服务局"


# ---- read helpers (small queries on top of the selectors) ----------------------------------------


def late_legal_cases(f: StatsFilter) -> QuerySet[Case]:
    """Cases finished in the period at or after their statutory deadline (the complement of
    ``on_time_rate_legal``'s numerator within its denominator)."""
    return (
        cases_finished(f)
        .filter(legal_due_at__isnull=False, decided_at__gte=F("legal_due_at"))
        .select_related("item_version__item", "department")
        .order_by("decided_at", "pk")
    )


def longest_cases(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Finished cases, longest from acceptance to decision first."""
    took = ExpressionWrapper(F("decided_at") - F("accepted_at"), output_field=DurationField())
    return qs.filter(decided_at__isnull=False).annotate(_took=took).order_by("-_took", "pk")


def _hours(seconds: int, n: int) -> Decimal | None:
    if not n:
        return None
    return (Decimal(seconds) / n / 3600).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def issue_hours(f: StatsFilter) -> tuple[dict[str, Decimal], Decimal | None]:
    """Mean hours from decision to closure (制证、送达 after the decision) of the cases finished
    in the period and already closed, per department code (``breakdown``'s key) and overall,
    from the decided rollups."""
    grouped = list(
        rollups(f, RollupKind.DECIDED)
        .values("department_id")
        .annotate(s=Sum("issue_seconds"), n=Sum("closed"))
        .order_by()
    )
    keys = dimension_keys("department", [g["department_id"] for g in grouped])
    per = {keys[g["department_id"]][0]: _hours(g["s"], g["n"]) for g in grouped if g["department_id"] in keys}
    overall = _hours(sum(g["s"] or 0 for g in grouped), sum(g["n"] or 0 for g in grouped))
    return {k: v for k, v in per.items() if v is not None}, overall


def bundle_usage(f: StatsFilter) -> list[dict[str, Any]]:
    """Applications of the period per 一件事 / 套餐 and the cases they led to, most used first
    (from the received rollups)."""
    grouped = (
        rollups(f, RollupKind.RECEIVED)
        .filter(bundle_id__isnull=False)
        .values("bundle_id")
        .annotate(n=Sum("n"), cases=Sum("cases"))
        .order_by()
    )
    bundles = Bundle.objects.in_bulk([g["bundle_id"] for g in grouped])
    used = [
        {
            "bundle__code": bundles[g["bundle_id"]].code,
            "bundle__name": bundles[g["bundle_id"]].name,
            "bundle__kind": bundles[g["bundle_id"]].kind,
            "n": g["n"],
            "cases": g["cases"],
        }
        for g in grouped
        if g["bundle_id"] in bundles and g["n"]
    ]
    return sorted(used, key=lambda b: (-b["n"], b["bundle__code"]))


def late_legal_items(f: StatsFilter) -> list[tuple[str, int]]:
    """(item name, cases finished at or after the statutory deadline) per item, most first."""
    grouped = (
        rollups(f, RollupKind.DECIDED)
        .values("item_id")
        .annotate(late=Sum("with_legal") - Sum("on_time_legal"))
        .filter(late__gt=0)
        .order_by()
    )
    keys = dimension_keys("item", [g["item_id"] for g in grouped])
    named = [(keys[g["item_id"]][1], g["late"]) for g in grouped if g["item_id"] in keys]
    return sorted(named, key=lambda pair: (-pair[1], pair[0]))


def bad_ratings_open_numbers(f: StatsFilter) -> list[str]:
    """Case numbers of the period's bad ratings whose rectification is not verified yet, oldest
    rating first, read from the (small) rectification table."""
    scope = f.rating_scope()
    ratings = rating_selectors.ratings_in(scope).filter(level__in=sorted(BAD_LEVELS))
    open_states = [s for s in RectificationState.values if s not in rating_selectors.VERIFIED_STATES]
    return list(
        Rectification.objects.filter(state__in=open_states, rating__in=ratings)
        .order_by("rating__rated_at", "rating_id")
        .values_list("rating__case__number", flat=True)[:MAX_LISTED]
    )


def late_complaints(f: StatsFilter, *, at: dt.datetime) -> QuerySet[Any]:
    """Complaints of the period answered late or unanswered past their deadline (the SLA rate's
    late part, as ``complaint_figures`` counts it)."""
    late = Q(due_at__isnull=False) & (
        Q(replied_at__isnull=False, replied_at__gte=F("due_at")) | Q(replied_at__isnull=True, due_at__lte=at)
    )
    return complaints_in(f).filter(late).order_by("received_at", "pk")


def has_data(f: StatsFilter) -> bool:
    return applications_in(f).exists() or cases_finished(f).exists()


# ---- the report ----------------------------------------------------------------------------------


@dataclass
class ReportData:
    f: StatsFilter
    at: dt.datetime
    figures: dict[str, Figure]
    previous: dict[str, Figure] | None
    departments: list[BreakdownRow]
    items: list[BreakdownRow]
    channels: list[BreakdownRow]
    tiers: list[BreakdownRow]
    complaints: dict[str, Any]
    bundles: list[dict[str, Any]]
    issue_hours: dict[str, Decimal]  # department code → mean hours from decision to closure
    issue_hours_all: Decimal | None
    we: str = "我局"  # 我局 (county bureau), 我中心 (town centre), 我站 (village station)

    @property
    def year(self) -> int:
        return self.f.period.start.year

    def fig(self, code: str) -> Figure:
        return self.figures[code]

    def prev(self, code: str) -> Figure | None:
        return self.previous[code] if self.previous else None

    def said(self, code: str, unit: str = "") -> str:
        """The figure with its 同比 change."""
        return _fig(self.fig(code), unit) + _change(self.fig(code), self.prev(code))


def collect(f: StatsFilter, *, at: dt.datetime | None = None) -> ReportData:
    at = at or now()
    previous_filter = StatsFilter(f.period.previous(), f.region)
    issue = issue_hours(f)
    complaints = complaint_figures(f, at=at)
    return ReportData(
        f=f,
        at=at,
        figures=indicators(f, at=at, complaints=complaints),
        previous=indicators(previous_filter, at=at) if has_data(previous_filter) else None,
        departments=breakdown(f, "department", at=at),
        items=breakdown(f, "item", at=at),
        channels=breakdown(f, "channel", at=at),
        tiers=breakdown(f, "region_tier", at=at),
        complaints=complaints,
        bundles=bundle_usage(f),
        issue_hours=issue[0],
        issue_hours_all=issue[1],
    )


def build_report(year: int, region: Region | None = None, *, at: dt.datetime | None = None) -> Document:
    """The annual work report of ``year`` for ``region`` (None: all data, named after the hall's
    county). Raises ``ReportError`` when the year has no data."""
    f = StatsFilter(Period.year(year), region)
    if not has_data(f):
        where = f"“{region.name}”" if region else ""
        raise ReportError(f"{year}年{where}没有收件或办结数据，无法生成年度工作总结")
    data = collect(f, at=at)
    if region is not None and region.level in (RegionLevel.TOWN, RegionLevel.VILLAGE):
        data.we = "我中心" if region.level == RegionLevel.TOWN else "我站"
    name = bureau_name(region or default_county())
    local = timezone.localtime(data.at)
    problems = _problems(data)
    sections = [
        _results(data),
        _practices(data),
        Section("三、存在的问题", [b for p in problems for b in p.blocks] or [_no_problems(data)]),
        _plans(data, problems),
        _appendix(data),
    ]
    return Document(
        title=f"{name}{year}年工作总结",
        subtitle=(
            f"统计期间：{year}年1月1日至{year}年12月31日　数据截至{_date(local)} {local:%H:%M}"
            "　由一窗通办系统根据业务数据生成"
        ),
        preamble=[Paragraph(_opening(data))],
        sections=sections,
        signature=[name, _date(local)],
    )


def _opening(d: ReportData) -> str:
    return (
        f"{d.year}年，{d.we}深入推进“一件事一次办”和“一窗通办”改革，坚持前台综合受理、后台分类审批、"
        f"综合窗口出件，持续优化审批服务。全年共收件{_fig(d.fig('applications'), '件')}，"
        f"受理办件{_fig(d.fig('cases_accepted'), '件')}，办结{_fig(d.fig('cases_finished'), '件')}，"
        f"承诺时限内办结率{d.fig('on_time_rate_promised').display}。现将全年工作总结如下。"
    )


# ---- 一、主要成效 --------------------------------------------------------------------------------------

KEY_CODES = (
    "applications",
    "cases_accepted",
    "cases_finished",
    "on_time_rate_promised",
    "on_time_rate_legal",
    "working_days_mean",
    "compression_legal",
    "compression_promised",
    "online_rate",
    "fully_online_rate",
    "zero_visit_rate",
    "max_one_visit_rate",
    "station_share",
    "instant_share",
    "proofs_replaced",
    "commitment_cases",
    "deficiency_cases",
    "rating_rate",
    "satisfaction_rate",
    "complaints",
)


def _results(d: ReportData) -> Section:
    g = d.fig
    blocks: list[Block] = [Heading("（一）审批服务总量")]
    blocks.append(
        Paragraph(
            f"全年共收件{d.said('applications', '件')}；受理办件{d.said('cases_accepted', '件')}"
            f"（一件事拆分到各部门的办件各计1件）；办结办件{d.said('cases_finished', '件')}，其中准予许可"
            f"{_fig(g('cases_approved'), '件')}。对材料不齐全的申请一次性告知补正"
            f"{_fig(g('applications_corrected'), '件')}，"
            f"依法不予受理{_fig(g('applications_refused'), '件')}。"
        )
    )
    blocks.append(_key_table(d))

    blocks.append(Heading("（二）审批效率"))
    blocks.append(
        Paragraph(
            f"承诺时限内办结率{d.said('on_time_rate_promised')}，法定时限内办结率{d.said('on_time_rate_legal')}。"
            f"办结办件平均用时{d.said('working_days_mean')}，中位数{_fig(g('working_days_p50'))}，"
            f"九成办件在{_fig(g('working_days_p90'))}内办结。"
            + (
                f"作出决定后至制证、送达办结，平均用时{d.issue_hours_all}小时。"
                if d.issue_hours_all is not None
                else ""
            )
        )
    )
    cl, cp, cc = g("compression_legal"), g("compression_promised"), g("compression_catalogue")
    text = (
        f"按法定时限计，办结办件法定时限合计{_n(cl.denominator)}个工作日，实际用时{_n(cl.numerator)}个工作日，"
        f"实际压缩{cl.display}{_change(cl, d.prev('compression_legal'))}；按承诺时限计，承诺时限合计"
        f"{_n(cp.denominator)}个工作日，实际用时{_n(cp.numerator)}个工作日，实际压缩{cp.display}"
        f"{_change(cp, d.prev('compression_promised'))}。"
    )
    if cc.value is not None:
        text += (
            f"现行事项目录中，法定时限合计{_n(cc.denominator)}个工作日的事项承诺时限合计{_n(cc.numerator)}个工作日，"
            f"承诺压缩{cc.display}。"
        )
    text += (
        f"全年中止（检验检测、专家评审等不计入时限）{_fig(g('suspensions'), '次')}，经批准延期"
        f"{_fig(g('extensions'), '次')}。"
    )
    blocks.append(Paragraph(text))

    blocks.append(Heading("（三）便民利企"))
    blocks.append(
        Paragraph(
            f"网上申请率{d.said('online_rate')}，全程网办率{d.said('fully_online_rate')}；"
            f"零跑动率{d.said('zero_visit_rate')}，最多跑一次率{d.said('max_one_visit_rate')}。"
            f"乡镇（街道）、村（社区）便民服务站就近受理占比{d.said('station_share')}。"
            f"即办件占受理办件的{d.said('instant_share')}。以共享数据或电子证照代替、申请人免于提交的材料"
            f"{d.said('proofs_replaced', '份')}。"
        )
    )
    blocks.append(Paragraph(_reform_text(d)))

    blocks.append(Heading("（四）好差评与诉求办理"))
    blocks.append(Paragraph(_feedback_text(d)))
    return Section("一、主要成效", blocks)


def _key_table(d: ReportData) -> Table:
    with_prev = d.previous is not None
    headers = ["指标", f"{d.year}年"] + ([f"{d.year - 1}年", "变化"] if with_prev else [])
    rows = []
    for code in KEY_CODES:
        cur = d.fig(code)
        row = [str(cur.indicator.name), _cell(cur)]
        if with_prev:
            prev = d.prev(code)
            row += [_cell(prev) if prev else "—", _table_change(cur, prev)]
        rows.append(row)
    widths = [3.2, 1.6, 1.6, 1.8] if with_prev else [3.2, 1.8]
    return Table(
        headers,
        rows,
        widths,
        caption="表1　主要指标",
        numeric=frozenset(range(1, len(headers))),
        span=0.9 if with_prev else 0.6,
    )


def _cell(fig: Figure) -> str:
    if fig.value is None:
        return "—"
    if fig.indicator.unit == "workdays":
        return f"{fig.display}个工作日"
    return fig.display


def _reform_text(d: ReportData) -> str:
    g = d.fig
    text = (
        f"深化审批制度改革，容缺受理{d.said('deficiency_cases', '件')}，"
        f"告知承诺审批{d.said('commitment_cases', '件')}。"
    )
    checked = [g("verifications_passed"), g("verifications_failed"), g("verifications_open")]
    if sum(int(x.value or 0) for x in checked):
        text += (
            f"告知承诺办件经事后核查属实{_fig(checked[0], '件')}，发现承诺不实（撤销许可、记入信用记录）"
            f"{_fig(checked[1], '件')}，尚待核查{_fig(checked[2], '件')}。"
        )
    else:
        text += "本年度告知承诺办件尚无事后核查记录。"
    return text


def _feedback_text(d: ReportData) -> str:
    g = d.fig
    sr, rc = g("satisfaction_rate"), g("rectification_rate")
    parts = [f"办结办件评价率{d.said('rating_rate')}"]
    if sr.denominator:
        parts.append(f"满意率{d.said('satisfaction_rate')}")
    else:
        parts.append("本年度尚无有效评价，满意率暂无数据")
    if rc.denominator:
        parts.append(
            f"差评整改率{d.said('rectification_rate')}，待整改差评{_fig(g('bad_ratings_open'), '条')}"
        )
    elif sr.denominator:
        parts.append("全年无差评")
    text = "，".join(parts) + "。"
    cf = d.complaints
    if cf["total"]:
        classes = "、".join(f"{k}{v:,}件" for k, v in cf["by_class"].items() if v)
        text += (
            f"全年登记诉求{d.said('complaints', '件')}，其中{classes}；"
            f"诉求按期答复率{d.said('complaint_sla_rate')}。"
        )
    else:
        text += "全年未登记咨询、求助、投诉、建议类诉求。"
    return text


# ---- 二、典型做法 --------------------------------------------------------------------------------------


def _min_volume(rows: Iterable[BreakdownRow]) -> int:
    """Rows with fewer finished cases than this are not ranked (too few to compare)."""
    total = sum(r.finished for r in rows)
    return 10 if total >= 200 else 1


def _practices(d: ReportData) -> Section:
    blocks: list[Block] = []
    n = 0

    def point(title: str, text: str) -> None:
        nonlocal n
        n += 1
        blocks.append(Paragraph(f"{ordinal(n)}是{title}。{text}"))

    if d.bundles:
        kinds = dict(BundleKind.choices)
        total = sum(b["n"] for b in d.bundles)
        top = d.bundles[:3]
        named = "、".join(f"{_q(b['bundle__name'])}{b['n']:,}件" for b in top)
        apps = int(d.fig("applications").value or 0)
        point(
            "推行“一件事一次办”套餐服务",
            f"全年以一件事、一业一证、证照通等套餐方式申请{total:,}件，占收件的{percent(total, apps)}%，"
            f"一次申请、并联审批、统一出件，使用最多的是{named}。",
        )
        blocks.append(
            Table(
                ["一件事（套餐）", "类型", "申请件数", "办件数"],
                [
                    [
                        b["bundle__name"],
                        str(kinds.get(b["bundle__kind"], b["bundle__kind"])),
                        f"{b['n']:,}",
                        f"{b['cases']:,}",
                    ]
                    for b in d.bundles
                ],
                [4.2, 1.6, 1.2, 1.2],
                caption="表2　一件事套餐使用情况",
                numeric=frozenset({2, 3}),
            )
        )

    floor = _min_volume(d.departments)
    ranked = [r for r in d.departments if r.finished >= floor and r.on_time_rate is not None]
    ranked.sort(key=lambda r: (-r.on_time_rate, r.working_days_mean or Decimal(0), r.key))
    if ranked:
        best = ranked[:3]
        named = "；".join(
            f"{r.label}办结{r.finished:,}件，按时办结率{r.on_time_rate}%，平均用时{_n(r.working_days_mean)}个工作日"
            for r in best
        )
        point("压实部门限时办结责任", f"按承诺时限内办结率排名，表现最好的部门为：{named}。")
    blocks.append(_department_table(d, caption="表3　各部门办理情况"))

    accepted = sum(r.accepted for r in d.channels)
    if accepted:
        parts = [
            f"{r.label}{r.accepted:,}件（{percent(r.accepted, accepted)}%）" for r in d.channels if r.accepted
        ]
        text = f"全年受理办件按申请渠道分：{'，'.join(parts)}。"
        prev_online = d.prev("online_rate")
        if prev_online is not None and prev_online.value is not None:
            text += f"网上申请率由上年的{prev_online.display}变为{d.fig('online_rate').display}。"
        else:
            text += (
                f"网上申请率达到{d.fig('online_rate').display}，"
                f"全程网办率{d.fig('fully_online_rate').display}。"
            )
        tiers = [r for r in d.tiers if r.key in (RegionLevel.TOWN, RegionLevel.VILLAGE) and r.accepted]
        if tiers:
            text += "服务下沉方面，" + "，".join(f"{r.label}受理{r.accepted:,}件" for r in tiers) + "。"
        point("推动“线下跑”向“网上办”“就近办”转变", text)

    examples = _compression_examples(d)
    if examples:
        point("压缩审批时限", "".join(examples))
    if int(d.fig("commitment_cases").value or 0) or int(d.fig("deficiency_cases").value or 0):
        point(
            "推行告知承诺和容缺受理",
            "对符合条件的事项以申请人承诺代替部分证明材料，"
            f"全年告知承诺审批{_fig(d.fig('commitment_cases'), '件')}，"
            f"容缺受理{_fig(d.fig('deficiency_cases'), '件')}，即办件占比{d.fig('instant_share').display}。",
        )
    if not blocks:
        blocks.append(Paragraph("本年度办件数据较少，尚不足以总结典型做法。"))
    return Section("二、典型做法", blocks)


def _department_table(d: ReportData, caption: str) -> Table:
    rows = [
        [
            r.label,
            f"{r.accepted:,}",
            f"{r.finished:,}",
            "—" if r.on_time_rate is None else f"{r.on_time_rate}%",
            f"{r.finished_late:,}",
            _n(r.working_days_mean),
            _n(d.issue_hours.get(r.key)),
            f"{r.overdue_open:,}",
        ]
        for r in d.departments
    ]
    return Table(
        [
            "部门",
            "受理",
            "办结",
            "按时办结率",
            "超时办结",
            "受理至决定（工作日）",
            "决定至办结（小时）",
            "在办超期",
        ],
        rows,
        [3.8, 0.9, 0.9, 1.3, 1.0, 1.3, 1.3, 1.0],
        caption=caption,
        numeric=frozenset(range(1, 8)),
    )


def _compression_examples(d: ReportData) -> list[str]:
    """Sentences like seed 000's pharmacy example for the most used items with a statutory limit
    in working days: mean days against the current catalogue limits and the compression achieved."""
    by_item = working_time_by(d.f, "item")  # keyed by item code
    candidates = [(code, wt) for code, wt in by_item.items() if wt.legal_total and wt.count]
    candidates.sort(key=lambda cw: (-cw[1].count, cw[0]))
    items = {
        i.code: i
        for i in ServiceItem.objects.filter(code__in=[c for c, _ in candidates[:3]]).select_related(
            "current_version"
        )
    }
    out = []
    for code, wt in candidates[:3]:
        item = items.get(code)
        if item is None:
            continue
        v = item.current_version
        legal_pct = percent(wt.legal_total - wt.actual_vs_legal, wt.legal_total)
        text = f"{_q(item.name)}全年办结{wt.count:,}件，平均用时{wt.mean()}个工作日"
        if v is not None:
            text += (
                f"（现行法定时限{_limit_text(v.legal_limit_value, v.legal_limit_unit)}、承诺时限"
                f"{'即办' if v.is_instant else _limit_text(v.promised_limit_value, v.promised_limit_unit)}）"
            )
        text += f"，较法定时限压缩{legal_pct}%"
        if wt.promised_total:
            text += (
                f"、较承诺时限压缩{percent(wt.promised_total - wt.actual_vs_promised, wt.promised_total)}%"
            )
        out.append(text + "。")
    return out


# ---- 三、存在的问题 -------------------------------------------------------------------------------------


@dataclass
class Problem:
    key: str
    blocks: list[Block]
    plan: str


def _no_problems(d: ReportData) -> Paragraph:
    return Paragraph(f"按现有统计口径，{d.year}年未发现超时办结、在办超期、差评待整改或诉求超期答复等问题。")


def _problems(d: ReportData) -> list[Problem]:
    found: list[Problem] = []
    g = d.fig

    def add(key: str, title: str, blocks: list[Block], plan: str) -> None:
        head = Paragraph(f"{ordinal(len(found) + 1)}是{title}")
        found.append(Problem(key, [head, *blocks], plan))

    # 1. Items most often finished past the promised limit.
    late_total = int(g("finished_late").value or 0)
    late_items = sorted((r for r in d.items if r.finished_late), key=lambda r: (-r.finished_late, r.key))[
        :TOP
    ]
    if late_total:
        bullets = []
        late = drill_cases("finished_late", d.f, at=d.at)
        for r in late_items:
            numbers, count = _numbers(
                late.filter(item_version__item__code=r.key).order_by(*BY_DECISION), r.finished_late
            )
            bullets.append(
                f"{r.label}：办结{r.finished:,}件，超承诺时限{r.finished_late:,}件，按时办结率{r.on_time_rate}%，"
                f"平均用时{_n(r.working_days_mean)}个工作日。办件：{_case_list(numbers, count)}。"
            )
        rest = late_total - sum(r.finished_late for r in late_items)
        text = (
            f"部分事项超承诺时限办结。全年超承诺时限办结{_fig(g('finished_late'), '件')}，"
            f"承诺时限内办结率{g('on_time_rate_promised').display}，超时办件较多的事项如下"
            + (f"（其余事项合计{rest:,}件）" if rest > 0 else "")
            + "："
        )
        names = "、".join(_q(r.label) for r in late_items[:3])
        add(
            "late_items",
            text,
            [BulletList(bullets)],
            f"针对{names}等事项超承诺时限办结的问题，对全年{late_total:,}件超时办件逐件复盘，查找堵点环节，"
            "优化内部流转，完善临期预警，推动超时办件逐步清零。",
        )

    # 2. Cases finished past the statutory limit.
    lg = g("on_time_rate_legal")
    numbers, count = _numbers(late_legal_cases(d.f), (lg.denominator or 0) - (lg.numerator or 0))
    if count:
        named = "、".join(f"{name}{n}件" for name, n in late_legal_items(d.f)[:TOP])
        text = (
            f"个别办件超过法定时限。全年有{count:,}件办件在法定期限届满后才作出决定，法定时限内办结率"
            f"{_fig(lg)}，涉及{named}。办件：{_case_list(numbers, count)}。"
        )
        add(
            "late_legal",
            text,
            [],
            f"严格落实行政许可法定时限，对超过法定时限办结的{count:,}件办件逐件倒查原因、落实责任，"
            "对临近法定期限的办件实行预警和督办。",
        )

    # 3. Cases still open past their promised deadline.
    # (the indicator counts every overdue case now; the report keeps those accepted up to the year's end)
    overdue = drill_cases("overdue_open", d.f, at=d.at).filter(accepted_at__lt=d.f.until)
    numbers, count = _numbers(overdue)
    if count:
        local = timezone.localtime(d.at)
        add(
            "overdue_open",
            f"仍有办件超期未办结。截至{_date(local)}，{d.year}年及以前受理的办件中仍有{count:,}件已过承诺期限、"
            "未中止且尚未办结。"
            f"办件：{_case_list(numbers, count)}。",
            [],
            f"对{count:,}件在办超期办件挂牌督办，明确责任人和办结时限，办结后向申请人说明情况。",
        )

    # 4. Departments taking the longest.
    overall = g("working_days_mean").value
    floor = _min_volume(d.departments)
    slow = [
        r
        for r in d.departments
        if r.finished >= floor
        and r.working_days_mean is not None
        and overall is not None
        and r.working_days_mean > overall
    ]
    slow.sort(key=lambda r: (-(r.working_days_mean or 0), r.key))
    slow = slow[:2]
    if slow:
        bullets = []
        for r in slow:
            late = drill_cases("finished_late", d.f, at=d.at).filter(department__code=r.key)
            numbers, count = _numbers(late.order_by(*BY_DECISION), r.finished_late)
            if count:
                backing = f"超承诺时限办结{count:,}件：{_case_list(numbers, count)}"
            else:
                numbers = list(
                    longest_cases(cases_finished(d.f).filter(department__code=r.key)).values_list(
                        "number", flat=True
                    )[:MAX_LISTED]
                )
                backing = f"用时最长的办件：{'、'.join(numbers)}"
            issue = d.issue_hours.get(r.key)
            bullets.append(
                f"{r.label}：办结{r.finished:,}件，受理至决定平均用时{r.working_days_mean}个工作日"
                + (f"、决定至办结平均{issue}小时" if issue is not None else "")
                + f"，按时办结率{_n(r.on_time_rate)}%；{backing}。"
            )
        names = "、".join(r.label for r in slow)
        add(
            "slow_departments",
            f"部分部门审批用时偏长。全局办结办件平均用时{overall}个工作日，以下部门高于平均水平：",
            [BulletList(bullets)],
            f"督促{names}梳理审查、踏勘、决定等内部环节，能并则并、能减则减，推行审查与踏勘同步开展，"
            "压减内部流转时间。",
        )

    # 5. Ratings.
    rr = g("rating_rate")
    if rr.denominator and (rr.value is None or rr.value < 50):
        add(
            "rating_rate",
            f"“好差评”主动评价率偏低。全年办结办件评价率仅{_fig(rr)}，群众评价数据不足，难以全面反映服务质量。",
            [],
            "推动“好差评”一事一评全覆盖：办结时通过短信、二维码和窗口评价器主动邀评，把评价率纳入窗口考核。",
        )
    count = int(g("bad_ratings_open").value or 0)
    if count:
        numbers = bad_ratings_open_numbers(d.f)
        add(
            "bad_ratings_open",
            f"差评整改尚未全部完成。全年差评整改率{_fig(g('rectification_rate'))}，仍有{count:,}条差评整改未经督查核实，"
            f"涉及办件：{_case_list(numbers, count)}。",
            [],
            f"对{count:,}条待整改差评逐条限期整改、回访，整改结果经督查核实后公开。",
        )

    # 6. Complaints answered late.
    late_c = late_complaints(d.f, at=d.at)
    c_numbers = list(late_c.values_list("number", flat=True)[:MAX_LISTED])
    c_count = late_c.count()
    if c_count:
        add(
            "complaints_late",
            f"部分诉求未按期答复。诉求按期答复率{_fig(g('complaint_sla_rate'))}，超期答复或逾期未答复{c_count:,}件："
            f"{_case_list(c_numbers, c_count)}。",
            [],
            f"严格执行诉求分类办理时限，对{c_count:,}件超期诉求倒查原因，完善超期自动升级督办。",
        )

    # 7. False commitments.
    failed = drill_cases("verifications_failed", d.f, at=d.at)
    numbers, count = _numbers(failed)
    if count:
        add(
            "verifications_failed",
            f"个别申请人承诺不实。告知承诺办件事后核查发现承诺不实{count:,}件："
            f"{_case_list(numbers, count)}。",
            [],
            "加强告知承诺事中事后监管，对承诺不实的依法撤销许可并记入信用记录，提高核查覆盖面。",
        )
    open_v = int(g("verifications_open").value or 0)
    if open_v:
        add(
            "verifications_open",
            f"告知承诺事后核查未全部完成，尚待核查{open_v:,}件。",
            [],
            f"督促监管部门在核查期限内完成{open_v:,}件告知承诺办件的事后核查。",
        )
    return found


# ---- 四、下一步工作计划 -----------------------------------------------------------------------------------


def _plans(d: ReportData, problems: list[Problem]) -> Section:
    next_year = d.year + 1
    plans = [p.plan for p in problems]
    g = d.fig
    plans.append(
        f"深化“一件事一次办”改革。在现有{len(d.bundles)}个已使用的一件事套餐基础上，梳理高频关联事项，"
        "推出更多套餐，实现一次告知、一表申请、一窗受理、并联审批、统一出件。"
    )
    plans.append(
        f"提升“一网通办”水平。当前网上申请率{g('online_rate').display}、全程网办率{g('fully_online_rate').display}，"
        "推动更多事项全程网办，扩大电子证照和共享数据应用，减少申请人提交材料和跑动次数。"
    )
    plans.append(
        f"推动服务下沉。当前乡镇（街道）、村（社区）就近受理占比{g('station_share').display}，"
        "继续向便民服务站下放高频事项，推行帮办代办，让群众就近办、一次办。"
    )
    plans.append("加强队伍建设。开展业务培训和窗口服务规范化建设，落实首问负责、一次性告知和限时办结制度。")
    blocks: list[Block] = [Paragraph(f"{next_year}年，{d.we}将紧盯问题短板，重点做好以下工作：", indent=True)]
    for i, plan in enumerate(plans, 1):
        blocks.append(Paragraph(f"{ordinal(i)}是{plan}"))
    return Section("四、下一步工作计划", blocks)


# ---- 附件：指标口径 -------------------------------------------------------------------------------------


def _appendix(d: ReportData) -> Section:
    blocks: list[Block] = [
        Paragraph(
            "本总结中的数字均由一窗通办系统按以下口径从业务数据计算；比率保留两位小数（四舍五入），"
            "括号内为分子/分母。",
            indent=False,
            note=True,
        )
    ]
    for group in GROUPS:
        rows = [
            [str(i.name), _cell(d.fig(i.code)), str(i.definition)]
            for i in INDICATORS
            if str(i.group) == str(group)
        ]
        blocks.append(Heading(str(group)))
        blocks.append(Table(["指标", f"{d.year}年", "口径"], rows, [2.6, 1.3, 6.1], numeric=frozenset({1})))
    return Section("附件：指标口径", blocks, page_break=True)


# ---- renderers -----------------------------------------------------------------------------------


def render(doc: Document, fmt: str) -> bytes:
    if fmt == "md":
        return render_markdown(doc).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(doc)
    if fmt == "docx":
        return render_docx(doc)
    raise ReportError(f"不支持的格式“{fmt}”，可选：{'、'.join(FORMATS)}")


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(doc: Document) -> str:
    out = [f"# {doc.title}", "", f"*{doc.subtitle}*", ""]

    def blocks(items: Iterable[Block]) -> None:
        for b in items:
            if isinstance(b, Heading):
                out.extend([f"{'#' * (b.level + 1)} {b.text}", ""])
            elif isinstance(b, Paragraph):
                out.extend([f"*{b.text}*" if b.note else b.text, ""])
            elif isinstance(b, BulletList):
                out.extend([f"- {item}" for item in b.items] + [""])
            elif isinstance(b, Table):
                if b.caption:
                    out.extend([f"**{b.caption}**", ""])
                out.append("| " + " | ".join(_md_cell(h) for h in b.headers) + " |")
                out.append(
                    "|" + "|".join("---:" if i in b.numeric else "---" for i in range(len(b.headers))) + "|"
                )
                out.extend("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in b.rows)
                out.append("")

    blocks(doc.preamble)
    for section in doc.sections:
        out.extend([f"## {section.heading}", ""])
        blocks(section.blocks)
        if section.heading.startswith("四") and doc.signature:
            out.extend(
                ['<div align="right">', "", *(f"{line}  " for line in doc.signature), "", "</div>", ""]
            )
    return "\n".join(out).rstrip() + "\n"


# Characters that may not begin a line (避头点) and may not end one (避尾点).
NO_LINE_START = set("，。、；：？！）》」』”’％%,.;:?!)]")
NO_LINE_END = set("（《「『“‘([")
UNITS = set("件个次份条项年月日号")  # stays with the number before it (8件, 2026年)
_TOKEN = re.compile(r"[0-9A-Za-z.,:/%+\-_#]+|.", re.S)


def wrap_cjk(text: str, font: str, size: float, first: float, width: float) -> list[str]:
    """Break ``text`` into lines for the given widths (first line, then the others), CJK style:
    any character may end a line, except that a run of letters and digits (a case number, 1,411)
    stays whole, punctuation such as ，。） never begins a line (the character before it moves
    down with it) and （“ never ends one. Each line fits its width, so justification works."""
    lines: list[str] = []
    tokens = _TOKEN.findall(text)
    line: list[str] = []

    def fits(parts: list[str]) -> bool:
        limit = first if not lines else width
        return pdfmetrics.stringWidth("".join(parts), font, size) <= limit

    for tok in tokens:
        if fits([*line, tok]) or not line:
            line.append(tok)
            continue
        carry = [tok]
        # pull characters down so that the new line does not start with 避头点 and the old
        # one does not end with 避尾点 (never the whole line)
        while len(line) > 1 and (
            carry[0][0] in NO_LINE_START
            or line[-1][-1] in NO_LINE_END
            or (carry[0][0] in UNITS and line[-1][-1].isdigit())
        ):
            carry.insert(0, line.pop())
        lines.append("".join(line))
        line = carry
        while not fits(line) and len(line) > 1:  # a carry wider than a line (unlikely): split it
            lines.append("".join(line[:-1]))
            line = line[-1:]
    if line or not lines:
        lines.append("".join(line))
    return lines


def render_pdf(doc: Document) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, PageBreak, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Table as T

    from onewindow.licences.pdf import register_chinese_font

    font = register_chinese_font()
    base = ParagraphStyle(
        "body",
        fontName=font,
        fontSize=11.5,
        leading=20,
        wordWrap="CJK",
        alignment=TA_JUSTIFY,
        justifyBreaks=1,
    )
    st = {
        "title": ParagraphStyle("title", parent=base, fontSize=19, leading=28, alignment=TA_CENTER),
        "subtitle": ParagraphStyle(
            "subtitle",
            parent=base,
            fontSize=8.5,
            leading=12,
            alignment=TA_CENTER,
            textColor=colors.grey,
            spaceBefore=4,
            spaceAfter=12,
        ),
        "h1": ParagraphStyle(
            "h1", parent=base, fontSize=14, leading=22, spaceBefore=10, spaceAfter=4, keepWithNext=1
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontSize=12, leading=20, spaceBefore=6, spaceAfter=2, keepWithNext=1
        ),
        "body": ParagraphStyle("indent", parent=base, firstLineIndent=23, spaceAfter=3),
        "flat": ParagraphStyle("flat", parent=base, spaceAfter=3),
        "note": ParagraphStyle(
            "note", parent=base, fontSize=9, leading=14, textColor=colors.HexColor("#555555")
        ),
        "bullet": ParagraphStyle(
            "bullet",
            parent=base,
            fontSize=10.5,
            leading=17,
            leftIndent=14,
            bulletIndent=2,
            bulletFontName=font,
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11.5, alignment=0),
        "num": ParagraphStyle("num", parent=base, fontSize=8.5, leading=11.5, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=base, fontSize=8.5, leading=11.5, alignment=TA_CENTER),
        "caption": ParagraphStyle(
            "caption", parent=base, fontSize=9.5, leading=14, alignment=TA_CENTER, spaceBefore=4
        ),
        "sign": ParagraphStyle("sign", parent=base, alignment=TA_RIGHT),
    }
    margin = 22 * mm
    width = A4[0] - 2 * margin - 12  # the frame's own padding is 6 pt a side

    def p(text: str, style: str, avail: float | None = None, bullet: str | None = None) -> P:
        """A paragraph broken into lines by ``wrap_cjk`` (reportlab's own CJK wrap lets 。 start
        a line after ）, and splits case numbers)."""
        s = st[style]
        inner = (avail or width) - s.leftIndent - s.rightIndent - 0.5
        lines = wrap_cjk(text, s.fontName, s.fontSize, inner - s.firstLineIndent, inner)
        return P("<br/>".join(escape(line) for line in lines), s, bulletText=bullet)

    def table(b: Table, lead: list[Any]) -> list[Any]:
        """The table with its caption and ``lead`` (the heading just before it) kept together."""
        total = sum(b.widths)
        widths = [width * b.span * w / total for w in b.widths]
        pad = 7.5  # left + right cell padding, and a little air
        data = [[p(h, "head", w - pad) for h, w in zip(b.headers, widths, strict=True)]]
        data += [
            [p(c, "num" if i in b.numeric else "cell", widths[i] - pad) for i, c in enumerate(row)]
            for row in b.rows
        ]
        t = T(data, colWidths=widths, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3.5),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3.5),
                ]
            )
        )
        head: list[Any] = [p(b.caption, "caption")] if b.caption else []
        # the caption never stays alone at the foot of a page: it moves with the table (which
        # still splits, header repeated, when longer than a page)
        return [KeepTogether([*lead, *head, Spacer(1, 2), t]), Spacer(1, 8)]

    story: list[Any] = [p(doc.title, "title"), p(doc.subtitle, "subtitle")]

    def blocks(items: Iterable[Block]) -> None:
        previous: Block | None = None
        for b in items:
            if isinstance(b, Heading):
                story.append(p(b.text, "h2"))
            elif isinstance(b, Paragraph):
                story.append(p(b.text, "note" if b.note else ("body" if b.indent else "flat")))
            elif isinstance(b, BulletList):
                story.extend(p(item, "bullet", bullet="•") for item in b.items)
                story.append(Spacer(1, 3))
            elif isinstance(b, Table):
                lead = [story.pop()] if isinstance(previous, Heading) else []
                story.extend(table(b, lead))
            previous = b

    blocks(doc.preamble)
    for section in doc.sections:
        if section.page_break:
            story.append(PageBreak())
        story.append(p(section.heading, "h1"))
        blocks(section.blocks)
        if section.heading.startswith("四") and doc.signature:
            story.append(Spacer(1, 16))
            story.extend(p(line, "sign") for line in doc.signature)

    def footer(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawCentredString(A4[0] / 2, 11 * mm, f"— {canvas.getPageNumber()} —")
        canvas.restoreState()

    buf = io.BytesIO()
    pdf = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=doc.title,
        author=doc.signature[0] if doc.signature else "",
        subject="年度工作总结",
    )
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def render_docx(doc: Document) -> bytes:
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    d = docx.Document()
    section = d.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2.0)
    text_width = section.page_width - section.left_margin - section.right_margin

    def east_asian(style_or_run: Any, name: str) -> None:
        rpr = style_or_run.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), name)

    normal = d.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(12)
    east_asian(normal, "宋体")
    for level, size in ((1, 15), (2, 13)):
        hs = d.styles[f"Heading {level}"]
        hs.font.name = "SimHei"
        hs.font.size = Pt(size)
        hs.font.bold = False
        hs.font.color.rgb = RGBColor(0, 0, 0)
        east_asian(hs, "黑体")
    d.core_properties.title = doc.title
    d.core_properties.subject = "年度工作总结"

    title = d.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(doc.title)
    run.font.size = Pt(20)
    run.font.name = "SimHei"
    east_asian(run, "黑体")
    sub = d.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = sub.add_run(doc.subtitle)
    run.font.size = Pt(9)
    run.font.color.rgb = RGBColor(0x66, 0x66, 0x66)

    def blocks(items: Iterable[Block]) -> None:
        for b in items:
            if isinstance(b, Heading):
                d.add_heading(b.text, level=2)
            elif isinstance(b, Paragraph):
                para = d.add_paragraph()
                r = para.add_run(b.text)
                if b.note:
                    r.font.size = Pt(9)
                    r.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
                elif b.indent:
                    para.paragraph_format.first_line_indent = Pt(24)
                para.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            elif isinstance(b, BulletList):
                for item in b.items:
                    d.add_paragraph(item, style="List Bullet")
            elif isinstance(b, Table):
                if b.caption:
                    cap = d.add_paragraph()
                    cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    cap.add_run(b.caption).font.size = Pt(10.5)
                t = d.add_table(rows=1, cols=len(b.headers))
                t.style = "Table Grid"
                t.alignment = WD_TABLE_ALIGNMENT.CENTER
                total = sum(b.widths)
                widths = [int(text_width * b.span * w / total) for w in b.widths]
                for i, h in enumerate(b.headers):
                    cell = t.rows[0].cells[i]
                    cell.text = h
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                for row in b.rows:
                    cells = t.add_row().cells
                    for i, value in enumerate(row):
                        cells[i].text = value
                        if i in b.numeric:
                            cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
                for row in t.rows:
                    for i, cell in enumerate(row.cells):
                        cell.width = widths[i]
                        for para in cell.paragraphs:
                            for r in para.runs:
                                r.font.size = Pt(9)
                d.add_paragraph()

    blocks(doc.preamble)
    for sec in doc.sections:
        if sec.page_break:
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        d.add_heading(sec.heading, level=1)
        blocks(sec.blocks)
        if sec.heading.startswith("四"):
            for line in doc.signature:
                para = d.add_paragraph(line)
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
