"""``onewindow stats refresh|rebuild|status``: the daily rollups behind every statistic."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onewindow.stats.models import DailyRollup, RollupState
from onewindow.stats.rollup import refresh


class Command(BaseCommand):
    help = "Refresh (incrementally), rebuild or show the statistics rollups."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=["refresh", "rebuild", "status"],
            help="refresh: the days changed since last time; rebuild: everything; status: how fresh",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress lines")

    def handle(self, *args: Any, action: str, quiet: bool = False, **options: Any) -> None:
        if action in ("refresh", "rebuild"):
            started = time.perf_counter()

            def say(line: str) -> None:
                self.stdout.write(f"[{time.perf_counter() - started:7.1f} s] {line}")
                self.stdout.flush()

            result = refresh(full=action == "rebuild", progress=None if quiet else say)
            self.stdout.write(str(result))
        state = RollupState.objects.order_by("pk").first()
        if state is None:
            self.stdout.write("统计汇总尚未生成：运行 onewindow stats rebuild")
            return
        self.stdout.write(
            f"汇总行数 {DailyRollup.objects.count():,}；最近刷新 {state.refreshed_at:%Y-%m-%d %H:%M:%S}；"
            f"最近重建 {state.rebuilt_at:%Y-%m-%d %H:%M:%S}；水位 {state.watermark}"
            if state.refreshed_at and state.rebuilt_at
            else f"汇总行数 {DailyRollup.objects.count():,}；下次刷新将全量重建"
        )
