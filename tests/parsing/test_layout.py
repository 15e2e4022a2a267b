"""The lower layers (page geometry, lines, labels, vote lists) on the records of other years.

The General Assembly records of 1993-2024 share the Secretariat's house style of their years
(two columns with no footer in 1993, "(interpretation from French)", labels on two lines,
recorded votes over columns and pages; one column since 2021): the layers under the Council
grammar must read them whole, and the parser must still refuse them as Council records. A
two-column record laid out in the 1990s Council style is generated and must read as its text.
"""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest

from archive.parsing import NotAVerbatimRecord, parse_document, parse_text
from archive.parsing.body import opener, read_body
from archive.parsing.geometry import _gutter, layout, rows
from archive.parsing.lines import BODY, FOOTER, HEADER, Vocabulary, paragraphs
from archive.parsing.pdf import read_pdf
from archive.parsing.procedure import Headings
from archive.parsing.votes import read_announcement

from . import pdfgen
from .regenerate_golden import DATA_DIR, FIXTURES, S_PV_10100

GA_DIR = DATA_DIR / "un-verbatim-records-eras" / "general-assembly"
GA_RECORDS = sorted(GA_DIR.glob("*.pdf"))
pytestmark = pytest.mark.skipif(not GA_RECORDS, reason=f"{GA_DIR} not found")

# A label as the plain text prints it: independent of the parser's grammar and layout.
_PLAIN_LABEL = re.compile(
    r"(?:(?:Mr|Mrs|Ms|Sir|Dame)\.? ?[A-Z][\w’\-]*(?: [A-Z][\w’\-]*){0,4}(?: \([^()]{2,80}\)){1,2}"
    r"|The (?:President|PRESIDENT|Acting President)(?: \([^()]{2,40}\))?):"
)


def read_layers(path):
    """The body of any verbatim record read by the lower layers (no cover, no Council rules)."""
    lines = layout(read_pdf(path.read_bytes()))
    vocabulary = Vocabulary(line.flat for line in lines if line.role == BODY)
    headings = Headings([])
    return lines, read_body(paragraphs(lines, opener(headings)), vocabulary, headings, [])


def plain_text(path) -> str:
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()
    return " ".join(" ".join(p.replace("\ufffe", "-").split()) for p in pages)


@pytest.fixture(scope="module", params=GA_RECORDS, ids=lambda p: p.stem)
def ga(request):
    path = request.param
    return path, *read_layers(path)


def test_every_speaker_turn_found(ga):
    """Turns found by the layers == labels found in PDFium's plain text by a simple pattern."""
    path, _lines, body = ga
    printed = [" ".join(m.split()).rstrip(":") for m in _PLAIN_LABEL.findall(plain_text(path))]
    found = [" ".join(t.label.attribution.split()) for t in body.turns]
    missing = [label for label in printed if label not in found]
    assert missing == []
    assert len(found) >= len(printed)


def test_languages_of_the_period(ga):
    path, _lines, body = ga
    languages = {t.label.spoke_in for t in body.turns} - {None}
    assert languages and languages <= {"Arabic", "Chinese", "French", "Russian", "Spanish"}
    if path.name.startswith("A_48"):  # 1993: "(interpretation from ...)"
        interpreted = [t for t in body.turns if "interpretation from" in t.label.attribution]
        assert len(interpreted) == 8
        wrapped = [t for t in interpreted if t.label.speaker == "Mr. Rivero Rosario"]
        assert wrapped and wrapped[0].label.spoke_in == "Spanish"  # label wrapped over two lines


def test_recorded_votes_agree_with_their_announcements(ga):
    """Lists over columns and pages, with names broken across them, add up to the tally the
    record announces ("adopted by 143 votes to 4, with 11 abstentions")."""
    _path, _lines, body = ga
    for vote in body.votes:
        if not vote.notes:
            continue
        announced = read_announcement(vote.notes[0]).tally
        listed = tuple(len(vote.lists[k]) for k in ("in_favour", "against", "abstaining"))
        assert listed == announced, vote.notes[0]


