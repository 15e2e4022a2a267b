"""The reconciliation: each vote's shown values, its members' votes and its flags, derived from
its claims (``VoteClaim``) alone, so that it can run after every load and every import and
always give the same answer.

The preferred value of each field (outcome, tally, date, meeting, members' votes, vetoes) is the
one of the claim a person chose (``Vote.chosen_claim``), else of the first counted claim that
gives it, in the order official record > UN tables > votes-by-member file > vetoes list >
resolution texts. A claim awaiting a person's choice (PENDING) or set aside by one is never
used, but it is compared: where any claim differs from what is shown, the vote is flagged
``sources_differ`` and the page says what the other source says.

The adopting vote's date and meeting are also its resolution's.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from archive.models import (
    CouncilTerm,
    Meeting,
    MemberState,
    MemberVote,
    PrintedMember,
    Resolution,
    Vote,
    VoteClaim,
)
from archive.reference_data.base import LoadResult, update_rows
from archive.reference_data.claims import CLAIM_FIELDS
from archive.reference_data.values import required_majority, seats

Flag = Vote.Flag
P = MemberVote.Position
RECORDED = (Vote.Outcome.ADOPTED, Vote.Outcome.NOT_ADOPTED, Vote.Outcome.VETOED)
FAILED = (Vote.Outcome.VETOED, Vote.Outcome.NOT_ADOPTED)
COUNT_FIELDS = ("in_favour_count", "against_count", "abstaining_count")
VOTE_FIELDS = [
    "outcome",
    *COUNT_FIELDS,
    "date",
    "meeting_id",
    "meeting_symbol",
    "meeting_note",
    "draft_symbol",
    "subject",
    "description",
    "source",
    "flags",
    "member_coverage",
    "provenance",
    "members_as_printed",
]
_SPV = re.compile(r"^S/PV\.\s?(\d+)")
# Sources of vote rows the loaders made before claims existed: removed once nothing claims them.
LEGACY_SOURCES = ("un-library-resolutions", "votingagent", "vetoes ")


@dataclass
class Context:
    """What the reconciliation looks up: States by ISO3, Council terms, meetings' dates."""

    state_ids: dict[str, int]
    terms: dict[int, list[tuple[int, int]]]
    meetings: dict[int, tuple] = field(default_factory=dict)  # pk -> (number, date, symbol)
    resolution_years: dict[int, int] = field(default_factory=dict)

    @classmethod
    def load(cls, meeting_ids: Iterable[int]) -> Context:
        terms: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for state, start, end in CouncilTerm.objects.values_list(
            "member_state_id", "start_year", "end_year"
        ):
            terms[state].append((start, end))
        meetings = {
            pk: (number, date, symbol)
            for pk, number, date, symbol in Meeting.objects.filter(
                pk__in=set(meeting_ids)
            ).values_list("pk", "meeting_number", "date", "symbol")
        }
        return cls(
            state_ids=dict(MemberState.objects.values_list("iso3", "pk")),
            terms=terms,
            meetings=meetings,
            resolution_years=dict(Resolution.objects.values_list("pk", "year")),
        )

    def on_council(self, state_id: int, year: int) -> bool:
        return any(start <= year <= end for start, end in self.terms.get(state_id, ()))

    def meeting_date(self, meeting_id):
        return self.meetings[meeting_id][1] if meeting_id in self.meetings else None

    def meeting_number(self, claim: dict) -> int | None:
        if claim["meeting_id"] in self.meetings:
            return self.meetings[claim["meeting_id"]][0]
        match = _SPV.match(claim["meeting_symbol"] or "")
        return int(match[1]) if match else None


@dataclass
class Preferred:
    """A vote's derived values: its fields, its members' votes (state -> position, veto)."""

    fields: dict
    members: dict[int, tuple[str, bool]]


# --------------------------------------------------------------------------- the step


def reconcile_votes(vote_ids: Iterable[int] | None = None) -> LoadResult:
    """Derive the shown values of these votes (all votes with claims if None) from their claims
    and write what differs; then their resolutions' dates and meetings."""
    result = LoadResult("reconciliation")
    claims = claims_by_vote(vote_ids)
    votes = {
        row["pk"]: row
        for row in Vote.objects.filter(pk__in=list(claims)).values(
            "pk", "resolution_id", "chosen_claim_id", "position", *VOTE_FIELDS
        )
    }
    ctx = Context.load(c["meeting_id"] for cs in claims.values() for c in cs if c["meeting_id"])
    current = member_votes_of(votes)
    wanted = {pk: derive(vote, claims[pk], ctx) for pk, vote in votes.items()}
    with transaction.atomic():
        _write_votes(votes, wanted, result)
        _write_member_votes(current, wanted, result)
        _write_resolutions(votes, wanted, ctx, result)
        if vote_ids is None:
            result.deleted["Vote"] += _delete_unclaimed_legacy_votes()
    return result


