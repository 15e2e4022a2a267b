"""The text form of a verbatim record -> ParsedMeeting dataclasses.

The text form is what `pdf.pdf_to_text` produces (and, less cleanly, what `pdftotext` gives):
pages separated by form feeds, paragraphs by blank lines. The first page is the cover; the
rest is a sequence of paragraphs that are headings, procedure (italic notes such as "The
meeting rose at ..."), vote lists, speaker turns (a label ending in a colon) or the
continuation of the current turn.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from .errors import NotAVerbatimRecord
from .symbols import ParsedMentions, find_mentions

# ---------------------------------------------------------------------------------------------
# Dataclasses


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
class ParsedInvitation:
    """An invitation read by the President under rule 37 or 39."""

    name: str
    represents: str | None
    rule: str | None


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
    """A procedural note, placed after the speech with sequence `after_speech` (0 = before all)."""

    after_speech: int
    text: str


@dataclass
class ParsedVote:
    """A vote by show of hands and its outcome."""

    draft: str | None
    subject: str
    in_favour: list[str]
    against: list[str]
    abstaining: list[str]
    not_participating: list[str]
    result: str
    resolution: str | None
    tally: str | None
    after_speech: int


@dataclass
class ParsedMeeting:
    """A whole verbatim record."""

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
                {
                    "sequence": s.sequence,
                    "attribution": s.attribution,
                    "speaker": s.speaker,
                    "speaker_title": s.speaker_title,
                    "country": s.country,
                    "role": s.role,
                    "spoke_in": s.spoke_in,
                    "on_behalf_of": s.on_behalf_of,
                    "page": s.page,
                    "text": s.text,
                    "mentions": s.mentions.to_dict(),
                }
                for s in self.speeches
            ],
            "procedure": [asdict(p) for p in self.procedure],
            "votes": [asdict(v) for v in self.votes],
            "mentions": self.mentions.to_dict(),
            "page_count": self.page_count,
            "language": self.language,
        }


# ---------------------------------------------------------------------------------------------
# Paragraphs


@dataclass
class _Paragraph:
    page: int | None
    lines: list[str]

    @property
    def flat(self) -> str:
        return " ".join(" ".join(self.lines).split())


# Running headers and footers as pdftotext prints them; the PDF layer drops them by position.
_NOISE_LINE = re.compile(
    r"""^\s*(?:
        S/PV\.\s?\d+(?:\s*\(Resumption\s\d+\))?(?:\s+.{0,200}\s+\d{2}/\d{2}/\d{4})?
      | \d{2}/\d{2}/\d{4}(?:\s+.{0,200}\s+S/PV\.\s?\d+(?:\s*\(Resumption\s\d+\))?)?
      | \d{1,3}/\d{1,3}(?:\s+\d{2}-\d{5}(?:\s*\(E\))?)?
      | \d{2}-\d{5}(?:\s*\(E\))?(?:\s+\d{1,3}/\d{1,3})?
      | \*\d{6,8}\*
      | Provisional
    )\s*$""",
    re.VERBOSE,
)


def _paragraphs(text: str) -> list[_Paragraph]:
    """Split the text form into paragraphs, remembering the page on which each starts."""
    pages = text.split("\f")
    paged = len(pages) > 1
    paragraphs: list[_Paragraph] = []
    current: _Paragraph | None = None
    for number, page in enumerate(pages, start=1):
        for raw in page.split("\n"):
            line = " ".join(raw.split())
            if not line:
                current = None
                continue
            if _NOISE_LINE.match(line):
                continue
            if (
                current is not None
                and current.lines[-1][-1:] in ".:”)?!"
                and (match_label(line) or _PROCEDURE.match(line) or _VOTE_HEAD.match(line))
            ):
                # Text without blank lines between paragraphs (plain pdftotext): a label or a
                # procedural note after a finished sentence still opens a paragraph.
                current = None
            if current is None:
                current = _Paragraph(number if paged else None, [])
                paragraphs.append(current)
            current.lines.append(line)
    return paragraphs


# ---------------------------------------------------------------------------------------------
# Words split at line ends

# Compounds whose hyphen the text layer sometimes loses at a line end ("Secretary\nGeneral").
_KNOWN_COMPOUNDS = {("secretary", "general"), ("under", "secretary")}
_WORD = re.compile(r"[A-Za-zÀ-ÿ’']+")


class _Vocabulary:
    """Words of the document, to judge a line-end hyphen by how the document writes the word."""

    def __init__(self, paragraphs: list[_Paragraph]) -> None:
        words: Counter[str] = Counter()
        hyphenated: Counter[str] = Counter()
        for paragraph in paragraphs:
            for line in paragraph.lines:
                # Only the inside of a line: a line-end hyphen is the case being judged.
                body = line[:-1] if line.endswith("-") else line
                for token in body.split():
                    token = token.strip('.,;:!?()“”"‘’[]—')
                    if "-" in token:
                        hyphenated[token.lower()] += 1
                    for word in _WORD.findall(token):
                        words[word.lower()] += 1
        self.words = words
        self.hyphenated = hyphenated

    def join(self, left: str, right: str) -> str:
        """Join the last word of a line with the first of the next, deciding on the hyphen."""
        if left.endswith("-") and not left.endswith("--"):
            stem = left[:-1]
            head = stem.rsplit("-", 1)[-1]
            tail_match = _WORD.match(right)
            tail = tail_match.group(0) if tail_match else ""
            if not head or not tail or not head[-1].isalpha():
                return left + right
            compound = f"{head}-{tail}".lower()
            solid = f"{head}{tail}".lower()
            # Keep the hyphen when the document writes the compound with one, or when the
            # left part is capitalised ("Secretary-", "Syrian-"), or both halves are words of
            # their own and the solid form is unknown. Rejoin only a solid word the document
            # itself uses elsewhere, or halves that are not words at all ("peace-/keeping" in
            # a document that says "peacekeeping").
            if self.hyphenated[compound] or head[0].isupper():
                return left + right
            if self.words[solid] and not self.hyphenated[compound]:
                return stem + right
            if self.words[head.lower()] and self.words[tail.lower()]:
                return left + right
            if not self.words[head.lower()] or not self.words[tail.lower()]:
                return stem + right if self.words[solid] else left + right
            return left + right
        head = left.rsplit("-", 1)[-1].strip("“‘(").lower()
        tail_match = _WORD.match(right)
        tail = tail_match.group(0).lower() if tail_match else ""
        if (head, tail) in _KNOWN_COMPOUNDS or (
            head
            and tail
            and self.hyphenated[f"{head}-{tail}"] >= 2
            and not left.endswith(".")
            and head[:1].isupper() == left.rsplit("-", 1)[-1].strip("“‘(")[:1].isupper()
        ):
            return f"{left}-{right}"
        return f"{left} {right}"

    def text(self, lines: list[str]) -> str:
        """Join a paragraph's lines into one line of text."""
        if not lines:
            return ""
        out = lines[0]
        for line in lines[1:]:
            left, _, last = out.rpartition(" ")
            joined = self.join(last, line)
            out = f"{left} {joined}" if left else joined
        return " ".join(out.split())


