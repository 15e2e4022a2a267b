"""Keyword in context on the search page: every occurrence of the query, one line each.

The statements are the search page's (``parse_search``: same query, same filters); the
lines come from ``archive.research.kwic``. The page reads the most recent
``kwic.STATEMENT_LIMIT`` matching statements and says so when there are more; the CSV and
JSON read every one, streamed 500 statements at a time.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from archive import exports
from archive.exports import Column
from archive.middleware import archive_validators
from archive.research import kwic
from archive.research.trends_request import quoted
from archive.templatetags.archive_tags import speaker_body
from archive.views.search import _bad_request, _query_without_page, parse_search

PER_PAGE = 50


def _order(request: HttpRequest) -> str:
    value = request.GET.get("order", "date")
    return value if value in kwic.SORTS else "date"


def _sorted(lines: list[kwic.Line], order: str) -> list[kwic.Line]:
    if order == "date":
        return lines
    return sorted(lines, key=lambda line: kwic.sort_key(line, order))


def _links(request: HttpRequest) -> dict:
    query = request.GET.copy()
    for name in ("page", "order"):
        query.pop(name, None)
    base = query.urlencode()
    return {
        "orders": [
            (key, label, f"?{base}&order={key}" if base else f"?order={key}")
            for key, label in kwic.SORTS.items()
        ],
        "statements_url": reverse("archive:search") + (f"?{base}" if base else ""),
        "download_query": _query_without_page(request),
    }


@require_safe
def kwic_page(request: HttpRequest) -> HttpResponse:
    """The lines of one page, sorted by date or by left or right context."""
    parsed = parse_search(request)
    order = _order(request)
    context = {
        "form": parsed.form,
        "filter": parsed.filterset,
        "query": parsed.query,
        "errors": list(parsed.errors),
        "order": order,
        "context_chars": kwic.CONTEXT,
        "form_action": reverse("archive:kwic"),
        **_links(request),
    }
    raw_page = (request.GET.get("page") or "1").strip()
    if not parsed.errors and (not raw_page.isdigit() or int(raw_page) < 1):
        context["errors"].append(f"“{raw_page[:20]}” is not a page number: pages start at 1.")
    if context["errors"]:
        return render(request, "archive/research/kwic.html", context, status=400)
    if not parsed.query:
        return render(request, "archive/research/kwic.html", context)
    qs = parsed.filterset.qs
    concordance = kwic.cached_concordance(
        qs,
        query=parsed.query,
        filters=parsed.filters,
        version=archive_validators(using=qs.db).etag,
    )
    paginator = Paginator(_sorted(concordance.lines, order), PER_PAGE)
    page = paginator.get_page(int(raw_page))
    speeches = kwic.speeches_for(page.object_list, using=qs.db)
    longest = max((len(line.keyword) for line in page.object_list), default=0)
    context.update(
        concordance=concordance,
        page=page,
        query_label=quoted(parsed.query),
        # The keyword column's width (a class: the site allows no inline style).
        keyword_width=next((f"kw-{n}" for n in (8, 12, 16, 24) if longest <= n), "kw-l"),
        rows=[(line, speeches.get(line.speech_id)) for line in page.object_list],
        limit=kwic.STATEMENT_LIMIT,
    )
    return render(request, "archive/research/kwic.html", context)


def kwic_columns(request: HttpRequest) -> list[Column]:
    """The fields of a keyword-in-context download (quanteda's kwic names where they exist)."""
    url = request.build_absolute_uri

    def speech(row):
        return row[1]

    return [
        Column("docname", lambda r: f"speech-{r[0].speech_id}", "The statement: speech-<id>"),
        Column("start_char", lambda r: r[0].start, "Offset of the keyword in the text"),
        Column("end_char", lambda r: r[0].end, "Offset after the keyword"),
        Column("pre", lambda r: r[0].left, "Left context (about 60 characters)"),
        Column("keyword", lambda r: r[0].keyword, "The occurrence as printed"),
        Column("post", lambda r: r[0].right, "Right context (about 60 characters)"),
        Column("pattern", lambda r: r[0].term, "The query's word or phrase, in lexemes"),
        Column("speaker", lambda r: speech(r).speaker_name or speech(r).attribution),
        Column("state_or_body", lambda r: speaker_body(speech(r))),
        Column("iso3", lambda r: speech(r).member_state.iso3 if speech(r).member_state_id else ""),
        Column("date", lambda r: speech(r).meeting.date, "Meeting date, ISO 8601"),
        Column("meeting", lambda r: speech(r).meeting.symbol),
        Column("url", lambda r: url(speech(r).get_absolute_url()), "The statement"),
    ]


def all_lines(request: HttpRequest, parsed, order: str) -> Iterator[tuple]:
    """(line, speech) for every occurrence in every matching statement, in ``order``."""
    qs = parsed.filterset.qs
    ids = kwic.matching_ids(qs, query=parsed.query, limit=None)
    terms = kwic.query_terms(parsed.query, using=qs.db)

    def in_date_order():
        for start in range(0, len(ids), 500):
            lines = kwic.concordance(ids[start : start + 500], terms, using=qs.db)
            speeches = kwic.speeches_for(lines, using=qs.db)
            for line in lines:
                yield line, speeches[line.speech_id]

    if order == "date":
        yield from in_date_order()
        return
    # Sorting needs every line first; the texts are still read 500 statements at a time.
    rows = list(in_date_order())
    rows.sort(key=lambda row: kwic.sort_key(row[0], order))
    yield from rows


def _to_page(request: HttpRequest) -> HttpResponse:
    """A download without words to look for: the page, which asks for them."""
    query = request.GET.urlencode()
    return redirect(reverse("archive:kwic") + (f"?{query}" if query else ""))


@require_safe
def kwic_csv(request: HttpRequest) -> HttpResponse:
    """Every line of the search as CSV, streamed (the form quanteda and AntConc use)."""
    parsed = parse_search(request)
    if not parsed.errors and not parsed.query:
        return _to_page(request)
    if parsed.errors:
        return _bad_request(parsed)
    return exports.stream_csv(
        all_lines(request, parsed, _order(request)),
        kwic_columns(request),
        filename="council-archive-kwic.csv",
    )


@require_safe
def kwic_json(request: HttpRequest) -> HttpResponse:
    """Every line of the search as JSON, streamed."""
    parsed = parse_search(request)
    if not parsed.errors and not parsed.query:
        return _to_page(request)
    if parsed.errors:
        return _bad_request(parsed)
    meta = {
        "source": request.build_absolute_uri(reverse("archive:kwic")),
        "query": parsed.query,
        "order": _order(request),
        "context_characters": kwic.CONTEXT,
        "filters": {k: v for k, v in request.GET.items() if k not in {"q", "order", "page"}},
    }
    return exports.stream_json(
        all_lines(request, parsed, _order(request)),
        kwic_columns(request),
        filename="council-archive-kwic.json",
        meta=meta,
    )
