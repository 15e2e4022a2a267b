"""Search snippets built from the page's texts: the passages around the matched words.

``ts_headline`` re-parses each whole speech with the text-search parser (~3 ms for a long
Council speech, 30-60 ms for a page), for the one or two passages it shows. Here the texts
the page already read are scanned for words that could match (a regular expression on the
first letters of the query's lexemes, in C), those few candidate words are stemmed by
PostgreSQL's own configuration (one small query: the same lexemes as the stored vectors),
and the best one or two windows are cut around the matches.

The result has the format ``search.highlight`` reads (``ts_headline``'s, as the page cache
keeps it): text with ``&``, ``<`` and ``>`` written as entities and the marked words between
two private-use sentinels; ``highlight`` escapes it and only then adds ``<mark>``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable

START_SEL = "\ue000"
STOP_SEL = "\ue001"
# About ts_headline's MinWords..MaxWords (20..45) for speeches' word lengths.
WINDOW = 240
BEFORE = 90
MAX_FRAGMENTS = 2
DELIMITER = " … "
MAX_HITS = 200
_WORD = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")


def candidates_pattern(lexemes: Iterable[str]) -> re.Pattern | None:
    """Words that may have one of ``lexemes`` as their stem (they share its first letters).

    Snowball's English stemmer changes only word endings (and a leading apostrophe), so a
    word stemming to "peac" starts with "pea"; a short stem may differ from its word in the
    third letter ("cri" from "cry", "die" from "dying"), so only two letters are used then.
    """
    heads = _heads(lexemes)
    if not heads:
        return None
    return re.compile(r"\b(?:" + "|".join(map(re.escape, heads)) + r")\w*", re.IGNORECASE)


def _heads(lexemes: Iterable[str]) -> list[str]:
    heads = {lex[: 3 if len(lex) >= 5 else 2].lower() for lex in lexemes if lex}
    return sorted(h for h in heads if _WORD.fullmatch(h))


def candidates(text: str, heads: list[re.Pattern], pattern: re.Pattern) -> list:
    """(start, stop, word) of the words of ``text`` that ``pattern`` matches, in order.

    The same words, found ~5 x faster: each head (``"pea\\w*"``) is a literal the regular
    expression engine searches for directly in the lower-cased text, where a case-blind
    ``\\b(?:pea|lib)\\w*`` tries every position. A match inside a word is skipped (it runs
    to the word's end, so it never hides the start of the next word). Texts whose length
    changes in lower case (a few rare letters) are searched with ``pattern`` itself.
    """
    low = text.lower()
    if len(low) != len(text):
        return [(m.start(), m.end(), m.group()) for m in pattern.finditer(text)]
    stops: dict[int, int] = {}
    for head in heads:
        for match in head.finditer(low):
            start = match.start()
            if not (start and _WORD_CHAR.match(low, start - 1)):
                stops[start] = match.end()
    return [(start, stops[start], text[start : stops[start]]) for start in sorted(stops)]


def _entities(text: str) -> str:
    text = text.replace(START_SEL, "").replace(STOP_SEL, "")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _snap(text: str, start: int, stop: int) -> tuple[int, int]:
    """Widen a window to whole words."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while stop < len(text) and not text[stop].isspace():
        stop += 1
    return start, stop


def _windows(text: str, hits: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """Up to MAX_FRAGMENTS windows, each around the hit whose neighbourhood has most terms.

    ``hits`` come in text order and never overlap, so their starts and their ends are both
    sorted: the hits inside a window are one slice, found by two binary searches.
    """
    chosen: list[tuple[int, int]] = []
    # The first few hundred matches are plenty to choose from.
    remaining = hits[:MAX_HITS]
    while remaining and len(chosen) < MAX_FRAGMENTS:
        starts = [h[0] for h in remaining]
        stops = [h[1] for h in remaining]
        best, best_key = None, None
        for start in starts:
            lo, hi = max(0, start - BEFORE), start - BEFORE + WINDOW
            first, last = bisect_left(starts, lo), bisect_right(stops, hi)
            inside = remaining[first:last] if first < last else []
            key = (len({h[2] for h in inside}), len(inside), -start)
            if best_key is None or key > best_key:
                best, best_key = (lo, max(hi, lo + WINDOW)), key
        window = _snap(text, best[0], min(best[1], len(text)))
        chosen.append(window)
        remaining = [h for h in remaining if not (window[0] <= h[0] < window[1])]
    return sorted(chosen)


def marked_snippet(text: str, hits: list[tuple[int, int, str]]) -> str:
    """The windows of ``text`` around ``hits``, entity-escaped, hits between sentinels."""
    pieces = []
    for lo, hi in _windows(text, hits):
        out, at = [], lo
        for start, stop, _lex in hits:
            if lo <= start and stop <= hi:
                out.append(_entities(text[at:start]))
                out.append(START_SEL + _entities(text[start:stop]) + STOP_SEL)
                at = stop
        out.append(_entities(text[at:hi]))
        pieces.append("".join(out).strip())
    return DELIMITER.join(pieces)


def build(
    texts: dict[int, str],
    lexemes: Iterable[str],
    stem: Callable[[list[str]], dict[str, set[str]]],
) -> dict[int, str]:
    """Marked snippets (``marked_snippet``) of the texts holding one of the ``lexemes``.

    ``stem`` maps words to their lexemes under the archive's text-search configuration.
    Texts without any match are left out (the page shows their beginning instead).
    """
    wanted = set(lexemes)
    pattern = candidates_pattern(wanted)
    if pattern is None:
        return {}
    heads = [re.compile(re.escape(head) + r"\w*") for head in _heads(wanted)]
    found = {pk: candidates(t, heads, pattern) for pk, t in texts.items()}
    words = sorted({w.lower() for hits in found.values() for _s, _e, w in hits})
    lexemes_of = stem(words) if words else {}
    out = {}
    for pk, hits in found.items():
        matched = []
        for start, stop, word in hits:
            common = lexemes_of.get(word.lower(), set()) & wanted
            if common:
                matched.append((start, stop, min(common)))
        if matched:
            out[pk] = marked_snippet(texts[pk], matched)
    return out
