"""Server-side SVG charts shared by pages and PDFs (DESIGN.md): no JavaScript, readable without colour, and each
chart carries a text alternative and a data table for screen readers."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40
BLUE = "#1d70b8"
GREY = "#b1b4b6"
TEXT = "#0b0c0c"


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None  # None: no data for this point (drawn as a gap)


def line_chart(points: list[Point], *, title: str, y_max: float = 100.0, y_suffix: str = "%",
               reference: float | None = None, reference_label: str = "") -> SafeString:
    """A line chart of values from 0 to y_max with an optional dashed reference line (e.g. the 90% PA boundary)."""
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(points) - 1, 1)

    def y(value: float) -> float:
        return TOP + inner_h - (max(0.0, min(value, y_max)) / y_max) * inner_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(title)}" class="app-chart" width="100%" preserveAspectRatio="xMinYMin meet">',
             f"<title>{escape(title)}</title>"]
    for tick in range(0, 101, 25):
        value = y_max * tick / 100
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                     f'stroke="{GREY}" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" font-size="12" text-anchor="end" '
                     f'fill="{TEXT}">{value:g}{escape(y_suffix)}</text>')
    if reference is not None:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(reference):.1f}" y2="{y(reference):.1f}" '
                     f'stroke="{TEXT}" stroke-dasharray="6 4" stroke-width="1.5"/>')
        parts.append(f'<text x="{WIDTH - RIGHT}" y="{y(reference) - 4:.1f}" font-size="12" text-anchor="end" '
                     f'fill="{TEXT}">{escape(reference_label)}</text>')
    segment: list[str] = []
    segments: list[list[str]] = []
    for index, point in enumerate(points):
        if point.value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{LEFT + index * step:.1f},{y(point.value):.1f}")
    if segment:
        segments.append(segment)
    for line in segments:
        parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="{BLUE}" stroke-width="3"/>')
        for xy in line:
            x, yy = xy.split(",")
            parts.append(f'<circle cx="{x}" cy="{yy}" r="3.5" fill="{BLUE}"/>')
    label_every = max(1, len(points) // 8)
    for index, point in enumerate(points):
        if index % label_every == 0:
            parts.append(f'<text x="{LEFT + index * step:.1f}" y="{HEIGHT - BOTTOM + 18}" font-size="12" '
                         f'text-anchor="middle" fill="{TEXT}">{escape(point.label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated string above is escaped


# Bar colours with different lightness so adjacent segments stay distinguishable without colour; every chart also
# has a legend and its page a data table.
FONT = "GDS Transport, arial, sans-serif"
SERIES_COLOURS = ["#1d70b8", "#f47738", "#505a5f", "#85994b", "#912b88", "#b1b4b6"]
CHAR_WIDTH = 6.6  # average width of a character at the charts' 12-unit sans-serif font


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float]


def bar_chart(categories: list[str], series: list[Series], *, title: str, stacked: bool = True,
              value_suffix: str = "", max_value: float | None = None,
              format_value: Callable[[float], str] | None = None, label_width: int = 170) -> SafeString:
    """Horizontal bars, one row per category: stacked segments (one per series) or grouped bars side by side.
    Values below zero are drawn as zero; each row ends with its total (stacked) or each bar with its value, written
    by ``format_value`` (default: up to one decimal place, then ``value_suffix``). ``label_width`` is the room
    for the category names (see :func:`label_room`)."""
    label_w, legend_h, row_h, gap = label_width, 28, 26, 10
    per_row = row_h if stacked else max(row_h, 14 * len(series))
    height = TOP + legend_h + len(categories) * (per_row + gap) + BOTTOM // 2
    inner_w = WIDTH - label_w - RIGHT - 56
    rows = [[max(0.0, float(s.values[i])) if i < len(s.values) and s.values[i] is not None else 0.0 for s in series]
            for i in range(len(categories))]
    top = max_value or max([sum(r) if stacked else max(r, default=0.0) for r in rows] or [0.0]) or 1.0

    def width(value: float) -> float:
        return inner_w * min(value, top) / top

    def number(value: float) -> str:
        if format_value is not None:
            return format_value(value)
        return f"{value:,.1f}".rstrip("0").rstrip(".") + value_suffix

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="{escape(title)}" class="app-chart" width="100%" preserveAspectRatio="xMinYMin meet" '
             f'font-family="{FONT}">',
             f"<title>{escape(title)}</title>"]
    x = label_w
    for index, item in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        parts.append(f'<rect x="{x}" y="{TOP}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="{TOP + 11}" font-size="12" fill="{TEXT}">{escape(item.label)}</text>')
        x += 28 + 7 * len(item.label)
    y = TOP + legend_h
    for category, values in zip(categories, rows, strict=True):
        parts.append(f'<text x="{label_w - 8}" y="{y + per_row / 2 + 4:.1f}" font-size="12" text-anchor="end" '
                     f'fill="{TEXT}">{escape(fit_label(category, label_w - 12))}</text>')
        if stacked:
            left = float(label_w)
            for index, value in enumerate(values):
                if value > 0:
                    parts.append(f'<rect x="{left:.1f}" y="{y}" width="{width(value):.1f}" height="{row_h}" '
                                 f'fill="{SERIES_COLOURS[index % len(SERIES_COLOURS)]}" stroke="#ffffff" '
                                 f'stroke-width="1"/>')
                    left += width(value)
            parts.append(f'<text x="{left + 6:.1f}" y="{y + row_h / 2 + 4:.1f}" font-size="12" '
                         f'fill="{TEXT}">{escape(number(sum(values)))}</text>')
        else:
            bar_h = per_row / max(len(series), 1)
            for index, value in enumerate(values):
                top_y = y + index * bar_h
                parts.append(f'<rect x="{label_w}" y="{top_y:.1f}" width="{width(value):.1f}" '
                             f'height="{bar_h - 2:.1f}" fill="{SERIES_COLOURS[index % len(SERIES_COLOURS)]}"/>')
                parts.append(f'<text x="{label_w + width(value) + 6:.1f}" y="{top_y + bar_h / 2 + 3:.1f}" '
                             f'font-size="11" fill="{TEXT}">{escape(number(value))}</text>')
        y += per_row + gap
    parts.append(f'<line x1="{label_w}" x2="{label_w}" y1="{TOP + legend_h - 4}" y2="{y - gap + 4}" '
                 f'stroke="{TEXT}" stroke-width="1"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated string above is escaped


def fit_label(label: str, room: float) -> str:
    """The label, cut with an ellipsis when it would run past the chart's left edge (the table beside every chart
    has it in full)."""
    most = max(4, int(room / CHAR_WIDTH))
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def label_room(labels: list[str], *, most: int = 300) -> int:
    """Room (in chart units) for the longest of these labels at the charts' 12-unit font, within ``most``, so long
    names (schools, providers, services) are not cut off at the chart's left edge."""
    longest = max((len(label) for label in labels), default=0)
    return max(80, min(most, int(longest * CHAR_WIDTH) + 16))


