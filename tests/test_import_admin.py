"""Staff upload of transcripts: permissions, upload -> preview -> confirm, bad files, escaping."""

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.importing import import_meeting
from archive.models import ImportRecord, Meeting, Speech, TranscriptUpload
from archive.parsing.pdf import pdf_to_text
from tests.council_2020 import load_council_2020, parsed_pdf

pytestmark = pytest.mark.django_db

UPLOAD = "admin:archive_transcriptupload_upload"


def preview_url(upload) -> str:
    return reverse("admin:archive_transcriptupload_preview", args=[upload.pk])


def confirm_url(upload) -> str:
    return reverse("admin:archive_transcriptupload_confirm", args=[upload.pk])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def pdf_bytes(data_dir):
    def read(name: str) -> bytes:
        return (data_dir / "unsc-2020-pires" / "pdf" / name).read_bytes()

    return read


@pytest.fixture
def importer(client):
    user = User.objects.create_user("importer", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="import_transcript"))
    client.force_login(user)
    return user


@pytest.fixture
def staff(client):
    user = User.objects.create_user("staff", password="x", is_staff=True)
    client.force_login(user)
    return user


def upload(client, *files: tuple[str, bytes], follow: bool = False):
    return client.post(
        reverse(UPLOAD),
        {"files": [SimpleUploadedFile(name, data) for name, data in files]},
        follow=follow,
    )


# --------------------------------------------------------------------------- permissions


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse(UPLOAD))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_permission_gets_403_but_can_browse_admin(client, staff):
    item = TranscriptUpload.objects.create(
        original_name="x.pdf", sha256="0" * 64, size=1, content_type="application/pdf"
    )
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse(UPLOAD)).status_code == 403
    assert upload(client, ("a.pdf", b"%PDF-1.4")).status_code == 403
    assert client.get(preview_url(item)).status_code == 403
    assert client.post(confirm_url(item)).status_code == 403
    discard = reverse("admin:archive_transcriptupload_discard", args=[item.pk])
    assert client.post(discard).status_code == 403
    assert TranscriptUpload.objects.count() == 1


def test_importer_sees_the_upload_page_and_superuser_too(client, importer, admin_client):
    response = client.get(reverse(UPLOAD))
    assert response.status_code == 200
    assert b'type="file"' in response.content and b"multiple" in response.content
    assert admin_client.get(reverse(UPLOAD)).status_code == 200
    changelist = admin_client.get(reverse("admin:archive_transcriptupload_changelist"))
    assert reverse(UPLOAD).encode() in changelist.content


# --------------------------------------------------------------------------- the happy path


def test_upload_preview_confirm_creates_the_meeting(client, importer, pdf_bytes):
    load_council_2020()
    response = upload(client, ("S_PV.8701_E.pdf", pdf_bytes("S_PV.8701_E.pdf")))
    item = TranscriptUpload.objects.get()
    assert response.status_code == 302 and response["Location"] == preview_url(item)
    assert item.status == TranscriptUpload.Status.PARSED and item.symbol == "S/PV.8701"
    assert item.uploaded_by == importer and item.content_type == "application/pdf"
    assert len(item.sha256) == 64 and item.size == len(pdf_bytes("S_PV.8701_E.pdf"))
    assert not Meeting.objects.exists()  # nothing written before confirmation

    page = client.get(preview_url(item))
    html = page.content.decode()
    assert page.status_code == 200
    for expected in (
        "S/PV.8701",
        "Mr. Dang",
        "Viet Nam",
        "Confirm import",
        "Discard",
        "In favour (15)",
        "2505 (2020)",
        "Mr. Pecsteen de Buytswerve",
    ):
        assert expected in html
    assert "Replace existing" not in html

    response = client.post(confirm_url(item))
    assert response.status_code == 302
    meeting = Meeting.objects.get(symbol="S/PV.8701")
    assert meeting.speech_count == 2 and meeting.upload == item
    item.refresh_from_db()
    assert item.status == TranscriptUpload.Status.IMPORTED
    assert ImportRecord.objects.get(action="import").user == importer
    followed = client.get(response["Location"])
    assert "Imported S/PV.8701" in followed.content.decode()
    # Confirming twice does nothing more.
    client.post(confirm_url(item))
    assert Meeting.objects.count() == 1 and ImportRecord.objects.count() == 1


def test_existing_meeting_shows_what_would_change_and_is_replaced_from_the_browser(
    client, importer, data_dir, pdf_bytes
):
    import_meeting(parsed=parsed_pdf(data_dir, "S_PV.8701_E.pdf"), source="pdf")
    old_pks = set(Speech.objects.values_list("pk", flat=True))
    # The archive's copy differs from the upload: one statement edited, one gone.
    first = Speech.objects.order_by("sequence").first()
    Speech.objects.filter(pk=first.pk).update(text=first.text + " An extra sentence.")
    upload(client, ("S_PV.8701_E.pdf", pdf_bytes("S_PV.8701_E.pdf")))
    item = TranscriptUpload.objects.get()

    html = client.get(preview_url(item)).content.decode()
    assert "S/PV.8701 is already in the archive" in html
    assert "Replace the record" in html and "Discard" in html and "--replace" not in html
    assert "1 statement changed, 0 added, 0 removed (1 unchanged)" in html
    assert "Changed, statement 1" in html and "text" in html

    # Confirming without replacing is refused in words, and the upload can still be replaced.
    response = client.post(confirm_url(item), follow=True)
    text = response.content.decode()
    assert "already in the archive" in text and "--replace" not in text
    item.refresh_from_db()
    assert item.status == TranscriptUpload.Status.PARSED

    client.post(confirm_url(item), {"replace": "1"})
    item.refresh_from_db()
    assert item.status == TranscriptUpload.Status.IMPORTED
    assert set(Speech.objects.values_list("pk", flat=True)) == old_pks  # addresses kept
    assert "An extra sentence" not in Speech.objects.get(pk=first.pk).text
    assert ImportRecord.objects.get(action=ImportRecord.Action.REPLACE).user == importer