def claims_by_vote(vote_ids: Iterable[int] | None) -> dict[int, list[dict]]:
    qs = VoteClaim.objects.all()
    if vote_ids is not None:
        qs = qs.filter(vote_id__in=list(vote_ids))
    claims: dict[int, list[dict]] = defaultdict(list)
    for row in qs.values("pk", "vote_id", "source", "standing", "key", *CLAIM_FIELDS):
        claims[row["vote_id"]].append(row)
    return claims


def member_votes_of(votes: dict) -> dict[int, dict[int, tuple]]:
    current: dict[int, dict[int, tuple]] = defaultdict(dict)
    for pk, vote_id, state, position, is_veto in MemberVote.objects.filter(
        vote_id__in=list(votes)
    ).values_list("pk", "vote_id", "member_state_id", "position", "is_veto"):
        current[vote_id][state] = (position, is_veto, pk)
    return current


def _write_votes(votes: dict, wanted: dict[int, Preferred], result: LoadResult) -> None:
    changed = []
    for pk, vote in votes.items():
        fields = wanted[pk].fields
        position = vote["position"] if fields.pop("_record_meeting") else None
        if position == vote["position"] and all(vote[f] == fields[f] for f in VOTE_FIELDS):
            continue
        instance = Vote(pk=pk, resolution_id=vote["resolution_id"], **fields)
        instance.position = position
        changed.append(instance)
    moved = [v.pk for v in changed if v.position is None and votes[v.pk]["position"]]
    Vote.objects.filter(pk__in=moved).update(position=None)
    update_rows(Vote, changed, [*VOTE_FIELDS, "position"])
    result.updated["Vote"] += len(changed)
    result.unchanged["Vote"] += len(votes) - len(changed)


def _write_member_votes(current: dict, wanted: dict[int, Preferred], result: LoadResult) -> None:
    create, update, delete = [], [], []
    for vote_id, preferred in wanted.items():
        have = current.get(vote_id, {})
        for state, (position, is_veto) in preferred.members.items():
            old = have.get(state)
            if old is None:
                create.append(
                    MemberVote(
                        vote_id=vote_id, member_state_id=state, position=position, is_veto=is_veto
                    )
                )
            elif old[:2] != (position, is_veto):
                update.append(MemberVote(pk=old[2], position=position, is_veto=is_veto))
        delete += [old[2] for state, old in have.items() if state not in preferred.members]
    MemberVote.objects.filter(pk__in=delete).delete()
    update_rows(MemberVote, update, ["position", "is_veto"])
    MemberVote.objects.bulk_create(create, batch_size=2000)
    result.created["MemberVote"] += len(create)
    result.updated["MemberVote"] += len(update)
    result.deleted["MemberVote"] += len(delete)
    total = sum(len(p.members) for p in wanted.values())
    result.unchanged["MemberVote"] += total - len(create) - len(update)


def _write_resolutions(votes: dict, wanted: dict, ctx: Context, result: LoadResult) -> None:
    """An adopted resolution's date and meeting are its vote's."""
    by_resolution = {
        v["resolution_id"]: wanted[pk].fields for pk, v in votes.items() if v["resolution_id"]
    }
    changed = []
    for pk, adopted_on, meeting_id, symbol in Resolution.objects.filter(
        pk__in=list(by_resolution)
    ).values_list("pk", "adopted_on", "meeting_id", "meeting_symbol"):
        fields = by_resolution[pk]
        meeting = ctx.meetings.get(fields["meeting_id"])
        want = (
            fields["date"],
            fields["meeting_id"],
            meeting[2] if meeting else fields["meeting_symbol"],
        )
        if (adopted_on, meeting_id, symbol) != want:
            changed.append(
                Resolution(pk=pk, adopted_on=want[0], meeting_id=want[1], meeting_symbol=want[2])
            )
    update_rows(Resolution, changed, ["adopted_on", "meeting_id", "meeting_symbol"])
    result.updated["Resolution"] += len(changed)


