"""What readers are told about a vote: its result as the sources support it, what the sources do
not hold, where they disagree, and where each value shown comes from.

A vote's values and flags are kept by the reconciliation (``archive.reference_data.reconcile``);
this module puts them in words for the pages, never showing a partial or impossible fact as a
result ("6 of 15 members' votes are in the archive's sources", not "Adopted: 6 in favour").
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.db import connections
from django.utils.functional import cached_property

from archive.models import CouncilTerm, MemberState, MemberVote, Vote, VoteClaim
from archive.reference_data.reconcile import COUNT_FIELDS, Context, disagreements, impossible_counts
from archive.reference_data.values import seats

Flag = Vote.Flag
P = MemberVote.Position

SOURCE_NAMES = {
    VoteClaim.Source.RECORD: "the official record",
    VoteClaim.Source.UN_TABLES: "the UN Library's tables",
    VoteClaim.Source.VOTES_FILE: "the votes-by-member file",
    VoteClaim.Source.VETOES_FILE: "the vetoes list",
    VoteClaim.Source.RESOLUTION_TEXT: "the resolution's text",
}
# Short words for list pages, where each vote is one row.
FLAG_SHORT = {
    Flag.PARTIAL_MEMBERS: "only some members' votes held",
    Flag.NOT_ON_COUNCIL: "a listed State was not on the Council",
    Flag.COUNTS_IMPOSSIBLE: "counts cannot be right",
    Flag.TALLY_MISMATCH: "members' votes disagree with the tally",
    Flag.MEMBER_TWICE: "a member listed twice",
    Flag.UNMATCHED_MEMBER: "a member's name matches no State",
    Flag.NO_TALLY: "tally not held",
    Flag.NO_DATE: "date not held",
    Flag.SOURCES_DIFFER: "sources differ",
    Flag.AWAITING_REVIEW: "a record's reading awaits review",
}
FIELD_NAMES = {
    "outcome": "outcome",
    "tally": "tally",
    "date": "date",
    "meeting": "meeting",
    "members": "members' votes",
    "members_not_shown": "",
    "members_as_printed": "",
    "vetoes": "vetoes",
}


def source_name(source: str) -> str:
    """A source in a sentence ("the votes-by-member file")."""
    return SOURCE_NAMES.get(source, "a source")


def tally_words(counts) -> str:
    return "-".join(str(c) for c in counts)


def flag_words(vote: Vote) -> list[str]:
    """Short words for each flag of a vote, for one row of a list."""
    return [FLAG_SHORT[Flag(f)] for f in vote.flags if f in Flag.values]


def result_words(vote: Vote) -> str:
    """The outcome as a list shows it: "Adopted (13-0-2)", never an impossible or partial
    tally as a result."""
    words = vote.get_outcome_display()
    if vote.tally and Flag.COUNTS_IMPOSSIBLE not in vote.flags:
        return f"{words} ({vote.tally})"
    return words


@dataclass
class SourceRow:
    """One source's claim, as the sources table of a vote shows it."""

    claim: VoteClaim
    name: str
    gives: list[str]
    used_for: list[str]
    differs: list[str] = field(default_factory=list)


