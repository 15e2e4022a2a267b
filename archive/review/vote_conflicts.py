"""Review section: votes that an imported record reads differently from the archive.

The record's reading is kept as a pending claim (``VoteClaim.Standing.PENDING``) while the
archive's values stay shown; a person takes one or the other through
``archive.vote_sources.choose`` (recorded, undoable).
"""

from __future__ import annotations

from dataclasses import dataclass

from archive import review
from archive.models import VoteClaim
from archive.vote_sources import DECISION_KIND, Difference, Held, differences

PERMISSION = "archive.change_vote"


@dataclass
class Conflict:
    """A pending claim, its vote and what it reads differently."""

    claim: VoteClaim
    archive_source: str
    differences: list[Difference]


def _values(claim: VoteClaim) -> dict:
    return {
        "outcome": claim.outcome,
        "in_favour_count": claim.in_favour_count,
        "against_count": claim.against_count,
        "abstaining_count": claim.abstaining_count,
        "date": claim.date,
        "positions": claim.positions,
        "unmatched": claim.unmatched,
    }


def conflict(claim: VoteClaim) -> Conflict:
    """What ``claim`` reads differently from the vote the archive shows."""
    held = Held.of(claim.vote)
    symbol = claim.meeting.symbol if claim.meeting_id else claim.meeting_symbol
    return Conflict(claim, held.source or "the archive", differences(held, _values(claim), symbol))


def _pending():
    return VoteClaim.objects.pending()


def _rows(limit: int | None) -> list[Conflict]:
    claims = _pending().select_related("vote__resolution", "vote__meeting", "meeting")
    claims = claims.order_by("recorded_at", "pk")
    return [conflict(claim) for claim in (claims[:limit] if limit else claims)]


SECTION = review.register(
    review.Section(
        slug="vote-conflicts",
        title="Votes the sources disagree on",
        description=(
            "An imported record reads these votes differently from the archive (outcome, "
            "tally, date, meeting or a member's vote). The archive's values stay shown, and "
            "the public page says that the record differs, until someone chooses: take the "
            "record's reading, or keep the archive's."
        ),
        permission=PERMISSION,
        count=lambda: _pending().count(),
        rows=_rows,
        template="admin/review/vote_conflicts.html",
        order=40,
        decision_kinds=(DECISION_KIND,),
    )
)