def _delete_unclaimed_legacy_votes() -> int:
    """Votes the loaders made that no source claims any more (or rows of the loader before
    claims); votes made by hand or by tests, with no source, are left alone."""
    made_by_loaders = (
        Q(source__in=[*VoteClaim.Source.values, LEGACY_SOURCES[0]])
        | Q(source__startswith=LEGACY_SOURCES[1])
        | Q(source__startswith=LEGACY_SOURCES[2])
    )
    claimed = VoteClaim.objects.filter(vote=OuterRef("pk"))
    deleted, _ = Vote.objects.filter(made_by_loaders).filter(~Exists(claimed)).delete()
    return deleted


# --------------------------------------------------------------------------- deriving


def ordered(vote: dict, claims: list[dict]) -> list[dict]:
    """The claims a vote's values come from, in order: the chosen one, then by precedence.
    Claims awaiting a choice or set aside are used only if no other claim is left."""
    counted = [c for c in claims if c["standing"] == VoteClaim.Standing.COUNTED] or list(claims)
    chosen = vote.get("chosen_claim_id")
    return sorted(
        counted, key=lambda c: (c["pk"] != chosen, VoteClaim.PRECEDENCE[c["source"]], c["pk"])
    )


def _first(claims: list[dict], test) -> dict | None:
    return next((c for c in claims if test(c)), None)


def derive(vote: dict, claims: list[dict], ctx: Context) -> Preferred:
    """The values a vote shows, from its claims."""
    order = ordered(vote, claims)
    adopting = vote["resolution_id"] is not None
    provenance: dict[str, int] = {}

    def take(name: str, test) -> dict | None:
        claim = _first(order, test)
        if claim is not None:
            provenance[name] = claim["pk"]
        return claim

    by_outcome = take("outcome", lambda c: c["outcome"] and (c["outcome"] in FAILED) != adopting)
    outcome = by_outcome["outcome"] if by_outcome else vote["outcome"]
    date, by_date = _date(order, ctx)
    if by_date:
        provenance["date"] = by_date["pk"]
    year = date.year if date else ctx.resolution_years.get(vote["resolution_id"])
    counts, by_tally = (None, None, None), None
    if outcome != Vote.Outcome.ADOPTED_WITHOUT_VOTE:
        # A tally that cannot be right for the outcome (a veto with no vote against) is passed
        # over for the next source's, and shown as what that source says.
        by_tally = take(
            "tally",
            lambda c: (
                None not in _counts(c)
                and not (year and impossible_counts(outcome, _counts(c), year))
            ),
        ) or take("tally", lambda c: None not in _counts(c))
        counts = _counts(by_tally) if by_tally else counts
    meeting = take("meeting", lambda c: c["meeting_id"])
    fields = {
        "outcome": outcome,
        **dict(zip(COUNT_FIELDS, counts, strict=True)),
        "date": date,
        "meeting_id": meeting["meeting_id"] if meeting else None,
        **_meeting_texts(order, meeting, ctx),
        **_draft(order),
        "source": (by_tally or by_outcome or {}).get("source", ""),
    }
    members, coverage = _members(order, outcome, year, ctx, provenance)
    fields["member_coverage"] = coverage
    fields["members_as_printed"] = _as_printed(order, outcome, provenance)
    fields["provenance"] = provenance
    fields["flags"] = flags(fields, members, claims, year, ctx)
    # A vote's position within its meeting is a record's: it holds only at the record's meeting.
    fields["_record_meeting"] = any(
        c["source"] == VoteClaim.Source.RECORD and c["meeting_id"] == fields["meeting_id"]
        for c in claims
    )
    return Preferred(fields=fields, members=members)


def _counts(claim: dict) -> tuple:
    return tuple(claim[f] for f in COUNT_FIELDS)


def _date(order: list[dict], ctx: Context):
    """The first claim's own date, or the date of the meeting it names."""
    for claim in order:
        date = claim["date"] or ctx.meeting_date(claim["meeting_id"])
        if date:
            return date, claim
    return None, None


def _meeting_texts(order: list[dict], meeting: dict | None, ctx: Context) -> dict:
    """A meeting the archive does not hold, as a source names it; else how the vote was taken."""
    if meeting is not None:
        return {"meeting_symbol": "", "meeting_note": ""}
    named = _first(order, lambda c: _SPV.match(c["meeting_symbol"] or ""))
    symbol = f"S/PV.{_SPV.match(named['meeting_symbol'])[1]}" if named else ""
    note = _first(order, lambda c: c["meeting_note"])
    return {
        "meeting_symbol": symbol,
        "meeting_note": note["meeting_note"] if note and not symbol else "",
    }


