"""Uploads are read off the request: queued, shown in progress, read by a real worker, never
more than TRANSCRIPT_PARSE_JOBS at once; re-parsing goes through the one replace path."""

import os
import subprocess
import sys
import threading
import time
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.urls import reverse

from archive import upload_jobs
from archive.importing import import_meeting
from archive.models import ImportRecord, Meeting, Speech, TranscriptUpload
from archive.reparse import reparse, stored_records
from tests.council_2020 import load_council_2020

ROOT = Path(__file__).resolve().parent.parent
Status = TranscriptUpload.Status
SMALL_PDF = "S_PV.8701_E.pdf"
DB_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "transcripts"],
    }
}
DUMMY_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "QUEUES": ["default", "transcripts"],
    }
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def pdf_bytes(data_dir):
    return lambda name=SMALL_PDF: (data_dir / "unsc-2020-pires" / "pdf" / name).read_bytes()


@pytest.fixture
def importer(client, db):
    user = User.objects.create_user("importer", password="x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["import_transcript", "view_transcriptupload"])
    )
    client.force_login(user)
    return user


def _upload(client, *files):
    return client.post(
        reverse("admin:archive_transcriptupload_upload"),
        {"files": [SimpleUploadedFile(name, data) for name, data in files]},
    )


# --------------------------------------------------------------------------- progress


@pytest.mark.django_db
def test_the_request_only_queues_and_the_preview_shows_progress(
    client, importer, pdf_bytes, settings
):
    settings.TASKS = DUMMY_TASKS  # jobs are stored, not run: the worker is elsewhere
    response = _upload(client, (SMALL_PDF, pdf_bytes()), ("second.pdf", pdf_bytes()))
    assert response.status_code == 302
    uploads = list(TranscriptUpload.objects.order_by("pk"))
    assert [u.status for u in uploads] == [Status.QUEUED, Status.QUEUED]
    assert all(u.task_id for u in uploads)
    progress = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in progress
    assert "Waiting for a free reader." in progress and "Waiting: 1 file ahead." in progress
    preview = client.get(
        reverse("admin:archive_transcriptupload_preview", args=[uploads[0].pk])
    ).content.decode()
    assert "Waiting to be read" in preview and 'http-equiv="refresh"' in preview
    assert "Confirm import" not in preview
    # A worker takes it: the preview then says for how long it has been read.
    TranscriptUpload.objects.filter(pk=uploads[0].pk).update(
        status=Status.PARSING, parse_started_at=uploads[0].queued_at
    )
    preview = client.get(
        reverse("admin:archive_transcriptupload_preview", args=[uploads[0].pk])
    ).content.decode()
    assert "Being read for" in preview


@pytest.mark.django_db
def test_a_read_upload_keeps_its_parse_and_messages_use_plain_words(client, importer, pdf_bytes):
    load_council_2020()
    _upload(client, ("document_8422.pdf", pdf_bytes()))
    upload = TranscriptUpload.objects.get()
    assert upload.status == Status.PARSED and upload.parsed and upload.parsed_at
    assert upload.message == "Read as S/PV.8701: 2 speeches, 1 vote; waiting for confirmation."
    html = client.get(
        reverse("admin:archive_transcriptupload_preview", args=[upload.pk])
    ).content.decode()
    assert "document_8422.pdf" in html and "Document_8422.pdf" not in html
    assert "kB" in html and "KB" not in html
    response = client.post(
        reverse("admin:archive_transcriptupload_confirm", args=[upload.pk]), follow=True
    )
    text = response.content.decode()
    assert "Imported S/PV.8701: 2 speeches, 1 vote, " in text and "1 votes" not in text


