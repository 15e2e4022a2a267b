"""Streaming CSV / JSON downloads and Atom feeds for any list page of the archive.

Every list the public site shows (search results, a State's speeches, a meeting, a
resolution's mentions ...) can be downloaded with the same filters as the page. These helpers
stream the rows, so an export of 100,000 speeches never sits in memory: querysets are read with
``.iterator(chunk_size=2000)`` (a server-side cursor on PostgreSQL) and each row is written as
soon as it is read.

API
---
``Column(name, value, description="")``
    One field of an export: ``name`` is the CSV header and JSON key, ``value`` a function of the
    row (a model instance or a dict) returning a str, int, float, bool, date or None.
    ``description`` documents the field (README "JSON export fields").

``iterate(rows, chunk_size=2000)``
    A queryset becomes ``rows.iterator(chunk_size=...)``; any other iterable is returned as is.
    Use ``select_related`` on the queryset so no query runs per row (``prefetch_related`` works
    with ``iterator`` too, one query per chunk).

``stream_csv(rows, columns, *, filename)``
    ``StreamingHttpResponse`` of ``text/csv; charset=utf-8``: a header row of column names, then
    one line per row, dates in ISO 8601, ``None`` as an empty cell. Served as an attachment.
    A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading ``'`` (OWASP's rule against formula injection); JSON is never changed.

``stream_json(rows, columns, *, filename=None, meta=None)``
    ``StreamingHttpResponse`` of ``application/json``: ``{"meta": {...}, "fields": [names],
    "rows": [{name: value, ...}, ...]}``. Keys appear in column order; the document is valid
    JSON once the last chunk is written. ``meta`` carries e.g. the query and filters.

``AtomListFeed``
    A ``django.contrib.syndication`` ``Feed`` producing Atom 1.0 for a filtered list. Subclass
    it and implement ``get_items(request)`` (a queryset, already filtered and ordered newest
    first) plus the usual ``item_title`` / ``item_description`` / ``item_link`` /
    ``item_pubdate`` hooks; ``title(request)`` / ``link(request)`` may use the request's GET
    parameters. ``limit`` (default 50) caps the entries. Invalid parameters should raise
    ``django.http.Http404`` or be handled in ``get_object``.

Example (a view)::

    from archive.exports import Column, stream_csv

    COLUMNS = [Column("symbol", lambda m: m.symbol), Column("date", lambda m: m.date)]

    def meetings_csv(request):
        qs = MeetingFilterSet(request.GET, queryset=Meeting.objects.all()).qs
        return stream_csv(qs, COLUMNS, filename="meetings.csv")
"""

from __future__ import annotations

import csv
import datetime
import decimal
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpResponseNotAllowed, StreamingHttpResponse
from django.utils.feedgenerator import Atom1Feed

CHUNK_SIZE = 2000


@dataclass(frozen=True)
class Column:
    """One exported field: its name, how to read it from a row, and what it means."""

    name: str
    value: Callable[[Any], Any]
    description: str = ""


def iterate(rows: Iterable, chunk_size: int = CHUNK_SIZE) -> Iterator:
    """Read a queryset in chunks through a server-side cursor; pass other iterables through."""
    if isinstance(rows, QuerySet):
        return rows.iterator(chunk_size=chunk_size)
    return iter(rows)


def _plain(value: Any) -> Any:
    """A JSON-ready value: dates as ISO 8601, decimals as floats."""
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


# OWASP "CSV Injection": a spreadsheet runs a cell that starts with one of these as a formula
# (=HYPERLINK(...) can send the row's neighbours to another site).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell that no spreadsheet will run: text starting a formula gets a leading ``'``.

    Only text is changed, and only by that one character, which spreadsheets show as a text
    marker; numbers (a negative vote count, say) are written as they are.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_cells(row: Any, columns: Sequence[Column]) -> list:
    """One CSV line's cells: ISO dates, empty for None, formulas neutralised."""
    values = (_plain(c.value(row)) for c in columns)
    return ["" if v is None else spreadsheet_safe(v) for v in values]


def _csv_lines(rows: Iterable, columns: Sequence[Column]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([c.name for c in columns])
    for row in iterate(rows):
        yield writer.writerow(csv_cells(row, columns))


def stream_csv(
    rows: Iterable, columns: Sequence[Column], *, filename: str
) -> StreamingHttpResponse:
    """Stream ``rows`` as a CSV attachment with one column per ``Column``."""
    response = StreamingHttpResponse(
        _csv_lines(rows, columns), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _json_chunks(rows: Iterable, columns: Sequence[Column], meta: dict | None) -> Iterator[str]:
    head = {"meta": meta or {}, "fields": [c.name for c in columns]}
    # The head is a complete object; reopen it to append the rows array.
    yield json.dumps(head, ensure_ascii=False, default=str)[:-1] + ', "rows": ['
    first = True
    for row in iterate(rows):
        item = {c.name: _plain(c.value(row)) for c in columns}
        yield ("" if first else ",") + "\n" + json.dumps(item, ensure_ascii=False, default=str)
        first = False
    yield "\n]}\n"


def stream_json(
    rows: Iterable,
    columns: Sequence[Column],
    *,
    filename: str | None = None,
    meta: dict | None = None,
) -> StreamingHttpResponse:
    """Stream ``rows`` as one JSON document ``{"meta", "fields", "rows"}``."""
    response = StreamingHttpResponse(
        _json_chunks(rows, columns, meta), content_type="application/json; charset=utf-8"
    )
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class AtomListFeed(Feed):
    """Atom 1.0 feed of a filtered list; subclasses implement ``get_items(request)``."""

    feed_type = Atom1Feed
    limit = 50

    def __call__(self, request, *args, **kwargs):
        # The public site is read-only: a feed answers GET and HEAD only, like every page.
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        """Keep the request, so items and titles can read its GET parameters."""
        return request

    def get_items(self, request) -> Iterable:
        """The filtered, newest-first rows of the feed."""
        raise NotImplementedError

    def items(self, request) -> Iterable:
        return list(self.get_items(request)[: self.limit])
