"""Web workers start warm: gunicorn loads and warms the app once, before forking (issue 15.10)."""

from __future__ import annotations

import datetime
import runpy
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import Client

from archive import warmup
from archive.models import Meeting, MemberState, Resolution, Speech
from tests.test_page_cache import page_cache  # noqa: F401 - the page cache on, as there

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def archive():
    usa = MemberState.objects.create(name="United States of America", iso3="USA", iso2="US")
    meeting = Meeting.objects.create(
        symbol="S/PV.8700", meeting_number=8700, date=datetime.date(2020, 1, 30)
    )
    Speech.objects.create(
        meeting=meeting,
        sequence=1,
        speaker_name="Mrs. Craft",
        member_state=usa,
        role="member",
        text="A ceasefire now.",
    )
    Resolution.objects.create(number=2510, year=2020, title="Libya")
    Meeting.objects.filter(pk=meeting.pk).update(speech_count=1)  # as the import service does
    return meeting


@pytest.fixture
def kept_connections(monkeypatch):
    """Inside a test's transaction the connection must stay open: count the closes instead."""
    closed = []
    monkeypatch.setattr(warmup.connections, "close_all", lambda: closed.append(True))
    return closed


def _kept_pages() -> list[str]:
    return [key for key in caches["default"]._cache if "archive-page:" in key]


def test_warm_up_renders_each_kind_of_page_and_keeps_none(archive, kept_connections):
    statuses = warmup.warm_up()
    assert statuses, "no page was rendered"
    assert set(statuses.values()) == {200}
    assert {"/", archive.get_absolute_url(), "/states/usa/", "/resolutions/2510/2020/"} <= set(
        statuses
    )
    assert any(path.startswith("/search/") for path in statuses)
    assert _kept_pages() == []
    assert kept_connections == [True]  # forked workers never share its connections


def test_an_ordinary_visit_is_still_kept(archive):
    Client().get(archive.get_absolute_url())
    assert len(_kept_pages()) == 1


def test_no_header_can_pass_for_a_warm_up(archive):
    # HTTP headers arrive as HTTP_* keys: the warm-up's environ key cannot be sent.
    Client().get(archive.get_absolute_url(), headers={"archive.warm_up": "1"})
    assert len(_kept_pages()) == 1


def test_warm_up_on_an_empty_archive(kept_connections):
    assert set(warmup.warm_up().values()) == {200}


def test_a_failing_warm_up_never_stops_the_server(monkeypatch, kept_connections):
    def broken():
        raise RuntimeError("database gone")

    monkeypatch.setattr(warmup, "warm_up_paths", broken)
    assert warmup.warm_up() == {}
    assert kept_connections == [True]


def test_gunicorn_preloads_and_warms_before_forking(monkeypatch):
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["preload_app"] is True
    called = []
    monkeypatch.setattr(warmup, "warm_up", lambda: called.append(True) or {"/": 200})

    class Server:
        class log:
            @staticmethod
            def info(*args):
                pass

    import gc

    try:
        config["when_ready"](Server())
        assert called == [True]
        # What the master holds when it forks is out of the collector's generations.
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
