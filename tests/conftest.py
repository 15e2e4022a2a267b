"""Shared fixtures: the real data folder and small factories."""

from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared real data (../shared/data), skipping cleanly where it is absent."""
    path = Path(settings.COUNCIL_ARCHIVE_DATA)
    if not path.is_dir():
        pytest.skip(f"real data folder not found at {path} (set COUNCIL_ARCHIVE_DATA)")
    return path


# --------------------------------------------------------------------------- reference data
# Loading the real reference tables takes ~10 s, so it happens once per session, committed to
# the test database, and the tests that use it run last (see pytest_collection_modifyitems) so
# that tests expecting empty tables never see it. The tables are emptied again at session end.


@pytest.fixture(scope="session")
def reference_db(django_db_setup, django_db_blocker, data_dir):
    """The real reference data (member states ... vetoes), loaded once; returns the results."""
    from archive.reference_data import load_reference_data

    with django_db_blocker.unblock():
        results = load_reference_data(data_dir=data_dir)
    yield results
    with django_db_blocker.unblock():
        _empty_reference_tables()


def _empty_reference_tables() -> None:
    from django.db import connection

    from archive.models import (
        Affiliation,
        AgendaItem,
        CouncilTerm,
        Meeting,
        MemberState,
        MemberVote,
        NameAlias,
        Resolution,
        Vote,
        VoteClaim,
    )

    models = [VoteClaim, MemberVote, Vote, Resolution, Meeting, AgendaItem, CouncilTerm, NameAlias]
    models += [Affiliation, MemberState]
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")


def pytest_collection_modifyitems(config, items):
    """Run the tests that use the committed reference data after all the others."""
    uses = [item for item in items if "reference_db" in getattr(item, "fixturenames", ())]
    if uses:
        used = set(uses)
        others = [item for item in items if item not in used]
        items[:] = others + uses


@pytest.fixture(scope="session", autouse=True)
def _no_stray_test_db_sessions(django_db_setup, django_db_blocker):
    """Close sessions that threads (live server, concurrency tests) left open, so that the
    test database can be dropped at the end of the run."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _per_test_memory_cache(settings, request):
    """Each test gets an empty in-memory cache; the shared database cache is for serving."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }
