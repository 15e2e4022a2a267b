"""Resolution numbers and UN document symbols: parse, normalise and find them in text.

Security Council resolutions are written "2467 (2019)": the number is unique only with its year.
A resolution cited without a year ("resolution 2467") is reported as the bare number "2467",
unless the same text also cites it with a year, in which case only the dated form is kept.

Other organs' resolutions are different things and never become Council resolutions: the
General Assembly's ("General Assembly resolution 51/223", "A/RES/51/223", "resolution 1514 (XV)"
with its session in Roman figures), the Human Rights Council's ("A/HRC/RES/5/1") and the
Economic and Social Council's ("E/RES/1996/31") are reported as documents under their symbols;
a ``ResolutionRef`` says which organ it belongs to (``kind``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_YEAR = r"(?:19[4-9]\d|20\d\d)"


SECURITY_COUNCIL = "security_council"
GENERAL_ASSEMBLY = "general_assembly"


@dataclass(frozen=True)
class ResolutionRef:
    """A resolution: of the Security Council (number and, when known, year of adoption) or of
    the General Assembly (number and session: "51/223" is resolution 223 of the 51st session,
    "1514 (XV)" resolution 1514 of the fifteenth)."""

    number: int
    year: int | None = None
    kind: str = SECURITY_COUNCIL
    session: str | None = None  # General Assembly: "51", "ES-10" or "XV"

    @property
    def is_council(self) -> bool:
        """Whether this is a Security Council resolution (the only kind with a Resolution row)."""
        return self.kind == SECURITY_COUNCIL

    @property
    def symbol(self) -> str:
        """The document symbol: "S/RES/2467 (2019)", "A/RES/51/223", "A/RES/1514 (XV)"."""
        if self.is_council:
            return f"S/RES/{self}"
        if self.session and not self.session[0].isdigit() and not self.session.startswith("ES"):
            return f"A/RES/{self.number} ({self.session})"
        return f"A/RES/{self.session}/{self.number}"

    def __str__(self) -> str:
        if not self.is_council:
            return self.symbol
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


_GA_REFERENCE = re.compile(
    r"""^\s*(?:
        a\s*/\s*res\s*/\s*(?P<session>(?:es-)?\d{1,3})\s*/\s*(?P<number>\d{1,4})[a-z]?
      | (?:(?:general\s+)?assembly\s+|ga\s+|unga\s+)res(?:olution)?\.?\s*
        (?:(?P<session2>(?:es-)?\d{1,3})\s*/\s*(?P<number2>\d{1,4})
          |(?P<number3>\d{1,4})\s*\((?P<roman>[ivxl]{1,7})\))
      | (?:res(?:olution)?\.?\s*)?(?P<number4>\d{1,4})\s*(?:[a-z]\s*)?\((?P<roman2>[ivxl]{1,7})\)
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def parse_resolution_reference(s: str) -> ResolutionRef | None:
    """Parse "2467", "2467 (2019)", "S/RES/2467(2019)", "res 2467", "UNSCR 2467" and the like
    (Security Council), or "A/RES/51/223", "General Assembly resolution 51/223", "resolution
    1514 (XV)" (General Assembly: ``kind`` says so)."""
    if not isinstance(s, str) or len(s) > 100:
        return None
    ga = _GA_REFERENCE.match(s)
    if ga:
        number = int(ga["number"] or ga["number2"] or ga["number3"] or ga["number4"])
        session = ga["session"] or ga["session2"] or ga["roman"] or ga["roman2"]
        return ResolutionRef(number, None, GENERAL_ASSEMBLY, session.upper()) if number else None
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
  | A\s*/\s*RES\s*/\s*\d{{1,4}}\s*(?:[A-Z]\s*)?\(\s*[IVXL]{{1,7}}\s*\)
  | A\s*/\s*HRC\s*/\s*RES\s*/\s*\d{{1,2}}\s*/\s*\d{{1,4}}
  | E\s*/\s*(?:CN\s*\.\s*4\s*/\s*)?RES\s*/\s*(?:19|20)\d\d\s*/\s*\d{{1,4}}
  | A\s*/\s*(?:ES-\d{{1,2}}|S-\d{{1,2}}|\d{{1,3}})\s*/\s*PV\s*\.\s*\d{{1,4}}
  | A\s*/\s*\d{{1,3}}\s*/\s*\d{{1,4}}(?:\s*/\s*(?:Add|Rev|Corr)\s*\.\s*\d{{1,3}})*
  | S\s*/\s*\d{{3,5}}(?:\s*/\s*(?:Add|Rev|Corr|Amend)\s*\.\s*\d{{1,3}})*
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
    text = re.sub(r"^([SA])/RES/(\d+[A-Z]?)\(", r"\1/RES/\2 (", text)
    for suffix in ("ADD", "REV", "CORR", "AMEND"):
        text = text.replace(f"/{suffix}.", f"/{suffix.title()}.")
    return text


_RESOLUTION_WORD = re.compile(r"\b(?:[Rr]esolutions?|S/RES/)\s*")
# One item of a list of resolutions: "1325 (2000)", "2467", a General Assembly "46/182", or
# "1514 (XV)" (a General Assembly resolution numbered before 1976, its session in Roman).
_LIST_ITEM = re.compile(
    rf"(?P<number>\d{{1,4}})(?P<ga>/\d{{1,4}})?"
    rf"(?:\s*\((?:(?P<year>{_YEAR})|(?P<roman>[IVXL]{{1,7}}))\))?(?![\w/])"
)
_LIST_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and|or)\s+|,|\s+and\s+|\s+or\s+)\s*")
_DATED_NUMBER = re.compile(rf"(?<![\w/.,])(?P<number>\d{{3,4}}) \((?P<year>{_YEAR})\)")
# The organ named just before "resolution": the nearest one decides whose resolution it is.
_ORGAN = re.compile(
    r"(?P<organ>Security Council|General Assembly|Assembly|Human Rights Council|"
    r"Economic and Social Council|ECOSOC|Commission on Human Rights|World Health Assembly|"
    r"Council|Conference|Board of Governors|Commission|Summit|Union|Organization|Committee|"
    r"WHO|WHA|IAEA|UNESCO|ILO|FAO|AU|OAS|OIC|ECOWAS|NATO|League of Arab States|Arab League)"
    r"(?:’s|'s)?(?:,?\s+(?:in\s+)?(?:its|their|the|a|and|of|which|adopted|has|had|by)){0,3},?\s*$"
)
_ORGAN_SYMBOL = {
    "Human Rights Council": "A/HRC/RES/{session}/{number}",
    "Economic and Social Council": "E/RES/{session}/{number}",
    "ECOSOC": "E/RES/{session}/{number}",
    "Commission on Human Rights": "E/CN.4/RES/{session}/{number}",
}


