"""The search page over speeches, its CSV and JSON downloads and its Atom feed.

One parser (``parse_search``) reads the query, the order and the filters from the URL, so the
page, the downloads and the feed always agree on which speeches match. Bad input (a query over
the length limit, an unknown State, a page that is not a number) gets the page back with a
clear message and status 400, never a traceback.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django import forms
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.http import require_safe

from archive import exports, search, search_index
from archive.coverage import holdings_text
from archive.exports import AtomListFeed, Column
from archive.filters import FieldsCopiedCheaply, SpeechFilterSet
from archive.models import Speech
from archive.people.labels import heading
from archive.ranking import IndexFilters
from archive.statement_fields import RELATED, statement_columns
from archive.templatetags.archive_tags import lead, speaker_body
from archive.urlcache import cached_reverse
from archive.views import search_html

PER_PAGE = 20


class SearchForm(forms.Form):
    """The words and the order of the results (the filters are SpeechFilterSet's)."""

    q = forms.CharField(
        required=False,
        label="Words",
        strip=True,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": '"sexual violence" OR impunity -Syria',
                "aria-describedby": "search-syntax",
                "autocomplete": "off",
            }
        ),
    )
    sort = forms.ChoiceField(required=False, label="Order", choices=list(search.SORTS.items()))


# Never changed by a request: each form shares the fields' widgets (see FieldsCopiedCheaply).
SearchForm.base_fields = FieldsCopiedCheaply(SearchForm.base_fields)


@dataclass
class ParsedSearch:
    """What a search URL asks for, and what was wrong with it."""

    form: SearchForm
    filterset: SpeechFilterSet
    query: str = ""
    sort: str = "relevance"
    errors: list[str] = field(default_factory=list)
    # The filters as the search index evaluates them, and the others (SpeechFilterSet).
    index_filters: IndexFilters | None = None
    sql_filtered: QuerySet | None = None

    @cached_property
    def queryset(self) -> QuerySet | None:
        """The speeches matching, as PostgreSQL finds them (built when first asked for: the
        search page asks the index, and needs it only for what the index cannot evaluate)."""
        return None if self.errors else search.matching(self.filterset.qs, self.query)

    @property
    def filters(self) -> dict:
        """Cleaned filter values (for the cache key and the JSON meta)."""
        data = getattr(self.filterset.form, "cleaned_data", {}) or {}
        return {k: v for k, v in data.items() if v not in (None, "")}


