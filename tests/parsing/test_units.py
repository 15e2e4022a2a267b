"""Focused, table-driven tests of the parser's parts and of its error cases."""

from __future__ import annotations

import contextlib
import random

import pytest

from archive.parsing import (
    BlankPdf,
    DamagedPdf,
    DocumentTooLarge,
    EmptyDocument,
    NotAPdfOrText,
    NotAVerbatimRecord,
    TranscriptError,
    find_mentions,
    normalise_document_symbol,
    parse_document,
    parse_resolution_reference,
    parse_text,
)
from archive.parsing.labels import match_label
from archive.parsing.lines import Vocabulary
from archive.parsing.participants import on_behalf_of
from archive.parsing.votes import vote_names

from .regenerate_golden import PDF_DIR

# --- resolution references and symbols -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2467", (2467, None)),
        ("2467 (2019)", (2467, 2019)),
        ("S/RES/2467 (2019)", (2467, 2019)),
        ("S/RES/2467(2019)", (2467, 2019)),
        ("s/res/2467 (2019)", (2467, 2019)),
        ("res 2467", (2467, None)),
        ("resolution 2467", (2467, None)),
        ("UNSCR 2467", (2467, None)),
        ("Resolution 2467 (2019)", (2467, 2019)),
        ("RESOLUTION 2467(2019)", (2467, 2019)),
        ("", None),
        ("peace", None),
        ("2467 (1066)", None),
        ("0", None),
    ],
)
def test_parse_resolution_reference(text, expected):
    ref = parse_resolution_reference(text)
    assert (None if ref is None else (ref.number, ref.year)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("S/PV. 8698", "S/PV.8698"),
        ("s/2019/280", "S/2019/280"),
        ("S/PV.8699 (Resumption 1)", "S/PV.8699 (Resumption 1)"),
        ("S/PRST/2019/1", "S/PRST/2019/1"),
        ("A/RES/60/1", "A/RES/60/1"),
        ("A/73/PV.12", "A/73/PV.12"),
        ("S/RES/2467(2019)", "S/RES/2467 (2019)"),
        ("S/2019/280/Add.1", "S/2019/280/Add.1"),
        ("hello", None),
        ("S/", None),
    ],
)
def test_normalise_document_symbol(text, expected):
    assert normalise_document_symbol(text) == expected


@pytest.mark.parametrize(
    ("text", "resolutions", "documents"),
    [
        ("under resolution 2467 (2019).", ["2467 (2019)"], []),
        ("resolutions 1325 (2000) and 1820 (2008)", ["1325 (2000)", "1820 (2008)"], []),
        (
            "resolutions 1325 (2000), 1820 (2008) and 2467 (2019)",
            ["1325 (2000)", "1820 (2008)", "2467 (2019)"],
            [],
        ),
        ("S/RES/2467 (2019)", ["2467 (2019)"], ["S/RES/2467 (2019)"]),
        ("resolution 2467 and later resolution 2467 (2019)", ["2467 (2019)"], []),
        ("resolution 2254", ["2254"], []),
        ("resolution 2254 (2015), 5 million people", ["2254 (2015)"], []),
        ("General Assembly resolution 46/182", [], ["A/RES/46/182"]),
        (
            "(see S/PV.8697) and S/2019/280, S/PRST/2019/1.",
            [],
            ["S/PV.8697", "S/2019/280", "S/PRST/2019/1"],
        ),
        ("A/RES/60/1 and A/73/PV.12", [], ["A/RES/60/1", "A/73/PV.12"]),
        ("in 2019 some 4 million people", [], []),
    ],
)
def test_find_mentions(text, resolutions, documents):
    mentions = find_mentions(text)
    assert mentions.resolutions == resolutions
    assert mentions.documents == documents


