"""A verbatim record's lines -> ParsedMeeting dataclasses.

``_parse`` reads as the parser's layers, in order: the lines (from the PDF's page geometry or the
plain-text form), the cover, the body's grammar (headings, procedure, votes, speaker turns), the
speeches and their attribution, the votes and their announcements, the accounting of every line,
and the self-checks.
"""

from __future__ import annotations

import contextlib
import datetime
import re
from dataclasses import asdict, dataclass, field

from .body import Body, VoteBlock, inline_cuts, opener, read_body
from .checks import Check, run_checks
from .cover import NOTICE, OTHER_RECORD, SYMBOL, Cover, parse_cover
from .errors import NotAVerbatimRecord
from .labels import match_label
from .lines import (
    BODY,
    HEADER,
    Accounting,
    Line,
    Paragraph,
    Vocabulary,
    account,
    paragraphs,
    split_inline,
    text_lines,
)
from .participants import (
    PERMANENT,
    ParsedInvitation,
    attribute,
    attribute_from_invitations,
    floor_given,
    invitations,
    merge_invitations,
    on_behalf_of,
    seats_taken,
    surname_key,
)
from .procedure import PROCEDURE, Headings
from .scans import noisy_pages
from .states import same_state
from .symbols import ParsedMentions, find_mentions
from .votes import read_announcement

__all__ = [
    "ParsedInvitation",
    "ParsedMeeting",
    "ParsedMember",
    "ParsedPresident",
    "ParsedProcedure",
    "ParsedSpeech",
    "ParsedVote",
    "attribute_from_invitations",
    "match_label",
    "parse_text",
]


@dataclass
class ParsedPresident:
    """The President of the meeting and the State holding the presidency."""

    name: str
    country: str | None


@dataclass
class ParsedMember:
    """A Council member State and its representative at the meeting."""

    country: str
    name: str


@dataclass
class ParsedSpeech:
    """One speaker turn."""

    sequence: int
    attribution: str
    speaker: str
    speaker_title: str | None
    country: str | None
    role: str
    spoke_in: str | None
    on_behalf_of: str | None
    page: int | None
    text: str
    mentions: ParsedMentions = field(default_factory=ParsedMentions)


@dataclass
class ParsedProcedure:
    """A procedural note (or a heading), placed after the speech with sequence `after_speech`
    (0 = before all)."""

    after_speech: int
    text: str


@dataclass
class ParsedVote:
    """A vote and its outcome: the lists as printed and the tally the President announced."""

    draft: str | None
    subject: str
    in_favour: list[str]
    against: list[str]
    abstaining: list[str]
    not_participating: list[str]
    result: str
    resolution: str | None
    tally: str | None  # from the lists ("13-0-2"), or the announcement when there are none
    after_speech: int
    announced_tally: str | None = None  # as the President announced it
    page: int | None = None


