"""The staff journey in a real browser, with a real background worker reading the uploads:
log in, upload a record, see its checks and an unresolved name, fix the name from the review
queue, confirm, see the public meeting page with the fixed attribution, upload it again and
replace it from the browser; upload a record whose checks find an error, acknowledge it to
import, and close its review from the queue. Screenshots in test-output/screenshots/staff-*.png."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection

from archive.models import ImportRecord, Meeting, MemberState, Speech
from archive.parsing.pdf import pdf_to_text
from tests.council_2020 import load_council_2020

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
PDF = "S_PV.8700_E.pdf"
PASSWORD = "a long staff password 2020"


@pytest.fixture
def worker(settings, tmp_path):
    """A real `manage.py db_worker` on this test's database, as `make run` starts it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "transcripts"],
        }
    }
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "archive.settings",
        "DEBUG": "1",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    name = connection.settings_dict["NAME"]
    if env.get("DATABASE_URL"):
        env["DATABASE_URL"] = urlunsplit(urlsplit(env["DATABASE_URL"])._replace(path="/" + name))
    else:
        env["COUNCIL_ARCHIVE_DB_NAME"] = name
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--queue-name",
            "transcripts",
            "--no-reload",
            "--interval",
            "0.3",
            "--no-startup-delay",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def editor(transactional_db):
    """A staff member who imports, maps names and downloads files; Belgium known by another name."""
    states = load_council_2020()
    MemberState.objects.filter(pk=states["BEL"].pk).update(name="Kingdom of Belgium")
    user = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "import_transcript",
                "view_transcriptupload",
                "download_transcript",
                "map_printed_name",
                "view_importrecord",
            ]
        )
    )
    return user


def _upload(page, base: str, pdf: Path) -> None:
    page.goto(base + "/admin/")
    page.get_by_role("link", name="Upload transcripts").click()
    page.set_input_files("input[type=file]", str(pdf))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(re.compile(r"/preview/$"))


