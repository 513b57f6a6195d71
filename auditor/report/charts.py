"""Geometry of the two pictures; the template draws them as inline SVG (no scripts, no fonts)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from auditor.report.model import MatrixCell, TrendPoint, ZoneInfo

CELL = 56
LABEL_WIDTH = 220
HEADER_HEIGHT = 170

COLOURS = {
    "ok": "#cfe8cf",
    "violation": "#f4a6a6",
    "path-violation": "#f7c08a",
    "not-permitted": "#fff3c4",
    "denied": "#f2f2f2",
    "unknown": "#dddddd",
    "self": "#9e9e9e",
}

SYMBOLS = {
    "ok": "✔",
    "violation": "✘",
    "path-violation": "⇝",
    "not-permitted": "△",
    "denied": "·",
    "unknown": "?",
}
"""One symbol per cell state, shared by the report picture and ``auditor matrix`` (the CLI)."""
OBSERVED_MARK = "o"

LEGEND_STATES: tuple[str, ...] = (
    "ok",
    "violation",
    "path-violation",
    "not-permitted",
    "denied",
    "unknown",
)
"""The legend's order; each entry is drawn with ``COLOURS`` and ``SYMBOLS`` so they cannot drift."""

CLI_STATES = {
    "ok": "ok",
    "excess": "violation",
    "not-permitted": "not-permitted",
    "denied": "denied",
}
"""``auditor.analysis.matrix`` cell status → the state the report draws."""

PATH_MARKS = {"reachable": "→", "not-reachable": "", "unknown": "~"}
"""The "reachable by path" column in ``auditor matrix``'s table: → reachable, ~ unknown."""


def cell_mark(state: str, observed: bool | None) -> str:
    """What a cell shows: its state's symbol, plus ``o`` when traffic was observed."""
    if state == "self":
        return ""
    return SYMBOLS[state] + (OBSERVED_MARK if observed else "")


@dataclass(frozen=True)
class MatrixBox:
    x: int
    y: int
    size: int
    state: str
    fill: str
    marks: str
    source: str
    target: str


@dataclass(frozen=True)
class MatrixPicture:
    width: int
    height: int
    cell: int
    label_width: int
    header_height: int
    zones: tuple[tuple[str, int], ...]
    """(label, offset) per zone, rows and columns in the same order."""
    boxes: tuple[MatrixBox, ...]


def cell_state(cell: MatrixCell | None) -> str:
    """``violation`` (red) also for an allowed pair whose permits go beyond the policy."""
    if cell is None:
        return "unknown"
    if cell.violation:
        return "violation"
    if cell.path_violation:  # every hop permits its part; only the whole path breaks the policy
        return "path-violation"
    if cell.allowed is None:
        return "unknown"
    if not cell.allowed:
        return "denied"
    return "not-permitted" if cell.permitted is False else "ok"


def matrix_picture(
    cells: Sequence[MatrixCell], zones: Sequence[ZoneInfo], lang: str
) -> MatrixPicture | None:
    """Lay the zones out as a square grid; zones only named by the matrix are appended."""
    ids = [zone.id for zone in zones]
    names = {zone.id: zone.name(lang) for zone in zones}
    for named in cells:
        for zone_id in (named.source, named.target):
            if zone_id not in names:
                ids.append(zone_id)
                names[zone_id] = zone_id
    if not ids:
        return None
    by_pair = {(cell.source, cell.target): cell for cell in cells}
    boxes = []
    for row, source in enumerate(ids):
        for column, target in enumerate(ids):
            x = LABEL_WIDTH + column * CELL
            y = HEADER_HEIGHT + row * CELL
            if source == target:
                boxes.append(MatrixBox(x, y, CELL, "self", COLOURS["self"], "", source, target))
                continue
            cell = by_pair.get((source, target))
            state = cell_state(cell)
            marks = cell_mark(state, cell.observed if cell is not None else None)
            boxes.append(MatrixBox(x, y, CELL, state, COLOURS[state], marks, source, target))
    size = len(ids) * CELL
    return MatrixPicture(
        width=LABEL_WIDTH + size + 130,
        height=HEADER_HEIGHT + size + 10,
        cell=CELL,
        label_width=LABEL_WIDTH,
        header_height=HEADER_HEIGHT,
        zones=tuple((names[zone_id], index * CELL) for index, zone_id in enumerate(ids)),
        boxes=tuple(boxes),
    )


