"""The parser's self-checks: each one raised by the record that should raise it, with the right
severity and place, and none on a clean record."""

from __future__ import annotations

import json

import pytest

from archive.parsing import Severity, parse_text

COVER = """United Nations S/PV.9400
Security Council
Seventy-eighth year
9400th meeting
Tuesday, 15 August 2023, 10 a.m.
New York

President: Mr. Wood . . . . . . (United States of America)

Members: Albania . . . . . . Mr. Hoxha
Brazil . . . . . . Mr. França Danese
China . . . . . . Mr. Geng Shuang
Ecuador . . . . . . Mr. Pérez Loose
France . . . . . . Mr. De Rivière
Gabon . . . . . . Ms. Koumby Missambo
Ghana . . . . . . Mr. Agyeman
Japan . . . . . . Mr. Ishikane
Malta . . . . . . Ms. Frazier
Mozambique . . . . . . Mr. Fernandes
Russian Federation . . . . . . Mr. Nebenzia
Switzerland . . . . . . Mrs. Baeriswyl
United Arab Emirates . . . . . . Mrs. Nusseibeh
United Kingdom of Great Britain and Northern Ireland . . . . . . Dame Barbara Woodward

Agenda

The situation in the Middle East

This record contains the text of speeches delivered in English.
{FORM_FEED}
The meeting was called to order at 10.05 a.m.

The President: In accordance with rule 37 of the Council’s provisional rules of procedure, I
invite the representative of Lebanon to participate in this meeting.

I shall put the draft resolution contained in document S/2023/590 to the vote now.

A vote was taken by show of hands.

In favour:
{IN_FAVOUR}

Against:
None

Abstaining:
{ABSTAINING}

The President: The draft resolution received {ANNOUNCED} in favour, none against and 2
abstentions. The draft resolution has been adopted as resolution 2695 (2023).

I now give the floor to the representative of Lebanon.

Mr. Hajjar (Lebanon) (spoke in Arabic): Lebanon thanks the members of the Council.

The meeting rose at 10.55 a.m.
"""

IN_FAVOUR = (
    "Albania, Brazil, Ecuador, France, Gabon, Ghana, Japan, Malta, Mozambique, Switzerland, "
    "United Arab Emirates, United Kingdom of Great Britain and Northern Ireland and United "
    "States of America"
)


def record(**changes) -> str:
    values = {"IN_FAVOUR": IN_FAVOUR, "ABSTAINING": "China and Russian Federation"}
    values["FORM_FEED"] = "\f"  # the cover is page 1
    values["ANNOUNCED"] = "13 votes"
    values.update(changes)
    text = COVER
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def codes(text: str) -> dict[str, list]:
    meeting = parse_text(text)
    found: dict[str, list] = {}
    for check in meeting.checks:
        found.setdefault(check.code, []).append(check)
    return found


def test_a_clean_record_raises_nothing():
    meeting = parse_text(record())
    assert meeting.checks == []
    assert json.loads(json.dumps(meeting.to_dict()))["checks"] == []


def test_lists_against_the_announced_tally():
    found = codes(record(ANNOUNCED="14 votes"))
    (check,) = found["vote_tally_mismatch"]
    assert check.severity is Severity.ERROR
    assert "13-0-2" in check.message and "14-0-2" in check.message
    assert check.page == 2


def test_member_not_on_the_cover_and_a_swallowed_heading():
    found = codes(record(ABSTAINING="China and Russian Federation and Lebanon"))
    assert [c.excerpt for c in found["vote_member_not_on_cover"]] == ["Lebanon"]
    assert found["vote_tally_mismatch"]  # 13-0-3 listed, 13-0-2 announced


def test_member_voting_twice_and_more_than_fifteen():
    found = codes(record(ABSTAINING="China, Russian Federation, France, Japan, Malta"))
    assert {c.excerpt for c in found["vote_member_twice"]} == {"France", "Japan", "Malta"}
    (too_many,) = found["vote_too_many"]
    assert "18 members" in too_many.message


def test_missing_lists():
    text = record().replace("In favour:\n" + IN_FAVOUR + "\n\n", "")
    text = text.replace("Against:\nNone\n\nAbstaining:\nChina and Russian Federation\n\n", "")
    found = codes(text)
    assert "vote_lists_missing" in found or "vote_tally_mismatch" in found


