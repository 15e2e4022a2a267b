"""An official record's votes beside what the archive holds: the record's claims, where they
disagree with the archive, and a person's choice between the two, recorded and undoable.

Nothing is silently overwritten. When an imported record reads a vote differently from the
archive (outcome, tally, date, meeting, a member's vote), the record's reading is kept as a
claim that either

* awaits a person's choice (``PENDING``: the archive's value stays shown, the page says that
  the record differs, the review queue lists it), or
* is taken (the claim is pinned as the vote's chosen source), or set aside (``SET_ASIDE``), by
  a choice made in the import preview, with ``--take-record-votes`` on the command line, or
  later from the review queue, through ``choose``; each choice is a curation decision
  (kind ``vote_source``) whose undoing restores the previous shown values exactly.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import transaction

from archive import curation
from archive.models import Decision, MemberVote, Vote, VoteClaim
from archive.parsing.checks import Check, Severity
from archive.reference_data.reconcile import reconcile_votes

DECISION_KIND = "vote_source"
P = MemberVote.Position


class Choice(StrEnum):
    """What the importer chose for a vote the record reads differently."""

    ARCHIVE = "archive"  # keep the archive's value; the record's reading is set aside
    RECORD = "record"  # take the record's reading


def record_claim_key(symbol: str, position: int) -> str:
    """The key of a record's claim on its ``position``-th vote."""
    return f"{symbol} vote {position}"


# --------------------------------------------------------------------------- differences


@dataclass(frozen=True)
class Difference:
    """One fact a record reads differently from the archive, both as words."""

    field: str  # outcome, tally, date, meeting, member
    label: str  # "Tally", "China's vote"
    archive: str
    record: str


@dataclass
class VoteConflict:
    """A parsed vote that disagrees with the vote the archive holds for it."""

    position: int  # the vote's position in the record, from 1
    vote_id: int
    what: str  # "resolution 2467 (2019)", "draft S/2019/961"
    archive_source: str  # where the archive's values come from, in words
    differences: list[Difference] = field(default_factory=list)
    after_speech: int | None = None

    @property
    def field_name(self) -> str:
        """The preview form's field for the importer's choice on this vote."""
        return f"vote_choice_{self.position}"


@dataclass(frozen=True)
class Held:
    """What the archive shows for a vote, in the terms of a record's claim."""

    outcome: str
    counts: tuple
    date: datetime.date | None
    meeting_id: int | None
    meeting_symbol: str
    positions: dict[str, str]  # ISO3 -> position
    source: str | None  # where the shown tally (else outcome) comes from; None: no source

    @classmethod
    def of(cls, vote: Vote) -> Held:
        claims = {c.source: c for c in vote.claims.only("source", "detail")}
        if not claims:
            return cls(vote.outcome, vote.counts, vote.date, vote.meeting_id, "", {}, None)
        positions = dict(vote.member_votes.values_list("member_state__iso3", "position"))
        meeting_symbol = vote.meeting.symbol if vote.meeting_id else vote.meeting_symbol
        shown = claims.get(vote.source)
        return cls(
            outcome=vote.outcome,
            counts=vote.counts,
            date=vote.date,
            meeting_id=vote.meeting_id,
            meeting_symbol=meeting_symbol,
            positions=positions,
            source=f"{shown.get_source_display()} ({shown.detail})" if shown else "the archive",
        )


def _tally_words(counts: tuple) -> str:
    return "not given" if None in counts else "-".join(str(c) for c in counts)


def _position_words(position: str | None) -> str:
    return dict(P.choices).get(position, "not listed") if position else "not listed"