@dataclass
class ParsedMeeting:
    """A whole verbatim record, with where every line went and what looks wrong."""

    symbol: str
    meeting_number: int
    resumption: int | None
    date: datetime.date | None
    time: str | None
    place: str | None
    president: ParsedPresident | None
    members: list[ParsedMember]
    agenda: list[str]
    invitations: list[ParsedInvitation]
    speeches: list[ParsedSpeech]
    procedure: list[ParsedProcedure]
    votes: list[ParsedVote]
    mentions: ParsedMentions
    page_count: int
    language: str = "English"
    headings: list[ParsedProcedure] = field(default_factory=list)
    accounting: dict[str, int] = field(default_factory=dict)
    unplaced: list[dict] = field(default_factory=list)  # {"page": n, "text": "..."}
    checks: list[Check] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Return the JSON-ready form (the importer's and the golden files' contract)."""
        return {
            "symbol": self.symbol,
            "meeting_number": self.meeting_number,
            "resumption": self.resumption,
            "date": self.date.isoformat() if self.date else None,
            "time": self.time,
            "place": self.place,
            "president": asdict(self.president) if self.president else None,
            "members": [asdict(m) for m in self.members],
            "agenda": list(self.agenda),
            "invitations": [asdict(i) for i in self.invitations],
            "speeches": [
                {**{k: v for k, v in asdict(s).items() if k != "mentions"}}
                | {"mentions": s.mentions.to_dict()}
                for s in self.speeches
            ],
            "procedure": [asdict(p) for p in self.procedure],
            "headings": [asdict(h) for h in self.headings],
            "votes": [asdict(v) for v in self.votes],
            "mentions": self.mentions.to_dict(),
            "page_count": self.page_count,
            "language": self.language,
            "accounting": dict(self.accounting),
            "unplaced": list(self.unplaced),
            "checks": [check.to_dict() for check in self.checks],
        }


def parse_text(text: str) -> ParsedMeeting:
    """Parse the text form of an English Security Council verbatim record."""
    return _parse(text, page_count=None)


def _parse(
    source: str | list[Line], *, page_count: int | None, scanned_pages: list[int] = ()
) -> ParsedMeeting:
    """Parse a record given as its text form or as the lines of its pages' geometry
    (``scanned_pages``: pages that are images under a text layer good enough to read)."""
    # 1. Lines: from the page geometry, or from the text form; long lines cut into units.
    lines = text_lines(source) if isinstance(source, str) else source
    lines = split_inline(lines, inline_cuts)
    vocabulary = Vocabulary(line.flat for line in lines if line.role == BODY)
    # 2. The cover: what the record is (or is not).
    paged = any(line.page for line in lines)
    cover_part, body_lines = _split_cover(paragraphs(lines, opener(Headings([]))), paged=paged)
    cover = parse_cover(cover_part, vocabulary)
    _from_running_headers(cover, lines)
    _refuse_other_records(cover, lines)
    # 3. The body's grammar: headings, procedure, votes, speaker turns, every line placed.
    headings = Headings(cover.agenda)
    council: list[str] = []
    for state in [*(m for m, _ in cover.members), cover.president_country]:
        # The Official Records list the presidency's State among those present.
        if state and not any(same_state(state, seen) for seen in council):
            council.append(state)
    body = read_body(paragraphs(body_lines, opener(headings)), vocabulary, headings, council)
    if not body.turns and not body.procedure:
        raise NotAVerbatimRecord()
    # 4. Speeches attributed, votes completed from the words around them.
    speeches, invited = _speeches(body, cover, council)
    completed = [_vote(block, speeches, len(council)) for block in body.votes]
    votes = [vote for vote in completed if vote is not None]
    _resolutions_from_footnotes(votes, body, lines)
    unread = [block.page for block, vote in zip(body.votes, completed, strict=True) if vote is None]
    # 5. Where every line went, and the self-checks.
    accounting = account(lines)
    meeting = _meeting(cover, speeches, body, votes, invited, accounting, page_count, lines)
    meeting.checks = run_checks(
        meeting, accounting, noisy_pages(lines), list(scanned_pages), unread_votes=unread
    )
    return meeting


# "* See resolution 338 (1973)." (Official Records): the footnote that numbers a resolution
# whose adoption the record announces with a marker ("adopted by 14 votes to none.*").
_FOOTNOTE = re.compile(
    r"(?:^|\s)(?:\*{1,3}|\d{1,2}/)\s*See\s+resolution\s+(?P<n>\d{1,4})\s*\((?P<y>\d{4})\)"
)
_MARKED = re.compile(r"adopted\b[^.]*\.?\s?(?:\*{1,3}|\d{1,2}/)")


def _resolutions_from_footnotes(votes: list[ParsedVote], body: Body, lines: list[Line]) -> None:
    """Number adopted votes from the record's footnotes when the announcement carries a
    footnote marker and no number: in order, and only when the counts agree (no guess)."""
    waiting = [vote for vote in votes if vote.result == "adopted" and not vote.resolution]
    if not waiting:
        return
    marked = [n for n in body.procedure if _MARKED.search(n.text)]
    footnotes = [
        f"{int(m['n'])} ({m['y']})" for line in lines for m in _FOOTNOTE.finditer(line.flat)
    ]
    footnotes = list(dict.fromkeys(footnotes))
    if marked and len(footnotes) == len(waiting):
        for vote, resolution in zip(waiting, footnotes, strict=True):
            vote.resolution = resolution


def _from_running_headers(cover: Cover, lines: list[Line]) -> None:
    """Text copied without its cover still names the record in its running headers
    ("S/PV.9400 The situation in the Middle East 15/08/2023"): the symbol and date come from
    there (the members stay unknown, which the checks report)."""
    if cover.symbol is not None:
        return
    for line in lines:
        if line.role != HEADER:
            continue
        match = SYMBOL.search(line.flat)
        if match:
            cover.meeting_number = int(match["number"])
            cover.resumption = int(match["resumption"]) if match["resumption"] else None
            cover.symbol = f"S/PV.{cover.meeting_number}" + (
                f" (Resumption {cover.resumption})" if cover.resumption else ""
            )
            day = re.search(r"\b(\d{2})/(\d{2})/(\d{4})\b", line.flat)
            if day and cover.date is None:
                with contextlib.suppress(ValueError):
                    cover.date = datetime.date(int(day[3]), int(day[2]), int(day[1]))
            return


def _refuse_other_records(cover: Cover, lines: list[Line]) -> None:
    """Refuse what is not a Security Council verbatim record, naming it when it is another
    organ's record (a General Assembly plenary, 1993: its symbol at the foot of page 1)."""
    if cover.symbol is None and not cover.other_record:
        first_page = [line.flat for line in lines if (line.page or 1) == 1][:200]
        cover.other_record = next(
            (m.group(0) for text in first_page if (m := OTHER_RECORD.search(text))), None
        )
    if cover.other_record:
        raise NotAVerbatimRecord(
            f"This is the record of another organ ({cover.other_record}: the General Assembly), "
            "not a Security Council verbatim record (S/PV.…), so it was not imported."
        )
    if cover.meeting_number is None or cover.symbol is None:
        raise NotAVerbatimRecord()


