"""One definition per indicator (指标口径): its code, name, unit, what it counts and over which
period. Pages, the API, the Excel definitions sheet and the annual report all read this table, and
``stats.selectors`` computes each indicator exactly as written here.

The period is a range of local days (``stats.periods.Period``); the region filter keeps what was
accepted in a region (the application's 办理地) and the regions below it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Indicator:
    code: str
    name: Promise | str
    unit: str  # count | percent | workdays
    group: Promise | str
    definition: Promise | str
    drill: bool = False  # the cases behind the figure can be listed (stats.selectors.drill_cases)


APPLICATIONS = _("申请与受理")
TIMELINESS = _("办理时效")
CONVENIENCE = _("便民利企")
REFORMS = _("审批改革")
FEEDBACK = _("好差评与诉求")

INDICATORS: tuple[Indicator, ...] = (
    # ---- intake ----
    Indicator(
        "applications",
        _("收件数"),
        "count",
        APPLICATIONS,
        _("期间内收到的申请件数（按收件时间计，不含草稿）；一件事一次申请计1件。"),
        drill=True,
    ),
    Indicator(
        "applications_refused",
        _("不予受理件数"),
        "count",
        APPLICATIONS,
        _("期间内收到、现状态为“不予受理”的申请件数。"),
    ),
    Indicator(
        "applications_corrected",
        _("一次性告知补正件数"),
        "count",
        APPLICATIONS,
        _("期间内收到、曾出具补正告知书的申请件数（一件申请多次补正计1件）。"),
        drill=True,
    ),
    Indicator(
        "cases_accepted",
        _("受理办件数"),
        "count",
        APPLICATIONS,
        _("期间内受理的办件数（按受理时间计）；一件事拆分到各部门的办件各计1件。"),
        drill=True,
    ),
    Indicator(
        "cases_finished",
        _("办结办件数"),
        "count",
        APPLICATIONS,
        _("期间内办结的办件数：承办部门作出准予或不予决定，按决定时间计。"),
        drill=True,
    ),
    Indicator(
        "cases_approved",
        _("准予许可件数"),
        "count",
        APPLICATIONS,
        _("期间内办结且决定为准予的办件数。"),
    ),
    # ---- timeliness ----
    Indicator(
        "on_time_rate_promised",
        _("承诺时限内办结率"),
        "percent",
        TIMELINESS,
        _("期间内办结且有承诺期限的办件中，在承诺期限届满前作出决定的比例（按时办结率）。"),
    ),
    Indicator(
        "finished_late",
        _("超承诺时限办结件数"),
        "count",
        TIMELINESS,
        _("期间内办结、决定时间晚于或等于承诺期限的办件数。"),
        drill=True,
    ),
    Indicator(
        "on_time_rate_legal",
        _("法定时限内办结率"),
        "percent",
        TIMELINESS,
        _("期间内办结且有法定期限的办件中，在法定期限届满前作出决定的比例。"),
    ),
    Indicator(
        "working_days_mean",
        _("平均办理用时"),
        "workdays",
        TIMELINESS,
        _(
            "期间内办结办件从受理到决定的工作日数的平均值：受理当日不计，决定当日计入"
            "（同日办结计0个工作日）；中止期间不扣除，另见中止件数。"
        ),
    ),
    Indicator(
        "working_days_p50",
        _("办理用时中位数"),
        "workdays",
        TIMELINESS,
        _("同“平均办理用时”的口径，取中位数（最近秩法）。"),
    ),
    Indicator(
        "working_days_p90",
        _("办理用时90百分位"),
        "workdays",
        TIMELINESS,
        _("同“平均办理用时”的口径，取第90百分位（最近秩法）：九成办件在此用时内办结。"),
    ),
    Indicator(
        "compression_legal",
        _("实际压缩比（较法定时限）"),
        "percent",
        TIMELINESS,
        _(
            "1 − 实际用时之和 ÷ 法定时限之和，只计期间内办结、法定时限以工作日计的办件；"
            "实际用时同“平均办理用时”。"
        ),
    ),
    Indicator(
        "compression_promised",
        _("实际压缩比（较承诺时限）"),
        "percent",
        TIMELINESS,
        _(
            "1 − 实际用时之和 ÷ 承诺时限之和，只计期间内办结、承诺时限以工作日计的办件；"
            "即办件的承诺时限为0，不计入分母。"
        ),
    ),
    Indicator(
        "compression_catalogue",
        _("承诺压缩比（事项目录）"),
        "percent",
        TIMELINESS,
        _(
            "1 − 承诺时限之和 ÷ 法定时限之和，按现行事项目录中法定与承诺时限均以工作日计"
            "（或承诺即办）的事项计算，每个事项计一次；与期间无关。"
        ),
    ),
    Indicator(
        "overdue_open",
        _("在办超期件数"),
        "count",
        TIMELINESS,
        _("统计时点（现在）仍在办理（未中止）且已过承诺期限的办件数；与期间无关，只按区划过滤。"),
        drill=True,
    ),
    Indicator(
        "suspensions",
        _("中止件数"),
        "count",
        TIMELINESS,
        _("期间内开始的中止（听证、检验检测、专家评审等，不计入时限）次数。"),
        drill=True,
    ),
    Indicator(
        "extensions",
        _("延期件数"),
        "count",
        TIMELINESS,
        _("期间内经领导批准的延期次数（行政许可法第四十二条）。"),
        drill=True,
    ),
    # ---- convenience ----
    Indicator(
        "online_rate",
        _("网上申请率"),
        "percent",
        CONVENIENCE,
        _("期间内收件中，通过网上办理渠道提交的比例。"),
    ),
    Indicator(
        "fully_online_rate",
        _("全程网办率"),
        "percent",
        CONVENIENCE,
        _("期间内收件中，网上提交且以电子证照送达（无需到现场）的比例（一网通办）。"),
    ),
    Indicator(
        "zero_visit_rate",
        _("零跑动率"),
        "percent",
        CONVENIENCE,
        _(
            "期间内收件中跑动次数为0的比例。跑动次数 = 现场提交（窗口、便民服务站、银行网点、"
            "自助终端）计1次 + 现场提交后每次补正另计1次 + 窗口领取结果计1次。"
        ),
    ),
    Indicator(
        "max_one_visit_rate",
        _("最多跑一次率"),
        "percent",
        CONVENIENCE,
        _("期间内收件中跑动次数不超过1次的比例（跑动次数的口径同“零跑动率”）。"),
    ),
    Indicator(
        "station_share",
        _("乡镇村就近办理占比"),
        "percent",
        CONVENIENCE,
        _("期间内收件中，受理地为乡镇（街道）或村（社区）便民服务站的比例。"),
    ),
    Indicator(
        "instant_share",
        _("即办件占比"),
        "percent",
        CONVENIENCE,
        _("期间内受理的办件中，所办事项版本为即办件的比例。"),
    ),
    Indicator(
        "proofs_replaced",
        _("免提交材料数（零证明）"),
        "count",
        CONVENIENCE,
        _("期间内收件中，以共享数据或电子证照代替、申请人免于提交的材料份数。"),
    ),
    # ---- reforms ----
    Indicator(
        "deficiency_cases",
        _("容缺受理件数"),
        "count",
        REFORMS,
        _("期间内受理的办件中，受理时有容缺后补材料的件数。"),
        drill=True,
    ),
    Indicator(
        "commitment_cases",
        _("告知承诺件数"),
        "count",
        REFORMS,
        _("期间内受理的办件中，以告知承诺代替部分材料的件数。"),
        drill=True,
    ),
    Indicator(
        "verifications_passed",
        _("承诺核查属实件数"),
        "count",
        REFORMS,
        _("期间内受理的告知承诺办件中，事后核查结果为属实的件数。"),
    ),
    Indicator(
        "verifications_failed",
        _("承诺不实件数"),
        "count",
        REFORMS,
        _("期间内受理的告知承诺办件中，事后核查发现承诺不实（撤销许可、记入信用记录）的件数。"),
        drill=True,
    ),
    Indicator(
        "verifications_open",
        _("承诺待核查件数"),
        "count",
        REFORMS,
        _("期间内受理的告知承诺办件中，事后核查尚未完成的件数。"),
    ),
    # ---- ratings and complaints ----
    Indicator(
        "rating_rate",
        _("评价率"),
        "percent",
        FEEDBACK,
        _("期间内办结且已评价（不含默认评价）的办件数 ÷ 期间内办结的办件数。"),
    ),
    Indicator(
        "satisfaction_rate",
        _("满意率"),
        "percent",
        FEEDBACK,
        _("期间内评价为非常满意、满意、基本满意的评价数 ÷ 期间内评价总数（不含默认评价，按评价时间计）。"),
    ),
    Indicator(
        "rectification_rate",
        _("差评整改率"),
        "percent",
        FEEDBACK,
        _("期间内差评（不满意、非常不满意）中整改已经督查核实的件数 ÷ 期间内差评件数。"),
    ),
    Indicator(
        "bad_ratings_open",
        _("待整改差评数"),
        "count",
        FEEDBACK,
        _("期间内的差评中整改尚未经督查核实的件数。"),
        drill=True,
    ),
    Indicator(
        "complaints",
        _("诉求件数"),
        "count",
        FEEDBACK,
        _("期间内登记的咨询、求助、投诉、建议件数（按登记时间计），分类见诉求表。"),
    ),
    Indicator(
        "complaint_sla_rate",
        _("诉求按期答复率"),
        "percent",
        FEEDBACK,
        _(
            "期间内登记、有办理期限的诉求中，在期限届满前答复的比例；未答复且未到期的不计入分母，"
            "未答复已到期的计为未按期。"
        ),
    ),
)

BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}
GROUPS = (APPLICATIONS, TIMELINESS, CONVENIENCE, REFORMS, FEEDBACK)

# The breakdown tables (按维度分析) and their dimension names.
DIMENSIONS: dict[str, Promise | str] = {
    "department": _("部门"),
    "item": _("事项"),
    "channel": _("申请渠道"),
    "region_tier": _("办理层级"),
    "state": _("办件状态"),
}
