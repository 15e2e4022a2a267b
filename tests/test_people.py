"""Persons behind printed names: folding, proposals, staff's merges (and their undoing),
statement headings, names from the cover page, person pages and the speaker filter.

The real cases come from the data: Estonia's Sven Jürgenson, printed "Mr. Jürgenson" in the
official PDFs and "Mr. Jiirgenson", "Mr. Jtirgenson", "Sven Jiirgenson", "Mr. Sven Juiirgenson"
in the OCRed corpus; South Africa's Jerry Matjila, printed four ways.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from archive.curation import CannotUndo, undo
from archive.models import (
    Affiliation,
    Meeting,
    MeetingMember,
    MemberState,
    Person,
    PersonMergeProposal,
    Speaker,
    Speech,
)
from archive.people.attribution import after_import
from archive.people.folding import fold_name, gender_of
from archive.people.labels import heading, speaker_label, speaker_note
from archive.people.merges import MergeError, accept_merge, reject_merge
from archive.people.persons import ensure_persons, fold_speakers
from archive.people.proposals import PersonFacts, compare, propose_merges

JURGENSON = ["Mr. Jürgenson", "Mr. Jiirgenson", "Mr. Jtirgenson", "Sven Jiirgenson"]
JURGENSON += ["Mr. Sven Juiirgenson", "Mr. Sven Jiirgenson"]
MATJILA = ["Mr. Matjila", "Jerry Matjila", "Mr. Jerry Matjila", "Mr. Jerry Matthews Matjila"]


# --------------------------------------------------------------------------- folding (pure)


@pytest.mark.parametrize("name", JURGENSON)
def test_every_printed_spelling_of_jurgenson_folds_to_one_key(name):
    assert fold_name(name).split()[-1] == "jurgenson"


@pytest.mark.parametrize("query", ["Jurgenson", "Jürgenson", "Jiirgenson", "JÜRGENSON"])
def test_queries_with_or_without_diacritics_fold_alike(query):
    assert fold_name(query) == "jurgenson"


@pytest.mark.parametrize(
    ("name", "key"), [("Ms. King", "king"), ("Ms. Prince", "prince"), ("King Philippe", "philipe")]
)
def test_a_surname_that_is_also_a_title_is_kept(name, key):
    assert fold_name(name) == key


@pytest.mark.django_db
def test_folding_again_writes_nothing():
    """A second import must not rewrite spellings (each write is a new archive version)."""
    Speaker.objects.create(name="Ms. King")
    Speaker.objects.create(name="...")
    ensure_persons()
    assert fold_speakers() == 0
    assert sorted(Speaker.objects.values_list("folded_name", flat=True)) == ["", "king"]


@pytest.mark.parametrize(
    ("name", "gender"),
    [("Mr. Zhang Jun", "m"), ("Ms. DiCarlo", "f"), ("Mrs. Craft", "f"), ("Jerry Matjila", "")],
)
def test_honorifics_say_gender_when_they_can(name, gender):
    assert gender_of(name) == gender


# --------------------------------------------------------------------------- proposals (pure)


def _facts(pk, *names, body=(1, None), first=(2020, 1), last=(2020, 12)):
    fact = PersonFacts(pk, spellings=list(names), bodies={body}, body_names={body: "Estonia"})
    fact.first, fact.last = datetime.date(*first, 1), datetime.date(*last, 1)
    fact.genders = {g for g in (gender_of(n) for n in names) if g}
    return fact


@pytest.mark.parametrize(("one", "two"), [(JURGENSON[0], n) for n in JURGENSON[1:]])
def test_ocr_variants_of_one_name_are_proposed(one, two):
    match = compare(_facts(1, one), _facts(2, two))
    assert match is not None and match.score >= 0.8
    assert any("same State" in reason for reason in match.reasons)


@pytest.mark.parametrize(("one", "two"), [(MATJILA[0], n) for n in MATJILA[1:]])
def test_a_name_with_given_names_added_is_proposed(one, two):
    assert compare(_facts(1, one), _facts(2, two)) is not None


@pytest.mark.parametrize(
    ("one", "two", "why"),
    [
        ("Mr. Zhang Jun", "Mr. Zhang Dianbin", "another given name"),
        ("Mr. Craft", "Mrs. Craft", "honorifics of different genders"),
        ("The President", "The President", "an office, not a person"),
        ("Mr. Nebenzia/Mr. Polyanskiy", "Mr. Nebenzia", "a cover-page entry naming two"),
        ("Mr. Wang", "Mr. Wong Kar", "different names"),
    ],
)
def test_different_people_are_not_proposed(one, two, why):
    assert compare(_facts(1, one), _facts(2, two)) is None, why


def test_persons_years_apart_are_not_proposed():
    old = _facts(1, "Mr. Wang", first=(1995, 1), last=(1998, 1))
    assert compare(old, _facts(2, "Mr. Wang Min")) is None


def test_other_bodies_need_the_same_full_name_and_score_lower():
    estonia = _facts(1, "Sven Jiirgenson")
    un = _facts(2, "Sven Jiirgenson", body=(None, 9))
    un.body_names = {(None, 9): "United Nations"}
    match = compare(estonia, un)
    assert match is not None and match.score < 0.8
    assert compare(_facts(1, "Mr. Jiirgenson"), un) is None


# --------------------------------------------------------------------------- the real data


@pytest.fixture
def estonia_and_south_africa(demo_archive):
    """The demo archive (loaded once per run; each test's changes are rolled back): the ten
    official PDFs and the 2020 corpus, as the corpus prints them."""
    return {
        "estonia": MemberState.objects.get(iso3="EST"),
        "south_africa": MemberState.objects.get(iso3="ZAF"),
    }


@pytest.fixture
def staff(db):
    return User.objects.create_user("curator", is_staff=True)


def _persons_named(fragment: str) -> set[int]:
    return set(
        Speaker.objects.filter(folded_name__contains=fragment).values_list("person_id", flat=True)
    )


@pytest.mark.django_db
def test_every_spelling_gets_a_person_and_variants_are_proposed(estonia_and_south_africa):
    assert not Speaker.objects.filter(person__isnull=True).exists()
    jurgenson = _persons_named("jurgenson")
    printed = set(Speaker.objects.filter(person_id__in=jurgenson).values_list("name", flat=True))
    assert {"Mr. Jürgenson", "Mr. Jiirgenson", "Mr. Jtirgenson", "Sven Jiirgenson"} <= printed
    assert len(jurgenson) >= 5  # one person per spelling until staff decide
    proposed = PersonMergeProposal.objects.filter(
        person_a_id__in=jurgenson, person_b_id__in=jurgenson
    )
    # Every spelling is proposed with at least one other: staff can join them all.
    linked = {p.person_a_id for p in proposed} | {p.person_b_id for p in proposed}
    assert linked == jurgenson
    assert all(p.status == PersonMergeProposal.Status.PENDING for p in proposed)


def _accept_all(persons: set[int], user) -> Person:
    while True:
        pending = PersonMergeProposal.objects.needs_review().filter(
            person_a_id__in=persons, person_b_id__in=persons
        )
        proposal = pending.first()
        if proposal is None:
            break
        accept_merge(proposal, user)
    live = {Person.objects.get(pk=pk).live().pk for pk in persons}
    assert len(live) == 1
    return Person.objects.get(pk=live.pop())


@pytest.mark.django_db
def test_accepted_proposals_make_one_person_page_with_every_spelling(
    client, estonia_and_south_africa, staff
):
    jurgenson = _persons_named("jurgenson")
    all_statements = Speech.objects.filter(speaker__person_id__in=jurgenson).count()
    person = _accept_all(jurgenson, staff)
    assert person.name == "Mr. Jürgenson"  # the official record's spelling, with its umlaut
    assert Speech.objects.filter(speaker__person=person).count() == all_statements
    response = client.get(person.get_absolute_url())
    html = response.content.decode()
    for spelling in ["Mr. Jürgenson", "Mr. Jiirgenson", "Mr. Jtirgenson", "Sven Jiirgenson"]:
        assert spelling in html
    assert response.context["page"].paginator.count == all_statements
    # An old speaker address and a merged person's address both lead to the person.
    merged = Person.objects.filter(merged_into=person).first()
    assert client.get(merged.get_absolute_url())["Location"] == person.get_absolute_url()
    speaker = Speaker.objects.filter(person=person).first()
    assert client.get(speaker.get_absolute_url())["Location"] == person.get_absolute_url()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Jurgenson", "Jürgenson", "Jiirgenson", "jurgenson"])
def test_the_speaker_filter_finds_every_spelling(client, estonia_and_south_africa, staff, query):
    person = _accept_all(_persons_named("jurgenson"), staff)
    response = client.get(reverse("archive:search"), {"person": query})
    assert response.status_code == 200
    expected = Speech.objects.filter(speaker__person=person).count()
    assert response.context["total"] == expected > 50


@pytest.mark.django_db
def test_the_speaker_filter_finds_unmerged_spellings_too(client, estonia_and_south_africa):
    response = client.get(reverse("archive:search"), {"person": "Jürgenson"})
    spellings = Speaker.objects.filter(folded_name__regex=r"(^| )jurgenson$")
    assert response.context["total"] == Speech.objects.filter(speaker__in=spellings).count()


@pytest.mark.django_db
def test_the_lookup_box_offers_the_person(client, estonia_and_south_africa, staff):
    _accept_all(_persons_named("jurgenson"), staff)
    response = client.get(reverse("archive:lookup"), {"q": "Jürgenson"})
    assert response.status_code == 200
    assert "Mr. Jürgenson" in response.content.decode()
    response = client.get(reverse("archive:lookup"), {"q": "Sven Jurgenson"})
    assert response.status_code == 302 and "/people/" in response["Location"]


@pytest.mark.django_db
def test_who_spoke_for_south_africa_accounts_for_every_statement(client, estonia_and_south_africa):
    state = estonia_and_south_africa["south_africa"]
    response = client.get(state.get_absolute_url())
    rows = response.context["representatives"]
    assert sum(row["n"] for row in rows) == Speech.objects.filter(member_state=state).count()
    unnamed = [row for row in rows if not row["url"]]
    assert unnamed and "the source names no one" in response.content.decode()


@pytest.mark.django_db
def test_unnamed_corpus_statements_read_as_representative_of_the_state(
    client, estonia_and_south_africa
):
    state = estonia_and_south_africa["south_africa"]
    unnamed = Speech.objects.filter(member_state=state, speaker_name="").select_related(
        "meeting", "member_state", "affiliation", "speaker"
    )
    assert unnamed.exists()
    for speech in unnamed:
        assert heading(speech) == "Representative of South Africa"
        assert speech.attribution == ""  # nothing was printed
    speech = unnamed.first()
    html = client.get(speech.meeting.get_absolute_url()).content.decode()
    headings = re.findall(r'<h3 class="speech-head">(.*?)</h3>', html, re.S)
    shown = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", h)) for h in headings]
    assert shown and not any("unknown" in h.lower() for h in shown)
    assert not any(re.search(r"\(([^()]+)\)\s*\(\1\)", h) for h in shown)
    assert any("Representative of South Africa" in h for h in shown)
    page = client.get(speech.get_absolute_url()).content.decode()
    assert "Representative of South Africa, S/2020/" in page  # the citation
    assert "Speaker (South Africa)" not in page


# --------------------------------------------------------------------------- decisions


def _snapshot() -> dict:
    return {
        "persons": list(Person.objects.order_by("pk").values()),
        "speakers": list(Speaker.objects.order_by("pk").values_list("pk", "person_id")),
        "proposals": list(PersonMergeProposal.objects.order_by("pk").values()),
    }


@pytest.fixture
def two_spellings(db):
    estonia = MemberState.objects.create(name="Estonia", iso3="EST")
    meeting = Meeting.objects.create(symbol="S/PV.8700", meeting_number=8700)
    for sequence, name in enumerate(["Mr. Jürgenson", "Mr. Jiirgenson", "Mr. Jiirgenson"], 1):
        speaker, _ = Speaker.objects.get_or_create(name=name, member_state=estonia)
        Speech.objects.create(
            meeting=meeting,
            sequence=sequence,
            attribution=f"{name} (Estonia)",
            speaker=speaker,
            speaker_name=name,
            member_state=estonia,
            role="member",
            text="Statement.",
        )
    ensure_persons()
    propose_merges()
    return PersonMergeProposal.objects.get()


def test_accepting_then_undoing_restores_everything_exactly(two_spellings, staff):
    before = _snapshot()
    kept = accept_merge(two_spellings, staff)
    assert kept.name == "Mr. Jürgenson" and Person.objects.live().count() == 1
    proposal = PersonMergeProposal.objects.get()
    assert proposal.status == "accepted" and proposal.kept == kept
    assert proposal.decision.kind == "person_merge" and proposal.decision.user == staff
    undo(proposal.decision, user=staff)
    assert _snapshot() == before


def test_rejecting_then_undoing_restores_everything_exactly(two_spellings, staff):
    before = _snapshot()
    reject_merge(two_spellings, staff)
    assert PersonMergeProposal.objects.get().status == "rejected"
    assert not PersonMergeProposal.objects.needs_review().exists()
    propose_merges()  # a rejected pair is never proposed again
    assert PersonMergeProposal.objects.count() == 1
    undo(PersonMergeProposal.objects.get().decision, user=staff)
    assert _snapshot() == before


def test_a_decided_proposal_cannot_be_decided_again(two_spellings, staff):
    accept_merge(two_spellings, staff)
    with pytest.raises(MergeError):
        reject_merge(two_spellings, staff)
    decision = PersonMergeProposal.objects.get().decision
    undo(decision, user=staff)
    with pytest.raises(CannotUndo):
        undo(decision, user=staff)


def test_an_earlier_merge_is_not_undone_under_a_later_one(two_spellings, staff):
    kept = accept_merge(two_spellings, staff)
    first = PersonMergeProposal.objects.get().decision
    third = Speaker.objects.create(name="Mr. Sven Jürgenson", member_state=kept.member_state)
    Speech.objects.filter(sequence=3).update(speaker=third)
    ensure_persons()
    propose_merges()
    later = PersonMergeProposal.objects.needs_review().get()
    third.refresh_from_db()
    accept_merge(later, staff, keep=third.person)  # the merged person joins another
    with pytest.raises(CannotUndo):
        undo(first, user=staff)


# --------------------------------------------------------------------------- headings


@pytest.fixture
def cover_page(db):
    niger = MemberState.objects.create(name="Niger", iso3="NER")
    viet_nam = MemberState.objects.create(name="Viet Nam", iso3="VNM")
    meeting = Meeting.objects.create(
        symbol="S/PV.9999",
        meeting_number=9999,
        presidency=viet_nam,
        president_name="Mr. Pham Binh Minh/Mr. Dang",
    )
    MeetingMember.objects.create(
        meeting=meeting,
        member_state=niger,
        country_as_printed="Niger",
        representative="Mr. Abarry",
        position=1,
    )
    speeches = {}
    for sequence, state in enumerate([niger, viet_nam], 1):
        speeches[state.iso3] = Speech.objects.create(
            meeting=meeting, sequence=sequence, member_state=state, role="member", text="..."
        )
    return meeting, speeches


def test_the_cover_page_names_the_speaker_where_it_names_one_person(cover_page):
    meeting, speeches = cover_page
    after_import(meeting_ids=[meeting.pk])
    niger = Speech.objects.select_related("speaker", "member_state").get(pk=speeches["NER"].pk)
    assert speaker_label(niger) == "Mr. Abarry" and niger.speaker_name == ""
    assert speaker_note(niger) == "name from the meeting's cover page"
    assert niger.speaker.person is not None
    # The presidency's entry names two people: no guess.
    viet_nam = Speech.objects.select_related("member_state").get(pk=speeches["VNM"].pk)
    assert viet_nam.speaker_id is None and speaker_label(viet_nam) == "Representative of Viet Nam"


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("Niger", None, "Representative of the Niger"),
        ("Russian Federation", None, "Representative of the Russian Federation"),
        ("South Africa", None, "Representative of South Africa"),
        ("European Union", "organization", "Representative of the European Union"),
        ("Holy See", "observer_state", "Representative of the Holy See"),
    ],
)
def test_representative_of_reads_as_the_un_writes_it(db, name, kind, expected):
    meeting = Meeting.objects.create(symbol="S/2020/1", kind="letter_compilation")
    speech = Speech(meeting=meeting, sequence=1, speaker_name="unknown", role="member", text=".")
    if kind:
        speech.affiliation = Affiliation.objects.create(name=name, kind=kind, slug=name.lower())
    else:
        speech.member_state = MemberState.objects.create(name=name, iso3=name[:3].upper())
    assert speaker_label(speech) == expected
    assert heading(speech) == expected  # the body is not repeated
