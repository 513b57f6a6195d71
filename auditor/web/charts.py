"""The overview's trend chart: open findings per day, drawn as server-side SVG.

The axis has the report's "nice" ticks (``auditor.report.charts.nice_ticks``: 1, 2 or 5 × 10ⁿ
apart, every label distinct, thousands separated); a day without a run is a small grey mark on
the axis with a legend, and a period without any run says so in words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from auditor.report.charts import nice_ticks, tick_label
from auditor.report.model import TrendPoint

WIDTH, HEIGHT = 760, 250
TOP, BOTTOM_MARGIN, RIGHT = 16, 44, 12
ZERO_BAR = 2.0
"""Height of the bar of a day whose count is 0 (so it differs from a day without a run)."""


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    day: str
    show_label: bool


@dataclass(frozen=True)
class Gap:
    x: float
    width: float
    day: str
    show_label: bool


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    left: int
    top: int
    bottom: int
    right: int
    ticks: tuple[tuple[float, str], ...]
    """(y, label) per axis tick, bottom to top; every label distinct."""
    bars: tuple[Bar, ...]
    line: tuple[str, ...]
    """``points`` of one polyline per run of consecutive days with a count (broken at gaps)."""
    gaps: tuple[Gap, ...]
    empty: bool
    """No day of the period had a run: the chart says so instead of drawing nothing."""


def trend_chart(points: Sequence[TrendPoint]) -> TrendChart | None:
    if not points:
        return None
    values = [p.open for p in points if p.open is not None]
    ticks = nice_ticks(max(values, default=0))
    labels = [tick_label(t) for t in ticks]
    left = 18 + 7 * max(len(label) for label in labels)
    plot_width = WIDTH - left - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM_MARGIN
    bottom = TOP + plot_height
    scale = plot_height / ticks[-1]
    step = plot_width / len(points)
    every = max(1, math.ceil(len(points) / 8))
    bars: list[Bar] = []
    gaps: list[Gap] = []
    lines: list[str] = []
    coordinates: list[str] = []
    for index, point in enumerate(points):
        x = left + index * step
        day = point.day.strftime("%m/%d")
        last = len(points) - 1
        show = index == last or (index % every == 0 and last - index > every // 2)
        if point.open is None:
            gaps.append(Gap(round(x + step * 0.3, 1), round(step * 0.4, 1), day, show))
            if coordinates:
                lines.append(" ".join(coordinates))
            coordinates = []
            continue
        height = max(point.open * scale, ZERO_BAR)  # a day with 0 open is not a day without a run
        y = bottom - height
        bars.append(
            Bar(
                x=round(x + step * 0.15, 1),
                y=round(y, 1),
                width=round(step * 0.7, 1),
                height=round(height, 1),
                value=point.open,
                label=tick_label(point.open),
                day=day,
                show_label=show,
            )
        )
        coordinates.append(f"{x + step / 2:.1f},{y:.1f}")
    if coordinates:
        lines.append(" ".join(coordinates))
    return TrendChart(
        width=WIDTH,
        height=HEIGHT,
        left=left,
        top=TOP,
        bottom=bottom,
        right=WIDTH - RIGHT,
        ticks=tuple(
            (round(bottom - t * scale, 1), label) for t, label in zip(ticks, labels, strict=True)
        ),
        bars=tuple(bars),
        line=tuple(lines),
        gaps=tuple(gaps),
        empty=not values,
    )


__all__ = ["TrendChart", "nice_ticks", "trend_chart"]
