"""Each vote source's loader on a small slice of its real file (written to a temporary folder),
the claims it makes, what the reconciliation shows from them, and a second run changing
nothing. The whole files are loaded by tests/test_reference_data.py."""

import csv
import datetime
import shutil
from pathlib import Path

import pytest

from archive.models import MemberVote, Resolution, Vote, VoteClaim
from archive.reference_data import (
    MEETINGS_CSV,
    MEMBER_STATES_CSV,
    RESOLUTIONS_CSV,
    TERMS_CSV,
    TEXTS_DIR,
    VETOES_CSV,
    VOTES_CSV,
    load_reference_data,
)
from archive.reference_data.dates import MeetingSequence, swapped
from archive.reference_data.meetings import FailedDraft, failed_drafts

pytestmark = pytest.mark.django_db

VOTE_EVENTS = {"1638", "1677", "1678", "1709", "1887", "1888", "1889", "1890", "1892", "2012"}
MEETINGS = {"S/PV.8514", "S/PV.8697", "S/PV.23", "S/PV.2686"}
RESOLUTIONS = {"47", "48", "49", "2467"}


def _slice(data_dir: Path, out: Path, relative: str, keep) -> None:
    """The header and the rows ``keep`` accepts, written with the csv module (multi-line
    cells such as "S/2020/661\\nS/2020/657" stay whole)."""
    (out / relative).parent.mkdir(parents=True, exist_ok=True)
    with open(data_dir / relative, encoding="utf-8-sig", newline="") as src:
        reader = csv.DictReader(src)
        rows = [row for row in reader if keep(row)]
    with open(out / relative, "w", encoding="utf-8", newline="") as dst:
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def slices(tmp_path, data_dir) -> Path:
    """Member States and Council terms whole; a few rows of each vote source."""
    for relative in (MEMBER_STATES_CSV, TERMS_CSV):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(data_dir / relative, tmp_path / relative)
    _slice(
        data_dir,
        tmp_path,
        MEETINGS_CSV,
        lambda r: r["meeting_symbols"] in MEETINGS or "S/2020/654" in r["outcome"],
    )
    _slice(data_dir, tmp_path, RESOLUTIONS_CSV, lambda r: r["resolution_number"] in RESOLUTIONS)
    _slice(data_dir, tmp_path, VOTES_CSV, lambda r: r["ID"] in VOTE_EVENTS)
    _slice(
        data_dir,
        tmp_path,
        VETOES_CSV,
        lambda r: r["draft"] in {"S/2019/961", "S/2020/654", "S/PV.23", "S/18087/Rev.1"},
    )
    texts = tmp_path / TEXTS_DIR
    texts.mkdir(parents=True)
    for name in ("S-RES-47(1948).txt", "S-RES-48(1948).txt", "S-RES-49(1948).txt"):
        shutil.copy(data_dir / TEXTS_DIR / name, texts / name)
    return tmp_path


def _claims(vote: Vote) -> set[str]:
    return set(vote.claims.values_list("source", flat=True))


def test_each_source_claims_its_votes_and_a_second_run_changes_nothing(slices):
    results = load_reference_data(data_dir=slices)
    steps = {r.step for r in results}
    assert {"meetings table: failed drafts", "votes by member", "vetoes", "reconciliation"} <= steps

    veto = Vote.objects.get(draft_symbol="S/2019/961")
    assert _claims(veto) == {"un_tables", "votes_file", "vetoes_file"}
    assert (veto.outcome, veto.tally, str(veto.date)) == ("vetoed", "13-2-0", "2019-12-20")
    assert veto.meeting.symbol == "S/PV.8697" and veto.member_coverage == "full"
    vetoers = veto.member_votes.filter(is_veto=True).values_list("member_state__iso3", flat=True)
    assert set(vetoers) == {"CHN", "RUS"}
    assert veto.provenance["tally"] == veto.claims.get(source="un_tables").pk

    # The same draft in two tables, with and without its revision number: one vote.
    revised = Vote.objects.get(claims__source="vetoes_file", claims__draft_symbol="S/18087/Rev.1")
    assert _claims(revised) == {"un_tables", "vetoes_file"}

    second = load_reference_data(data_dir=slices)
    assert [(r.step, r.changed) for r in second if r.changed] == []


