"""Running matter: the headers and footers printed on every page, in every period's style.

Page numbers ("2", "2/3", "- 2 -"), job numbers ("19-11025", "20-00806 (E)"), bar codes
("*2000806*"), symbols ("S/PV.8699", "S/PV. 8698 (Resumption 1)", "A/48/PV.46"), dates
("09/01/2020", "1 November 1993"), and the 1990s headers "Security Council / 3977th meeting /
Fifty-fourth year / 26 February 1999". The page geometry decides by *measurement* which lines are
in the header and footer bands (repetition across pages, position); these patterns are the
evidence it weighs, and the plain-text path's only way to recognise running matter.
"""

from __future__ import annotations

import re

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_ORDINAL_WORD = (
    r"(?i:(?:(?:Twenty|Thirty|Forty|Fifty|Sixty|Seventy|Eighty|Ninety)-)?"
    r"(?:First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|Ninth|Tenth|Eleventh|Twelfth|"
    r"Thirteenth|Fourteenth|Fifteenth|Sixteenth|Seventeenth|Eighteenth|Nineteenth|Twentieth|"
    r"Thirtieth|Fortieth|Fiftieth|Sixtieth|Seventieth|Eightieth|Ninetieth|Hundredth))"
)
# The symbol of a meeting record, as headers print it.
_SYMBOL = (
    r"(?:S/PV\.\s?\d{1,5}(?:\s*\((?:Resumption|Part)\s*\d{1,2}\))?"
    r"|A/(?:ES-\d{1,2}/|S-\d{1,2}/)?\d{1,3}/PV\.\s?\d{1,4})"
)
_DATE = rf"(?:\d{{2}}/\d{{2}}/\d{{4}}|(?:{_WEEKDAY},?\s+)?\d{{1,2}}\s+{_MONTH}\s+\d{{4}})"
_PAGE = r"(?:\d{1,4}/\d{1,4}|-\s?\d{1,4}\s?-|Page\s+\d{1,4}(?:\s+of\s+\d{1,4})?|\d{1,4})"
_JOB = r"(?:\d{2}-\d{5}(?:\s*\([A-Z]\))?|\*\d{6,9}\*)"

# One part of a running line, as laid out on the page (parts are separated by wide gaps).
_PART = re.compile(
    rf"""^(?:
        {_SYMBOL} | {_DATE} | {_PAGE} | {_JOB}
      | Security\ Council | General\ Assembly | United\ Nations | Provisional | Official\ Records
      | \d{{1,5}}(?:st|nd|rd|th)\ (?:plenary\ )?meeting(?:\s*-\s*{_DATE})?
      | {_ORDINAL_WORD}\ (?:year|session)(?:\s+{_DATE})?
      | General\ Assembly\ -\ {_ORDINAL_WORD}\ session
      | [A-Z]{{2,4}}/[A-Za-z0-9]{{1,6}}
    )$""",
    re.VERBOSE | re.IGNORECASE,
)

# A whole line of running matter as plain text prints it (parts joined by spaces). Strong
# forms: safe to drop wherever they stand, even in text with no page breaks.
_STRONG_LINE = re.compile(
    rf"""^(?:
        {_SYMBOL}(?:\s+.{{0,200}}\s+{_DATE})?
      | {_DATE}\s+.{{0,200}}\s+{_SYMBOL}
      | \d{{1,4}}(?:/\d{{1,4}})?\s+{_JOB} | {_JOB}(?:\s+\d{{1,4}}(?:/\d{{1,4}})?)?
      | \d{{2}}-\d{{5}}\d{{1,4}}/\d{{1,4}}
      | Security\ Council\s+\d{{1,5}}(?:st|nd|rd|th)\ meeting
      | {_ORDINAL_WORD}\ year\s+{_DATE}
      | \d{{1,4}}\s+General\ Assembly\ -\ {_ORDINAL_WORD}\ session
      | General\ Assembly\ -\ {_ORDINAL_WORD}\ session\s+\d{{1,4}}
      | (?:\d{{1,4}}\s+)?\d{{1,5}}(?:st|nd|rd|th)\ (?:plenary\ )?meeting\ -\ {_DATE}(?:\s+\d{{1,4}})?
      | Provisional
    )$""",
    re.VERBOSE | re.IGNORECASE,
)
# Weaker forms: running matter only at a page's top or foot (a bare "2" or "Security Council"
# may be a wrapped line of a speech in text with short lines).
_WEAK_LINE = re.compile(
    rf"^(?:{_PAGE}|Security Council|General Assembly|{_ORDINAL_WORD} year|"
    rf"\d{{1,5}}(?:st|nd|rd|th) meeting|{_DATE})$",
    re.IGNORECASE,
)


def is_running_part(text: str) -> bool:
    """Whether one part of a line (a run between wide gaps) is typical running matter."""
    return bool(_PART.match(" ".join(text.split())))


def is_running_line(text: str, *, at_page_edge: bool) -> bool:
    """Whether a plain-text line is running matter: anywhere in the strong forms, and at the top
    or foot of a page also in the weaker ones."""
    line = " ".join(text.split())
    if not line:
        return False
    if _STRONG_LINE.match(line):
        return True
    return at_page_edge and bool(_WEAK_LINE.match(line))


def running_rows(rows: list[str], edges: set[int]) -> set[int]:
    """Indexes of the running lines among a page's non-blank ``rows`` in plain text.

    A header printed on several lines ("Security Council" / "3500th meeting" / "Fiftieth
    year") is found by joining up to three consecutive weak lines into a strong form; a weak
    line beside running matter is running too (the rest of that header), as are weak lines at
    the page's ``edges``. A weak line alone in the body ("2", "Security Council") stays text.
    """
    flat = [" ".join(r.split()) for r in rows]
    weak = [bool(_WEAK_LINE.match(f)) for f in flat]
    joinable = [w or is_running_part(f) for w, f in zip(weak, flat, strict=True)]
    running: set[int] = set()
    for start in range(len(rows)):
        if is_running_line(flat[start], at_page_edge=False):
            running.add(start)
            continue
        for group in (range(start, start + 2), range(start, start + 3)):
            if (
                group.stop <= len(rows)
                and all(joinable[i] for i in group)
                and is_running_line(" ".join(flat[i] for i in group), at_page_edge=False)
            ):
                running.update(group)
                break
    # Weak lines beside running matter (or at an edge) are running too: rightwards, then
    # leftwards, so a chain of them is taken whole in two passes.
    for i in range(len(rows)):
        if weak[i] and (i in edges or i - 1 in running):
            running.add(i)
    for i in reversed(range(len(rows))):
        if weak[i] and i + 1 in running:
            running.add(i)
    return running


_FOOTER_LINE = re.compile(rf"^(?:{_PAGE}|{_JOB}|[\s/()E\d*-]+)$")


def is_footer_line(text: str) -> bool:
    """Whether a running line is a footer's (page and job numbers) rather than a header's."""
    return bool(_FOOTER_LINE.match(" ".join(text.split())))


def signature(text: str) -> str:
    """A line's text with its numbers blanked, to find the same running line on other pages."""
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))
