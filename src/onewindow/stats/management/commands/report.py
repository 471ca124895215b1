"""``onewindow report --year 2025 [--region CODE] [--format pdf|docx|md] [--output FILE]``: the
bureau's annual work report (年度工作总结) written from the data; prints the file's path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.clock.selectors import work_calendar
from onewindow.core.errors import DomainError
from onewindow.stats.periods import PeriodError
from onewindow.stats.report import FORMATS, build_report, render
from onewindow.stats.rollup import ensure_fresh
from onewindow.stats.selectors import region_by_code


def parse_year(value: str | None) -> int:
    if value is None:
        raise CommandError("请用 --year 指定总结的年份（如 --year 2025）")
    text = value.strip()
    if not (text.isdigit() and len(text) == 4):
        raise CommandError(f"年份应为四位数字（如 2025），收到“{value}”")
    return int(text)


class Command(BaseCommand):
    help = "Write the annual work report (年度工作总结) of a year as PDF, DOCX or Markdown."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", help="the year reported on, e.g. 2025 (required)")
        parser.add_argument(
            "--region", help="12-digit region code (default: all data, named after the county)"
        )
        parser.add_argument(
            "--format",
            dest="fmt",
            help="pdf, docx or md (default: from the --output suffix, else pdf)",
        )
        parser.add_argument("--output", "-o", help="file to write (default: report-<year>[-<region>].<ext>)")

    def handle(self, *args: Any, **options: Any) -> None:
        year = parse_year(options["year"])
        output = Path(options["output"]) if options["output"] else None
        fmt = (options["fmt"] or "").strip().lower()
        if not fmt:
            suffix = output.suffix.lower().lstrip(".") if output else ""
            fmt = {"markdown": "md"}.get(suffix, suffix) if suffix in (*FORMATS, "markdown") else "pdf"
        if fmt not in FORMATS:
            raise CommandError(f"不支持的格式“{options['fmt']}”，可选：{'、'.join(FORMATS)}")
        try:
            region = region_by_code(options["region"])
            cal = work_calendar()
            if not cal.first_year <= year <= cal.last_year:
                raise CommandError(
                    f"工作日历未包含{year}年（已导入{cal.first_year}–{cal.last_year}年），无法计算办理用时；"
                    f"请先由管理员录入{year}年的放假和调休安排"
                )
            ensure_fresh(bounded=False)  # a command may take its time: bring the rollups up to date
            document = build_report(year, region)
            content = render(document, fmt)
        except (DomainError, PeriodError) as exc:
            raise CommandError(str(exc)) from exc
        if output is None:
            output = Path(f"report-{year}{'-' + region.code if region else ''}.{fmt}")
        if not output.parent.is_dir():
            raise CommandError(f"输出目录“{output.parent}”不存在")
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"无法写入“{output}”：{exc.strerror or exc}") from exc
        self.stdout.write(str(output))
