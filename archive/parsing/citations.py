"""Security Council resolutions cited in the text of a resolution: pure, no Django.

One grammar: which resolutions a text cites is decided by ``symbols.find_mentions``, the
function the transcript parser uses for speeches ("Recalling its resolutions 1325 (2000),
1820 (2008) and 1888 (2009)", "resolution 242 (1967)", "S/RES/1267 (1999)"). What this module
adds is where each citation stands: the paragraph (one line of the cleaned text) that first
cites it and how many paragraphs cite it, so a reader can check the citation.

Only citations with a year are kept. Numbers are unique only with their year, and a bare
number after the word "resolution" is often a General Assembly resolution whose session
follows in Roman numerals ("resolution 377 (V)") or a paragraph reference; a General Assembly
resolution must never be read as a Council one. A citation of the text's own number (its
running header "S/RES/1325 (2000)", its title "Resolution 1325 (2000)") is not a citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .symbols import find_mentions

# Context kept for a citation: the paragraph, cut to this many characters around it.
CONTEXT_CHARS = 480


@dataclass(frozen=True)
class ParsedCitation:
    """A dated Council resolution cited in a text, with where it is cited."""

    number: int
    year: int
    # 1-based index of the first paragraph (non-empty line) citing it; 0 when only the whole
    # text shows it (a citation broken across lines).
    paragraph: int
    # How many paragraphs cite it (at least 1).
    paragraphs: int
    # The first citing paragraph, cut to about CONTEXT_CHARS characters around the citation.
    context: str

    @property
    def label(self) -> str:
        return f"{self.number} ({self.year})"


@dataclass(frozen=True)
class CitationScan:
    """What a resolution's text cites: dated citations, and undated numbers left aside."""

    citations: list[ParsedCitation]
    # Numbers cited without a year ("resolution 1267"): not linked, counted for the report.
    undated: list[int]


def _dated_pattern(number: int, year: int) -> re.Pattern:
    return re.compile(rf"(?<![\w/.,]){number}\s*\(\s*{year}\s*\)")


def _excerpt(paragraph: str, start: int, end: int) -> str:
    """``paragraph`` cut to about CONTEXT_CHARS characters around [start, end), on word edges."""
    if len(paragraph) <= CONTEXT_CHARS:
        return paragraph
    half = max(0, (CONTEXT_CHARS - (end - start)) // 2)
    left, right = max(0, start - half), min(len(paragraph), end + half)
    if left > 0:
        space = paragraph.find(" ", left)
        left = space + 1 if 0 <= space < start else left
    if right < len(paragraph):
        space = paragraph.rfind(" ", end, right)
        right = space if space > end else right
    return (
        ("… " if left > 0 else "")
        + paragraph[left:right]
        + (" …" if right < len(paragraph) else "")
    )


def scan_resolution_text(text: str, *, number: int) -> CitationScan:
    """The Council resolutions that resolution ``number``'s text cites, in order of citation."""
    if not text:
        return CitationScan(citations=[], undated=[])
    paragraphs = [" ".join(line.split()) for line in text.splitlines()]
    paragraphs = [p for p in paragraphs if p]
    citations, undated = [], []
    for found in find_mentions(text).resolutions:
        cited_number, _, year = found.partition(" ")
        if int(cited_number) == number:
            continue
        if not year:
            undated.append(int(cited_number))
            continue
        cited_year = int(year.strip("()"))
        pattern = _dated_pattern(int(cited_number), cited_year)
        first, count, context = 0, 0, ""
        for index, paragraph in enumerate(paragraphs, start=1):
            match = pattern.search(paragraph)
            if match:
                count += 1
                if not first:
                    first, context = index, _excerpt(paragraph, match.start(), match.end())
        if not first:
            # Broken across lines ("1325\n(2000)"): the whole text shows it, no one paragraph.
            flat = " ".join(text.split())
            match = pattern.search(flat)
            context = _excerpt(flat, match.start(), match.end()) if match else found
        citations.append(
            ParsedCitation(
                number=int(cited_number),
                year=cited_year,
                paragraph=first,
                paragraphs=max(count, 1),
                context=context,
            )
        )
    return CitationScan(citations=citations, undated=undated)