def test_identical_upload_says_nothing_would_change(client, importer, data_dir, pdf_bytes):
    import_meeting(parsed=parsed_pdf(data_dir, "S_PV.8701_E.pdf"), source="pdf")
    upload(client, ("S_PV.8701_E.pdf", pdf_bytes("S_PV.8701_E.pdf")))
    html = client.get(preview_url(TranscriptUpload.objects.get())).content.decode()
    assert "Nothing would change." in html


def test_unresolved_names_are_highlighted_with_a_legend(client, importer, pdf_bytes):
    # No reference data at all: every State is unresolved.
    upload(client, ("S_PV.8701_E.pdf", pdf_bytes("S_PV.8701_E.pdf")))
    html = client.get(preview_url(TranscriptUpload.objects.get())).content.decode()
    assert 'class="legend"' in html
    assert '<span class="unresolved">Viet Nam</span>' in html
    assert '<span class="unresolved">Belgium</span>' in html


def test_several_files_at_once(client, importer, pdf_bytes):
    response = upload(
        client,
        ("S_PV.8701_E.pdf", pdf_bytes("S_PV.8701_E.pdf")),
        ("notes.txt", b"\x00\x01\x02 binary"),
    )
    assert response.status_code == 302 and "/progress/?ids=" in response["Location"]
    html = client.get(response["Location"]).content.decode()
    assert "Reading uploads" in html and "notes.txt" in html
    statuses = dict(TranscriptUpload.objects.values_list("original_name", "status"))
    assert statuses == {"S_PV.8701_E.pdf": "parsed", "notes.txt": "failed"}
    parsed = TranscriptUpload.objects.get(status="parsed")
    assert preview_url(parsed) in html
    assert 'http-equiv="refresh"' not in html  # nothing left to wait for


def test_discard_forgets_the_upload(client, importer, pdf_bytes):
    upload(client, ("S_PV.8701_E.pdf", pdf_bytes("S_PV.8701_E.pdf")))
    item = TranscriptUpload.objects.get()
    path = item.file.path
    response = client.post(reverse("admin:archive_transcriptupload_discard", args=[item.pk]))
    assert response.status_code == 302
    assert not TranscriptUpload.objects.exists() and not Meeting.objects.exists()
    import os

    assert not os.path.exists(path)


def test_confirm_and_discard_refuse_get(client, importer, pdf_bytes):
    upload(client, ("S_PV.8701_E.pdf", pdf_bytes("S_PV.8701_E.pdf")))
    item = TranscriptUpload.objects.get()
    assert client.get(confirm_url(item)).status_code == 405
    assert not Meeting.objects.exists()


# --------------------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.pdf", b"", "The file is empty."),
        ("image.pdf", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "neither a PDF nor"),
        ("cut.pdf", None, "damaged or incomplete"),
        ("letter.txt", b"Dear colleague,\n\nThank you.\n", "does not look like a Security"),
        ("huge.pdf", b"%PDF-1.7\n" + b"0" * 3000, "the limit is"),
    ],
)
def test_bad_file_gives_a_message_and_writes_no_meeting(
    client, importer, settings, pdf_bytes, name, content, message
):
    settings.TRANSCRIPT_MAX_BYTES = 2048
    if content is None:
        content = pdf_bytes("S_PV.8701_E.pdf")[:1500]  # a download cut short
    response = upload(client, (name, content), follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    item = TranscriptUpload.objects.get()
    assert item.status == TranscriptUpload.Status.FAILED and message in item.message
    assert not Meeting.objects.exists() and not Speech.objects.exists()


# --------------------------------------------------------------------------- escaping, queries


def test_preview_escapes_transcript_text(client, importer, pdf_bytes):
    text, _ = pdf_to_text(pdf_bytes("S_PV.8701_E.pdf"))
    hostile = text.replace("I wish to draw", "I wish <script>alert('x')</script> to draw")
    assert hostile != text
    upload(client, ("S_PV.8701.txt", hostile.encode()))
    item = TranscriptUpload.objects.get()
    assert item.content_type == "text/plain"
    html = client.get(preview_url(item)).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script>alert(" not in html
    client.post(confirm_url(item))
    assert Meeting.objects.get().source == Meeting.Source.TEXT


def test_preview_queries_do_not_grow_with_the_record(client, importer, pdf_bytes):
    load_council_2020()
    counts = {}
    for name in ("S_PV.8701_E.pdf", "S_PV.8699_E.pdf"):
        upload(client, (name, pdf_bytes(name)))
        item = TranscriptUpload.objects.get(original_name=name)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(preview_url(item)).status_code == 200
        counts[name] = len(queries)
    # 101 speeches cost no more queries than 2 (8701 has one more: its resolution look-up).
    assert counts["S_PV.8699_E.pdf"] <= counts["S_PV.8701_E.pdf"] <= 12