# ---------------------------------------------------------------------------------------------
# Cover page

_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
}
_SYMBOL = re.compile(
    r"S/PV\.\s?(?P<number>\d{3,5})(?:\s*\(Resumption\s+(?P<resumption>\d{1,2})\))?"
)
_DATE = re.compile(
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),\s+(?P<day>\d{1,2})\s+"
    r"(?P<month>" + "|".join(_MONTHS) + r")\s+(?P<year>\d{4})"
    r"(?:,\s*(?P<hour>\d{1,2})(?:[.:](?P<minute>\d{2}))?\s*(?P<ampm>a\.m\.|p\.m\.|noon)?)?"
)
_LEADERS = re.compile(r"\s*(?:\.\s*){2,}")
_CORRECTIONS = re.compile(r"^This record contains the text of speeches")


@dataclass
class _Cover:
    symbol: str | None = None
    meeting_number: int | None = None
    resumption: int | None = None
    date: datetime.date | None = None
    time: str | None = None
    place: str | None = None
    president: ParsedPresident | None = None
    members: list[ParsedMember] = field(default_factory=list)
    agenda: list[str] = field(default_factory=list)


def _parse_cover(paragraphs: list[_Paragraph], vocabulary: _Vocabulary) -> _Cover:
    cover = _Cover()
    lines = [line for p in paragraphs for line in p.lines]
    for line in lines:
        match = _SYMBOL.search(line)
        if match:
            cover.meeting_number = int(match["number"])
            cover.resumption = int(match["resumption"]) if match["resumption"] else None
            cover.symbol = f"S/PV.{cover.meeting_number}" + (
                f" (Resumption {cover.resumption})" if cover.resumption else ""
            )
            break
    if cover.meeting_number is None:
        for line in lines:
            match = re.match(r"^(\d{3,5})(?:st|nd|rd|th) meeting", line)
            if match:
                cover.meeting_number = int(match[1])
                cover.symbol = f"S/PV.{cover.meeting_number}"
                break
    for index, line in enumerate(lines):
        match = _DATE.search(line)
        if not match:
            continue
        try:
            cover.date = datetime.date(
                int(match["year"]), _MONTHS[match["month"]], int(match["day"])
            )
        except ValueError:
            cover.date = None
        if match["hour"]:
            hour = int(match["hour"])
            if match["ampm"] == "p.m." and hour < 12:
                hour += 12
            elif match["ampm"] == "a.m." and hour == 12:
                hour = 0
            if hour < 24:
                cover.time = f"{hour:02d}:{int(match['minute'] or 0):02d}"
        if index + 1 < len(lines) and not re.match(r"^(President|Members)\b", lines[index + 1]):
            cover.place = lines[index + 1]
        break

    section = None
    pending_country = ""
    agenda_paragraphs: list[list[str]] = []
    for paragraph in paragraphs:
        first = True
        for line in paragraph.lines:
            if _CORRECTIONS.match(line):
                section = "end"
            head = re.match(r"^(?:(President|Members)\s*:\s*|(Agenda)\s*$)(.*)$", line)
            if head and section != "end":
                section = (head[1] or head[2]).lower()
                line = head[3]
                if section == "agenda":
                    first = True
                    if not line:
                        continue
            if not line or section in (None, "end"):
                continue
            if section == "president":
                if cover.president is None:
                    name, country = _split_leaders(line)
                    cover.president = ParsedPresident(name, None)
                    line = country
                if line and cover.president.country is None:
                    match = re.search(r"\(([^()]+)\)\s*$", line)
                    if match:
                        cover.president.country = match[1].strip()
            elif section == "members":
                country, name = _split_leaders(pending_country + line)
                if name:
                    cover.members.append(ParsedMember(country, name))
                    pending_country = ""
                else:
                    # A State's name that wraps before its dotted leaders.
                    pending_country = country + " "
            elif section == "agenda":
                if first or not agenda_paragraphs:
                    agenda_paragraphs.append([line])
                else:
                    agenda_paragraphs[-1].append(line)
            first = False
    cover.agenda = [vocabulary.text(item) for item in agenda_paragraphs]
    return cover


