"""Page geometry: running header and footer bands, columns and paragraphs, by measurement.

Nothing here is tuned to one year's page: the bands are found per document from the lines that
repeat across pages at the same height or read as running matter (symbols, dates, page and job
numbers, the 1990s "Security Council / 3977th meeting" lines), the columns per page from where
long lines of text start and end (one column in 2021-2026, two before), and paragraphs from
vertical gaps and indents measured on the page itself. The input is plain data (``PageContent``,
filled by ``pdf.py``); the output is ``lines.Line`` in reading order, every printed line kept.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass, field

from .lines import BODY, FOOTER, HEADER, Line
from .running import is_running_part, signature
from .states import fold

LINE_TOLERANCE = 2.5  # baselines closer than this are one line
PARAGRAPH_GAP = 1.3  # a vertical gap of more than 1.3 normal line spacings ends a paragraph
INDENT = 8.0  # a line starting this far right of the previous one (or the margin) opens one
WIDE_GAP = 30.0  # parts of a line further apart than this are separate fields
BAND_ROWS = 3  # at most this many running lines at the top, and at the foot, of a page
BAND_ZONE = 0.2  # running lines lie within this share of the page height from its edge


@dataclass
class Run:
    """Text on one baseline with no wide gap: a line of a column, or one part of a header."""

    x0: float
    x1: float
    y: float
    text: str
    italic: bool = False
    bold: bool = False


@dataclass
class PageContent:
    """What the PDF layer read from one page."""

    number: int
    width: float
    height: float
    runs: list[Run] = field(default_factory=list)
    image_cover: float = 0.0  # share of the page covered by images
    hidden_text: bool = False  # text drawn invisibly over an image (an OCR layer)

    @property
    def char_count(self) -> int:
        return sum(len(run.text) - run.text.count(" ") for run in self.runs)


@dataclass
class _Row:
    y: float
    runs: list[Run]

    @property
    def text(self) -> str:
        # Parts far apart (a State and its representative on a cover without leaders) keep a
        # tab between them; Line.flat reads it as a space.
        out = ""
        for previous, run in zip([None, *self.runs], self.runs, strict=False):
            if previous is not None:
                out += "\t" if run.x0 - previous.x1 > WIDE_GAP else " "
            out += " ".join(run.text.split())
        return out

    @property
    def x0(self) -> float:
        return self.runs[0].x0


def rows(runs: list[Run]) -> list[_Row]:
    """Runs that share a baseline, across the whole page, top to bottom."""
    out: list[_Row] = []
    for run in sorted(runs, key=lambda r: (-r.y, r.x0)):
        if out and abs(out[-1].y - run.y) <= LINE_TOLERANCE:
            out[-1].runs.append(run)
        else:
            out.append(_Row(run.y, [run]))
    for row in out:
        row.runs.sort(key=lambda r: r.x0)
    return out


def layout(pages: list[PageContent]) -> list[Line]:
    """Every line of every page in reading order, running matter marked as such."""
    page_rows = [rows(page.runs) for page in pages]
    cover_text = fold(" ".join(row.text for row in page_rows[0])) if page_rows else ""
    bands = _running_bands(pages, page_rows, cover_text)
    bodies = [
        [row for i, row in enumerate(page_rows[p]) if i not in bands[p][0] | bands[p][1]]
        for p in range(len(pages))
    ]
    gutters = [_gutter(body, page.width) for body, page in zip(bodies, pages, strict=True)]
    margins = _document_margins(bodies, gutters)
    out: list[Line] = []
    for p, page in enumerate(pages):
        header, footer = bands[p]
        for i in sorted(header):
            out.append(_line(page.number, page_rows[p][i], HEADER))
        out.extend(_body_lines(page, bodies[p], gutters[p], margins, cover=p == 0))
        for i in sorted(footer):
            out.append(_line(page.number, page_rows[p][i], FOOTER))
    return out


def _line(page: int, row: _Row, role: str, new_paragraph: bool = False) -> Line:
    italic = all(run.italic for run in row.runs)
    bold = all(run.bold for run in row.runs)
    return Line(page, row.text, role, new_paragraph, italic, bold)


# ---------------------------------------------------------------------------------------------
# Running header and footer bands


def _running_bands(
    pages: list[PageContent], page_rows: list[list[_Row]], cover_text: str
) -> list[tuple[set[int], set[int]]]:
    """For each page, the indexes of its header rows and of its footer rows."""
    seen: Counter[str] = Counter()
    for p, page_row in enumerate(page_rows):
        for row in {id(r): r for r in page_row[:BAND_ROWS] + page_row[-BAND_ROWS:]}.values():
            seen[_row_signature(row)] += 1 if p else 0
    body_pages = max(0, len(pages) - 1)
    repeats = 2 if body_pages <= 3 else 3  # the row itself plus one or two other pages

    def running(row: _Row, page: PageContent, *, cover: bool) -> bool:
        parts = [run.text for run in row.runs]
        patterned = [is_running_part(part) for part in parts]
        if all(patterned):
            return True
        if cover:
            return False
        if seen[_row_signature(row)] >= repeats and len(row.text) < 200:
            return True
        # A header naming the agenda item between the symbol and the date, on a record with
        # too few pages for repetition to tell.
        return (
            len(parts) >= 2
            and any(patterned)
            and all(
                ok or fold(part) in cover_text for ok, part in zip(patterned, parts, strict=True)
            )
        )

    bands = []
    for p, (page, page_row) in enumerate(zip(pages, page_rows, strict=True)):
        header: set[int] = set()
        footer: set[int] = set()
        if p:  # the cover's masthead is the cover's, not a running header
            for i, row in enumerate(page_row[:BAND_ROWS]):
                if row.y < page.height * (1 - BAND_ZONE) or not running(row, page, cover=False):
                    break
                header.add(i)
        for i in range(len(page_row) - 1, max(len(page_row) - 1 - BAND_ROWS, -1), -1):
            row = page_row[i]
            if i in header or row.y > page.height * BAND_ZONE:
                break
            if not running(row, page, cover=p == 0):
                break
            footer.add(i)
        bands.append((header, footer))
    return bands


def _row_signature(row: _Row) -> str:
    # Sorted parts: even and odd pages print the same header with its parts swapped.
    return "|".join(sorted(signature(run.text) for run in row.runs))


# ---------------------------------------------------------------------------------------------
# Columns


@dataclass
class _Gutter:
    left: float  # where the left column's lines end
    right: float  # where the right column's lines start

    @property
    def middle(self) -> float:
        return (self.left + self.right) / 2


def _gutter(body: list[_Row], width: float) -> _Gutter | None:
    """The gap between two columns of long lines, or None for a single column."""
    runs = [r for row in body for r in row.runs]
    long_runs = [r for r in runs if r.x1 - r.x0 >= 0.25 * width]
    if len(long_runs) < 6:
        return None
    lo, hi = 0.3 * width, 0.7 * width
    crossing = _crossings(long_runs, lo, hi)
    first, last = _widest_least(crossing, range(len(crossing)))
    x = lo + (first + last) // 2 * _STEP
    left = [r for r in long_runs if r.x1 <= x]
    right = [r for r in long_runs if r.x0 >= x]
    # Full-width lines (a masthead, a notice, a wide table) may cross the gutter; a single
    # column is mostly lines that do.
    if (
        len(left) < 3
        or len(right) < 3
        or crossing[(first + last) // 2] > max(1, len(long_runs) // 4)
    ):
        return None
    # Within that gap, short lines count too: a heading ("Against:") may start at the right
    # column's margin, left of where its long lines start (indented vote lists).
    every = _crossings(runs, lo, hi)
    first, last = _widest_least(every, range(first, last + 1))
    x = lo + (first + last) // 2 * _STEP
    left_end = max((r.x1 for r in runs if r.x1 <= x), default=x)
    right_start = min((r.x0 for r in runs if r.x0 >= x), default=x)
    return _Gutter(left_end, right_start)


_STEP = 2.0


def _crossings(runs: list[Run], lo: float, hi: float) -> list[int]:
    """How many runs occupy each position between ``lo`` and ``hi`` (in steps of _STEP)."""
    bins = int((hi - lo) / _STEP) + 1
    crossing = [0] * bins
    for run in runs:
        # A run occupies its extent and a little either side: the gutter is clear space.
        first = max(0, math.ceil((run.x0 - 2 - lo) / _STEP))
        last = min(bins - 1, math.floor((run.x1 + 2 - lo) / _STEP))
        for b in range(first, last + 1):
            crossing[b] += 1
    return crossing


def _widest_least(crossing: list[int], positions: range) -> tuple[int, int]:
    """The widest stretch of ``positions`` where ``crossing`` is least."""
    fewest = min(crossing[b] for b in positions)
    stretches: list[tuple[int, int]] = []
    for b in positions:
        if crossing[b] == fewest:
            if stretches and stretches[-1][1] == b - 1:
                stretches[-1] = (stretches[-1][0], b)
            else:
                stretches.append((b, b))
    return max(stretches, key=lambda s: s[1] - s[0])


def _document_margins(bodies: list[list[_Row]], gutters: list[_Gutter | None]) -> dict:
    """The usual left margin of each column kind, measured over the document's pages."""
    found: dict[str, list[float]] = {"single": [], "left": [], "right": []}
    for body, gutter in zip(bodies, gutters, strict=True):
        if not body:
            continue
        if gutter is None:
            found["single"].append(min(row.x0 for row in body))
            continue
        for side, runs in _sides(body, gutter).items():
            if runs:
                found[side].append(min(r.x0 for r in runs))
    return {k: statistics.median(v) for k, v in found.items() if v}


