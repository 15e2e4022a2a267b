"""HTTP caching of the public pages: validators, 304s, shared-cache headers, never for staff."""

import datetime

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils.http import http_date

from archive.models import ArchiveState, ImportRecord, Meeting, MemberState, Speech

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uncached_validators")]


@pytest.fixture
def public_urls():
    """A few public pages that exist."""
    state = MemberState.objects.create(name="France", iso3="FRA", iso2="FR")
    meeting = Meeting.objects.create(
        symbol="S/PV.8700", meeting_number=8700, date=datetime.date(2020, 1, 30)
    )
    return [reverse("archive:home"), meeting.get_absolute_url(), state.get_absolute_url()]


@pytest.fixture
def staff_client(client, django_user_model):
    """A client signed in as a staff member."""
    user = django_user_model.objects.create_user("clerk", password="x-long-password", is_staff=True)
    client.force_login(user)
    return client


def directives(response) -> set[str]:
    """The Cache-Control directives of a response, as a set."""
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}


def test_public_pages_carry_validators_and_shared_cache_headers(client, public_urls):
    for url in public_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["ETag"].startswith('W/"'), url
        assert response.headers["Last-Modified"].endswith("GMT"), url
        assert {"public", "max-age=60", "s-maxage=300"} <= directives(response), url
        assert "Cookie" in response.headers["Vary"], url


def test_every_public_page_shares_the_archive_wide_validator(client, public_urls):
    etags = {client.get(url).headers["ETag"] for url in public_urls}
    assert len(etags) == 1


def test_if_none_match_answers_304_with_one_query_and_no_view(
    client, public_urls, django_assert_num_queries
):
    url = public_urls[1]
    etag = client.get(url).headers["ETag"]
    # One primary-key read of ArchiveState; the meeting page itself is never built.
    with django_assert_num_queries(1):
        response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["ETag"] == etag
    assert "public" in directives(response)


def test_head_is_answered_like_get(client, public_urls):
    url = public_urls[1]
    etag = client.get(url).headers["ETag"]
    head = client.head(url)
    assert head.status_code == 200
    assert head.headers["ETag"] == etag
    assert client.head(url, headers={"If-None-Match": etag}).status_code == 304


def test_a_different_etag_gets_the_full_page(client, public_urls):
    response = client.get(public_urls[0], headers={"If-None-Match": 'W/"something-else"'})
    assert response.status_code == 200
    assert response.content


