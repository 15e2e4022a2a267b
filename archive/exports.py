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

``stream_csv(rows, columns, *, filename, request=None)``
    ``StreamingHttpResponse`` of ``text/csv; charset=utf-8``: a header row of column names, then
    one line per row, dates in ISO 8601, ``None`` as an empty cell. Served as an attachment.
    A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading ``'`` (OWASP's rule against formula injection); JSON is never changed.

``stream_json(rows, columns, *, filename=None, meta=None, request=None)``
    ``StreamingHttpResponse`` of ``application/json``: ``{"meta": {...}, "fields": [names],
    "rows": [{name: value, ...}, ...]}``. Keys appear in column order; the document is valid
    JSON once the last chunk is written. ``meta`` carries e.g. the query and filters.

Public downloads pass ``request``: the rows are then capped (``row_cap``: ``EXPORT_MAX_ROWS``
for the public, more for staff; the JSON says ``"truncated"``), and a download of more than
``EXPORT_SMALL_ROWS`` rows streams only in one of ``EXPORT_MAX_STREAMS`` slots shared by every
worker (PostgreSQL advisory locks), else the answer is 503 with ``Retry-After``.

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

import contextlib
import csv
import datetime
import decimal
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db import DatabaseError, connections
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.utils.feedgenerator import Atom1Feed

from archive.db_router import PRIMARY
from archive.urlcache import cached_reverse

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


def plain(value: Any) -> Any:
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
    values = (plain(c.value(row)) for c in columns)
    return ["" if v is None else spreadsheet_safe(v) for v in values]


