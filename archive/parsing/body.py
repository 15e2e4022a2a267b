"""The record's body read paragraph by paragraph: headings, procedure, votes and speaker turns.

One grammar for the PDF and the plain-text paths. Each paragraph is placed in exactly one
bucket (heading, procedure, vote, speech) or, when it fits none, "unplaced", which the checks
report as an error: text before the first speaker turn that is not a heading or procedure, or
text after a vote that no speaker label claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .labels import LANGUAGE_SWITCH, SpeakerLabel, labels_ahead, match_label
from .lines import Paragraph, Vocabulary
from .procedure import PROCEDURE, STRONG_PROCEDURE, Headings
from .states import fold, is_state, split_states
from .votes import KIND, VOTE_HEAD, VOTE_HEAD_INSIDE, VOTE_TAKEN

_SENTENCE_END = '.:”)?!"’'
# A line ending in an honorific ("... the President, Mr.") has not finished its sentence.
_ABBREVIATION = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Msgr|St|No|Nos|para|paras|Art|Vol|p|pp)\.$")


@dataclass
class Turn:
    """A speaker turn: its label, the page it starts on and its paragraphs of text."""

    label: SpeakerLabel
    page: int | None
    texts: list[str] = field(default_factory=list)


@dataclass
class VoteBlock:
    """The lists of one vote as printed, and where the vote stands."""

    after_speech: int
    page: int | None
    lists: dict[str, list[str]] = field(
        default_factory=lambda: {
            "in_favour": [],
            "against": [],
            "abstaining": [],
            "not_participating": [],
        }
    )
    notes: list[str] = field(default_factory=list)  # procedure that followed it (older forms)
    raw: dict[str, str] = field(default_factory=dict)  # each list's text, over paragraphs


@dataclass
class Note:
    """A procedural note or a heading, after the speech with sequence ``after_speech``."""

    after_speech: int
    text: str
    page: int | None


@dataclass
class Body:
    """What the body holds, in order within each kind."""

    turns: list[Turn] = field(default_factory=list)
    procedure: list[Note] = field(default_factory=list)
    headings: list[Note] = field(default_factory=list)
    votes: list[VoteBlock] = field(default_factory=list)


def opener(headings: Headings):
    """The rule that opens a paragraph inside a run of lines with no layout break (text with no
    blank lines): a vote heading, a procedural note or a speaker label with a State or office
    always; a plainer label or a heading after a finished sentence or a heading."""

    def opens(line: str, ahead: str, previous: str) -> bool:
        numbered = _NUMBERED.match(line)
        if not line[:1].isupper() and line[:1] not in "([“" and not numbered:
            return False  # every opener starts with a capital, a bracket or a paragraph number
        if VOTE_HEAD.match(line) or STRONG_PROCEDURE.match(line):
            return True
        label = match_label(ahead)
        if label and (label.office or label.country or label.spoke_in):
            return True
        finished = previous[-1:] in _SENTENCE_END and not _ABBREVIATION.search(previous)
        if not (finished or headings.is_line(previous)):
            return False
        return bool(label or numbered or PROCEDURE.match(line) or headings.is_line(line))

    return opens


# A numbered paragraph of the Official Records ("12. The Soviet Union ...").
_NUMBERED = re.compile(r"^\d{1,4}\.\s+[A-Z“(]")


# Where a long line (text flattened to one line per speech) holds several units.
_INLINE = re.compile(
    r"(?<=[.!?”)])\s+(?=(?:A (?:recorded )?vote (?:was|has been) taken\b|The meeting (?:rose|was "
    r"suspended|was called to order|was resumed|resumed|was adjourned)\b|The agenda was adopted\b|"
    r"At the invitation of the President\b|In favour\s*:))"
)


def inline_cuts(text: str) -> list[int]:
    """Positions in a long line where a procedural note, a vote heading or (after a vote list)
    the President's label begins."""
    cuts = {m.end() for m in _INLINE.finditer(text)}
    first_head = text.find("In favour")
    if first_head >= 0:
        cuts |= {m.start() for m in VOTE_HEAD_INSIDE.finditer(text) if m.start() > first_head}
        cuts |= set(labels_ahead(text, first_head))
    return sorted(c for c in cuts if 0 < c < len(text))


