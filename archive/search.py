"""Full-text search over speeches: query, ranking, escaped snippets, facet counts.

The stored ``Speech.search_vector`` (``to_tsvector('english', text)``, GIN-indexed) answers
web-search syntax (``websearch_to_tsquery``: "quoted phrases", ``OR``, ``-word``).

Broad queries are the hard part: "peace" matches 60 % of a 100,000-speech archive, and every
per-row computation on the vector (``ts_rank``, the ``@@`` recheck) has to de-TOAST a ~4 kB
value, about 12 µs a row. So:

* matching and counting never read the vector: the GIN bitmap is exact for queries without
  phrases, and the speech table's heap is kept narrow (migration ``search_speech_storage``
  moves ``text`` and ``search_vector`` out of line), so a bitmap scan over 60,000 matches
  costs ~25 ms instead of a 1 s sequential scan;
* the total and the facets (by State, year, agenda item) come from ONE aggregate query with
  ``GROUPING SETS``, cached per normalised query + filters + archive version;
* relevance is computed exactly (``ts_rank``, length-normalised) when there are at most
  ``EXACT_RANK_LIMIT`` matches; above that, only the ``RANK_CANDIDATES`` most recent matches
  are ranked and the page says so (sorting by date always covers every match);
* ``ts_headline`` runs only for the rows on the page being shown.

Snippets are escaped before highlighting: ``ts_headline`` marks terms with private-use
sentinel characters on the raw text, the result is HTML-escaped, and only then do the
sentinels become ``<mark>``/``</mark>``.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connections, transaction
from django.db.models import F, QuerySet
from django.db.models import Value as V
from django.db.models.functions import ExtractYear, Replace
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from archive.models import SEARCH_CONFIG, AgendaItem, MemberState, Speech

MAX_QUERY_LENGTH = 300
# Above this many matches, relevance is computed over the most recent candidates only.
EXACT_RANK_LIMIT = 3000
RANK_CANDIDATES = 2000
# ts_rank normalisation 1: divide by 1 + log(length), so long speeches do not always win.
RANK_NORMALIZATION = 1
FACET_LIMIT = 12
FACET_CACHE_SECONDS = 600

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


# --------------------------------------------------------------------------- ordering


DATE_ORDER = {
    "newest": (F("meeting__date").desc(nulls_last=True), "meeting_id", "sequence"),
    "oldest": (F("meeting__date").asc(nulls_last=True), "meeting_id", "sequence"),
}


def ordered(queryset: QuerySet, *, query: str, sort: str, total: int | None = None) -> QuerySet:
    """``queryset`` in the requested order, with ``rank`` annotated for relevance order.

    ``total`` is the number of matches when known: above ``EXACT_RANK_LIMIT``, relevance is
    computed over the ``RANK_CANDIDATES`` most recent matches only. Pass ``total=None`` to rank
    every match (exports: a download may take a second).
    """
    if sort in DATE_ORDER or not query:
        return queryset.order_by(*DATE_ORDER.get(sort, DATE_ORDER["newest"]))
    if total is not None and total > EXACT_RANK_LIMIT:
        recent = queryset.order_by(*DATE_ORDER["newest"]).values("pk")[:RANK_CANDIDATES]
        queryset = Speech.objects.using(queryset.db).filter(pk__in=recent)
    rank = SearchRank(F("search_vector"), websearch(query), normalization=RANK_NORMALIZATION)
    return queryset.annotate(rank=rank).order_by("-rank", *DATE_ORDER["newest"])


def fetch_page(ids: list[int], *, related: Iterable[str], using: str = "default") -> list:
    """The speeches with these ids, in this order, with their related rows (one query)."""
    by_id = Speech.objects.using(using).select_related(*related).defer("search_vector").in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def rank_is_bounded(*, query: str, sort: str, total: int) -> bool:
    """Whether relevance order covers only the most recent candidates (see ``ordered``)."""
    return bool(query) and sort == "relevance" and total > EXACT_RANK_LIMIT


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
    return {pk: highlight(text) for pk, text in rows}


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
    states: list[FacetValue] = field(default_factory=list)
    years: list[FacetValue] = field(default_factory=list)
    topics: list[FacetValue] = field(default_factory=list)

    def to_json(self) -> str:
        """Serialise for the cache."""
        return json.dumps(
            {
                "total": self.total,
                **{
                    name: [vars(v) for v in getattr(self, name)]
                    for name in ("states", "years", "topics")
                },
            }
        )

    @classmethod
    def from_json(cls, data: str) -> SearchStats:
        """Read back ``to_json``."""
        raw = json.loads(data)
        return cls(
            total=raw["total"],
            **{
                name: [FacetValue(**v) for v in raw[name]] for name in ("states", "years", "topics")
            },
        )


def compute_stats(queryset: QuerySet) -> SearchStats:
    """Total and facet counts of ``queryset`` in one aggregate query (GROUPING SETS)."""
    matched = queryset.order_by().values(
        state=F("member_state_id"),
        year=ExtractYear("meeting__date"),
        topic=F("meeting__agenda_item_id"),
    )
    inner_sql, params = matched.query.sql_with_params()
    states_table = MemberState._meta.db_table
    topics_table = AgendaItem._meta.db_table
    sql = f"""
        WITH matched AS ({inner_sql}),
        counts AS (
            SELECT GROUPING(state) AS g_state, GROUPING(year) AS g_year,
                   GROUPING(topic) AS g_topic, state, year, topic, count(*) AS n
            FROM matched
            GROUP BY GROUPING SETS ((state), (year), (topic), ())
        )
        SELECT c.g_state, c.g_year, c.g_topic, c.state, c.year, c.topic, c.n,
               s.iso3, s.name, t.slug, t.title
        FROM counts c
        LEFT JOIN {states_table} s ON c.g_state = 0 AND s.id = c.state
        LEFT JOIN {topics_table} t ON c.g_topic = 0 AND t.id = c.topic
    """
    stats = SearchStats(total=0)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for g_state, g_year, g_topic, _state, year, _topic, n, iso3, name, slug, title in rows:
        if g_state and g_year and g_topic:
            stats.total = n
        elif not g_state and iso3:
            stats.states.append(FacetValue("state", iso3.lower(), name, n))
        elif not g_year and year is not None:
            stats.years.append(FacetValue("year", str(int(year)), str(int(year)), n))
        elif not g_topic and slug:
            stats.topics.append(FacetValue("topic", slug, title, n))
    stats.states = sorted(stats.states, key=lambda v: (-v.count, v.label))[:FACET_LIMIT]
    stats.topics = sorted(stats.topics, key=lambda v: (-v.count, v.label))[:FACET_LIMIT]
    stats.years = sorted(stats.years, key=lambda v: v.value, reverse=True)
    return stats


def stats_cache_key(*, query: str, filters: dict, version: str) -> str:
    """A cache key for a query and its cleaned filters at one state of the archive."""
    normalised = json.dumps(
        {
            "q": query.lower(),
            "f": {k: str(v) for k, v in sorted(filters.items()) if v not in (None, "")},
        },
        sort_keys=True,
    )
    digest = hashlib.sha256(f"{version}|{normalised}".encode()).hexdigest()
    return f"search-stats:{digest}"


def cached_stats(queryset: QuerySet, *, query: str, filters: dict, version: str) -> SearchStats:
    """``compute_stats`` through the Django cache (facets of a broad query cost ~50-100 ms)."""
    key = stats_cache_key(query=query, filters=filters, version=version)
    hit = cache.get(key)
    if hit is not None:
        return SearchStats.from_json(hit)
    stats = compute_stats(queryset)
    cache.set(key, stats.to_json(), FACET_CACHE_SECONDS)
    return stats
