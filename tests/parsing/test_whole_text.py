"""Every word of a record's body comes through, in order: the parse against a plain extraction.

The plain extraction is PDFium's own text of each body page, with no layout of ours (only the
running header and footer at the top of its text are left out, by their printed form). Each
piece of the parse (a heading, a procedural note, a speaker's label and text, a vote list) must
be found in it, the speeches in order, and together the pieces must cover it whole: a line lost
at a page foot, a vote list swallowed, a column read out of place all fail here.
"""

from __future__ import annotations

import re
import unicodedata

import pypdfium2 as pdfium
import pytest

from archive.parsing import ParsedMeeting, parse_document
from archive.parsing.running import is_running_line

from .regenerate_golden import PDF_DIR, S_PV_10100

PDFS = [*sorted(PDF_DIR.glob("*.pdf")), S_PV_10100]
pytestmark = pytest.mark.skipif(not S_PV_10100.is_file(), reason="shared data not found")


def alnum(text: str) -> str:
    """Letters and digits only, folded: what must match whatever the spacing and hyphens."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", text)


def plain_body(data: bytes) -> str:
    """PDFium's plain text of the body pages, without the running lines it gives first."""
    document = pdfium.PdfDocument(data)
    out = []
    try:
        for index in range(1, len(document)):
            page = document[index]
            raw = page.get_textpage().get_text_range()
            raw = raw.replace("\ufffe", "-").replace("\x02", "-").replace("\r\n", "\n")
            lines = [line for line in raw.split("\n") if line.strip()]
            out += [
                line
                for n, line in enumerate(lines)
                if n >= 3 or not is_running_line(line, at_page_edge=False)
            ]
    finally:
        document.close()
    return "\n".join(out)


def pieces(meeting: ParsedMeeting) -> list[tuple[str, str, bool]]:
    """(kind, text, required) for every piece of the parse's body."""
    out = [("heading", h.text, True) for h in meeting.headings]
    out += [("procedure", p.text, True) for p in meeting.procedure]
    out += [("speech", f"{s.attribution}: {s.text}", True) for s in meeting.speeches]
    for vote in meeting.votes:
        for head, names in (
            ("In favour", vote.in_favour),
            ("Against", vote.against),
            ("Abstaining", vote.abstaining),
        ):
            # An empty list may be printed ("Against: None") or not (a unanimous vote).
            out.append(("vote", f"{head}: {', '.join(names) or 'None'}", bool(names)))
    return out


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_every_word_of_the_body_in_order(pdf):
    data = pdf.read_bytes()
    meeting = parse_document(data, filename=pdf.name)
    plain = alnum(plain_body(data))
    covered = bytearray(len(plain))
    after: dict[str, int] = {}
    last_speech = -1
    missing = []
    for kind, text, required in pieces(meeting):
        key = alnum(text)
        position = plain.find(key, after.get(key, 0))
        if position < 0:
            if required:
                missing.append(f"{kind}: {text[:100]}")
            continue
        after[key] = position + 1
        if kind == "speech":
            assert position > last_speech, f"speech out of order: {text[:80]}"
            last_speech = position
        for i in range(position, position + len(key)):
            covered[i] += 1
    assert missing == [], "pieces of the parse not in the PDF's text"
    uncovered = re.findall(rb"\x00+", bytes(covered))
    assert not uncovered, (
        f"{sum(map(len, uncovered))} characters of the body are in no piece of the parse"
    )
    assert max(covered, default=1) == 1, "a piece of text is in two places of the parse"
