"""Votes: every disagreement between sources, every impossible or partial fact, every value
shown that is not the preferred one, and every placeholder.

Each vote's values and flags are derived again from its claims here, independently of what the
reconciliation stored: a fact is explained only when the vote carries the flag that makes its
page (and the lists) say it (archive.vote_facts), and the values shown are the derived ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.db.models import Count, Exists, OuterRef

from archive.audit import Finding, audit
from archive.models import MemberState, MemberVote, Vote, VoteClaim
from archive.reference_data.reconcile import (
    VOTE_FIELDS,
    Context,
    claims_by_vote,
    derive,
    member_votes_of,
)
from archive.vote_facts import FLAG_SHORT

AREA = "votes"
PLACEHOLDER = re.compile(r"^\s*--\s*$|^V\d+$|Meeting as given|\?\?|\bunknown\b", re.IGNORECASE)


def _label(vote: dict) -> str:
    return f"vote {vote['pk']} ({vote['what']})"


@audit(AREA)
def derived_values_and_flags() -> Iterator[Finding]:
    """Each vote against its claims: stale values (unexplained), and each flag (explained when
    the vote carries it, so that its pages say it)."""
    claims = claims_by_vote(None)
    votes = Vote.objects.filter(pk__in=list(claims)).values(
        "pk", "resolution_id", "chosen_claim_id", "position", "draft_symbol", *VOTE_FIELDS
    )
    ctx = Context.load(c["meeting_id"] for cs in claims.values() for c in cs if c["meeting_id"])
    current = member_votes_of({v["pk"]: v for v in votes})
    for vote in votes:
        vote["what"] = vote["draft_symbol"] or "a decision"
        wanted = derive(vote, claims[vote["pk"]], ctx)
        fields = {k: v for k, v in wanted.fields.items() if not k.startswith("_")}
        stale = [f for f in VOTE_FIELDS if f != "flags" and vote[f] != fields[f]]
        members = {s: mv[:2] for s, mv in current.get(vote["pk"], {}).items()}
        if members != wanted.members:
            stale.append("members' votes")
        if stale:
            yield Finding(
                AREA,
                "stale_values",
                f"{_label(vote)}: shown values differ from its sources' preferred ones "
                f"({', '.join(stale)}); run load_reference_data",
            )
        for flag in fields["flags"]:
            shown = flag in vote["flags"]
            yield Finding(
                AREA,
                flag,
                f"{_label(vote)}: {FLAG_SHORT[Vote.Flag(flag)]}",
                explained="said on the vote's page and in the lists" if shown else None,
            )


@audit(AREA)
def votes_without_sources() -> Iterator[Finding]:
    """A vote no source claims cannot be checked by a reader."""
    claimed = VoteClaim.objects.filter(vote=OuterRef("pk"))
    for pk, outcome in Vote.objects.filter(~Exists(claimed)).values_list("pk", "outcome"):
        yield Finding(AREA, "no_source", f"vote {pk} ({outcome}) has no source")


@audit(AREA)
def placeholders() -> Iterator[Finding]:
    """Codes and placeholders where readers read a vote's meeting or description."""
    for pk, symbol, note, description in Vote.objects.values_list(
        "pk", "meeting_symbol", "meeting_note", "description"
    ):
        for text in (symbol, note, description):
            if text and PLACEHOLDER.search(text):
                yield Finding(AREA, "placeholder", f"vote {pk}: {text[:80]!r}")


@audit(AREA)
def undated_votes() -> Iterator[Finding]:
    """A vote without a date drops out of every year filter."""
    for pk, flags in Vote.objects.filter(date__isnull=True).values_list("pk", "flags"):
        yield Finding(
            AREA,
            "undated",
            f"vote {pk} has no date",
            explained="the page says the date is not in the sources"
            if Vote.Flag.NO_DATE in flags
            else None,
        )


@audit(AREA)
def records_awaiting_review() -> Iterator[Finding]:
    """Records' readings that disagree with the archive and wait for a person's choice."""
    for claim in VoteClaim.objects.pending().select_related("vote"):
        told = Vote.Flag.AWAITING_REVIEW in claim.vote.flags
        yield Finding(
            AREA,
            "record_awaits_review",
            f"vote {claim.vote_id}: {claim.detail} reads it differently",
            explained="the vote's page shows both readings" if told else None,
        )


@audit(AREA)
def states_with_vetoes_only() -> Iterator[Finding]:
    """A State whose votes before 1994 are vetoes only: its page must not count them as its
    votes against (it says what is held instead: archive.vote_facts.Ballots.counts)."""
    rows = (
        MemberVote.objects.filter(vote__member_coverage=Vote.Coverage.VETOES_ONLY)
        .values("member_state")
        .annotate(n=Count("id"))
    )
    names = dict(MemberState.objects.values_list("pk", "name"))
    for row in rows:
        yield Finding(
            AREA,
            "state_vetoes_only_years",
            f"{names[row['member_state']]}: {row['n']} vote{'s' if row['n'] > 1 else ''} known "
            "only as vetoes",
            explained="the State's pages count them as vetoes and say per-member votes are "
            "held from 1994",
        )
