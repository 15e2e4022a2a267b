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
    """Run the tests that use the committed reference data after all the others, and those
    that use the whole demo archive (reference data, PDFs, corpus) last of all."""

    def uses(item, name):
        return name in getattr(item, "fixturenames", ())

    demo = [item for item in items if uses(item, "demo_archive")]
    reference = [item for item in items if uses(item, "reference_db") and item not in demo]
    if demo or reference:
        late = set(demo) | set(reference)
        items[:] = [item for item in items if item not in late] + reference + demo


@pytest.fixture(scope="session")
def demo_archive(reference_db, django_db_blocker, data_dir):
    """What ``make run`` serves: the reference data, the ten official PDFs and the 2020 corpus,
    loaded once and committed (the tests using it run last); emptied again at session end."""
    import time

    from django.core.management import call_command

    from archive.topics.rules import assign_topics, seed_topics

    started = time.perf_counter()
    with django_db_blocker.unblock():
        # Seeded by a migration; a transactional test's flush may have emptied the tables.
        seed_topics()
        assign_topics()
        call_command("import_transcripts", str(data_dir / "unsc-2020-pires" / "pdf"), verbosity=0)
        call_command(
            "import_corpus", str(data_dir / "unsc-2020-pires" / "speeches_2020.csv"), verbosity=0
        )
    yield {"seconds": time.perf_counter() - started}
    with django_db_blocker.unblock():
        _empty_demo_tables()


def _empty_demo_tables() -> None:
    from django.db import connection

    from archive.models import (
        Decision,
        ImportRecord,
        Person,
        PersonMergeProposal,
        Speaker,
        Speech,
        TranscriptUpload,
    )

    models = [Speech, PersonMergeProposal, Speaker, Person, Decision, ImportRecord]
    models.append(TranscriptUpload)
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")


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
    # Tests change rows without committing (so without a new archive version): a rendered page
    # kept from earlier in the same test would hide the change. tests/test_page_cache.py turns
    # the page cache on where it is the subject.
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _fresh_per_version_values():
    """Values kept per archive version (topics, holdings, suggestions) are rebuilt per test:
    a test's rolled-back writes never change the version they are keyed on."""
    from archive import filter_options

    filter_options.clear_caches()
    yield
    filter_options.clear_caches()


@pytest.fixture
def uncached_validators(settings):
    """Read the archive's state on every request, so a committed change shows at once."""
    from archive.middleware import clear_validator_cache

    settings.ARCHIVE_STATE_CACHE_SECONDS = 0
    clear_validator_cache()
    yield
    clear_validator_cache()
