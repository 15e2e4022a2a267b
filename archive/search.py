"""Full-text search over speeches: query parsing, phrase plans, snippets, facet definitions.

The stored ``Speech.search_vector`` (``to_tsvector('english', text)``, GIN-indexed) answers
web-search syntax (``websearch_to_tsquery``: "quoted phrases", ``OR``, ``-word``); these
functions build and run those queries (``clean_query``, ``websearch``, ``matching``) for the
search page and for other pages that reuse them.

The search page itself finds, ranks and counts through the stored inverted index
(``archive.search_index`` and ``archive.ranking``): BM25 over every match, facets counted
from the matches. This module keeps what it builds on:

* phrase queries ("international peace and security") need word positions, which only the
  vectors hold: ``phrase_pairs`` (the speech's adjacent lexeme pairs, GIN-indexed, migration
  ``perf_cold_phrase_pairs``) answers a two-word phrase by the index alone, and cuts a longer
  one's candidates to ~1.25 x its matches before their positions are tested (``phrase_plan``,
  ``verified_sql``);
* ``compute_stats`` is the definition of the facet counts, in SQL (tests and benchmarks
  compare the index's counts with it);
* snippets are cut from the page's texts around the matched words (``archive.snippets``) and
  escaped before highlighting: marks are private-use sentinel characters on the raw text, the
  result is HTML-escaped, and only then do the sentinels become ``<mark>``/``</mark>``
  (``highlight``; the Atom feed still uses ``ts_headline`` through ``snippets``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connections, transaction
from django.db.models import BooleanField, F, QuerySet
from django.db.models import Value as V
from django.db.models.expressions import RawSQL
from django.db.models.functions import Replace
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from archive import hits, page_rows, ranking
from archive import snippets as snippets_module
from archive.models import SEARCH_CONFIG, AgendaItem, Meeting, MemberState, Speech
from archive.topics.lookup import topic_facet

MAX_QUERY_LENGTH = 300
# ts_rank normalisation 1: divide by 1 + log(length), so long speeches do not always win.
RANK_NORMALIZATION = 1
FACET_LIMIT = 12

SORTS = {
    "relevance": "Relevance",
    "newest": "Newest first",
    "oldest": "Oldest first",
}

START_SEL = "\ue000"
STOP_SEL = "\ue001"
_MARKED = re.compile(f"{START_SEL}([^{START_SEL}{STOP_SEL}]*){STOP_SEL}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")


class QueryError(ValueError):
    """A search query the archive cannot run, with a message for the reader."""


def clean_query(raw: str | None) -> str:
    """The query with control characters removed and spaces collapsed; QueryError if too long."""
    text = _CONTROL.sub(" ", raw or "")
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"Your search is {len(text):,} characters long; the limit is {MAX_QUERY_LENGTH}. "
            "Shorten it, or use the filters (State, dates, topic) to narrow the results."
        )
    return text


def websearch(query: str) -> SearchQuery:
    """A websearch_to_tsquery on the archive's text-search configuration."""
    return SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)


def matching(queryset: QuerySet, query: str) -> QuerySet:
    """Speeches of ``queryset`` matching ``query`` (uses the GIN index)."""
    if not query:
        return queryset
    return queryset.filter(search_vector=websearch(query))


@contextmanager
def index_scans(*, using: str = "default") -> Iterator[None]:
    """Run the enclosed search queries with sequential scans of large tables discouraged.

    PostgreSQL's planner does not count the cost of de-TOASTing ``search_vector``: for a word
    in 60 % of speeches it picks a sequential scan that evaluates ``@@`` on every row (~1 s
    for 100,000 speeches) over the exact GIN bitmap (~25 ms). ``SET LOCAL`` keeps the
    setting to this transaction.
    """
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        yield


