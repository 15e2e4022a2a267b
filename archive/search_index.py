"""The stored search index: find a search's matches with it, rebuild it, report on it.

``find`` runs one search in one read-only snapshot: the tsquery and the archive's version,
the speeches within the filters (when there are filters), the exact matches of a phrase
query (PostgreSQL tests word positions), then ``archive.ranking`` does the rest. The index
is kept by triggers in the same transaction as every write to a speech (migration
``search_postings``), so it is never stale; ``rebuild`` folds the changes kept since the last
rebuild back into the compact postings (``manage.py search_index --rebuild``).
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from django.db import connections, transaction
from django.db.models import F, QuerySet

from archive import ranking, search
from archive.models import SEARCH_CONFIG

# Above this many changed (lexeme, speech) pairs kept beside the postings, ``status`` advises
# a rebuild: each query reads its lexemes' changes row by row.
DELTA_ADVICE = 500_000


@contextmanager
def snapshot(using: str = "default"):
    """A cursor in one read-only REPEATABLE READ transaction, and whether it is our own.

    Inside a caller's transaction (tests, a write in progress) the caller's isolation is kept
    and the catalogue is read afresh: uncommitted changes have not moved the archive's version.
    """
    connection = connections[using]
    own = not connection.in_atomic_block
    connection.ensure_connection()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if own:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield cursor, own


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


def find(filtered: QuerySet, *, query: str, has_filters: bool, rank: bool = True) -> Found:
    """Every speech of ``filtered`` matching ``query``, with BM25 scores (see ``ranking``)."""
    using = filtered.db
    with snapshot(using) as (cursor, own):
        cursor.execute(
            "SELECT websearch_to_tsquery(%s::regconfig, %s)::text,"
            " (SELECT version FROM archive_archivestate WHERE id = 1)",
            [SEARCH_CONFIG, query],
        )
        tsquery, version = cursor.fetchone()
        tree = ranking.parse_tsquery(tsquery) if query else None
        filter_ids = phrase_ids = None
        if query and tree is None:
            # Only stop words or punctuation: PostgreSQL matches nothing either.
            phrase_ids = np.zeros(0, np.int64)
            tree = ranking.Term("")
        elif tree is not None and ranking.needs_postgres(tree):
            sql, params = _exact_ids_sql(filtered, query=query, tsquery=tsquery)
            # The planner does not count de-TOASTing vectors: keep it on the GIN indexes.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(sql, params)
            phrase_ids = ranking.ids_from_blob(cursor.fetchone()[0])
            cursor.execute("SET LOCAL enable_seqscan = on")
        elif has_filters:
            sql, params = _ids_sql(filtered)
            cursor.execute(sql, params)
            filter_ids = ranking.ids_from_blob(cursor.fetchone()[0])
        matches = ranking.match(
            cursor,
            alias=using,
            version=version or 0,
            tree=tree,
            phrase_ids=phrase_ids,
            filter_ids=filter_ids,
            rank=rank,
            reuse=own,
        )
    return Found(matches=matches, tsquery=tsquery or "")


class Results:
    """A search's result ids for ``Paginator`` and ``search.search_page_data``: the matches are
    found at most once per request, and only when a page or the counts are not cached."""

    def __init__(self, filtered: QuerySet, *, query: str, sort: str, has_filters: bool):
        self.filtered = filtered
        self.query = query
        self.sort = sort
        self.has_filters = has_filters
        self.count = 0

    @cached_property
    def found(self) -> Found:
        """The matches (runs the search)."""
        return find(
            self.filtered,
            query=self.query,
            has_filters=self.has_filters,
            rank=self.sort == "relevance",
        )

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
        stats.states = sorted(
            (
                search.FacetValue("state", cat.states[k][0].lower(), cat.states[k][1], n)
                for k, n in states
                if k in cat.states
            ),
            key=lambda v: (-v.count, v.label),
        )[: search.FACET_LIMIT]
        stats.years = sorted(
            (search.FacetValue("year", str(y), str(y), n) for y, n in years),
            key=lambda v: v.value,
            reverse=True,
        )
        stats.topics = sorted(
            (
                search.FacetValue("topic", cat.topics[k][0], cat.topics[k][1], n)
                for k, n in topics
                if k in cat.topics
            ),
            key=lambda v: (-v.count, v.label),
        )[: search.FACET_LIMIT]
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
