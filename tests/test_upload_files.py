"""Uploaded files: rejected ones go to quarantine, housekeeping expires and deletes what is due,
orphans are removed, and staff download files only through an authenticated view."""

import datetime
import os
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from archive.models import ImportRecord, TranscriptUpload
from archive.upload_cleanup import cleanup

pytestmark = pytest.mark.django_db
Status = TranscriptUpload.Status
SMALL_PDF = "S_PV.8701_E.pdf"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def pdf(data_dir) -> bytes:
    return (data_dir / "unsc-2020-pires" / "pdf" / SMALL_PDF).read_bytes()


def _importer(client, *, download: bool = False) -> User:
    user = User.objects.create_user("importer", password="x", is_staff=True)
    codenames = ["import_transcript", "view_transcriptupload"]
    codenames += ["download_transcript"] if download else []
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return user


def _upload(client, name: str, data: bytes):
    return client.post(
        reverse("admin:archive_transcriptupload_upload"),
        {"files": [SimpleUploadedFile(name, data)]},
    )


def _files(root: Path, folder: str) -> list[str]:
    base = root / folder
    return sorted(p.name for p in base.rglob("*") if p.is_file()) if base.exists() else []


def test_a_rejected_file_is_kept_only_in_quarantine(client, media):
    _importer(client)
    _upload(client, "page.html", b"<html><script>alert(1)</script></html>" * 10)
    upload = TranscriptUpload.objects.get()
    assert upload.status == Status.FAILED and upload.quarantined_at is not None
    assert upload.file.name.startswith("quarantine/")
    assert _files(media, "transcripts") == [] and _files(media, "quarantine") == ["page.html"]
    assert ImportRecord.objects.get(action="failure").upload == upload


def test_a_kept_file_has_no_public_address_and_downloads_for_permitted_staff(client, media, pdf):
    user = _importer(client)
    _upload(client, SMALL_PDF, pdf)
    upload = TranscriptUpload.objects.get()
    url = reverse("admin:archive_transcriptupload_file", args=[upload.pk])
    assert client.get(url).status_code == 403  # importing is not downloading
    assert client.get(f"/media/{upload.file.name}").status_code == 404
    user.user_permissions.add(Permission.objects.get(codename="download_transcript"))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == pdf
    detail = client.get(reverse("admin:archive_transcriptupload_change", args=[upload.pk]))
    assert url in detail.content.decode()