def parse_search(request: HttpRequest) -> ParsedSearch:
    """Read query, order and filters from the URL; ``errors`` lists what could not be used."""
    form = SearchForm(request.GET)
    filterset = SpeechFilterSet(request.GET, queryset=Speech.objects.all())
    parsed = ParsedSearch(form=form, filterset=filterset)
    if form.is_valid():
        try:
            parsed.query = search.clean_query(form.cleaned_data["q"])
        except search.QueryError as error:
            parsed.errors.append(str(error))
        parsed.sort = form.cleaned_data["sort"] or ("relevance" if parsed.query else "newest")
    else:
        for name, messages in form.errors.items():
            label = form.fields[name].label if name in form.fields else name
            parsed.errors.extend(f"{label}: {message}" for message in messages)
    if not filterset.is_valid():
        for name, messages in filterset.form.errors.items():
            label = filterset.form.fields[name].label if name in filterset.form.fields else name
            parsed.errors.extend(f"{label}: {message}" for message in messages)
    if not parsed.errors:
        parsed.index_filters, parsed.sql_filtered = filterset.split_for_index()
    return parsed


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    """Speeches matching words and filters, ranked or by date, with counts beside them."""
    parsed = parse_search(request)
    context = {
        "form": parsed.form,
        "filter": parsed.filterset,
        "query": parsed.query,
        "sort": parsed.sort,
        "errors": parsed.errors,
        "notices": [],
        "searched": bool(request.GET),
        "holdings": holdings_text(),
        # Reversed once per process (``{% url %}`` reverses on every render).
        "urls": {
            "feed": cached_reverse("archive:search_feed"),
            "csv": cached_reverse("archive:search_csv"),
            "json": cached_reverse("archive:search_json"),
        },
    }
    if parsed.errors:
        return render(request, "archive/search.html", context, status=400)

    raw_page = request.GET.get("page", "1").strip() or "1"
    if not raw_page.isdigit() or int(raw_page) < 1:
        context["errors"] = [f"“{raw_page[:20]}” is not a page number: pages are numbered from 1."]
        return render(request, "archive/search.html", context, status=400)

    results = search_index.Results(
        lambda: parsed.filterset.qs,
        using=parsed.filterset.queryset.db,
        query=parsed.query,
        sort=parsed.sort,
        has_filters=bool(parsed.filters),
        index_filters=parsed.index_filters,
        sql_filtered=parsed.sql_filtered,
    )
    page_data = search.search_page_data(
        results,
        number=int(raw_page),
        per_page=PER_PAGE,
    )
    stats, total = page_data.stats, page_data.stats.total
    paginator = Paginator(results, PER_PAGE)
    # Known from the statistics: no COUNT query.
    paginator.count = total
    number = page_data.number
    if number < int(raw_page):
        context["notices"].append(
            f"There is no page {int(raw_page):,}: these results have {paginator.num_pages:,} "
            f"page{'s' if paginator.num_pages != 1 else ''}; showing the last one."
        )
    speeches, marks = page_data.speeches, page_data.marks
    # What paginator.page(number) builds, without fetching the ids a second time.
    page = Page([s.pk for s in speeches], number, paginator)
    if parsed.query and total == 0 and not stats.tsquery.strip():
        context["notices"].append(
            "Your search has only very common words (such as “the” or “and”) or punctuation, "
            "which are not indexed: add a more specific word."
        )
    context.update(
        stats=stats,
        total=total,
        page=page,
        speeches=speeches,
        hits_html=search_html.hits(speeches, marks),
        pagination_html=search_html.pagination(request, page),
        download_query=_query_without_page(request),
        **_links(request, parsed, stats),
    )
    context["results_html"] = search_html.results(context, export_row_cap=settings.EXPORT_MAX_ROWS)
    return render(request, "archive/search.html", context)


def _links(request: HttpRequest, parsed: ParsedSearch, stats: search.SearchStats) -> dict:
    """The facets, the filters in use and the orders, each a link to the URL changed."""
    links = search_html.QueryEditor(request)
    current = _facet_values(request, parsed)
    facets = [
        (title, param, search_html.facet_links(links, values, current.get(param, "")))
        for title, param, values in (
            ("State", "state", stats.states),
            ("Year", "year", stats.years),
            ("Topic", "topic", stats.topics),
        )
    ]
    return {
        "facets": facets,
        "facets_html": search_html.facets(facets),
        "active_filters": _active_filters(links, parsed),
        "sort_links": [
            (label, links.with_param("sort", key), key == parsed.sort)
            for key, label in search.SORTS.items()
            if parsed.query or key != "relevance"
        ],
    }


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else ""


def _facet_values(request: HttpRequest, parsed: ParsedSearch) -> dict[str, str]:
    """The facet value each filter in use stands for, however it was written (names, words)."""
    state, topic = parsed.filters.get("state"), parsed.filters.get("topic")
    return {
        "state": state.iso3.lower() if state is not None else "",
        "year": (request.GET.get("year") or "").strip(),
        "topic": topic.slug if topic is not None else "",
    }


def _active_filters(links: search_html.QueryEditor, parsed: ParsedSearch) -> list[dict]:
    """One chip per filter in use, saying what the archive understood: "State: Kazakhstan"."""
    form = parsed.filterset.form
    active = []
    for name, value in parsed.filters.items():
        chip = {"label": form.fields[name].label, "sep": ":", "value": str(value), "detail": ""}
        if name == "state":
            chip["label"] = "State" if value.is_state else "Organization"
        elif name == "topic" and value.words:
            chip.update(
                label="Agenda items matching",
                sep="",
                value=f"“{value.words}”",
                detail=f"({len(value.ids):,})",
            )
        chip["remove_url"] = links.with_param(name, None)
        active.append(chip)
    return active


# --------------------------------------------------------------------------- downloads


def speech_columns(request: HttpRequest) -> list[Column]:
    """The fields of a statement in downloads: the one schema (archive.statement_fields)."""
    return statement_columns(request.build_absolute_uri)


