"""Excel export of the statistics (openpyxl, write-only so memory stays flat): one sheet per table
of the dashboard, Chinese headers, and the definitions sheet (指标口径) that says how each figure
is counted."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from onewindow.core.timeutil import now
from onewindow.stats.definitions import DIMENSIONS, INDICATORS
from onewindow.stats.selectors import (
    BREAKDOWN_COLUMNS,
    StatsFilter,
    breakdown,
    complaint_figures,
    indicators,
    trend,
)
from onewindow.stats.selectors import drill_cases as _drill

MAX_CASE_ROWS = 100_000  # the overdue list sheet stops here and says so
UNIT_LABELS = {"count": "件", "percent": "%", "workdays": "工作日"}
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE8F3")


def _sheet(wb: Workbook, title: str, headers: list[str], widths: list[int]) -> Any:
    ws = wb.create_sheet(title)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    row = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        row.append(cell)
    ws.append(row)
    return ws


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def workbook(f: StatsFilter) -> bytes:
    """The statistics of one scope as an .xlsx file."""
    wb = Workbook(write_only=True)
    scope = f"{f.period.label}{'，' + f.region.name if f.region else ''}"

    sla = complaint_figures(f)
    figures = indicators(f, complaints=sla)
    ws = _sheet(
        wb,
        "指标",
        ["指标代码", "指标名称", "分类", "数值", "单位", "分子", "分母"],
        [26, 28, 14, 12, 8, 12, 12],
    )
    for code, fig in figures.items():
        ind = fig.indicator
        ws.append(
            [
                code,
                str(ind.name),
                str(ind.group),
                _value(fig.value),
                UNIT_LABELS[ind.unit],
                fig.numerator,
                fig.denominator,
            ]
        )
    ws.append([])
    ws.append([f"统计范围：{scope}；生成时间：{now():%Y-%m-%d %H:%M}"])

    for dim, dim_name in DIMENSIONS.items():
        headers = [label for _k, label in BREAKDOWN_COLUMNS]
        headers[1] = str(dim_name)
        ws = _sheet(wb, f"按{dim_name}", headers, [22, 36, 12, 12, 18, 18, 20, 14])
        for row in breakdown(f, dim):
            ws.append([_value(v) for v in row.cells()])

    ws = _sheet(
        wb,
        "趋势",
        ["起始日", "截止日", "受理办件数", "办结办件数", "承诺时限内办结率（%）"],
        [12, 12, 12, 12, 20],
    )
    for p in trend(f):
        ws.append([p.start, p.end, p.accepted, p.finished, _value(p.on_time_rate)])

    ws = _sheet(wb, "诉求分类", ["诉求类别", "件数"], [16, 10])
    for label, n in sla["by_class"].items():
        ws.append([label, n])
    ws.append(["合计", sla["total"]])

    ws = _sheet(
        wb,
        "在办超期办件",
        ["办件编号", "事项", "责任部门", "当前环节部门", "受理时间", "承诺期限", "状态"],
        [26, 36, 28, 20, 18, 18, 14],
    )
    cases = _drill("overdue_open", f).select_related("step_department")
    for i, case in enumerate(cases.iterator(chunk_size=2000)):
        if i >= MAX_CASE_ROWS:
            ws.append([f"仅列出前 {MAX_CASE_ROWS:,} 件，请缩小区划范围"])
            break
        ws.append(
            [
                case.number,
                case.item_version.item.name,
                case.department.name,
                case.step_department.name if case.step_department else "",
                _local(case.accepted_at),
                _local(case.promised_due_at),
                case.get_status_display(),
            ]
        )

    ws = _sheet(wb, "指标口径", ["指标代码", "指标名称", "单位", "口径"], [26, 28, 8, 100])
    for ind in INDICATORS:
        cell = WriteOnlyCell(ws, value=str(ind.definition))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.append([ind.code, str(ind.name), UNIT_LABELS[ind.unit], cell])
    ws.append([])
    ws.append(
        ["", "", "", f"统计范围：{scope}。期间按北京时间的自然日计，起止日均包含在内；区划含其下级区划。"]
    )

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _local(instant: Any) -> Any:
    """Excel has no time zones: write local wall-clock time without tzinfo."""
    from django.utils import timezone

    return timezone.localtime(instant).replace(tzinfo=None) if instant else None
