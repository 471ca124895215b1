"""Server-rendered SVG charts (pure Python, no Django): no chart library, no script, no CDN.

Each chart is a self-contained ``<svg>`` with ``role="img"``, a ``<title>`` and a ``<desc>`` for
screen readers; pages show the same numbers in a table next to it. Colours come from CSS classes
(``onewindow.css``) so the charts follow the site's palette and print well.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | int | None]
    css: str  # e.g. "s1", "s2": fill/stroke colours in CSS


def _nice_max(value: float) -> float:
    """The smallest 1-2-5 × 10^k at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * exp >= value:
            return step * exp
    return 10 * exp  # pragma: no cover


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bar_line_chart(
    labels: Sequence[str],
    bars: Sequence[Series],
    line: Series | None = None,
    *,
    title: str,
    line_max: float = 100,
    line_unit: str = "%",
    width: int = 720,
    height: int = 260,
) -> str:
    """Grouped bars (left axis, counts) and an optional line (right axis, 0–``line_max``)."""
    left, right, top, bottom = 48, 44 if line else 12, 16, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(1, len(labels))
    peak = max([v for s in bars for v in s.values if v is not None] + [0])
    y_max = _nice_max(peak)
    slot = plot_w / n
    bar_w = max(1.0, slot * 0.8 / max(1, len(bars)))
    parts: list[str] = []
    desc = "; ".join(
        f"{label}: "
        + ", ".join(f"{s.name} {_fmt(s.values[i]) if s.values[i] is not None else '—'}" for s in bars)
        for i, label in enumerate(labels)
    )
    parts.append(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    )
    for k in range(5):  # grid and left axis
        value = y_max * k / 4
        y = top + plot_h - plot_h * k / 4
        parts.append(f'<line class="grid" x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(value)}</text>'
        )
        if line:
            rv = line_max * k / 4
            label = f"{_fmt(rv)}{escape(line_unit)}"
            parts.append(f'<text class="axis" x="{left + plot_w + 6}" y="{y + 4:.1f}">{label}</text>')
    step = max(1, math.ceil(n / 12))  # at most ~12 x labels
    for i, label in enumerate(labels):
        x0 = left + slot * i + slot * 0.1
        for j, s in enumerate(bars):
            v = s.values[i]
            if not v:
                continue
            h = plot_h * v / y_max
            tip = f"{escape(label)} {escape(s.name)}: {_fmt(v)}"
            parts.append(
                f'<rect class="bar {s.css}" x="{x0 + j * bar_w:.1f}" y="{top + plot_h - h:.1f}" '
                f'width="{bar_w:.1f}" height="{h:.1f}"><title>{tip}</title></rect>'
            )
        if i % step == 0:
            cx = left + slot * (i + 0.5)
            y = height - bottom + 16
            parts.append(
                f'<text class="axis" x="{cx:.1f}" y="{y}" text-anchor="middle">{escape(label)}</text>'
            )
    if line:
        points = [
            (left + slot * (i + 0.5), top + plot_h - plot_h * min(float(v), line_max) / line_max)
            for i, v in enumerate(line.values)
            if v is not None
        ]
        if points:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline class="line {line.css}" fill="none" points="{path}"/>')
            for x, y in points:
                parts.append(f'<circle class="dot {line.css}" cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>')
    legend_x = left
    for s in [*bars, *([line] if line else [])]:
        parts.append(f'<rect class="bar {s.css}" x="{legend_x}" y="{height - 12}" width="10" height="10"/>')
        parts.append(f'<text class="legend" x="{legend_x + 14}" y="{height - 3}">{escape(s.name)}</text>')
        legend_x += 14 + 14 * len(s.name) + 18
    parts.append("</svg>")
    return "".join(parts)


def hbar_chart(rows: Sequence[tuple[str, float]], *, title: str, unit: str = "", width: int = 720) -> str:
    """Horizontal bars, one per row (label, value), largest first as given."""
    row_h, left, right = 24, 200, 70
    height = max(1, len(rows)) * row_h + 8
    peak = max([v for _l, v in rows] + [0]) or 1
    plot_w = width - left - right
    desc = "; ".join(f"{label}: {_fmt(v)}{unit}" for label, v in rows)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title><desc>{escape(desc)}</desc>'
    ]
    for i, (label, value) in enumerate(rows):
        y = 4 + i * row_h
        w = plot_w * value / peak
        short = label if len(label) <= 14 else label[:13] + "…"
        parts.append(
            f'<text class="axis" x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(short)}</text>'
        )
        parts.append(f'<rect class="bar s1" x="{left}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}"/>')
        parts.append(
            f'<text class="axis" x="{left + w + 6:.1f}" y="{y + 15}">{_fmt(value)}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
