"""The conventions of each period, asserted on the synthetic text records of
``tests/parsing/fixtures/`` (their golden files hold the whole parse; these name the facts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.parsing import parse_text

FIXTURES = Path(__file__).parent / "fixtures"


def parse(name: str):
    return parse_text((FIXTURES / name).read_text(encoding="utf-8"))


def test_official_records_numbered_paragraphs_present_list_and_footnoted_resolution():
    meeting = parse("1973_official_records_text.txt")
    assert [s.attribution for s in meeting.speeches][:3] == [
        "The PRESIDENT",
        "Mr. SCALI (United States of America)",
        "Mr. MALIK (Union of Soviet Socialist Republics) (translated from Russian)",
    ]
    assert meeting.speeches[2].spoke_in == "Russian"
    # "Present:" lists all fifteen, the presidency's State (Australia) among them.
    assert len(meeting.members) == 15 and meeting.members[-1].country == "Yugoslavia"
    assert meeting.agenda == ["The situation in the Middle East"]
    (vote,) = meeting.votes
    assert (vote.draft, vote.resolution, vote.tally) == ("S/11036", "338 (1973)", "14-0-0")
    assert meeting.accounting["unplaced"] == 0 and meeting.checks == []


def test_a_1990s_header_over_two_lines_never_enters_a_speech():
    meeting = parse("1995_provisional_copied_text.txt")
    honduras = next(s for s in meeting.speeches if s.country == "Honduras")
    assert honduras.spoke_in == "Spanish"
    assert honduras.text.endswith("fully supports the peace process.")
    assert all("Fiftieth year" not in s.text for s in meeting.speeches)
    (vote,) = meeting.votes
    assert (vote.resolution, vote.tally, len(vote.in_favour)) == ("976 (1995)", "15-0-0", 15)


def test_a_resumption_with_observers_and_an_official_named_by_the_president():
    meeting = parse("2003_resumption_text.txt")
    assert (meeting.meeting_number, meeting.resumption) == (4701, 1)
    roles = {s.speaker: (s.country, s.role) for s in meeting.speeches}
    assert roles["Archbishop Migliore"] == ("Holy See", "invited")
    assert roles["Mr. Al-Kidwa"] == ("Palestine", "invited")
    (vote,) = meeting.votes
    assert vote.against == [] and vote.abstaining == ["United States of America"]
    assert "A/RES/55/2" in meeting.mentions.documents


@pytest.mark.parametrize("word", ["unbalanced"])
def test_a_2010s_veto_and_a_word_broken_at_a_line_end(word):
    meeting = parse("2013_spoke_in_text.txt")
    (vote,) = meeting.votes
    assert (vote.result, vote.against) == ("vetoed", ["China", "Russian Federation"])
    assert word in meeting.speeches[2].text
    assert all("13-39000" not in s.text and "15/07/2013" not in s.text for s in meeting.speeches)