def _draft(order: list[dict]) -> dict:
    """Draft symbol, subject and description: the first claim that gives each."""
    symbol = _first(
        order, lambda c: c["draft_symbol"].startswith("S/") and not _SPV.match(c["draft_symbol"])
    )
    named = _first(order, lambda c: _SPV.match(c["draft_symbol"]))
    subject = _first(order, lambda c: c["subject"])
    description = _first(order, lambda c: c["description"])
    parts = []
    if symbol is None and named is not None:
        parts.append(
            f"A draft without a document symbol, known by the record {named['draft_symbol']}."
        )
    if description:
        parts.append(description["description"])
    return {
        "draft_symbol": symbol["draft_symbol"] if symbol else "",
        "subject": subject["subject"] if subject else Vote.Subject.DRAFT_RESOLUTION,
        "description": " ".join(parts),
    }


def _members(order, outcome, year, ctx: Context, provenance: dict):
    """Members' votes from the first claim that lists them, vetoes from the first that names
    them (a veto is a vote against); and how many members the sources cover."""
    # No member votes on a decision adopted without a vote (the votes file still lists every
    # member "Yes" for those). A list naming a State that did not sit on the Council that year
    # is not a list of this vote (the votes file gives 1995 votes the members of 2023): it is
    # not shown, and the vote is flagged.
    listings = (
        [] if outcome == Vote.Outcome.ADOPTED_WITHOUT_VOTE else [c for c in order if c["positions"]]
    )
    wrong = [c for c in listings if year and _outsiders(c, year, ctx)]
    if wrong:
        provenance["members_not_shown"] = wrong[0]["pk"]
    listing = next((c for c in listings if c not in wrong), None)
    members: dict[int, tuple[str, bool]] = {}
    if listing is not None:
        provenance["members"] = listing["pk"]
        for iso3, position in listing["positions"].items():
            if iso3 in ctx.state_ids:
                members[ctx.state_ids[iso3]] = (position, False)
    vetoing = _first(order, lambda c: c["vetoed_by"]) if outcome == Vote.Outcome.VETOED else None
    if vetoing is not None:
        provenance["vetoes"] = vetoing["pk"]
        outranks = (
            listing is None
            or VoteClaim.PRECEDENCE[vetoing["source"]] <= VoteClaim.PRECEDENCE[listing["source"]]
        )
        for iso3 in vetoing["vetoed_by"]:
            state = ctx.state_ids.get(iso3)
            if state is None:
                continue
            if state not in members or members[state][0] == P.AGAINST or outranks:
                members[state] = (P.AGAINST, True)
    if outcome == Vote.Outcome.ADOPTED_WITHOUT_VOTE or not members:
        coverage = Vote.Coverage.NONE
    elif listing is None:
        coverage = Vote.Coverage.VETOES_ONLY
    else:
        listed = len(listing["positions"])
        coverage = Vote.Coverage.FULL if year and listed >= seats(year) else Vote.Coverage.PARTIAL
    return members, coverage


def _as_printed(order: list[dict], outcome: str, provenance: dict) -> list[dict]:
    """Names a list prints that match no State, kept as printed: those of the source of the
    members' votes shown, else of the first source printing any (a list none of whose names
    matched). ``PrintedMember`` entries: {name, position}."""
    if outcome == Vote.Outcome.ADOPTED_WITHOUT_VOTE:
        return []
    listing = _first(order, lambda c: c["pk"] == provenance.get("members"))
    if listing is None:
        hidden = provenance.get("members_not_shown")
        listing = _first(order, lambda c: c["unmatched"] and c["pk"] != hidden)
    if listing is None or not listing["unmatched"]:
        return []
    provenance["members_as_printed"] = listing["pk"]
    return [PrintedMember.of(entry).as_entry() for entry in listing["unmatched"]]


def _outsiders(claim: dict, year: int, ctx: Context) -> list[str]:
    """The States a claim lists that did not sit on the Council in ``year`` (ISO3)."""
    return [
        iso3
        for iso3 in claim["positions"]
        if iso3 in ctx.state_ids and not ctx.on_council(ctx.state_ids[iso3], year)
    ]


# --------------------------------------------------------------------------- flags


