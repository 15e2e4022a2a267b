"""The cover of a verbatim record: symbol, meeting, date, place, President, members, agenda.

Forms of every period: the masthead "United Nations / S/PV.8514 / Security Council /
Seventy-fourth year / 8514th meeting / Tuesday, 23 April 2019, 10 a.m. / New York" (1990s on),
or "PROVISIONAL VERBATIM RECORD OF THE ... MEETING / Held at Headquarters, New York, on Tuesday,
8 November 1994, at 11 a.m." (early 1990s); "President:" and "Members:" with each State joined
to its representative by dotted leaders, a tab or wide gap, or nothing but the honorific
("Argentina Mr. CARDENAS"); then "Agenda" and its items, and the notice on corrections.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from .labels import TITLES
from .lines import Paragraph, Vocabulary
from .states import split_states

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
SYMBOL = re.compile(
    r"S/PV\.\s?(?P<number>\d{3,5})(?:\s*\(\s*Resumption\s*(?P<resumption>\d{1,2})\s*\))?"
)
_MEETING = re.compile(r"^(?P<number>\d{1,5})(?:st|nd|rd|th)\s+meeting\b", re.I)
# Another organ's record: the General Assembly's plenary (A/61/PV.107) or a committee's.
OTHER_RECORD = re.compile(
    r"\bA/(?:ES-\d{1,2}/|S-\d{1,2}/)?\d{1,3}/PV\.\s?\d{1,4}\b|\bA/C\.\d/\d{1,3}/SR\.\d+"
)
_DATE = re.compile(
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+(?P<day>\d{1,2})\s+"
    r"(?P<month>" + "|".join(_MONTHS) + r")\s+(?P<year>\d{4})"
    r"(?:,?\s*(?:at\s+)?(?P<hour>\d{1,2})(?:[.:](?P<minute>\d{2}))?\s*"
    r"(?P<ampm>a\.\s?m\.|p\.\s?m\.|noon)?)?",
    re.IGNORECASE,
)
# "Held at Headquarters, New York, on ..." (1990s), "Held in New York on ..." (Official Records).
_HELD_AT = re.compile(r"Held (?:at|in) (?:Headquarters,\s*)?(?P<place>[^,]+?),?\s+on\b", re.I)
_LEADERS = re.compile(r"\s*(?:\.\s*){2,}|\s*\t\s*|\s{3,}")
_PERSON_START = re.compile(rf"\s(?=(?:{TITLES})\s+\S)")
# The notice on corrections that closes the cover, in its forms since the 1990s.
NOTICE = re.compile(
    r"^(?:This record (?:contains|is subject)|Corrections (?:should|will) be|"
    r"The final text will be printed)",
    re.I,
)
_SECTION = re.compile(
    r"^(?:(President|Members|Present)\s*:\s*"
    r"|(Agenda|AGENDA|(?i:Provisional\s+agenda))(?:\s*\([^()]{1,40}\))?\s*$)(.*)$"
)
# "Present: The representatives of the following States: Australia, ... and Yugoslavia."
_PRESENT = re.compile(r"^The\s+representatives\s+of\s+the\s+following\s+States\s*:\s*", re.I)
# "1. Adoption of the agenda." in the numbered agendas of the Official Records.
_ITEM_NUMBER = re.compile(r"^\d{1,2}\.\s+")
_ADOPTION = re.compile(r"^Adoption of the agenda\.?$", re.I)


@dataclass
class Cover:
    """What the cover says."""

    symbol: str | None = None
    other_record: str | None = None  # the symbol of another organ's record, if it is one
    meeting_number: int | None = None
    resumption: int | None = None
    date: datetime.date | None = None
    time: str | None = None
    place: str | None = None
    president_name: str | None = None
    president_country: str | None = None
    members: list[tuple[str, str]] = field(default_factory=list)  # (State, representative)
    agenda: list[str] = field(default_factory=list)


def parse_cover(paragraphs: list[Paragraph], vocabulary: Vocabulary) -> Cover:
    """Read the cover's paragraphs."""
    cover = Cover()
    raw = [line.text for p in paragraphs for line in p.lines]
    lines = [" ".join(r.split()) for r in raw]
    _read_symbol(cover, lines)
    _read_date(cover, lines)
    _read_sections(cover, paragraphs, vocabulary)
    return cover


def _read_symbol(cover: Cover, lines: list[str]) -> None:
    if not any(SYMBOL.search(line) for line in lines):
        for line in lines:
            other = OTHER_RECORD.search(line)
            if other:
                cover.other_record = other.group(0).replace(" ", "")
                return
    for line in lines:
        match = SYMBOL.search(line)
        if match:
            cover.meeting_number = int(match["number"])
            cover.resumption = int(match["resumption"]) if match["resumption"] else None
            break
    if cover.meeting_number is None:
        for line in lines:
            match = _MEETING.search(line)
            if match and not line.lower().startswith(("this record", "corrections")):
                cover.meeting_number = int(match["number"])
                break
    if cover.meeting_number is not None:
        cover.symbol = f"S/PV.{cover.meeting_number}" + (
            f" (Resumption {cover.resumption})" if cover.resumption else ""
        )


