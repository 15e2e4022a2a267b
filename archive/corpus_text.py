"""Page furniture the corpus left in speech texts: page counters ("21/21"), footers, headers.

The corpus cut its speeches out of the PDFs' text layer and kept what sat between them: a page
counter and job number at the foot of a page ("43/99", "20-07478"), the start of the next page's
running header ("S/2", "$/2" as OCR read it, "S/2020/497"), a barcode star. This module takes
them out, pure text in and out, and never a number that is real text: "resolution 46/182",
"24/7 monitoring" and "letter 2/2" where 2 is not the document's page count all stay.

* At the end of a speech, after its last sentence: only tokens of that furniture are removed.
* Inside a speech: a counter "n/N" is removed only where N is the document's page count (what the
  counters at the ends of its speeches say), n <= N, and the words before it do not make it a
  document number ("resolution 74/83", "decisions 71/205, 72/190").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

_COUNTER = r"\d{1,3}/\d{1,3}"
_TOKEN = re.compile(
    rf"^(?:{_COUNTER}|[S$]/\d{{0,4}}(?:/\d{{1,4}})?|\d{{2}}-\d{{5}}(?:\(E\))?|\*\d{{5,9}}\*|\*)$"
)
_SENTENCE_END = re.compile(r"[.!?\"”’')\]:;]")
_GLUED = re.compile(r"([.!?\"”’)\]])(?=(?:[S$]/\d|\d{1,3}/\d{1,3}\b|\d{2}-\d{5}|\*))")
_MID_COUNTER = re.compile(r"(?<![\w/.\-])(\d{1,3})/(\d{1,3})(?![\w/])")
_DOCUMENT_WORDS = re.compile(
    r"(?:resolutions?|decisions?|documents?|A|ES|annex(?:es)?|paras?|paragraphs?|No\.?|nos?\.?|"
    r"and|or|to|,|\(|of\s+\d{1,2}\s+\w+)\s*$",
    re.IGNORECASE,
)


@dataclass
class Cleaned:
    """A speech's text without page furniture, and what was taken out (for the record)."""

    text: str
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.removed)


def _is_counter(token: str) -> bool:
    match = re.fullmatch(r"(\d{1,3})/(\d{1,3})", token)
    return bool(match) and 1 <= int(match[1]) <= int(match[2])


def split_tail(text: str) -> tuple[str, list[str]]:
    """(the text without trailing furniture, the furniture tokens removed, in order)."""
    # Furniture glued to the last sentence ("...of Syria.$/2"): split it off first.
    head, tail = text[:-60], _GLUED.sub(r"\1 ", text[-60:])
    words = (head + tail).rstrip().split(" ")
    removed: list[str] = []
    while len(words) > 1:
        token = words[-1].strip()
        if token == "":
            words.pop()
            continue
        fits = _TOKEN.match(token) and (not re.fullmatch(_COUNTER, token) or _is_counter(token))
        if not fits:
            break
        removed.insert(0, token)
        words.pop()
    if not removed:
        return text, []
    body = " ".join(words).rstrip()
    if not body or not _SENTENCE_END.search(body[-1]):
        # The run does not follow a sentence's end: it may be what the speaker said.
        return text, []
    return body, removed


def page_count(texts: list[str]) -> int | None:
    """The document's page count, as the counters at the ends of its speeches give it."""
    totals: Counter[int] = Counter()
    for text in texts:
        for token in split_tail(text)[1]:
            if _is_counter(token):
                totals[int(token.split("/")[1])] += 1
    return totals.most_common(1)[0][0] if totals else None


def _strip_mid_counters(text: str, total: int) -> tuple[str, list[str]]:
    removed: list[str] = []

    def replace(match: re.Match) -> str:
        number, of = int(match[1]), int(match[2])
        before = text[max(0, match.start() - 40) : match.start()]
        if of != total or not 1 <= number <= of or _DOCUMENT_WORDS.search(before):
            return match.group(0)
        removed.append(match.group(0))
        return ""

    cleaned = _MID_COUNTER.sub(replace, text)
    if removed:
        cleaned = re.sub(r"[ \t]{2,}", " ", cleaned)
    return cleaned, removed


def clean_document(texts: list[str]) -> list[Cleaned]:
    """Each speech of one document without its page furniture (see the module docstring)."""
    total = page_count(texts)
    result = []
    for text in texts:
        body, removed = split_tail(text)
        if total:
            body, inner = _strip_mid_counters(body, total)
            removed = inner + removed
        result.append(Cleaned(body if removed else text, removed))
    return result
