"""Votes: the lists of members by position and the President's announcement of the result.

Forms of every period:

- "A vote was taken by show of hands." / "A recorded vote was taken." (procedure)
- "In favour:" / "Against:" / "Abstaining:" (or "Abstentions:", "Did not participate:")
  followed by the members, on the same line (1990s-2020) or on their own, indented (2021 on),
  as one paragraph or spread over columns and pages, separated by commas and by "and".
- The tally: "The draft resolution received 13 votes in favour, none against and 2
  abstentions" (2000s on), "The result of the voting is as follows: 14 votes in favour, 1
  against and no abstentions" (1990s), "adopted by 13 votes to none, with 2 abstentions"
  (older records and procedural notes), "received 15 votes in favour" (unanimous).
- The outcome: "has been adopted (unanimously) as resolution 2467 (2019)", "has not been
  adopted, owing to the negative vote of a permanent member" (a veto), "has not been adopted,
  having failed to obtain the required number of votes".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .states import split_states

VOTE_HEAD = re.compile(
    r"^(?P<kind>In favour|Against|Abstaining|Abstentions|Abstention|Did not participate"
    r"(?: in the voting)?|Not participating|Present and not voting|Absent)\s*:\s*(?P<rest>.*)$",
    re.S,
)
# A heading anywhere in a line (text flattened to one line per speech).
VOTE_HEAD_INSIDE = re.compile(
    r"(?<![\w])(?:In favour|Against|Abstaining|Abstentions|Did not participate"
    r"(?: in the voting)?|Not participating)\s*:"
)
KIND = {
    "In favour": "in_favour",
    "Against": "against",
    "Abstaining": "abstaining",
    "Abstentions": "abstaining",
    "Abstention": "abstaining",
}
# A vote on a draft (not an election by secret ballot, whose results are candidates' votes).
VOTE_TAKEN = re.compile(
    r"^A (?:recorded )?vote (?:was|has been) taken\b(?!.*secret ballot)", re.IGNORECASE
)

_NUMBER_WORDS = {
    "no": 0,
    "none": 0,
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
}
_N = r"(?:\d{1,3}|none|no|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen)"

# "13 votes in favour, none against and 2 abstentions", "14 votes in favour, 1 against, with
# no abstentions", "15 votes in favour" (and nothing else: unanimity).
_TALLY = re.compile(
    rf"(?P<f>{_N})\s+votes?\s+in\s+favou?r"
    rf"(?:\s*,?\s*(?P<a>{_N})\s+(?:votes?\s+)?against)?"
    rf"(?:\s*,?\s*(?:and|with)?\s*(?P<b>{_N})\s+abstentions?)?",
    re.IGNORECASE,
)
# "adopted by 13 votes to none, with 2 abstentions", "by 11 votes to 2, with 2 abstentions".
_TALLY_TO = re.compile(
    rf"\bby\s+(?P<f>{_N})\s+votes?\s+to\s+(?P<a>{_N})"
    rf"(?:\s*,?\s*(?:with|and)\s+(?P<b>{_N})\s+abstentions?)?",
    re.IGNORECASE,
)
_ADOPTED_AS = re.compile(
    r"adopted\s+(?:\w+\s+){0,2}as\s+resolution\s+(?P<n>\d{1,4})\s*\((?P<y>\d{4})\)"
)
# "owing to the negative vote of a permanent member" (of two, three permanent members), "the
# negative vote being that of a permanent member" (Official Records), "cast by".
_VETO = re.compile(
    r"negative\s+votes?\s+(?:of|cast\s+by|(?:being|having\s+been)\s+(?:that|those)\s+of)\s+"
    r"(?:(?:a|one|two|three|four|five|\d)\s+)?(?:of\s+(?:its|the)\s+)?permanent\s+members?"
)
_REJECTED = re.compile(
    r"not\s+(?:been\s+)?adopted|failed\s+to\s+obtain|was\s+rejected|has\s+been\s+rejected|"
    r"not\s+(?:been\s+)?(?:approved|carried)"
)
_ADOPTED = re.compile(r"(?:has\s+been|is|was|stands|have\s+been)\s+(?:\w+\s+)?(?:adopted|approved)")
_UNANIMOUS = re.compile(r"\badopted\s+unanimously|\bunanimously\s+adopted|\bunanimous")


@dataclass(frozen=True)
class Announcement:
    """What the President (or a procedural note) says of a vote's result."""

    tally: tuple[int, int, int] | None
    outcome: str | None  # adopted / not adopted / vetoed
    resolution: str | None  # "2467 (2019)"
    unanimous: bool


def number(word: str | None) -> int | None:
    """A count printed in figures or words."""
    if word is None:
        return None
    word = word.lower()
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word)


def read_announcement(text: str) -> Announcement | None:
    """Read the tally and the outcome from the words that follow a vote."""
    text = " ".join(text.split())
    match = _TALLY.search(text) or _TALLY_TO.search(text)
    tally = None
    if match:
        counts = (number(match["f"]), number(match["a"]), number(match["b"]))
        if counts[0] is not None:
            tally = (counts[0], counts[1] or 0, counts[2] or 0)
    adopted = _ADOPTED_AS.search(text)
    outcome = None
    resolution = None
    if adopted:
        outcome, resolution = "adopted", f"{int(adopted['n'])} ({adopted['y']})"
    elif _VETO.search(text):
        outcome = "vetoed"
    elif _REJECTED.search(text):
        outcome = "not adopted"
    elif _ADOPTED.search(text):
        outcome = "adopted"
    unanimous = bool(_UNANIMOUS.search(text))
    if tally is None and outcome is None:
        return None
    return Announcement(tally, outcome, resolution, unanimous)


def vote_names(text: str, known: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The members in one position's list, as printed."""
    return split_states(text, known)
