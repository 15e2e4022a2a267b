"""Who may do what: the public site is read-only, only importers import, and password guessing
against the staff login is throttled.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

import archive.admin_imports  # noqa: F401  registers the upload admin
from archive.models import ImportRecord, Meeting, TranscriptUpload

from .security_data import make_small_archive, public_urls

SMALL_PDF = "S_PV.8701_E.pdf"
PASSWORD = "correct horse battery staple"
ROLES = ["anonymous", "plain", "staff", "importer", "superuser"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The throttle is what is tested, not the hash: a fast hasher keeps many logins quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def pdf(data_dir) -> bytes:
    return (data_dir / "unsc-2020-pires" / "pdf" / SMALL_PDF).read_bytes()


def _user(role: str) -> User | None:
    if role == "anonymous":
        return None
    if role == "superuser":
        return User.objects.create_superuser(role, password=PASSWORD)
    user = User.objects.create_user(role, password=PASSWORD, is_staff=role != "plain")
    if role in ("staff", "importer"):
        # Staff may look at the uploads; only importers hold the import permission.
        user.user_permissions.add(Permission.objects.get(codename="view_transcriptupload"))
    if role == "importer":
        user.user_permissions.add(Permission.objects.get(codename="import_transcript"))
    if role == "curator":
        user.user_permissions.add(Permission.objects.get(codename="map_printed_name"))
    return user


def client_for(role: str) -> Client:
    client = Client()
    user = _user(role)
    if user is not None:
        client.force_login(user)
    return client


def _upload(client: Client, pdf: bytes, name: str = SMALL_PDF):
    return client.post(
        reverse("admin:archive_transcriptupload_upload"),
        {"files": [SimpleUploadedFile(name, pdf)]},
    )


@pytest.fixture
def parsed_upload(pdf) -> TranscriptUpload:
    """An upload parsed and waiting for confirmation, made by a separate importer."""
    client = Client()
    client.force_login(User.objects.create_superuser("uploader", password=PASSWORD))
    response = _upload(client, pdf)
    assert response.status_code == 302, response.content[:500]
    return TranscriptUpload.objects.get(status=TranscriptUpload.Status.PARSED)


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


# --------------------------------------------------------------------------- the import pages

# role -> expected outcome; "login" = sent to the admin login page.
EXPECTED = {
    "anonymous": "login",
    "plain": "login",
    "staff": 403,
    "importer": "ok",
    "superuser": "ok",
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_admin_index_and_upload_list(role):
    client = client_for(role)
    index = client.get(reverse("admin:index"))
    listing = client.get(reverse("admin:archive_transcriptupload_changelist"))
    if EXPECTED[role] == "login":
        assert _is_login_redirect(index) and _is_login_redirect(listing)
    else:
        # All staff can view the admin, including the list of uploads.
        assert index.status_code == 200
        assert listing.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_upload_page(role, pdf):
    client = client_for(role)
    page = client.get(reverse("admin:archive_transcriptupload_upload"))
    posted = _upload(client, pdf)
    expected = EXPECTED[role]
    if expected == "login":
        assert _is_login_redirect(page) and _is_login_redirect(posted)
    elif expected == 403:
        assert page.status_code == 403 and posted.status_code == 403
    else:
        assert page.status_code == 200
        assert posted.status_code == 302
        assert "/preview/" in posted["Location"]
    stored = TranscriptUpload.objects.count()
    assert stored == (1 if expected == "ok" else 0)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_preview_page(role, parsed_upload):
    response = client_for(role).get(
        reverse("admin:archive_transcriptupload_preview", args=[parsed_upload.pk])
    )
    expected = EXPECTED[role]
    if expected == "login":
        assert _is_login_redirect(response)
    elif expected == 403:
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        assert b"S/PV.8701" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_confirm_import(role, parsed_upload):
    client = client_for(role)
    url = reverse("admin:archive_transcriptupload_confirm", args=[parsed_upload.pk])
    response = client.post(url)
    expected = EXPECTED[role]
    imported = Meeting.objects.filter(symbol="S/PV.8701").exists()
    if expected == "ok":
        assert response.status_code == 302
        assert imported
        record = ImportRecord.objects.get(action=ImportRecord.Action.IMPORT)
        assert record.user.username == role
        assert record.upload == parsed_upload
    else:
        assert _is_login_redirect(response) if expected == "login" else response.status_code == 403
        assert not imported
        assert not ImportRecord.objects.filter(action=ImportRecord.Action.IMPORT).exists()
        parsed_upload.refresh_from_db()
        assert parsed_upload.status == TranscriptUpload.Status.PARSED


@pytest.mark.django_db
def test_confirm_refuses_get(parsed_upload):
    url = reverse("admin:archive_transcriptupload_confirm", args=[parsed_upload.pk])
    assert client_for("superuser").get(url).status_code == 405
    assert not Meeting.objects.filter(symbol="S/PV.8701").exists()


# --------------------------------------------------------------------------- public read-only


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_public_site_is_read_only(client, method):
    urls = public_urls(make_small_archive())
    assert len(urls) >= 7
    allowed = {}
    for name, url in urls.items():
        response = getattr(client, method)(url, data="x=1", content_type="text/plain")
        allowed[name] = response.status_code
    assert allowed == dict.fromkeys(urls, 405), "public URLs must refuse writes"


@pytest.mark.django_db
def test_public_pages_answer_get(client):
    urls = public_urls(make_small_archive())
    statuses = {name: client.get(url).status_code for name, url in urls.items()}
    # Every public page answers GET (documents may not be held: 404 is a normal answer).
    assert all(code in (200, 301, 302, 404) for code in statuses.values()), statuses
    assert statuses["archive:home"] == 200


# --------------------------------------------------------------------------- file type and audit


@pytest.mark.django_db
def test_file_type_is_decided_by_content_in_the_upload(pdf):
    client = client_for("importer")
    # A PDF named .txt is read as a PDF.
    response = _upload(client, pdf, name="record.txt")
    assert response.status_code == 302
    as_text = TranscriptUpload.objects.get(original_name="record.txt")
    assert as_text.content_type == "application/pdf"
    assert as_text.status == TranscriptUpload.Status.PARSED
    assert as_text.symbol == "S/PV.8701"
    # A PNG named .pdf is refused with the parser's message, and the failure is on the record.
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 16
    response = _upload(client, png, name="S_PV.8702_E.pdf")
    assert response.status_code == 302
    assert "neither a PDF nor a plain-text" in client.get(response["Location"]).content.decode()
    refused = TranscriptUpload.objects.get(original_name="S_PV.8702_E.pdf")
    assert refused.status == TranscriptUpload.Status.FAILED
    assert "neither a PDF nor a plain-text" in refused.message
    assert not Meeting.objects.filter(symbol="S/PV.8702").exists()
    failure = ImportRecord.objects.get(action=ImportRecord.Action.FAILURE)
    assert failure.upload == refused and failure.user.username == "importer"


@pytest.mark.django_db
def test_imports_and_failures_are_visible_in_the_admin(pdf, parsed_upload):
    admin = client_for("superuser")
    admin.post(reverse("admin:archive_transcriptupload_confirm", args=[parsed_upload.pk]))
    _upload(admin, b"%PDF-1.7\n cut short", name="broken.pdf")
    # Importing the same record again is refused, and that refusal is recorded too.
    _upload(admin, pdf, name="again.pdf")
    again = TranscriptUpload.objects.get(original_name="again.pdf")
    admin.post(reverse("admin:archive_transcriptupload_confirm", args=[again.pk]))

    actions = sorted(ImportRecord.objects.values_list("action", flat=True))
    assert actions == ["failure", "import", "skip"]
    page = admin.get(reverse("admin:archive_importrecord_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "broken.pdf" in html and "again.pdf" in html and "S/PV.8701" in html
    detail = admin.get(
        reverse(
            "admin:archive_importrecord_change",
            args=[ImportRecord.objects.get(action="failure").pk],
        )
    )
    assert "damaged or incomplete" in detail.content.decode()


# --------------------------------------------------------------------------- staff pages (issue 12)


@pytest.fixture(scope="module")
def small_parse(data_dir):
    """S/PV.8701 parsed once for the matrices below (the parse itself is tested elsewhere)."""
    from archive.parsing import parse_document

    data = (data_dir / "unsc-2020-pires" / "pdf" / SMALL_PDF).read_bytes()
    return data, parse_document(data, filename=SMALL_PDF)


@pytest.fixture
def read_upload(small_parse) -> TranscriptUpload:
    """An upload read and waiting for confirmation, without running the sandbox again."""
    from archive.importing import store_upload
    from archive.upload_jobs import keep_parse

    data, parsed = small_parse
    upload = store_upload(data=data, original_name=SMALL_PDF, status="parsed")
    keep_parse(upload, parsed)
    upload.refresh_from_db()
    return upload


STAFF_ROLES = [*ROLES, "curator"]
# page -> roles that may open it; every other staff role gets 403, others the login page.
ALLOWED = {
    "progress": {"importer", "superuser"},
    "preview": {"importer", "superuser"},
    "download": {"superuser"},  # importing is not downloading: its own permission
    "review": {"staff", "importer", "curator", "superuser"},  # sections filtered inside
    "review_section": {"curator", "superuser"},
    "review_imports": {"importer", "superuser"},
    "review_vote_conflicts": {"superuser"},  # "Can change vote"
    "map_name": {"curator", "superuser"},
    "guide": {"staff", "importer", "curator", "superuser"},
}


def _staff_page(name: str, upload: TranscriptUpload) -> str:
    return {
        "progress": reverse("admin:archive_transcriptupload_progress") + f"?ids={upload.pk}",
        "preview": reverse("admin:archive_transcriptupload_preview", args=[upload.pk]),
        "download": reverse("admin:archive_transcriptupload_file", args=[upload.pk]),
        "review": reverse("admin:review"),
        "review_section": reverse("admin:review_section", args=["printed-names"]),
        "review_imports": reverse("admin:review_section", args=["imports"]),
        "review_vote_conflicts": reverse("admin:review_section", args=["vote-conflicts"]),
        "map_name": reverse("admin:review_map_name") + "?name=Ruritania",
        "guide": reverse("admin:staff_guide", args=["importing"]),
    }[name]


@pytest.mark.django_db
@pytest.mark.parametrize("page", list(ALLOWED))
@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_pages_matrix(role, page, read_upload):
    response = client_for(role).get(_staff_page(page, read_upload))
    if role in ("anonymous", "plain"):
        assert _is_login_redirect(response)
    elif role in ALLOWED[page]:
        assert response.status_code == 200, response.content[:300]
    else:
        assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_ROLES)
def test_mapping_a_name_and_undoing_it_matrix(role):
    from archive.models import Decision, MemberState, NameAlias

    state = MemberState.objects.create(name="Freedonia", iso3="FRD")
    client = client_for(role)
    response = client.post(
        reverse("admin:review_map_name"), {"name": "Ruritania", "target": f"state:{state.pk}"}
    )
    may = role in ("curator", "superuser")
    if role in ("anonymous", "plain"):
        assert _is_login_redirect(response)
    else:
        assert response.status_code == (302 if may else 403)
    assert NameAlias.objects.filter(normalised="ruritania").exists() == may

    with transaction.atomic():
        from archive.name_mapping import Target, map_printed_name

        decision = map_printed_name(name="Zembla", target=Target(member_state=state), user=None)
    response = client.post(reverse("admin:review_undo", args=[decision.pk]))
    assert Decision.objects.get(pk=decision.pk).is_undone == may
    if not may and role not in ("anonymous", "plain"):
        assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_ROLES)
def test_marking_an_import_reviewed_matrix(role):
    from archive.models import Decision, ImportRecord

    record = ImportRecord.objects.create(action="import", symbol="S/PV.1", needs_review=True)
    response = client_for(role).post(reverse("admin:review_import_reviewed", args=[record.pk]))
    may = role in ("importer", "superuser")
    if role in ("anonymous", "plain"):
        assert _is_login_redirect(response)
    else:
        assert response.status_code == (302 if may else 403)
    assert ImportRecord.objects.get(pk=record.pk).needs_review == (not may)
    assert Decision.objects.filter(kind="import_review").exists() == may


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_ROLES)
def test_choosing_a_vote_source_matrix(role):
    from archive.models import Vote, VoteClaim

    vote = Vote.objects.create(outcome="adopted", draft_symbol="S/2020/1")
    claim = VoteClaim.objects.create(
        vote=vote, source="record", key="S/PV.1 vote 1", detail="S/PV.1", standing="pending"
    )
    response = client_for(role).post(
        reverse("admin:review_choose_vote", args=[claim.pk]), {"take": "archive"}
    )
    may = role == "superuser"
    if role in ("anonymous", "plain"):
        assert _is_login_redirect(response)
    else:
        assert response.status_code == (302 if may else 403)
    assert VoteClaim.objects.get(pk=claim.pk).standing == ("set_aside" if may else "pending")


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["discard_selected", "reparse_selected"])
@pytest.mark.parametrize("role", STAFF_ROLES)
def test_upload_actions_matrix(role, action, read_upload):
    client = client_for(role)
    if role == "curator":
        # A curator may see the uploads (view permission) but not act on them.
        User.objects.get(username="curator").user_permissions.add(
            Permission.objects.get(codename="view_transcriptupload")
        )
    before = TranscriptUpload.objects.count()
    client.post(
        reverse("admin:archive_transcriptupload_changelist"),
        {"action": action, "_selected_action": [read_upload.pk]},
    )
    acted = TranscriptUpload.objects.count() != before
    assert acted == (role in ("importer", "superuser") and action == "discard_selected")
