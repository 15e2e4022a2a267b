"""Trends: how often the Council speaks of something, year by year.

A line is a query (the search page's syntax and matching, ``search.matching``) over a group of
statements: all of them, one State or body, the Council's members or its invited speakers, or
one role. For each year it holds:

* ``matching``: statements of the group that match the query (exactly the number the search
  page shows for the same query, filter and year);
* ``statements`` and ``words``: all statements of the group that year, and their words
  (``Speech.word_count``: runs of non-space characters, as a word processor counts them);
* ``matches``, for the per-10,000-words measure only: occurrences of the query's words and
  phrases in the matching statements, counted from the stored search vector's word positions
  (so "peace" also counts "peaceful", as the search does; a phrase counts where its words
  stand at the query's distances; excluded words count nothing). PostgreSQL keeps at most 256
  positions of one word in one statement, so a statement repeating a word more often counts 256.

Two measures, so that years with more meetings do not look like more interest: the share of
statements that match (``matching / statements``), and matches per 10,000 words
(``matches / words x 10,000``). A year in which the group made no statement has no value (a
gap in the line), never a zero. Statements without a meeting date cannot be placed in a year
and are counted apart (``undated``).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache
from django.db import connections
from django.db.models import Count, F, IntegerField, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear

from archive import ranking, search
from archive.models import SEARCH_CONFIG, Speech, SpeechYearCount
from archive.research.terms import Term, positive_terms

MAX_LINES = 5
CACHE_SECONDS = 600
MEASURES = {"share": "Share of statements", "per10k": "Matches per 10,000 words"}


@dataclass(frozen=True)
class TrendLine:
    """What one line counts: a query over a group of statements."""

    label: str
    query: str
    # The speech column that picks the group ("member_state_id", "affiliation_id",
    # "on_council", "role") and its value; None for every statement.
    column: str | None = None
    value: object = None
    # The same group as search filters, for the links to the search: (("state", "fra"),).
    params: tuple[tuple[str, str], ...] = ()


@dataclass
class Point:
    """One year of one line."""

    year: int
    matching: int = 0
    statements: int = 0
    words: int = 0
    matches: int | None = None

    @property
    def share(self) -> float | None:
        """Percentage of the year's statements that match; None without statements."""
        return 100 * self.matching / self.statements if self.statements else None

    @property
    def per_10k(self) -> float | None:
        """Matches per 10,000 words; None without words or when not counted."""
        if self.matches is None or not self.words:
            return None
        return 10_000 * self.matches / self.words

    def value(self, measure: str) -> float | None:
        return self.share if measure == "share" else self.per_10k


@dataclass
class Series:
    """A line and its points by year."""

    line: TrendLine
    points: dict[int, Point] = field(default_factory=dict)
    undated: int = 0

    @property
    def matching(self) -> int:
        return sum(p.matching for p in self.points.values())


def _group(queryset: QuerySet, line: TrendLine) -> QuerySet:
    return queryset if line.column is None else queryset.filter(**{line.column: line.value})


def _grouped_by(queryset: QuerySet, lines: list[TrendLine]) -> QuerySet:
    """``queryset`` restricted to the lines' groups, all read with one column."""
    column = lines[0].column
    if column is None:
        return queryset
    return queryset.filter(**{f"{column}__in": [line.value for line in lines]})


def _batches(lines: list[TrendLine]) -> list[list[TrendLine]]:
    """Lines that one grouped query can count: same query, same column."""
    batches: dict[tuple[str, str | None], list[TrendLine]] = defaultdict(list)
    for line in lines:
        batches[(line.query, line.column)].append(line)
    return list(batches.values())


def _key(line: TrendLine, row: dict) -> tuple:
    return (line.column, row.get(line.column) if line.column else None)


def tsquery_of(query: str, *, using: str = "default") -> str:
    """The query as PostgreSQL reads it, in lexemes."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT websearch_to_tsquery(%s::regconfig, %s)::text", [SEARCH_CONFIG, query]
        )
        return cursor.fetchone()[0]


def occurrences_sql(terms: list[Term]) -> tuple[str, list]:
    """SQL counting the occurrences of ``terms`` in a speech's stored vector (0 for none)."""
    if not terms:
        return "0", []
    lexemes = sorted({lexeme for term in terms for lexeme in term.lexemes})
    column = f'"{Speech._meta.db_table}"."search_vector"'
    parts, params = [], []
    singles = sorted({term.lexemes[0] for term in terms if not term.is_phrase})
    if singles:
        parts.append(
            "(SELECT coalesce(sum(array_length(u.positions, 1)), 0) FROM unnest(x.f) u"
            " WHERE u.lexeme = ANY(%s::text[]))"
        )
        params.append(singles)
    for term in (t for t in terms if t.is_phrase):
        first = "unnest((SELECT u.positions FROM unnest(x.f) u WHERE u.lexeme = %s)) AS p(pos)"
        conditions = " AND ".join(
            "(p.pos + %s) = ANY(CAST((SELECT u.positions FROM unnest(x.f) u"
            " WHERE u.lexeme = %s) AS integer[]))"
            for _ in term.lexemes[1:]
        )
        parts.append(f"(SELECT count(*) FROM {first} WHERE {conditions})")
        params.append(term.lexemes[0])
        for lexeme, offset in zip(term.lexemes[1:], term.offsets[1:], strict=True):
            params += [offset, lexeme]
    # Only the query's words are kept (weight A, then filtered), so each is read once.
    sql = (
        f"(SELECT {' + '.join(parts)} FROM (SELECT ts_filter(setweight({column}, 'A', "
        "%s::text[]), '{a}') AS f) AS x)"
    )
    return sql, [*params, lexemes]