class VoteFacts:
    """A vote put in words for its page; its claims and members' votes are read once."""

    def __init__(self, vote: Vote) -> None:
        self.vote = vote
        self.claims = list(vote.claims.select_related("meeting").order_by("source", "pk"))
        self.members = list(
            vote.member_votes.select_related("member_state").order_by("member_state__name")
        )

    # ----------------------------------------------------------------------- the result

    @property
    def year(self) -> int | None:
        return self.vote.year

    @property
    def shows_tally(self) -> bool:
        return bool(self.vote.tally) and Flag.COUNTS_IMPOSSIBLE not in self.vote.flags

    @property
    def seats(self) -> int | None:
        return seats(self.year) if self.year else None

    @cached_property
    def _names(self) -> dict[str, str]:
        wanted = {i for c in self.claims for i in (*c.positions, *c.vetoed_by)}
        return dict(MemberState.objects.filter(iso3__in=wanted).values_list("iso3", "name"))

    def _claim(self, name: str) -> VoteClaim | None:
        pk = self.vote.provenance.get(name)
        return next((c for c in self.claims if c.pk == pk), None)

    def _from(self, name: str) -> str:
        claim = self._claim(name)
        return source_name(claim.source) if claim else "the archive"

    @property
    def coverage(self) -> str:
        """How many members' votes are held, when not every one is."""
        listed = sum(1 for m in self.members if not m.is_veto or m.position != P.AGAINST)
        if self.vote.member_coverage == Vote.Coverage.VETOES_ONLY:
            return (
                "Only the veto is in the archive's sources for this vote: per-member votes are "
                "held from 1994; before that, vetoes only."
            )
        if Flag.PARTIAL_MEMBERS not in self.vote.flags or not self.seats:
            return ""
        text = (
            f"{listed} of {self.seats} members' votes are in the archive's sources "
            f"({self._from('members')})"
        )
        counts = self.vote.counts
        if None in counts:
            return text + "; the tally is not."
        if sum(counts) == listed:
            missing = self.seats - listed
            return (
                text + f"; the tally shown, {tally_words(counts)} ({self._from('tally')}), counts "
                f"{listed} votes: the sources do not say what the other "
                f"member{'s' if missing > 1 else ''} did."
            )
        return text + "."

    # ----------------------------------------------------------------------- notes

    @cached_property
    def notes(self) -> list[str]:
        """One sentence per flag, in a fixed order."""
        vote, notes = self.vote, []
        flags = set(vote.flags)
        if Flag.NO_TALLY in flags and Flag.PARTIAL_MEMBERS not in flags:
            notes.append("The tally of this vote is not in the archive's sources.")
        if Flag.COUNTS_IMPOSSIBLE in flags:
            why = impossible_counts(vote.outcome, vote.counts, self.year)
            notes.append(
                f"The counts given, {vote.tally} ({self._from('tally')}), cannot be right: {why}."
            )
        if Flag.TALLY_MISMATCH in flags:
            notes.append(self._mismatch())
        if Flag.NOT_ON_COUNCIL in flags:
            notes.append(self._not_on_council())
        listing = self._claim("members")
        if Flag.MEMBER_TWICE in flags and listing:
            names = ", ".join(listing.duplicates)
            notes.append(
                f"{source_name(listing.source).capitalize()} lists {names} twice; the first is kept."
            )
        printing = self._claim("members_as_printed")
        if Flag.UNMATCHED_MEMBER in flags and printing:
            names = ", ".join(f"“{m.name}”" for m in self.vote.printed_members)
            notes.append(
                f"{source_name(printing.source).capitalize()} names {names}, which match no "
                "State: shown as printed, not counted among the members' votes."
            )
        if Flag.NO_DATE in flags:
            notes.append("The date of this vote is not in the archive's sources.")
        if Flag.AWAITING_REVIEW in flags:
            notes.append(
                "An imported official record reads this vote differently (see the sources "
                "below); the values shown stay until a person chooses between them."
            )
        return notes

    def _mismatch(self) -> str:
        listed = Counter(m.position for m in self.members)
        columns = tally_words((listed[P.IN_FAVOUR], listed[P.AGAINST], listed[P.ABSTAINING]))
        return (
            f"The members' votes listed ({self._from('members')}) add up to {columns}, which "
            f"does not agree with the tally shown, {self.vote.tally} ({self._from('tally')})."
        )

    def _not_on_council(self) -> str:
        claim = self._claim("members_not_shown")
        if claim is None:  # a State on the list shown: should not happen, said all the same
            return "A State listed among the members' votes did not sit on the Council that year."
        terms = set(
            CouncilTerm.objects.filter(
                member_state__iso3__in=list(claim.positions),
                start_year__lte=self.year,
                end_year__gte=self.year,
            ).values_list("member_state__iso3", flat=True)
        )
        outside = sorted(self._names.get(i, i) for i in claim.positions if i not in terms)
        return (
            f"{source_name(claim.source).capitalize()} ({claim.detail}) lists "
            f"{_and(outside)}, which did not sit on the Council in {self.year}: its list is not "
            "of this vote, and its members' votes are not shown."
        )

    # ----------------------------------------------------------------------- sources

    @cached_property
    def sources(self) -> list[SourceRow]:
        """Every source's claim: what it gives, what the page shows from it, where it differs."""
        ctx = self._context()
        fields = self._fields()
        members = {m.member_state_id: (m.position, m.is_veto) for m in self.members}
        used = {}
        for name, pk in self.vote.provenance.items():
            if FIELD_NAMES.get(name, name):
                used.setdefault(pk, []).append(FIELD_NAMES.get(name, name))
        rows = []
        for claim in sorted(self.claims, key=lambda c: (c.rank, c.pk)):
            values = _as_dict(claim)
            rows.append(
                SourceRow(
                    claim=claim,
                    name=claim.get_source_display(),
                    gives=self._gives(claim),
                    used_for=used.get(claim.pk, []),
                    differs=[
                        self._diff_words(d) for d in disagreements(fields, members, values, ctx)
                    ],
                )
            )
        return rows

    @property
    def differing(self) -> list[SourceRow]:
        return [row for row in self.sources if row.differs]

    def _fields(self) -> dict:
        vote = self.vote
        return {
            "outcome": vote.outcome,
            **{f: getattr(vote, f) for f in COUNT_FIELDS},
            "date": vote.date,
            "meeting_id": vote.meeting_id,
            "meeting_symbol": vote.meeting_symbol,
            "provenance": vote.provenance,
        }

    def _context(self) -> Context:
        # The claims' meetings are joined to them; the vote's is usually joined to it too.
        held = [c.meeting for c in self.claims if c.meeting_id]
        if self.vote.meeting_id:
            held.append(self.vote.meeting)
        meetings = {m.pk: (m.meeting_number, m.date, m.symbol) for m in held}
        wanted = {i for c in self.claims for i in (*c.positions, *c.vetoed_by)}
        state_ids = dict(MemberState.objects.filter(iso3__in=wanted).values_list("iso3", "pk"))
        return Context(state_ids=state_ids, terms={}, meetings=meetings)

    def _gives(self, claim: VoteClaim) -> list[str]:
        gives = []
        if claim.outcome:
            gives.append(claim.get_outcome_display())
        if claim.tally:
            gives.append(claim.tally)
        if claim.date:
            gives.append(f"{claim.date:%-d %B %Y}")
        if claim.meeting_symbol:
            gives.append(claim.meeting_symbol)
        if claim.positions:
            gives.append(f"{len(claim.positions)} members' votes")
        if claim.vetoed_by:
            gives.append("vetoed by " + ", ".join(self._names.get(i, i) for i in claim.vetoed_by))
        return gives

    def _diff_words(self, difference: tuple) -> str:
        what, value = difference
        if what == "outcome":
            return f"outcome: {dict(Vote.Outcome.choices)[value].lower()}"
        if what == "tally":
            return f"tally: {tally_words(value)}"
        if what == "date":
            return f"date: {value:%-d %B %Y}"
        if what == "meeting":
            return f"meeting: S/PV.{value}"
        if what == "member":
            iso3, position = value
            return f"{self._names.get(iso3, iso3)}: {dict(P.choices)[position].lower()}"
        return "vetoed by " + ", ".join(self._names.get(i, i) for i in value)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _as_dict(claim: VoteClaim) -> dict:
    from archive.reference_data.claims import CLAIM_FIELDS

    values = {f: getattr(claim, f) for f in CLAIM_FIELDS}
    values.update(pk=claim.pk, source=claim.source, standing=claim.standing)
    return values


