"""The votes of an imported record: each parsed vote becomes the record's claim on a vote of the
archive (found, or created), and the vote shown is derived from its claims
(``archive.reference_data.reconcile``). A reading that disagrees with what the archive holds
is never applied silently: see ``archive.vote_sources``.

Part of the import service (``archive.importing.import_meeting``), inside its transaction; the
preview uses ``preview_conflicts`` to show the same disagreements before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef

from archive import curation
from archive.models import CouncilTerm, Meeting, MemberVote, Resolution, Vote, VoteClaim
from archive.reference_data.claims import claim_values
from archive.reference_data.reconcile import reconcile_votes
from archive.vote_sources import (
    DECISION_KIND,
    Choice,
    Held,
    VoteConflict,
    differences,
    record_claim_key,
)

if TYPE_CHECKING:
    from archive.parsing import ParsedMeeting

MAX_COUNCIL_VOTES = 15
VOTE_LISTS = (
    ("in_favour", MemberVote.Position.IN_FAVOUR),
    ("against", MemberVote.Position.AGAINST),
    ("abstaining", MemberVote.Position.ABSTAINING),
    ("not_participating", MemberVote.Position.NOT_PARTICIPATING),
)


class UnknownResult(ValueError):
    """The parser gave a vote result the archive does not know."""


def vote_subject(subject: str | None) -> Vote.Subject:
    """What was put to the vote, from the record's words."""
    text = (subject or "").lower()
    if "amendment" in text:
        return Vote.Subject.AMENDMENT
    if "draft resolution" in text or not text:
        return Vote.Subject.DRAFT_RESOLUTION
    if "procedur" in text:
        return Vote.Subject.PROCEDURAL
    return Vote.Subject.OTHER


def vote_outcome(result: str | None) -> Vote.Outcome:
    """The outcome of a parsed vote ("adopted", "vetoed", "not adopted")."""
    text = (result or "").strip().lower().replace("_", " ")
    outcomes = {
        "adopted": Vote.Outcome.ADOPTED,
        "vetoed": Vote.Outcome.VETOED,
        "not adopted": Vote.Outcome.NOT_ADOPTED,
    }
    if text not in outcomes:
        raise UnknownResult(f"Unknown vote result {result!r}.")
    return outcomes[text]


def resolution_ref(value: str | None):
    """The Council resolution a record names ("resolution 2467 (2019)"), parsed; another
    organ's resolution is none."""
    from archive.parsing.symbols import parse_resolution_reference

    ref = parse_resolution_reference(value) if value else None
    return ref if ref is not None and getattr(ref, "is_council", True) else None


def permanent_members(year: int | None) -> dict[int, str]:
    """The permanent members in ``year``: state id -> ISO3."""
    if year is None:
        return {}
    return dict(
        CouncilTerm.objects.filter(
            seat=CouncilTerm.Seat.PERMANENT, start_year__lte=year, end_year__gte=year
        ).values_list("member_state_id", "member_state__iso3")
    )


# --------------------------------------------------------------------------- one vote


@dataclass
class RecordVote:
    """A parsed vote, read: what the record's claim on it says."""

    position: int
    parsed: object  # ParsedVote
    outcome: str
    values: dict  # VoteClaim values
    resolution_label: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def what(self) -> str:
        if self.resolution_label:
            return f"resolution {self.resolution_label}"
        draft = self.parsed.draft
        return f"draft {draft}" if draft else f"vote {self.position}"


class _Lookups:
    """ISO3 codes and permanent members, read only when a vote needs them."""

    def __init__(self, year: int | None) -> None:
        self.year = year
        self._iso3s: dict[int, str] | None = None
        self._permanent: set[str] | None = None

    def iso3(self, match) -> str:
        code = getattr(match, "iso3", None)  # a NameMatch knows it; other resolvers may not
        if code:
            return code
        if self._iso3s is None:
            self._iso3s = dict(_iso3s())
        return self._iso3s[match.member_state_id]

    def permanent(self) -> set[str]:
        if self._permanent is None:
            self._permanent = set(permanent_members(self.year).values())
        return self._permanent