def _verified_counts(plan, query: str, column: str | None) -> tuple[str, list]:
    """SQL counting a long phrase's matches per year (and group) among the pairs' candidates.

    Only the candidates the phrase-pairs index leaves (~1.25 x the matches) have their word
    positions tested, as the search page does (search.verified_sql).
    """
    columns = {"year": ExtractYear("meeting_date")}
    if column:
        columns["grp"] = F(column)
    sql, params = search.verified_sql(plan.candidates, query=query, **columns)
    names = ", ".join(columns)
    selected = "year" + (f", grp AS {column}" if column else "")
    return f"SELECT {selected}, count(*) AS matching FROM ({sql}) AS m GROUP BY {names}", params


def _numerators(base: QuerySet, lines: list[TrendLine], *, count_matches: bool) -> list[dict]:
    """Matching statements (and occurrences) per year and group, for lines of one batch.

    The matches are the search's: ``search.matching``, or the phrase-pairs index where it
    answers a phrase exactly or narrows its candidates (search.phrase_plan).
    """
    query, column, using = lines[0].query, lines[0].column, base.db
    tsquery = tsquery_of(query, using=using)
    filtered = _grouped_by(base, lines)
    plan = search.phrase_plan(filtered, query=query, tsquery=tsquery)
    with search.index_scans(using=using), connections[using].cursor() as cursor:
        # The planner does not count de-TOASTing a speech's vector to test it (~15 µs): for a
        # group of 6,000 statements it would test every one rather than intersect the GIN
        # bitmap with the group's index (100 ms against 25). Costlier operators, for this
        # transaction only, make it intersect.
        cursor.execute("SET LOCAL cpu_operator_cost = 0.25")
        if plan is not None and plan.candidates is not None and not count_matches:
            sql, params = _verified_counts(plan, query, column)
            cursor.execute(sql, params)
            names = [c.name for c in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        if plan is not None and plan.matched is not None:
            rows = plan.matched
        else:
            rows = search.matching(filtered, query)
        columns = ["year"] + ([column] if column else [])
        rows = rows.order_by().annotate(year=ExtractYear("meeting_date")).values(*columns)
        aggregates = {"matching": Count("pk")}
        if count_matches:
            sql, params = occurrences_sql(positive_terms(tsquery))
            aggregates["matches"] = Sum(RawSQL(sql, params, output_field=IntegerField()))
        return list(rows.annotate(**aggregates))


# What the index path reads in one statement: the tsquery and the archive's version.
_TSQUERY_AND_VERSION = """
SELECT websearch_to_tsquery(%s::regconfig, %s)::text,
       (SELECT version FROM archive_archivestate WHERE id = 1)
"""


def _index_counts(
    query: str, *, year_from: int | None, year_to: int | None, using: str
) -> list[dict] | None:
    """Matching statements and occurrences per year over every statement, from the search
    index (archive.ranking: the search page's matches and the words' stored frequencies)
    rather than the stored vectors of every match: "peace" matches 60,000 statements, whose
    vectors take a second to read. None where PostgreSQL counts (``_numerators``): a phrase
    (its phrase-pairs index is quicker), a prefix, a write committed meanwhile.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(_TSQUERY_AND_VERSION, [SEARCH_CONFIG, query])
        tsquery, version = cursor.fetchone()
        try:
            tree = ranking.parse_tsquery(tsquery or "")
        except ranking.Unsupported:
            return None
        if tree is None or ranking.needs_postgres(tree):
            return None
        terms = positive_terms(tsquery)
        words = ranking.lexemes(tree, positive=False)
        if any(lexeme not in words for term in terms for lexeme in term.lexemes):
            return None
        if ranking.positional(tree) or any(term.is_phrase for term in terms):
            # Phrases are counted quicker by PostgreSQL, from its phrase-pairs index.
            return None
        own = not connection.in_atomic_block
        cat = ranking.catalogue(cursor, alias=using, version=version or 0, reuse=own)
        if cat.version != (version or 0):
            return None
        postings = ranking.read_postings(cursor, words, cat)
    year = cat.meeting_year[cat.meeting]
    matching = ranking.evaluate(tree, postings, cat) & cat.exists & (year > 0)
    if year_from:
        matching &= year >= year_from
    if year_to:
        matching &= year <= year_to
    # Each word's frequency in each statement (the positions PostgreSQL keeps, at most 256).
    occurrences = np.zeros(cat.size, np.float64)
    for term in terms:
        occurrences += postings[term.lexemes[0]].tf
    years = year[matching]
    counted = np.bincount(years)
    found = np.bincount(years, weights=occurrences[matching])
    return [
        {"year": y, "matching": int(counted[y]), "matches": int(found[y])}
        for y in np.flatnonzero(counted).tolist()
    ]


def _denominators(
    lines: list[TrendLine], *, year_from: int | None, year_to: int | None, using: str
) -> dict[tuple, dict[int, tuple]]:
    """All statements and words per year for each group: {(column, value): {year: (n, w)}}.

    Read from SpeechYearCount (kept by triggers), a few thousand rows, not the speeches.
    """
    counts = SpeechYearCount.objects.using(using).order_by()
    if year_from:
        counts = counts.filter(year__gte=year_from)
    if year_to:
        counts = counts.filter(year__lte=year_to)
    totals: dict[tuple, dict[int, tuple]] = defaultdict(dict)
    by_column: dict[str | None, list[TrendLine]] = defaultdict(list)
    for line in lines:
        by_column[line.column].append(line)
    for column, group in by_column.items():
        columns = ["year"] + ([column] if column else [])
        rows = (
            _grouped_by(counts, group)
            .values(*columns)
            .annotate(n=Sum("statements"), w=Sum("words"))
        )
        for row in rows:
            totals[_key(group[0], row)][row["year"]] = (row["n"], row["w"] or 0)
    return totals


def _undated(lines: list[TrendLine], *, using: str) -> dict[TrendLine, int]:
    """Matching statements that have no meeting date, per line (usually none)."""
    undated = Speech.objects.using(using).filter(meeting_date__isnull=True)
    if not undated.exists():
        return {}
    with search.index_scans(using=using):
        return {line: search.matching(_group(undated, line), line.query).count() for line in lines}


def compute(
    lines: list[TrendLine],
    *,
    measure: str = "share",
    year_from: int | None = None,
    year_to: int | None = None,
    using: str = "default",
) -> list[Series]:
    """The points of every line, year by year, between the years given (inclusive)."""
    base = Speech.objects.using(using).filter(meeting_date__isnull=False)
    if year_from:
        base = base.filter(meeting_date__year__gte=year_from)
    if year_to:
        base = base.filter(meeting_date__year__lte=year_to)
    totals = _denominators(lines, year_from=year_from, year_to=year_to, using=using)
    series = {line: Series(line=line) for line in lines}
    for line in lines:
        for year, (n, words) in totals.get((line.column, line.value), {}).items():
            series[line].points[year] = Point(year=year, statements=n, words=words)
    for batch in _batches(lines):
        by_key = {(line.column, line.value): line for line in batch}
        rows = None
        if measure == "per10k" and batch[0].column is None:
            rows = _index_counts(batch[0].query, year_from=year_from, year_to=year_to, using=using)
        if rows is None:
            rows = _numerators(base, batch, count_matches=measure == "per10k")
        for row in rows:
            line = by_key[_key(batch[0], row)]
            point = series[line].points.setdefault(row["year"], Point(year=row["year"]))
            point.matching = row["matching"]
            if "matches" in row:
                point.matches = row["matches"] or 0
    if measure == "per10k":
        for item in series.values():
            for point in item.points.values():
                point.matches = point.matches or 0
    for line, count in _undated(lines, using=using).items():
        series[line].undated = count
    return [series[line] for line in lines]


def years_of(series: list[Series]) -> list[int]:
    """Every year from the first to the last with a statement in any line."""
    years = [y for s in series for y, p in s.points.items() if p.statements]
    return list(range(min(years), max(years) + 1)) if years else []


def cache_key(lines: list[TrendLine], **options) -> str:
    """A cache key for these lines and options at one state of the archive (``version``)."""
    described = [(line.label, line.query, line.column, str(line.value)) for line in lines]
    payload = json.dumps({"lines": described, **options}, sort_keys=True, default=str)
    return "trends:" + hashlib.sha256(payload.encode()).hexdigest()


def cached_compute(
    lines: list[TrendLine],
    *,
    measure: str,
    year_from: int | None,
    year_to: int | None,
    using: str,
    version: str,
) -> list[Series]:
    """``compute`` through the Django cache (a broad word's matches cost a second or more)."""
    key = cache_key(lines, measure=measure, year_from=year_from, year_to=year_to, version=version)
    hit = cache.get(key)
    if hit is not None:
        stored = json.loads(hit)
        result = []
        for line, (undated, points) in zip(lines, stored, strict=True):
            item = Series(line=line, undated=undated)
            item.points = {p[0]: Point(*p) for p in points}
            result.append(item)
        return result
    result = compute(lines, measure=measure, year_from=year_from, year_to=year_to, using=using)
    stored = [
        (
            s.undated,
            [(p.year, p.matching, p.statements, p.words, p.matches) for p in s.points.values()],
        )
        for s in result
    ]
    cache.set(key, json.dumps(stored), CACHE_SECONDS)
    return result
