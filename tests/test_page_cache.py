"""Rendered public pages are kept per URL and archive version for anonymous visitors only."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from archive.middleware import clear_validator_cache
from archive.models import ArchiveState, Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 300
    settings.ARCHIVE_STATE_CACHE_SECONDS = 0
    clear_validator_cache()
    yield
    clear_validator_cache()


@pytest.fixture
def meeting():
    return Meeting.objects.create(
        symbol="S/PV.8700", meeting_number=8700, date=datetime.date(2020, 1, 30)
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


def test_the_second_visitor_gets_the_kept_page_for_one_query(meeting):
    url = meeting.get_absolute_url()
    first, built = _queries(Client(), url)
    second, served = _queries(Client(), url)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert "public" in second["Cache-Control"]
    assert served == 1 < built  # the archive's version only
    assert "X-Archive-Page" not in first and second["X-Archive-Page"] == "kept"


def test_a_change_to_the_archive_retires_every_kept_page(meeting):
    url = meeting.get_absolute_url()
    Client().get(url)
    Meeting.objects.filter(pk=meeting.pk).update(place="Geneva, changed")
    ArchiveState.objects.update(version=ArchiveState.objects.get().version + 1)  # the commit
    assert b"Geneva, changed" in Client().get(url).content


def test_query_strings_are_pages_of_their_own(meeting):
    assert Client().get("/meetings/?year=2020").content != Client().get("/meetings/").content


def test_signed_in_staff_never_get_or_leave_a_kept_page(meeting, django_user_model):
    url = meeting.get_absolute_url()
    staff = Client()
    staff.force_login(django_user_model.objects.create_user("clerk", is_staff=True))
    staff.get(url)
    _, built = _queries(Client(), url)
    assert built > 1  # the staff member's page was not kept for the public
    _, served = _queries(Client(), url)
    assert served == 1
    _, staff_queries = _queries(staff, url)
    assert staff_queries > 1  # and they are not served the public's


def test_errors_are_not_kept(meeting):
    Client().get("/meetings/S-PV.1/")
    _, queries = _queries(Client(), "/meetings/S-PV.1/")
    assert queries > 1


def test_kept_pages_are_stored_compressed_and_served_whole(meeting):
    from django.core.cache import caches

    first = Client().get(meeting.get_absolute_url())
    store = caches["default"]
    [key] = [k for k in store._cache if "archive-page:" in k]
    content, _headers, packing = store.get(key.split(":", 2)[-1])
    assert packing == "zlib" and len(content) < len(first.content)
    second = Client().get(meeting.get_absolute_url())
    assert second.content == first.content


def test_a_page_kept_before_compression_is_still_served(meeting):
    from django.core.cache import caches

    first = Client().get(meeting.get_absolute_url())
    store = caches["default"]
    [key] = [k for k in store._cache if "archive-page:" in k]
    plain_key = key.split(":", 2)[-1]
    store.set(plain_key, (b"<html>kept earlier</html>", [("Content-Type", "text/html")]), 60)
    assert Client().get(meeting.get_absolute_url()).content == b"<html>kept earlier</html>"
    assert first.status_code == 200


def test_a_page_is_kept_once_it_has_been_sent(meeting):
    # The server closes the response after its last byte (WSGI): only then is the page
    # written to the cache, so the visitor never waits for that write.
    from django.core.cache import caches
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from django.test import RequestFactory

    url = meeting.get_absolute_url()
    environ = RequestFactory().get(url).environ
    handler = WSGIHandler()
    statuses = []
    # As the test client does: the test's own transaction must outlive the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = handler(environ, lambda status, headers: statuses.append(status))
        body = b"".join(response)
        assert statuses == ["200 OK"] and b"S/PV.8700" in body
        store = caches["default"]
        assert not [k for k in store._cache if "archive-page:" in k]  # sent, not yet kept
        response.close()
        assert [k for k in store._cache if "archive-page:" in k]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert Client().get(url)["X-Archive-Page"] == "kept"


def test_a_failed_write_of_a_kept_page_is_logged_not_raised(meeting, monkeypatch, caplog):
    from django.core.cache import caches
    from django.db import OperationalError

    def refuse(*args, **kwargs):
        raise OperationalError("the cache table is gone")

    monkeypatch.setattr(caches["default"], "set", refuse)
    response = Client().get(meeting.get_absolute_url())
    assert response.status_code == 200
    assert "not kept" in caplog.text