def query_is_empty(query: str, *, using: str = "default") -> bool:
    """Whether ``query`` reduces to no search term at all (only stop words or punctuation)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT websearch_to_tsquery(%s::regconfig, %s)::text", [SEARCH_CONFIG, query]
        )
        return not cursor.fetchone()[0].strip()


_TSQUERY_TOKEN = re.compile(r"'(?:[^']|'')*'(?::[*A-D]+)?|<(?:-|\d+)>|[&|!()]|\s+")


def relaxed_phrase_query(tsquery: str) -> str | None:
    """``tsquery`` with its phrase operators (<->, <N>) turned into AND, when that is implied.

    Speeches matching a phrase also match all its words, and the GIN index answers the
    words-only query exactly, without reading any vector. Without negation the query only
    gets weaker, so its matches are a superset: the exact phrase test is then run only on
    those candidates (see ``ResultIds``). None when the query has no phrase or a negation.
    """
    tokens = [t for t in _TSQUERY_TOKEN.findall(tsquery) if not t.isspace()]
    if "".join(tokens) != "".join(tsquery.split()) or "!" in tokens:
        return None
    if not any(t.startswith("<") for t in tokens):
        return None
    return " ".join("&" if t.startswith("<") else t for t in tokens)


_PLAIN_LEXEME = re.compile(r"'([^'\\~]+)'")
# The longest pair lexeme archive_phrase_pairs keeps (migration perf_cold_phrase_pairs).
MAX_PAIR_BYTES = 255


@dataclass(frozen=True)
class PairsQuery:
    """What ``phrase_pairs`` can answer of a phrase query (see ``phrase_pairs_query``)."""

    # The pairs every match has, as a tsquery on phrase_pairs: "'intern~peac'".
    pairs: str
    # Whether the pairs and ``words`` together match exactly what the phrase query matches.
    exact: bool
    # The query's single words (not in a pair), as a tsquery on search_vector; "" for none.
    words: str = ""


def phrase_pairs_query(tsquery: str) -> PairsQuery | None:
    """The adjacent-lexeme pairs (``'a~b'``) that every match of ``tsquery`` has, when usable.

    Each ``'a' <-> 'b'`` of a phrase becomes the pair lexeme ``'a~b'`` (migration
    ``perf_cold_phrase_pairs``): a speech with the phrase has ``a`` and ``b`` at adjacent
    positions, so it has that pair. Only for conjunctions (no OR, no negation), where requiring
    what every match has cannot lose a match. Exact when the query is only words and two-word
    phrases joined by AND (a pair also implies both its words). None without such a pair.
    """
    tokens = [t for t in _TSQUERY_TOKEN.findall(tsquery) if not t.isspace()]
    if "".join(tokens) != "".join(tsquery.split()) or "!" in tokens or "|" in tokens:
        return None
    pairs = {}
    for left, op, right in zip(tokens, tokens[1:], tokens[2:], strict=False):
        a, b = _PLAIN_LEXEME.fullmatch(left), _PLAIN_LEXEME.fullmatch(right)
        pair = f"{a[1]}~{b[1]}" if op == "<->" and a and b else ""
        if pair and len(pair.encode()) <= MAX_PAIR_BYTES:
            pairs[f"'{pair}'"] = None
    if not pairs:
        return None
    exact, words = True, []
    for segment in " ".join(tokens).split(" & "):
        parts = segment.split(" ")
        if len(parts) == 1 and _PLAIN_LEXEME.fullmatch(parts[0]):
            words.append(parts[0])
        elif not (
            len(parts) == 3
            and parts[1] == "<->"
            and f"'{parts[0][1:-1]}~{parts[2][1:-1]}'" in pairs
        ):
            exact = False
    return PairsQuery(pairs=" & ".join(pairs), exact=exact, words=" & ".join(words))


def lexemes_match(column: str, tsquery: str) -> RawSQL:
    """``column @@ tsquery`` for a tsquery already in lexemes ("'two-stat' & 'state'").

    Cast, not ``to_tsquery``: that would normalise the lexemes again ("two-stat" becomes
    'two-stat' <-> 'two' <-> 'stat', and no speech has 'stat': they have 'state').
    """
    table = Speech._meta.db_table
    return RawSQL(f'"{table}"."{column}" @@ %s::tsquery', [tsquery], output_field=BooleanField())


@dataclass(frozen=True)
class PhrasePlan:
    """How to find a phrase query's matches with the ``phrase_pairs`` index."""

    # Exactly the matches, when the indexes answer the query alone (no vector read).
    matched: QuerySet | None
    # Otherwise a superset of the matches from the indexes (the speeches with all the words
    # and the phrases' pairs: two exact bitmaps, no vector read), whose word positions are
    # then tested (``verified_sql``, or in date order until enough are found).
    candidates: QuerySet | None


