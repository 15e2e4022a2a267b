"""Golden-file tests: each real record (and each text input) parses to exactly its reviewed
JSON, every line of it placed."""

from __future__ import annotations

import json

import pytest

from archive.parsing import parse_document

from .regenerate_golden import GOLDEN_DIR, PDF_DIR, S_PV_10100, dump, golden_path, inputs

PDFS = sorted(PDF_DIR.glob("*.pdf"))
INPUTS = inputs()

pytestmark = pytest.mark.skipif(
    not PDFS, reason=f"real PDFs not found in {PDF_DIR} (set COUNCIL_ARCHIVE_DATA)"
)


@pytest.fixture(scope="module")
def parsed() -> dict[str, dict]:
    """Parse each PDF once for all the tests of this module."""
    return {pdf.name: parse_document(pdf.read_bytes(), filename=pdf.name).to_dict() for pdf in PDFS}


@pytest.fixture(scope="module")
def parsed_inputs(parsed) -> dict[str, dict]:
    """Every golden input parsed once, by golden file name."""
    found = {golden_path(PDF_DIR / name).name: data for name, data in parsed.items()}
    for path, parse in INPUTS.items():
        if path.name not in found:
            found[path.name] = parse()
    return found


@pytest.mark.parametrize("golden", sorted(INPUTS), ids=lambda p: p.stem)
def test_matches_golden(golden, parsed_inputs):
    expected = json.loads(golden.read_text(encoding="utf-8"))
    actual = json.loads(dump(parsed_inputs[golden.name]))
    assert actual == expected, (
        "run `python -m tests.parsing.regenerate_golden` if the change is intended"
    )


def test_every_input_has_a_golden_file():
    assert {golden_path(pdf).name for pdf in PDFS} <= {p.name for p in GOLDEN_DIR.glob("*.json")}
    assert {p.name for p in INPUTS} <= {p.name for p in GOLDEN_DIR.glob("*.json")}
    assert len(INPUTS) >= len(PDFS) + 5  # S/PV.10100, three period texts, the speech corpus form


@pytest.mark.parametrize("golden", sorted(INPUTS), ids=lambda p: p.stem)
def test_every_line_is_placed(golden, parsed_inputs):
    """Text accounting: no line of any fixture is left out of a speech, a note, a vote, a
    heading, the cover or the running matter; and none is an error in its checks."""
    meeting = parsed_inputs[golden.name]
    assert meeting["unplaced"] == []
    assert meeting["accounting"]["unplaced"] == 0
    assert sum(meeting["accounting"].values()) > 0
    assert [c for c in meeting["checks"] if c["severity"] == "error"] == []


def test_s_pv_10100_whole():
    """Today's layout (Word, one column, footers at 38 pt): the line above each page foot is
    kept, the vote is 13-0-2 with Pakistan and Somalia abstaining, resolution 2815 (2026)."""
    meeting = json.loads(golden_path(S_PV_10100).read_text(encoding="utf-8"))
    farewell = meeting["speeches"][-1]["text"]
    assert (
        "one in which we rallied to consensus on several important issues within our purview. "
        "We could not have done it alone and without the hard work" in farewell
    )
    (vote,) = meeting["votes"]
    assert (vote["tally"], vote["announced_tally"], vote["result"], vote["resolution"]) == (
        "13-0-2",
        "13-0-2",
        "adopted",
        "2815 (2026)",
    )
    assert vote["abstaining"] == ["Pakistan", "Somalia"]
    assert vote["against"] == []
    assert "United Kingdom of Great Britain and Northern Ireland" in vote["in_favour"]
    assert vote["draft"] == "S/2026/50"
    assert meeting["page_count"] == 3 and len(meeting["members"]) == 14


# Facts checked by eye against the PDFs, so that a regenerated golden file cannot silently
# bless a regression in what matters most.