@pytest.mark.django_db
def test_the_admin_uses_plain_plurals(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "Speeches" in html and "Speechs" not in html
    assert "Upload transcripts" in html and "Needs review (" in html
    assert html.index("Upload transcripts") < html.index("Speeches")


# --------------------------------------------------------------------------- the parse slots


@pytest.mark.django_db(transaction=True)
def test_no_more_parses_at_once_than_the_setting_allows(settings):
    settings.TRANSCRIPT_PARSE_JOBS = 2
    held = threading.Event()
    release = threading.Event()
    entered = []

    def hold_slot():
        with upload_jobs.parse_slot() as slot:
            entered.append(slot)
            if len(entered) == 2:
                held.set()
            release.wait(10)
        connections.close_all()

    threads = [threading.Thread(target=hold_slot) for _ in range(2)]
    for thread in threads:
        thread.start()
    assert held.wait(10)
    third = []
    waiter = threading.Thread(
        target=lambda: (third.append(upload_jobs.parse_slot().__enter__()), connections.close_all())
    )
    started = time.monotonic()
    waiter.start()
    waiter.join(1.5)
    assert waiter.is_alive() and not third  # both slots taken: the third job waits
    release.set()
    waiter.join(10)
    assert third and time.monotonic() - started >= 1.5
    for thread in threads:
        thread.join()
    assert sorted(entered) == [0, 1]


# --------------------------------------------------------------------------- a real worker


def _worker_env(tmp_path) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "archive.settings",  # the real task backend: the database
        "DEBUG": "1",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    name = connection.settings_dict["NAME"]
    if env.get("DATABASE_URL"):
        env["DATABASE_URL"] = urlunsplit(urlsplit(env["DATABASE_URL"])._replace(path="/" + name))
    else:
        env["COUNCIL_ARCHIVE_DB_NAME"] = name
    return env


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_reads_queued_uploads(client, importer, pdf_bytes, settings, tmp_path):
    settings.TASKS = DB_TASKS
    response = _upload(client, (SMALL_PDF, pdf_bytes()), ("notes.txt", b"\x00\x01 binary"))
    assert response.status_code == 302
    assert set(TranscriptUpload.objects.values_list("status", flat=True)) == {Status.QUEUED}
    worker = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--batch",
            "--queue-name",
            "transcripts",
            "--no-reload",
            "--no-startup-delay",
        ],
        cwd=ROOT,
        env=_worker_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert worker.returncode == 0, worker.stderr[-2000:]
    read = TranscriptUpload.objects.get(original_name=SMALL_PDF)
    assert read.status == Status.PARSED and read.symbol == "S/PV.8701"
    assert upload_jobs.parse_seconds(read) > 0
    rejected = TranscriptUpload.objects.get(original_name="notes.txt")
    assert rejected.status == Status.FAILED and rejected.file.name.startswith("quarantine/")
    response = client.post(reverse("admin:archive_transcriptupload_confirm", args=[read.pk]))
    assert Meeting.objects.filter(symbol="S/PV.8701", speech_count=2).exists()


# --------------------------------------------------------------------------- re-parse


@pytest.fixture
def imported(client, importer, pdf_bytes):
    load_council_2020()
    _upload(client, (SMALL_PDF, pdf_bytes()))
    upload = TranscriptUpload.objects.get()
    client.post(reverse("admin:archive_transcriptupload_confirm", args=[upload.pk]))
    return Meeting.objects.get(symbol="S/PV.8701")


@pytest.mark.django_db
def test_reparse_command_shows_then_applies_changes_keeping_permalinks(imported):
    pks = set(Speech.objects.values_list("pk", flat=True))
    # The parser "improved": the archive's copy of statement 1 is what an older one read.
    first = Speech.objects.get(meeting=imported, sequence=1)
    Speech.objects.filter(pk=first.pk).update(text=first.text + " (older reading)")
    out = StringIO()
    call_command("reparse_transcripts", stdout=out)
    text = out.getvalue()
    assert "S/PV.8701: 1 statement changed, 0 added, 0 removed (1 unchanged)" in text
    assert "changed #1" in text and "would change (run with --apply" in text
    assert "(older reading)" in Speech.objects.get(pk=first.pk).text  # dry run

    out = StringIO()
    call_command("reparse_transcripts", "--apply", "S/PV.8701", stdout=out)
    assert "replaced:" in out.getvalue()
    assert "(older reading)" not in Speech.objects.get(pk=first.pk).text
    assert set(Speech.objects.values_list("pk", flat=True)) == pks
    record = ImportRecord.objects.filter(action="replace").get()
    assert record.source_name == f"re-parse of {SMALL_PDF}"
    assert not reparse(stored_records().get()).changes  # nothing left to change


