"""The stored search index: find a search's matches with it, rebuild it, report on it.

``find`` reads what a search needs in ONE statement (one snapshot): the tsquery PostgreSQL
makes of the words, the archive's version, the postings of the words and, with filters, the
ids of the speeches within them; ``archive.ranking`` does the rest in the web worker. Only a
query the index cannot evaluate (a prefix, a phrase around OR) has PostgreSQL find its
matches. The index is kept by triggers in the same transaction as every write to a speech
(migration ``search_postings``), so it is never stale; ``rebuild`` folds the changes kept
since the last rebuild back into the compact postings (``manage.py search_index --rebuild``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from django.db import connections, transaction
from django.db.models import F, QuerySet

from archive import ranking, search
from archive.models import SEARCH_CONFIG
from archive.prepared import execute_prepared

# Above this many changed (lexeme, speech) pairs kept beside the postings, ``status`` advises
# a rebuild: each query reads its lexemes' changes row by row.
DELTA_ADVICE = 500_000


def _ids_sql(queryset: QuerySet) -> tuple[str, list]:
    sql, params = queryset.order_by().values(sid=F("pk")).query.sql_with_params()
    return f"SELECT string_agg(int4send(x.sid::integer), ''::bytea) FROM ({sql}) AS x", list(params)


def _exact_ids_sql(filtered: QuerySet, *, query: str, tsquery: str) -> tuple[str, list]:
    """SQL for the ids of the speeches matching a phrase (or prefix) query, as one bytea."""
    plan = search.phrase_plan(filtered, query=query, tsquery=tsquery)
    if plan is not None and plan.matched is not None:
        return _ids_sql(plan.matched)
    if plan is not None and plan.candidates is not None:
        sql, params = search.verified_sql(plan.candidates, query=query, sid=F("pk"))
        return f"SELECT string_agg(int4send(y.sid::integer), ''::bytea) FROM ({sql}) AS y", params
    return _ids_sql(search.matching(filtered, query))


@dataclass
class Found:
    """A search's matches (``ranking.Matches``) and the tsquery PostgreSQL made of the words."""

    matches: ranking.Matches
    tsquery: str
    # False when the catalogue held was used without reading the archive's version: the
    # caller reads it with the page (``Results.confirm``) before anything is shown.
    verified: bool = True


# Phrase operators come from quotes and from words joined by punctuation ("peace-keeping").
_MAY_HAVE_PHRASE = re.compile(r'"|\w[^\w\s]+\w')

# One statement, one snapshot: the tsquery and the archive's version, the postings of the
# query's words (to_tsvector's lexemes: the same words websearch_to_tsquery reads, without
# its operators) and, when there are filters, the speeches within them.
_FIND_SQL = """
WITH words AS MATERIALIZED (
    SELECT coalesce(array_agg(lexeme), '{{}}') AS lexemes
    FROM unnest(to_tsvector(%s::regconfig, %s))
)
SELECT 'v', websearch_to_tsquery(%s::regconfig, %s)::text,
       convert_to((SELECT version FROM archive_archivestate WHERE id = 1)::text, 'UTF8'),
       convert_to(array_to_string((SELECT lexemes FROM words), ' '), 'UTF8'), NULL::bytea
UNION ALL {postings}{filters}
"""


def _find_sql(query: str, *, positions: bool, filtered: QuerySet | None) -> tuple[str, list]:
    words = "(SELECT lexemes FROM words)::text[]"
    postings = ranking.POSTINGS_TEMPLATE.format(
        lexemes=words, positional=words if positions else "'{}'::text[]"
    ).replace("%", "%%")
    params = [SEARCH_CONFIG, query, SEARCH_CONFIG, query]
    filters = ""
    if filtered is not None:
        sql, filter_params = _ids_sql(filtered)
        filters = f"UNION ALL SELECT 'f', NULL, ({sql}), NULL, NULL"
        params += filter_params
    return _FIND_SQL.format(postings=postings, filters=filters), params