def read_vote(position: int, parsed_vote, lists: dict, meeting, lookups: _Lookups) -> RecordVote:
    """A parsed vote and its resolved lists as the record's claim (nothing written)."""
    outcome = vote_outcome(parsed_vote.result)
    warnings: list[str] = []
    counts = []
    for attr, _position in VOTE_LISTS[:3]:
        count = len(lists[attr])
        if count > MAX_COUNCIL_VOTES:
            warnings.append(f"vote {position}: {count} States listed {attr.replace('_', ' ')}")
            count = None
        counts.append(count)
    if None in counts:
        counts = [None, None, None]
    positions, seen = {}, set()
    for attr, member_position in VOTE_LISTS:
        for _name, match in lists[attr]:
            if match and match.member_state_id and match.member_state_id not in seen:
                seen.add(match.member_state_id)
                positions[lookups.iso3(match)] = member_position
    unmatched = printed_members(lists)
    against = [iso3 for iso3, p in positions.items() if p == MemberVote.Position.AGAINST]
    vetoed_by = (
        [iso3 for iso3 in against if iso3 in lookups.permanent()]
        if outcome == Vote.Outcome.VETOED
        else []
    )
    values = claim_values(
        detail=_record_detail(meeting),
        subject=vote_subject(parsed_vote.subject),
        draft_symbol=(parsed_vote.draft or "")[:40],
        description=parsed_vote.subject or "",
        outcome=outcome,
        in_favour_count=counts[0],
        against_count=counts[1],
        abstaining_count=counts[2],
        date=meeting.date,
        meeting_id=meeting.pk,
        meeting_symbol=meeting.symbol,
        positions=positions,
        vetoed_by=sorted(vetoed_by),
        unmatched=unmatched,
    )
    return RecordVote(position, parsed_vote, outcome, values, warnings=warnings)


def printed_members(lists: dict) -> list[dict]:
    """The names of a record's vote lists that match no Member State, kept as printed with the
    list they stand in, in the record's order (a name printed twice is kept once)."""
    seen: set[str] = set()
    entries = []
    for attr, position in VOTE_LISTS:
        for name, match in lists[attr]:
            if (match and match.member_state_id) or name in seen:
                continue
            seen.add(name)
            entries.append({"name": name[:200], "position": str(position)})
    return entries


def _record_detail(meeting: Meeting) -> str:
    upload = meeting.upload.original_name if meeting.upload_id else ""
    return meeting.symbol + (f" ({upload})" if upload else "")


# --------------------------------------------------------------------------- matching


def matching_vote(meeting: Meeting, record: RecordVote, resolution, used: set[int]) -> Vote | None:
    """The vote of the archive a parsed vote speaks of, or None for a vote not held yet.

    Tried in order: the vote on the same resolution; the vote this record's earlier import
    claimed at the same position; a vote on the same draft at this meeting (or without a
    meeting, on the meeting's date or naming it) with the same subject, else with the same
    outcome and tally (the votes file records an amendment as a vote on the draft it amends).
    """
    if record.outcome == Vote.Outcome.ADOPTED:
        # An adopted draft is its resolution's vote, or a vote not held yet.
        vote = Vote.objects.filter(resolution=resolution).first() if resolution else None
        return vote if vote is not None and vote.pk not in used else None
    key = record_claim_key(meeting.symbol, record.position)
    earlier = VoteClaim.objects.filter(source=VoteClaim.Source.RECORD, key=key).first()
    if earlier is not None and earlier.vote_id not in used:
        earlier_vote = Vote.objects.get(pk=earlier.vote_id)
        if earlier_vote.resolution_id is None:
            return earlier_vote
    draft = record.values["draft_symbol"]
    if not draft:
        return None
    pool = list(_draft_votes(meeting, draft, used))
    subject = record.values["subject"]
    tally = (
        record.values["in_favour_count"],
        record.values["against_count"],
        record.values["abstaining_count"],
    )
    for same in (
        lambda v: v.subject == subject,
        lambda v: v.outcome == record.outcome and v.counts == tally,
    ):
        found = next((v for v in pool if same(v)), None)
        if found:
            return found
    return None


def _draft_votes(meeting: Meeting, draft: str, used: set[int]):
    """Failed-draft votes on ``draft`` that can be this meeting's."""
    here = Vote.objects.filter(draft_symbol=draft, resolution__isnull=True).exclude(pk__in=used)
    if meeting.pk:
        yield from here.filter(meeting=meeting).order_by("pk")
    unplaced = here.filter(meeting__isnull=True).order_by("pk")
    for vote in unplaced:
        if vote.meeting_symbol == meeting.symbol or (meeting.date and vote.date == meeting.date):
            yield vote


def adopted_resolution(meeting: Meeting, record: RecordVote, *, create: bool) -> Resolution | None:
    """The resolution an adopted draft became (created when ``create`` and not yet held)."""
    ref = resolution_ref(record.parsed.resolution)
    if ref is None:
        record.warnings.append(
            f"adopted draft {record.parsed.draft or '(no symbol)'} names no resolution number"
        )
        return None
    year = ref.year or (meeting.date.year if meeting.date else None)
    if year is None:
        return None
    record.resolution_label = f"{ref.number} ({year})"
    found = Resolution.objects.filter(number=ref.number, year=year).first()
    if found is not None or not create:
        if found is not None:
            _fill_blanks(found, meeting, record)
        return found
    return Resolution.objects.create(
        number=ref.number,
        year=year,
        adopted_on=meeting.date,
        meeting=meeting,
        meeting_symbol=meeting.symbol,
        agenda_item=meeting.agenda_item,
        draft_symbol=record.values["draft_symbol"],
    )