def test_running_bands_measured_and_body_kept(ga):
    path, lines, _body = ga
    pages = max(line.page for line in lines)
    headers = {line.page for line in lines if line.role == HEADER}
    assert headers == set(range(2, pages + 1))  # every page after the cover has its header
    footers = [line for line in lines if line.role == FOOTER]
    if path.name.startswith("A_48"):  # 1993: no footer; the last line of each column is body
        assert {line.page for line in footers} <= {1}
        assert any(line.flat == "energy will endure." for line in lines if line.role == BODY)
    else:
        assert {line.page for line in footers} >= set(range(2, pages + 1))


def test_general_assembly_records_are_refused_as_council_records(ga):
    path, _lines, _body = ga
    with pytest.raises(NotAVerbatimRecord, match="General Assembly"):
        parse_document(path.read_bytes(), filename=path.name)


def test_columns_by_measurement():
    """One column in 2021-2026 (S/PV.10100), two in 1993 and 2007."""
    for path, expected in [
        (S_PV_10100, None),
        (GA_DIR / "A_48_PV.46_E.pdf", (298, 315)),
        (GA_DIR / "A_61_PV.107_E.pdf", (300, 312)),
    ]:
        page = read_pdf(path.read_bytes())[1]
        gutter = _gutter(rows(page.runs), page.width)
        if expected is None:
            assert gutter is None
        else:
            assert (round(gutter.left), round(gutter.right)) == expected


# --- a two-column record laid out in the 1990s Council style -----------------------------------


def _body_paragraphs(text: str) -> list[tuple[str, str]]:
    """(font, paragraph) of the fixture's body pages, its running lines left out."""
    out = []
    for page in text.split("\f")[1:]:
        for block in page.split("\n\n"):
            lines = [
                line
                for line in block.split("\n")
                if line.strip() and not re.match(r"^(Security Council|Forty-ninth year)\s", line)
            ]
            if lines:
                paragraph = " ".join(" ".join(lines).split())
                italic = re.match(
                    r"^(The meeting|The agenda|A vote was|At the invitation)", paragraph
                )
                out.append(("I" if italic else "R", paragraph))
    return out


def _cover_page(text: str) -> pdfgen.Page:
    page = pdfgen.Page()
    y = 740.0
    for line in text.split("\f")[0].split("\n"):
        if line.strip():
            page.texts.append(pdfgen.Text(60, y, " ".join(line.split()), size=9))
        y -= 13
    return page


def layout_1990s(text: str) -> bytes:
    """The 1994 fixture as a two-column PDF: Times 10/12, paragraphs indented and spaced, a
    two-line running header ("Security Council / 3377th meeting", "Forty-ninth year / 16 May
    1994") and a centred page number at the foot."""
    pages = [_cover_page(text)]
    column, y = 0, None
    for font, paragraph in _body_paragraphs(text):
        for index, line in enumerate(pdfgen.wrap(paragraph, 230)):
            if y is None or y < 80:
                if y is not None and column == 0:
                    column, y = 1, 690.0
                else:
                    number = len(pages) + 1
                    pages.append(
                        pdfgen.Page(
                            [
                                pdfgen.Text(60, 740, "Security Council", "B"),
                                pdfgen.Text(460, 740, "3377th meeting", "B"),
                                pdfgen.Text(60, 728, "Forty-ninth year", "B"),
                                pdfgen.Text(470, 728, "16 May 1994", "B"),
                                pdfgen.Text(300, 40, str(number)),
                            ]
                        )
                    )
                    column, y = 0, 690.0
            x = (60 if column == 0 else 320) + (18 if index == 0 else 0)
            pages[-1].texts.append(pdfgen.Text(x, y, line, font))
            y -= 12
        y -= 6
    return pdfgen.build(pages)