def find(
    filtered: QuerySet | Callable[[], QuerySet],
    *,
    query: str,
    has_filters: bool,
    rank: bool = True,
    index_filters: ranking.IndexFilters | None = None,
    sql_filtered: QuerySet | None = None,
    using: str | None = None,
    verify_later: bool = False,
) -> Found:
    """Every speech of ``filtered`` matching ``query``, with BM25 scores (see ``ranking``).

    With ``index_filters``, the catalogue evaluates those filters and PostgreSQL only the
    others (``sql_filtered``, None when there are none); ``filtered`` still holds them all.
    ``filtered`` may be a function building the queryset (with ``using``, its database):
    only a query the index cannot evaluate needs it.

    ``verify_later``: a search of filters only, every one of them the catalogue's, needs
    nothing from the statement but the archive's version. With this, the catalogue held is
    used as it is and the ``Found`` is marked unverified: the caller reads the version in the
    same statement as the page's rows and discards the result if it moved
    (``Results.confirm``), so nothing is shown from a catalogue older than those rows.

    One statement reads what the search needs (``_FIND_SQL``); the catalogue is read again
    only when the archive's version moved, and the statement re-run if a write committed in
    between. A tsquery that the index cannot evaluate (a prefix) has its matches found by
    PostgreSQL; outside the caller's own transaction the catalogue is kept for the next query.
    """
    build = filtered if callable(filtered) else lambda: filtered
    using = using or build().db
    connection = connections[using]
    own = not connection.in_atomic_block
    positions = bool(_MAY_HAVE_PHRASE.search(query))
    if index_filters is None:
        sql_filtered = build() if has_filters else None
    held = ranking.held_catalogue(using) if verify_later and own else None
    if held is not None and not query and sql_filtered is None:
        mask = index_filters.mask(held) if index_filters is not None else None
        matches = ranking.match(held, {}, tree=None, filter_mask=mask, rank=rank)
        return Found(matches=matches, tsquery="", verified=False)
    with connection.cursor() as cursor:
        for _attempt in range(3):
            sql, params = _find_sql(query, positions=positions, filtered=sql_filtered)
            execute_prepared(cursor, connection, sql, params)
            rows = cursor.fetchall()
            head = next(r for r in rows if r[0] == "v")
            tsquery, version = head[1] or "", int(bytes(head[2] or b"0").decode() or 0)
            cat = ranking.catalogue(cursor, alias=using, version=version, reuse=own)
            if cat.version == version or not own:
                break
        filter_ids = next((ranking.ids_from_blob(r[2]) for r in rows if r[0] == "f"), None)
        tree = ranking.parse_tsquery(tsquery) if query else None
        phrase_ids = None
        if query and tree is None:
            # Only stop words or punctuation: PostgreSQL matches nothing either.
            phrase_ids, tree = np.zeros(0, np.int64), ranking.Term("")
        words = ranking.lexemes(tree, positive=False) if tree is not None else []
        needed = ranking.positional(tree) if tree is not None else []
        fetched = set(bytes(head[3] or b"").decode().split())
        if (needed and not positions) or not fetched.issuperset(w for w in words if w):
            # The statement guessed the words or the need for positions wrong: read them.
            cursor.execute(ranking.POSTINGS_SQL, {"lexemes": words, "positional": needed})
            rows = cursor.fetchall()
        postings = ranking.build_postings(rows, words, cat, positional_words=needed)
        if tree is not None and phrase_ids is None and ranking.needs_postgres(tree):
            phrase_ids = _postgres_matches(cursor, build(), query=query, tsquery=tsquery)
    matches = ranking.match(
        cat,
        postings,
        tree=tree,
        phrase_ids=phrase_ids,
        filter_ids=filter_ids,
        filter_mask=index_filters.mask(cat) if index_filters is not None else None,
        rank=rank,
    )
    return Found(matches=matches, tsquery=tsquery)


def _postgres_matches(cursor, filtered: QuerySet, *, query: str, tsquery: str) -> np.ndarray:
    """Ids of the speeches PostgreSQL finds matching a query the index cannot evaluate."""
    sql, params = _exact_ids_sql(filtered, query=query, tsquery=tsquery)
    with transaction.atomic(using=filtered.db):
        # The planner does not count de-TOASTing vectors: keep it on the GIN indexes.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(sql, params)
        return ranking.ids_from_blob(cursor.fetchone()[0])