def test_if_modified_since(client, public_urls):
    url = public_urls[0]
    last_modified = client.get(url).headers["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    changed_at = ArchiveState.objects.get().changed_at
    earlier = http_date((changed_at - datetime.timedelta(hours=1)).timestamp())
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_new_import_changes_the_validator(client):
    home = reverse("archive:home")
    before = client.get(home)
    # An import is a committed transaction; the database bumps ArchiveState at COMMIT.
    with transaction.atomic():
        meeting = Meeting.objects.create(
            symbol="S/PV.8701", meeting_number=8701, date=datetime.date(2020, 2, 3)
        )
        Speech.objects.create(
            meeting=meeting,
            sequence=1,
            attribution="The President",
            role="president",
            text="I declare the meeting open.",
        )
        ImportRecord.objects.create(
            action=ImportRecord.Action.IMPORT, source_name="test", symbol=meeting.symbol
        )
    after = client.get(home, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert client.get(home, headers={"If-None-Match": after.headers["ETag"]}).status_code == 304


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_leaves_the_validator_alone(client):
    home = reverse("archive:home")
    before = client.get(home).headers["ETag"]
    with pytest.raises(RuntimeError), transaction.atomic():
        Meeting.objects.create(symbol="S/PV.8702", meeting_number=8702)
        raise RuntimeError("import failed half-way")
    assert client.get(home).headers["ETag"] == before


def test_admin_pages_are_never_stored(staff_client):
    anonymous = Client().get(reverse("admin:login"))
    assert {"private", "no-store"} <= directives(anonymous)
    assert "ETag" not in anonymous.headers
    assert {"private", "no-store"} <= directives(staff_client.get(reverse("admin:index")))


def test_signed_in_staff_are_never_cached_publicly(staff_client, public_urls):
    response = staff_client.get(public_urls[1])
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)
    assert "public" not in directives(response)
    assert "ETag" not in response.headers


def test_staff_never_get_a_304_for_a_public_etag(staff_client, public_urls):
    url = public_urls[0]
    etag = Client().get(url).headers["ETag"]
    assert staff_client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_a_post_pins_the_sender_past_caches_for_a_while(client, settings, public_urls):
    response = client.post(reverse("admin:login"), {"username": "nobody", "password": "wrong"})
    cookie = response.cookies[settings.READ_YOUR_WRITES_COOKIE]
    assert int(cookie["max-age"]) == settings.READ_YOUR_WRITES_SECONDS
    assert {"private", "no-store"} <= directives(response)
    # The test client sends the cookie back: the next public page is fresh and private.
    assert {"private", "no-store"} <= directives(client.get(public_urls[0]))


def test_missing_pages_are_not_marked_cacheable(client):
    response = client.get(reverse("archive:speech", args=[987654321]))
    assert response.status_code == 404
    assert "public" not in directives(response)


# Tables that public pages never show. Login failures in particular are written by anonymous
# requests: if they bumped ArchiveState, anyone could empty every cache by failing to log in.
UNTRACKED_TABLES = {"archive_archivestate"}


def test_every_archive_table_bumps_the_archive_state():
    tables = {
        model._meta.db_table
        for model in apps.get_app_config("archive").get_models(include_auto_created=True)
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'archive_note_change'"
        )
        tracked = {row[0] for row in cursor.fetchall()}
    missing = sorted(tables - tracked - UNTRACKED_TABLES)
    assert not missing, (
        f"tables without the ArchiveState trigger: {missing}; add to their migration "
        "migrations.RunSQL(\"SELECT archive_track_changes('<table>')\", migrations.RunSQL.noop)"
    )
    assert not tracked & UNTRACKED_TABLES


# --------------------------------------------------------------------------- forged cookies


@pytest.mark.parametrize(
    "cookies",
    [
        {"archive_fresh": "1"},  # the old, unsigned form: anyone can send it
        {"archive_fresh": "1:forged:signature"},
        {"sessionid": "x"},
        {"sessionid": "abcdefghijklmnopqrstuvwxyz012345"},  # well-formed, no such session
        {"sessionid": "garbage", "archive_fresh": "1", "csrftoken": "whatever"},
    ],
    ids=["fresh", "fresh-forged", "short-session", "unknown-session", "all"],
)
def test_forged_cookies_change_neither_caching_nor_routing(public_urls, cookies):
    from archive import middleware

    seen = []
    real = middleware.db_router.choose_replica

    def spy():
        seen.append("replica")
        return real()

    anonymous = Client().get(public_urls[1])
    client = Client()
    for name, value in cookies.items():
        client.cookies[name] = value
    middleware.db_router.choose_replica = spy
    try:
        response = client.get(public_urls[1])
    finally:
        middleware.db_router.choose_replica = real
    assert response.status_code == 200
    assert seen == ["replica"]  # routed as anonymous, not to the primary
    assert directives(response) == directives(anonymous)
    assert "public" in directives(response)
    assert response.headers["ETag"] == anonymous.headers["ETag"]
    assert not response.cookies  # no Set-Cookie: a shared cache may keep this page


def test_an_expired_fresh_cookie_no_longer_pins(client, settings, public_urls):
    client.post(reverse("admin:login"), {"username": "nobody", "password": "wrong"})
    assert {"private", "no-store"} <= directives(client.get(public_urls[0]))
    settings.READ_YOUR_WRITES_SECONDS = -1  # the signed cookie's time is up
    assert "public" in directives(client.get(public_urls[0]))
