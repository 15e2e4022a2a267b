"""archive.exports: streamed CSV and JSON, and the Atom feed base class."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.http import StreamingHttpResponse
from django.test import RequestFactory

from archive import exports
from archive.exports import Column
from archive.models import MemberState

COLUMNS = [
    Column("name", lambda r: r["name"], "A name"),
    Column("day", lambda r: r["day"], "A date"),
    Column("n", lambda r: r["n"], "A number"),
    Column("missing", lambda r: r.get("missing"), "Absent values"),
]
ROWS = [
    {"name": 'Côte d\'Ivoire, "quoted"', "day": datetime.date(2020, 1, 9), "n": 1},
    {"name": "line\nbreak", "day": None, "n": 2},
]


def _body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_stream_csv():
    response = exports.stream_csv(ROWS, COLUMNS, filename="rows.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="rows.csv"'
    rows = list(csv.reader(io.StringIO(_body(response))))
    assert rows == [
        ["name", "day", "n", "missing"],
        ['Côte d\'Ivoire, "quoted"', "2020-01-09", "1", ""],
        ["line\nbreak", "", "2", ""],
    ]


def test_stream_json():
    response = exports.stream_json(ROWS, COLUMNS, filename="rows.json", meta={"q": "x"})
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(_body(response))
    assert data["meta"] == {"q": "x"}
    assert data["fields"] == ["name", "day", "n", "missing"]
    assert data["rows"][0] == {
        "name": 'Côte d\'Ivoire, "quoted"',
        "day": "2020-01-09",
        "n": 1,
        "missing": None,
    }
    assert list(data["rows"][1]) == ["name", "day", "n", "missing"]


def test_stream_json_of_nothing_is_valid():
    data = json.loads(_body(exports.stream_json([], COLUMNS)))
    assert data == {"meta": {}, "fields": ["name", "day", "n", "missing"], "rows": []}


def test_rows_are_produced_lazily():
    produced = []

    def rows():
        for n in range(5000):
            produced.append(n)
            yield {"name": str(n) * 100, "day": None, "n": n}

    stream = iter(exports.stream_csv(rows(), COLUMNS, filename="x.csv").streaming_content)
    next(stream)  # header, at once
    assert produced == []
    next(stream)  # the first batch of rows (exports.BATCH_CHARS), not the whole download
    assert 0 < len(produced) < 1000


@pytest.mark.django_db
def test_querysets_are_read_with_a_server_side_iterator(django_assert_num_queries, monkeypatch):
    for code in ("AAA", "BBB", "CCC"):
        MemberState.objects.create(name=code, iso3=code)
    calls = []
    original = type(MemberState.objects.all()).iterator

    def spy(self, chunk_size=None):
        calls.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(type(MemberState.objects.all()), "iterator", spy)
    columns = [Column("iso3", lambda s: s.iso3)]
    response = exports.stream_json(MemberState.objects.order_by("iso3"), columns)
    with django_assert_num_queries(1):
        data = json.loads(_body(response))
    assert [r["iso3"] for r in data["rows"]] == ["AAA", "BBB", "CCC"]
    assert calls == [exports.CHUNK_SIZE]


class StateFeed(exports.AtomListFeed):
    title = "States"
    link = "/states/"
    limit = 2

    def get_items(self, request):
        return MemberState.objects.order_by("iso3")

    def item_title(self, item):
        return item.name

    def item_description(self, item):
        return item.iso3

    def item_link(self, item):
        return f"/states/{item.slug}/"


@pytest.mark.django_db
def test_atom_list_feed_limits_entries():
    for code in ("AAA", "BBB", "CCC"):
        MemberState.objects.create(name=code, iso3=code)
    response = StateFeed()(RequestFactory().get("/states/feed/"))
    body = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert body.count("<entry>") == 2
    assert "AAA" in body and "CCC" not in body


def test_downloads_reach_the_server_in_batches_with_the_same_text():
    from archive.exports import batched

    lines = [f"row {n}\n" for n in range(1000)]
    pieces = list(batched(iter(lines), size=100))
    assert "".join(pieces) == "".join(lines)
    assert pieces[0] == "row 0\n"  # the first line leaves at once
    assert len(pieces) < 200
    assert list(batched(iter([]))) == []


def test_a_batched_download_cut_short_closes_its_source():
    from archive.exports import batched

    closed = []

    def source():
        try:
            for n in range(10_000):
                yield f"{n}\n"
        finally:
            closed.append(True)

    stream = batched(source(), size=10)
    next(stream)
    next(stream)
    stream.close()
    assert closed == [True]
