"""PDF text extraction for verbatim records: the only module that touches the PDF library.

We use pypdfium2 (PDFium; Apache-2.0/BSD wheels with the binary inside) because it gives every
character with its baseline origin at C speed; the layout logic below rebuilds lines, columns and
paragraphs from those positions, which is what keeps vote lists and running headers in place.

The output is the *text form* of a record that `transcript.parse_text` reads:
pages separated by form feeds (``\\f``), paragraphs separated by a blank line, lines by ``\\n``.
A page or column that continues the previous paragraph starts without a blank line.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .errors import DamagedPdf, EncryptedPdf, ScannedPdf

# PDFium is not thread-safe; a web worker with threads must not enter it twice at once.
_PDFIUM_LOCK = threading.Lock()

# Geometry of UN verbatim records (US letter, 612 x 792 pt), in points from the bottom.
HEADER_MARGIN = 80.0  # running header baseline is ~728, first body line ~698
FOOTER_MARGIN = 80.0  # footer baseline is ~66, last body line ~98
LINE_TOLERANCE = 2.5  # baselines closer than this belong to one line
RUN_GAP = 15.0  # a horizontal jump larger than this starts a new run (column gutter, header parts)
PARAGRAPH_GAP = 1.3  # a vertical gap of more than 1.3 normal line spacings ends a paragraph
INDENT = 8.0  # a line starting this far right of the column's margin opens a paragraph

_LINE_BREAKS = {10, 13}
_SPACE_LIKE = {0x20, 0xA0, 0x2002, 0x2003, 0x2009}
# PDFium reports a soft hyphen at a line end as U+0002 (or U+00AD); keep it visible as "-"
# so that the transcript layer can decide whether to rejoin the word.
_SOFT_HYPHENS = {0x02, 0xAD}


@dataclass
class _Run:
    x0: float
    x1: float
    y: float
    text: str


@dataclass
class _Line:
    x0: float
    y: float
    text: str


def pdf_to_text(data: bytes) -> tuple[str, int]:
    """Return the text form of a PDF verbatim record and its page count."""
    _check_complete(data)
    with _PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
                raise EncryptedPdf() from exc
            raise DamagedPdf() from exc
        try:
            pages = []
            for index in range(len(document)):
                try:
                    page = document[index]
                    width = page.get_width()
                    height = page.get_height()
                    textpage = page.get_textpage()
                    runs = _page_runs(textpage)
                except pdfium.PdfiumError as exc:
                    raise DamagedPdf() from exc
                pages.append(_layout_page(runs, width, height, cover=index == 0))
            page_count = len(document)
        finally:
            document.close()
    text = "\f".join(pages)
    if page_count and sum(not c.isspace() for c in text) < 40 * page_count:
        raise ScannedPdf()
    return text, page_count


def _check_complete(data: bytes) -> None:
    # Linearized PDFs (all UN records are) open even when cut short, because the first-page
    # cross-reference is at the front; a missing end-of-file marker betrays the truncation.
    if b"%%EOF" not in data[-8192:]:
        raise DamagedPdf()


def _page_runs(textpage: pdfium.PdfTextPage) -> list[_Run]:
    """Split the page's characters into runs of text on one baseline without big gaps."""
    x = ctypes.c_double()
    y = ctypes.c_double()
    left = ctypes.c_double()
    right = ctypes.c_double()
    bottom = ctypes.c_double()
    top = ctypes.c_double()
    runs: list[_Run] = []
    chars: list[str] = []
    run_x0 = run_x1 = run_y = 0.0

    def close() -> None:
        text = "".join(chars).strip()
        if text:
            runs.append(_Run(run_x0, run_x1, run_y, text))
        chars.clear()

    handle = textpage.raw
    for i in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(handle, i)
        if code in _LINE_BREAKS:
            close()
            continue
        if code in _SOFT_HYPHENS:
            code = 0x2D
        if code in _SPACE_LIKE or code == 0:
            if chars:
                chars.append(" ")
            continue
        pdfium_c.FPDFText_GetCharOrigin(handle, i, x, y)
        pdfium_c.FPDFText_GetCharBox(handle, i, left, right, bottom, top)
        if chars and (
            abs(y.value - run_y) > LINE_TOLERANCE
            or x.value < run_x1 - 2.0
            or x.value - run_x1 > RUN_GAP
        ):
            close()
        if not chars:
            run_x0, run_y = x.value, y.value
        chars.append(chr(code))
        run_x1 = max(right.value, x.value)
    close()
    return runs


def _group_lines(runs: list[_Run]) -> list[_Line]:
    """Merge runs that share a baseline into lines, top to bottom."""
    runs = sorted(runs, key=lambda r: (-r.y, r.x0))
    groups: list[list[_Run]] = []
    for run in runs:
        if groups and abs(groups[-1][0].y - run.y) <= LINE_TOLERANCE:
            groups[-1].append(run)
        else:
            groups.append([run])
    lines = []
    for group in groups:
        group.sort(key=lambda r: r.x0)
        text = " ".join(r.text for r in group)
        lines.append(_Line(group[0].x0, group[0].y, " ".join(text.split())))
    return lines


def _paragraphs(lines: list[_Line], margin: float, spacing: float) -> list[tuple[bool, list[str]]]:
    """Split one column's lines into (continues previous paragraph?, lines) by gaps and indents."""
    paragraphs: list[tuple[bool, list[str]]] = []
    previous: _Line | None = None
    for line in lines:
        if previous is None:
            # At the top of a column only the indent tells a new paragraph from a continuation.
            paragraphs.append((line.x0 - margin <= INDENT, [line.text]))
        elif previous.y - line.y > spacing * PARAGRAPH_GAP:
            paragraphs.append((False, [line.text]))
        else:
            paragraphs[-1][1].append(line.text)
        previous = line
    return paragraphs


def _line_spacing(lines: list[_Line]) -> float:
    gaps = sorted(
        round(a.y - b.y, 1) for a, b in zip(lines, lines[1:], strict=False) if 5 < a.y - b.y < 30
    )
    return gaps[len(gaps) // 4] if gaps else 12.0


def _layout_page(runs: list[_Run], width: float, height: float, *, cover: bool) -> str:
    """Lay out one page's runs as text: columns in reading order, paragraphs by blank lines."""
    if cover:
        # The cover is one wide column (members joined to their representatives by leaders)
        # and keeps its masthead, which carries the symbol.
        columns = [runs]
    else:
        body = [r for r in runs if FOOTER_MARGIN < r.y < height - HEADER_MARGIN]
        middle = width / 2
        columns = [[r for r in body if r.x0 < middle], [r for r in body if r.x0 >= middle]]
    out = ""
    for column in columns:
        lines = _group_lines(column)
        if not lines:
            continue
        margin = min(line.x0 for line in lines)
        for continues, paragraph in _paragraphs(lines, margin, _line_spacing(lines)):
            # A blank line (or a page that starts with one) marks a new paragraph.
            out += "\n" if continues and out else "" if continues else "\n\n" if out else "\n"
            out += "\n".join(paragraph)
    return out
