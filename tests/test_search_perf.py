"""Search at volume: the denormalised speech columns and the phrase paths that keep it fast.

``Speech.meeting_date`` and ``Speech.on_council`` are kept by database triggers (migration
perf_speech_denormalised); phrase queries are matched through the pairs index. Whatever the
path, the results must be those of the plain definition.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from archive import search
from archive.importing import import_meeting
from archive.middleware import clear_validator_cache
from archive.models import AgendaItem, CouncilTerm, Meeting, MemberState, Speech
from tests.council_2020 import load_council_2020, parsed_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    clear_validator_cache()
    yield
    cache.clear()


def _seated(speech: Speech) -> bool:
    """The definition: the State held a seat in the year of the meeting."""
    date = speech.meeting.date
    if speech.member_state_id is None or date is None:
        return False
    return CouncilTerm.objects.filter(
        member_state_id=speech.member_state_id, start_year__lte=date.year, end_year__gte=date.year
    ).exists()


def _assert_denormalised(speeches) -> None:
    for speech in speeches:
        speech.refresh_from_db()
        assert speech.meeting_date == speech.meeting.date, speech
        assert speech.on_council == _seated(speech), speech


# --------------------------------------------------------------------------- triggers


def test_imported_speeches_carry_the_meeting_date_and_council_seat(data_dir):
    load_council_2020()
    parsed = parsed_pdf(data_dir, "S_PV.8700_E.pdf")
    import_meeting(parsed=parsed, source=Meeting.Source.PDF)
    speeches = list(Speech.objects.filter(meeting__symbol="S/PV.8700").select_related("meeting"))
    assert speeches
    _assert_denormalised(speeches)
    # Both kinds occur: Council members and invited States (rule 37).
    assert {s.on_council for s in speeches if s.member_state_id} == {True, False}


@pytest.fixture
def small():
    niger = MemberState.objects.create(name="Niger", iso3="NER")
    france = MemberState.objects.create(name="France", iso3="FRA")
    CouncilTerm.objects.create(member_state=niger, seat="elected", start_year=2020, end_year=2021)
    meeting = Meeting.objects.create(
        symbol="S/PV.8699", meeting_number=8699, date=datetime.date(2019, 12, 20)
    )
    speech = Speech.objects.create(
        meeting=meeting, sequence=1, attribution="Mr. A (Niger)", member_state=niger,
        role="invited", text="Peace in the Sahel.",
    )  # fmt: skip
    body = Speech.objects.create(
        meeting=meeting, sequence=2, attribution="Ms. B", role="un", text="Peace."
    )
    return niger, france, meeting, speech, body


def test_meeting_date_change_reaches_its_speeches(small):
    niger, _france, meeting, speech, body = small
    _assert_denormalised([speech, body])
    assert not Speech.objects.get(pk=speech.pk).on_council  # 2019: Niger not yet seated
    Meeting.objects.filter(pk=meeting.pk).update(date=datetime.date(2020, 1, 9))
    _assert_denormalised([speech, body])
    assert Speech.objects.get(pk=speech.pk).on_council
    meeting.date = None
    meeting.save()
    _assert_denormalised([speech, body])


def test_council_terms_added_changed_removed_reach_the_speeches(small):
    niger, france, meeting, speech, _body = small
    term = CouncilTerm.objects.create(
        member_state=niger, seat="elected", start_year=2018, end_year=2019
    )
    assert Speech.objects.get(pk=speech.pk).on_council
    term.start_year, term.end_year = 2016, 2017
    term.save()
    assert not Speech.objects.get(pk=speech.pk).on_council
    term.end_year = 2019
    term.save()
    assert Speech.objects.get(pk=speech.pk).on_council
    term.delete()
    assert not Speech.objects.get(pk=speech.pk).on_council
    # Moving a speech to another State re-evaluates it too.
    CouncilTerm.objects.create(
        member_state=france, seat="permanent", start_year=1946, end_year=2026
    )
    Speech.objects.filter(pk=speech.pk).update(member_state=france)
    assert Speech.objects.get(pk=speech.pk).on_council


def test_values_written_by_hand_or_copy_are_recomputed(small):
    niger, _france, meeting, speech, _body = small
    Speech.objects.filter(pk=speech.pk).update(meeting_date=datetime.date(1999, 1, 1))
    _assert_denormalised([speech])
    # A bulk load by COPY (the corpus importer) leaves the columns out: the trigger fills them.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO archive_speech (meeting_id, sequence, attribution, speaker_name,"
            " country_as_printed, member_state_id, role, spoke_in, on_behalf_of, text)"
            " VALUES (%s, 3, 'Mr. C (Niger)', '', '', %s, 'invited', '', '', 'Peace.')",
            [meeting.pk, niger.pk],
        )
    _assert_denormalised(list(Speech.objects.filter(meeting=meeting).select_related("meeting")))


# --------------------------------------------------------------------------- phrases


@pytest.mark.parametrize(
    ("tsquery", "relaxed"),
    [
        ("'sexual' <-> 'violenc'", "'sexual' & 'violenc'"),
        ("'intern' <-> 'peac' <2> 'secur' | 'b'", "'intern' & 'peac' & 'secur' | 'b'"),
        ("'peac'", None),  # no phrase: nothing to relax
        ("'nuclear' & !'iran'", None),
        ("'syria' & !( 'sexual' <-> 'violenc' )", None),  # weakening under NOT is not implied
        ("'it''s' <-> 'x'", "'it''s' & 'x'"),
        ("", None),
    ],
)
def test_relaxed_phrase_query(tsquery, relaxed):
    assert search.relaxed_phrase_query(tsquery) == relaxed


@pytest.fixture
def phrases():
    agenda = AgendaItem.objects.create(title="Women and peace and security", slug="wps")
    texts = {
        "phrase": "Sexual violence in conflict must end.",
        "phrase_again": "We condemn sexual violence and impunity.",
        "apart": "The violence was not sexual in nature.",
        "words_far": "Sexual exploitation is one form of violence.",
        "other": "Impunity for violence persists.",
    }
    speeches = {}
    for n, (key, text) in enumerate(texts.items()):
        meeting = Meeting.objects.create(
            symbol=f"S/PV.{9000 + n}",
            meeting_number=9000 + n,
            date=datetime.date(2020, 1, 1 + n),
            agenda_item=agenda,
        )
        speeches[key] = Speech.objects.create(
            meeting=meeting, sequence=1, attribution="Speaker", role="other", text=text
        )
    return speeches


def _page_ids(client, **params) -> list[int]:
    response = client.get(reverse("archive:search"), params)
    assert response.status_code == 200
    return [s.pk for s in response.context["speeches"]]


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_phrase_paths_match_only_real_phrases(client, phrases, sort):
    ids = _page_ids(client, q='"sexual violence"', sort=sort)
    assert set(ids) == {phrases["phrase"].pk, phrases["phrase_again"].pk}
    if sort == "newest":
        assert ids[0] == phrases["phrase_again"].pk


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("violence -sexual", {"other"}),
        ("violence -impunity", {"phrase", "apart", "words_far"}),
        ('"sexual violence" OR impunity', {"phrase", "phrase_again", "other"}),
        ('violence -"sexual violence"', {"apart", "words_far", "other"}),
    ],
)
def test_negations_and_alternatives_with_phrases(client, phrases, q, expected):
    for sort in ("relevance", "newest"):
        ids = _page_ids(client, q=q, sort=sort)
        assert set(ids) == {phrases[k].pk for k in expected}, sort


def test_facets_count_topics_through_meetings(client, phrases):
    stats = client.get(reverse("archive:search"), {"q": "violence"}).context["stats"]
    assert stats.total == 5
    assert {v.value: v.count for v in stats.topics} == {"wps": 5}
    assert {v.value: v.count for v in stats.years} == {"2020": 5}
    assert stats.tsquery == "'violenc'"