def _fill_blanks(resolution: Resolution, meeting: Meeting, record: RecordVote) -> None:
    """What the record adds to a resolution held already (its date and meeting are its
    vote's, set by the reconciliation)."""
    changed = []
    for attr, value in (
        ("agenda_item", meeting.agenda_item),
        ("draft_symbol", record.values["draft_symbol"]),
    ):
        if not getattr(resolution, attr) and value:
            setattr(resolution, attr, value)
            changed.append(attr)
    if changed and resolution.pk:
        resolution.save(update_fields=changed)


# --------------------------------------------------------------------------- preview


def preview_conflicts(parsed: ParsedMeeting, resolved_votes: list[dict]) -> list[VoteConflict]:
    """The parsed votes that disagree with the archive, as the import would find them; nothing
    is written."""
    if not parsed.votes:
        return []
    meeting = Meeting.objects.filter(symbol=parsed.symbol).first() or Meeting(
        symbol=parsed.symbol, date=parsed.date
    )
    meeting.date = meeting.date or parsed.date
    lookups = _Lookups(parsed.date.year if parsed.date else None)
    conflicts, used = [], set()
    for position, (parsed_vote, lists) in enumerate(
        zip(parsed.votes, resolved_votes, strict=True), 1
    ):
        try:
            record = read_vote(position, parsed_vote, lists, meeting, lookups)
        except UnknownResult:
            continue
        resolution = (
            adopted_resolution(meeting, record, create=False)
            if record.outcome == Vote.Outcome.ADOPTED
            else None
        )
        vote = matching_vote(meeting, record, resolution, used)
        if vote is None:
            continue
        used.add(vote.pk)
        conflict = conflict_with(vote, record, meeting.symbol)
        if conflict is not None:
            conflicts.append(conflict)
    return conflicts


def _iso3s():
    from archive.models import MemberState

    return MemberState.objects.values_list("pk", "iso3")


def conflict_with(vote: Vote, record: RecordVote, symbol: str) -> VoteConflict | None:
    """Where a record's reading differs from the vote the archive shows, if anywhere (a vote
    no source claims, made by hand, is the record's to fill in)."""
    held = Held.of(vote)
    if held.source is None:
        return None
    diffs = differences(held, record.values, symbol)
    if not diffs:
        return None
    return VoteConflict(
        position=record.position,
        vote_id=vote.pk,
        what=record.what,
        archive_source=held.source,
        differences=diffs,
        after_speech=getattr(record.parsed, "after_speech", None),
    )


# --------------------------------------------------------------------------- writing


@dataclass
class WrittenVotes:
    """What writing a record's votes did."""

    count: int = 0
    votes: list[Vote] = field(default_factory=list)  # in the record's order
    conflicts: list[VoteConflict] = field(default_factory=list)
    choices: dict[int, str] = field(default_factory=dict)  # position -> what was done


def write_votes(
    meeting: Meeting,
    parsed: ParsedMeeting,
    resolved_votes: list[dict],
    warnings: list[str],
    *,
    choose: Callable[[VoteConflict], Choice | None],
    user=None,
    via: str = "import",
) -> WrittenVotes:
    """Write the record's claims on its votes and derive the votes shown from all claims."""
    out = WrittenVotes()
    lookups = _Lookups(meeting.date.year if meeting.date else None)
    earlier = {
        c.key: c
        for c in VoteClaim.objects.filter(
            source=VoteClaim.Source.RECORD, key__startswith=record_claim_key(meeting.symbol, "")
        )
    }
    touched = {c.vote_id for c in earlier.values()}
    Vote.objects.filter(meeting=meeting).update(position=None)
    used: set[int] = set()
    for position, (parsed_vote, lists) in enumerate(
        zip(parsed.votes, resolved_votes, strict=True), 1
    ):
        record = read_vote(position, parsed_vote, lists, meeting, lookups)
        vote = _write_one(meeting, record, earlier, used, choose, user, via, out)
        warnings += record.warnings + _tally_warnings(record)
        used.add(vote.pk)
        touched.add(vote.pk)
        out.votes.append(vote)
    stale = [c.pk for c in earlier.values()]
    VoteClaim.objects.filter(pk__in=stale).delete()
    reconcile_votes(touched)
    # Votes this record alone spoke of, and no longer does.
    Vote.objects.filter(pk__in=touched).filter(
        ~Exists(VoteClaim.objects.filter(vote=OuterRef("pk")))
    ).delete()
    out.count = len(parsed.votes)
    return out


