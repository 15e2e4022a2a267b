"""The review queue's sections for imports with acknowledged errors and for votes the sources
disagree on: listed with counts, decided in one step, recorded, undone exactly; a later import
of the meeting closes an import's review; the admin home counts every section."""

import re

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from archive import curation, review
from archive.import_review import mark_reviewed
from archive.importing import import_meeting
from archive.models import Decision, ImportRecord, VoteClaim
from archive.parsing import parse_text
from archive.parsing.pdf import pdf_to_text
from archive.review import imports, vote_conflicts
from tests.council_2020 import load_council_2020
from tests.test_vote_sources import archive, misread_record, shown  # noqa: F401  fixture

pytestmark = pytest.mark.django_db

REVIEW_FIELDS = ["needs_review", "reviewed_at", "reviewed_by", "review_note"]


@pytest.fixture
def record_8701(data_dir) -> str:
    """The text of S/PV.8701, whose vote the President announces as 15-0-0."""
    return pdf_to_text((data_dir / "unsc-2020-pires" / "pdf" / "S_PV.8701_E.pdf").read_bytes())[0]


@pytest.fixture
def wrong_8701(record_8701) -> str:
    """The same record with the announcement contradicting the lists (an error check)."""
    return re.sub(r"received\s+15\s+votes", "received 14 votes", record_8701)


@pytest.fixture
def flagged(wrong_8701) -> ImportRecord:
    """S/PV.8701 imported with its one error check acknowledged."""
    load_council_2020()
    result = import_meeting(parsed=parse_text(wrong_8701), source="text", acknowledge_errors=True)
    assert result.record.needs_review
    return result.record


def _review_state(record: ImportRecord) -> dict:
    return ImportRecord.objects.filter(pk=record.pk).values(*REVIEW_FIELDS).get()