def _split_leaders(line: str) -> tuple[str, str]:
    parts = _LEADERS.split(line, maxsplit=1)
    if len(parts) == 2:
        return parts[0].strip(), parts[1].strip()
    return line.strip(), ""


# ---------------------------------------------------------------------------------------------
# Speaker labels

_TITLES = (
    r"Mr\.|Mrs\.|Ms\.|Miss|Mx\.|Dr\.|Msgr\.|Dame|Sir|Lord|Lady|Baroness|Baron|Archbishop|"
    r"Monsignor|Cardinal|Bishop|Father|Sister|Prince|Princess|Sheikh|Sheikha|Shaikh|Judge|"
    r"Justice|Professor|Prof\.|General|Ambassador|King|Queen|Emir|Metropolitan|Rabbi|Imam"
)
_NAME_WORD = r"(?:[A-ZÀ-ÞŁŠŽČ][\w’'.\-]*|de|da|del|della|dos|das|do|du|van|von|der|den|ter|bin|ibn|al|el|al-\w+|la|le|y|e|di)"
_LABEL = re.compile(
    rf"""^(?P<label>
        (?:(?P<office>The\s+(?:President|Acting\s+President|Secretary-General|Deputy\s+Secretary-General))
          |(?P<title>{_TITLES})\s+(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,6}}))
        (?P<parens>(?:\s*\([^():]{{1,120}}\)){{0,3}})
    )\s*:\s*""",
    re.VERBOSE,
)
_PAREN = re.compile(r"\(([^()]+)\)")
_SPOKE_IN = re.compile(r"^spoke\s+in\s+(\w+)$")


@dataclass
class SpeakerLabel:
    """A speaker label as printed, split into its parts; ``length`` is where the text begins."""

    attribution: str
    speaker: str
    title: str | None
    country: str | None
    spoke_in: str | None
    office: str | None
    length: int