def _split_cover(
    paragraphs_: list[Paragraph], *, paged: bool
) -> tuple[list[Paragraph], list[Line]]:
    """The cover's paragraphs, and the body's lines. With pages, the cover is page 1 up to where
    the meeting starts (2000s records begin it on page 1, below the agenda), plus the notice
    on corrections at its foot; without pages, it ends at the notice."""
    if paged:
        page_one = [p for p in paragraphs_ if p.page == 1]
        rest = paragraphs_[len(page_one) :]
        start = next((i for i, p in enumerate(page_one) if i and _starts_body(p)), len(page_one))
        cover, early = page_one[:start], page_one[start:]
        # Below a meeting that starts on page 1, the notice on corrections is the cover's.
        cover += [p for p in early if NOTICE.match(p.flat)]
        body = [p for p in early if not NOTICE.match(p.flat)] + rest
    else:
        cut = len(paragraphs_)
        for index, paragraph in enumerate(paragraphs_):
            if NOTICE.match(paragraph.flat):
                cut = index + 1
                break
            # The first paragraph is the masthead, unless the text starts with the meeting
            # itself (copied without its cover).
            if (index or match_label(paragraph.flat)) and _starts_body(paragraph):
                cut = index
                break
        cover, body = paragraphs_[:cut], paragraphs_[cut:]
    for paragraph in cover:
        paragraph.place("cover")
    return cover, [line for p in body for line in p.lines]


def _starts_body(paragraph: Paragraph) -> bool:
    flat = paragraph.flat
    return bool(
        PROCEDURE.match(flat)
        or match_label(flat)
        or re.match(r"^(?:Adoption of the agenda|ADOPTION OF THE AGENDA)$", flat)
    )


def _speeches(
    body: Body, cover: Cover, council: list[str]
) -> tuple[list[ParsedSpeech], list[ParsedInvitation]]:
    """Turn the turns into speeches, each attributed to a State, a body or the UN."""
    texts = ["\n\n".join(t for t in turn.texts if t) for turn in body.turns]
    invited: list[ParsedInvitation] = []
    for note in body.procedure:
        invited.extend(seats_taken(note.text))
    for turn, text in zip(body.turns, texts, strict=True):
        if turn.label.office == "The President":
            invited.extend(invitations(text))
    invited = merge_invitations(invited)
    by_surname: dict[str, ParsedInvitation] = {}
    for invitation in invited:
        if invitation.rule == "39":
            by_surname.setdefault(surname_key(invitation.name), invitation)
    speeches = []
    floor_org: str | None = None
    for sequence, (turn, text) in enumerate(zip(body.turns, texts, strict=True), start=1):
        label = turn.label
        country, role = attribute(label, council, cover.president_country, by_surname, floor_org)
        speeches.append(
            ParsedSpeech(
                sequence=sequence,
                attribution=label.attribution,
                speaker=label.speaker,
                speaker_title=label.title,
                country=country,
                role=role,
                spoke_in=label.spoke_in if label.spoke_in not in (None, "English") else None,
                on_behalf_of=on_behalf_of(text) if role != "president" else None,
                page=turn.page,
                text=text,
                mentions=find_mentions(text),
            )
        )
        floor_org = floor_given(turn.texts[-1]) if turn.texts else None
    return speeches, invited