def _sides(body: list[_Row], gutter: _Gutter) -> dict[str, list[Run]]:
    runs = [r for row in body for r in row.runs]
    return {
        "left": [r for r in runs if r.x1 <= gutter.middle],
        "right": [r for r in runs if r.x0 >= gutter.middle],
    }


def _body_lines(
    page: PageContent, body: list[_Row], gutter: _Gutter | None, margins: dict, *, cover: bool
) -> list[Line]:
    """The body's lines in reading order: full-width lines in place, columns one after another
    between them."""
    if gutter is None:
        return _column(page.number, body, margins.get("single"))
    region_top, region_bottom = _column_region(body, gutter, page.width) if cover else (None, None)
    segments: list[tuple[str, list[_Row]]] = []  # ("full", [row]) or ("columns", rows)
    left_rows: list[_Row] = []
    right_rows: list[_Row] = []

    def flush() -> None:
        if left_rows or right_rows:
            segments.append(("left", list(left_rows)))
            segments.append(("right", list(right_rows)))
            left_rows.clear()
            right_rows.clear()

    for row in body:
        crosses = any(r.x0 < gutter.middle < r.x1 for r in row.runs)
        outside = region_top is not None and not region_bottom <= row.y <= region_top
        if crosses or outside:
            flush()
            segments.append(("full", [row]))
            continue
        left = [r for r in row.runs if r.x1 <= gutter.middle]
        right = [r for r in row.runs if r.x0 >= gutter.middle]
        if left:
            left_rows.append(_Row(row.y, left))
        if right:
            right_rows.append(_Row(row.y, right))
    flush()
    out: list[Line] = []
    after_full = False
    for kind, seg in segments:
        if kind == "full":
            out.append(_line(page.number, seg[0], BODY, new_paragraph=True))
        else:
            column = _column(page.number, seg, margins.get(kind))
            if column and kind == "left" and after_full:
                column[0].new_paragraph = True  # a full-width line ends the paragraph above
            out.extend(column)
        after_full = kind == "full"
    return out