def test_a_1990s_two_column_record_reads_as_its_text():
    text = (FIXTURES / "1994_provisional_text.txt").read_text(encoding="utf-8")
    from_text = parse_text(text)
    from_pdf = parse_document(layout_1990s(text), filename="S_PV.3377.pdf")
    assert from_pdf.accounting["unplaced"] == 0
    assert [(s.attribution, s.text.replace("\n\n", " ")) for s in from_pdf.speeches] == [
        (s.attribution, s.text.replace("\n\n", " ")) for s in from_text.speeches
    ]
    assert [(v.tally, v.announced_tally, v.resolution) for v in from_pdf.votes] == [
        ("12-0-3", "12-0-3", "917 (1994)")
    ]
    assert [p.text for p in from_pdf.procedure] == [p.text for p in from_text.procedure]
    assert from_pdf.accounting["running_header"] >= 2 * (from_pdf.page_count - 1)


def layout_typed(text: str) -> bytes:
    """The 1994 fixture as an early-1990s typed record: one column, double-spaced, paragraphs
    marked by their indent alone, typist's initials and the symbol over each page."""
    pages = [_cover_page(text)]
    y = None
    for font, paragraph in _body_paragraphs(text):
        for index, line in enumerate(pdfgen.wrap(paragraph, 440, size=11)):
            if y is None or y < 70:
                number = len(pages) + 1
                pages.append(
                    pdfgen.Page(
                        [
                            pdfgen.Text(72, 750, f"JB/{number}"),
                            pdfgen.Text(480, 750, "S/PV.3377"),
                            pdfgen.Text(520, 738, str(number)),
                        ]
                    )
                )
                y = 700.0
            pages[-1].texts.append(pdfgen.Text(72 + (36 if index == 0 else 0), y, line, font, 11))
            y -= 24
    return pdfgen.build(pages)


def test_an_early_1990s_typed_record_reads_as_its_text():
    text = (FIXTURES / "1994_provisional_text.txt").read_text(encoding="utf-8")
    from_text = parse_text(text)
    from_pdf = parse_document(layout_typed(text), filename="S_PV.3377.pdf")
    assert from_pdf.accounting["unplaced"] == 0
    assert [s.attribution for s in from_pdf.speeches] == [s.attribution for s in from_text.speeches]
    assert [s.text.replace("\n\n", " ") for s in from_pdf.speeches] == [
        s.text.replace("\n\n", " ") for s in from_text.speeches
    ]
    assert [(v.tally, v.announced_tally) for v in from_pdf.votes] == [("12-0-3", "12-0-3")]
    assert from_pdf.accounting["running_header"] == 2 * (from_pdf.page_count - 1)


@pytest.mark.parametrize(
    "name", ["A_61_PV.107_E.pdf", "A_64_PV.121_E.pdf", "A_65_PV.71_E.pdf", "A_76_PV.102_E.pdf"]
)
def test_real_layouts_of_2007_to_2022_read_whole_through_the_council_grammar(name):
    """With its symbol made a Council one, a General Assembly record of these years goes through
    the whole parser: the meeting starting on page 1 under the masthead (2007-2022), the notice
    at the foot of page 1, every line placed, every turn found."""
    from archive.parsing.transcript import _parse

    path = GA_DIR / name
    lines = layout(read_pdf(path.read_bytes()))
    for line in lines:
        line.text = re.sub(r"A/\d+/PV\.\d+", "S/PV.5107", line.text)
        line.__dict__.pop("flat", None)  # the cached flat text of the old symbol
    meeting = _parse(lines, page_count=None)
    assert meeting.symbol == "S/PV.5107" and meeting.date is not None
    assert meeting.accounting["unplaced"] == 0
    printed = _PLAIN_LABEL.findall(plain_text(path))
    assert len(meeting.speeches) >= len(printed)
    assert meeting.speeches[0].page == 1  # the first turn is on the cover page