# Line styles that stay apart in black and white (a printed committee paper): solid, dashed, dotted.
LINE_DASHES = ["", "8 5", "2 4", "12 4 2 4"]


def lines_chart(labels: list[str], series: list[Series], *, title: str, y_max: float | None = None,
                y_suffix: str = "%", reference: float | None = None, reference_label: str = "") -> SafeString:
    """Several series over the same x labels (e.g. this year's weekly absence against last year's), each with its
    own line style and marker and a legend, so the lines are told apart without colour. ``None`` values are gaps;
    ``y_max`` defaults to the largest value rounded up to a tidy step."""
    values = [v for s in series for v in s.values if v is not None]
    top = y_max or _tidy_max(max(values + [reference or 0.0], default=0.0))
    legend_h = 22
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM - legend_h
    base = TOP + legend_h
    step = inner_w / max(len(labels) - 1, 1)

    def y(value: float) -> float:
        return base + inner_h - (max(0.0, min(value, top)) / top) * inner_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(title)}" class="app-chart" width="100%" preserveAspectRatio="xMinYMin meet" '
             f'font-family="{FONT}">',
             f"<title>{escape(title)}</title>"]
    x = LEFT
    for index, item in enumerate(series):
        colour, dash = SERIES_COLOURS[index % len(SERIES_COLOURS)], LINE_DASHES[index % len(LINE_DASHES)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{x}" x2="{x + 28}" y1="{TOP + 6}" y2="{TOP + 6}" stroke="{colour}" stroke-width="3"'
                     f'{dashed}/>')
        parts.append(_marker(index, x + 14, TOP + 6, colour))
        parts.append(f'<text x="{x + 34}" y="{TOP + 10}" font-size="12" fill="{TEXT}">{escape(item.label)}</text>')
        x += 48 + 7 * len(item.label)
    for tick in range(0, 101, 25):
        value = top * tick / 100
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                     f'stroke="{GREY}" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" font-size="12" text-anchor="end" '
                     f'fill="{TEXT}">{value:g}{escape(y_suffix)}</text>')
    if reference is not None:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(reference):.1f}" y2="{y(reference):.1f}" '
                     f'stroke="{TEXT}" stroke-dasharray="6 4" stroke-width="1.5"/>')
        parts.append(f'<text x="{WIDTH - RIGHT}" y="{y(reference) - 4:.1f}" font-size="12" text-anchor="end" '
                     f'fill="{TEXT}">{escape(reference_label)}</text>')
    for index, item in enumerate(series):
        colour, dash = SERIES_COLOURS[index % len(SERIES_COLOURS)], LINE_DASHES[index % len(LINE_DASHES)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        segment: list[tuple[float, float]] = []
        for position, value in enumerate(item.values[:len(labels)] if item.values else []):
            if value is None:
                parts.extend(_polyline(segment, colour, dashed))
                segment = []
                continue
            segment.append((LEFT + position * step, y(value)))
        parts.extend(_polyline(segment, colour, dashed))
        for position, value in enumerate(item.values[:len(labels)]):
            if value is not None:
                parts.append(_marker(index, LEFT + position * step, y(value), colour))
    label_every = max(1, (len(labels) + 7) // 8)
    for index, label in enumerate(labels):
        if index % label_every == 0:
            # The first and last labels sit inside the chart rather than centred on an edge.
            anchor = "start" if index == 0 else "end" if index == len(labels) - 1 else "middle"
            parts.append(f'<text x="{LEFT + index * step:.1f}" y="{HEIGHT - BOTTOM + 18}" font-size="12" '
                         f'text-anchor="{anchor}" fill="{TEXT}">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated string above is escaped


def _polyline(points: list[tuple[float, float]], colour: str, dashed: str) -> list[str]:
    if len(points) < 2:
        return []
    xy = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return [f'<polyline points="{xy}" fill="none" stroke="{colour}" stroke-width="3"{dashed}/>']


def _marker(index: int, x: float, y: float, colour: str) -> str:
    """Circle, square, triangle, diamond: a second way to tell series apart."""
    shape = index % 4
    if shape == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if shape == 1:
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == 2:
        return f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}" ' \
               f'fill="{colour}"/>'
    return f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}" ' \
           f'fill="{colour}"/>'


def _tidy_max(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^n at or above ``value`` (10 when there is nothing to draw)."""
    if value <= 0:
        return 10.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns
