"""The review queue: unresolved printed names are listed, mapped in one step everywhere at once,
used by later imports, shown on the public pages, recorded, and undone exactly."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils.html import escape

from archive import curation, review
from archive.importing import import_meeting
from archive.models import (
    Decision,
    Meeting,
    MeetingMember,
    MemberState,
    MemberVote,
    NameAlias,
    Speaker,
    Speech,
    Vote,
    VoteClaim,
)
from archive.name_mapping import Target, map_printed_name
from archive.names import NameResolver
from archive.review import printed_names
from tests.council_2020 import load_council_2020, parsed_pdf

pytestmark = pytest.mark.django_db

SNAPSHOT_MODELS = [Meeting, Speech, Speaker, MeetingMember, Vote, VoteClaim, MemberVote, NameAlias]


def snapshot() -> dict:
    """Every row of every table a mapping may touch, exactly."""
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in SNAPSHOT_MODELS}


@pytest.fixture
def belgium_unmatched(data_dir):
    """S/PV.8700 (two votes) imported while the archive knows Belgium only as "Kingdom of Belgium"."""
    states = load_council_2020()
    MemberState.objects.filter(pk=states["BEL"].pk).update(name="Kingdom of Belgium")
    result = import_meeting(parsed=parsed_pdf(data_dir, "S_PV.8700_E.pdf"), source="pdf")
    assert "Belgium" in [u.name for u in result.unresolved]
    return MemberState.objects.get(iso3="BEL")


@pytest.fixture
def curator(client):
    user = User.objects.create_user("curator", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="map_printed_name"))
    client.force_login(user)
    return user


def test_an_unresolved_vote_name_stays_visible_as_printed(client, belgium_unmatched):
    claims = list(VoteClaim.objects.filter(source="record").order_by("vote__position"))
    assert [c.unmatched for c in claims][1] == [{"name": "Belgium", "position": "in_favour"}]
    votes = list(Vote.objects.order_by("position"))
    assert [[m.name for m in v.printed_members] for v in votes] == [["Belgium"], ["Belgium"]]
    assert votes[1].printed_members[0].position == "in_favour"  # resolution 2504 (2020)
    assert "unmatched_member" in votes[1].flags
    assert not MemberVote.objects.filter(member_state=belgium_unmatched).exists()
    page = client.get(Speech.objects.get(sequence=3).meeting.get_absolute_url())
    html = page.content.decode()
    assert "Belgium <small" in html and "(as printed)" in html


def test_the_queue_lists_the_name_with_where_it_stands(belgium_unmatched):
    row = next(r for r in printed_names.unresolved_names() if r.name == "Belgium")
    assert (row.speeches, row.meetings, row.members, row.votes) == (2, 1, 1, 2)
    assert printed_names.SECTION in review.all_sections()


def test_mapping_reattributes_everything_and_undo_restores_exactly(belgium_unmatched):
    user = User.objects.create_user("curator")
    before = snapshot()
    decision = map_printed_name(
        name="Belgium", target=Target(member_state=belgium_unmatched), user=user
    )
    speech = Speech.objects.get(sequence=3)
    assert speech.member_state == belgium_unmatched and speech.country_as_printed == "Belgium"
    assert speech.speaker.member_state == belgium_unmatched
    assert MeetingMember.objects.get(country_as_printed="Belgium").member_state == belgium_unmatched
    positions = MemberVote.objects.filter(member_state=belgium_unmatched).order_by("vote__position")
    assert [mv.position for mv in positions][1] == "in_favour"
    assert not VoteClaim.objects.exclude(unmatched=[]).exists()
    assert all(v.members_as_printed == [] for v in Vote.objects.all())
    assert all(c.positions["BEL"] for c in VoteClaim.objects.filter(source="record"))
    assert NameAlias.objects.get(normalised="belgium").member_state == belgium_unmatched
    assert NameResolver.load().resolve("Belgium").member_state_id == belgium_unmatched.pk
    assert decision.kind == "name_mapping" and decision.user == user
    assert "2 statements in 1 meeting" in decision.summary
    assert not any(r.name == "Belgium" for r in printed_names.unresolved_names())

    curation.undo(decision, user=user)
    assert snapshot() == before
    assert Decision.objects.get(pk=decision.pk).is_undone


def _belgium_votes(state) -> list[str]:
    return list(
        MemberVote.objects.filter(member_state=state)
        .order_by("vote__position")
        .values_list("position", flat=True)
    )


def test_a_mapped_vote_name_holds_through_reconciliation_and_reimport(data_dir, belgium_unmatched):
    """Members' votes are derived from the sources' claims: the mapping is made there, so that
    deriving them again (every loader run ends so) or importing the record again keeps it."""
    from archive.reference_data.reconcile import reconcile_votes

    before = snapshot()
    decision = map_printed_name(
        name="Belgium", target=Target(member_state=belgium_unmatched), user=None
    )
    mapped = _belgium_votes(belgium_unmatched)
    assert len(mapped) == 2 and mapped[1] == "in_favour"
    after = snapshot()

    reconcile_votes()
    assert snapshot() == after
    import_meeting(parsed=parsed_pdf(data_dir, "S_PV.8700_E.pdf"), source="pdf", replace=True)
    assert _belgium_votes(belgium_unmatched) == mapped
    assert not VoteClaim.objects.exclude(unmatched=[]).exists()

    curation.undo(decision, user=None)
    assert _belgium_votes(belgium_unmatched) == []
    reconcile_votes()
    restored = snapshot()
    # The re-import wrote new rows (members' lists, members' votes) and timestamps: the facts a
    # mapping touches are as they were.
    for model in ("Speech", "MeetingMember", "Vote", "VoteClaim", "MemberVote", "NameAlias"):
        assert _facts(restored[model]) == _facts(before[model]), model


def _facts(rows: list[dict]) -> list[dict]:
    """Rows without their ids and timestamps, in a stable order."""
    skip = {"id", "recorded_at", "imported_at"}
    kept = [{k: v for k, v in row.items() if k not in skip} for row in rows]
    return sorted(kept, key=repr)


def test_undo_is_refused_when_the_statements_changed_since(belgium_unmatched):
    decision = map_printed_name(
        name="Belgium", target=Target(member_state=belgium_unmatched), user=None
    )
    Speech.objects.filter(sequence=3).update(member_state=None)
    with pytest.raises(curation.CannotUndo):
        curation.undo(decision, user=None)
    assert not Decision.objects.get(pk=decision.pk).is_undone


def test_future_imports_use_the_mapping(data_dir, belgium_unmatched):
    map_printed_name(name="Belgium", target=Target(member_state=belgium_unmatched), user=None)
    result = import_meeting(
        parsed=parsed_pdf(data_dir, "S_PV.8700_E.pdf"), source="pdf", replace=True
    )
    assert "Belgium" not in [u.name for u in result.unresolved]
    assert Speech.objects.get(sequence=3).member_state == belgium_unmatched


def test_a_person_with_no_affiliation_leaves_the_queue_and_is_not_reported(
    data_dir, belgium_unmatched
):
    decision = map_printed_name(name="Belgium", target=Target(), user=None)
    assert Speech.objects.get(sequence=3).member_state is None  # nothing re-attributed
    assert NameAlias.objects.get(normalised="belgium").no_affiliation
    assert not any(r.name == "Belgium" for r in printed_names.unresolved_names())
    result = import_meeting(
        parsed=parsed_pdf(data_dir, "S_PV.8700_E.pdf"), source="pdf", replace=True
    )
    assert "Belgium" not in [u.name for u in result.unresolved]
    curation.undo(decision, user=None)
    assert not NameAlias.objects.filter(normalised="belgium").exists()


def test_mapping_from_the_admin_in_one_step(client, curator, belgium_unmatched):
    queue = client.get(reverse("admin:review"))
    assert queue.status_code == 200
    html = queue.content.decode()
    assert "Unresolved printed names" in html and "Belgium" in html
    form = client.get(reverse("admin:review_map_name") + "?name=Belgium")
    assert f'value="state:{belgium_unmatched.pk}"' in form.content.decode()
    response = client.post(
        reverse("admin:review_map_name"),
        {"name": "Belgium", "target": f"state:{belgium_unmatched.pk}", "next": "/admin/review/"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/review/"
    assert Speech.objects.get(sequence=3).member_state == belgium_unmatched
    decision = Decision.objects.get()
    page = client.get(reverse("admin:review")).content.decode()
    assert escape(decision.summary) in page and "Undo" in page
    client.post(reverse("admin:review_undo", args=[decision.pk]))
    assert Speech.objects.get(sequence=3).member_state is None


@pytest.mark.django_db(transaction=True)
def test_the_public_meeting_page_shows_the_new_attribution_at_once(
    client, settings, belgium_unmatched
):
    # Committed for real: ArchiveState is bumped by the database at COMMIT.
    settings.ARCHIVE_STATE_CACHE_SECONDS = 0
    meeting_url = Speech.objects.get(sequence=3).meeting.get_absolute_url()
    first = client.get(meeting_url)
    map_printed_name(name="Belgium", target=Target(member_state=belgium_unmatched), user=None)
    second = client.get(meeting_url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and second["ETag"] != first["ETag"]
    assert belgium_unmatched.get_absolute_url() in second.content.decode()


def test_the_admin_home_counts_what_needs_review(client, curator, belgium_unmatched):
    html = client.get(reverse("admin:index")).content.decode()
    count = printed_names.count()
    assert count >= 1 and f"Needs review ({count})" in html


def test_a_new_organization_in_one_step_and_undo_removes_it(client, curator, data_dir):
    from archive.models import Affiliation

    load_council_2020()
    parsed = parsed_pdf(data_dir, "S_PV.8700_E.pdf")
    parsed.speeches[2].country = "World Wildlife Fund"
    import_meeting(parsed=parsed, source="pdf")
    before = snapshot()
    response = client.post(
        reverse("admin:review_map_name"),
        {
            "name": "World Wildlife Fund",
            "target": "new",
            "new_name": "World Wide Fund for Nature",
            "new_kind": "civil_society",
        },
    )
    assert response.status_code == 302
    body = Affiliation.objects.get(name="World Wide Fund for Nature")
    assert body.kind == "civil_society" and body.slug == "world-wide-fund-for-nature"
    assert Speech.objects.get(sequence=3).affiliation == body
    decision = Decision.objects.get()
    assert "mapped to a new organization, World Wide Fund for Nature" in decision.summary
    curation.undo(decision, user=None)
    assert snapshot() == before
    assert not Affiliation.objects.filter(pk=body.pk).exists()


def test_an_unresolved_presidency_is_mapped_with_the_presidents_statements(data_dir):
    states = load_council_2020()
    parsed = parsed_pdf(data_dir, "S_PV.8701_E.pdf")
    parsed.president.country = "Annam"
    for speech in parsed.speeches:  # "The President:", with no State printed beside it
        speech.country = None
    import_meeting(parsed=parsed, source="pdf")
    meeting = Meeting.objects.get(symbol="S/PV.8701")
    assert meeting.presidency is None and meeting.presidency_as_printed == "Annam"
    assert not Speech.objects.filter(member_state__isnull=False).exists()
    row = next(r for r in printed_names.unresolved_names() if r.name == "Annam")
    assert row.presidencies == 1
    before = snapshot()
    decision = map_printed_name(name="Annam", target=Target(member_state=states["VNM"]), user=None)
    assert Meeting.objects.get(pk=meeting.pk).presidency == states["VNM"]
    assert set(Speech.objects.values_list("member_state__iso3", flat=True)) == {"VNM"}
    assert "1 presidency" in decision.summary and "2 statements" in decision.summary
    curation.undo(decision, user=None)
    assert snapshot() == before