def _read_date(cover: Cover, lines: list[str]) -> None:
    for index, line in enumerate(lines):
        match = _DATE.search(line)
        if not match:
            continue
        try:
            cover.date = datetime.date(
                int(match["year"]), _MONTHS[match["month"].capitalize()], int(match["day"])
            )
        except ValueError:
            cover.date = None
        cover.time = _time(match)
        held = _HELD_AT.search(line)
        if held:
            cover.place = held["place"].strip()
        elif index + 1 < len(lines) and not _SECTION.match(lines[index + 1]):
            following = lines[index + 1].split("\t")[0].strip()
            if 0 < len(following) <= 40 and not SYMBOL.search(following):
                cover.place = following
        return


def _time(match: re.Match) -> str | None:
    if not match["hour"]:
        return None
    hour = int(match["hour"])
    ampm = (match["ampm"] or "").replace(" ", "").lower()
    if ampm == "p.m." and hour < 12:
        hour += 12
    elif ampm == "a.m." and hour == 12:
        hour = 0
    return f"{hour:02d}:{int(match['minute'] or 0):02d}" if hour < 24 else None


def _read_sections(cover: Cover, paragraphs: list[Paragraph], vocabulary: Vocabulary) -> None:
    section = None
    pending = ""
    present: list[str] = []
    agenda: list[list[str]] = []
    previous = None
    for paragraph in paragraphs:
        first = True
        for line in paragraph.lines:
            text = line.text.strip()
            flat = " ".join(text.split())
            if NOTICE.match(flat):
                section = "end"
            head = _SECTION.match(flat)
            if head and section != "end":
                section = "agenda" if head[2] else head[1].lower()
                text = text.split(":", 1)[1] if head[1] else ""
                flat = head[3]
                first = True
                if not flat:
                    continue
            if not flat or section in (None, "end"):
                continue
            if section == "president":
                _read_president(cover, text)
            elif section == "members":
                country, name = split_member(pending + text)
                if name:
                    cover.members.append((country, name))
                    pending = ""
                else:
                    pending = country + " "  # a State's name that wraps before its leaders
            elif section == "present":
                present.append(flat)
            elif section == "agenda":
                if (
                    first
                    or not agenda
                    or _ITEM_NUMBER.match(flat)
                    or _new_item(agenda[-1][-1], flat, previous, line)
                ):
                    agenda.append([flat])
                else:
                    agenda[-1].append(flat)
            first = False
            previous = line
    items = [
        _ITEM_NUMBER.sub("", vocabulary.text(item)).rstrip(".")
        if _ITEM_NUMBER.match(item[0])
        else vocabulary.text(item)
        for item in agenda
    ]
    cover.agenda = [item for item in items if not _ADOPTION.match(item)]
    if present and not cover.members:
        listed = _PRESENT.sub("", " ".join(present)).rstrip(" .")
        cover.members = [(state, "") for state in split_states(listed)]


_CONTINUED = re.compile(r"(?:\b(?:the|of|to|and|on|in|for|from|by|at|a|an)|[,;:-])$", re.I)


def _new_item(previous_text: str, text: str, previous, line) -> bool:
    """Whether an agenda line starts an item of its own where no layout says so (text with no
    blank lines): by its indent when plain text keeps one, else when it starts with a capital
    and the line before did not break mid-phrase."""
    if previous is not None and previous.indent and line.indent is not None:
        return line.indent > previous.indent
    return text[:1].isupper() and not _CONTINUED.search(previous_text)


def _read_president(cover: Cover, text: str) -> None:
    if cover.president_name is None:
        name, rest = split_member(text, person_first=True)
        if not rest:
            # "Mr. LI Zhaoxing (China)": the presidency's State in parentheses, no leaders.
            match = re.match(r"^(?P<name>.+?)\s*\((?P<state>[^()]+)\)\s*$", name)
            if match:
                name, rest = match["name"], f"({match['state']})"
        cover.president_name = name
        text = rest
    if text and cover.president_country is None:
        match = re.search(r"\(([^()]+)\)\s*$", " ".join(text.split()))
        if match:
            cover.president_country = match[1].strip()


def split_member(line: str, *, person_first: bool = False) -> tuple[str, str]:
    """Split "Belgium . . . . Mr. Pecsteen" (or "Argentina<tab>Mr. CARDENAS", or "Argentina
    Mr. CARDENAS") into its two sides; ("Belgium", "") when the line holds only one side."""
    parts = _LEADERS.split(line.strip(), maxsplit=1)
    if len(parts) == 2 and parts[0].strip() and parts[1].strip():
        return " ".join(parts[0].split()), " ".join(parts[1].split())
    flat = " ".join(line.split())
    if not person_first:
        match = _PERSON_START.search(flat)
        if match:
            return flat[: match.start()].strip(), flat[match.end() :].strip()
    return flat.strip(" ."), ""
