"""Public downloads cannot starve the site: a row cap for anonymous readers, and at most
EXPORT_MAX_STREAMS streams at once across every worker (PostgreSQL advisory locks)."""

from __future__ import annotations

import csv
import io
import json

import psycopg
import pytest
from django.contrib.auth.models import User
from django.db import connection

from archive import exports
from archive.models import Speech
from tests.pages_data import build_archive

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(settings):
    settings.EXPORT_MAX_ROWS = 2
    settings.EXPORT_MAX_ROWS_STAFF = 1000
    settings.EXPORT_MAX_STREAMS = 1
    settings.EXPORT_SMALL_ROWS = 1  # the small archive's downloads count as big ones
    return build_archive()


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response))))


def test_anonymous_downloads_are_capped_and_point_to_the_bulk_files(client, archive):
    assert Speech.objects.count() > 2
    response = client.get("/search.csv", {"sort": "newest"})
    assert response.status_code == 200
    assert len(csv_rows(response)) == 2
    assert response["X-Row-Cap"] == "2"
    assert response["Link"] == '</downloads/>; rel="alternate"; title="bulk downloads"'

    data = json.loads(body(client.get("/search.json", {"sort": "newest"})))
    assert len(data["rows"]) == 2
    assert data["meta"]["row_cap"] == 2
    assert data["meta"]["bulk_downloads"] == "/downloads/"
    assert data["truncated"] is True


def test_a_download_under_the_cap_says_it_is_complete(client, archive, settings):
    settings.EXPORT_MAX_ROWS = 1000
    data = json.loads(body(client.get("/search.json", {"sort": "newest"})))
    assert len(data["rows"]) == Speech.objects.count()
    assert data["truncated"] is False


def test_list_downloads_are_capped_too(client, archive):
    state = Speech.objects.exclude(member_state=None).first().member_state
    Speech.objects.filter(affiliation=None).update(member_state=state)
    assert Speech.objects.filter(member_state=state).count() > 2
    response = client.get(f"/states/{state.slug}/statements/", {"format": "csv"})
    assert len(csv_rows(response)) == 2


def test_signed_in_staff_get_more_rows(client, archive):
    staff = User.objects.create_user("clerk", password="x" * 20, is_staff=True)
    client.force_login(staff)
    response = client.get("/search.csv", {"sort": "newest"})
    assert len(csv_rows(response)) == Speech.objects.count()
    assert response["X-Row-Cap"] == "1000"


def test_the_page_says_downloads_are_capped(client, archive):
    html = client.get("/search/", {"sort": "newest"}).content.decode()
    assert "the first 2 of them" in html
    assert 'href="/downloads/"' in html


def _other_worker() -> psycopg.Connection:
    """A second session on the test database, as another gunicorn worker would hold."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


def test_when_every_slot_streams_the_next_download_is_told_to_retry(client, archive):
    with _other_worker() as other:
        held = other.execute(
            "SELECT pg_try_advisory_lock(%s, 0)", [exports.EXPORT_SLOT_NAMESPACE]
        ).fetchone()[0]
        assert held
        busy = client.get("/search.csv", {"sort": "newest"})
        assert busy.status_code == 503
        assert busy["Retry-After"] == "30"
        assert "no-store" in busy["Cache-Control"]
        text = busy.content.decode()
        assert "Please try again in 30 seconds" in text and "/downloads/" in text
        assert client.get("/search.json").status_code == 503
        # Pages are not downloads: they are served as ever.
        assert client.get("/search/", {"sort": "newest"}).status_code == 200
        other.execute("SELECT pg_advisory_unlock(%s, 0)", [exports.EXPORT_SLOT_NAMESPACE])
    assert client.get("/search.csv").status_code == 200


def _slot_is_free() -> bool:
    with _other_worker() as other:
        free = other.execute(
            "SELECT pg_try_advisory_lock(%s, 0)", [exports.EXPORT_SLOT_NAMESPACE]
        ).fetchone()[0]
        if free:
            other.execute("SELECT pg_advisory_unlock(%s, 0)", [exports.EXPORT_SLOT_NAMESPACE])
        return free


def test_the_slot_is_held_while_streaming_and_given_back_after(client, archive):
    response = client.get("/search.csv", {"sort": "newest"})
    stream = iter(response.streaming_content)
    next(stream)
    assert not _slot_is_free()  # another worker cannot take it
    list(stream)
    response.close()
    assert _slot_is_free()


def test_the_slot_is_given_back_when_the_reader_goes_away(client, archive):
    from django.core.signals import request_finished
    from django.db import close_old_connections

    response = client.get("/search.json", {"sort": "newest"})
    next(iter(response.streaming_content))
    # What the server does when the client disconnects (keeping the test's connection open,
    # as the test client does).
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert _slot_is_free()


def test_a_head_request_keeps_no_slot(client, archive):
    head = client.head("/search.csv")  # streams nothing, and must keep nothing
    assert head.status_code == 200
    head.close()
    assert _slot_is_free()


def test_small_downloads_need_no_slot(client, archive, settings):
    settings.EXPORT_SMALL_ROWS = 500
    with _other_worker() as other:
        other.execute("SELECT pg_advisory_lock(%s, 0)", [exports.EXPORT_SLOT_NAMESPACE])
        response = client.get("/search.csv", {"sort": "newest"})
        assert response.status_code == 200  # a handful of rows: served even when busy
        assert len(csv_rows(response)) == 2


def test_a_large_ranked_download_takes_a_slot_and_waits_when_none_is_free(
    client, archive, settings
):
    """Ranked by relevance, a search's rows are a sized list of ids (not a QuerySet): its size
    still decides whether the download needs a stream slot."""
    from archive.search import SpeechesInOrder

    matches = Speech.objects.filter(text__icontains="council").count()
    assert matches >= 2  # more than EXPORT_SMALL_ROWS: a large download here
    ranked = {"q": "council"}  # no sort: by relevance
    assert exports.is_small(SpeechesInOrder(list(range(matches)), related=())) is False
    with _other_worker() as other:
        assert other.execute(
            "SELECT pg_try_advisory_lock(%s, 0)", [exports.EXPORT_SLOT_NAMESPACE]
        ).fetchone()[0]
        for url in ("/search.csv", "/search.json"):
            busy = client.get(url, ranked)
            assert busy.status_code == 503, url
            assert busy["Retry-After"] == "30" and "no-store" in busy["Cache-Control"]
        # A small ranked download streams in well under a second: it never waits for a slot.
        settings.EXPORT_SMALL_ROWS = matches
        small = client.get("/search.csv", ranked)
        assert small.status_code == 200 and len(csv_rows(small)) == min(matches, 2)
        settings.EXPORT_SMALL_ROWS = 1
        other.execute("SELECT pg_advisory_unlock(%s, 0)", [exports.EXPORT_SLOT_NAMESPACE])
    response = client.get("/search.csv", ranked)
    assert response.status_code == 200
    stream = iter(response.streaming_content)
    next(stream)
    assert not _slot_is_free()  # the ranked download holds the slot while it streams
    list(stream)
    response.close()
    assert _slot_is_free()