def test_label_inside_a_speech_is_a_missed_turn():
    text = record().replace(
        "Lebanon thanks the members of the Council.",
        "Lebanon thanks the members of the Council Mr. Nebenzia (Russian Federation) (spoke in "
        "Russian): We abstained.",
    )
    (check,) = codes(text)["label_inside_speech"]
    assert check.severity is Severity.ERROR and check.speech == 3
    assert "Mr. Nebenzia (Russian Federation) (spoke in Russian)" in check.message


def test_invited_and_never_heard_never_invited_and_the_wrong_floor():
    text = record().replace(
        "invite the representative of Lebanon", "invite the representatives of Lebanon and Egypt"
    )
    text = text.replace(
        "Mr. Hajjar (Lebanon) (spoke in Arabic)", "Mr. Sabbagh (Syrian Arab Republic)"
    )
    found = codes(text)
    (silent,) = found["invited_not_heard"]
    assert silent.severity is Severity.INFO and "Lebanon; Egypt" in silent.message
    (uninvited,) = found["speaker_not_invited"]
    assert uninvited.severity is Severity.WARNING and uninvited.speech == 3
    (floor,) = found["floor_mismatch"]
    assert "Lebanon" in floor.message and floor.speech == 3


@pytest.mark.parametrize(
    ("floor", "warned"),
    [
        ("I now give the floor to Ms. Rosemary DiCarlo, Under-Secretary-General.", False),
        ("I now give the floor to the next speaker.", True),
        ("Mr. President, I thank Ms. Brown for her briefing.", True),  # another name
    ],
)
def test_a_speaker_given_the_floor_by_name_needs_no_invitation(floor, warned):
    text = record().replace(
        "The meeting rose at",
        f"The President: {floor}\n\nMs. DiCarlo: Thank you.\n\nThe meeting rose at",
    )
    assert ("speaker_not_invited" in codes(text)) is warned


def test_unplaced_text_is_an_error():
    text = record().replace(
        "The meeting was called to order at 10.05 a.m.",
        "The meeting was called to order at 10.05 a.m.\n\nA stray paragraph no speaker claims.",
    )
    meeting = parse_text(text)
    assert meeting.unplaced == [{"page": 2, "text": "A stray paragraph no speaker claims."}]
    (check,) = [c for c in meeting.checks if c.code == "unplaced_text"]
    assert check.severity is Severity.ERROR and check.page == 2


def test_ocr_noise_on_a_page_is_an_error():
    noise = " ".join(["tbe Counc1l bas ~ad0pted |he rcso1ution wbicb ^~ %% !! {}"] * 12)
    text = record().replace(
        "The meeting rose at 10.55 a.m.", "\f" + noise + "\n\nThe meeting rose at 10.55 a.m."
    )
    found = codes(text)
    (check,) = found["ocr_noise"]
    assert check.severity is Severity.ERROR and check.page == 3


def test_checks_serialise_with_their_place():
    meeting = parse_text(record(ANNOUNCED="14 votes"))
    (data,) = meeting.to_dict()["checks"]
    assert set(data) == {"severity", "code", "message", "page", "speech", "excerpt"}
    assert data["severity"] == "error"


@pytest.mark.parametrize("severity", list(Severity))
def test_severity_round_trip(severity):
    from archive.parsing.checks import Check

    check = Check(severity, "code", "message", page=1)
    assert Check.from_dict(check.to_dict()) == check


def test_unanimity_announced_against_abstentions_listed():
    text = record().replace(
        "received 13 votes in favour, none against and 2\nabstentions. The draft resolution has "
        "been adopted as",
        "has been adopted unanimously as",
    )
    meeting = parse_text(text)
    assert meeting.votes[0].announced_tally == "15-0-0"
    assert [c.code for c in meeting.checks] == ["vote_tally_mismatch"]


def test_a_vote_whose_lists_and_result_cannot_be_read_is_not_invented():
    text = record()
    text = text[: text.index("In favour:")] + "The meeting rose at 10.55 a.m.\n"
    meeting = parse_text(text)
    assert meeting.votes == []
    (check,) = [c for c in meeting.checks if c.code == "vote_not_read"]
    assert check.severity is Severity.ERROR and check.page == 2


def test_an_election_by_secret_ballot_is_not_a_vote_on_a_draft():
    text = record().replace(
        "A vote was taken by show of hands.", "A vote was taken by secret ballot."
    )
    text = text[: text.index("In favour:")] + "The meeting rose at 10.55 a.m.\n"
    meeting = parse_text(text)
    assert meeting.votes == [] and "vote_not_read" not in [c.code for c in meeting.checks]