def differences(held: Held, values: dict, meeting_symbol: str) -> list[Difference]:
    """What a record's claim (``values``) reads differently from what the archive holds."""
    found = []
    if values["outcome"] and values["outcome"] != held.outcome:
        labels = dict(Vote.Outcome.choices)
        found.append(
            Difference("outcome", "Outcome", labels[held.outcome], labels[values["outcome"]])
        )
    counts = (values["in_favour_count"], values["against_count"], values["abstaining_count"])
    if None not in counts and counts != held.counts:
        found.append(Difference("tally", "Tally", _tally_words(held.counts), _tally_words(counts)))
    if values["date"] and held.date and values["date"] != held.date:
        found.append(
            Difference("date", "Date", f"{held.date:%-d %B %Y}", f"{values['date']:%-d %B %Y}")
        )
    if held.meeting_symbol and meeting_symbol and held.meeting_symbol != meeting_symbol:
        found.append(Difference("meeting", "Meeting", held.meeting_symbol, meeting_symbol))
    if values["positions"] and held.positions:
        for iso3 in sorted(set(held.positions) | set(values["positions"])):
            mine, theirs = held.positions.get(iso3), values["positions"].get(iso3)
            if theirs is None and values["unmatched"]:
                continue  # perhaps among the names the record prints that match no State
            if mine != theirs:
                found.append(
                    Difference(
                        "member", f"{iso3}'s vote", _position_words(mine), _position_words(theirs)
                    )
                )
    return found


def conflict_checks(conflicts: list[VoteConflict]) -> list[Check]:
    """The import-time checks "disagreements with what the archive already holds"."""
    checks = []
    for conflict in conflicts:
        for diff in conflict.differences:
            checks.append(
                Check(
                    severity=Severity.WARNING,
                    code=f"archive_{diff.field}_differs",
                    message=(
                        f"Vote {conflict.position} ({conflict.what}): {diff.label.lower()} is "
                        f"{diff.record} in this record, {diff.archive} in the archive "
                        f"({conflict.archive_source})"
                    ),
                    speech=conflict.after_speech,
                )
            )
    return checks


# --------------------------------------------------------------------------- choices


def choose(*, claim: VoteClaim, take: bool, user, via: str) -> Decision:
    """Take ``claim``'s reading for its vote, or set it aside; recorded as a decision whose
    undoing restores the previous shown values exactly. ``via`` says where it was chosen."""
    with transaction.atomic():
        vote = Vote.objects.select_for_update().get(pk=claim.vote_id)
        claim = VoteClaim.objects.select_for_update().get(pk=claim.pk)
        before = _state(vote, claim)
        claim.standing = VoteClaim.Standing.COUNTED if take else VoteClaim.Standing.SET_ASIDE
        if take:
            vote.chosen_claim = claim
        elif vote.chosen_claim_id == claim.pk:
            vote.chosen_claim = None
        claim.save(update_fields=["standing"])
        vote.save(update_fields=["chosen_claim"])
        reconcile_votes([vote.pk])
        verb = "Took" if take else "Kept the archive's values over"
        return curation.record_decision(
            kind=DECISION_KIND,
            user=user,
            summary=f"{verb} {claim.get_source_display().lower()} {claim.detail} for {vote} ({via})",
            target=f"vote:{vote.pk}",
            before=before,
            after=_state(vote, claim),
        )


def _state(vote: Vote, claim: VoteClaim) -> dict:
    return {"claim": claim.pk, "standing": claim.standing, "chosen_claim": vote.chosen_claim_id}


@curation.undo_handler(DECISION_KIND)
def _undo_choice(decision: Decision) -> None:
    """Put the claim's standing and the vote's chosen source back, and derive the vote again."""
    before = decision.before
    claim = VoteClaim.objects.select_for_update().filter(pk=before["claim"]).first()
    if claim is None:
        raise curation.CannotUndo("The source this choice was about is no longer in the archive.")
    VoteClaim.objects.filter(pk=claim.pk).update(standing=before["standing"])
    chosen = before["chosen_claim"]
    if chosen is not None and not VoteClaim.objects.filter(pk=chosen).exists():
        chosen = None
    Vote.objects.filter(pk=claim.vote_id).update(chosen_claim_id=chosen)
    reconcile_votes([claim.vote_id])
