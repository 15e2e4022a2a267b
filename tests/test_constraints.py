"""Integrity lives in the database: each constraint refuses what it should."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from archive.models import (
    Affiliation,
    Meeting,
    MemberState,
    MemberVote,
    NameAlias,
    Resolution,
    Speech,
    Vote,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def france():
    return MemberState.objects.create(name="France", iso3="FRA", iso2="FR")


@pytest.fixture
def meeting():
    return Meeting.objects.create(symbol="S/PV.8514", meeting_number=8514)


def refused(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_resolution_number_and_year_unique():
    Resolution.objects.create(number=2467, year=2019)
    refused(lambda: Resolution.objects.create(number=2467, year=2019))
    Resolution.objects.create(number=2467, year=2020)  # only the pair is unique


def test_meeting_number_and_resumption_unique(meeting):
    refused(lambda: Meeting.objects.create(symbol="S/PV.8514 bis", meeting_number=8514))
    Meeting.objects.create(symbol="S/PV.8514 (Resumption 1)", meeting_number=8514, resumption=1)
    refused(
        lambda: Meeting.objects.create(
            symbol="S/PV.8514 (Resumption 1) bis", meeting_number=8514, resumption=1
        )
    )


def test_letter_compilation_has_no_meeting_number():
    refused(
        lambda: Meeting.objects.create(
            symbol="S/2020/340", kind=Meeting.Kind.LETTER_COMPILATION, meeting_number=1
        )
    )


def test_speech_sequence_unique_per_meeting(meeting):
    Speech.objects.create(
        meeting=meeting, sequence=1, attribution="The President:", role="president", text="x"
    )
    # The constraint is deferred: the duplicate fails when the transaction commits.
    with pytest.raises(IntegrityError), transaction.atomic():
        Speech.objects.create(
            meeting=meeting, sequence=1, attribution="Mr. X:", role="other", text="y"
        )
        with transaction.get_connection().cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_alias_needs_exactly_one_target(france):
    un = Affiliation.objects.create(name="United Nations", kind="united_nations", slug="un")
    refused(lambda: NameAlias.build("Nowhere").save())
    refused(lambda: NameAlias.build("Both", member_state=france, affiliation=un).save())
    NameAlias.build("République française", member_state=france).save()
    refused(lambda: NameAlias.build("REPUBLIQUE FRANCAISE", member_state=france).save())


@pytest.mark.parametrize("field", ["in_favour_count", "against_count", "abstaining_count"])
def test_vote_counts_at_most_15(field):
    refused(lambda: Vote.objects.create(outcome="adopted", **{field: 16}))


def test_failed_vote_has_no_resolution():
    resolution = Resolution.objects.create(number=1, year=1946)
    refused(lambda: Vote.objects.create(outcome="vetoed", resolution=resolution))
    refused(lambda: Vote.objects.create(outcome="not_adopted", resolution=resolution))
    Vote.objects.create(outcome="adopted", resolution=resolution)
    refused(lambda: Vote.objects.create(outcome="adopted", resolution=resolution))  # one-to-one


def test_veto_is_a_vote_against(france):
    vote = Vote.objects.create(outcome="vetoed", date=datetime.date(2019, 12, 20))
    refused(
        lambda: MemberVote.objects.create(
            vote=vote, member_state=france, position="abstaining", is_veto=True
        )
    )
    MemberVote.objects.create(vote=vote, member_state=france, position="against", is_veto=True)
    refused(lambda: MemberVote.objects.create(vote=vote, member_state=france, position="against"))


def test_member_state_codes_and_dates():
    refused(lambda: MemberState.objects.create(name="X", iso3="xx1"))
    refused(
        lambda: MemberState.objects.create(
            name="Y",
            iso3="YYY",
            admission_date=datetime.date(2000, 1, 1),
            membership_ended=datetime.date(1999, 1, 1),
        )
    )


def test_invalid_choices_refused(france):
    refused(lambda: Affiliation.objects.create(name="Z", kind="planet", slug="z"))
    vote = Vote.objects.create(outcome="adopted")
    refused(lambda: MemberVote.objects.create(vote=vote, member_state=france, position="maybe"))


@pytest.mark.parametrize(
    ("field", "value"), [("subject", "resolution"), ("outcome", "withdrawn"), ("outcome", "")]
)
def test_vote_choices_refused(field, value):
    refused(lambda: Vote.objects.create(**{"outcome": "adopted", field: value}))


def test_meeting_source_refused():
    refused(lambda: Meeting.objects.create(symbol="S/PV.1", meeting_number=1, source="scraped"))