# --- speaker labels ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "attribution", "speaker", "country", "spoke_in"),
    [
        ("The President: I thank", "The President", "The President", None, None),
        (
            "The Secretary-General: I thank",
            "The Secretary-General",
            "The Secretary-General",
            None,
            None,
        ),
        (
            "Mr. De Rivière (France) (spoke in French): I",
            "Mr. De Rivière (France) (spoke in French)",
            "Mr. De Rivière",
            "France",
            "French",
        ),
        (
            "Mr. Lacroix (spoke in French): I",
            "Mr. Lacroix (spoke in French)",
            "Mr. Lacroix",
            None,
            "French",
        ),
        (
            "Mr. Skoog (European Union): I",
            "Mr. Skoog (European Union)",
            "Mr. Skoog",
            "European Union",
            None,
        ),
        ("Mrs. Raz: Thank you", "Mrs. Raz", "Mrs. Raz", None, None),
        (
            "Mr. Nebenzia (Russian Federation) (spoke in\nRussian): The",
            "Mr. Nebenzia (Russian Federation) (spoke in Russian)",
            "Mr. Nebenzia",
            "Russian Federation",
            "Russian",
        ),
        (
            "Ms. DeShong (Saint Vincent and the\nGrenadines): First",
            "Ms. DeShong (Saint Vincent and the Grenadines)",
            "Ms. DeShong",
            "Saint Vincent and the Grenadines",
            None,
        ),
        (
            "Dame Barbara Woodward (United Kingdom): I",
            "Dame Barbara Woodward (United Kingdom)",
            "Dame Barbara Woodward",
            "United Kingdom",
            None,
        ),
    ],
)
def test_label(text, attribution, speaker, country, spoke_in):
    label = match_label(" ".join(text.split()))
    assert label is not None
    assert (label.attribution, label.speaker, label.country, label.spoke_in) == (
        attribution,
        speaker,
        country,
        spoke_in,
    )


@pytest.mark.parametrize(
    "text",
    [
        "In favour: Belgium, China",
        "The Council is ready to proceed: first",
        "Mr. President, we thank you: it was good",
        "the following: Ms. Rosemary DiCarlo",
    ],
)
def test_not_a_label(text):
    assert match_label(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "I have the honour to speak on behalf of the European Union and its member States.",
            "the European Union",
        ),
        ("I speak on behalf of the Group of Arab States.", "the Group of Arab States"),
        (
            "I have the honour to speak on behalf of the Nordic countries — Denmark, Finland.",
            "the Nordic countries",
        ),
        (
            "We align ourselves with the statement to be delivered on behalf of the European Union.",
            None,
        ),
        (
            "I shall make this statement on behalf of Germany and Belgium, the co-penholders.",
            "Germany and Belgium",
        ),
        ("I deliver a statement on behalf of His Excellency Mr. Zarif.", None),
        ("Thank you, Mr. President.", None),
    ],
)
def test_on_behalf_of(text, expected):
    assert on_behalf_of(text) == expected


# --- words split at line ends -----------------------------------------------------------------

_DOCUMENT = [
    "peacekeeping operations and the peacekeeping budget",
    "a well-coordinated plan of the Secretary-General",
    "conflict-related sexual violence and conflict-related harm",
    "keeping the peace and the long road",
]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["the peace-", "keeping budget"], "the peacekeeping budget"),  # solid form used elsewhere
        (["the Secretary-", "General said"], "the Secretary-General said"),  # capitalised left part
        (["the Under-Secretary-", "General"], "the Under-Secretary-General"),
        (
            ["a well-", "coordinated plan"],
            "a well-coordinated plan",
        ),  # hyphenated form used elsewhere
        (["conflict-", "related violence"], "conflict-related violence"),
        (["a long-", "road"], "a long-road"),  # both halves words, no solid form: keep the hyphen
        (["the Secretary", "General"], "the Secretary-General"),  # hyphen lost by the text layer
        (["the Under-Secretary", "General"], "the Under-Secretary-General"),
        (["the peace", "keeping"], "the peace keeping"),
        (["ends here", "and goes on"], "ends here and goes on"),
        # Words the document never prints whole: UN English of every period decides.
        (["it was unbal-", "anced and"], "it was unbalanced and"),
        (["the considera-", "tion of"], "the consideration of"),
        (["drip-", "irrigation systems"], "drip-irrigation systems"),  # "irrigation" is a word
        (["Mr. Ould-", "Abdallah"], "Mr. Ould-Abdallah"),  # a name keeps its hyphen
    ],
)
def test_line_end_hyphens(lines, expected):
    vocabulary = Vocabulary(_DOCUMENT)
    assert vocabulary.text(lines) == expected


# --- vote blocks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("China, Russian Federation, Viet Nam", ["China", "Russian Federation", "Viet Nam"]),
        (
            "Indonesia, Niger, Saint Vincent and the Grenadines,\nSouth Africa, Tunisia",
            ["Indonesia", "Niger", "Saint Vincent and the Grenadines", "South Africa", "Tunisia"],
        ),
        (
            "Germany, United Kingdom of Great Britain and\nNorthern Ireland, United States of America",
            [
                "Germany",
                "United Kingdom of Great Britain and Northern Ireland",
                "United States of America",
            ],
        ),
        ("None", []),
    ],
)
def test_vote_names(text, expected):
    assert vote_names(text) == expected


