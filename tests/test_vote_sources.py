"""Nothing silently overwritten: a record whose vote contradicts the archive changes nothing
without the importer's choice; the choice is recorded and its undoing restores the values.

The records are built by hand (ParsedMeeting), reading a vote the way a parser that splits
"and"-joined lists wrongly would: "United Kingdom of Great Britain and Northern Ireland and
United States of America" and "China and Russian Federation" as one member each, 12-0-1 where
the archive holds 13-0-2 (issue 10).
"""

import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.urls import reverse

from archive import curation
from archive.importing import import_meeting
from archive.models import Decision, Meeting, MemberVote, Resolution, Vote, VoteClaim
from archive.parsing import ParsedMeeting, ParsedMember, ParsedMentions, ParsedSpeech, ParsedVote
from archive.reference_data.reconcile import reconcile_votes
from archive.vote_sources import Choice
from tests.council_2020 import load_council_2020

pytestmark = pytest.mark.django_db

DATE = datetime.date(2020, 2, 12)
ELEVEN = [
    "Belgium",
    "Dominican Republic",
    "Estonia",
    "France",
    "Germany",
    "Indonesia",
    "Niger",
    "Saint Vincent and the Grenadines",
    "South Africa",
    "Tunisia",
    "Viet Nam",
]
JOINED_UK_US = "United Kingdom of Great Britain and Northern Ireland and United States of America"


@pytest.fixture
def archive():
    """Resolution 2510 (2020) as the archive holds it: 13-0-2 from the UN tables, each member's
    vote from the votes file (China and the Russian Federation abstaining), at S/PV.8999."""
    states = load_council_2020()
    meeting = Meeting.objects.create(symbol="S/PV.8999", meeting_number=8999, date=DATE)
    resolution = Resolution.objects.create(number=2510, year=2020, title="Libya")
    vote = Vote.objects.create(resolution=resolution, outcome=Vote.Outcome.ADOPTED)
    common = {"vote": vote, "outcome": Vote.Outcome.ADOPTED, "meeting": meeting, "date": DATE}
    VoteClaim.objects.create(
        source=VoteClaim.Source.UN_TABLES,
        key="resolution 2510",
        detail="resolutions.csv:2508",
        in_favour_count=13,
        against_count=0,
        abstaining_count=2,
        meeting_symbol="S/PV.8999",
        **common,
    )
    positions = {iso3: "in_favour" for iso3 in states if iso3 != "SYR"}
    positions.update(CHN="abstaining", RUS="abstaining")
    VoteClaim.objects.create(
        source=VoteClaim.Source.VOTES_FILE,
        key="event 1",
        detail="votes.csv:1-15",
        positions=positions,
        **common,
    )
    reconcile_votes()
    vote.refresh_from_db()
    assert vote.tally == "13-0-2" and vote.member_votes.count() == 15
    return vote


def misread_record() -> ParsedMeeting:
    speech = ParsedSpeech(
        sequence=1,
        attribution="The President",
        speaker="The President",
        speaker_title=None,
        country="Viet Nam",
        role="president",
        spoke_in=None,
        on_behalf_of=None,
        page=2,
        text="The draft resolution has been adopted as resolution 2510 (2020).",
        mentions=ParsedMentions(),
    )
    vote = ParsedVote(
        draft="S/2020/120",
        subject="draft resolution",
        in_favour=[*ELEVEN, JOINED_UK_US],
        against=[],
        abstaining=["China and Russian Federation"],
        not_participating=[],
        result="adopted",
        resolution="2510 (2020)",
        tally=None,
        after_speech=1,
    )
    return ParsedMeeting(
        symbol="S/PV.8999",
        meeting_number=8999,
        resumption=None,
        date=DATE,
        time="10:00",
        place="New York",
        president=None,
        members=[ParsedMember(country="Viet Nam", name="Mr. Dang")],
        agenda=["The situation in Libya"],
        invitations=[],
        speeches=[speech],
        procedure=[],
        votes=[vote],
        mentions=ParsedMentions(),
        page_count=2,
    )