def test_vote_8700_amendment_then_resolution(parsed):
    amendment, resolution = parsed["S_PV.8700_E.pdf"]["votes"]
    assert (amendment["subject"], amendment["result"], amendment["tally"]) == (
        "amendment",
        "not adopted",
        "3-7-5",
    )
    assert amendment["in_favour"] == ["China", "Russian Federation", "Viet Nam"]
    assert amendment["abstaining"] == [
        "Indonesia",
        "Niger",
        "Saint Vincent and the Grenadines",
        "South Africa",
        "Tunisia",
    ]
    assert (
        resolution["draft"],
        resolution["result"],
        resolution["resolution"],
        resolution["tally"],
    ) == (
        "S/2020/24",
        "adopted",
        "2504 (2020)",
        "11-0-4",
    )
    assert resolution["abstaining"] == [
        "China",
        "Russian Federation",
        "United Kingdom of Great Britain and Northern Ireland",
        "United States of America",
    ]


def test_vote_8701_unanimous(parsed):
    (vote,) = parsed["S_PV.8701_E.pdf"]["votes"]
    assert (vote["draft"], vote["result"], vote["resolution"], vote["tally"]) == (
        "S/2020/27",
        "adopted",
        "2505 (2020)",
        "15-0-0",
    )
    assert "2505 (2020)" in parsed["S_PV.8701_E.pdf"]["mentions"]["resolutions"]


def test_cover_8699(parsed):
    meeting = parsed["S_PV.8699_E.pdf"]
    assert meeting["president"] == {"name": "Mr. Pham Binh Minh/Mr. Dang", "country": "Viet Nam"}
    assert (meeting["date"], meeting["time"], meeting["place"]) == (
        "2020-01-09",
        "10:00",
        "New York",
    )
    assert meeting["members"][0] == {"country": "Belgium", "name": "Mr. Pecsteen de Buytswerve"}
    assert meeting["agenda"][-1].endswith("(S/2020/1)")
    assert parsed["S_PV.8699(Resumption1)_E.pdf"]["symbol"] == "S/PV.8699 (Resumption 1)"
    assert parsed["S_PV.8699(Resumption1)_E.pdf"]["resumption"] == 1


@pytest.mark.parametrize("name", [pdf.name for pdf in PDFS])
def test_no_running_headers_or_footers_leak(parsed, name):
    for speech in parsed[name]["speeches"]:
        for paragraph in speech["text"].split("\n\n"):
            assert not paragraph.startswith(("S/PV.", "S/PV. ")), paragraph
        for marker in ("20-00", "/2020 ", "*20", "Corrections should be submitted"):
            assert not any(
                line.strip().startswith(marker) for line in speech["text"].split("\n")
            ), marker
        assert "\f" not in speech["text"]


def test_speakers_and_roles(parsed):
    speeches = parsed["S_PV.8699_E.pdf"]["speeches"]
    by_speaker = {s["speaker"]: s for s in speeches}
    assert by_speaker["The Secretary-General"]["role"] == "un"
    assert (by_speaker["Mr. Skoog"]["country"], by_speaker["Mr. Skoog"]["role"]) == (
        "European Union",
        "invited",
    )
    assert by_speaker["Mrs. Robinson"]["role"] == "other"
    assert by_speaker["Ms. Juul"]["on_behalf_of"] == "the Nordic countries"
    president = speeches[0]
    assert (president["speaker"], president["country"], president["role"]) == (
        "The President",
        "Viet Nam",
        "president",
    )
    lowcock = parsed["S_PV.8707_E.pdf"]["speeches"][1]
    assert (lowcock["speaker"], lowcock["country"], lowcock["role"]) == ("Mr. Lowcock", None, "un")
    nebenzia = parsed["S_PV.8700_E.pdf"]["speeches"][1]
    assert nebenzia["attribution"] == "Mr. Nebenzia (Russian Federation) (spoke in Russian)"
    assert (nebenzia["spoke_in"], nebenzia["role"]) == ("Russian", "member")
