"""The shared cache writes an entry in one statement and stays bounded (archive.cache_backend)."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive import cache_backend
from archive import settings as archive_settings
from archive.cache_backend import ArchiveDatabaseCache

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def empty_cache(settings):
    # The suite runs on an in-memory cache (conftest); here the serving one is the subject.
    settings.CACHES = archive_settings.CACHES
    cache.clear()
    yield
    cache.clear()


def _rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM cache_entries")
        return cursor.fetchone()[0]


def test_settings_use_it():
    assert isinstance(caches["default"], ArchiveDatabaseCache)


def test_set_then_get_overwrite_and_delete():
    cache.set("page", (b"<html>1</html>", [("Content-Type", "text/html")]), 60)
    assert cache.get("page") == (b"<html>1</html>", [("Content-Type", "text/html")])
    cache.set("page", "second", 60)
    assert cache.get("page") == "second"
    assert _rows() == 1
    cache.delete("page")
    assert cache.get("page") is None


def test_a_write_is_one_statement(monkeypatch):
    monkeypatch.setattr(cache_backend, "CULL_EVERY", 10**9)
    cache.set("warm", 1)  # may be the write that counts
    with CaptureQueriesContext(connection) as queries:
        cache.set("page", "x", 60)
    assert len(queries) == 1
    assert "ON CONFLICT" in queries[0]["sql"]
    assert "synchronous_commit TO OFF" in queries[0]["sql"]


def test_expired_entries_are_not_served():
    cache.set("soon", "x", 1)
    time.sleep(2.1)
    assert cache.get("soon") is None
    assert cache.get("soon", "default") == "default"
    assert _rows() == 0  # and deleted, as Django's get does


def test_a_read_is_one_prepared_statement():
    cache.set("page", {"a": [1, 2]}, 60)
    assert cache.get("page") == {"a": [1, 2]}  # prepares the statement on this connection
    with CaptureQueriesContext(connection) as queries:
        assert cache.get("page") == {"a": [1, 2]}
        assert cache.get("missing") is None
        assert cache.get("missing", 7) == 7
    assert [q["sql"].split()[0] for q in queries] == ["EXECUTE"] * 3
    assert cache.get_many(["page", "missing"]) == {"page": {"a": [1, 2]}}


def test_no_timeout_means_forever():
    cache.set("kept", "x", None)
    assert cache.get("kept") == "x"


def test_add_and_touch_keep_djangos_meaning():
    assert cache.add("once", 1, 60)
    assert not cache.add("once", 2, 60)
    assert cache.get("once") == 1
    assert cache.touch("once", 120)


def test_the_table_stays_bounded(monkeypatch):
    monkeypatch.setattr(cache_backend, "CULL_EVERY", 1)
    small = ArchiveDatabaseCache("cache_entries", {"OPTIONS": {"MAX_ENTRIES": 10}})
    for n in range(60):
        small.set(f"k{n}", n, 60)
    assert _rows() <= 11
    assert small.get("k59") == 59  # the newest write is kept
