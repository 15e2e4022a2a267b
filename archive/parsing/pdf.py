"""Reading a PDF: the only module that touches the PDF library.

We use pypdfium2 (PDFium; Apache-2.0/BSD wheels with the binary inside) because it gives every
character with its position at C speed. This module turns each page into plain data
(``geometry.PageContent``: runs of text with their baseline and extent, whether they are italic,
how much of the page images cover and whether text is drawn invisibly over them, as an OCR
layer is); everything after that (bands, columns, paragraphs, the grammar) is pure Python.

``pdf_to_text`` renders the *text form* of a record (pages separated by form feeds, paragraphs
by blank lines, running headers and footers left out), the form ``transcript.parse_text`` reads.
"""

from __future__ import annotations

import ctypes
import re
import threading

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .errors import DamagedPdf, EncryptedPdf
from .geometry import PageContent, Run, layout
from .lines import BODY

# PDFium is not thread-safe; a web worker with threads must not enter it twice at once.
_PDFIUM_LOCK = threading.Lock()

RUN_GAP = 15.0  # a horizontal jump larger than this starts a new run (column gutter, header parts)
LINE_TOLERANCE = 2.5

# PDFium reports a soft hyphen at a line end as U+0002 (or U+00AD, U+FFFE); it is kept visible
# as "-" so that the lines layer can decide whether to rejoin the word.


def read_pdf(data: bytes) -> list[PageContent]:
    """Every page of a PDF as plain data; DamagedPdf or EncryptedPdf if it cannot be read."""
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
                    pages.append(_read_page(document, index))
                except pdfium.PdfiumError as exc:
                    raise DamagedPdf() from exc
        finally:
            document.close()
    return pages


def pdf_to_text(data: bytes) -> tuple[str, int]:
    """Return the text form of a PDF verbatim record and its page count."""
    pages = read_pdf(data)
    chunks: list[list[str]] = [[] for _ in pages]
    for line in layout(pages):
        if line.role != BODY:
            continue
        chunk = chunks[line.page - 1]
        if line.new_paragraph:
            chunk.append("")
        chunk.append(line.flat)
    text = "\f".join("\n".join(chunk) for chunk in chunks)
    return text, len(pages)


_STREAM = re.compile(rb"stream\r?\n.*?endstream", re.S)
_BRACKET = re.compile(rb"<<|>>|\[|\]")


