"""Keyword in context: every occurrence of a query's words or phrases in the matching statements.

Which statements match is the search page's decision (the same query, the same filters, the
same ``search.matching``). Within each, the occurrences are found the way PostgreSQL matched
them: a word of the text is an occurrence of a query word when PostgreSQL's ``english``
configuration reduces both to the same lexeme ("violence", "violences" -> 'violenc'), and a
phrase is a run of such words at the distances the query gives (stop words count as words,
as in the index). The stemming is PostgreSQL's own, asked once per distinct candidate word
(words that begin like a query lexeme: a stem is a prefix of its word but for its last letter).

Known differences from the index, all within statements that match: words are split at any
character that is not a letter or digit (a search for 2019 also finds the 2019 of
"S/2019/280"), and hyphenated words are read as their parts (PostgreSQL also indexes the whole
"peace-keeping", which moves the positions after it by one).

A line is ``CONTEXT`` characters either side of the occurrence, cut back to whole words, with
newlines folded to spaces. Lines are sorted by date (newest first, then in the order of the
text), or by the words to the left (nearest first) or right of the keyword, as in AntConc.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from django.core.cache import cache
from django.db import connections
from django.db.models import QuerySet

from archive import search
from archive.models import SEARCH_CONFIG, Speech
from archive.research.terms import Term, positive_terms

CONTEXT = 60
WORD = re.compile(r"\w+")
# The statements the page's concordance reads (most recent first); the CSV reads every one.
STATEMENT_LIMIT = 3000
CACHE_SECONDS = 600
SORTS = {"date": "Date (newest first)", "left": "Left context", "right": "Right context"}


class Line(NamedTuple):
    """One occurrence with its context, and the statement it is in."""

    speech_id: int
    start: int
    end: int
    left: str
    keyword: str
    right: str
    term: str


# --------------------------------------------------------------------------- finding (pure)


@dataclass(frozen=True)
class Finder:
    """What to look for in texts: the words that may stem to one of the query's lexemes.

    A stem is its word but for the last letter or so ("violence" -> 'violenc', "armies" ->
    'armi'), so only words beginning like a lexeme less its last letter are candidates; the
    text is lower-cased once and searched for those beginnings as plain strings, which is
    three to four times faster than a case-blind pattern over the original text.
    """

    terms: tuple[Term, ...]
    pattern: re.Pattern
    # For the rare text whose lower-casing changes its length ("İ"), offsets would move:
    # such a text is searched case-blind instead.
    fallback: re.Pattern

    @classmethod
    def of(cls, terms: Iterable[Term]) -> Finder | None:
        """The finder of ``terms``; None when they have no lexeme to look for."""
        terms = tuple(terms)
        prefixes = {lex[:-1] if len(lex) >= 3 else lex for term in terms for lex in term.lexemes}
        prefixes.discard("")
        if not prefixes:
            return None
        alternatives = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
        return cls(
            terms=terms,
            pattern=re.compile(rf"(?:{alternatives})\w*"),
            fallback=re.compile(rf"(?<!\w)(?:{alternatives})\w*", re.IGNORECASE),
        )

    def candidates(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, lower-cased word) of each candidate word of ``text``."""
        lower = text.lower()
        if len(lower) != len(text):
            return [(m.start(), m.end(), m.group(0).lower()) for m in self.fallback.finditer(text)]
        found = []
        for match in self.pattern.finditer(lower):
            start = match.start()
            before = lower[start - 1] if start else " "
            if before.isalnum() or before == "_":
                continue  # inside a word ("asexual"): not a word beginning like a lexeme
            found.append((start, match.end(), match.group(0)))
        return found


def _phrase_end(
    text: str, start_end: int, term: Term, stems: Mapping[str, frozenset[str]]
) -> int | None:
    """End of ``term``'s phrase whose first word ends at ``start_end``, or None."""
    wanted = dict(zip(term.offsets[1:], term.lexemes[1:], strict=True))
    last = max(wanted)
    end = None
    for position, word in enumerate(WORD.finditer(text, start_end), start=1):
        lexeme = wanted.get(position)
        if lexeme is not None:
            if lexeme not in stems.get(word.group(0).lower(), ()):
                return None
            end = word.end()
        if position >= last:
            return end
    return None


