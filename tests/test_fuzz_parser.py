"""Fuzzing the parser: random, mutated and record-shaped input either parses or raises the
parser's own documented error (``TranscriptError``), never anything else, and never hangs.

Effort is set by Hypothesis profiles: ``ci`` (the default: derandomized, ~200 examples per
test, well under a minute) and ``long`` (``HYPOTHESIS_PROFILE=long``: 5,000 examples per test,
randomized). Each example runs under a SIGALRM deadline, so a parser that loops fails the test
with the input that made it loop. The number of examples tried is printed at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import HealthCheck, assume, given, note
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

from archive.parsing import ParsedMeeting, TranscriptError, parse_document, parse_text

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "print_blob": True,
}
# ci replays the same examples every run and keeps no example database in the tree; long
# explores new inputs and remembers failures under var/ (ignored by git) to replay them.
hsettings.register_profile("ci", max_examples=200, derandomize=True, database=None, **_COMMON)
hsettings.register_profile(
    "long",
    max_examples=5000,
    database=DirectoryBasedExampleDatabase(settings.BASE_DIR / "var" / "hypothesis"),
    **_COMMON,
)
hsettings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

EXAMPLE_DEADLINE_S = 10
PDF_PATH = Path(settings.COUNCIL_ARCHIVE_DATA) / "unsc-2020-pires" / "pdf" / "S_PV.8701_E.pdf"

pytestmark = pytest.mark.skipif(not PDF_PATH.is_file(), reason=f"{PDF_PATH} not found")

TRIED: Counter[str] = Counter()
SLOWEST: defaultdict[str, float] = defaultdict(float)


class ParserHung(Exception):
    """An example ran past its deadline: the parser is looping or pathologically slow."""


@contextlib.contextmanager
def example_deadline(seconds: int = EXAMPLE_DEADLINE_S):
    """Fail the example (with a ParserHung error) if it runs longer than ``seconds``."""
    fired = []

    def expired(signum, frame):
        fired.append(True)
        raise ParserHung(f"the parser ran longer than {seconds} s on this input")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    # The alarm can land in code that swallows exceptions (a gc callback): fail regardless.
    if fired:
        raise ParserHung(f"the parser ran longer than {seconds} s on this input")


def check_contract(parse, data, kind: str) -> None:
    """Run ``parse(data)``: it must return a usable ParsedMeeting or raise a TranscriptError."""
    TRIED[kind] += 1
    started = time.monotonic()
    with example_deadline():
        try:
            result = parse(data)
        except TranscriptError as exc:
            assert exc.message.strip(), "a TranscriptError must explain itself"
            result = None
    elapsed = time.monotonic() - started
    if elapsed > SLOWEST[kind]:
        SLOWEST[kind] = elapsed
    if result is None:
        return
    assert isinstance(result, ParsedMeeting)
    # The importer and the golden files read the JSON form; it must always serialise.
    json.dumps(result.to_dict())


@pytest.fixture(scope="module", autouse=True)
def report_effort(request):
    """Print how many examples were tried, per kind of input."""
    yield
    total = sum(TRIED.values())
    detail = ", ".join(
        f"{kind} {n} (slowest {SLOWEST[kind]:.2f} s)" for kind, n in sorted(TRIED.items())
    )
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print(f"\nparser fuzzing: {total} examples tried ({detail})")


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return PDF_PATH.read_bytes()


@pytest.fixture(scope="module")
def record_text(pdf_bytes) -> str:
    from archive.parsing.pdf import pdf_to_text

    return pdf_to_text(pdf_bytes)[0]


# --------------------------------------------------------------------------- mutated PDFs

REAL_PDF = PDF_PATH.read_bytes() if PDF_PATH.is_file() else b"%PDF-1.7\n%%EOF\n"


@st.composite
def mutated_pdf(draw) -> bytes:
    """The real 2-page PDF, truncated, bit-flipped, with slices dropped, doubled or replaced."""
    data = bytearray(REAL_PDF)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "flip", "truncate", "delete", "duplicate", "insert"]))
        size = len(data)
        if size < 16:
            break
        at = draw(st.integers(0, size - 1))
        if op == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del data[max(at, 8) :]
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 4096))]
        elif op == "duplicate":
            chunk = data[at : at + draw(st.integers(1, 4096))]
            data[at:at] = chunk
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=256))
    return bytes(data)


@given(mutated_pdf())
def test_mutated_pdfs_parse_or_fail_cleanly(data):
    check_contract(parse_document, data, "mutated-pdf")


@given(st.integers(0, len(REAL_PDF)))
def test_truncated_pdfs_parse_or_fail_cleanly(cut):
    check_contract(parse_document, REAL_PDF[:cut], "truncated-pdf")


@given(
    st.one_of(
        st.binary(max_size=4096),
        st.binary(max_size=4096).map(lambda b: b"%PDF-1.7\n" + b),
        st.binary(max_size=4096).map(lambda b: b"%PDF-1.7\n" + b + b"\n%%EOF\n"),
        st.binary(max_size=2048).map(lambda b: b"\xef\xbb\xbf" + b),
        st.binary(max_size=2048).map(lambda b: b"\xff\xfe" + b),
    )
)
def test_random_bytes_parse_or_fail_cleanly(data):
    check_contract(parse_document, data, "random-bytes")


# --------------------------------------------------------------------------- record-shaped text

FRAGMENTS = [
    "S/PV.8701",
    "S/PV.8701 (Resumption 1)",
    "United Nations",
    "Security Council",
    "Seventy-fifth year",
    "8701st meeting",
    "Wednesday, 8 January 2020, 10 a.m.",
    "New York",
    "President: Mr. Dang Dinh Quy . . . . . . . . . . . . . . (Viet Nam)",
    "President:",
    "Members: Belgium . . . . . . . . . . Mr. Pecsteen de Buytswerve",
    "Members:",
    "China . . . . . . . . . . Mr. Zhang Jun",
    "Agenda",
    "Maintenance of international peace and security",
    "The meeting was called to order at 10.05 a.m.",
    "Adoption of the agenda",
    "The agenda was adopted.",
    "The President:",
    "The President (spoke in French):",
    "Mr. Nebenzia (Russian Federation) (spoke in Russian):",
    "Mr. Nebenzia (Russian Federation):",
    "Ms. Craft (United States of America):",
    ":",
    "(spoke in",
    "In accordance with rule 37 of the Council's provisional rules of procedure, I invite",
    "the representatives of Iraq, Iran and to participate in this meeting.",
    "A vote was taken by show of hands.",
    "In favour:",
    "Against:",
    "Abstaining:",
    "Belgium, China, Dominican Republic, Estonia, France, Germany",
    "The draft resolution received 13 votes in favour, none against and 2 abstentions.",
    "The draft resolution has been adopted as resolution 2505 (2020).",
    "The draft resolution has not been adopted, owing to the negative vote of",
    "resolution 2467 (2019) and S/2020/1 and S/RES/1325 (2000)",
    "The meeting rose at 11.35 a.m.",
    "This record contains the text of speeches delivered in English",
    "20-00543 (E)",
    "*2000543*",
    "S/PV.8701 Maintenance of international peace and security 08/01/2020",
    "2/2 20-00543",
    "I now give the floor to the representative of the European Union.",
    "I thank the Secretary-General for his briefing.",
    "\u200b\u202e\ufeff",
    "Ms. Juul (Norway):" * 50,
    "(" * 200,
    ")" * 200,
    "." * 5000,
]


@st.composite
def record_shaped_text(draw) -> str:
    """Lines drawn from the words of real records, in random order and amounts."""
    pieces = draw(
        st.lists(
            st.one_of(
                st.sampled_from(FRAGMENTS),
                st.text(max_size=80),
                st.just("\f"),
                st.just(""),
            ),
            max_size=120,
        )
    )
    separator = draw(st.sampled_from(["\n", "\n\n", "\r\n", "\n\f\n"]))
    return separator.join(pieces)


@given(record_shaped_text())
def test_record_shaped_text_parses_or_fails_cleanly(text):
    check_contract(parse_text, text, "record-shaped-text")
    check_contract(parse_document, text.encode("utf-8", "surrogatepass"), "record-shaped-bytes")


@st.composite
def mutated_record_text(draw) -> str:
    """The real record's text with paragraphs dropped, doubled, swapped or cut."""
    text = REAL_TEXT[0]
    paragraphs = text.split("\n\n")
    for _ in range(draw(st.integers(1, 6))):
        if not paragraphs:
            break
        i = draw(st.integers(0, len(paragraphs) - 1))
        op = draw(st.sampled_from(["drop", "double", "swap", "cut", "strip-text", "repeat"]))
        if op == "drop":
            del paragraphs[i]
        elif op == "double":
            paragraphs.insert(i, paragraphs[i])
        elif op == "swap":
            j = draw(st.integers(0, len(paragraphs) - 1))
            paragraphs[i], paragraphs[j] = paragraphs[j], paragraphs[i]
        elif op == "cut":
            paragraphs[i] = paragraphs[i][: draw(st.integers(0, len(paragraphs[i])))]
        elif op == "strip-text":
            # A speaker label (or a vote heading) left without what follows it.
            head = paragraphs[i].split(":", 1)[0]
            paragraphs[i] = head + ":"
        else:
            paragraphs.insert(i, "\n\n".join([paragraphs[i]] * draw(st.integers(2, 200))))
    return "\n\n".join(paragraphs)