def _export_rows(parsed: ParsedSearch) -> Iterable[Speech]:
    if parsed.query and parsed.sort == "relevance":
        # The page's order exactly: BM25 over every match (archive.ranking).
        found = search_index.find(
            parsed.filterset.qs,
            query=parsed.query,
            has_filters=bool(parsed.filters),
            index_filters=parsed.index_filters,
            sql_filtered=parsed.sql_filtered,
        )
        ids = found.matches.ordered_ids("relevance")
        return search.speeches_in_order(ids, related=RELATED, using=parsed.queryset.db)
    rows = search.ordered(parsed.queryset, query=parsed.query, sort=parsed.sort, total=None)
    return rows.select_related(*RELATED).defer("search_vector")


def _bad_request(parsed: ParsedSearch) -> HttpResponse:
    return HttpResponseBadRequest(
        "This search could not be run:\n" + "\n".join(f"- {e}" for e in parsed.errors) + "\n",
        content_type="text/plain; charset=utf-8",
    )


def _meta(request: HttpRequest, parsed: ParsedSearch) -> dict:
    return {
        "source": request.build_absolute_uri(reverse("archive:search")),
        "query": parsed.query,
        "sort": parsed.sort,
        "filters": {k: v for k, v in request.GET.items() if k not in {"q", "sort", "page"}},
    }


@require_safe
def search_csv(request: HttpRequest) -> HttpResponse:
    """Every speech matching the search, as CSV (streamed)."""
    parsed = parse_search(request)
    if parsed.errors:
        return _bad_request(parsed)
    return exports.stream_csv(
        _export_rows(parsed),
        speech_columns(request),
        filename="council-archive-search.csv",
        request=request,
    )


@require_safe
def search_json(request: HttpRequest) -> HttpResponse:
    """Every speech matching the search, as JSON (streamed)."""
    parsed = parse_search(request)
    if parsed.errors:
        return _bad_request(parsed)
    return exports.stream_json(
        _export_rows(parsed),
        speech_columns(request),
        filename="council-archive-search.json",
        meta=_meta(request, parsed),
        request=request,
    )


# --------------------------------------------------------------------------- feed


class SearchFeed(AtomListFeed):
    """The newest speeches matching a search: follow a query, a State, a topic."""

    def get_object(self, request, *args, **kwargs):
        if not hasattr(request, "search"):
            request.search = parse_search(request)
        return request

    def title(self, request) -> str:
        parsed = request.search
        words = f"“{parsed.query}”" if parsed.query else "all statements"
        filters = ", ".join(f"{k} {v}" for k, v in parsed.filters.items())
        return f"Council Archive: {words}" + (f" ({filters})" if filters else "")

    def subtitle(self, request) -> str:
        return "The newest Security Council statements matching this search."

    def link(self, request) -> str:
        query = request.GET.urlencode()
        return reverse("archive:search") + (f"?{query}" if query else "")

    def get_items(self, request):
        rows = search.ordered(request.search.queryset, query="", sort="newest", total=None)
        return rows.select_related(*RELATED).defer("search_vector")

    def items(self, request):
        speeches = super().items(request)
        marks = search.snippets(
            [s.pk for s in speeches], request.search.query, using=request.search.queryset.db
        )
        # Per-request data lives on the items: one Feed instance serves every request.
        for speech in speeches:
            speech.snippet = marks.get(speech.pk)
        return speeches

    def item_title(self, item: Speech) -> str:
        return f"{heading(item)}, {item.meeting.symbol}"

    def item_description(self, item: Speech) -> str:
        # Escaped text with <mark> only; the feed generator escapes it again as Atom HTML.
        snippet = getattr(item, "snippet", None)
        return str(snippet) if snippet else str(escape(lead(item.text, 600)))

    def item_link(self, item: Speech) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Speech):
        # Records carry a date, feeds want a moment: noon UTC of that day.
        if item.meeting.date is None:
            return None
        return datetime.datetime.combine(item.meeting.date, datetime.time(12), tzinfo=datetime.UTC)

    def item_author_name(self, item: Speech) -> str:
        return speaker_body(item)


_search_feed = SearchFeed()


@require_safe
def search_feed(request: HttpRequest) -> HttpResponse:
    """Atom feed of a search; a clear 400 for parameters that cannot be used."""
    parsed = parse_search(request)
    if parsed.errors:
        return _bad_request(parsed)
    request.search = parsed
    return _search_feed(request)