def _vote(block: VoteBlock, speeches: list[ParsedSpeech], members: int) -> ParsedVote | None:
    """Complete a vote: the draft and subject from the words before it, the tally and outcome
    from the announcement after it ("adopted unanimously" with no figures: all ``members``).
    None when neither lists nor a result could be read: nothing is guessed."""
    lists = block.lists
    after = block.after_speech
    before = speeches[after - 1].text if 0 < after <= len(speeches) else ""
    following = speeches[after].text[:1500] if after < len(speeches) else ""
    subject, draft = _subject_and_draft(before, speeches[:after])
    counts = tuple(len(lists[k]) for k in ("in_favour", "against", "abstaining"))
    tally = "-".join(map(str, counts)) if any(counts) else None
    announcement = read_announcement(" ".join([*block.notes, following]))
    announced = None
    if announcement and announcement.tally:
        announced = "-".join(map(str, announcement.tally))
    elif announcement and announcement.unanimous and members == 15:
        announced = "15-0-0"
    if not any(counts) and not lists["not_participating"] and announcement is None:
        return None
    result = announcement.outcome if announcement and announcement.outcome else None
    veto = any(same_state(name, p) for name in lists["against"] for p in PERMANENT)
    # Article 27: nine affirmative votes (seven of eleven before 1966) and no permanent member
    # against; with enough votes in favour, a permanent member's vote against is a veto.
    needed = 7 if members == 11 else 9
    if result == "not adopted" and veto and counts[0] >= needed:
        result = "vetoed"
    if result is None:
        # No announcement found: apply the Charter (nine votes, no permanent member against).
        result = (
            "adopted"
            if counts[0] >= needed and not veto
            else "vetoed"
            if counts[0] >= needed
            else "not adopted"
        )
    return ParsedVote(
        draft=draft,
        subject=subject,
        in_favour=lists["in_favour"],
        against=lists["against"],
        abstaining=lists["abstaining"],
        not_participating=lists["not_participating"],
        result=result,
        resolution=announcement.resolution if announcement else None,
        tally=tally or announced,
        after_speech=after,
        announced_tally=announced,
        page=block.page,
    )


# A draft's symbol: "S/2019/823" since 1994, "S/11036" (a serial number) before.
_DRAFT = re.compile(r"S/\d{4}/\d+|(?<![\w/])S/\d{3,5}(?![\w/])")


def _subject_and_draft(before: str, earlier: list[ParsedSpeech]) -> tuple[str, str | None]:
    put = list(
        re.finditer(r"put (?:to the vote (?P<what>[^.]*)|(?P<what2>[^.]*?) to the vote)", before)
    )
    what = (put[-1]["what"] or put[-1]["what2"]) if put else before[-400:]
    subject = "draft resolution"
    if re.search(r"\bamendment\b", what):
        subject = "amendment"
    elif re.search(r"\bdraft decision|\bprocedural\b", what):
        subject = "procedural" if "procedural" in what else "draft decision"
    drafts = re.findall(_DRAFT, what)
    if not drafts:
        # The draft is the document "which contains the text of a draft resolution", named in
        # the President's words before the vote (or, for an amendment, by its proposer). Walk
        # back from the vote and stop at the nearest speech naming one, so that a record with
        # many votes costs linear, not quadratic, time.
        for speech in reversed(earlier):
            drafts = [
                d
                for sentence in re.split(r"(?<=[.;])\s+", speech.text)
                if "draft resolution" in sentence
                for d in re.findall(_DRAFT, sentence)
            ]
            if drafts:
                break
    return subject, drafts[-1] if drafts else None


def _meeting(
    cover: Cover,
    speeches: list[ParsedSpeech],
    body: Body,
    votes: list[ParsedVote],
    invited: list[ParsedInvitation],
    accounting: Accounting,
    page_count: int | None,
    lines: list[Line],
) -> ParsedMeeting:
    mentions = ParsedMentions()
    for item in cover.agenda:
        mentions.extend(find_mentions(item))
    for speech in speeches:
        mentions.extend(speech.mentions)
    pages_seen = max((line.page or 0 for line in lines), default=0)
    president = (
        ParsedPresident(cover.president_name, cover.president_country)
        if cover.president_name is not None
        else None
    )
    return ParsedMeeting(
        symbol=cover.symbol,
        meeting_number=cover.meeting_number,
        resumption=cover.resumption,
        date=cover.date,
        time=cover.time,
        place=cover.place,
        president=president,
        members=[ParsedMember(country, name) for country, name in cover.members],
        agenda=cover.agenda,
        invitations=invited,
        speeches=speeches,
        procedure=[ParsedProcedure(n.after_speech, n.text) for n in body.procedure],
        votes=votes,
        mentions=mentions,
        page_count=page_count if page_count is not None else pages_seen,
        headings=[ParsedProcedure(n.after_speech, n.text) for n in body.headings],
        accounting=accounting.counts,
        unplaced=[{"page": line.page, "text": line.flat} for line in accounting.unplaced],
    )