def shown(vote: Vote) -> tuple:
    """Every value a reader sees of the vote and its resolution."""
    vote.refresh_from_db()
    vote.resolution.refresh_from_db()
    members = sorted(
        MemberVote.objects.filter(vote=vote).values_list(
            "member_state__iso3", "position", "is_veto"
        )
    )
    return (
        vote.outcome,
        vote.counts,
        vote.date,
        vote.meeting_id,
        tuple(members),
        vote.resolution.adopted_on,
        vote.resolution.meeting_id,
    )


# --------------------------------------------------------------------------- the service


def test_a_contradicting_record_changes_nothing_without_a_choice(archive):
    before = shown(archive)
    result = import_meeting(parsed=misread_record(), source="pdf")

    assert shown(archive) == before  # 13-0-2, all fifteen members' votes kept
    claim = archive.claims.get(source=VoteClaim.Source.RECORD)
    assert claim.standing == VoteClaim.Standing.PENDING
    assert claim.tally == "12-0-1" and claim.unmatched == [
        {"name": JOINED_UK_US, "position": "in_favour"},
        {"name": "China and Russian Federation", "position": "abstaining"},
    ]
    assert {"awaiting_review", "sources_differ"} <= set(archive.flags)
    assert [c.position for c in result.pending_votes] == [1]
    checks = {check.code: check for check in result.checks}
    assert "archive_tally_differs" in checks
    assert "12-0-1 in this record, 13-0-2 in the archive" in checks["archive_tally_differs"].message
    assert checks["archive_tally_differs"].speech == 1
    assert "awaits review" in result.summary
    assert not Decision.objects.exists()
    # A later run of the loaders' reconciliation keeps it so.
    reconcile_votes()
    assert shown(archive) == before


def test_taking_the_records_reading_is_recorded_and_undone_exactly(archive):
    importer = User.objects.create_user("importer")
    before = shown(archive)
    import_meeting(
        parsed=misread_record(), source="pdf", user=importer, vote_choices={1: Choice.RECORD}
    )
    archive.refresh_from_db()
    assert archive.tally == "12-0-1"
    assert archive.chosen_claim.source == VoteClaim.Source.RECORD
    assert "awaiting_review" not in archive.flags and "sources_differ" in archive.flags
    decision = Decision.objects.get(kind="vote_source")
    assert decision.user == importer and decision.target == f"vote:{archive.pk}"
    assert "S/PV.8999" in decision.summary
    # The loaders run again (a later start): the person's choice stands.
    reconcile_votes()
    assert shown(archive)[1] == (12, 0, 1)

    curation.undo(decision, user=importer)
    assert shown(archive) == before
    archive.refresh_from_db()
    assert archive.chosen_claim is None
    assert archive.claims.get(source="record").standing == VoteClaim.Standing.PENDING


def test_keeping_the_archives_values_sets_the_reading_aside(archive):
    before = shown(archive)
    import_meeting(parsed=misread_record(), source="pdf", vote_choices={1: Choice.ARCHIVE})
    assert shown(archive) == before
    claim = archive.claims.get(source="record")
    assert claim.standing == VoteClaim.Standing.SET_ASIDE
    archive.refresh_from_db()
    assert "awaiting_review" not in archive.flags and "sources_differ" in archive.flags
    decision = Decision.objects.get(kind="vote_source")
    curation.undo(decision, user=None)
    claim.refresh_from_db()
    assert claim.standing == VoteClaim.Standing.PENDING and shown(archive) == before


def test_a_reimport_reading_the_same_keeps_the_earlier_choice(archive):
    import_meeting(parsed=misread_record(), source="pdf", vote_choices={1: Choice.ARCHIVE})
    import_meeting(parsed=misread_record(), source="pdf", replace=True)
    assert archive.claims.get(source="record").standing == VoteClaim.Standing.SET_ASIDE
    assert Decision.objects.count() == 1