def _column_region(body: list[_Row], gutter: _Gutter, width: float) -> tuple[float, float]:
    """On a cover page whose body starts in two columns below a masthead (the 1993-2010 style),
    the heights between which lines belong to the columns: from the higher of the columns' first
    long lines down to the lower of their last ones; above is the masthead, below the notice."""
    tops, bottoms = [], []
    for side in _sides(body, gutter).values():
        long_runs = [r.y for r in side if r.x1 - r.x0 >= 0.25 * width]
        if long_runs:
            tops.append(max(long_runs))
            bottoms.append(min(long_runs))
    if not tops:
        return float("inf"), float("-inf")
    return max(tops) + LINE_TOLERANCE, min(bottoms) - LINE_TOLERANCE


def _column(page: int, column_rows: list[_Row], usual_margin: float | None) -> list[Line]:
    """One column's lines with paragraph starts from gaps and indents."""
    if not column_rows:
        return []
    margin = min(row.x0 for row in column_rows)
    if usual_margin is not None:
        margin = min(margin, usual_margin)
    spacing = _line_spacing(column_rows)
    out: list[Line] = []
    previous: _Row | None = None
    for row in column_rows:
        if previous is None:
            # At the top of a column only the indent tells a new paragraph from a continuation.
            new = row.x0 - margin > INDENT
        else:
            new = previous.y - row.y > spacing * PARAGRAPH_GAP or row.x0 - previous.x0 > INDENT
        out.append(_line(page, row, BODY, new_paragraph=new))
        previous = row
    return out


def _line_spacing(column_rows: list[_Row]) -> float:
    gaps = sorted(
        round(a.y - b.y, 1)
        for a, b in zip(column_rows, column_rows[1:], strict=False)
        if 5 < a.y - b.y < 30
    )
    return gaps[len(gaps) // 4] if gaps else 12.0