def find_occurrences(
    text: str,
    candidates: list[tuple[int, int, str]],
    terms: Iterable[Term],
    stems: Mapping[str, frozenset[str]],
) -> list[tuple[int, int, Term]]:
    """(start, end, term) of every occurrence of ``terms`` in ``text``, in text order."""
    found: dict[tuple[int, int], Term] = {}
    for start, end, word in candidates:
        lexemes = stems.get(word)
        if not lexemes:
            continue
        for term in terms:
            if term.lexemes[0] not in lexemes:
                continue
            stop = _phrase_end(text, end, term, stems) if term.is_phrase else end
            if stop is not None:
                found.setdefault((start, stop), term)
    return [(start, end, term) for (start, end), term in sorted(found.items())]


def _fold(text: str) -> str:
    return " ".join(text.split())


def context_line(text: str, start: int, end: int, *, speech_id: int, term: Term) -> Line:
    """The occurrence at [start, end) with about CONTEXT characters of whole words each side."""
    left = text[max(0, start - CONTEXT - 20) : start]
    right = text[end : end + CONTEXT + 20]
    left, right = _fold(left.replace("\n", " ")), _fold(right.replace("\n", " "))
    if text[start - 1 : start].isspace():
        left += " "
    if text[end : end + 1].isspace():
        right = " " + right
    if len(left) > CONTEXT:
        cut = left[-CONTEXT:]
        space = cut.find(" ")
        left = cut[space + 1 :] if 0 <= space < len(cut) - 1 else cut
    if len(right) > CONTEXT:
        cut = right[:CONTEXT]
        space = cut.rfind(" ")
        right = cut[:space] if space > 0 else cut
    return Line(speech_id, start, end, left, _fold(text[start:end]), right, str(term))


def lines_in(
    speech_id: int, text: str, finder: Finder, stems: Mapping[str, frozenset[str]]
) -> list[Line]:
    """Every line of one statement."""
    candidates = finder.candidates(text)
    return [
        context_line(text, start, end, speech_id=speech_id, term=term)
        for start, end, term in find_occurrences(text, candidates, finder.terms, stems)
    ]


def sort_key(line: Line, sort: str) -> tuple:
    """AntConc's orders: the words nearest the keyword first, case folded."""
    if sort == "left":
        return (line.left.lower().split()[::-1], line.keyword.lower(), line.right.lower())
    if sort == "right":
        return (line.right.lower().split(), line.keyword.lower(), line.left.lower())
    raise ValueError(sort)


# --------------------------------------------------------------------------- reading


def query_terms(query: str, *, using: str = "default") -> list[Term]:
    """The query's words and phrases as the index reads them, compounds read as their parts."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT websearch_to_tsquery(%s::regconfig, %s)::text", [SEARCH_CONFIG, query]
        )
        tsquery = cursor.fetchone()[0]
    terms = [t.without_compounds() for t in positive_terms(tsquery)]
    return [t for t in dict.fromkeys(terms) if t is not None]


def stems_of(words: Iterable[str], *, using: str = "default") -> dict[str, frozenset[str]]:
    """PostgreSQL's lexemes for each word (one query); stop words get none."""
    words = sorted(set(words))
    if not words:
        return {}
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT w, ARRAY(SELECT lexeme FROM unnest(to_tsvector(%s::regconfig, w)))"
            " FROM unnest(%s::text[]) AS w",
            [SEARCH_CONFIG, words],
        )
        return {word: frozenset(lexemes) for word, lexemes in cursor.fetchall()}


def matching_ids(queryset: QuerySet, *, query: str, limit: int | None) -> list[int]:
    """Ids of the statements matching ``query``, newest first (the search's date order)."""
    rows = search.matching(queryset, query).order_by(*search.DATE_ORDER["newest"])
    ids = rows.values_list("pk", flat=True)
    with search.index_scans(using=queryset.db):
        return list(ids[:limit] if limit is not None else ids)


def _texts(ids: list[int], *, using: str) -> Iterator[tuple[int, str]]:
    """(id, text) of the statements, in the order of ``ids``, read 500 at a time."""
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        rows = Speech.objects.using(using).filter(pk__in=chunk).order_by().values_list("pk", "text")
        by_id = dict(rows)
        for pk in chunk:
            if pk in by_id:
                yield pk, by_id[pk]