def test_a_record_agreeing_with_the_archive_needs_no_choice(archive):
    parsed = misread_record()
    parsed.votes[0].in_favour = [*ELEVEN, "United Kingdom of Great Britain and Northern Ireland"]
    parsed.votes[0].in_favour.append("United States of America")
    parsed.votes[0].abstaining = ["China", "Russian Federation"]
    result = import_meeting(parsed=parsed, source="pdf")
    assert result.vote_conflicts == [] and result.checks == []
    archive.refresh_from_db()
    assert archive.claims.get(source="record").standing == VoteClaim.Standing.COUNTED
    assert archive.source == VoteClaim.Source.RECORD  # the official record now gives the tally
    assert "sources_differ" not in archive.flags


# --------------------------------------------------------------------------- the command line


@pytest.fixture
def record_file(tmp_path, monkeypatch, settings):
    """A file the command "parses" as the misread record."""
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "S_PV.8999_E.txt"
    path.write_text("The record of S/PV.8999 (its parse is stubbed).\n")
    monkeypatch.setattr(
        "archive.management.commands.import_transcripts.parse_in_subprocess",
        lambda *args, **kwargs: misread_record(),
    )
    return path


def test_the_command_keeps_the_archives_values_and_prints_the_conflict(archive, record_file):
    before = shown(archive)
    out = StringIO()
    call_command("import_transcripts", str(record_file), stdout=out, stderr=StringIO())
    assert shown(archive) == before
    printed = out.getvalue()
    assert "Votes read differently from the archive" in printed
    assert "12-0-1 in this record, 13-0-2 in the archive" in printed
    assert "await review" in printed
    assert archive.claims.get(source="record").standing == VoteClaim.Standing.PENDING


def test_the_command_takes_the_records_reading_only_when_told(archive, record_file):
    call_command(
        "import_transcripts",
        str(record_file),
        take_record_votes=True,
        stdout=StringIO(),
        stderr=StringIO(),
    )
    archive.refresh_from_db()
    assert archive.tally == "12-0-1"
    decision = Decision.objects.get(kind="vote_source")
    assert decision.user is None and "import of" in decision.summary


# --------------------------------------------------------------------------- the admin preview


@pytest.fixture
def importer_client(client, tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    user = User.objects.create_user("importer", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="import_transcript"))
    client.force_login(user)
    monkeypatch.setattr(
        "archive.upload_jobs.parse_in_subprocess", lambda *args, **kwargs: misread_record()
    )
    return client


def _uploaded(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from archive.models import TranscriptUpload

    client.post(
        reverse("admin:archive_transcriptupload_upload"),
        {"files": [SimpleUploadedFile("S_PV.8999_E.txt", b"S/PV.8999 stub\n")]},
    )
    return TranscriptUpload.objects.get()


def test_the_preview_shows_both_readings_and_import_needs_a_choice(archive, importer_client):
    client = importer_client
    before = shown(archive)
    upload = _uploaded(client)
    preview = reverse("admin:archive_transcriptupload_preview", args=[upload.pk])
    html = client.get(preview).content.decode()
    assert "1 vote reads differently from the archive" in html
    assert "13-0-2" in html and "12-0-1" in html
    assert 'name="vote_choice_1" value="archive"' in html
    assert 'name="vote_choice_1" value="record"' in html

    confirm = reverse("admin:archive_transcriptupload_confirm", args=[upload.pk])
    response = client.post(confirm, follow=True)
    assert "choose, for each of them" in response.content.decode()
    upload.refresh_from_db()
    assert upload.status != "imported" and shown(archive) == before
    assert not VoteClaim.objects.filter(source="record").exists()

    client.post(confirm, {"vote_choice_1": "record"})
    upload.refresh_from_db()
    assert upload.status == "imported"
    archive.refresh_from_db()
    assert archive.tally == "12-0-1"
    decision = Decision.objects.get(kind="vote_source")
    assert decision.user.username == "importer" and "S_PV.8999_E.txt" in decision.summary