def test_a_vote_by_letter_is_dated_and_named_without_codes(slices):
    load_reference_data(data_dir=slices)
    vote = Vote.objects.get(draft_symbol="S/2020/654")
    assert str(vote.date) == "2020-07-07" and vote.outcome == "vetoed"
    assert vote.meeting is None and vote.meeting_symbol == ""
    assert "Voted by letter" in vote.meeting_note and "S/2020/661" in vote.meeting_note
    # The votes file names it "V100": never a meeting, nor anything a reader sees.
    assert "V100" not in f"{vote.meeting_note} {vote.description} {vote.meeting_symbol}"


def test_a_swapped_date_is_read_through_the_meeting_sequence(slices):
    load_reference_data(data_dir=slices)
    claim = VoteClaim.objects.get(source="votes_file", draft_symbol="S/2023/506")
    assert claim.date == datetime.date(2023, 7, 11)
    assert "S/PV.9365 (2023-06-30) and S/PV.9388 (2023-07-27)" in claim.date_note
    vote = claim.vote
    assert vote.date == claim.date and vote.meeting_symbol == "S/PV.9371"


def test_a_partial_list_is_flagged_never_a_tally(slices):
    load_reference_data(data_dir=slices)
    vote = Resolution.objects.get(number=2781).vote
    assert vote.tally == "" and vote.member_coverage == "partial"
    assert {"partial_members", "no_tally"} <= set(vote.flags)
    assert vote.member_votes.count() == 6


def test_a_texts_mistyped_year_is_read_in_its_resolutions_year(slices):
    results = load_reference_data(data_dir=slices)
    claim = VoteClaim.objects.get(source="resolution_text", key="resolution 48")
    assert claim.date == datetime.date(1948, 4, 23)
    assert "the text prints 23 April 1943" in claim.date_note
    assert Resolution.objects.get(number=48).adopted_on == datetime.date(1948, 4, 23)
    problems = [p for r in results for p in r.problems if p.kind == "year_corrected"]
    assert problems and problems[0].file == TEXTS_DIR


def test_bad_rows_are_reported_with_file_and_line(slices):
    with open(slices / VOTES_CSV, "a", encoding="utf-8") as handle:
        handle.write(
            "2025,2025-05-30,2781 (2025),S/PV.9928,S/2025/270,x,y,z,,Adopted,Yes,Narnia,2012,Other,t\n"
        )
        handle.write("2025,2025-05-30,too,few\n")
    lines = len((slices / VOTES_CSV).read_text(encoding="utf-8").splitlines())
    results = load_reference_data(data_dir=slices)
    problems = {(p.file, p.line, p.kind) for r in results for p in r.problems}
    assert (VOTES_CSV, lines - 1, "unmatched_name") in problems
    assert (VOTES_CSV, lines, "malformed_row") in problems
    claim = VoteClaim.objects.get(source="votes_file", key="event 2012")
    assert claim.unmatched == [{"name": "Narnia", "position": "in_favour"}]
    assert "unmatched_member" in claim.vote.flags


def test_a_persons_choice_survives_a_reload(slices):
    from archive.vote_sources import choose

    load_reference_data(data_dir=slices)
    vote = Vote.objects.get(draft_symbol="S/2019/961")
    votes_file = vote.claims.get(source="votes_file")
    choose(claim=votes_file, take=True, user=None, via="test")
    load_reference_data(data_dir=slices)
    vote.refresh_from_db()
    assert vote.chosen_claim == votes_file
    assert vote.provenance["tally"] == votes_file.pk


# --------------------------------------------------------------------------- pure parts


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (
            "Draft resolution S/2019/961 vetoed by Russian Federation and China 13-2-0 "
            "S/2019/962 not adopted 5-6-4",
            [
                FailedDraft("S/2019/961", ("Russian Federation", "China"), (13, 2, 0), ""),
                FailedDraft("S/2019/962", (), (5, 6, 4), ""),
            ],
        ),
        (
            "Draft resolution S/2016/846 vetoed by Russian Federation11-2-2",
            [FailedDraft("S/2016/846", ("Russian Federation",), (11, 2, 2), "")],
        ),
        ("Draft resolution S/PV.23 vetoed by USSR", [FailedDraft("S/PV.23", ("USSR",), None, "")]),
        (
            "S/RES/63 (1948) 7-0-4 Draft resolution S/1148 and Corr.1 not adopted",
            [FailedDraft("S/1148", (), None, "")],
        ),
        (
            "Draft resolution S/PV.57 (Transjordan) vetoed by USSR 8-2-1",
            [FailedDraft("S/PV.57", ("USSR",), (8, 2, 1), "Transjordan")],
        ),
        ("S/RES/2467 (2019) 13-0-2", []),
    ],
)
def test_failed_drafts_of_an_outcome_cell(cell, expected):
    assert failed_drafts(cell) == expected