def _csv_lines(rows: Iterable, columns: Sequence[Column]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([c.name for c in columns])
    for row in iterate(rows):
        yield writer.writerow(csv_cells(row, columns))


def stream_csv(
    rows: Iterable,
    columns: Sequence[Column],
    *,
    filename: str,
    request: HttpRequest | None = None,
) -> HttpResponse:
    """Stream ``rows`` as a CSV attachment with one column per ``Column``.

    With ``request`` (every public download): capped at ``row_cap(request)`` rows and run in
    one of the shared export slots, or answered 503 when all are taken.
    """
    bounds = _Bounds.for_request(request, rows)
    if bounds.refused:
        return busy_response()
    response = StreamingHttpResponse(
        bounds.stream(_csv_lines(bounds.cap_rows(rows), columns)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    bounds.describe(response)
    return response


def _json_chunks(
    rows: Iterable, columns: Sequence[Column], meta: dict | None, bounds: _Bounds | None = None
) -> Iterator[str]:
    head = {"meta": meta or {}, "fields": [c.name for c in columns]}
    # The head is a complete object; reopen it to append the rows array.
    yield json.dumps(head, ensure_ascii=False, default=str)[:-1] + ', "rows": ['
    first = True
    count = 0
    for row in iterate(rows):
        count += 1
        if bounds is not None and bounds.cap is not None and count > bounds.cap:
            break  # the one row past the cap only says that there are more
        item = {c.name: plain(c.value(row)) for c in columns}
        yield ("" if first else ",") + "\n" + json.dumps(item, ensure_ascii=False, default=str)
        first = False
    if bounds is not None and bounds.cap is not None:
        yield f'\n], "truncated": {json.dumps(count > bounds.cap)}}}\n'
    else:
        yield "\n]}\n"


def stream_json(
    rows: Iterable,
    columns: Sequence[Column],
    *,
    filename: str | None = None,
    meta: dict | None = None,
    request: HttpRequest | None = None,
) -> HttpResponse:
    """Stream ``rows`` as one JSON document ``{"meta", "fields", "rows"}``.

    With ``request``: bounded as ``stream_csv``; ``meta`` then says the row cap and where the
    bulk files are, and a last key ``"truncated"`` says whether rows were left out.
    """
    bounds = _Bounds.for_request(request, rows)
    if bounds.refused:
        return busy_response()
    if bounds.cap is not None:
        meta = {**(meta or {}), **bounds.meta()}
        # One row more than the cap, to know whether the download was cut.
        rows = bounds.cap_rows(rows, extra=1)
    chunks = _json_chunks(rows, columns, meta, bounds if bounds.cap is not None else None)
    response = StreamingHttpResponse(
        bounds.stream(chunks), content_type="application/json; charset=utf-8"
    )
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    bounds.describe(response)
    return response


# --------------------------------------------------------------------------- bounds

# First key of the slots' advisory locks: their namespace among the archive's advisory locks.
EXPORT_SLOT_NAMESPACE = 0x45_78_50  # "ExP"


def row_cap(request: HttpRequest) -> int | None:
    """How many rows one download may hold: ``EXPORT_MAX_ROWS``, more for signed-in staff."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return settings.EXPORT_MAX_ROWS_STAFF
    return settings.EXPORT_MAX_ROWS


def is_small(rows: Iterable) -> bool:
    """Whether a download holds at most ``EXPORT_SMALL_ROWS`` rows (one LIMIT 1 query).

    Small downloads (a State's statements in a year, a meeting's) stream in well under a
    second and never wait for a slot; lists built in memory are small by construction.
    """
    small = settings.EXPORT_SMALL_ROWS
    if not isinstance(rows, QuerySet):
        # Sized iterables (the search's ranked ids) say their length; other lists are built
        # in memory and small by construction.
        return len(rows) <= small if hasattr(rows, "__len__") else True
    return not rows.values_list("pk", flat=True)[small : small + 1]


def acquire_slot() -> int | None:
    """Take one of ``EXPORT_MAX_STREAMS`` export slots shared by every worker, or None.

    A slot is a PostgreSQL session advisory lock on the primary: every gunicorn worker (and
    every app server) sees the same slots, and a worker that dies frees its slot with its
    connection.
    """
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute(
            "SELECT n FROM generate_series(0, %s - 1) AS n "
            "WHERE pg_try_advisory_lock(%s, n) LIMIT 1",
            [settings.EXPORT_MAX_STREAMS, EXPORT_SLOT_NAMESPACE],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def release_slot(slot: int) -> None:
    """Give a slot back (a closed connection has given it back already)."""
    with contextlib.suppress(DatabaseError), connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [EXPORT_SLOT_NAMESPACE, slot])


def bulk_downloads_url() -> str:
    """The page listing the prebuilt files of the whole archive."""
    return cached_reverse("archive:downloads")


def busy_response() -> HttpResponse:
    """503 with Retry-After: every export slot is streaming already."""
    retry = settings.EXPORT_RETRY_AFTER_SECONDS
    response = HttpResponse(
        f"The archive is already streaming {settings.EXPORT_MAX_STREAMS} downloads, as many as "
        f"it serves at once. Please try again in {retry} seconds.\n"
        f"The whole archive, and each year, can be downloaded at any time as prebuilt files: "
        f"{bulk_downloads_url()}\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(retry)
    response["Cache-Control"] = "no-store"
    return response


# Bytes of text handed to the server at once: a row per write was a system call and a chunk
# header per row (5,000 of each for a capped download); the first write still leaves at once.
BATCH_CHARS = 64 * 1024


def batched(chunks: Iterator[str], size: int = BATCH_CHARS) -> Iterator[str]:
    """The same text in pieces of about ``size`` characters (the first chunk alone)."""
    try:
        pending: list[str] = []
        length = 0
        for number, chunk in enumerate(chunks):
            pending.append(chunk)
            length += len(chunk)
            if number == 0 or length >= size:
                yield "".join(pending)
                pending, length = [], 0
        if pending:
            yield "".join(pending)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()  # a download cut short frees its cursor at once


class _SlotStream:
    """Chunks of a download that give the export slot back when done, failed or closed."""

    def __init__(self, chunks: Iterator, slot: int):
        self._chunks = chunks
        self._slot: int | None = slot

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return next(self._chunks)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Called by the server when the response ends (also for HEAD and broken pipes)."""
        if self._slot is None:
            return
        slot, self._slot = self._slot, None
        try:
            if hasattr(self._chunks, "close"):
                self._chunks.close()
        finally:
            release_slot(slot)


@dataclass
class _Bounds:
    """The row cap and export slot of one public download."""

    cap: int | None = None
    slot: int | None = None
    refused: bool = False

    @classmethod
    def for_request(cls, request: HttpRequest | None, rows: Iterable) -> _Bounds:
        if request is None:
            return cls()
        cap = row_cap(request)
        if is_small(rows):
            return cls(cap=cap)  # a second's work at most: no need to queue for a slot
        slot = acquire_slot()
        return cls(cap=cap, slot=slot, refused=slot is None)

    def cap_rows(self, rows: Iterable, extra: int = 0) -> Iterable:
        if self.cap is None:
            return rows
        if isinstance(rows, QuerySet):
            return rows[: self.cap + extra]  # LIMIT: the database stops too
        return itertools.islice(rows, self.cap + extra)

    def stream(self, chunks: Iterator) -> Iterator:
        chunks = batched(chunks)
        return chunks if self.slot is None else _SlotStream(chunks, self.slot)

    def meta(self) -> dict:
        return {"row_cap": self.cap, "bulk_downloads": bulk_downloads_url()}

    def describe(self, response: HttpResponse) -> None:
        if self.cap is not None:
            response["X-Row-Cap"] = str(self.cap)
            response["Link"] = f'<{bulk_downloads_url()}>; rel="alternate"; title="bulk downloads"'


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