def phrase_plan(filtered: QuerySet, *, query: str, tsquery: str) -> PhrasePlan | None:
    """Matches of phrase query ``query`` among ``filtered`` through the pairs index, if usable.

    Without it, the GIN index on search_vector returns every speech with all the words (29,000
    for the 8,000 matches of "international peace and security") and each one's vector is
    read to test positions; the pairs cut that to ~10,000, and two-word phrases ("united
    nations") need no vector at all.
    """
    if not query or not tsquery:
        return None
    found = phrase_pairs_query(tsquery)
    if found is None:
        return None
    candidates = filtered.order_by().filter(lexemes_match("phrase_pairs", found.pairs))
    if found.exact:
        if found.words:
            words = lexemes_match("search_vector", found.words)
            return PhrasePlan(matched=candidates.filter(words), candidates=None)
        return PhrasePlan(matched=candidates, candidates=None)
    relaxed = relaxed_phrase_query(tsquery)
    if relaxed is None:
        return None
    words = candidates.filter(lexemes_match("search_vector", relaxed))
    return PhrasePlan(matched=None, candidates=words)


def verified_sql(candidates: QuerySet, *, query: str, **columns) -> tuple[str, list]:
    """SQL selecting ``columns`` of the ``candidates`` that really match ``query``.

    The fence (OFFSET 0) keeps the position test out of the index scan: there, a BitmapAnd
    with the (lossy) phrase condition would recheck every candidate against both vectors.
    Each candidate's search_vector is read once.
    """
    inner = candidates.order_by().values(**{**columns, "svec": F("search_vector")})
    sql, params = inner.query.sql_with_params()
    return (
        f"SELECT {', '.join(columns)} FROM ({sql} OFFSET 0) AS v"
        " WHERE v.svec @@ websearch_to_tsquery(%s::regconfig, %s)",
        [*params, SEARCH_CONFIG, query],
    )


# --------------------------------------------------------------------------- ordering


# ``meeting_date`` is the meeting's date copied onto the speech (kept by a trigger): sorting
# needs no join, and the speech_date_newest index serves "newest first".
DATE_ORDER = {
    "newest": (F("meeting_date").desc(nulls_last=True), "meeting_id", "sequence"),
    "oldest": (F("meeting_date").asc(nulls_last=True), "meeting_id", "sequence"),
}


def ordered(queryset: QuerySet, *, query: str, sort: str, total: int | None = None) -> QuerySet:
    """``queryset`` in date order, or by PostgreSQL's ``ts_rank`` for ``sort="relevance"``.

    For callers that need a QuerySet. The search page and its downloads rank by BM25 over
    every match instead (``archive.search_index``); ``total`` is accepted and ignored.
    """
    if sort in DATE_ORDER or not query:
        return queryset.order_by(*DATE_ORDER.get(sort, DATE_ORDER["newest"]))
    rank = SearchRank(F("search_vector"), websearch(query), normalization=RANK_NORMALIZATION)
    return queryset.annotate(rank=rank).order_by("-rank", *DATE_ORDER["newest"])


class SpeechesInOrder:
    """The speeches with these ids, in this order, read 2,000 at a time (downloads).

    Sized, so that a download knows how many rows it holds before reading any (export slots
    and row caps, ``archive.exports``).
    """

    def __init__(self, ids: list[int], *, related: Iterable[str], using: str = "default"):
        self.ids, self.related, self.using = list(ids), tuple(related), using

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[Speech]:
        for first in range(0, len(self.ids), 2000):
            chunk = self.ids[first : first + 2000]
            yield from fetch_page(chunk, related=self.related, using=self.using)


def speeches_in_order(
    ids: list[int], *, related: Iterable[str], using: str = "default"
) -> SpeechesInOrder:
    """The speeches with these ids, in this order (a sized, lazy iterable)."""
    return SpeechesInOrder(ids, related=related, using=using)


def fetch_page(ids: list[int], *, related: Iterable[str], using: str = "default") -> list:
    """The speeches with these ids, in this order, with their related rows (one query)."""
    return page_rows.fetch(list(ids), related=tuple(related), using=using)


# --------------------------------------------------------------------------- snippets