def test_a_quarantined_html_file_downloads_as_bytes_never_as_a_page(client, media):
    _importer(client, download=True)
    _upload(client, "page.html", b"<html><script>alert(1)</script></html>" * 10)
    upload = TranscriptUpload.objects.get()
    response = client.get(reverse("admin:archive_transcriptupload_file", args=[upload.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert Client_anonymous_cannot_download(upload)


def Client_anonymous_cannot_download(upload) -> bool:  # noqa: N802
    from django.test import Client

    response = Client().get(reverse("admin:archive_transcriptupload_file", args=[upload.pk]))
    return response.status_code == 302 and "/login/" in response["Location"]


def test_pending_uploads_expire_and_old_quarantine_is_emptied(client, media, pdf, settings):
    _importer(client)
    _upload(client, SMALL_PDF, pdf)
    _upload(client, "notes.txt", b"\x00\x01 binary")
    pending = TranscriptUpload.objects.get(status=Status.PARSED)
    rejected = TranscriptUpload.objects.get(status=Status.FAILED)
    later = timezone.now() + datetime.timedelta(hours=settings.PENDING_UPLOAD_HOURS + 1)
    done = cleanup(now=later)
    assert done.expired == [SMALL_PDF]
    assert not TranscriptUpload.objects.filter(pk=pending.pk).exists()
    assert "Expired" in ImportRecord.objects.get(action="skip", source_name=SMALL_PDF).summary
    assert done.released == []  # quarantine keeps files for QUARANTINE_DAYS

    much_later = timezone.now() + datetime.timedelta(days=settings.QUARANTINE_DAYS + 1)
    assert cleanup(now=much_later, dry_run=True).released == ["notes.txt"]
    assert _files(media, "quarantine") == ["notes.txt"]  # a dry run changes nothing
    cleanup(now=much_later)
    rejected.refresh_from_db()
    assert not rejected.file and "deleted after" in rejected.message
    assert _files(media, "quarantine") == []


def test_orphan_files_are_deleted_once_an_hour_old(media):
    orphan = media / "transcripts" / "2026" / "01" / "killed.pdf"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"%PDF-1.7 left behind by a killed import")
    assert cleanup().orphans == []  # too fresh: maybe an upload in flight
    old = time.time() - 2 * 3600
    os.utime(orphan, (old, old))
    assert cleanup().orphans == ["transcripts/2026/01/killed.pdf"]
    assert not orphan.exists()


def test_a_lost_job_is_queued_again(client, media, pdf, settings):
    _importer(client)
    _upload(client, SMALL_PDF, pdf)
    upload = TranscriptUpload.objects.get()
    # As if a worker died while reading it long ago.
    TranscriptUpload.objects.filter(pk=upload.pk).update(
        status=Status.PARSING, parse_started_at=timezone.now() - datetime.timedelta(hours=1)
    )
    done = cleanup()
    assert done.requeued == [SMALL_PDF]
    upload.refresh_from_db()
    assert upload.status == Status.PARSED  # read again (the test backend runs jobs at once)


def test_bulk_discard_of_stale_uploads_keeps_imported_ones(client, media, pdf):
    _importer(client)
    _upload(client, SMALL_PDF, pdf)
    _upload(client, "other.pdf", pdf)
    first = TranscriptUpload.objects.get(original_name=SMALL_PDF)
    client.post(reverse("admin:archive_transcriptupload_confirm", args=[first.pk]))
    response = client.post(
        reverse("admin:archive_transcriptupload_changelist"),
        {
            "action": "discard_selected",
            "_selected_action": list(TranscriptUpload.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )
    text = response.content.decode()
    assert "Discarded 1 upload." in text and "1 imported upload kept" in text
    assert list(TranscriptUpload.objects.values_list("original_name", flat=True)) == [SMALL_PDF]


def test_cleanup_command_prints_what_it_did(media):
    from io import StringIO

    out = StringIO()
    call_command("cleanup_uploads", "--dry-run", stdout=out)
    assert out.getvalue().startswith("Would do: 0 pending uploads expired")


@pytest.mark.parametrize(
    ("size", "words"),
    [
        (1, "1 byte"),
        (812, "812 bytes"),
        (45_300, "45 kB"),
        (1_234_567, "1.2 MB"),
        (50_000_000, "50 MB"),
    ],
)
def test_sizes_are_in_plain_units(size, words):
    from archive.wording import format_size

    assert format_size(size) == words


def test_a_meeting_page_links_its_uploaded_file_for_staff_only(client, media, pdf):
    """The public reads the official document on undocs.org; the kept upload has no public
    address, so the public page must not link to one (a link that 404s)."""
    from archive.models import Meeting

    upload = TranscriptUpload.objects.create(
        file=SimpleUploadedFile(SMALL_PDF, pdf),
        original_name=SMALL_PDF,
        sha256="0" * 64,
        size=len(pdf),
        content_type="application/pdf",
        status=Status.IMPORTED,
    )
    meeting = Meeting.objects.create(
        symbol="S/PV.8701", meeting_number=8701, date=datetime.date(2020, 1, 9), upload=upload
    )
    public = client.get(meeting.get_absolute_url()).content.decode()
    assert "/media/" not in public and SMALL_PDF not in public
    assert "undocs.org" in public
    _importer(client, download=True)
    staff = client.get(meeting.get_absolute_url()).content.decode()
    assert reverse("admin:archive_transcriptupload_file", args=[upload.pk]) in staff