class Results:
    """A search's result ids for ``Paginator`` and ``search.search_page_data``: the matches are
    found at most once per request, and only when a page or the counts are not cached."""

    def __init__(
        self,
        filtered: QuerySet | Callable[[], QuerySet],
        *,
        query: str,
        sort: str,
        has_filters: bool,
        index_filters: ranking.IndexFilters | None = None,
        sql_filtered: QuerySet | None = None,
        using: str | None = None,
    ):
        self.filtered = filtered  # or a function building it: only some queries need it
        self.using = using or (filtered() if callable(filtered) else filtered).db
        self.query = query
        self.sort = sort
        self.has_filters = has_filters
        self.index_filters = index_filters
        self.sql_filtered = sql_filtered
        # Filters only: the catalogue held is used, its version checked with the page's rows.
        self.verify_later = not query
        self.count = 0

    @cached_property
    def found(self) -> Found:
        """The matches (runs the search)."""
        return find(
            self.filtered,
            using=self.using,
            query=self.query,
            has_filters=self.has_filters,
            rank=self.sort == "relevance",
            index_filters=self.index_filters,
            sql_filtered=self.sql_filtered,
            verify_later=self.verify_later,
        )

    def confirm(self, version: int) -> bool:
        """Whether the matches hold for the archive at ``version`` (read with the page's rows);
        if not, they are forgotten and the next use finds them afresh, version read first."""
        found = self.__dict__.get("found")
        if found is None or found.verified or found.matches.catalogue.version == version:
            return True
        del self.__dict__["found"]
        self.verify_later = False
        return False

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, item: slice) -> list[int]:
        if not isinstance(item, slice):
            raise TypeError("Results supports slices only")
        start, stop = item.start or 0, item.stop if item.stop is not None else self.count
        return self.found.matches.page(self.sort, start, stop)

    def stats(self) -> search.SearchStats:
        """The total and the facet counts, as ``search.compute_stats`` gives them."""
        matches = self.found.matches
        cat = matches.catalogue
        states, years, topics = matches.facets()
        stats = search.SearchStats(
            total=matches.total, population=cat.count, tsquery=self.found.tsquery
        )
        # (key, label, count) rows, sorted as compute_stats sorts its FacetValues; values are
        # made only for the rows kept (hundreds of agenda items, some 190 States).
        state_rows = sorted(
            ((cat.states[k][0].lower(), cat.states[k][1], n) for k, n in states if k in cat.states),
            key=lambda r: (-r[2], r[1]),
        )[: search.FACET_LIMIT]
        stats.states = [search.FacetValue("state", *row) for row in state_rows]
        stats.years = sorted(
            (search.FacetValue("year", str(y), str(y), n) for y, n in years),
            key=lambda v: v.value,
            reverse=True,
        )
        # Every agenda item's count: the topics gather them before the top few are kept.
        stats.topics = search.topic_values(
            [(cat.topics[k][0], cat.topics[k][1], n) for k, n in topics if k in cat.topics]
        )
        return stats


# --------------------------------------------------------------------------- maintenance


@dataclass
class IndexStatus:
    """How big the index is and how much has changed since its last rebuild."""

    lexemes: int
    posting_bytes: int
    delta_rows: int
    stale_rows: int
    documents: int
    speeches: int

    @property
    def advice(self) -> str:
        """What to do, if anything."""
        if self.documents != self.speeches:
            return "lengths missing for some speeches: run search_index --rebuild"
        if self.delta_rows + self.stale_rows > DELTA_ADVICE:
            return "many changes since the last rebuild: run search_index --rebuild"
        return "ok"


def status(using: str = "default") -> IndexStatus:
    """Sizes of the index's tables (one query)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM search_posting),"
            " pg_total_relation_size('search_posting'),"
            " (SELECT count(*) FROM search_delta), (SELECT count(*) FROM search_stale),"
            " (SELECT count(*) FROM search_document), (SELECT count(*) FROM archive_speech)"
        )
        return IndexStatus(*cursor.fetchone())


def rebuild(using: str = "default") -> float:
    """Rebuild the postings and lengths from every speech's search_vector; seconds taken."""
    started = time.perf_counter()
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SELECT archive_search_rebuild()")
    with connections[using].cursor() as cursor:
        cursor.execute("ANALYZE search_posting, search_delta, search_stale, search_document")
    return time.perf_counter() - started