def test_staff_journey(page, live_server, worker, editor, data_dir, screenshots, tmp_path):
    base = live_server.url
    pdf = data_dir / "unsc-2020-pires" / "pdf" / PDF

    # Log in: the staff home opens with upload and review.
    page.goto(base + "/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Upload transcripts").wait_for()
    assert page.get_by_role("link", name=re.compile(r"Needs review \(\d+\)")).is_visible()
    page.screenshot(path=screenshots / "staff-home.png", full_page=True)

    # Upload: the worker reads the file while the page follows it, then shows the preview.
    _upload(page, base, pdf)
    page.screenshot(path=screenshots / "staff-upload-progress.png", full_page=True)
    page.locator("#decision").wait_for(timeout=120_000)
    preview_url = page.url
    names = page.locator("#unresolved-names")
    assert "Belgium" in names.inner_text()
    assert "Read as S/PV.8700: 23 speeches, 2 votes" in page.inner_text("#content-main")
    page.locator("#names").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "staff-preview-checks.png", full_page=True)

    # Fix the name from the review queue.
    page.goto(base + "/admin/")
    page.get_by_role("link", name=re.compile(r"Needs review \(1\)")).click()
    row = page.locator("table.printed-names tr", has_text="Belgium")
    assert "S/PV.8700" in row.inner_text()  # the upload waiting for confirmation prints it
    page.screenshot(path=screenshots / "staff-review-queue.png", full_page=True)
    row.get_by_role("link", name="Map…").click()
    page.get_by_label("What it stands for").select_option(label="Kingdom of Belgium")
    page.screenshot(path=screenshots / "staff-map-name.png", full_page=True)
    page.get_by_role("button", name=re.compile("Map “Belgium”")).click()
    page.get_by_text("“Belgium” mapped to Kingdom of Belgium").first.wait_for()
    assert page.locator("#decisions").get_by_role("button", name="Undo").is_visible()
    page.screenshot(path=screenshots / "staff-review-decided.png", full_page=True)

    # Confirm the import: the name is matched now.
    page.goto(preview_url)
    assert "Every name was matched." in page.inner_text("#names")
    page.get_by_role("button", name="Confirm import").click()
    page.get_by_text("Imported S/PV.8700").wait_for()
    page.get_by_role("link", name="S/PV.8700", exact=True).click()

    # The public meeting page shows Belgium's statements attributed, and its votes.
    page.wait_for_url(re.compile(r"/meetings/"))
    statement = page.locator("#speech-3")
    assert "Kingdom of Belgium" in statement.inner_text()
    assert "(as printed)" not in page.inner_text("main")
    page.screenshot(path=screenshots / "staff-public-meeting.png", full_page=True)

    # The archive's copy drifts from the file (as an older parser would have read it) ...
    third = Speech.objects.get(meeting__symbol="S/PV.8700", sequence=3)
    Speech.objects.filter(pk=third.pk).update(text=third.text + " (an older reading)")

    # ... and uploading the file again shows what would change, and replaces from the browser.
    _upload(page, base, pdf)
    page.locator("#decision").wait_for(timeout=120_000)
    assert "S/PV.8700 is already in the archive" in page.inner_text("#decision")
    assert "1 statement changed, 0 added, 0 removed (22 unchanged)" in page.inner_text(
        "#diff-summary"
    )
    page.screenshot(path=screenshots / "staff-replace-preview.png", full_page=True)
    page.get_by_role("button", name="Replace the record").click()
    page.get_by_text("Replaced S/PV.8700").wait_for()
    page.screenshot(path=screenshots / "staff-replaced.png", full_page=True)
    replaced = Speech.objects.get(meeting__symbol="S/PV.8700", sequence=3)
    assert replaced.pk == third.pk and "(an older reading)" not in replaced.text

    # A record whose checks find an error (the announcement contradicts the lists): the preview
    # names it, and the import needs the importer's acknowledgement.
    record = pdf_to_text((pdf.parent / "S_PV.8701_E.pdf").read_bytes())[0]
    wrong = tmp_path / "S_PV.8701.txt"
    wrong.write_text(re.sub(r"received\s+15\s+votes", "received 14 votes", record), "utf-8")
    _upload(page, base, wrong)
    page.locator("#decision").wait_for(timeout=120_000)
    checks_url = page.url
    assert "but the President announced 14-0-0" in page.inner_text("#checks")
    acknowledge = page.get_by_label(re.compile("import the record anyway"))
    assert acknowledge.is_visible() and not acknowledge.is_checked()
    page.locator("#checks").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "staff-error-checks.png", full_page=True)
    page.get_by_role("button", name="Confirm import").click()  # the box is required: nothing sent
    assert page.url == checks_url and not Meeting.objects.filter(symbol="S/PV.8701").exists()
    acknowledge.check()
    page.locator("#decision").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "staff-acknowledge.png", full_page=True)
    page.get_by_role("button", name="Confirm import").click()
    page.get_by_text("It is marked for review").wait_for()

    # The review queue lists the import with its error; marking it reviewed closes it.
    page.goto(base + "/admin/")
    page.get_by_role("link", name=re.compile(r"Needs review \(\d+\)")).click()
    section = page.locator("#section-imports")
    assert "S/PV.8701" in section.inner_text() and "announced 14-0-0" in section.inner_text()
    section.get_by_label("Note").fill("Tally checked against the PDF: 15-0-0")
    page.screenshot(path=screenshots / "staff-review-import.png", full_page=True)
    section.get_by_role("button", name="Mark reviewed").click()
    page.get_by_text("Marked the import of S/PV.8701 reviewed").first.wait_for()
    assert "No import awaits review." in page.inner_text("#section-imports")
    record = ImportRecord.objects.get(symbol="S/PV.8701", action="import")
    assert not record.needs_review and record.reviewed_by == editor
    assert record.review_note == "Marked reviewed: Tally checked against the PDF: 15-0-0"
