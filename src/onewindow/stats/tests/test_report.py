"""The annual work report (``onewindow report``): figures from the selectors, problems backed by
their cases, the three formats, and the command's errors."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command
from reportlab.pdfbase import pdfmetrics

from onewindow.bench.simulate import simulate
from onewindow.cases.models import Case, PostVerification, VerificationStatus
from onewindow.licences.pdf import register_chinese_font
from onewindow.org.models import Region
from onewindow.stats.periods import Period
from onewindow.stats.report import (
    NO_LINE_START,
    build_report,
    bureau_name,
    late_legal_cases,
    render_docx,
    render_markdown,
    render_pdf,
    wrap_cjk,
)
from onewindow.stats.rollup import refresh
from onewindow.stats.selectors import StatsFilter, breakdown, drill_cases, indicators

TITLE = "常德市武陵区行政审批服务局2025年工作总结"


@pytest.fixture
def year_data(hall):
    """Two simulated years of the demo county (small: the report needs a previous year)."""
    simulate(cases=240, years=[2024, 2025], seed=3, progress=lambda s: None)
    refresh()  # the selectors only read the rollups (the command refreshes them itself)
    return StatsFilter(Period.year(2025))


def _section(md: str, heading: str) -> str:
    start = md.index(f"## {heading}")
    nxt = md.find("\n## ", start + 1)
    return md[start : nxt if nxt >= 0 else len(md)]


def test_markdown_report_states_the_selectors_figures(year_data):
    f = year_data
    doc = build_report(2025)
    md = render_markdown(doc)
    figures = indicators(f)
    prev = indicators(StatsFilter(Period.year(2024)))

    assert doc.title == TITLE
    assert md.startswith(f"# {TITLE}\n")
    for heading in ("一、主要成效", "二、典型做法", "三、存在的问题", "四、下一步工作计划", "附件：指标口径"):
        assert f"## {heading}" in md
    results = _section(md, "一、主要成效")
    g = figures
    assert f"全年共收件{g['applications'].display}件" in results
    assert f"受理办件{g['cases_accepted'].display}件" in results
    assert f"办结办件{g['cases_finished'].display}件" in results
    rate = g["on_time_rate_promised"]
    assert f"承诺时限内办结率{rate.display}（{rate.numerator:,}/{rate.denominator:,}）" in results
    legal = g["on_time_rate_legal"]
    assert f"法定时限内办结率{legal.display}（{legal.numerator:,}/{legal.denominator:,}）" in results
    assert f"平均用时{g['working_days_mean'].display}个工作日" in results
    assert f"实际压缩{g['compression_legal'].display}" in results
    assert f"实际压缩{g['compression_promised'].display}" in results
    assert f"承诺压缩{g['compression_catalogue'].display}" in results
    for code in (
        "online_rate",
        "fully_online_rate",
        "zero_visit_rate",
        "max_one_visit_rate",
        "station_share",
    ):
        assert f"{g[code].display}（{g[code].numerator:,}/{g[code].denominator:,}）" in results
    assert f"告知承诺审批{g['commitment_cases'].display}件" in results
    assert f"免于提交的材料{g['proofs_replaced'].display}份" in results
    assert f"评价率{g['rating_rate'].display}" in results
    # compared with 2024, which has data
    assert "| 指标 | 2025年 | 2024年 | 变化 |" in results
    assert f"| 收件数 | {g['applications'].display} | {prev['applications'].display} |" in results
    assert "较上年" in results or "同比" in results
    # the appendix quotes every definition with this year's value
    appendix = _section(md, "附件：指标口径")
    for fig in figures.values():
        assert f"| {fig.indicator.name} | " in appendix
        assert str(fig.indicator.definition).replace("|", "\\|") in appendix


def test_problems_name_the_late_cases_and_plans_follow(year_data):
    f = year_data
    md = render_markdown(build_report(2025))
    problems = _section(md, "三、存在的问题")
    plans = _section(md, "四、下一步工作计划")
    late = drill_cases("finished_late", f)
    assert late.exists(), "the simulation has late cases (about 4 %)"
    assert f"全年超承诺时限办结{indicators(f)['finished_late'].display}件" in problems
    # the item with most late cases is named with its figures and up to ten of its case numbers
    worst = sorted(
        (r for r in breakdown(f, "item") if r.finished_late), key=lambda r: (-r.finished_late, r.key)
    )[0]
    numbers = list(late.filter(item_version__item__code=worst.key).values_list("number", flat=True))
    line = next(x for x in problems.splitlines() if x.startswith(f"- {worst.label}："))
    assert f"超承诺时限{worst.finished_late:,}件" in line
    for number in numbers[:10]:
        assert number in line
    assert ("等" if len(numbers) > 10 else "（共") + f"{len(numbers):,}件" in line
    assert f"“{worst.label}”" in plans or worst.label in plans
    # cases past the statutory limit are listed too
    past_law = list(late_legal_cases(f).values_list("number", flat=True))
    if past_law:
        assert "超过法定时限" in problems
        for number in past_law[:10]:
            assert number in problems
    # one plan per problem, then the four standing ones
    n_problems = len(re.findall(r"^[一二三四五六七八九十]+是", problems, flags=re.M))
    n_plans = len(re.findall(r"^[一二三四五六七八九十]+是", plans, flags=re.M))
    assert n_problems >= 1
    assert n_plans == n_problems + 4


def test_pdf_has_pages_and_the_embedded_chinese_font(year_data, tmp_path):
    pdf = render_pdf(build_report(2025))
    assert pdf.startswith(b"%PDF")
    assert b"WenQuanYiMicroHei" in pdf  # the subset font is embedded (FontFile2)
    assert b"/FontFile2" in pdf
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 3
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert all(" yes yes yes " in line for line in fonts.splitlines() if "WenQuanYi" in line)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    compact = re.sub(r"\s+", "", text)
    assert TITLE in compact
    assert "三、存在的问题" in compact
    assert "附件：指标口径" in compact


def test_docx_opens_with_python_docx(year_data):
    import docx

    document = docx.Document(io.BytesIO(render_docx(build_report(2025))))
    texts = [p.text for p in document.paragraphs]
    assert TITLE in texts
    assert "三、存在的问题" in texts
    assert len(document.tables) >= 4
    assert document.tables[0].rows[0].cells[0].text == "指标"
    assert document.core_properties.title == TITLE


def test_command_writes_each_format(year_data, tmp_path, monkeypatch):
    out = io.StringIO()
    target = tmp_path / "summary.md"
    call_command("report", "--year", "2025", "--format", "md", "--output", str(target), stdout=out)
    assert out.getvalue().strip() == str(target)
    assert target.read_text(encoding="utf-8").startswith(f"# {TITLE}")

    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    call_command("report", "--year", "2025", "--region", "430702000000", "--format", "docx", stdout=out)
    assert out.getvalue().strip() == "report-2025-430702000000.docx"
    assert (tmp_path / "report-2025-430702000000.docx").read_bytes()[:2] == b"PK"
    call_command("report", "--year", "2025", "--output", "x.pdf", stdout=io.StringIO())  # format from suffix
    assert (tmp_path / "x.pdf").read_bytes().startswith(b"%PDF")


BAD_INPUT = [
    ([], "请用 --year 指定总结的年份"),
    (["--year", "20x5"], "年份应为四位数字"),
    (["--year", "2025", "--region", "999999999999"], "区划代码“999999999999”不存在"),
    (["--year", "2025", "--format", "html"], "不支持的格式“html”"),
    (["--year", "2099"], "工作日历未包含2099年"),
    (["--year", "2019"], "2019年没有收件或办结数据"),
    (["--year", "2025"], "2025年没有收件或办结数据"),  # the hall has no cases yet
]


def test_command_refuses_bad_input_in_chinese(hall, tmp_path):
    for args, message in BAD_INPUT:
        with pytest.raises(CommandError, match=re.escape(message)):
            call_command("report", *args, "--output", str(tmp_path / "r.md"), stdout=io.StringIO())
    assert not (tmp_path / "r.md").exists()


def test_bureau_names(demo_org):
    assert bureau_name(Region.objects.get(code="430702000000")) == "常德市武陵区行政审批服务局"
    assert bureau_name(Region.objects.get(code="430702100000")) == "常德市武陵区河洑镇便民服务中心"
    assert bureau_name(Region.objects.get(code="430702100201")) == "常德市武陵区河洑镇山铺村便民服务站"


def test_wrap_cjk_keeps_punctuation_and_case_numbers(settings):
    font = register_chinese_font()
    text = (
        "法定时限内办结率99.24%（1,040/1,048）。办件：430702202501060003-03、430702202501090005-01（共8件）。"
        * 3
    )
    lines = wrap_cjk(text, font, 11.5, 200, 220)
    assert "".join(lines) == text
    for i, line in enumerate(lines):
        assert pdfmetrics.stringWidth(line, font, 11.5) <= (200 if i == 0 else 220)
        if i:
            assert line[0] not in NO_LINE_START
    for number in ("430702202501060003-03", "430702202501090005-01", "1,040/1,048"):
        assert any(number in line for line in lines)


def test_false_commitments_and_open_checks_are_problems(year_data):
    f = year_data
    committed = list(Case.objects.filter(commitment=True, accepted_at__year=2025).order_by("pk")[:3])
    assert len(committed) == 3
    failed, *still_open = committed
    for case, status in (
        (failed, VerificationStatus.FAILED),
        *((c, VerificationStatus.OPEN) for c in still_open),
    ):
        PostVerification.objects.create(
            case=case, department=case.department, due_at=case.accepted_at, status=status
        )
    md = render_markdown(build_report(2025))
    results, problems = _section(md, "一、主要成效"), _section(md, "三、存在的问题")
    g = indicators(f)
    assert g["verifications_failed"].value == 1
    assert f"发现承诺不实（撤销许可、记入信用记录）{g['verifications_failed'].display}件" in results
    assert f"告知承诺办件事后核查发现承诺不实1件：{failed.number}（共1件）" in problems
    assert "尚待核查2件" in problems
