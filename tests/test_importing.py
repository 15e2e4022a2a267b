"""The import service: a parsed record becomes a meeting with everything in it, atomically."""

import datetime
import time

import pytest

from archive import importing
from archive.importing import AlreadyImported, import_meeting, match_speeches, resolve_names
from archive.models import (
    Affiliation,
    AgendaItem,
    ImportRecord,
    Meeting,
    MeetingMember,
    MemberVote,
    Mention,
    ProceduralLine,
    Resolution,
    Speaker,
    Speech,
    Vote,
)
from archive.names import NameResolver
from archive.parsing import (
    ParsedMeeting,
    ParsedMember,
    ParsedMentions,
    ParsedPresident,
    ParsedProcedure,
    ParsedSpeech,
    ParsedVote,
)
from tests.council_2020 import load_council_2020, parsed_pdf

pytestmark = pytest.mark.django_db

TABLES = [
    Meeting,
    MeetingMember,
    ProceduralLine,
    Speaker,
    Speech,
    Mention,
    Resolution,
    Vote,
    MemberVote,
    AgendaItem,
    ImportRecord,
]


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


@pytest.fixture
def council():
    return load_council_2020()


def _speech(
    sequence, attribution, text, *, country=None, role="member", resolutions=(), documents=()
):
    speaker = attribution.split(" (")[0]
    return ParsedSpeech(
        sequence=sequence,
        attribution=attribution,
        speaker=speaker,
        speaker_title=speaker.split(" ")[0] if speaker.startswith(("Mr.", "Ms.")) else None,
        country=country,
        role=role,
        spoke_in=None,
        on_behalf_of=None,
        page=2,
        text=text,
        mentions=ParsedMentions(resolutions=list(resolutions), documents=list(documents)),
    )


def hand_built_veto_meeting() -> ParsedMeeting:
    """A small record built by hand: a draft vetoed by the Russian Federation."""
    speeches = [
        _speech(
            1,
            "The President",
            "I put the draft resolution S/2020/999 to the vote.",
            country="Viet Nam",
            role="president",
            documents=["S/2020/999"],
        ),
        _speech(
            2,
            "Mr. Nebenzia (Russian Federation) (spoke in Russian)",
            "We voted against, recalling resolution 2254 (2015) and resolution 2254.",
            country="Russian Federation",
            resolutions=["2254 (2015)", "2254"],
        ),
        _speech(
            3,
            "Mr. Nowhere (Ruritania)",
            "Ruritania regrets the outcome.",
            country="Ruritania",
            role="invited",
        ),
    ]
    others = [
        "Belgium",
        "Dominican Republic",
        "Estonia",
        "France",
        "Indonesia",
        "Niger",
        "Saint Vincent and the Grenadines",
        "South Africa",
        "Tunisia",
        "United Kingdom of Great Britain and Northern Ireland",
        "United States of America",
        "Viet Nam",
    ]
    return ParsedMeeting(
        symbol="S/PV.9999",
        meeting_number=9999,
        resumption=None,
        date=datetime.date(2020, 7, 7),
        time="15:00",
        place="New York",
        president=ParsedPresident(name="Mr. Dang", country="Viet Nam"),
        members=[
            ParsedMember(country="Russian Federation", name="Mr. Nebenzia"),
            ParsedMember(country="Germany", name="Mr. Heusgen"),
        ],
        agenda=["The situation in the Middle East", "Report (S/2020/1)"],
        invitations=[],
        speeches=speeches,
        procedure=[
            ParsedProcedure(after_speech=0, text="The meeting was called to order."),
            ParsedProcedure(after_speech=1, text="A vote was taken by show of hands."),
        ],
        votes=[
            ParsedVote(
                draft="S/2020/999",
                subject="draft resolution",
                in_favour=others,
                against=["Russian Federation", "Germany"],
                abstaining=["China"],
                not_participating=[],
                result="vetoed",
                resolution=None,
                tally="12-2-1",
                after_speech=1,
            )
        ],
        mentions=ParsedMentions(),
        page_count=3,
    )


# --------------------------------------------------------------------------- a real record


def test_import_creates_meeting_and_everything_in_it(council, data_dir):
    parsed = parsed_pdf(data_dir, "S_PV.8700_E.pdf")
    result = import_meeting(parsed=parsed, source=Meeting.Source.PDF)

    meeting = Meeting.objects.get(symbol="S/PV.8700")
    assert result.meeting == meeting and result.created and not result.replaced
    assert (meeting.meeting_number, meeting.date) == (8700, datetime.date(2020, 1, 10))
    assert meeting.source == Meeting.Source.PDF and meeting.imported_at is not None
    assert meeting.presidency == council["VNM"]
    assert meeting.president_name == parsed.president.name
    assert meeting.page_count == parsed.page_count == 12
    assert meeting.speech_count == len(parsed.speeches) == meeting.speeches.count()
    assert meeting.agenda == parsed.agenda
    assert meeting.agenda_item.slug == "the-situation-in-the-middle-east"
    assert meeting.procedure.count() == len(parsed.procedure)

    members = list(meeting.members.select_related("member_state"))
    assert [m.country_as_printed for m in members] == [m.country for m in parsed.members]
    assert all(m.member_state is not None for m in members)

    president_turn = meeting.speeches.get(sequence=1)
    assert president_turn.role == Speech.Role.PRESIDENT
    assert president_turn.member_state == council["VNM"]
    assert president_turn.speaker.name == parsed.president.name
    nebenzia = meeting.speeches.get(sequence=2)
    assert nebenzia.member_state == council["RUS"]
    assert nebenzia.spoke_in == "Russian"
    assert nebenzia.attribution == "Mr. Nebenzia (Russian Federation) (spoke in Russian)"
    # "United Kingdom" as printed in a speech label resolves to the full name's State.
    uk = meeting.speeches.filter(country_as_printed="United Kingdom").first()
    assert uk is not None and uk.member_state == council["GBR"]

    expected_mentions = sum(
        len(set(s.mentions.documents) | {f"S/RES/{r}" for r in s.mentions.resolutions})
        for s in parsed.speeches
    )
    assert Mention.objects.filter(speech__meeting=meeting).count() == expected_mentions
    assert result.counts["mentions"] == expected_mentions
    assert Mention.objects.filter(speech__meeting=meeting, symbol="S/2020/24").exists()

    record = ImportRecord.objects.get(meeting=meeting)
    assert record.action == ImportRecord.Action.IMPORT
    assert record.summary == result.summary
    assert f"{len(parsed.speeches)} speeches, 2 votes" in record.summary


def test_votes_of_8700_amendment_failed_and_resolution_2504_adopted(council, data_dir):
    import_meeting(parsed=parsed_pdf(data_dir, "S_PV.8700_E.pdf"), source="pdf")
    amendment, adoption = Vote.objects.filter(meeting__symbol="S/PV.8700").order_by("position")

    assert amendment.subject == Vote.Subject.AMENDMENT
    assert amendment.outcome == Vote.Outcome.NOT_ADOPTED and amendment.resolution is None
    assert amendment.tally == "3-7-5"
    assert amendment.member_votes.count() == 15
    assert {mv.member_state.iso3 for mv in amendment.member_votes.filter(position="in_favour")} == {
        "CHN",
        "RUS",
        "VNM",
    }

    assert adoption.outcome == Vote.Outcome.ADOPTED and adoption.tally == "11-0-4"
    resolution = adoption.resolution
    assert (resolution.number, resolution.year) == (2504, 2020)
    assert resolution.adopted_on == datetime.date(2020, 1, 10)
    assert resolution.meeting.symbol == "S/PV.8700"
    assert adoption.after_speech is not None and adoption.after_speech > amendment.after_speech
    abstaining = {
        mv.member_state.iso3 for mv in adoption.member_votes.filter(position="abstaining")
    }
    assert abstaining == {"CHN", "RUS", "GBR", "USA"}
    assert not MemberVote.objects.filter(is_veto=True).exists()


def test_resolution_2505_of_8701_is_created_and_its_mention_linked(council, data_dir):
    import_meeting(parsed=parsed_pdf(data_dir, "S_PV.8701_E.pdf"), source="pdf")
    vote = Vote.objects.get(meeting__symbol="S/PV.8701")
    assert vote.resolution.label == "2505 (2020)"
    assert vote.tally == "15-0-0"
    assert vote.member_votes.filter(position="in_favour").count() == 15
    mention = Mention.objects.get(symbol="S/RES/2505 (2020)")
    assert mention.resolution == vote.resolution
    assert mention.kind == Mention.Kind.RESOLUTION


def test_existing_reference_vote_for_the_resolution_is_updated_not_duplicated(council, data_dir):
    resolution = Resolution.objects.create(number=2505, year=2020, title="Yemen (UNMHA)")
    reference_vote = Vote.objects.create(
        resolution=resolution,
        outcome=Vote.Outcome.ADOPTED,
        source="votingagent",
        date=datetime.date(2020, 1, 13),
    )
    import_meeting(parsed=parsed_pdf(data_dir, "S_PV.8701_E.pdf"), source="pdf")

    assert Vote.objects.count() == 1
    reference_vote.refresh_from_db()
    assert reference_vote.meeting.symbol == "S/PV.8701"
    assert reference_vote.member_votes.count() == 15
    resolution.refresh_from_db()
    assert resolution.title == "Yemen (UNMHA)"  # reference data kept
    assert resolution.meeting.symbol == "S/PV.8701"  # and completed


def test_reference_vote_recording_the_amendment_as_a_draft_is_matched(council, data_dir):
    """The votes file records the failed amendment of 8700 as a vote on draft S/2020/24."""
    meeting = Meeting.objects.create(symbol="S/PV.8700", meeting_number=8700)
    reference = Vote.objects.create(
        meeting=meeting,
        draft_symbol="S/2020/24",
        outcome=Vote.Outcome.NOT_ADOPTED,
        in_favour_count=3,
        against_count=7,
        abstaining_count=5,
        source="votingagent #1680",
    )
    import_meeting(parsed=parsed_pdf(data_dir, "S_PV.8700_E.pdf"), source="pdf")

    assert Vote.objects.filter(meeting=meeting).count() == 2
    reference.refresh_from_db()
    assert reference.subject == Vote.Subject.AMENDMENT and reference.position == 1
    # The record's claim on the vote is its preferred source (official record > other files).
    assert reference.source == "record"
    assert reference.claims.get().detail == "S/PV.8700"
    assert reference.member_votes.count() == 15


def test_reference_meeting_is_filled_in_place(council, data_dir):
    reference = Meeting.objects.create(
        symbol="S/PV.8701",
        meeting_number=8701,
        date=datetime.date(2020, 1, 13),
        outcome="Resolution 2505 (2020)",
        source=Meeting.Source.REFERENCE,
    )
    result = import_meeting(parsed=parsed_pdf(data_dir, "S_PV.8701_E.pdf"), source="pdf")

    assert result.meeting.pk == reference.pk
    assert not result.created and not result.replaced
    reference.refresh_from_db()
    assert reference.source == Meeting.Source.PDF and reference.speech_count == 2
    assert reference.outcome == "Resolution 2505 (2020)"
    assert ImportRecord.objects.get().action == ImportRecord.Action.IMPORT


def test_reimport_is_refused_and_changes_nothing(council, data_dir):
    parsed = parsed_pdf(data_dir, "S_PV.8701_E.pdf")
    import_meeting(parsed=parsed, source="pdf")
    before = table_counts()
    with pytest.raises(AlreadyImported, match="S/PV.8701 is already in the archive"):
        import_meeting(parsed=parsed, source="pdf")
    assert table_counts() == before


def test_a_concurrent_import_that_commits_first_wins(council, data_dir, monkeypatch):
    """The insert of the second import hits the unique symbol: reported as AlreadyImported."""
    parsed = parsed_pdf(data_dir, "S_PV.8701_E.pdf")
    import_meeting(parsed=parsed, source="pdf")
    before = table_counts()
    real = importing._existing_meeting
    # As if our look-up ran before the other transaction committed.
    monkeypatch.setattr(
        importing,
        "_existing_meeting",
        lambda parsed, lock: None if lock else real(parsed, lock=lock),
    )
    with pytest.raises(AlreadyImported):
        import_meeting(parsed=parsed, source="pdf", replace=True)
    assert table_counts() == before


# --------------------------------------------------------------------------- replace


def test_replace_keeps_unchanged_speeches_and_their_addresses(council, data_dir):
    parsed = parsed_pdf(data_dir, "S_PV.8698_E.pdf")
    import_meeting(parsed=parsed, source="pdf")
    meeting = Meeting.objects.get(symbol="S/PV.8698")
    old = {s.sequence: s.pk for s in meeting.speeches.all()}

    edited = parsed_pdf(data_dir, "S_PV.8698_E.pdf")
    edited.speeches[4].text = "A wholly different statement replaced this one."  # sequence 5
    edited.speeches[6].text = edited.speeches[6].text.replace(" the ", " teh ", 1)  # sequence 7
    result = import_meeting(parsed=edited, source="pdf", replace=True)

    assert result.replaced and not result.created
    new = {s.sequence: s for s in meeting.speeches.all()}
    assert len(new) == len(old)
    assert new[5].pk != old[5] and new[5].text.startswith("A wholly different")
    assert not Speech.objects.filter(pk=old[5]).exists()
    assert new[7].pk == old[7] and " teh " in new[7].text  # near-identical: updated in place
    unchanged = set(old) - {5, 7}
    assert all(new[n].pk == old[n] for n in unchanged)
    assert result.counts["speeches_removed"] >= 1
    assert ImportRecord.objects.filter(action=ImportRecord.Action.REPLACE).count() == 1
    # Mentions and procedure were rewritten, not duplicated.
    assert Mention.objects.filter(speech__meeting=meeting).count() == result.counts["mentions"]
    assert meeting.procedure.count() == len(edited.procedure)


def test_replace_with_an_inserted_speech_shifts_sequences_but_keeps_pks(council, data_dir):
    parsed = parsed_pdf(data_dir, "S_PV.8698_E.pdf")
    import_meeting(parsed=parsed, source="pdf")
    meeting = Meeting.objects.get(symbol="S/PV.8698")
    old = {s.sequence: s.pk for s in meeting.speeches.all()}

    edited = parsed_pdf(data_dir, "S_PV.8698_E.pdf")
    inserted = _speech(
        1, "Ms. Newcomer (Estonia)", "An intervention the first edition missed.", country="Estonia"
    )
    for speech in edited.speeches:
        speech.sequence += 1
    edited.speeches.insert(0, inserted)
    import_meeting(parsed=edited, source="pdf", replace=True)

    new = {s.sequence: s.pk for s in meeting.speeches.all()}
    assert len(new) == len(old) + 1
    assert all(new[n + 1] == pk for n, pk in old.items())
    assert new[1] not in old.values()
    meeting.refresh_from_db()
    assert meeting.speech_count == len(old) + 1


def test_replace_votes_are_rewritten_not_duplicated(council, data_dir):
    parsed = parsed_pdf(data_dir, "S_PV.8700_E.pdf")
    import_meeting(parsed=parsed, source="pdf")
    ids = list(Vote.objects.order_by("position").values_list("pk", flat=True))
    import_meeting(parsed=parsed_pdf(data_dir, "S_PV.8700_E.pdf"), source="pdf", replace=True)
    assert list(Vote.objects.order_by("position").values_list("pk", flat=True)) == ids
    assert MemberVote.objects.count() == 30
    assert Resolution.objects.count() == 1


def test_match_speeches_rule():
    def row(pk, sequence, attribution, text):
        return Speech(pk=pk, sequence=sequence, attribution=attribution, text=text)

    old = [
        row(1, 1, "The President", "Welcome."),
        row(2, 2, "Mr. A (France)", "x " * 200),
        row(3, 3, "Mr. B (China)", "Completely old words here."),
    ]
    new = [
        row(None, 1, "The President", "Welcome."),
        row(None, 2, "Mr. A (France)", "x " * 199 + "y"),
        row(None, 3, "Mr. B (China)", "Nothing in common at all, new."),
    ]
    matches = match_speeches(old, new)
    assert {i: o.pk for i, o in matches.items()} == {0: 1, 1: 2}


# --------------------------------------------------------------------- names, votes, atomicity


def test_unresolved_names_are_kept_as_printed_and_reported(council):
    result = import_meeting(parsed=hand_built_veto_meeting(), source="text")
    speech = Speech.objects.get(meeting__symbol="S/PV.9999", sequence=3)
    assert speech.country_as_printed == "Ruritania"
    assert speech.member_state is None and speech.affiliation is None
    assert [(u.name, u.places) for u in result.unresolved] == [("Ruritania", ["speech 3"])]
    assert "1 unresolved name: Ruritania (speech 3)" in result.record.summary


def test_with_no_reference_data_every_name_is_unresolved_but_import_works(data_dir):
    parsed = parsed_pdf(data_dir, "S_PV.8701_E.pdf")
    result = import_meeting(parsed=parsed, source="pdf")
    meeting = result.meeting
    assert meeting.presidency is None and meeting.speech_count == 2
    assert not MemberVote.objects.exists()
    viet_nam = next(u for u in result.unresolved if u.name == "Viet Nam")
    assert viet_nam.places[:2] == ["presidency", "speech 1"]
    assert "vote 1" in viet_nam.places
    assert meeting.members.filter(member_state__isnull=True).count() == 14


def test_veto_marks_the_permanent_members_negative_vote_only(council):
    import_meeting(parsed=hand_built_veto_meeting(), source="text")
    vote = Vote.objects.get(meeting__symbol="S/PV.9999")
    assert vote.outcome == Vote.Outcome.VETOED and vote.resolution is None
    assert vote.tally == "12-2-1"
    vetoes = {
        mv.member_state.iso3: mv.is_veto for mv in vote.member_votes.filter(position="against")
    }
    assert vetoes == {"RUS": True, "DEU": False}


def test_resolution_cited_without_year_is_kept_but_not_linked(council):
    Resolution.objects.create(number=2254, year=2015)
    import_meeting(parsed=hand_built_veto_meeting(), source="text")
    mentions = dict(Mention.objects.filter(speech__sequence=2).values_list("symbol", "resolution"))
    assert mentions["S/RES/2254 (2015)"] == Resolution.objects.get().pk
    assert mentions["S/RES/2254"] is None


def test_a_failure_midway_leaves_the_database_unchanged(council, data_dir, monkeypatch):
    before = table_counts()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "_write_mentions", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        import_meeting(parsed=parsed_pdf(data_dir, "S_PV.8700_E.pdf"), source="pdf")
    assert table_counts() == before


def test_a_hundred_speech_meeting_imports_quickly_in_bounded_queries(
    council, data_dir, django_assert_max_num_queries
):
    parsed = parsed_pdf(data_dir, "S_PV.8699_E.pdf")
    assert len(parsed.speeches) == 101
    resolver = NameResolver.load()
    started = time.perf_counter()
    # A fixed number of statements, whatever the record's length: writes are in bulk.
    with django_assert_max_num_queries(45):
        import_meeting(parsed=parsed, source="pdf", resolver=resolver)
    elapsed = time.perf_counter() - started
    # Timing is the benchmarks' job (bench/); printed here for the curious only.
    print(f"S/PV.8699 import: {elapsed * 1000:.0f} ms")
    assert Speech.objects.filter(meeting__symbol="S/PV.8699").count() == 101


# --------------------------------------------------------------------------- resumptions


@pytest.fixture
def icrc():
    return Affiliation.objects.create(
        name="International Committee of the Red Cross",
        short_name="ICRC",
        kind=Affiliation.Kind.ORGANIZATION,
        slug="icrc",
    )


def test_resumption_speaker_is_attributed_from_the_first_part(council, icrc, data_dir):
    """Mr. Mardini was invited under rule 39 in S/PV.8699 and speaks only in the resumption."""
    import_meeting(parsed=parsed_pdf(data_dir, "S_PV.8699_E.pdf"), source="pdf")
    parsed = parsed_pdf(data_dir, "S_PV.8699(Resumption1)_E.pdf")
    printed = next(s for s in parsed.speeches if s.speaker == "Mr. Mardini")
    assert printed.country is None and printed.role == "other"  # the parser sees one document

    preview = resolve_names(parsed, NameResolver.load())  # what the admin preview shows
    result = import_meeting(parsed=parsed, source="pdf")

    speech = Speech.objects.get(meeting=result.meeting, speaker_name="Mr. Mardini")
    assert speech.affiliation == icrc and speech.member_state is None
    assert speech.role == Speech.Role.INVITED
    assert speech.country_as_printed == "International Committee of the Red Cross"
    assert speech.speaker.affiliation == icrc
    body = preview.speeches[parsed.speeches.index(printed)]
    assert (body.affiliation_id, body.role, body.attributed_from) == (
        icrc.pk,
        speech.role,
        "S/PV.8699",
    )
    assert any("Mr. Mardini" in w and "attributed from S/PV.8699" in w for w in result.warnings)
    assert "attributed from S/PV.8699" in result.record.summary


def test_resumption_without_its_first_part_leaves_the_speaker_unattributed(council, icrc, data_dir):
    result = import_meeting(
        parsed=parsed_pdf(data_dir, "S_PV.8699(Resumption1)_E.pdf"), source="pdf"
    )
    speech = Speech.objects.get(meeting=result.meeting, speaker_name="Mr. Mardini")
    assert speech.affiliation is None and speech.role == Speech.Role.OTHER
    assert not any("attributed from" in w for w in result.warnings)


def test_resumption_reuses_how_a_speaker_of_the_first_part_was_recorded(council, data_dir):
    """A speaker who spoke in the earlier part keeps that speech's State or body and role."""
    import_meeting(parsed=parsed_pdf(data_dir, "S_PV.8699_E.pdf"), source="pdf")
    first = Speech.objects.get(meeting__symbol="S/PV.8699", sequence=3)
    first.speaker_name = "Mr. Mardini"
    first.save(update_fields=["speaker_name"])
    assert first.member_state is not None

    result = import_meeting(
        parsed=parsed_pdf(data_dir, "S_PV.8699(Resumption1)_E.pdf"), source="pdf"
    )
    speech = Speech.objects.get(meeting=result.meeting, speaker_name="Mr. Mardini")
    assert (speech.member_state, speech.role, speech.country_as_printed) == (
        first.member_state,
        first.role,
        first.country_as_printed,
    )