def match_label(text: str) -> SpeakerLabel | None:
    """Read a speaker label ("Mr. Nebenzia (Russian Federation) (spoke in Russian):") at the
    start of ``text``; None if it does not start with one."""
    match = _LABEL.match(text)
    if not match:
        return None
    country = None
    spoke_in = None
    for inner in _PAREN.findall(match["parens"] or ""):
        inner = " ".join(inner.split())
        language = _SPOKE_IN.match(inner)
        if language:
            spoke_in = language[1]
        elif country is None:
            country = inner
        else:
            return None
    attribution = " ".join(match["label"].split())
    if match["office"]:
        office = " ".join(match["office"].split())
        return SpeakerLabel(attribution, office, None, country, spoke_in, office, match.end())
    speaker = f"{match['title']} {' '.join(match['name'].split())}"
    return SpeakerLabel(attribution, speaker, match["title"], country, spoke_in, None, match.end())


# ---------------------------------------------------------------------------------------------
# Procedure, votes, invitations

_PROCEDURE = re.compile(
    r"""^(?:
        The\ meeting\ (?:was\ called\ to\ order|rose|was\ suspended|was\ resumed|resumed)\b.*
      | The\ agenda\ was\ adopted\.?
      | A\ (?:recorded\ )?vote\ was\ taken\b.*
      | The\ draft\ (?:resolution|decision)\ was\ adopted\b.{0,80}
      | The\ members\ of\ the\ Council\ observed\ a\ minute\ of\ silence.{0,120}
      | .{3,120}\ (?:took|resumed|returned\ to)\ (?:the\ Chair|a\ seat|the\ seat|his\ seat|her\ seat)\b.{0,120}
      | \(spoke\ in\ \w+\)
    )$""",
    re.VERBOSE,
)
_LANGUAGE_SWITCH = re.compile(r"^\(spoke in \w+\)$")
_VOTE_HEAD = re.compile(
    r"^(?P<kind>In favour|Against|Abstaining|Abstentions|Did not participate(?: in the voting)?|"
    r"Not participating)\s*:\s*(?P<rest>.*)$"
)
_VOTE_KIND = {
    "In favour": "in_favour",
    "Against": "against",
    "Abstaining": "abstaining",
    "Abstentions": "abstaining",
}
_HEADING = re.compile(r"^(?:Adoption of the agenda|Expression of (?:thanks|welcome)\b.{0,200})$")
_PERMANENT = {
    "China",
    "France",
    "Russian Federation",
    "United Kingdom of Great Britain and Northern Ireland",
    "United Kingdom",
    "United States of America",
    "United States",
}

_INVITE_37 = re.compile(
    r"rule 37 of the Council’?'?s provisional rules of procedure,? I invite (?P<rest>.*)", re.S
)
_INVITE_39 = re.compile(
    r"rule 39 of the Council’?'?s provisional rules of procedure,? I (?:also )?invite (?P<rest>.*)",
    re.S,
)
_HONORIFIC_PREFIX = re.compile(
    r"^(?:(?:His|Her)\s+(?:Excellency|Eminence|Holiness|Majesty|Royal\s+Highness)\s+)"
)
_PERSON = re.compile(rf"^(?:{_TITLES})\s")

# Who counts as a United Nations official when invited under rule 39.
_UN_POSITION = re.compile(
    r"Secretary-General|Under-Secretary|Special Representative|Special Envoy|Special Adviser|"
    r"Special Coordinator|High Commissioner|Emergency Relief Coordinator|United Nations|"
    r"Head of the United Nations|Force Commander|Police Commissioner|Executive Director of (?:the )?"
    r"(?:World Food Programme|United Nations|UN)|UNICEF|UNHCR|UNRWA|UNDP|UNFPA|UN-Women|"
    r"Office for the Coordination|Department of (?:Political|Peace)|International Court of Justice|"
    r"Prosecutor of the International|Committee established pursuant|Chair of the Peacebuilding"
)


def _invitations(speech_text: str) -> list[ParsedInvitation]:
    """Read the President's invitations under rules 37 and 39 from one turn."""
    invitations: list[ParsedInvitation] = []
    for paragraph in speech_text.split("\n\n"):
        for rule, pattern in (("37", _INVITE_37), ("39", _INVITE_39)):
            match = pattern.search(paragraph)
            if not match:
                continue
            rest = match["rest"]
            rest = re.sub(
                r"^the following(?: briefers| speakers| participants)?(?: to participate in (?:this|the) meeting)?\s*:\s*",
                "",
                rest,
            )
            rest = re.split(r",? to participate in (?:this|the) meeting", rest)[0]
            if rule == "37":
                invitations.extend(_rule37(rest))
            else:
                invitations.extend(_rule39(rest))
    return invitations


