"""The admin: every changelist answers 200 for a superuser in a bounded number of queries."""

import pytest
from django.contrib import admin
from django.db import transaction
from django.urls import reverse

import archive.admin  # noqa: F401  registers the models (also done by autodiscover)
from archive.curation import record_decision
from archive.models import (
    ImportRecord,
    Meeting,
    MeetingMember,
    Mention,
    ProceduralLine,
    Resolution,
    Speaker,
    Speech,
    TranscriptUpload,
    Vote,
)
from archive.people.persons import ensure_persons
from archive.people.proposals import propose_merges
from archive.topics.rules import assign_topics, seed_topics

pytestmark = pytest.mark.django_db

ARCHIVE_MODELS = [m for m in admin.site._registry if m._meta.app_label == "archive"]


@pytest.fixture
def speeches(reference_db):
    """A few rows for the tables the reference data leaves empty."""
    meeting = Meeting.objects.get(symbol="S/PV.8514")
    resolution = Resolution.objects.get(number=2467)
    speaker = Speaker.objects.create(name="Mr. Heusgen", member_state_id=None)
    for n in range(1, 31):
        speech = Speech.objects.create(
            meeting=meeting,
            sequence=n,
            attribution=f"Mr. Heusgen (Germany) #{n}:",
            speaker=speaker,
            speaker_name="Mr. Heusgen",
            role="member",
            text="Women and peace",
        )
        Mention.objects.create(
            speech=speech, kind="resolution", symbol="S/RES/2467 (2019)", resolution=resolution
        )
        ProceduralLine.objects.create(meeting=meeting, after_speech=n, position=n, text="x")
        MeetingMember.objects.create(meeting=meeting, position=n, country_as_printed="Germany")
        ImportRecord.objects.create(action="import", source_name=f"file{n}.pdf", meeting=meeting)
        TranscriptUpload.objects.create(
            original_name=f"f{n}.pdf", sha256="0" * 64, size=1, content_type="application/pdf"
        )
        with transaction.atomic():
            record_decision(kind="name_mapping", user=None, summary=f"decision {n}")
    # A second spelling of the same person: a merge proposal; and the topics.
    Speaker.objects.create(name="Mr. Christoph Heusgen", member_state_id=None)
    Speech.objects.filter(sequence=30).update(
        speaker=Speaker.objects.get(name="Mr. Christoph Heusgen")
    )
    ensure_persons()
    propose_merges()
    seed_topics()
    assign_topics()


def test_every_model_is_registered():
    from django.apps import apps

    registered = set(ARCHIVE_MODELS)
    missing = [
        m.__name__
        for m in apps.get_app_config("archive").get_models()
        if m not in registered and m.__name__ not in {"ArchiveState"}
    ]
    assert missing == []


@pytest.mark.parametrize("model", ARCHIVE_MODELS, ids=lambda m: m.__name__)
def test_changelist(admin_client, speeches, model, django_assert_max_num_queries):
    url = reverse(f"admin:archive_{model._meta.model_name}_changelist")
    with django_assert_max_num_queries(12):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count > 0


@pytest.mark.parametrize(
    ("model", "query"),
    [
        (Resolution, "q=2467"),
        (Resolution, "year=2019"),
        (Vote, "outcome__exact=vetoed"),
        (Meeting, "q=S/PV.8514"),
        (Speech, "q=Heusgen&role__exact=member"),
    ],
)
def test_search_and_filters(admin_client, speeches, model, query, django_assert_max_num_queries):
    url = reverse(f"admin:archive_{model._meta.model_name}_changelist") + "?" + query
    with django_assert_max_num_queries(12):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count > 0


def test_vote_change_page_with_member_votes(admin_client, reference_db):
    vote = Vote.objects.get(draft_symbol="S/2019/961")
    with_inline = admin_client.get(reverse("admin:archive_vote_change", args=[vote.pk]))
    assert with_inline.status_code == 200
    assert b"Russian Federation" in with_inline.content


def test_meeting_change_page_links_to_speeches(admin_client, speeches):
    meeting = Meeting.objects.get(symbol="S/PV.8514")
    response = admin_client.get(reverse("admin:archive_meeting_change", args=[meeting.pk]))
    assert response.status_code == 200
    assert f"meeting__id__exact={meeting.pk}".encode() in response.content


def test_import_records_are_read_only(admin_client):
    assert admin_client.get(reverse("admin:archive_importrecord_add")).status_code == 403