def _staff(client, *codenames) -> User:
    user = User.objects.create_user("curator", password="x", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return user


# --------------------------------------------------------------------------- imports


def test_an_acknowledged_import_waits_in_the_queue_with_its_errors(client, flagged):
    _staff(client, "import_transcript")
    assert imports.SECTION.count() == 1
    html = client.get(reverse("admin:review")).content.decode()
    assert "Imports with acknowledged errors (1)" in html
    assert "S/PV.8701" in html and "announced 14-0-0" in html
    assert reverse("admin:review_import_reviewed", args=[flagged.pk]) in html


def test_marking_reviewed_is_recorded_and_undo_reopens_exactly(client, flagged):
    user = _staff(client, "import_transcript")
    before = _review_state(flagged)
    response = client.post(
        reverse("admin:review_import_reviewed", args=[flagged.pk]),
        {"note": "checked the tally against the PDF", "next": "/admin/review/"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/review/"
    closed = ImportRecord.objects.get(pk=flagged.pk)
    assert not closed.needs_review and closed.reviewed_by == user and closed.reviewed_at
    assert closed.review_note == "Marked reviewed: checked the tally against the PDF"
    assert imports.SECTION.count() == 0
    decision = Decision.objects.get(kind="import_review")
    assert decision.user == user and "S/PV.8701" in decision.summary
    # A second click does nothing and says why.
    again = client.post(reverse("admin:review_import_reviewed", args=[flagged.pk]), follow=True)
    assert "already closed" in again.content.decode()
    assert Decision.objects.filter(kind="import_review").count() == 1

    client.post(reverse("admin:review_undo", args=[decision.pk]))
    assert _review_state(flagged) == before
    assert Decision.objects.get(pk=decision.pk).is_undone
    assert imports.SECTION.count() == 1


def test_a_later_import_of_the_meeting_closes_the_review(flagged, record_8701):
    decision = mark_reviewed(record=flagged, user=None)
    curation.undo(decision, user=None)  # open again
    result = import_meeting(parsed=parse_text(record_8701), source="text", replace=True)
    closed = ImportRecord.objects.get(pk=flagged.pk)
    assert not closed.needs_review and closed.reviewed_at
    assert closed.review_note.startswith("Closed by a later import of S/PV.8701")
    assert not result.record.needs_review and imports.SECTION.count() == 0
    # Closed by the import, the person's undone decision cannot reopen anything now.
    with pytest.raises(curation.CannotUndo):
        curation.undo(mark_reviewed_decision_of(flagged), user=None)


def mark_reviewed_decision_of(record: ImportRecord) -> Decision:
    """A fresh decision stands for an earlier closing that a re-import superseded."""
    ImportRecord.objects.filter(pk=record.pk).update(
        needs_review=True, reviewed_at=None, reviewed_by=None, review_note=""
    )
    decision = mark_reviewed(record=record, user=None)
    ImportRecord.objects.filter(pk=record.pk).update(review_note="Closed by a later import")
    return decision


def test_only_importers_may_mark_imports_reviewed(client, flagged):
    _staff(client, "view_importrecord")
    url = reverse("admin:review_import_reviewed", args=[flagged.pk])
    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405
    assert _review_state(flagged)["needs_review"]


# --------------------------------------------------------------------------- vote conflicts


def test_a_vote_conflict_is_listed_with_both_readings(client, archive):  # noqa: F811
    import_meeting(parsed=misread_record(), source="pdf")
    _staff(client, "change_vote")
    (row,) = vote_conflicts.SECTION.rows(None)
    assert {d.label: (d.archive, d.record) for d in row.differences}["Tally"] == (
        "13-0-2",
        "12-0-1",
    )
    html = client.get(reverse("admin:review")).content.decode()
    assert "Votes the sources disagree on (1)" in html and "12-0-1" in html and "13-0-2" in html


def test_choosing_the_records_reading_is_recorded_and_undone_exactly(client, archive):  # noqa: F811
    import_meeting(parsed=misread_record(), source="pdf")
    user = _staff(client, "change_vote")
    before = shown(archive)
    claim = archive.claims.get(source=VoteClaim.Source.RECORD)
    url = reverse("admin:review_choose_vote", args=[claim.pk])
    assert client.post(url, {"take": "record"}).status_code == 302
    assert shown(archive)[1] == (12, 0, 1)
    decision = Decision.objects.get(kind="vote_source")
    assert decision.user == user and "review queue" in decision.summary
    assert vote_conflicts.SECTION.count() == 0
    # Decided: a second choice is refused, not applied twice.
    client.post(url, {"take": "archive"})
    assert Decision.objects.filter(kind="vote_source").count() == 1

    client.post(reverse("admin:review_undo", args=[decision.pk]))
    assert shown(archive) == before
    assert VoteClaim.objects.get(pk=claim.pk).standing == VoteClaim.Standing.PENDING


def test_keeping_the_archives_values_sets_the_reading_aside(client, archive):  # noqa: F811
    import_meeting(parsed=misread_record(), source="pdf")
    _staff(client, "change_vote")
    before = shown(archive)
    claim = archive.claims.get(source=VoteClaim.Source.RECORD)
    client.post(reverse("admin:review_choose_vote", args=[claim.pk]), {"take": "archive"})
    assert shown(archive) == before
    assert VoteClaim.objects.get(pk=claim.pk).standing == VoteClaim.Standing.SET_ASIDE
    assert vote_conflicts.SECTION.count() == 0


def test_choosing_needs_the_permission(client, archive):  # noqa: F811
    import_meeting(parsed=misread_record(), source="pdf")
    _staff(client, "import_transcript")
    claim = archive.claims.get(source=VoteClaim.Source.RECORD)
    response = client.post(reverse("admin:review_choose_vote", args=[claim.pk]), {"take": "record"})
    assert response.status_code == 403
    assert VoteClaim.objects.get(pk=claim.pk).standing == VoteClaim.Standing.PENDING
    html = client.get(reverse("admin:review")).content.decode()
    assert "Votes the sources disagree on" not in html


# --------------------------------------------------------------------------- the admin home


def test_the_admin_home_counts_every_section(client, archive, wrong_8701):  # noqa: F811  fixture
    import_meeting(parsed=misread_record(), source="pdf")  # a vote conflict
    import_meeting(parsed=parse_text(wrong_8701), source="text", acknowledge_errors=True)
    admin = User.objects.create_superuser("chief", password="x")
    client.force_login(admin)
    counts = {section.slug: section.count() for section in review.sections_for(admin)}
    assert {"imports", "printed-names", "person-merges", "vote-conflicts"} <= set(counts)
    assert counts["imports"] == 1 and counts["vote-conflicts"] == 1
    html = client.get(reverse("admin:index")).content.decode()
    assert f"Needs review ({sum(counts.values())})" in html
