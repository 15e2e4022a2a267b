"""Resolution numbers and UN document symbols: parse, normalise and find them in text.

Resolutions are written "2467 (2019)": the number is unique only with its year. A resolution
cited without a year ("resolution 2467") is reported as the bare number "2467", unless the same
text also cites it with a year, in which case only the dated form is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_YEAR = r"(?:19[4-9]\d|20\d\d)"


@dataclass(frozen=True)
class ResolutionRef:
    """A Security Council resolution: number and, when known, year of adoption."""

    number: int
    year: int | None = None

    def __str__(self) -> str:
        return f"{self.number} ({self.year})" if self.year else str(self.number)


@dataclass
class ParsedMentions:
    """Resolutions ("2505 (2020)") and document symbols ("S/2019/823") cited in a text."""

    resolutions: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Return the JSON form."""
        return {"resolutions": list(self.resolutions), "documents": list(self.documents)}

    def extend(self, other: ParsedMentions) -> None:
        """Add another text's mentions, keeping first-appearance order without duplicates."""
        self.resolutions = _merge_resolutions(self.resolutions + other.resolutions)
        self.documents = list(dict.fromkeys(self.documents + other.documents))


_REFERENCE = re.compile(
    rf"""^\s*
    (?:(?:s\s*/\s*res\s*/|unscr\.?|(?:security\s+council\s+)?res(?:olution)?\.?)\s*)?
    (?:no\.?\s*)?
    (?P<number>\d{{1,4}})
    (?:\s*\(\s*(?P<year>{_YEAR})\s*\))?
    \s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def parse_resolution_reference(s: str) -> ResolutionRef | None:
    """Parse "2467", "2467 (2019)", "S/RES/2467(2019)", "res 2467", "UNSCR 2467" and the like."""
    if not isinstance(s, str) or len(s) > 100:
        return None
    match = _REFERENCE.match(s)
    if not match:
        return None
    number = int(match["number"])
    if number == 0:
        return None
    return ResolutionRef(number, int(match["year"]) if match["year"] else None)


# Document symbols, most specific first. Each alternative ends on a digit or a closing
# parenthesis so that sentence punctuation after a symbol is never swallowed.
_SYMBOL_BODY = rf"""
    S\s*/\s*PV\s*\.\s*\d{{1,5}}(?:\s*\(\s*Resumption\s+\d{{1,2}}\s*\))?
  | S\s*/\s*RES\s*/\s*\d{{1,4}}\s*\(\s*{_YEAR}\s*\)
  | S\s*/\s*PRST\s*/\s*{_YEAR}\s*/\s*\d{{1,4}}
  | S\s*/\s*{_YEAR}\s*/\s*\d{{1,4}}(?:\s*/\s*(?:Add|Rev|Corr|Amend)\s*\.\s*\d{{1,3}})*
  | A\s*/\s*RES\s*/\s*(?:ES-\d{{1,2}}/)?\d{{1,3}}\s*/\s*\d{{1,4}}[A-Z]?
  | A\s*/\s*(?:ES-\d{{1,2}}|S-\d{{1,2}}|\d{{1,3}})\s*/\s*PV\s*\.\s*\d{{1,4}}
  | A\s*/\s*\d{{1,3}}\s*/\s*\d{{1,4}}(?:\s*/\s*(?:Add|Rev|Corr)\s*\.\s*\d{{1,3}})*
"""
_SYMBOL_EXACT = re.compile(rf"^\s*(?:{_SYMBOL_BODY})\s*$", re.IGNORECASE | re.VERBOSE)
# In running text, only tolerate the stray space after "S/PV." that the records print.
_SYMBOL_IN_TEXT = re.compile(
    r"(?<![\w/])(?:" + _SYMBOL_BODY.replace(r"\s*", "[ ]?").replace(r"\s+", "[ ]") + r")(?![\w/])",
    re.VERBOSE,
)


def normalise_document_symbol(s: str) -> str | None:
    """Return the canonical form of a UN document symbol ("s/pv. 8698" -> "S/PV.8698"), or None."""
    if not isinstance(s, str) or len(s) > 100 or not _SYMBOL_EXACT.match(s):
        return None
    text = re.sub(r"\s+", "", s).upper()
    text = text.replace("(RESUMPTION", " (Resumption ")
    text = re.sub(r"^S/RES/(\d+)\(", r"S/RES/\1 (", text)
    for suffix in ("ADD", "REV", "CORR", "AMEND"):
        text = text.replace(f"/{suffix}.", f"/{suffix.title()}.")
    return text


_RESOLUTION_WORD = re.compile(r"\b(?:[Rr]esolutions?|S/RES/)\s*")
# One item of a list of resolutions: "1325 (2000)", "2467", or a General Assembly "46/182".
_LIST_ITEM = re.compile(
    rf"(?P<number>\d{{1,4}})(?P<ga>/\d{{1,4}})?(?:\s*\((?P<year>{_YEAR})\))?(?![\w/])"
)
_LIST_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and|or)\s+|,|\s+and\s+|\s+or\s+)\s*")
_DATED_NUMBER = re.compile(rf"(?<![\w/.,])(?P<number>\d{{3,4}}) \((?P<year>{_YEAR})\)")


def find_mentions(text: str) -> ParsedMentions:
    """Find every Security Council resolution and UN document symbol cited in a text."""
    found: list[tuple[int, str]] = []
    documents: list[tuple[int, str]] = []
    if not text:
        return ParsedMentions()
    for match in _RESOLUTION_WORD.finditer(text):
        position = match.end()
        dated_list = False
        general_assembly = "General Assembly" in text[max(0, match.start() - 20) : match.start()]
        while True:
            item = _LIST_ITEM.match(text, position)
            if not item or (dated_list and not item["year"]):
                # After "1325 (2000)," a bare number is a count, not another resolution.
                break
            dated_list = dated_list or bool(item["year"])
            if item["ga"]:
                documents.append((item.start(), f"A/RES/{item['number']}{item['ga']}"))
            elif not general_assembly:
                number = int(item["number"])
                if number:
                    year = item["year"]
                    found.append((item.start(), f"{number} ({year})" if year else str(number)))
            separator = _LIST_SEPARATOR.match(text, item.end())
            if not separator:
                break
            position = separator.end()
    # A dated number standing alone ("... with 2254 (2015).") is a resolution too: the
    # "(year)" form is not used for anything else in Council records.
    for match in _DATED_NUMBER.finditer(text):
        found.append((match.start(), f"{int(match['number'])} ({match['year']})"))
    for match in _SYMBOL_IN_TEXT.finditer(text):
        symbol = normalise_document_symbol(match.group(0))
        if symbol:
            documents.append((match.start(), symbol))
            res = re.match(r"S/RES/(\d+) \((\d{4})\)", symbol)
            if res:
                found.append((match.start(), f"{int(res[1])} ({res[2]})"))
    found.sort(key=lambda pair: pair[0])
    documents.sort(key=lambda pair: pair[0])
    return ParsedMentions(
        resolutions=_merge_resolutions([r for _, r in found]),
        documents=list(dict.fromkeys(d for _, d in documents)),
    )


def _merge_resolutions(resolutions: list[str]) -> list[str]:
    """Deduplicate in order; drop a bare number when the same text also gives its year."""
    unique = list(dict.fromkeys(resolutions))
    dated = {r.split(" ")[0] for r in unique if " " in r}
    return [r for r in unique if " " in r or r not in dated]