# --------------------------------------------------------------------------- States


# Positions as small integer codes in ``Ballots`` (0: none, for arrays indexed by vote).
POSITION_CODES = {p.value: code for code, p in enumerate(P, start=1)}
NO_DATE = -(2**31)
_POSITION_CODE_SQL = " ".join(
    f"WHEN '{value}' THEN {code}" for value, code in POSITION_CODES.items()
)
_BALLOT_ROW = np.dtype(
    [("id", ">i4"), ("vote", ">i4"), ("state", ">i4"), ("position", ">i4"), ("veto", ">i4"),
     ("listed", ">i4"), ("day", ">i4")]
)  # fmt: skip
_UNLISTED = (Vote.Coverage.VETOES_ONLY.value, Vote.Coverage.NONE.value)
_LISTED = (Vote.Coverage.FULL.value, Vote.Coverage.PARTIAL.value)
_BALLOTS_SQL = f"""
SELECT
  (SELECT string_agg(
      int4send(mv.id::integer) || int4send(mv.vote_id::integer)
      || int4send(mv.member_state_id::integer)
      || int4send(CASE mv.position {_POSITION_CODE_SQL} ELSE 0 END)
      || int4send(mv.is_veto::integer)
      || int4send((v.member_coverage NOT IN {_UNLISTED})::integer)
      || int4send(coalesce(v.date - DATE '1970-01-01', %s)), ''::bytea)
   FROM archive_membervote mv JOIN archive_vote v ON v.id = mv.vote_id),
  (SELECT min(date) FROM archive_vote WHERE member_coverage IN {_LISTED}),
  (SELECT json_agg(json_build_array(id, iso3, name)) FROM archive_memberstate)
"""


