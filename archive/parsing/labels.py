"""Speaker labels of every period, and the language a statement was given in.

A turn starts a paragraph with a label ending in a colon:

    The President:                                   (2000s-2020s)
    The PRESIDENT (interpretation from French):      (1990s)
    The PRESIDENT (translated from Russian):         (Official Records, 1940s-1970s)
    Mr. Nebenzia (Russian Federation) (spoke in Russian):
    Mr. ELARABY (Egypt)(interpretation from Arabic):  (no space between the parentheses)
    Mr. AUSTIN (United States of America):            (names in capitals)
    Ms. Patten:                                       (a UN official: no State)
    Mr. Lacroix (spoke in French):
    12. Mr. MALIK (Union of Soviet Socialist Republics) (translated from Russian):
                                                      (numbered paragraphs, 1940s-1970s)

Labels may wrap over lines ("(interpretation from" / "Spanish):"); the caller matches on the
paragraph's flattened text. The label as printed is kept in ``attribution``; ``speaker`` has
the name with capitals of the older records in ordinary case ("Mr. AL-KIDWA" -> "Mr. Al-Kidwa").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TITLES = (
    r"Mr\.|Mrs\.|Ms\.|Miss|Mx\.|Dr\.|Msgr\.|Mgr\.|Dame|Sir|Lord|Lady|Baroness|Baron|"
    r"Archbishop|Monsignor|Cardinal|Bishop|Father|Sister|Prince|Princess|Sheikh|Sheikha|Shaikh|"
    r"Judge|Justice|Professor|Prof\.|General|Ambassador|King|Queen|Emir|Metropolitan|Rabbi|"
    r"Imam|MR\.|MRS\.|MS\.|SIR|DAME|"
    # Force commanders and police advisers ("Lieutenant General Gyllensporre:"), clergy, and
    # Myanmar's honorific "U" ("U Kyaw Moe Tun (Myanmar):").
    r"Lieutenant\s+General|Major\s+General|Brigadier\s+General|Lieutenant\s+Colonel|"
    r"Brigadier|Colonel|Vice\s+Admiral|Rear\s+Admiral|Admiral|Commodore|"
    r"Police\s+Commissioner|Commissioner|Reverend|Rev\.|U(?=\s+[A-Z][a-z])|"
    # Heads of State and Government and ministers are labelled by office ("President Abbas
    # (spoke in Arabic):", "Prime Minister Rutte (Netherlands):"), Malaysians by honorific.
    r"President|Vice-President|Prime\s+Minister|Deputy\s+Prime\s+Minister|Minister|"
    r"Secretary|Crown\s+Prince|Dato’?\s+Sri|Dato’?|Datuk|Tan\s+Sri"
)
_NAME_WORD = (
    r"(?:[A-ZÀ-ÞŁŠŽČ][\w’'.\-]*|de|da|del|della|dos|das|do|du|van|von|der|den|ter|bin|ibn|"
    r"al|el|al-\w+|el-\w+|la|le|y|e|di|of)"  # "of": "Lord Ahmad of Wimbledon"
)
# The offices a label may name instead of a person, in ordinary or capital letters.
_OFFICE = (
    r"The\s+(?:President|PRESIDENT|Acting\s+President|ACTING\s+PRESIDENT|"
    r"Secretary-General|SECRETARY-GENERAL|Deputy\s+Secretary-General|"
    r"DEPUTY\s+SECRETARY-GENERAL|Temporary\s+President|TEMPORARY\s+PRESIDENT)"
)
_LABEL = re.compile(
    rf"""^(?:\d{{1,4}}\.\s+)?  # the paragraph number of the Official Records ("12. The PRESIDENT:")
    (?P<label>
        (?:(?P<office>{_OFFICE})
          |(?P<title>{TITLES})\s+(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,6}}))
        (?P<parens>(?:\s*\([^():]{{1,120}}\)){{0,3}})
    )\s*:\s*""",
    re.VERBOSE,
)
_PAREN = re.compile(r"\(([^()]+)\)")
_MISPLACED_COLON = re.compile(r"(?:\s*\([^():]{1,120}\)){1,2}\s*:\s")
# "(spoke in Russian)", "(interpretation from Arabic)", "(translated from Russian)",
# "(spoke in Arabic; interpretation provided by the delegation)".
_LANGUAGE = re.compile(
    r"^(?:spoke\s+in|interpretation\s+from(?:\s+the)?|translated\s+from(?:\s+the)?|"
    r"continued\s+in)\s+(?P<language>[A-Za-z]+)\b(?:[;,].*)?$",
    re.IGNORECASE,
)


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


def language_of(parenthesis: str) -> str | None:
    """The language named by "(spoke in X)", "(interpretation from X)" and the like."""
    match = _LANGUAGE.match(" ".join(parenthesis.strip("() ").split()))
    return match["language"].capitalize() if match else None


def match_label(text: str) -> SpeakerLabel | None:
    """Read a speaker label ("Mr. Nebenzia (Russian Federation) (spoke in Russian):") at the
    start of ``text``; None if it does not start with one."""
    match = _LABEL.match(text)
    if not match:
        return None
    if not match["parens"]:
        # A misprint seen in the records: "Mr. Briz Gutiérrez: (Guatemala) (spoke in Spanish):".
        moved = _MISPLACED_COLON.match(text, match.end())
        if moved:
            return match_label(
                text[: match.end()].rstrip().rstrip(":") + " " + text[moved.start() :]
            )
    country = None
    spoke_in = None
    for inner in _PAREN.findall(match["parens"] or ""):
        inner = " ".join(inner.split())
        language = language_of(inner)
        if language:
            spoke_in = language
        elif country is None:
            country = inner  # usually before the language; once in a while after it
        else:
            return None
    attribution = " ".join(match["label"].split())
    if match["office"]:
        office = _office(match["office"])
        return SpeakerLabel(attribution, office, None, country, spoke_in, office, match.end())
    title = _title(match["title"])
    speaker = f"{title} {ordinary_case(' '.join(match['name'].split()))}"
    return SpeakerLabel(attribution, speaker, title, country, spoke_in, None, match.end())


def _office(printed: str) -> str:
    words = " ".join(printed.split()).split(" ", 1)[1]
    return "The " + "-".join(
        " ".join(w.capitalize() for w in part.split(" ")) for part in words.lower().split("-")
    )


def _title(printed: str) -> str:
    return {"MR.": "Mr.", "MRS.": "Mrs.", "MS.": "Ms.", "SIR": "Sir", "DAME": "Dame"}.get(
        printed, printed
    )


def ordinary_case(name: str) -> str:
    """A name printed in capitals ("AL-KIDWA", "LI Zhaoxing", "de ARAUJO CASTRO") in ordinary
    case; mixed-case words are left as printed ("McDonald", "DeShong")."""
    words = []
    for word in name.split(" "):
        letters = [c for c in word if c.isalpha()]
        if len(letters) >= 2 and all(c.isupper() for c in letters):
            word = "-".join(_capitalise(part) for part in word.split("-"))
        words.append(word)
    return " ".join(words)


def _capitalise(part: str) -> str:
    # "D’ESCOTO" -> "D’Escoto", "O’BRIEN" -> "O’Brien".
    for apostrophe in ("’", "'"):
        if apostrophe in part:
            head, _, tail = part.partition(apostrophe)
            return head.capitalize() + apostrophe + tail.capitalize()
    return part.capitalize()


# A label inside running text, after the end of a sentence: a missed turn (two turns merged).
_LABEL_INSIDE = re.compile(
    rf"(?<=[.!?”)])\s+(?=(?:{_OFFICE}|(?:{TITLES})\s+{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,5}}"
    r"\s*\([^():]{1,80}\))(?:\s*\([^():]{1,80}\)){0,2}\s*:\s)"
)


def labels_inside(text: str) -> list[tuple[int, SpeakerLabel]]:
    """Speaker labels found inside a text (not at its start): where, and which."""
    found = []
    for match in _LABEL_INSIDE.finditer(text):
        label = match_label(text[match.end() :][:400])
        if label is not None:
            found.append((match.end(), label))
    return found


LANGUAGE_SWITCH = re.compile(
    r"^\((?:spoke|continued)\s+in\s+\w+\)$|^\(interpretation\s+from\s+\w+\)$", re.IGNORECASE
)


# A label with a State, a language or an office, anywhere after a word: where a vote list
# flattened into one line runs on into the next turn ("... Viet Nam The President: ...").
_LABEL_AHEAD = re.compile(
    rf"(?<=[\w)])\s+(?=(?:{_OFFICE}|(?:{TITLES})\s+{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,5}}\s*"
    r"\([^():]{1,80}\))(?:\s*\([^():]{1,80}\)){0,2}\s*:\s)"
)


def labels_ahead(text: str, start: int = 0) -> list[int]:
    """Where strong speaker labels begin in ``text`` after ``start``, even mid-sentence."""
    return [
        m.end() for m in _LABEL_AHEAD.finditer(text, start) if match_label(text[m.end() :][:400])
    ]
