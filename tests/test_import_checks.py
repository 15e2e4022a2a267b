"""A record whose parse found errors is imported only with an explicit acknowledgement, is then
marked for review, and the acknowledgement is on the curation log: in the service, the admin
preview and the command line. Other organs' resolutions are stored as documents."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from archive.importing import ChecksNotAcknowledged, import_meeting
from archive.models import Decision, ImportRecord, Meeting, Mention, Resolution, TranscriptUpload
from archive.parsing import parse_text
from archive.parsing.pdf import pdf_to_text
from tests.council_2020 import load_council_2020

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def record_8701(data_dir) -> str:
    """The text of S/PV.8701 (the unanimous adoption of resolution 2505 (2020))."""
    return pdf_to_text((data_dir / "unsc-2020-pires" / "pdf" / "S_PV.8701_E.pdf").read_bytes())[0]


@pytest.fixture
def wrong_8701(record_8701) -> str:
    """The same record with the announcement contradicting the lists (15 listed, 14 announced)."""
    text = re.sub(r"received\s+15\s+votes", "received 14 votes", record_8701)
    assert text != record_8701
    return text


@pytest.fixture
def importer(client):
    user = User.objects.create_user("importer", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="import_transcript"))
    client.force_login(user)
    return user


def test_a_record_with_errors_is_refused_without_acknowledgement(wrong_8701):
    load_council_2020()
    parsed = parse_text(wrong_8701)
    assert [c.code for c in parsed.checks if c.severity == "error"] == ["vote_tally_mismatch"]
    with pytest.raises(ChecksNotAcknowledged) as info:
        import_meeting(parsed=parsed, source="text")
    assert "15-0-0" in info.value.message and "14-0-0" in info.value.message
    assert "acknowledg" in info.value.message
    assert not Meeting.objects.exists() and not ImportRecord.objects.exists()


def test_acknowledged_errors_import_for_review_and_are_recorded(wrong_8701):
    load_council_2020()
    user = User.objects.create_user("editor")
    result = import_meeting(
        parsed=parse_text(wrong_8701), source="text", user=user, acknowledge_errors=True
    )
    record = result.record
    assert record.needs_review is True
    assert [c["code"] for c in record.checks] == ["vote_tally_mismatch"]
    assert record.checks[0]["severity"] == "error" and record.checks[0]["page"] == 2
    decision = Decision.objects.get(kind="import_acknowledged")
    assert decision.user == user
    assert decision.target == f"importrecord:{record.pk}"
    assert decision.after["symbol"] == "S/PV.8701"
    assert [c["code"] for c in decision.after["errors"]] == ["vote_tally_mismatch"]
    assert "marked for review" in decision.summary


def test_a_clean_record_is_not_marked(record_8701):
    load_council_2020()
    result = import_meeting(parsed=parse_text(record_8701), source="text")
    assert result.record.needs_review is False
    assert result.record.checks == []
    assert not Decision.objects.exists()


def test_general_assembly_resolutions_are_stored_as_documents(record_8701):
    load_council_2020()
    held = Resolution.objects.create(number=1514, year=2003)
    text = re.sub(
        r"The Council is ready\s+to proceed",
        "Recalling General Assembly resolution 51/223 and resolution 1514 (XV), the Council is "
        "ready to proceed",
        record_8701,
    )
    assert "51/223" in text
    import_meeting(parsed=parse_text(text), source="text")
    mentions = {m.symbol: m for m in Mention.objects.all()}
    for symbol in ("A/RES/51/223", "A/RES/1514 (XV)"):
        assert (mentions[symbol].kind, mentions[symbol].resolution) == (Mention.Kind.DOCUMENT, None)
    assert not Mention.objects.filter(resolution=held).exists()
    assert not Resolution.objects.filter(number__in=(51, 223)).exists()


# --------------------------------------------------------------------------- the admin


def _upload(client, name: str, text: str) -> TranscriptUpload:
    client.post(
        reverse("admin:archive_transcriptupload_upload"),
        {"files": [SimpleUploadedFile(name, text.encode())]},
    )
    return TranscriptUpload.objects.get(original_name=name)


def test_preview_shows_the_checks_and_a_checkbox_naming_the_errors(client, importer, wrong_8701):
    load_council_2020()
    item = _upload(client, "S_PV.8701.txt", wrong_8701)
    assert "1 error check to acknowledge" in item.message
    html = client.get(
        reverse("admin:archive_transcriptupload_preview", args=[item.pk])
    ).content.decode()
    assert 'id="checks"' in html
    assert (
        "the lists give 15-0-0 (in favour-against-abstaining) but the President announced 14-0-0"
        in html
    )
    assert 'name="acknowledge_errors"' in html
    assert "The parser found 1 error that would import facts wrong" in html


def test_confirm_needs_the_acknowledgement(client, importer, wrong_8701):
    load_council_2020()
    item = _upload(client, "S_PV.8701.txt", wrong_8701)
    confirm = reverse("admin:archive_transcriptupload_confirm", args=[item.pk])
    response = client.post(confirm, follow=True)
    assert "The parser found 1 error in this record" in response.content.decode()
    assert not Meeting.objects.filter(symbol="S/PV.8701").exists()
    item.refresh_from_db()
    assert item.status == TranscriptUpload.Status.PARSED

    response = client.post(confirm, {"acknowledge_errors": "1"}, follow=True)
    assert "It is marked for review" in response.content.decode()
    record = ImportRecord.objects.get(action=ImportRecord.Action.IMPORT)
    assert record.needs_review and record.user == importer
    assert Decision.objects.get(kind="import_acknowledged").user == importer


# --------------------------------------------------------------------------- the command line


def test_command_line_needs_acknowledge_errors(tmp_path, wrong_8701):
    load_council_2020()
    path = tmp_path / "S_PV.8701.txt"
    path.write_text(wrong_8701, encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_transcripts", str(path), stdout=out, stderr=StringIO())
    assert "The parser found 1 error in this record" in out.getvalue()
    assert not Meeting.objects.filter(symbol="S/PV.8701").exists()

    out = StringIO()
    call_command(
        "import_transcripts", str(path), "--acknowledge-errors", stdout=out, stderr=StringIO()
    )
    assert (
        "Marked for review: S_PV.8701.txt: S/PV.8701, 1 error check acknowledged" in out.getvalue()
    )
    assert ImportRecord.objects.get(symbol="S/PV.8701", action="import").needs_review


def test_the_audit_lists_imports_awaiting_review(wrong_8701):
    from archive.audit import run_checks

    load_council_2020()
    import_meeting(parsed=parse_text(wrong_8701), source="text", acknowledge_errors=True)
    (finding,) = [f for f in run_checks({"imports"}) if f.code == "imported_with_errors"]
    assert "S/PV.8701" in finding.message and "vote_tally_mismatch" in finding.message
    assert not finding.is_explained
