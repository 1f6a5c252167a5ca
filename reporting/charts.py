"""Server-side SVG charts shared by pages and PDFs (DESIGN.md): no JavaScript, readable without colour, and each
chart carries a text alternative and a data table for screen readers."""

from __future__ import annotations

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