def highlight(marked: str) -> SafeString:
    """Escape text carrying sentinel marks, then turn the marks into <mark> elements.

    ``marked`` is ts_headline's output over entity-escaped text (see ``snippets``): entities
    are decoded first, so the text is escaped exactly once, here.
    """
    escaped = str(escape(html.unescape(marked)))
    marked_up = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return mark_safe(marked_up.replace(START_SEL, "").replace(STOP_SEL, ""))


def snippets(pks: Iterable[int], query: str, *, using: str = "default") -> dict[int, SafeString]:
    """Highlighted, escaped excerpts for the given speeches only (one query)."""
    return {pk: highlight(text) for pk, text in headlines(pks, query, using=using).items()}


def headlines(pks: Iterable[int], query: str, *, using: str = "default") -> dict[int, str]:
    """ts_headline's excerpts (sentinel-marked, not yet escaped) for the given speeches."""
    pks = list(pks)
    if not pks or not query:
        return {}
    # ts_headline treats "<...>" as HTML tags and drops them; transcripts are text, so
    # "<script>" must survive as words. Entities pass through ts_headline unchanged.
    as_entities = Replace(
        Replace(Replace(F("text"), V("&"), V("&amp;")), V("<"), V("&lt;")), V(">"), V("&gt;")
    )
    headline = SearchHeadline(
        as_entities,
        websearch(query),
        config=SEARCH_CONFIG,
        start_sel=START_SEL,
        stop_sel=STOP_SEL,
        max_words=45,
        min_words=20,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
    rows = (
        Speech.objects.using(using)
        .filter(pk__in=pks)
        .annotate(snippet=headline)
        .values_list("pk", "snippet")
        .order_by()
    )
    return dict(rows)


# --------------------------------------------------------------------------- a page


def stem_words(words: list[str], *, using: str = "default") -> dict[str, set[str]]:
    """Each word's lexemes under the archive's text-search configuration (one query)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT w, tsvector_to_array(to_tsvector(%s::regconfig, w))"
            " FROM unnest(%s::text[]) AS w",
            [SEARCH_CONFIG, words],
        )
        return {word: set(found or ()) for word, found in cursor.fetchall()}


def page_snippets(speeches: Iterable[Speech], tsquery: str, *, using: str = "default") -> dict:
    """Sentinel-marked snippets (see ``highlight``) of the page's speeches, from their texts."""
    words = ranking.lexemes(ranking.parse_tsquery(tsquery)) if tsquery.strip() else []
    if not words:
        return {}
    return snippets_module.build(
        {speech.pk: speech.text for speech in speeches},
        words,
        lambda found: stem_words(found, using=using),
    )


@dataclass
class PageData:
    """What a search page shows: the counts, its page number (clamped), speeches, snippets."""

    stats: SearchStats
    number: int
    speeches: list
    marks: dict[int, SafeString]


def search_page_data(results, *, number: int, per_page: int) -> PageData:
    """One page of a search (``search_index.Results``): counts, speeches and snippets.

    Nothing is cached here: the page cache (``archive.middleware``) keeps the whole rendered
    page for the next visitor, and the stored index answers even a broad search in a few
    milliseconds, less than the round trips of a cache write.
    """
    using, asked = results.using, number
    while True:
        stats = results.stats()
        results.count = stats.total
        pages = max(1, -(-stats.total // per_page))
        number = min(asked, pages)
        start = (number - 1) * per_page
        ids = results[start : min(start + per_page, stats.total)]
        if results.found.verified:
            speeches = hits.fetch(ids, using=using)
            break
        speeches, version = hits.fetch_at_version(ids, using=using)
        if results.confirm(version):  # else: found again, the version read first
            break
    marked = page_snippets(speeches, stats.tsquery, using=using) if results.query else {}
    return PageData(stats, number, speeches, _highlighted(marked))


def _highlighted(marked: dict[int, str]) -> dict[int, SafeString]:
    return {pk: highlight(text) for pk, text in marked.items()}


# --------------------------------------------------------------------------- facets


@dataclass(frozen=True)
class FacetValue:
    """One facet entry: what to put in the URL, what to show, how many matches."""

    param: str
    value: str
    label: str
    count: int


@dataclass
class SearchStats:
    """The total number of matches and the counts beside the results."""

    total: int
    # Speeches in the archive (planner statistics): how selective the query is.
    population: int = 0
    # The query as PostgreSQL reads it ("'intern' <-> 'peac'"): phrase handling needs it.
    tsquery: str = ""
    states: list[FacetValue] = field(default_factory=list)
    years: list[FacetValue] = field(default_factory=list)
    topics: list[FacetValue] = field(default_factory=list)


def compute_stats(queryset: QuerySet, *, query: str = "") -> SearchStats:
    """Total and facet counts of ``queryset`` in one aggregate query (GROUPING SETS).

    The definition the search page's counts follow (``search_index.Results.stats`` computes
    them from the stored index; tests compare the two). Matches are grouped by the speech's
    State and meeting; the meetings' agenda items and years are looked up after the grouping.
    """
    columns = {"state": F("member_state_id"), "meeting_of": F("meeting_id")}
    inner_sql, params = queryset.order_by().values(**columns).query.sql_with_params()
    speeches_table = Speech._meta.db_table
    meetings_table = Meeting._meta.db_table
    states_table = MemberState._meta.db_table
    topics_table = AgendaItem._meta.db_table
    matched = f"({inner_sql}) AS matched"
    sql = f"""
        WITH counts AS (
            SELECT GROUPING(state) AS g_state, GROUPING(meeting_of) AS g_meeting,
                   state, meeting_of, count(*) AS n
            FROM {matched}
            GROUP BY GROUPING SETS ((state), (meeting_of), ())
        ),
        meetings AS MATERIALIZED (
            SELECT m.agenda_item_id AS topic, EXTRACT(YEAR FROM m.date)::integer AS year, c.n
            FROM counts c JOIN {meetings_table} m ON m.id = c.meeting_of
            WHERE c.g_meeting = 0
        ),
        topics AS (
            SELECT topic, sum(n) AS n FROM meetings WHERE topic IS NOT NULL GROUP BY topic
        ),
        years AS (
            SELECT year, sum(n) AS n FROM meetings WHERE year IS NOT NULL GROUP BY year
        )
        SELECT 'total', NULL, NULL, c.n FROM counts c
        WHERE c.g_state = 1 AND c.g_meeting = 1
        UNION ALL
        SELECT 'state', s.iso3, s.name, c.n FROM counts c JOIN {states_table} s ON s.id = c.state
        WHERE c.g_state = 0
        UNION ALL
        SELECT 'year', y.year::text, NULL, y.n FROM years y
        UNION ALL
        SELECT 'topic', t.slug, t.title, x.n FROM topics x JOIN {topics_table} t ON t.id = x.topic
        UNION ALL
        SELECT 'population', NULL, NULL, greatest(reltuples, 0)::bigint FROM pg_class
        WHERE oid = '{speeches_table}'::regclass
        UNION ALL
        SELECT 'tsquery', websearch_to_tsquery(%s::regconfig, %s)::text, NULL, 0
    """
    params = [*params, SEARCH_CONFIG, query]
    stats = SearchStats(total=0)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for kind, value, label, n in rows:
        n = int(n)
        if kind == "total":
            stats.total = n
        elif kind == "population":
            stats.population = n
        elif kind == "tsquery":
            stats.tsquery = value or ""
        elif kind == "state":
            stats.states.append(FacetValue("state", value.lower(), label, n))
        elif kind == "year":
            stats.years.append(FacetValue("year", value, value, n))
        elif kind == "topic":
            stats.topics.append(FacetValue("topic", value, label, n))
    stats.states = sorted(stats.states, key=lambda v: (-v.count, v.label))[:FACET_LIMIT]
    stats.topics = gathered_topics(stats.topics)
    stats.years = sorted(stats.years, key=lambda v: v.value, reverse=True)
    return stats


def gathered_topics(agenda_items: list[FacetValue]) -> list[FacetValue]:
    """Agenda-item counts gathered under their topics ("Syria" and its spellings), the top
    ``FACET_LIMIT`` of them: the topic facet (archive.topics)."""
    return topic_values([(v.value, v.label, v.count) for v in agenda_items])


def topic_values(item_counts: list[tuple[str, str, int]]) -> list[FacetValue]:
    """``gathered_topics`` of ``(agenda item slug, title, count)`` rows."""
    return [
        FacetValue("topic", row.slug, row.name, row.count)
        for row in topic_facet(item_counts, limit=FACET_LIMIT)
    ]