_RECORD = """United Nations S/PV.9999
Security Council
Seventy-fifth year
9999th meeting
Monday, 3 February 2020, 3.30 p.m.
New York

President: Mr. Dang . . . . . . . . (Viet Nam)

Members: Belgium . . . . . . Mr. Pecsteen de Buytswerve
China . . . . . . Mr. Zhang Jun
Russian Federation . . . . . Mr. Nebenzia
United States of America . . . . Mrs. Craft

Agenda

The situation in the Middle East

This record contains the text of speeches delivered in English.
\f
The meeting was called to order at 3.35 p.m.

The agenda was adopted.

The President: In accordance with rule 39 of the Council’s provisional rules of procedure, I invite
Mr. Mark Lowcock, Under-Secretary-General for Humanitarian Affairs, to participate in this meeting.

I shall now put to the vote the draft resolution contained in document S/2020/99.

A vote was taken by show of hands.

In favour:
Belgium, China, Viet Nam, Estonia, France, Germany, Indonesia, Niger, Tunisia

Against:
Russian Federation

Abstaining:
United States of America

The President: The draft resolution received 9 votes in favour, 1 against and 1 abstention. The draft
resolution has not been adopted, owing to the negative vote of a permanent member of the Council.

Mr. Lowcock: Thank you. Resolution 2401 (2018) and S/2020/99 matter.

Mr. Nebenzia (Russian Federation) (spoke in Russian): We voted against.

The meeting rose at 4.05 p.m.
"""


def test_parse_text_record():
    meeting = parse_text(_RECORD)
    assert (meeting.symbol, meeting.meeting_number, meeting.time) == ("S/PV.9999", 9999, "15:30")
    assert [s.speaker for s in meeting.speeches] == [
        "The President",
        "The President",
        "Mr. Lowcock",
        "Mr. Nebenzia",
    ]
    assert [s.page for s in meeting.speeches] == [2, 2, 2, 2]
    assert [s.role for s in meeting.speeches] == ["president", "president", "un", "member"]
    (vote,) = meeting.votes
    assert (vote.draft, vote.result, vote.against, vote.tally, vote.after_speech) == (
        "S/2020/99",
        "vetoed",
        ["Russian Federation"],
        "9-1-1",
        1,
    )
    assert [p.after_speech for p in meeting.procedure] == [0, 0, 1, 4]
    assert meeting.mentions.resolutions == ["2401 (2018)"]
    assert meeting.to_dict()["date"] == "2020-02-03"


def test_parse_document_decides_by_content_not_name():
    meeting = parse_document(_RECORD.encode("cp1252", errors="replace"), filename="record.pdf")
    assert meeting.meeting_number == 9999


# --- errors -------------------------------------------------------------------------------------


def _real_pdf() -> bytes:
    pdfs = sorted(PDF_DIR.glob("*.pdf"))
    if not pdfs:
        pytest.skip(f"real PDFs not found in {PDF_DIR}")
    return min(pdfs, key=lambda p: p.stat().st_size).read_bytes()


def _blank_pdf() -> bytes:
    pdfium = pytest.importorskip("pypdfium2")
    import io

    document = pdfium.PdfDocument.new()
    for _ in range(2):
        document.new_page(612, 792)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: b"", EmptyDocument),
        (lambda: b"   \n\t ", EmptyDocument),
        (lambda: random.Random(1).randbytes(5000), NotAPdfOrText),
        (lambda: b"%PDF-1.7\n" + random.Random(2).randbytes(5000), DamagedPdf),
        (lambda: _real_pdf()[: int(len(_real_pdf()) * 0.3)], DamagedPdf),
        (lambda: _real_pdf()[: int(len(_real_pdf()) * 0.95)], DamagedPdf),
        (_blank_pdf, BlankPdf),
        (lambda: b"Dear colleague,\n\nPlease find the minutes attached.\n", NotAVerbatimRecord),
        (lambda: b"United Nations S/PV.1234\n\nNothing else here.", NotAVerbatimRecord),
    ],
    ids=[
        "empty",
        "whitespace",
        "random-bytes",
        "pdf-magic-junk",
        "truncated-30",
        "truncated-95",
        "blank-pages",
        "letter",
        "symbol-only",
    ],
)
def test_errors(make, error):
    with pytest.raises(error) as info:
        parse_document(make())
    assert isinstance(info.value, TranscriptError)
    assert str(info.value)


def test_too_large():
    with pytest.raises(DocumentTooLarge):
        parse_document(b"x" * 2000, max_bytes=1000)


@pytest.mark.parametrize("seed", range(30))
def test_mutated_pdf_only_raises_transcript_errors(seed):
    data = bytearray(_real_pdf())
    rng = random.Random(seed)
    for _ in range(20):
        data[rng.randrange(len(data))] = rng.randrange(256)
    with contextlib.suppress(TranscriptError):
        parse_document(bytes(data))