@dataclass(frozen=True)
class Ballots:
    """Every member vote the archive holds, as arrays (one entry per member vote).

    One read of 30,000 rows (~20 ms) that only a change to the archive alters: kept by each
    process per archive version with the affinity's roll calls (``archive.research.affinity.
    roll_calls``), it gives a State page its vote counts and latest votes without a query.
    """

    id: np.ndarray
    vote: np.ndarray
    state: np.ndarray
    position: np.ndarray  # POSITION_CODES
    veto: np.ndarray  # bool
    # The vote's members' votes are held (coverage neither "vetoes only" nor "none").
    listed: np.ndarray  # bool
    newest: np.ndarray  # place in "newest vote first" order (no date last, then by id)
    per_member_from: int | None
    # Every State's iso3 code and name, by id: the names a page links to, without a query.
    states: dict[int, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def read(cls, *, using: str = "default") -> Ballots:
        """Every member vote, read now."""
        with connections[using].cursor() as cursor:
            cursor.execute(_BALLOTS_SQL, [NO_DATE])
            blob, first, states = cursor.fetchone()
        rows = np.frombuffer(bytes(blob or b""), dtype=_BALLOT_ROW)
        vote, day = rows["vote"].astype(np.int64), rows["day"].astype(np.int64)
        newest = np.empty(len(rows), np.int64)
        newest[np.lexsort((-vote, -day, day == NO_DATE))] = np.arange(len(rows))
        return cls(
            id=rows["id"].astype(np.int64),
            vote=vote,
            state=rows["state"].astype(np.int64),
            position=rows["position"].astype(np.int64),
            veto=rows["veto"].astype(bool),
            listed=rows["listed"].astype(bool),
            newest=newest,
            per_member_from=first.year if first else None,
            states={pk: (iso3, name) for pk, iso3, name in _json(states or [])},
        )

    def member_state(self, pk: int) -> MemberState:
        """An unsaved MemberState with this id, code and name: enough to name and link it."""
        iso3, name = self.states[pk]
        return MemberState(pk=pk, iso3=iso3, name=name)

    def counts(self, state_id: int) -> dict:
        """A State's votes in favour, against, abstaining and not participating over the votes
        whose members' votes are held (from 1994), its vetoes over every year."""
        mine = self.state == state_id
        listed = mine & self.listed
        counts = {
            name: int(np.count_nonzero(listed & (self.position == POSITION_CODES[position])))
            for name, position in [
                ("in_favour", P.IN_FAVOUR),
                ("against", P.AGAINST),
                ("abstaining", P.ABSTAINING),
                ("not_participating", P.NOT_PARTICIPATING),
            ]
        }
        counts["vetoes"] = int(np.count_nonzero(mine & self.veto))
        counts["total"] = int(np.count_nonzero(mine))
        counts["listed"] = int(np.count_nonzero(listed))
        # Before 1994 the sources give vetoes only: a veto is not counted as "against" there.
        counts["vetoes_only"] = counts["total"] - counts["listed"]
        counts["per_member_from"] = self.per_member_from
        return counts

    def latest(self, state_id: int, count: int) -> list[int]:
        """The ids of a State's ``count`` latest member votes, newest first."""
        mine = np.flatnonzero(self.state == state_id)
        return self.id[mine[np.argsort(self.newest[mine])[:count]]].tolist()


def _json(value):
    # psycopg decodes json columns, unless a cursor wrapper hands over the text.
    return json.loads(value) if isinstance(value, str) else value