@pytest.mark.django_db
def test_reparse_command_says_when_nothing_is_stored():
    with pytest.raises(CommandError, match="No stored upload"):
        call_command("reparse_transcripts", stdout=StringIO())


@pytest.mark.django_db
def test_reparse_action_queues_a_copy_whose_preview_offers_replacing(client, imported):
    first = Speech.objects.get(meeting=imported, sequence=1)
    Speech.objects.filter(pk=first.pk).update(text=first.text + " (older reading)")
    original = TranscriptUpload.objects.get()
    response = client.post(
        reverse("admin:archive_transcriptupload_changelist"),
        {"action": "reparse_selected", "_selected_action": [original.pk]},
        follow=True,
    )
    assert "1 re-parse queued" in response.content.decode()
    copy = TranscriptUpload.objects.get(reparse_of=original)
    assert copy.status == Status.PARSED and copy.file.name != original.file.name
    preview = client.get(
        reverse("admin:archive_transcriptupload_preview", args=[copy.pk])
    ).content.decode()
    assert "A re-parse, with the current parser" in preview
    assert "1 statement changed" in preview and "Replace the record" in preview
    client.post(reverse("admin:archive_transcriptupload_confirm", args=[copy.pk]), {"replace": "1"})
    assert "(older reading)" not in Speech.objects.get(pk=first.pk).text
    assert Meeting.objects.get(pk=imported.pk).upload == TranscriptUpload.objects.get(pk=copy.pk)


@pytest.mark.django_db
def test_import_of_a_known_record_through_the_service_is_unchanged(data_dir):
    # The replace path is the importer's own: a second import without replace is refused.
    from archive.importing import AlreadyImported
    from tests.council_2020 import parsed_pdf

    import_meeting(parsed=parsed_pdf(data_dir, SMALL_PDF), source="pdf")
    with pytest.raises(AlreadyImported, match="Replace the record"):
        import_meeting(parsed=parsed_pdf(data_dir, SMALL_PDF), source="pdf")


@pytest.mark.django_db
def test_messages_keep_file_names_as_uploaded(client, importer, pdf_bytes):
    response = client.post(
        reverse("admin:archive_transcriptupload_upload"),
        {
            "files": [
                SimpleUploadedFile("document_8422.txt", b"\x00\x01 binary"),
                SimpleUploadedFile(SMALL_PDF, pdf_bytes()),
            ]
        },
        follow=True,
    )
    html = response.content.decode()
    assert "document_8422.txt: The file is neither" in html
    assert "Document_8422" not in html


@pytest.mark.django_db
def test_a_read_interrupted_by_a_stopping_worker_is_queued_again(
    client, importer, pdf_bytes, settings, monkeypatch
):
    from archive.sandbox import ParseInterrupted

    settings.TASKS = DUMMY_TASKS
    _upload(client, (SMALL_PDF, pdf_bytes()))
    upload = TranscriptUpload.objects.get()

    def interrupted(*args, **kwargs):
        raise ParseInterrupted()

    monkeypatch.setattr(upload_jobs, "parse_in_subprocess", interrupted)
    first_job = upload.task_id
    with pytest.raises(ParseInterrupted):
        upload_jobs.run_parse(upload.pk)
    upload.refresh_from_db()
    assert upload.status == Status.QUEUED and upload.parse_started_at is None
    assert not ImportRecord.objects.filter(action="failure").exists()  # not the file's fault
    assert upload.task_id and upload.task_id != first_job  # queued again by a new job
    from django_tasks import default_task_backend

    assert len(default_task_backend.results) == 2