def _organ_before(text: str, position: int) -> str:
    """Whose resolution the word at ``position`` is: "council" (the Security Council, the
    default in a Council record), "General Assembly", an organ with symbols of its own, or
    "other" (an organization whose resolutions have no UN symbol)."""
    match = _ORGAN.search(text[max(0, position - 60) : position])
    if not match:
        return "council"
    organ = match["organ"]
    if organ in ("Security Council", "Council"):
        return "council"
    if organ in ("General Assembly", "Assembly"):
        return "General Assembly"
    return organ if organ in _ORGAN_SYMBOL else "other"


def find_mentions(text: str) -> ParsedMentions:
    """Find every Security Council resolution and UN document symbol cited in a text; other
    organs' resolutions are listed among the documents under their own symbols."""
    found: list[tuple[int, str]] = []
    documents: list[tuple[int, str]] = []
    if not text:
        return ParsedMentions()
    for match in _RESOLUTION_WORD.finditer(text):
        organ = "council" if match.group(0).startswith("S/") else _organ_before(text, match.start())
        _read_list(text, match.end(), organ, found, documents)
    # A dated number standing alone ("... with 2254 (2015).") is a resolution too: the
    # "(year)" form is not used for anything else in Council records.
    for match in _DATED_NUMBER.finditer(text):
        if _organ_before(text, match.start()) == "council":
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


def _read_list(
    text: str,
    position: int,
    organ: str,
    found: list[tuple[int, str]],
    documents: list[tuple[int, str]],
) -> None:
    """Read "1325 (2000), 1820 (2008) and 2467 (2019)" (or "46/182 and 60/1") after the word
    "resolution(s)", sorting each item by the organ it belongs to."""
    dated_list = False
    while True:
        item = _LIST_ITEM.match(text, position)
        if not item or (dated_list and not item["year"]):
            # After "1325 (2000)," a bare number is a count, not another resolution.
            break
        dated_list = dated_list or bool(item["year"])
        number = int(item["number"])
        if item["ga"] and organ in _ORGAN_SYMBOL:
            session = item["number"]
            documents.append(
                (item.start(), _ORGAN_SYMBOL[organ].format(session=session, number=item["ga"][1:]))
            )
        elif item["ga"] and organ in ("council", "General Assembly"):
            # "resolution 46/182": session/number is how the General Assembly numbers them.
            documents.append((item.start(), f"A/RES/{number}{item['ga']}"))
        elif item["roman"] and organ in ("council", "General Assembly"):
            documents.append((item.start(), f"A/RES/{number} ({item['roman']})"))
        elif organ == "council" and number and not item["ga"] and not item["roman"]:
            year = item["year"]
            found.append((item.start(), f"{number} ({year})" if year else str(number)))
        separator = _LIST_SEPARATOR.match(text, item.end())
        if not separator:
            break
        position = separator.end()


def _merge_resolutions(resolutions: list[str]) -> list[str]:
    """Deduplicate in order; drop a bare number when the same text also gives its year."""
    unique = list(dict.fromkeys(resolutions))
    dated = {r.split(" ")[0] for r in unique if " " in r}
    return [r for r in unique if " " in r or r not in dated]
