"""Shared fixtures of the research tests: real statements, imported once per test module.

Committed, so that every test of the module sees them from its own transaction, and removed
when the module ends.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from django.db import connection

from archive.corpus import import_corpus, open_corpus
from archive.importing import import_meeting
from archive.models import Meeting, Speech
from archive.parsing import parse_document
from tests.test_corpus import csv_rows, write_csv

# Real 2020 documents: the sexual violence debates (letters of the videoconference period),
# Middle East and protection of civilians meetings; and S/PV.10100 of 2026 for a second year.
DOCUMENTS = {"S/2020/594", "S/2020/465", "S/PV.8741", "S/PV.8756", "S/PV.8721", "S/PV.8755"}
SPV_10100 = "un-verbatim-records-eras/security-council/S_PV.10100_E.pdf"


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker, data_dir):
    """About 200 real statements of 2020 and the two of S/PV.10100 (2026), committed once for
    the module (importing them costs seconds) and removed at its end."""
    from archive import reference_data
    from archive.names import NameResolver

    with django_db_blocker.unblock():
        reference_data.load_member_states(data_dir=data_dir)
        reference_data.load_affiliations_and_aliases(data_dir=data_dir)
        reference_data.load_council_terms(data_dir=data_dir, resolver=NameResolver.load())
        with tempfile.TemporaryDirectory() as folder:
            rows = csv_rows(data_dir, DOCUMENTS)
            import_corpus(reader=open_corpus(write_csv(Path(folder) / "speeches.csv", rows)))
        path = data_dir / SPV_10100
        parsed = parse_document(path.read_bytes(), filename=path.name)
        import_meeting(parsed=parsed, source=Meeting.Source.PDF)
        count = Speech.objects.count()
    yield count
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE archive_speech, archive_meeting, archive_speaker, archive_agendaitem,"
            " archive_importrecord, archive_councilterm, archive_namealias, archive_affiliation,"
            " archive_memberstate, archive_resolution CASCADE"
        )


@pytest.fixture
def statements(corpus, db):
    """The module's statements, seen from a test's transaction (rolled back after it)."""
    return corpus