def flags(fields: dict, members: dict, claims: list[dict], year, ctx: Context) -> list[str]:
    """What readers must be told about this vote's facts, in a fixed order."""
    found = set()
    counts = tuple(fields[f] for f in COUNT_FIELDS)
    recorded = fields["outcome"] in RECORDED
    if fields["date"] is None:
        found.add(Flag.NO_DATE)
    if recorded and None in counts:
        found.add(Flag.NO_TALLY)
    if fields["member_coverage"] == Vote.Coverage.PARTIAL and recorded:
        found.add(Flag.PARTIAL_MEMBERS)
    if "members_not_shown" in fields["provenance"] or (
        year and any(not ctx.on_council(state, year) for state in members)
    ):
        found.add(Flag.NOT_ON_COUNCIL)
    if year and None not in counts and impossible_counts(fields["outcome"], counts, year):
        found.add(Flag.COUNTS_IMPOSSIBLE)
    if year and None not in counts and _lists_disagree(fields, members, counts, year):
        found.add(Flag.TALLY_MISMATCH)
    listing = next((c for c in claims if c["pk"] == fields["provenance"].get("members")), None)
    if listing and listing["duplicates"]:
        found.add(Flag.MEMBER_TWICE)
    if fields["members_as_printed"]:
        found.add(Flag.UNMATCHED_MEMBER)
    others = [c for c in claims if disagreements(fields, members, c, ctx)]
    if others:
        found.add(Flag.SOURCES_DIFFER)
    if any(c["standing"] == VoteClaim.Standing.PENDING for c in claims):
        found.add(Flag.AWAITING_REVIEW)
    return [flag.value for flag in Flag if flag in found]


def impossible_counts(outcome: str, counts: tuple, year: int) -> str:
    """Why a tally cannot be right for this outcome and year ("" when it can)."""
    in_favour, against, _abstaining = counts
    if sum(counts) > seats(year):
        return f"{sum(counts)} votes for {seats(year)} seats"
    if outcome == Vote.Outcome.ADOPTED and in_favour < required_majority(year):
        return f"adopted with {in_favour} votes in favour, fewer than the {required_majority(year)} required"
    if outcome == Vote.Outcome.VETOED and against == 0:
        return "vetoed with no vote against"
    return ""


def _lists_disagree(fields: dict, members: dict, counts: tuple, year: int) -> bool:
    """Members' votes that contradict the tally: more in a column than the tally has, or a
    complete list that adds up to another tally."""
    if not members or fields["member_coverage"] == Vote.Coverage.VETOES_ONLY:
        return False
    listed = Counter(position for position, _veto in members.values())
    columns = (listed[P.IN_FAVOUR], listed[P.AGAINST], listed[P.ABSTAINING])
    if fields["member_coverage"] == Vote.Coverage.FULL:
        return columns != counts
    return any(mine > theirs for mine, theirs in zip(columns, counts, strict=True))


def disagreements(
    fields: dict, members: dict, claim: dict, ctx: Context
) -> list[tuple[str, object]]:
    """What ``claim`` says that differs from the shown values: (field, the claim's value)."""
    found = []
    if claim["outcome"] and claim["outcome"] != fields["outcome"]:
        found.append(("outcome", claim["outcome"]))
    mine = _counts(claim)
    shown = tuple(fields[f] for f in COUNT_FIELDS)
    if None not in mine and None not in shown and mine != shown:
        found.append(("tally", mine))
    if claim["date"] and fields["date"] and claim["date"] != fields["date"]:
        found.append(("date", claim["date"]))
    number = ctx.meeting_number(claim)
    shown_number = (
        ctx.meetings[fields["meeting_id"]][0] if fields["meeting_id"] in ctx.meetings else None
    )
    shown_number = shown_number or ctx.meeting_number(
        {"meeting_id": None, "meeting_symbol": fields["meeting_symbol"]}
    )
    if number and shown_number and number != shown_number:
        found.append(("meeting", number))
    if claim["pk"] != fields["provenance"].get("members"):
        for iso3, position in claim["positions"].items():
            state = ctx.state_ids.get(iso3)
            if state in members and members[state][0] != position:
                found.append(("member", (iso3, position)))
    shown_vetoes = {s for s, (_p, veto) in members.items() if veto}
    theirs = {ctx.state_ids.get(iso3) for iso3 in claim["vetoed_by"]} - {None}
    if theirs and shown_vetoes and theirs != shown_vetoes:
        found.append(("vetoes", sorted(claim["vetoed_by"])))
    return found
