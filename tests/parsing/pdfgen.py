"""A small PDF writer for the parser's tests: text placed at given positions (Times, the UN's
face), optional page images and invisible text (an OCR layer), and hostile structures.

Only what the tests need, with no dependency: the PDFs are valid (cross-reference table,
offsets, %%EOF) so that what a test exercises is the parser, not PDFium's repair code.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

FONTS = {"R": "Times-Roman", "I": "Times-Italic", "B": "Times-Bold"}
# Rough widths (in em) to wrap text into columns; PDFium measures with the real metrics.
AVERAGE_WIDTH = 0.47
CAPITAL_WIDTH = 0.72


@dataclass
class Text:
    """A line of text at (x, y) on the page (y from the bottom), in a Times face."""

    x: float
    y: float
    text: str
    font: str = "R"
    size: float = 10.0


@dataclass
class Page:
    """One page: its lines, whether a page-size image lies under them, and whether the text is
    drawn invisibly (render mode 3, as an OCR layer over a scan is)."""

    texts: list[Text] = field(default_factory=list)
    image: bool = False
    invisible: bool = False
    width: float = 612.0
    height: float = 792.0


def _escape(text: str) -> bytes:
    data = text.encode("cp1252", errors="replace")
    return data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(page: Page) -> bytes:
    out = []
    if page.image:
        out.append(f"q {page.width:.0f} 0 0 {page.height:.0f} 0 0 cm /Im1 Do Q".encode())
    for item in page.texts:
        mode = b" 3 Tr" if page.invisible else b""
        out.append(
            b"BT /F%s %.1f Tf%s %.2f %.2f Td (%s) Tj ET"
            % (item.font.encode(), item.size, mode, item.x, item.y, _escape(item.text))
        )
    return b"\n".join(out)


def build(pages: list[Page], *, compress: bool = True) -> bytes:
    """The bytes of a PDF with these pages."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    fonts = {
        key: add(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>"
            % name.encode()
        )
        for key, name in FONTS.items()
    }
    pixels = bytes(range(0, 256, 4))  # 8 x 8 shades of grey
    image = add(
        b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length %d >>\nstream\n%s\nendstream" % (len(pixels), pixels)
    )
    font_refs = b" ".join(b"/F%s %d 0 R" % (k.encode(), n) for k, n in fonts.items())
    resources = add(b"<< /Font << %s >> /XObject << /Im1 %d 0 R >> >>" % (font_refs, image))
    pages_id = len(objects) + 1 + 2 * len(pages)  # the page tree comes after the pages
    kids = []
    for page in pages:
        stream = _content(page)
        if compress:
            stream = zlib.compress(stream)
            header = b"<< /Length %d /Filter /FlateDecode >>" % len(stream)
        else:
            header = b"<< /Length %d >>" % len(stream)
        content = add(header + b"\nstream\n" + stream + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.0f %.0f] /Resources %d 0 R "
                b"/Contents %d 0 R >>" % (pages_id, page.width, page.height, resources, content)
            )
        )
    add(
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    )
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    return _serialise(objects, catalog)


def _serialise(objects: list[bytes], root: int) -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref,
    )
    return bytes(out)


def blank(pages: int) -> bytes:
    """A PDF of empty pages (no text, no images)."""
    return build([Page() for _ in range(pages)])


def nested(depth: int) -> bytes:
    """A one-page PDF whose page resources hold arrays nested ``depth`` levels deep."""
    deep = b"[" * depth + b"]" * depth
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Deep %s >> "
        b"/Contents 4 0 R >>" % deep,
        b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    return _serialise(objects, 1)


# ---------------------------------------------------------------------------------------------
# Laying out a record


def measure(text: str, size: float = 10.0) -> float:
    """The approximate width of ``text`` in points."""
    return sum(size * (CAPITAL_WIDTH if c.isupper() else AVERAGE_WIDTH) for c in text)


def wrap(text: str, width: float, size: float = 10.0) -> list[str]:
    """Break a paragraph into lines that fit ``width`` points (approximately)."""
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and measure(candidate, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines
