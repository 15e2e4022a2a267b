"""The reference loader: exact counts from the real data, idempotency, problems with file:line."""

import csv
import hashlib
import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from archive.models import (
    Affiliation,
    AgendaItem,
    CouncilTerm,
    Meeting,
    MemberState,
    MemberVote,
    NameAlias,
    Resolution,
    Vote,
    VoteClaim,
)
from archive.reference_data import (
    MEMBER_STATES_CSV,
    TERMS_CSV,
    VOTES_CSV,
    clean_resolution_text,
    date_from_text,
    load_council_terms,
    load_member_states,
    load_reference_data,
    parse_meeting_symbol,
    parse_resolution_label,
    reliable_votes_file_date,
    table_counts,
)

pytestmark = pytest.mark.django_db

# Verified against the files (see the report): 193 + 5 former States; 9,372 distinct S/PV
# symbols; 2,637 resolutions in the UN Library table + 141 only in the votes file (2022-2025
# and 1969) + 2 only in the texts (666, 695). Votes: 2,780 adopting votes and 368 failed drafts
# (the meetings table's 321 failed drafts, the vetoes list's and the votes file's matched to
# them, and those only one of them has). VoteClaim: 2,637 + 321 (UN tables) + 1,988 (votes
# file) + 214 (vetoes list) + 2,167 (resolution texts).
EXPECTED = {
    "MemberState": 198,
    "Affiliation": 406,
    "NameAlias": 871,
    "CouncilTerm": 382,
    # 1,095 before the cells the table split at its links ("(", "S/144", ")") were rejoined.
    "AgendaItem": 889,
    "Meeting": 9372,
    "Resolution": 2780,
    "Vote": 3148,
    "MemberVote": 28770,
    "VoteClaim": 7327,
}


def _rows(path):
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_counts_per_table(reference_db):
    assert table_counts() == EXPECTED


def test_counts_follow_the_files(reference_db, data_dir):
    states = _rows(data_dir / MEMBER_STATES_CSV)
    assert MemberState.objects.current().count() == len(states) == 193
    assert CouncilTerm.objects.count() == len(_rows(data_dir / TERMS_CSV))
    meetings = _rows(data_dir / "unsc-meetings-intreleng/unsc_meetings_1946_2022.csv")
    symbols = {r["meeting_symbols"] for r in meetings if r["meeting_symbols"]}
    assert Meeting.objects.filter(source="reference").count() == len(symbols) == 9372
    table = _rows(data_dir / "unsc-meetings-intreleng/unsc_resolutions_from_meetings_1946_2022.csv")
    claims = VoteClaim.objects.filter(source="un_tables", key__startswith="resolution ")
    assert claims.count() == len(table) == 2637
    events = {r["ID"] for r in _rows(data_dir / VOTES_CSV)}
    # Every event of the votes file is a claim, but those the file gives no resolution number
    # for (8) and one held in another year than the table's resolution of that number (event
    # 550 of 2002 names "425", of 1978).
    assert VoteClaim.objects.filter(source="votes_file").count() == len(events) - 9


def test_former_member_states_and_successors(reference_db):
    ussr = MemberState.objects.get(iso3="SUN")
    assert ussr.successor.iso3 == "RUS"
    assert str(ussr.membership_ended) == "1991-12-24"
    assert set(
        MemberState.objects.exclude(membership_ended=None).values_list("iso3", flat=True)
    ) == {"SUN", "YUG", "SCG", "CSK", "DDR"}
    assert MemberState.objects.get(iso3="COD").name == "Democratic Republic of the Congo"


def test_council_terms_split_permanent_seats(reference_db):
    assert CouncilTerm.objects.get(member_state__iso3="SUN").end_year == 1991
    assert CouncilTerm.objects.get(member_state__iso3="RUS", seat="permanent").start_year == 1992
    assert CouncilTerm.objects.filter(member_state__iso3="CHN").count() == 1
    assert CouncilTerm.objects.get(member_state__iso3="DDR").start_year == 1980
    assert CouncilTerm.objects.filter(member_state__iso3="EGY", start_year=1961).exists()


def test_meetings_merge_agenda_rows_and_keep_resumptions(reference_db):
    meeting = Meeting.objects.get(symbol="S/PV.8514")
    assert str(meeting.date) == "2019-04-23"
    assert meeting.agenda_item.title == "Women and peace and security"
    resumption = Meeting.objects.get(meeting_number=3336, resumption=3)
    assert resumption.symbol == "S/PV.3336 (Resumption 3)"
    assert Meeting.objects.get(meeting_number=3652, resumption=1).symbol == (
        "S/PV.3652 (Resumption 1)"
    )
    first = Meeting.objects.get(symbol="S/PV.1")
    assert len(first.agenda) > 1 and first.agenda_item.title == first.agenda[0]
    assert not Meeting.objects.filter(kind=Meeting.Kind.LETTER_COMPILATION).exists()


def test_resolution_vote_and_member_votes(reference_db):
    resolution = Resolution.objects.get(number=2467)
    assert (resolution.year, str(resolution.adopted_on)) == (2019, "2019-04-23")
    assert resolution.meeting.symbol == "S/PV.8514"
    assert resolution.draft_symbol == "S/2019/328"
    assert resolution.vote.tally == "13-0-2"
    abstaining = resolution.vote.member_votes.filter(position="abstaining")
    assert set(abstaining.values_list("member_state__iso3", flat=True)) == {"CHN", "RUS"}
    assert Resolution.objects.get(number=2).vote.tally == "11-0-0"  # "adopted unanimously", 1946
    assert Resolution.objects.get(number=1).vote.outcome == Vote.Outcome.ADOPTED_WITHOUT_VOTE


def test_vetoes(reference_db):
    vote = Vote.objects.get(draft_symbol="S/2019/961")
    assert vote.outcome == Vote.Outcome.VETOED and vote.meeting.symbol == "S/PV.8697"
    assert vote.tally == "13-2-0"
    vetoers = vote.member_votes.filter(is_veto=True).values_list("member_state__iso3", flat=True)
    assert set(vetoers) == {"CHN", "RUS"}
    early = Vote.objects.filter(meeting__symbol="S/PV.23", outcome="vetoed").get()
    assert early.member_votes.get(is_veto=True).member_state.iso3 == "SUN"
    # Every vetoed vote names at least one vetoing member.
    assert not Vote.objects.vetoed().exclude(member_votes__is_veto=True).exists()


def test_resolution_text_without_page_furniture(reference_db):
    text = Resolution.objects.get(number=1325).text
    assert "Adopted by the Security Council at its 4213th meeting" in text
    assert "00-72018" not in text and text.count("S/RES/1325 (2000)") == 1
    assert Resolution.objects.filter(number__lte=2259).exclude(text="").count() == 2259


def _checksum() -> str:
    digest = hashlib.sha256()
    for model in (
        MemberState,
        Affiliation,
        NameAlias,
        CouncilTerm,
        AgendaItem,
        Meeting,
        Resolution,
        Vote,
        MemberVote,
        VoteClaim,
    ):
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname not in ("imported_at", "recorded_at")
        ]
        for row in model.objects.order_by("pk").values_list(*fields):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def test_second_load_changes_nothing(reference_db, data_dir):
    before = _checksum()
    results = load_reference_data(data_dir=data_dir)
    assert [r.step for r in results if r.changed] == []
    assert _checksum() == before
    assert table_counts() == EXPECTED


# --------------------------------------------------------------------------- bad input


@pytest.fixture
def small_data(tmp_path, data_dir):
    """The layout of the shared data with only the member-state and Council-term files."""
    for relative in (MEMBER_STATES_CSV, TERMS_CSV):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(data_dir / relative, tmp_path / relative)
    with open(tmp_path / TERMS_CSV, "a", encoding="utf-8") as handle:
        handle.write("Narnia,elected,1990,1991,1990 – 1991,,invented\n")  # line 384
        handle.write("France,elected,1990,1991,,,too,many,fields\n")  # line 385
    return tmp_path


def test_bad_rows_are_reported_with_file_and_line(small_data):
    load_member_states(data_dir=small_data)
    from archive.reference_data import load_affiliations_and_aliases

    load_affiliations_and_aliases(data_dir=small_data)
    result = load_council_terms(data_dir=small_data)
    problems = {(p.file, p.line, p.kind) for p in result.problems}
    assert (TERMS_CSV, 384, "unmatched_name") in problems
    assert (TERMS_CSV, 385, "malformed_row") in problems
    assert CouncilTerm.objects.count() == 382  # the good rows are all loaded


def test_command_prints_problems_and_counts(small_data):
    out = StringIO()
    call_command("load_reference_data", data_dir=small_data, stdout=out, skip_checks=True)
    output = out.getvalue()
    assert f"{TERMS_CSV}:384: [unmatched_name] country 'Narnia'" in output
    assert "missing_file" in output  # the meetings table etc. are absent from this folder
    assert "CouncilTerm" in output and "Done in" in output