def _rule37(rest: str) -> list[ParsedInvitation]:
    rest = re.sub(r"^the representatives? of\s+", "", rest.strip())
    names = _split_list(rest)
    return [
        ParsedInvitation(name=f"the representative of {n}", represents=n, rule="37")
        for n in names
        if n
    ]


def _split_list(rest: str) -> list[str]:
    rest = rest.strip().rstrip(".")
    items = re.split(r",\s*(?:and\s+)?|\s+and\s+(?=[A-Z])", rest)
    out = [item.strip() for item in items if item.strip()]
    # Re-join names that contain ", " or " and " (Bosnia and Herzegovina, Saint Kitts and Nevis).
    return _rejoin_states(out)


_AND_STATES = (
    "Antigua and Barbuda",
    "Bosnia and Herzegovina",
    "Saint Kitts and Nevis",
    "Saint Vincent and the Grenadines",
    "Sao Tome and Principe",
    "Trinidad and Tobago",
    "Heard Island and McDonald Islands",
    "United Kingdom of Great Britain and Northern Ireland",
)


def _rejoin_states(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if out and any(s.endswith(f" and {item}") and s.startswith(out[-1]) for s in _AND_STATES):
            out[-1] = f"{out[-1]} and {item}"
        else:
            out.append(item)
    return out


def _rule39(rest: str) -> list[ParsedInvitation]:
    """Split "Mr. A, Special Envoy ..., and Ms. B, Director, ... Office" into invitations."""
    text = " ".join(rest.split()).rstrip(".")
    # Each person starts with an honorific; the description runs to the next person.
    starts = [
        m.start()
        for m in re.finditer(rf"(?:(?:His|Her) (?:Excellency|Eminence) )?(?:{_TITLES}) [A-Z]", text)
    ]
    invitations = []
    if not starts:
        who = re.sub(r"^the\s+", "", text)
        if who:
            invitations.append(
                ParsedInvitation(name=text, represents=_organisation(text), rule="39")
            )
        return invitations
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        chunk = text[start:end].strip()
        chunk = re.sub(r",?\s*(?:and)?\s*$", "", chunk)
        chunk = _HONORIFIC_PREFIX.sub("", chunk)
        name, _, description = chunk.partition(", ")
        invitations.append(
            ParsedInvitation(name=name.strip(), represents=description.strip() or None, rule="39")
        )
    return invitations


def _organisation(description: str) -> str | None:
    match = re.search(
        r"(?:observer|Observer|representative|Head of the Delegation|delegation) of (?:the )?(.+)$",
        description,
    )
    if match:
        return match[1].strip()
    return description or None


def _surname_key(name: str) -> str:
    """The key a label and an invitation share: the name without honorific, last word."""
    name = _HONORIFIC_PREFIX.sub("", name)
    name = re.sub(rf"^(?:{_TITLES})\s+", "", name)
    words = name.split()
    return words[-1].lower() if words else ""


_BEHALF = re.compile(
    r"\b(?:I|We|we)\b(?P<gap>[^.]{0,120}?)\bon (?:the )?behalf of\s+(?P<group>[^.;:()—]{2,200})"
)
# "We align ourselves with the statement to be delivered on behalf of ..." is someone else's.
_NOT_OWN_STATEMENT = re.compile(
    r"align|associat|to be (?:delivered|made)|delivered by|made by|representative"
)


_GIVE_FLOOR = re.compile(
    r"(?:I|we) (?:now |shall now )?(?:give|call on|invite)(?: the floor to)? (?:the )?"
    r"(?:(?:Permanent )?Observer|observer|representative|Head of (?:the )?Delegation|delegation)"
    r" of (?P<org>(?:the )?[A-Z][^,.;:()]{2,120})",
)


def _on_behalf_of(text: str) -> str | None:
    """The group a speaker says they speak for in the opening of their statement."""
    for match in _BEHALF.finditer(text[:900]):
        if _NOT_OWN_STATEMENT.search(match["gap"]):
            continue
        group = match["group"].strip()
        if re.match(rf"^(?:(?:His|Her) |{_TITLES})", group):
            continue  # a person (a minister whose statement is read out), not a group
        group = re.split(
            r"\s+(?:and its member States|and (?:my|our) own country|in my capacity|as well as)\b",
            group,
        )[0]
        # Keep a list of names ("Canada, Germany, Sweden and Ukraine") but not an apposition
        # ("Germany and Belgium, the humanitarian co-penholders").
        items = group.split(", ")
        kept = [items[0]]
        for item in items[1:]:
            if not item[:1].isupper():
                break
            kept.append(item)
        group = ", ".join(kept).strip()
        if group[:1].isupper() or group.startswith("the "):
            return group
    return None


# ---------------------------------------------------------------------------------------------
# The parser


def parse_text(text: str) -> ParsedMeeting:
    """Parse the text form of an English Security Council verbatim record."""
    return _parse(text, page_count=None)


def _parse(text: str, *, page_count: int | None) -> ParsedMeeting:
    text = (
        text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00ad", "-").replace("\x02", "-")
    )
    paragraphs = _paragraphs(text)
    if not paragraphs:
        raise NotAVerbatimRecord()
    vocabulary = _Vocabulary(paragraphs)
    cover_paragraphs, body = _split_cover(paragraphs, paged="\f" in text)
    cover = _parse_cover(cover_paragraphs, vocabulary)
    if cover.meeting_number is None or cover.symbol is None:
        raise NotAVerbatimRecord()

    agenda_titles = {" ".join(a.split()).lower() for a in cover.agenda}
    members = {m.country for m in cover.members}
    presidency = cover.president.country if cover.president else None

    speeches: list[ParsedSpeech] = []
    procedure: list[ParsedProcedure] = []
    votes: list[ParsedVote] = []
    invitations: list[ParsedInvitation] = []
    labels: list[tuple[SpeakerLabel, int | None]] = []
    texts: list[list[list[str]]] = []
    vote: ParsedVote | None = None
    vote_kind: str | None = None
    pending_votes: list[ParsedVote] = []

    for paragraph in body:
        flat = paragraph.flat
        if _HEADING.match(flat) or vocabulary.text(paragraph.lines).lower() in agenda_titles:
            continue
        head = _VOTE_HEAD.match(flat)
        if head and vote is not None:
            vote_kind = _VOTE_KIND.get(head["kind"], "not_participating")
            getattr(vote, vote_kind).extend(_vote_names(head["rest"]))
            continue
        if vote is not None and vote_kind and not match_label(flat) and not _PROCEDURE.match(flat):
            # A vote list that wrapped into a paragraph of its own.
            getattr(vote, vote_kind).extend(_vote_names(flat))
            continue
        if _PROCEDURE.match(flat) and not (_LANGUAGE_SWITCH.match(flat) and labels):
            procedure.append(ParsedProcedure(after_speech=len(labels), text=flat))
            vote_kind = None
            if vote is not None:
                pending_votes.append(vote)
                vote = None
            if flat.startswith(("A vote was taken", "A recorded vote was taken")):
                vote = ParsedVote(
                    None, "draft resolution", [], [], [], [], "adopted", None, None, len(labels)
                )
            continue
        if vote is not None:
            pending_votes.append(vote)
            vote = None
            vote_kind = None
        label = match_label(flat)
        if label:
            labels.append((label, paragraph.page))
            remainder = _strip_label(paragraph.lines, label)
            texts.append([remainder] if remainder else [])
            continue
        if texts:
            texts[-1].append(paragraph.lines)
        # Text before the first speaker turn that is not procedure is a heading; drop it.
    if vote is not None:
        pending_votes.append(vote)

    speech_texts = [[vocabulary.text(lines) for lines in paras if lines] for paras in texts]
    speech_texts = [[p for p in paras if p] for paras in speech_texts]

    # Invitations are read by the President, usually in the first turns.
    for (label, _page), paras in zip(labels, speech_texts, strict=False):
        if label.office == "The President":
            invitations.extend(_invitations("\n\n".join(paras)))
    by_surname = {}
    for invitation in invitations:
        if invitation.rule == "39":
            by_surname.setdefault(_surname_key(invitation.name), invitation)

    floor_org: str | None = None
    for index, ((label, page), paras) in enumerate(
        zip(labels, speech_texts, strict=False), start=1
    ):
        body_text = "\n\n".join(paras)
        country, role = _attribute(label, members, presidency, by_surname, floor_org)
        speeches.append(
            ParsedSpeech(
                sequence=index,
                attribution=label.attribution,
                speaker=label.speaker,
                speaker_title=label.title,
                country=country,
                role=role,
                spoke_in=label.spoke_in if label.spoke_in and label.spoke_in != "English" else None,
                on_behalf_of=_on_behalf_of(body_text) if role != "president" else None,
                page=page,
                text=body_text,
                mentions=find_mentions(body_text),
            )
        )
        floor = _GIVE_FLOOR.findall(paras[-1]) if paras else []
        floor_org = floor[-1].strip() if floor else None

    for vote in pending_votes:
        _complete_vote(vote, speeches)
        votes.append(vote)

    mentions = ParsedMentions()
    for item in cover.agenda:
        mentions.extend(find_mentions(item))
    for speech in speeches:
        mentions.extend(speech.mentions)

    if not speeches and not procedure:
        raise NotAVerbatimRecord()
    # pdftotext ends every page, the last one included, with a form feed.
    pages_seen = len(text.rstrip().split("\f")) if "\f" in text else 0
    return ParsedMeeting(
        symbol=cover.symbol,
        meeting_number=cover.meeting_number,
        resumption=cover.resumption,
        date=cover.date,
        time=cover.time,
        place=cover.place,
        president=cover.president,
        members=cover.members,
        agenda=cover.agenda,
        invitations=invitations,
        speeches=speeches,
        procedure=procedure,
        votes=votes,
        mentions=mentions,
        page_count=page_count if page_count is not None else pages_seen,
    )


def _split_cover(
    paragraphs: list[_Paragraph], *, paged: bool
) -> tuple[list[_Paragraph], list[_Paragraph]]:
    """The cover is page 1; without page breaks it ends at the corrections notice."""
    if paged:
        cover = [p for p in paragraphs if p.page == 1]
        return cover, paragraphs[len(cover) :]
    for index, paragraph in enumerate(paragraphs):
        if _CORRECTIONS.match(paragraph.lines[0]):
            return paragraphs[: index + 1], paragraphs[index + 1 :]
        if _PROCEDURE.match(paragraph.flat) or (match_label(paragraph.flat) and index > 3):
            return paragraphs[:index], paragraphs[index:]
    return paragraphs, []


def _strip_label(lines: list[str], label: SpeakerLabel) -> list[str]:
    """Remove the label from the first lines of a paragraph, keeping the line structure."""
    joined = "\n".join(lines)
    # The label was matched on whitespace-normalised text; walk the same number of
    # non-space characters through the original.
    flat = " ".join(joined.split())
    consumed = len(flat[: label.length].replace(" ", ""))
    count = 0
    cut = len(joined)
    for index, char in enumerate(joined):
        if count == consumed:
            cut = index
            break
        if not char.isspace():
            count += 1
    rest = joined[cut:].lstrip()
    return [line for line in rest.split("\n") if line.strip()] if rest else []


def _vote_names(text: str) -> list[str]:
    text = " ".join(text.split()).strip().rstrip(".")
    if not text or text.lower() == "none":
        return []
    return [name.strip() for name in text.split(",") if name.strip()]


def _attribute(
    label: SpeakerLabel,
    members: set[str],
    presidency: str | None,
    invited: dict[str, ParsedInvitation],
    floor_org: str | None,
) -> tuple[str | None, str]:
    """Decide the State or organization a turn speaks for, and the speaker's role."""
    if label.office in ("The President", "The Acting President"):
        return presidency, "president"
    if label.office:
        return None, "un"
    if label.country:
        if _is_member(label.country, members):
            return label.country, "member"
        if re.search(r"^(?:United Nations|UN)\b", label.country):
            return None, "un"
        return label.country, "invited"
    invitation = invited.get(_surname_key(label.speaker))
    if invitation and invitation.represents:
        return _invited_attribution(invitation.represents)
    if floor_org:
        return floor_org, "invited"
    return None, "other"


def _invited_attribution(description: str) -> tuple[str | None, str]:
    """The body and role of a rule 39 invitee, from what the invitation says they are."""
    observer = re.search(
        r"Observer|observer|Head of (?:the )?Delegation|European Union|African Union|"
        r"League of Arab States|Committee on",
        description,
    )
    if _UN_POSITION.search(description) and not observer:
        return None, "un"
    organisation = _organisation_of(description)
    return organisation, "invited" if observer else "other"


def attribute_from_invitations(
    speaker: str, president_texts: Iterable[str]
) -> tuple[str | None, str] | None:
    """The body and role a rule 39 invitation in ``president_texts`` (the President's turns of
    another document: a resumption's earlier part) gives ``speaker``; None if not invited."""
    key = _surname_key(speaker or "")
    if not key:
        return None
    for text in president_texts:
        for invitation in _invitations(text or ""):
            if (
                invitation.rule == "39"
                and invitation.represents
                and _surname_key(invitation.name) == key
            ):
                return _invited_attribution(invitation.represents)
    return None


def _state_key(name: str) -> str:
    return re.sub(r"^the\s+", "", " ".join(name.split()), flags=re.I).lower()


def _is_member(country: str, members: set[str]) -> bool:
    """Whether a State named in a label sits on the Council ("United Kingdom" is the long name)."""
    key = _state_key(country)
    for member in members:
        other = _state_key(member)
        if key == other or other.startswith(key + " of ") or key.startswith(other + " of "):
            return True
    return False


def _organisation_of(description: str) -> str | None:
    """The body an invitee speaks for, if the description names an observer or a delegation."""
    match = re.search(
        r"(?:Permanent Observer|Observer|Head of (?:the )?Delegation|Chair|Vice-Chair|Chairman|"
        r"Chairperson|President|Secretary-General|Commissioner)\s+of\s+(?:the\s+)?"
        r"(?P<org>[A-Z][^,]+?)(?:\s+to the United Nations)?$",
        description,
    )
    if match:
        org = match["org"].strip()
        return org if not org.startswith("the ") else org[4:]
    return None


_WORDS = {
    "none": 0,
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


def _complete_vote(vote: ParsedVote, speeches: list[ParsedSpeech]) -> None:
    """Fill in the draft, subject and outcome from the President's words around the vote."""
    before = speeches[vote.after_speech - 1].text if 0 < vote.after_speech <= len(speeches) else ""
    after = speeches[vote.after_speech].text if vote.after_speech < len(speeches) else ""
    put = list(
        re.finditer(r"put (?:to the vote (?P<what>[^.]*)|(?P<what2>[^.]*?) to the vote)", before)
    )
    what = (put[-1]["what"] or put[-1]["what2"]) if put else before[-400:]
    if re.search(r"\bamendment\b", what):
        vote.subject = "amendment"
    elif re.search(r"\bdraft resolution", what):
        vote.subject = "draft resolution"
    elif re.search(r"\bdraft decision|\bprocedural\b", what):
        vote.subject = "procedural" if "procedural" in what else "draft decision"
    drafts = re.findall(r"S/\d{4}/\d+", what)
    if not drafts:
        # The draft is the document "which contains the text of a draft resolution", named in
        # the President's words before the vote (or, for an amendment, by its proposer).
        # Walk back from the vote and stop at the nearest speech naming one, so that a record
        # with many votes costs linear, not quadratic, time.
        for speech in reversed(speeches[: vote.after_speech]):
            drafts = [
                d
                for sentence in re.split(r"(?<=[.;])\s+", speech.text)
                if "draft resolution" in sentence
                for d in re.findall(r"S/\d{4}/\d+", sentence)
            ]
            if drafts:
                break
    vote.draft = drafts[-1] if drafts else None
    in_favour, against, abstaining = len(vote.in_favour), len(vote.against), len(vote.abstaining)
    vote.tally = f"{in_favour}-{against}-{abstaining}" if in_favour + against + abstaining else None
    announcement = after[:1500]
    adopted = re.search(
        r"adopted (?:\w+ )?as resolution (?P<n>\d{1,4}) \((?P<y>\d{4})\)", announcement
    )
    if adopted:
        vote.result = "adopted"
        vote.resolution = f"{adopted['n']} ({adopted['y']})"
    elif re.search(r"negative vote of a permanent member", announcement):
        vote.result = "vetoed"
    elif re.search(
        r"not (?:been )?adopted|failed to obtain|was rejected|has been rejected", announcement
    ):
        vote.result = "not adopted"
    elif re.search(r"(?:has been|is|was) adopted", announcement):
        vote.result = "adopted"
    elif vote.tally:
        # No announcement found: apply the Charter (nine votes, no permanent member against).
        veto = any(country in _PERMANENT for country in vote.against)
        vote.result = (
            "adopted"
            if in_favour >= 9 and not veto
            else "vetoed"
            if in_favour >= 9
            else "not adopted"
        )
    if vote.tally is None:
        match = re.search(
            r"received (?P<f>\w+) votes? in favour, (?P<a>\w+) (?:votes? )?against and (?P<b>\w+) abstentions?",
            announcement,
        )
        if match:
            numbers = [
                int(x) if x.isdigit() else _WORDS.get(x.lower())
                for x in (match["f"], match["a"], match["b"])
            ]
            if None not in numbers:
                vote.tally = "-".join(str(n) for n in numbers)
