"""Server-side SVG charts shared by pages and PDFs (DESIGN.md): no JavaScript, readable without colour, and each
chart carries a text alternative and a data table for screen readers."""

from __future__ import annotations

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


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float]


def bar_chart(categories: list[str], series: list[Series], *, title: str, stacked: bool = True,
              value_suffix: str = "", max_value: float | None = None,
              format_value: Callable[[float], str] | None = None) -> SafeString:
    """Horizontal bars, one row per category: stacked segments (one per series) or grouped bars side by side.
    Values below zero are drawn as zero; each row ends with its total (stacked) or each bar with its value, written
    by ``format_value`` (default: up to one decimal place, then ``value_suffix``)."""
    label_w, legend_h, row_h, gap = 170, 28, 26, 10
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
                     f'fill="{TEXT}">{escape(category)}</text>')
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