def test_command_refuses_a_missing_folder(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not found"):
        call_command("load_reference_data", data_dir=tmp_path / "nope", skip_checks=True)


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("S/PV.8514", (8514, None)),
        ("S/PV.8699 (Resumption 1)", (8699, 1)),
        ("S/PV.3652(Resumption 1)", (3652, 1)),
        ("S/PV.3842 (Resumption)", (3842, 1)),
        ("S/PV.733 (closed)", (733, None)),
        ("--", None),
    ],
)
def test_parse_meeting_symbol(value, expected):
    assert parse_meeting_symbol(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2467 (2019)", (2467, 2019)),
        ("2367(2017)", (2367, 2017)),
        ("Resolution 2618 (2022)", (2618, 2022)),
        ("2541 (2020", (2541, 2020)),
        ("2457\xa0(2019)", (2457, 2019)),
        ("S/RES/2776/2025", (2776, 2025)),
        ("Missing", None),
        ("", None),
    ],
)
def test_parse_resolution_label(value, expected):
    assert parse_resolution_label(value) == expected


def test_votes_file_dates_only_when_unambiguous():
    assert str(reliable_votes_file_date("2019-04-23")) == "2019-04-23"
    assert reliable_votes_file_date("1994-06-01") is None  # could be 6 January


def test_date_from_text():
    assert str(date_from_text("14-15 October", 1966)) == "1966-10-14"
    assert str(date_from_text("1 Sep.", 2004)) == "2004-09-01"
    assert date_from_text("", 2004) is None


def test_clean_resolution_text():
    raw = "S/RES/1 (2000)\nText one\n00-72018 (E) ````\n\fS/RES/1 (2000)\n2\nText two\n"
    assert clean_resolution_text(raw, number=1, year=2000) == "S/RES/1 (2000)\nText one\nText two"


# --------------------------------------------------------------------------- records win


def _record_votes(*symbols: str) -> list[tuple]:
    """Every field of the votes of these meetings, with their member votes."""
    fields = [f.attname for f in Vote._meta.concrete_fields]
    rows = []
    for vote in Vote.objects.filter(meeting__symbol__in=symbols).order_by("pk"):
        members = sorted(vote.member_votes.values_list("member_state__iso3", "position", "is_veto"))
        rows.append((tuple(getattr(vote, f) for f in fields), tuple(members)))
    return rows


def test_reload_after_a_record_import_leaves_the_records_votes_alone(reference_db, data_dir):
    """The loader runs at every start, after the PDFs were imported: the records win."""
    from archive.importing import import_meeting
    from archive.names import NameResolver
    from tests.council_2020 import parsed_pdf

    resolver = NameResolver.load()
    for name in ("S_PV.8700_E.pdf", "S_PV.8701_E.pdf"):
        import_meeting(parsed=parsed_pdf(data_dir, name), source="pdf", resolver=resolver)
    imported = _record_votes("S/PV.8700", "S/PV.8701")
    title_2505 = Resolution.objects.get(number=2505, year=2020).title

    load_reference_data(data_dir=data_dir)

    amendment = Vote.objects.get(meeting__symbol="S/PV.8700", position=1)
    assert amendment.subject == Vote.Subject.AMENDMENT
    assert (amendment.tally, amendment.outcome) == ("3-7-5", Vote.Outcome.NOT_ADOPTED)
    assert amendment.draft_symbol == "S/2020/24" and amendment.resolution is None
    # The votes file's row for the amendment is the record's vote, not a second one.
    assert Vote.objects.filter(meeting__symbol="S/PV.8700").count() == 2
    assert Vote.objects.filter(draft_symbol="S/2020/24", resolution__isnull=True).count() == 1
    for number in (2504, 2505):
        assert Vote.objects.filter(resolution__number=number, resolution__year=2020).count() == 1
    assert _record_votes("S/PV.8700", "S/PV.8701") == imported  # member votes intact
    resolution = Resolution.objects.get(number=2505, year=2020)
    assert resolution.meeting.symbol == "S/PV.8701" and resolution.title == title_2505 != ""

    # And a second run changes nothing at all.
    before = _checksum()
    results = load_reference_data(data_dir=data_dir)
    assert [r.step for r in results if r.changed] == []
    assert _checksum() == before
