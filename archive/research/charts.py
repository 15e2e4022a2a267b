"""Charts drawn on the server as SVG: a line chart of years and a heatmap matrix.

No script and no inline style (the site's Content-Security-Policy allows neither): colours and
dash patterns come from CSS classes in research.css; every number is escaped by format_html.
Each chart has a <title> and <desc> for assistive technology and sits beside a table of the
same figures, which is also the keyboard's way to the links (the chart's own links are for
pointers only, so the Tab key does not walk hundreds of points).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# Marker shapes, in line order, so lines differ by more than colour.
MARKERS = ("circle", "square", "triangle", "diamond", "cross")
# Grid lines: with maxima of 1, 2, 2.5 or 5 x 10^n, fifths are round numbers.
TICKS = 5


@dataclass(frozen=True)
class ChartPoint:
    """One point: its year, its value (None: a gap), where it links and what it says."""

    year: int
    value: float | None
    href: str
    title: str


@dataclass(frozen=True)
class ChartLine:
    label: str
    points: Sequence[ChartPoint]


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 x 10^n at or above ``value`` (an axis maximum)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value - 1e-9:
            return candidate
    return 10 ** (exponent + 1)


def _n(value: float) -> str:
    """A coordinate, to a tenth of a pixel."""
    return f"{value:.1f}"


def _marker(shape: str, x: float, y: float) -> str:
    """A line's marker at (x, y): its shape tells the lines apart without colour.

    Plain strings of numbers (nothing to escape): a chart has hundreds of markers, and
    format_html's escaping of each number cost more than drawing the chart.
    """
    if shape == "circle":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4"></circle>'
    if shape == "square":
        return f'<rect x="{_n(x - 4)}" y="{_n(y - 4)}" width="8" height="8"></rect>'
    if shape == "triangle":
        points = [(x, y - 5), (x + 5, y + 4), (x - 5, y + 4)]
    elif shape == "diamond":
        points = [(x, y - 5), (x + 5, y), (x, y + 5), (x - 5, y)]
    else:
        a, b, c, d = _n(x - 4), _n(y - 4), _n(x + 4), _n(y + 4)
        return f'<path class="cross" d="M{a} {b} L{c} {d} M{a} {d} L{c} {b}"></path>'
    d = " ".join(f"{'L' if i else 'M'}{_n(px)} {_n(py)}" for i, (px, py) in enumerate(points))
    return f'<path d="{d} Z"></path>'


@dataclass(frozen=True)
class _Frame:
    width: int = 760
    height: int = 330
    left: int = 64
    right: int = 18
    top: int = 14
    bottom: int = 46

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom


def _axes(frame: _Frame, years: list[int], peak: float, y_label: str, unit: str) -> list:
    """Grid lines, tick labels and axis titles."""
    parts = []
    for i in range(TICKS + 1):
        value = peak * i / TICKS
        y = frame.top + frame.plot_height * (1 - i / TICKS)
        label = f"{value:,.2f}".rstrip("0").rstrip(".") + unit
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
                '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>',
                frame.left,
                frame.width - frame.right,
                _n(y),
                _n(y),
                frame.left - 6,
                _n(y + 4),
                label,
            )
        )
    every = max(1, math.ceil(len(years) / 12))
    last = len(years) - 1
    for index, year in enumerate(years):
        # Every few years, and the last one unless it would crowd the one before it.
        if index % every and (index != last or index % every < every / 2):
            continue
        x = _x(frame, years, index)
        parts.append(
            format_html(
                '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                _n(x),
                frame.top + frame.plot_height + 18,
                year,
            )
        )
    parts.append(
        format_html(
            '<text class="axis-title" x="{}" y="{}" text-anchor="middle">Year</text>'
            '<text class="axis-title" transform="translate(14 {}) rotate(-90)" '
            'text-anchor="middle">{}</text>',
            _n(frame.left + frame.plot_width / 2),
            frame.height - 6,
            _n(frame.top + frame.plot_height / 2),
            y_label,
        )
    )
    return parts


def _x(frame: _Frame, years: list[int], index: int) -> float:
    if len(years) == 1:
        return frame.left + frame.plot_width / 2
    return frame.left + frame.plot_width * index / (len(years) - 1)


def _path(coords: list[tuple[float, float] | None]) -> str:
    """An SVG path through the coordinates, lifted over gaps (None)."""
    commands, pen_down = [], False
    for coord in coords:
        if coord is None:
            pen_down = False
            continue
        commands.append(f"{'L' if pen_down else 'M'}{coord[0]:.1f} {coord[1]:.1f}")
        pen_down = True
    return " ".join(commands)


def line_chart(
    lines: Sequence[ChartLine],
    *,
    years: list[int],
    title: str,
    desc: str,
    y_label: str,
    unit: str = "",
    chart_id: str = "chart",
) -> SafeString:
    """An SVG line chart of values by year: one line per series, markers linking to a page."""
    if not years or not lines:
        return mark_safe("")
    frame = _Frame()
    values = [p.value for line in lines for p in line.points if p.value is not None]
    peak = nice_ceiling(max(values, default=0))
    index_of = {year: i for i, year in enumerate(years)}
    parts = _axes(frame, years, peak, y_label, unit)
    for number, line in enumerate(lines):
        coords: list[tuple[float, float] | None] = [None] * len(years)
        markers = []
        for point in line.points:
            if point.value is None or point.year not in index_of:
                continue
            x = _x(frame, years, index_of[point.year])
            y = frame.top + frame.plot_height * (1 - point.value / peak)
            coords[index_of[point.year]] = (x, y)
            markers.append(
                f'<a href="{escape(point.href)}" tabindex="-1"><title>{escape(point.title)}'
                f"</title>{_marker(MARKERS[number % len(MARKERS)], x, y)}</a>"
            )
        parts.append(
            format_html(
                '<g class="series series-{}"><path class="line" d="{}"></path>{}</g>',
                number,
                _path(coords),
                mark_safe("".join(markers)),
            )
        )
    return _svg(
        "trend-chart",
        (frame.width, frame.height),
        chart_id,
        title,
        desc,
        parts,
        extra=' preserveAspectRatio="xMidYMid meet"',
    )


def _svg(
    css: str, size: tuple[int, int], chart_id: str, title, desc, parts, *, extra: str = ""
) -> SafeString:
    """An accessible SVG: its title and description named by ``aria-labelledby``.
    ``extra``: fixed attributes (never reader input)."""
    width, height = size
    return format_html(
        '<svg class="{}" viewBox="0 0 {} {}"{} role="img" aria-labelledby="{}-title {}-desc">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        css,
        width,
        height,
        mark_safe(extra),
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        desc,
        mark_safe("".join(str(p) for p in parts)),
    )


def legend_marker(number: int) -> SafeString:
    """A small SVG of a line's marker and dash, for the legend and the table's headers."""
    return format_html(
        '<svg class="legend-mark series series-{}" viewBox="0 0 30 12" width="30" height="12" '
        'aria-hidden="true"><path class="line" d="M1 6 L29 6"></path>{}</svg>',
        number,
        mark_safe(_marker(MARKERS[number % len(MARKERS)], 15, 6)),
    )


# --------------------------------------------------------------------------- heatmap


@dataclass(frozen=True)
class HeatCell:
    """One cell of a heatmap: its shade class (h0-h10, or "thin", "none"), text and link."""

    shade: str
    text: str
    href: str = ""
    title: str = ""


def heatmap(
    labels: Sequence[tuple[str, str]],
    cells: dict[tuple[int, int], HeatCell],
    *,
    title: str,
    desc: str,
    chart_id: str = "heatmap",
) -> SafeString:
    """An SVG matrix: ``labels`` are (short code, full name), cells keyed (row, column).

    Built from strings with every text escaped here (a 30-State span has 900 cells:
    format_html's per-argument escaping cost more than the votes' query).
    """
    size, margin = 44, 44
    width = margin + len(labels) * size + 4
    parts = []
    for i, (code, name) in enumerate(labels):
        offset = margin + i * size + size // 2
        code, name = escape(code), escape(name)
        parts.append(
            f'<text class="row-label" x="{margin - 6}" y="{offset + 4}" text-anchor="end">'
            f"<title>{name}</title>{code}</text>"
            f'<text class="col-label" x="{offset}" y="{margin - 8}" text-anchor="middle">'
            f"<title>{name}</title>{code}</text>"
        )
    for (row, column), cell in sorted(cells.items()):
        x, y = margin + column * size, margin + row * size
        shade = escape(cell.shade)
        body = (
            f'<rect class="cell {shade}" x="{x + 1}" y="{y + 1}" width="{size - 2}" '
            f'height="{size - 2}"></rect><text class="cell-text {shade}" x="{x + size // 2}" '
            f'y="{y + size // 2 + 4}" text-anchor="middle">{escape(cell.text)}</text>'
        )
        if cell.title:
            body = f"<title>{escape(cell.title)}</title>{body}"
        if cell.href:
            body = f'<a href="{escape(cell.href)}" tabindex="-1">{body}</a>'
        parts.append(body)
    return _svg(
        "heatmap",
        (width, width),
        chart_id,
        title,
        desc,
        parts,
        extra=f' width="{width}" height="{width}"',
    )