@dataclass(frozen=True)
class TrendBar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    show_label: bool


@dataclass(frozen=True)
class TrendGap:
    """A day without a run: a hatched slot, never a bar of 0."""

    x: float
    width: float
    label: str


@dataclass(frozen=True)
class TrendPicture:
    width: int
    height: int
    left: int
    bottom: int
    top: int
    maximum: int
    ticks: tuple[tuple[float, str], ...]
    bars: tuple[TrendBar, ...]
    lines: tuple[str, ...]
    """``points`` of one polyline per run of consecutive days with a count (broken at gaps)."""
    gaps: tuple[TrendGap, ...] = ()


MAX_TICKS = 6


def nice_ticks(maximum: int) -> list[int]:
    """0 up to at least ``maximum`` in 1/2/5 × 10ⁿ steps, at most :data:`MAX_TICKS` labels.

    (Ticks at 0, ½ and 1 × the maximum, rounded, read "0, 0, 1" for a maximum of 1.)"""
    if maximum <= 0:
        return [0, 1]
    if maximum <= MAX_TICKS - 1:
        return list(range(maximum + 1))
    magnitude = 10 ** math.floor(math.log10(maximum))
    steps = [magnitude * f for f in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5)]
    step = next(
        int(s) for s in steps if s >= 1 and s == int(s) and math.ceil(maximum / s) < MAX_TICKS
    )
    top = math.ceil(maximum / step) * step
    return list(range(0, top + 1, step))


def tick_label(value: int) -> str:
    return f"{value:,}"


def trend_picture(points: Sequence[TrendPoint]) -> TrendPicture | None:
    if not points:
        return None
    width, height, left, top, bottom = 760, 260, 50, 16, 40
    plot_width = width - left - 10
    plot_height = height - top - bottom
    axis = nice_ticks(max((p.open for p in points if p.open is not None), default=0))
    maximum = axis[-1]  # the top tick: bars are scaled to the axis they are read against
    step = plot_width / len(points)
    bars = []
    gaps = []
    lines: list[str] = []
    coordinates: list[str] = []
    for index, point in enumerate(points):
        if point.open is None:
            gaps.append(
                TrendGap(
                    round(left + index * step + step * 0.15, 1),
                    round(step * 0.7, 1),
                    point.day.strftime("%m/%d"),
                )
            )
            if coordinates:
                lines.append(" ".join(coordinates))
            coordinates = []
            continue
        bar_height = plot_height * point.open / maximum
        x = left + index * step
        y = top + plot_height - bar_height
        bars.append(
            TrendBar(
                x=round(x + step * 0.15, 1),
                y=round(y, 1),
                width=round(step * 0.7, 1),
                height=round(bar_height, 1),
                value=point.open,
                label=point.day.strftime("%m/%d"),
                show_label=index % 5 == 0 or index == len(points) - 1,
            )
        )
        coordinates.append(f"{x + step / 2:.1f},{y:.1f}")
    if coordinates:
        lines.append(" ".join(coordinates))
    ticks = tuple(
        (round(top + plot_height - plot_height * value / maximum, 1), tick_label(value))
        for value in axis
    )
    return TrendPicture(
        width=width,
        height=height,
        left=left,
        bottom=top + plot_height,
        top=top,
        maximum=maximum,
        ticks=ticks,
        bars=tuple(bars),
        lines=tuple(lines),
        gaps=tuple(gaps),
    )