REAL_TEXT: list[str] = [""]


@pytest.fixture(scope="module", autouse=True)
def _real_text(record_text):
    REAL_TEXT[0] = record_text


@given(mutated_record_text())
def test_mutated_record_text_parses_or_fails_cleanly(text):
    assume(text.strip())
    note(f"{len(text)} characters")
    check_contract(parse_text, text, "mutated-record-text")


# --------------------------------------------------------------------------- edge cases


EDGE_CASES = {
    "empty": b"",
    "whitespace": b" \n\t\r\n\f ",
    "pdf-magic-only": b"%PDF-",
    "pdf-header-and-eof": b"%PDF-1.7\n%%EOF\n",
    "nul-bytes": b"\x00" * 10000,
    "huge-line": b"S/PV.8701 " + b"x" * 2_000_000,
    "huge-line-of-colons": b"The President:" * 100_000,
    "repeated-header": b"S/PV.8701 Women and peace and security 08/01/2020\n" * 20_000,
    "labels-without-text": b"S/PV.8701\n8701st meeting\n\n" + b"The President:\n\n" * 5000,
    "votes-without-lists": b"S/PV.8701\n\nA vote was taken by show of hands.\n\nIn favour:\n\n"
    b"Against:\n\nAbstaining:\n\n" * 2000,
    "form-feeds": b"\f" * 100_000,
    "utf16-record": "S/PV.8701\n8701st meeting\n\nThe President: Hello.".encode("utf-16"),
    "invalid-utf8": b"S/PV.8701\n\xed\xa0\x80\xc3\x28 The President: \xff\xfe text",
}


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_cases_parse_or_fail_cleanly(name):
    check_contract(parse_document, EDGE_CASES[name], "edge-case")


def test_real_pdf_still_parses(pdf_bytes):
    """The fuzz harness is not vacuous: the unmutated input gives a real record."""
    result = parse_document(pdf_bytes)
    assert result.symbol == "S/PV.8701"
    assert result.speeches