def concordance(ids: list[int], terms: list[Term], *, using: str = "default") -> list[Line]:
    """Every line of the statements ``ids`` (in that order, then text order)."""
    return concordance_of(list(_texts(ids, using=using)), terms, using=using)


def concordance_of(
    texts: list[tuple[int, str]], terms: list[Term], *, using: str = "default"
) -> list[Line]:
    """Every line of the (id, text) statements, in that order, then text order."""
    finder = Finder.of(terms)
    if finder is None:
        return []
    scanned = [(pk, text, finder.candidates(text)) for pk, text in texts]
    words = {word for _, _, candidates in scanned for _, _, word in candidates}
    stems = stems_of(words, using=using)
    lines: list[Line] = []
    for pk, text, candidates in scanned:
        for start, end, term in find_occurrences(text, candidates, finder.terms, stems):
            lines.append(context_line(text, start, end, speech_id=pk, term=term))
    return lines


def iter_concordance(ids: list[int], terms: list[Term], *, using: str = "default") -> Iterator:
    """``concordance`` read 500 statements at a time, for streaming every line as CSV."""
    for start in range(0, len(ids), 500):
        yield from concordance(ids[start : start + 500], terms, using=using)


@dataclass
class Concordance:
    """A page's worth of facts: the lines and what they were drawn from."""

    lines: list[Line]
    statements: int  # matching statements read
    total_statements: int  # matching statements in all
    terms: list[str]

    @property
    def truncated(self) -> bool:
        return self.statements < self.total_statements


def cache_key(*, query: str, filters: dict, version: str) -> str:
    """A cache key for a concordance at one state of the archive."""
    normalised = json.dumps(
        {"q": query, "f": {k: str(v) for k, v in sorted(filters.items())}}, sort_keys=True
    )
    digest = hashlib.sha256(f"{version}|{normalised}".encode()).hexdigest()
    return f"kwic:{digest}"


def cached_concordance(
    queryset: QuerySet, *, query: str, filters: dict, version: str
) -> Concordance:
    """The concordance of the most recent ``STATEMENT_LIMIT`` matching statements, cached."""
    key = cache_key(query=query, filters=filters, version=version)
    hit = cache.get(key)
    if hit is not None:
        data = json.loads(hit)
        data["lines"] = [Line(*row) for row in data["lines"]]
        return Concordance(**data)
    using = queryset.db
    # Ids and texts in one query, newest first: the texts are read anyway.
    rows = search.matching(queryset, query).order_by(*search.DATE_ORDER["newest"])
    with search.index_scans(using=using):
        texts = list(rows.values_list("pk", "text")[: STATEMENT_LIMIT + 1])
    total = len(texts)
    if total > STATEMENT_LIMIT:
        with search.index_scans(using=using):
            total = search.matching(queryset, query).count()
        texts = texts[:STATEMENT_LIMIT]
    terms = query_terms(query, using=using)
    result = Concordance(
        lines=concordance_of(texts, terms, using=using),
        statements=len(texts),
        total_statements=total,
        terms=[str(t) for t in terms],
    )
    payload = {
        "lines": result.lines,
        "statements": result.statements,
        "total_statements": result.total_statements,
        "terms": result.terms,
    }
    cache.set(key, json.dumps(payload), CACHE_SECONDS)
    return result


def speeches_for(lines: list[Line], *, using: str = "default") -> dict[int, Speech]:
    """The statements of a page of lines, with speaker, State and meeting (one query)."""
    ids = {line.speech_id for line in lines}
    rows = (
        Speech.objects.using(using)
        .filter(pk__in=ids)
        .select_related("meeting", "member_state", "affiliation")
        .only(
            "pk",
            "meeting",
            "member_state",
            "affiliation",
            "sequence",
            "speaker_name",
            "attribution",
            "country_as_printed",
            "page",
            "meeting__symbol",
            "meeting__date",
            "member_state__name",
            "member_state__iso3",
            "affiliation__name",
            "affiliation__slug",
        )
    )
    return {s.pk: s for s in rows}
