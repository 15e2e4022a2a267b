"""Two staff importing the same meeting at the same moment: exactly one import lands, the other
gets a clear message, and the database never holds the meeting twice.

Each importer runs in its own thread with its own database connection (real concurrency, real
transactions: ``transaction=True``), released together by a barrier.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

import archive.admin_imports  # noqa: F401  registers the upload admin
from archive.importing import AlreadyImported, import_meeting
from archive.models import ImportRecord, Meeting, Speech, TranscriptUpload
from archive.parsing import parse_document

pytestmark = pytest.mark.django_db(transaction=True)

RECORDS = ["S_PV.8701_E.pdf", "S_PV.8700_E.pdf"]


def run_together(*jobs: Callable[[], object]) -> list[object]:
    """Run the jobs in threads released at the same instant; return results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def worker(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = exc
        finally:
            # Each thread has its own connection; leave none open for the flush after the test.
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive(), "an import hung (deadlock?)"
    return results


def _staff(name: str) -> User:
    user = User.objects.create_user(name, password="x", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="import_transcript"),
        Permission.objects.get(codename="view_transcriptupload"),
    )
    return user


@pytest.mark.parametrize("record", RECORDS)
def test_two_simultaneous_imports_of_one_meeting_land_once(data_dir, record):
    parsed = parse_document((data_dir / "unsc-2020-pires" / "pdf" / record).read_bytes())
    alice, bob = _staff("alice"), _staff("bob")

    def importing(user: User) -> Callable[[], object]:
        return lambda: import_meeting(parsed=parsed, source=Meeting.Source.PDF, user=user)

    results = run_together(importing(alice), importing(bob))

    landed = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(landed) == 1, results
    assert len(refused) == 1 and isinstance(refused[0], AlreadyImported), results
    assert parsed.symbol in refused[0].message
    assert "already in the archive" in refused[0].message

    assert Meeting.objects.filter(symbol=parsed.symbol).count() == 1
    meeting = Meeting.objects.get(symbol=parsed.symbol)
    assert Speech.objects.filter(meeting=meeting).count() == len(parsed.speeches)
    assert meeting.speech_count == len(parsed.speeches)
    records = ImportRecord.objects.filter(symbol=parsed.symbol, action=ImportRecord.Action.IMPORT)
    assert records.count() == 1
    assert records.get().user in (alice, bob)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_two_staff_confirming_in_the_admin_at_once(data_dir, media):
    """The same race through the admin: two uploads of one record, confirmed together."""
    pdf = (data_dir / "unsc-2020-pires" / "pdf" / RECORDS[0]).read_bytes()
    clients = []
    uploads = []
    for name in ("alice", "bob"):
        client = Client()
        client.force_login(_staff(name))
        response = client.post(
            reverse("admin:archive_transcriptupload_upload"),
            {"files": [SimpleUploadedFile(f"{name}-{RECORDS[0]}", pdf)]},
        )
        assert response.status_code == 302, response.content[:300]
        clients.append(client)
        uploads.append(TranscriptUpload.objects.get(original_name=f"{name}-{RECORDS[0]}"))

    def confirming(client: Client, upload: TranscriptUpload) -> Callable[[], object]:
        url = reverse("admin:archive_transcriptupload_confirm", args=[upload.pk])
        return lambda: client.post(url)

    responses = run_together(*(confirming(c, u) for c, u in zip(clients, uploads, strict=True)))

    assert all(getattr(r, "status_code", None) == 302 for r in responses), responses
    said = [[str(m) for m in get_messages(r.wsgi_request)] for r in responses]
    successes = [m for msgs in said for m in msgs if m.startswith("Imported S/PV.8701")]
    refusals = [m for msgs in said for m in msgs if "already in the archive" in m]
    assert len(successes) == 1, said
    assert len(refusals) == 1, said
    assert Meeting.objects.filter(symbol="S/PV.8701").count() == 1
    # Both outcomes are on the audit trail: one import, one refusal.
    records = ImportRecord.objects.filter(symbol="S/PV.8701")
    assert records.filter(action=ImportRecord.Action.IMPORT).count() == 1
    assert records.filter(action=ImportRecord.Action.SKIP).count() == 1
    statuses = sorted(TranscriptUpload.objects.values_list("status", flat=True))
    assert statuses.count(TranscriptUpload.Status.IMPORTED) == 1