def _write_one(meeting, record: RecordVote, earlier, used, choose, user, via, out) -> Vote:
    """One parsed vote: its vote found or created, its claim written with its standing."""
    resolution = None
    if record.outcome == Vote.Outcome.ADOPTED:
        resolution = adopted_resolution(meeting, record, create=True)
    vote = matching_vote(meeting, record, resolution, used)
    key = record_claim_key(meeting.symbol, record.position)
    claim = earlier.pop(key, None)
    conflict = conflict_with(vote, record, meeting.symbol) if vote is not None else None
    if vote is None:
        vote = _new_vote(meeting, record, resolution)
    vote.after_speech = record.parsed.after_speech
    vote.position = record.position if vote.meeting_id in (None, meeting.pk) else None
    vote.save(update_fields=["after_speech", "position"])
    standing, choice = VoteClaim.Standing.COUNTED, None
    if conflict is not None:
        out.conflicts.append(conflict)
        choice = choose(conflict)
        standing = _standing(claim, vote, record, choice)
    claim = _save_claim(claim, vote, key, record, standing)
    if choice is not None:
        _record_choice(vote, claim, choice, user, via)
        out.choices[record.position] = str(choice)
    return vote


def _standing(claim, vote: Vote, record: RecordVote, choice: Choice | None) -> str:
    """A disagreeing reading: as chosen; else as an earlier choice left it, when it reads the
    same as then; else awaiting a choice."""
    if choice is Choice.RECORD:
        return VoteClaim.Standing.COUNTED
    if choice is Choice.ARCHIVE:
        return VoteClaim.Standing.SET_ASIDE
    same = (
        claim is not None
        and claim.vote_id == vote.pk
        and all(getattr(claim, f) == v for f, v in record.values.items() if f != "detail")
    )
    return claim.standing if same else VoteClaim.Standing.PENDING


def _new_vote(meeting: Meeting, record: RecordVote, resolution) -> Vote:
    v = record.values
    return Vote.objects.create(
        meeting=meeting,
        date=meeting.date,
        resolution=resolution,
        subject=v["subject"],
        draft_symbol=v["draft_symbol"],
        description=v["description"],
        outcome=record.outcome,
        in_favour_count=v["in_favour_count"],
        against_count=v["against_count"],
        abstaining_count=v["abstaining_count"],
        source=VoteClaim.Source.RECORD,
    )


def _save_claim(claim, vote: Vote, key: str, record: RecordVote, standing: str) -> VoteClaim:
    if claim is None:
        claim = VoteClaim(source=VoteClaim.Source.RECORD, key=key)
    for name, value in record.values.items():
        setattr(claim, name, value)
    claim.vote = vote
    claim.standing = standing
    claim.save()
    return claim


def _record_choice(vote: Vote, claim: VoteClaim, choice: Choice, user, via: str) -> None:
    """The importer's choice, as a curation decision (undoing it leaves the reading pending)."""
    before = {
        "claim": claim.pk,
        "standing": VoteClaim.Standing.PENDING,
        "chosen_claim": vote.chosen_claim_id,
    }
    if choice is Choice.RECORD:
        vote.chosen_claim = claim
    elif vote.chosen_claim_id == claim.pk:
        vote.chosen_claim = None
    vote.save(update_fields=["chosen_claim"])
    verb = "Took" if choice is Choice.RECORD else "Kept the archive's values over"
    curation.record_decision(
        kind=DECISION_KIND,
        user=user,
        summary=f"{verb} the official record {claim.detail} for {vote} ({via})",
        target=f"vote:{vote.pk}",
        before=before,
        after={"claim": claim.pk, "standing": claim.standing, "chosen_claim": vote.chosen_claim_id},
    )


def _tally_warnings(record: RecordVote) -> list[str]:
    """The President's announced tally against the lists (the parser checks it too)."""
    tally = getattr(record.parsed, "tally", None)
    if not tally:
        return []
    counts = (
        record.values["in_favour_count"],
        record.values["against_count"],
        record.values["abstaining_count"],
    )
    listed = "-".join(str(c) for c in counts)
    if isinstance(tally, (list, tuple)):
        tally = "-".join(str(n) for n in tally)
    return (
        []
        if str(tally) == listed
        else [f"vote {record.position}: announced {tally}, lists give {listed}"]
    )
