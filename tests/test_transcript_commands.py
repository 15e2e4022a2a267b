"""parse_transcript (no database needed) and import_transcripts (many files, repeatable)."""

import json
import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from archive.models import ImportRecord, Meeting, TranscriptUpload
from tests.council_2020 import load_council_2020, parsed_pdf

ROOT = Path(__file__).resolve().parent.parent
UNREACHABLE_DB = "postgres://nobody:nothing@127.0.0.1:9/no_such_database?connect_timeout=1"


def run_manage(*args: str) -> subprocess.CompletedProcess:
    """Run manage.py with a database that cannot be reached."""
    env = {**os.environ, "DATABASE_URL": UNREACHABLE_DB}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def pdf_8701(data_dir) -> Path:
    return data_dir / "unsc-2020-pires" / "pdf" / "S_PV.8701_E.pdf"


# --------------------------------------------------------------------------- parse_transcript


def test_parse_transcript_json_is_to_dict_and_needs_no_database(pdf_8701, data_dir):
    done = run_manage("parse_transcript", str(pdf_8701), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(
        json.dumps(parsed_pdf(data_dir, "S_PV.8701_E.pdf").to_dict())
    )
    assert '"symbol": "S/PV.8701"' in done.stdout  # indented, one key per line


def test_parse_transcript_summary_without_database(pdf_8701):
    done = run_manage("parse_transcript", str(pdf_8701))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("S/PV.8701")
    assert "President: Mr. Dang (Viet Nam)" in out
    assert "Members (14):" in out and "Speeches (2):" in out
    assert "adopted as resolution 2505 (2020) (15-0-0)" in out
    assert "[Viet Nam / president]" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"%PDF-1.7\n1 0 obj\n<<", "damaged or incomplete"),
        (b"Minutes of the book club.\n\nWe read a novel.\n", "does not look like a Security"),
    ],
)
def test_parse_transcript_errors_are_messages_not_tracebacks(tmp_path, content, message):
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    done = run_manage("parse_transcript", str(path))
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


# --------------------------------------------------------------------------- import_transcripts


@pytest.fixture
def transcripts_dir(tmp_path, pdf_8701, settings) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(pdf_8701, folder / "S_PV.8701_E.pdf")
    (folder / "junk.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (folder / "notes.md").write_text("not a transcript: ignored by suffix")
    return folder


def import_transcripts(*args) -> tuple[str, str, CommandError | None]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_transcripts", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


@pytest.mark.django_db
def test_import_transcripts_reports_imported_skipped_failed(transcripts_dir):
    load_council_2020()
    out, err, error = import_transcripts(str(transcripts_dir))

    assert "Imported 1, skipped 0, failed 1 of 2 files." in out
    assert "Imported: S_PV.8701_E.pdf: S/PV.8701 imported — 2 speeches, 1 vote," in out
    assert "Failed: junk.pdf: The file is neither a PDF nor a plain-text document." in out
    assert error is not None and "1 file(s) failed" in str(error)  # exit status 1
    assert "2/2 files" in err and "/s" in err and "left 0:" in err
    meeting = Meeting.objects.get(symbol="S/PV.8701")
    assert meeting.upload.status == TranscriptUpload.Status.IMPORTED
    assert meeting.upload.content_type == "application/pdf"
    assert Path(meeting.upload.file.path).read_bytes()[:5] == b"%PDF-"
    failure = ImportRecord.objects.get(action=ImportRecord.Action.FAILURE)
    assert failure.source_name.endswith("junk.pdf")

    # A second run skips what is there without parsing it again.
    out, err, error = import_transcripts(str(transcripts_dir))
    assert "Imported 0, skipped 1, failed 1 of 2 files." in out
    assert "Skipped: S_PV.8701_E.pdf: S/PV.8701 already imported" in out
    assert Meeting.objects.count() == 1 and TranscriptUpload.objects.count() == 1


@pytest.mark.django_db
def test_import_transcripts_skips_a_meeting_imported_from_another_file(transcripts_dir):
    (transcripts_dir / "junk.pdf").unlink()
    _, _, error = import_transcripts(str(transcripts_dir))
    assert error is None
    TranscriptUpload.objects.update(sha256="0" * 64)  # as if imported from a different copy

    out, _, error = import_transcripts(str(transcripts_dir / "S_PV.8701_E.pdf"))
    assert error is None
    assert "Skipped: S_PV.8701_E.pdf: S/PV.8701 already in the archive" in out
    assert TranscriptUpload.objects.count() == 1  # the rolled-back copy was not kept

    out, _, error = import_transcripts(str(transcripts_dir), "--replace")
    assert error is None
    assert "S/PV.8701 replaced" in out
    assert ImportRecord.objects.filter(action=ImportRecord.Action.REPLACE).count() == 1


def test_import_transcripts_missing_path_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        call_command("import_transcripts", str(tmp_path / "absent"))