class _Reader:
    """The walk over the body's paragraphs."""

    def __init__(self, vocabulary: Vocabulary, headings: Headings, council: list[str]) -> None:
        self.vocabulary = vocabulary
        self.headings = headings
        self.council = council
        self.body = Body()
        self.vote: VoteBlock | None = None
        self.kind: str | None = None

    def read(self, paragraphs: list[Paragraph]) -> Body:
        for paragraph in paragraphs:
            self._one(paragraph)
        self._close_vote()
        return self.body

    def _one(self, paragraph: Paragraph) -> None:
        flat = paragraph.flat
        label = match_label(flat) or match_label(paragraph.glued)
        after = len(self.body.turns)
        if not label and self.headings.match(flat):
            self._note(self.body.headings, paragraph, "heading")
            return
        head = VOTE_HEAD.match(flat)
        if head and (self.vote is not None or head["kind"] == "In favour"):
            if self.vote is None:
                self.vote = VoteBlock(after, paragraph.page)
            self.kind = KIND.get(head["kind"], "not_participating")
            self._list(paragraph, head["rest"])
            return
        if self.vote is not None and self.kind and not label and self._continues_list(flat):
            self._list(paragraph, flat)
            return
        if self._is_procedure(flat, label):
            self._close_vote()
            if self.body.votes and self.body.votes[-1].after_speech == after:
                self.body.votes[-1].notes.append(flat)
            self._note(self.body.procedure, paragraph, "procedure")
            if VOTE_TAKEN.match(flat):
                self.vote = VoteBlock(after, paragraph.page)
            return
        if not label and paragraph.bold and self.headings.match(flat, bold=True):
            self._note(self.body.headings, paragraph, "heading")
            return
        self._close_vote()
        if label:
            self.body.turns.append(Turn(label, paragraph.page))
            remainder = _strip_label(paragraph.texts, label)
            if remainder:
                self.body.turns[-1].texts.append(self.vocabulary.text(remainder))
            paragraph.place("speech")
            return
        if self.body.turns and not self._after_vote():
            text = self.vocabulary.text(paragraph.texts)
            if text:
                self.body.turns[-1].texts.append(text)
            paragraph.place("speech")
            return
        paragraph.place("unplaced")

    def _note(self, notes: list[Note], paragraph: Paragraph, bucket: str) -> None:
        self._close_vote()
        notes.append(
            Note(len(self.body.turns), self.vocabulary.text(paragraph.texts), paragraph.page)
        )
        paragraph.place(bucket)

    def _is_procedure(self, flat: str, label) -> bool:
        if label:
            return False
        if LANGUAGE_SWITCH.match(flat):
            return not self.body.turns  # inside a turn, "(spoke in English)" is its text
        return bool(PROCEDURE.match(flat))

    def _after_vote(self) -> bool:
        """Whether the last thing read was a vote (text after it needs a label of its own)."""
        if not self.body.votes:
            return False
        return self.body.votes[-1].after_speech == len(self.body.turns)

    def _is_list(self, flat: str) -> bool:
        """Whether a paragraph continues a vote list: names of States, not sentences."""
        names = split_states(flat, self.council)
        if not names:
            return fold(flat) in {"none", "-"}
        known = [is_state(n, self.council) for n in names]
        plain = all(
            k or (len(n.split()) <= 8 and n[:1].isupper())
            for k, n in zip(known, names, strict=True)
        )
        return sum(known) * 2 >= len(names) and plain

    def _continues_list(self, flat: str) -> bool:
        """Whether a paragraph continues the open list, a name broken across a column or page
        ("Saint Vincent and" / "the Grenadines") included."""
        raw = self.vote.raw.get(self.kind, "").rstrip()
        tail = ""
        if raw and raw[-1] not in ",.;:":
            last = split_states(raw, self.council)[-1:] or [""]
            if not is_state(last[0], self.council) or raw.endswith((" and", " of", " the")):
                tail = last[0]
        return self._is_list(f"{tail} {flat}".strip())

    def _list(self, paragraph: Paragraph, text: str) -> None:
        """Add ``text`` to the open list (split into names when the vote closes)."""
        self.vote.raw[self.kind] = f"{self.vote.raw.get(self.kind, '')} {text}".strip()
        paragraph.place("vote")

    def _close_vote(self) -> None:
        if self.vote is not None:
            for kind, text in self.vote.raw.items():
                self.vote.lists[kind] = split_states(text, self.council)
            self.body.votes.append(self.vote)
        self.vote = None
        self.kind = None


def read_body(
    paragraphs: list[Paragraph], vocabulary: Vocabulary, headings: Headings, council: list[str]
) -> Body:
    """Read the body's paragraphs, placing each."""
    return _Reader(vocabulary, headings, council).read(paragraphs)


def _strip_label(lines: list[str], label: SpeakerLabel) -> list[str]:
    """Remove the label from the first lines of a paragraph, keeping the line structure."""
    joined = "\n".join(lines)
    # The label was matched on whitespace-normalised text (perhaps with a broken word glued);
    # walk the same number of characters, spaces and hyphens aside, through the original,
    # up to the label's closing colon.
    consumed = len(re.sub(r"[\s-]", "", label.attribution))
    count = 0
    cut = len(joined)
    for index, char in enumerate(joined):
        if count >= consumed and char == ":":
            cut = index + 1
            break
        if not char.isspace() and char != "-":
            count += 1
    rest = joined[cut:].lstrip()
    return [line for line in rest.split("\n") if line.strip()] if rest else []