def test_the_meeting_sequence_settles_a_day_month_order():
    sequence = MeetingSequence(
        {("S/PV", 9365): datetime.date(2023, 6, 30), ("S/PV", 9388): datetime.date(2023, 7, 27)}
    )
    date, note = sequence.read("2023-07-11", ("S/PV", 9371))
    assert date == datetime.date(2023, 7, 11) and "as printed" in note
    date, note = sequence.read("2023-11-07", ("S/PV", 9371))  # the file swapped it
    assert date == datetime.date(2023, 7, 11) and "swapped" in note
    assert sequence.read("2023-07-11", None) == (
        None,
        "the file's 2023-07-11 may have day and month swapped; not used",
    )
    assert sequence.read("2023-07-20", ("S/PV", 9371))[0] == datetime.date(2023, 7, 20)
    assert swapped(datetime.date(2020, 1, 31)) is None


def test_member_votes_follow_the_claims_only(slices):
    load_reference_data(data_dir=slices)
    vote = Resolution.objects.get(number=2467).vote
    abstaining = vote.member_votes.filter(position=MemberVote.Position.ABSTAINING)
    assert set(abstaining.values_list("member_state__iso3", flat=True)) == {"CHN", "RUS"}
    assert vote.provenance["members"] == vote.claims.get(source="votes_file").pk


def _vote_facts(vote: Vote) -> dict:
    vote.refresh_from_db()
    return {
        "members": dict(vote.member_votes.values_list("member_state__iso3", "position")),
        "as_printed": vote.members_as_printed,
        "flags": sorted(vote.flags),
        "coverage": vote.member_coverage,
    }


def test_a_mapped_vote_name_survives_the_loader_and_undo_restores_it(slices):
    """A staff mapping of a name the votes file prints is made in the file's claim and read
    through the alias by the next loader run; undoing it restores the claim and the vote."""
    from archive import curation
    from archive.models import CouncilTerm, MemberState
    from archive.name_mapping import Target, map_printed_name

    with open(slices / VOTES_CSV, "a", encoding="utf-8") as handle:
        handle.write(
            "2025,2025-05-30,2781 (2025),S/PV.9928,S/2025/270,x,y,z,,Adopted,Yes,Narnia,2012,Other,t\n"
        )
    load_reference_data(data_dir=slices)
    claim = VoteClaim.objects.get(source="votes_file", key="event 2012")
    claim_before = (dict(claim.positions), list(claim.unmatched))
    vote_before = _vote_facts(claim.vote)
    assert vote_before["as_printed"] == [{"name": "Narnia", "position": "in_favour"}]
    seated = CouncilTerm.objects.filter(start_year__lte=2025, end_year__gte=2025)
    state = (
        MemberState.objects.filter(pk__in=seated.values("member_state"))
        .exclude(iso3__in=claim.positions)
        .order_by("iso3")
        .first()
    )

    decision = map_printed_name(name="Narnia", target=Target(member_state=state), user=None)
    mapped = _vote_facts(claim.vote)
    assert mapped["members"][state.iso3] == "in_favour" and mapped["as_printed"] == []
    assert "unmatched_member" not in mapped["flags"]

    results = load_reference_data(data_dir=slices)  # the loader reads "Narnia" through the alias
    assert not [p for r in results for p in r.problems if "Narnia" in p.message]
    claim.refresh_from_db()
    assert claim.positions[state.iso3] == "in_favour" and claim.unmatched == []
    assert _vote_facts(claim.vote) == mapped

    curation.undo(decision, user=None)
    claim.refresh_from_db()
    assert (claim.positions, claim.unmatched) == claim_before
    assert _vote_facts(claim.vote) == vote_before
    load_reference_data(data_dir=slices)
    assert _vote_facts(claim.vote) == vote_before