def nesting_depth(data: bytes, *, limit: int = 5_000_000) -> int:
    """How deeply the PDF's objects nest arrays and dictionaries (streams left out), read over
    at most ``limit`` bytes: a record needs a handful of levels; a file built to break readers
    may have thousands."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STREAM.sub(b"", data[:limit])):
        if match.group(0) in (b"<<", b"["):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest


def _check_complete(data: bytes) -> None:
    # Linearized PDFs (all UN records are) open even when cut short, because the first-page
    # cross-reference is at the front; a missing end-of-file marker betrays the truncation.
    if b"%%EOF" not in data[-8192:]:
        raise DamagedPdf()


def _read_page(document: pdfium.PdfDocument, index: int) -> PageContent:
    page = document[index]
    try:
        width, height = page.get_width(), page.get_height()
        textpage = page.get_textpage()
        try:
            runs = _page_runs(textpage)
        finally:
            textpage.close()
        image_cover, hidden = _images_and_hidden_text(page, width * height)
    finally:
        page.close()
    return PageContent(index + 1, width, height, runs, image_cover, hidden)


def _page_runs(textpage: pdfium.PdfTextPage) -> list[Run]:
    """Split the page's characters into runs: text on one baseline without a wide gap.

    The text comes in one call; positions are asked for only where a run may end (at spaces
    and line breaks), which keeps a 65-page record well under a second.
    """
    handle = textpage.raw
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count else ""
    if len(text) != count:  # characters outside the BMP: fall back to asking one by one
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(handle, i) or 32) for i in range(count))
    x, y = ctypes.c_double(), ctypes.c_double()
    left, right = ctypes.c_double(), ctypes.c_double()
    bottom, top = ctypes.c_double(), ctypes.c_double()

    def origin(i: int) -> tuple[float, float]:
        pdfium_c.FPDFText_GetCharOrigin(handle, i, x, y)
        return x.value, y.value

    def right_edge(i: int) -> float:
        pdfium_c.FPDFText_GetCharBox(handle, i, left, right, bottom, top)
        return right.value if right.value > left.value else origin(i)[0]

    runs: list[Run] = []
    chars: list[str] = []
    start = last = -1
    run_x0 = run_y = 0.0

    def close() -> None:
        body = "".join(chars).strip()
        if body:
            runs.append(Run(run_x0, right_edge(last), run_y, body, *_style(handle, start)))
        chars.clear()

    # Words, not characters, are walked: a word cannot break a run except at a line-end
    # hyphen, which PDFium gives inside the word with no line break.
    previous_end = 0
    for word in _WORD.finditer(text):
        between = text[previous_end : word.start()]
        previous_end = word.end()
        if start >= 0 and ("\r" in between or "\n" in between):
            close()
            start = -1
        joiner = " " if between else ""
        offset = word.start()
        for piece in _SOFT_HYPHEN.split(word.group(0)):
            if start >= 0 and (joiner or offset > word.start()):
                cx, cy = origin(offset)
                if (
                    abs(cy - run_y) > LINE_TOLERANCE
                    or cx - right_edge(last) > RUN_GAP
                    or cx < run_x0
                ):
                    close()
                    start = -1
                else:
                    chars.append(joiner)
            if start < 0:
                start = offset
                run_x0, run_y = origin(offset)
            chars.append(piece)
            last = offset + len(piece) - 1
            offset += len(piece)
            if offset < word.end():  # a soft hyphen follows: keep it, join what comes with ""
                chars.append("-")
                last = offset
                offset += 1
            joiner = ""
    if chars:
        close()
    return runs


# A word: what lies between spaces and line breaks (PDFium's NUL is a generated space).
_WORD = re.compile(r"[^\s\x00\u00a0\u2002\u2003\u2009]+")
_SOFT_HYPHEN = re.compile(r"[\x02\u00ad\ufffe]")


_FONT_NAME = ctypes.create_string_buffer(128)
_FONT_FLAGS = ctypes.c_int()


def _style(handle, index: int) -> tuple[bool, bool]:
    """Whether the character's font is italic (procedure is printed in italics) and bold
    (headings are)."""
    pdfium_c.FPDFText_GetFontInfo(handle, index, _FONT_NAME, 128, ctypes.byref(_FONT_FLAGS))
    name = _FONT_NAME.value.decode("latin-1", "replace")
    italic = "Italic" in name or "Oblique" in name or bool(_FONT_FLAGS.value & 64)
    bold = "Bold" in name or pdfium_c.FPDFText_GetFontWeight(handle, index) >= 600
    return italic, bold


def _images_and_hidden_text(page: pdfium.PdfPage, area: float) -> tuple[float, bool]:
    """How much of the page images cover, and whether text is drawn invisibly (render mode 3,
    as OCR layers over a scan are). Text objects are looked at only on image-covered pages."""
    handle = page.raw
    count = pdfium_c.FPDFPage_CountObjects(handle)
    covered = 0.0
    texts = []
    bounds = [ctypes.c_float() for _ in range(4)]
    for i in range(min(count, 20000)):
        obj = pdfium_c.FPDFPage_GetObject(handle, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            if pdfium_c.FPDFPageObj_GetBounds(obj, *bounds):
                x0, y0, x1, y1 = (v.value for v in bounds)
                covered += max(0.0, x1 - x0) * max(0.0, y1 - y0)
        elif kind == pdfium_c.FPDF_PAGEOBJ_TEXT and len(texts) < 200:
            texts.append(obj)
    share = min(1.0, covered / area) if area > 0 else 0.0
    hidden = False
    if share > 0.5 and texts and hasattr(pdfium_c, "FPDFTextObj_GetTextRenderMode"):
        invisible = sum(
            pdfium_c.FPDFTextObj_GetTextRenderMode(obj) == pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE
            for obj in texts
        )
        hidden = invisible >= len(texts) / 2
    return share, hidden
