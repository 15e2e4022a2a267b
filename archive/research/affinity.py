"""Voting affinity: how often two Council members voted the same way.

Definitions (stated on the pages too):

* A vote counts when the archive holds its roll call: at least one member's position that is
  not a veto. Before 1994 the archive holds only vetoes (who cast them), not how the other
  members voted, so no agreement can be computed for those years. Votes adopted without a vote
  (by consensus) have no positions and do not count.
* Two States *shared* a vote when the archive records a position for both of them on it (both
  sat on the Council). A vote on which either did not participate is left out of their count
  (neither agreement nor disagreement) and reported as such.
* They *voted the same* when both were in favour, both against, or both abstained. A veto is
  a vote against.
* Agreement = votes the same / votes shared. Below ``THIN`` shared votes the figure is shown but
  marked as resting on thin data and never used to rank.
* Both States sat on the Council: a vote whose roll call names a State that held no seat in
  the vote's year is left out whole (the source gave it another Council's votes) and counted.
* A vote the reconciliation of its sources flags as holding only some members' votes
  (``Vote.Flag.PARTIAL_MEMBERS``) or naming a State without a seat (``NOT_ON_COUNCIL``) is left
  out whole and counted. Other warnings (a tally that disagrees with the members' votes,
  sources that differ) do not change the members' positions the archive holds: they count.
* A vote's year is its date's, else its meeting's, else its resolution's year, else the year in
  its draft's symbol (S/2020/654: drafts voted by written procedure in 2020 have no meeting and
  no reliable date in the votes file); a vote with none of them is counted apart.
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass, field

import numpy as np
from django.db import connections

from archive.models import CouncilTerm, MemberState, MemberVote, Vote
from archive.vote_facts import POSITION_CODES, Ballots

THIN = 10
ROLL_CALLS_FROM = 1994
NOT_PARTICIPATING = MemberVote.Position.NOT_PARTICIPATING.value

# Votes with a roll call, their year, and whether every member named held a seat that year.
# ``seated`` is false when the roll call names a State with no seat that year: the source put
# another Council's votes on this decision (74 votes in the 1994-2025 file), so none of its
# positions can be trusted. ``flagged``: the reconciliation of the vote's sources warns that
# only some members' votes are held, or that a list names a State without a seat
# (Vote.Flag.PARTIAL_MEMBERS, NOT_ON_COUNCIL): such votes are left out too.
_ROLL_CALLS = r"""
WITH years AS MATERIALIZED (
    SELECT v.id, v.flags, COALESCE(
        EXTRACT(YEAR FROM COALESCE(v.date, m.date, r.adopted_on))::integer,
        r.year,
        substring(v.draft_symbol FROM '^S/(\d{4})/')::integer
    ) AS year
    FROM archive_vote v
    LEFT JOIN archive_meeting m ON m.id = v.meeting_id
    LEFT JOIN archive_resolution r ON r.id = v.resolution_id
    WHERE v.id IN (SELECT x.vote_id FROM archive_membervote x WHERE NOT x.is_veto)
       OR v.flags && ARRAY['partial_members', 'not_on_council']::varchar[]
),
unseated AS (
    SELECT DISTINCT x.vote_id
    FROM years v JOIN archive_membervote x ON x.vote_id = v.id
    WHERE NOT EXISTS (
        SELECT 1 FROM archive_councilterm t
        WHERE t.member_state_id = x.member_state_id
          AND v.year BETWEEN t.start_year AND t.end_year)
)
SELECT v.id, v.year, v.year IS NOT NULL AND v.id NOT IN (SELECT vote_id FROM unseated),
       v.flags && ARRAY['partial_members', 'not_on_council']::varchar[] AS flagged
FROM years v
"""
_COUNTS = f"""
    count(*) FILTER (WHERE a.position <> '{NOT_PARTICIPATING}'
                     AND b.position <> '{NOT_PARTICIPATING}') AS shared,
    count(*) FILTER (WHERE a.position = b.position
                     AND a.position <> '{NOT_PARTICIPATING}') AS same,
    count(*) FILTER (WHERE a.position = '{NOT_PARTICIPATING}'
                     OR b.position = '{NOT_PARTICIPATING}') AS left_out
"""


_NOT_PARTICIPATING_CODE = POSITION_CODES[NOT_PARTICIPATING]
_NO_CAST = 0


@dataclass(frozen=True)
class Casts:
    """Every member's position on the counted votes, one entry per member vote (arrays)."""

    vote: np.ndarray  # vote id
    state: np.ndarray  # member_state_id
    position: np.ndarray  # POSITION_CODES
    year: np.ndarray  # the vote's year

    @classmethod
    def empty(cls) -> Casts:
        return cls(*(np.zeros(0, np.int64) for _ in range(4)))


@dataclass(frozen=True)
class RollCalls:
    """The votes the affinity counts (``years``: vote id -> year) and those it leaves out."""

    years: dict[int, int]
    # Roll-call votes with no year (no date, meeting, resolution or draft year).
    undated: int
    # Roll-call votes naming a State with no seat that year: vote id -> year.
    unseated: dict[int, int]
    # Votes flagged as holding only some members' votes, or whose source's list named a State
    # without a seat (the list is then not shown): vote id -> year.
    partial: dict[int, int]
    # The positions cast on the counted votes (``years``): what a State page ranks from.
    casts: Casts = field(default_factory=Casts.empty)
    # Every member vote (a State page's counts and latest votes), read with the roll calls.
    ballots: Ballots | None = None

    def in_span(self, span: Span) -> list[int]:
        return sorted(v for v, year in self.years.items() if span.start <= year <= span.end)

    def unseated_in(self, span: Span) -> int:
        return sum(1 for year in self.unseated.values() if span.start <= year <= span.end)

    def partial_in(self, span: Span) -> int:
        return sum(1 for year in self.partial.values() if span.start <= year <= span.end)


# The last few roll-call tables built by this process, by (database, archive version, rows).
_kept: dict[tuple, RollCalls] = {}
_kept_lock = threading.Lock()
KEPT = 4

# What the table is built from, cheaply: primary-key maxima (index reads) and small counts.
# Within a test's rolled-back transaction the archive version does not move; these do.
_FINGERPRINT = """
SELECT (SELECT version FROM archive_archivestate WHERE id = 1),
       (SELECT max(id) FROM archive_membervote), (SELECT count(*) FROM archive_vote),
       (SELECT max(id) FROM archive_vote), (SELECT count(*) FROM archive_councilterm),
       (SELECT max(id) FROM archive_councilterm)
"""


def roll_calls(*, using: str = "default", version: str | None = None) -> RollCalls:
    """Which votes count: kept by each process for a state of the archive (``version``).

    Two queries over every vote (3,000) and member vote (30,000), ~70 ms, that only an import
    or an edit changes: like the filter boxes' suggestions (archive.filter_options) and the
    search's catalogue (archive.ranking), it is built once per archive version by each worker,
    with the positions cast on the counted votes, from which a State page ranks its closest
    and furthest members without a query (``state_affinity``).
    """
    key = None
    if version:
        key = (using, version, *_rows(_FINGERPRINT, [], using=using)[0])
        with _kept_lock:
            if key in _kept:
                return _kept[key]
    ballots = Ballots.read(using=using)
    years, unseated, partial, undated = {}, {}, {}, 0
    for vote_id, year, seated, flagged in _rows(_ROLL_CALLS, [], using=using):
        if year is None:
            undated += 1
        elif not seated:
            unseated[vote_id] = year
        elif flagged:
            partial[vote_id] = year
        else:
            years[vote_id] = year
    result = RollCalls(
        years=years,
        undated=undated,
        unseated=unseated,
        partial=partial,
        casts=_casts(ballots, years),
        ballots=ballots,
    )
    if key:
        with _kept_lock:
            while len(_kept) >= KEPT:
                _kept.pop(next(iter(_kept)))
            _kept[key] = result
    return result


def _casts(ballots: Ballots, years: dict[int, int]) -> Casts:
    """The member votes of the counted votes (``years``)."""
    size = max(int(ballots.vote.max(initial=0)), max(years, default=0)) + 1
    year_of = np.zeros(size, np.int64)
    year_of[np.fromiter(years, np.int64, len(years))] = list(years.values())
    counted = year_of[ballots.vote] != 0
    vote = ballots.vote[counted]
    return Casts(
        vote=vote,
        state=ballots.state[counted],
        position=ballots.position[counted],
        year=year_of[vote],
    )


@dataclass(frozen=True)
class Agreement:
    """How two States voted on the votes they shared."""

    a: int
    b: int
    shared: int
    same: int
    left_out: int = 0

    @property
    def share(self) -> float | None:
        """Percentage of shared votes on which they voted the same; None without any."""
        return 100 * self.same / self.shared if self.shared else None

    @property
    def thin(self) -> bool:
        return self.shared < THIN

    def other(self, state_id: int) -> int:
        return self.b if state_id == self.a else self.a


@dataclass(frozen=True)
class Span:
    """Years from ``start`` to ``end`` inclusive."""

    start: int
    end: int

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}–{self.end}"

    @property
    def has_roll_calls(self) -> bool:
        return self.end >= ROLL_CALLS_FROM

    @property
    def vetoes_only(self) -> bool:
        return self.start < ROLL_CALLS_FROM


def _rows(sql: str, params: list, *, using: str) -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass
class Matrix:
    """The agreement of every pair of States that sat in a span."""

    span: Span
    states: list[MemberState]
    pairs: dict[tuple[int, int], Agreement]
    votes: int
    # Roll-call votes (all years) with no date, meeting, resolution or draft year.
    undated: int
    # Roll-call votes of the span naming a State that held no seat then (left out).
    unseated: int
    # Roll-call votes of the span flagged as partial (left out).
    partial: int = 0

    def between(self, a: int, b: int) -> Agreement | None:
        return self.pairs.get((min(a, b), max(a, b)))

    @property
    def thin_pairs(self) -> int:
        return sum(1 for p in self.pairs.values() if p.thin)


def council_members(span: Span, *, using: str = "default") -> list[MemberState]:
    """States with a seat at some time in ``span``: permanent members first, then by name."""
    terms = CouncilTerm.objects.using(using).filter(
        start_year__lte=span.end, end_year__gte=span.start
    )
    permanent = set(terms.filter(seat=CouncilTerm.Seat.PERMANENT).values_list("member_state_id"))
    states = MemberState.objects.using(using).filter(council_terms__in=terms).distinct()
    return sorted(states, key=lambda s: ((s.pk,) not in permanent, s.name))


def matrix(span: Span, *, using: str = "default", calls: RollCalls | None = None) -> Matrix:
    """Agreement of every pair of members over the roll-call votes of ``span``."""
    calls = calls or roll_calls(using=using)
    votes = calls.in_span(span)
    rows = _rows(
        f"""
        WITH cast_ AS (
            SELECT vote_id, member_state_id AS state, position FROM archive_membervote
            WHERE vote_id = ANY(%s)
        )
        SELECT a.state, b.state, {_COUNTS}
        FROM cast_ a JOIN cast_ b ON a.vote_id = b.vote_id AND a.state < b.state
        GROUP BY 1, 2
        """,
        [votes],
        using=using,
    )
    pairs = {(a, b): Agreement(a, b, *counts) for a, b, *counts in rows}
    states = council_members(span, using=using)
    extra = {i for pair in pairs for i in pair} - {s.pk for s in states}
    if extra:  # cannot happen for seated votes; never drop a recorded vote all the same
        states += list(MemberState.objects.using(using).filter(pk__in=extra).order_by("name"))
    return Matrix(
        span=span,
        states=states,
        pairs=pairs,
        votes=len(votes),
        undated=calls.undated,
        unseated=calls.unseated_in(span),
        partial=calls.partial_in(span),
    )


# --------------------------------------------------------------------------- one State


@dataclass
class TermAffinity:
    """A State's agreement with each other member during one of its terms."""

    span: Span
    agreements: list[Agreement] = field(default_factory=list)

    @property
    def ranked(self) -> list[Agreement]:
        """Agreements resting on at least THIN shared votes, most alike first."""
        solid = [a for a in self.agreements if not a.thin]
        return sorted(solid, key=lambda a: (-a.same / a.shared, -a.shared))

    def most_like(self, n: int = 3) -> list[Agreement]:
        return self.ranked[:n]

    def least_like(self, n: int = 3) -> list[Agreement]:
        ranked = self.ranked
        return list(reversed(ranked[-n:])) if len(ranked) > n else []

    @property
    def thin(self) -> list[Agreement]:
        return [a for a in self.agreements if a.thin]

    @property
    def votes(self) -> int:
        return max((a.shared + a.left_out for a in self.agreements), default=0)


def state_terms(state: MemberState, terms: list[CouncilTerm]) -> list[Span]:
    """The State's terms as spans of years up to this year (permanent seats: one span)."""
    this_year = datetime.date.today().year
    spans = []
    for term in sorted(terms, key=lambda t: t.start_year):
        end = min(term.end_year, this_year)
        if end >= term.start_year:
            spans.append(Span(term.start_year, end))
    return spans


def state_affinity(
    state: MemberState,
    terms: list[CouncilTerm],
    *,
    using: str = "default",
    calls: RollCalls | None = None,
) -> list[TermAffinity]:
    """For each of ``state``'s terms since 1994, its agreement with every other member."""
    calls = calls or roll_calls(using=using)
    last = max(calls.years.values(), default=ROLL_CALLS_FROM)
    spans = [
        Span(s.start, min(s.end, last))
        for s in state_terms(state, terms)
        if s.has_roll_calls and s.start <= last
    ]
    if not spans:
        return []
    others = _others_on_same_votes(state.pk, calls.casts)
    results = []
    for span in spans:
        results.append(
            TermAffinity(
                span=Span(max(span.start, ROLL_CALLS_FROM), span.end),
                agreements=_agreements(state.pk, span, others),
            )
        )
    return results


def _others_on_same_votes(state_id: int, casts: Casts) -> dict[str, np.ndarray]:
    """Each other member's position on the counted votes ``state_id`` has a position on."""
    mine = casts.state == state_id
    own = np.zeros(int(casts.vote.max(initial=0)) + 1, np.int64)
    own[casts.vote[mine]] = casts.position[mine]
    theirs = own[casts.vote]
    keep = (theirs != _NO_CAST) & ~mine
    a, b = theirs[keep], casts.position[keep]
    left_out = (a == _NOT_PARTICIPATING_CODE) | (b == _NOT_PARTICIPATING_CODE)
    return {
        "state": casts.state[keep],
        "year": casts.year[keep],
        "shared": ~left_out,
        "same": (a == b) & ~left_out,
        "left_out": left_out,
    }


def _agreements(state_id: int, span: Span, others: dict[str, np.ndarray]) -> list[Agreement]:
    """``state_id``'s agreement with each member it shared a vote with in ``span``."""
    within = (others["year"] >= span.start) & (others["year"] <= span.end)
    states = others["state"][within]
    size = int(states.max(initial=0)) + 1

    def total(name):
        return np.bincount(states, weights=others[name][within], minlength=size).astype(int)

    ids = np.flatnonzero(np.bincount(states, minlength=size))
    shared, same, left_out = (total(name)[ids].tolist() for name in ("shared", "same", "left_out"))
    return [
        Agreement(state_id, *counts)
        for counts in zip(ids.tolist(), shared, same, left_out, strict=True)
    ]


# --------------------------------------------------------------------------- the votes behind


@dataclass(frozen=True)
class PairVote:
    """One vote two States shared, with both positions."""

    vote: Vote
    year: int | None
    position_a: str
    position_b: str

    @property
    def label_a(self) -> str:
        return MemberVote.Position(self.position_a).label

    @property
    def label_b(self) -> str:
        return MemberVote.Position(self.position_b).label

    @property
    def counted(self) -> bool:
        return NOT_PARTICIPATING not in (self.position_a, self.position_b)

    @property
    def same(self) -> bool:
        return self.counted and self.position_a == self.position_b


def pair_votes(
    a: int, b: int, span: Span, *, using: str = "default", calls: RollCalls | None = None
) -> list[PairVote]:
    """Every roll-call vote of ``span`` on which both States have a position, newest first."""
    calls = calls or roll_calls(using=using)
    rows = _rows(
        """
        SELECT ma.vote_id, ma.position, mb.position
        FROM archive_membervote ma
        JOIN archive_membervote mb ON mb.vote_id = ma.vote_id AND mb.member_state_id = %s
        WHERE ma.member_state_id = %s AND ma.vote_id = ANY(%s)
        """,
        [b, a, calls.in_span(span)],
        using=using,
    )
    by_id = (
        Vote.objects.using(using)
        .select_related("resolution", "meeting")
        .in_bulk([r[0] for r in rows])
    )
    found = [
        PairVote(by_id[vote], calls.years[vote], pa, pb) for vote, pa, pb in rows if vote in by_id
    ]
    return sorted(
        found,
        key=lambda p: (p.vote.date or datetime.date(p.year or 1, 1, 1), p.vote.pk),
        reverse=True,
    )


def roll_call_years(calls: RollCalls) -> list[int]:
    """Years in which the archive holds at least one roll-call vote, newest first."""
    return sorted(set(calls.years.values()), reverse=True)


def vetoes_in(span: Span, *, using: str = "default") -> list[Vote]:
    """Vetoed drafts of ``span`` with their vetoing members (for the years of vetoes only)."""
    from django.db.models import Prefetch

    return list(
        Vote.objects.using(using)
        .vetoed()
        .filter(date__year__gte=span.start, date__year__lte=span.end)
        .select_related("meeting")
        .prefetch_related(
            Prefetch(
                "member_votes",
                queryset=MemberVote.objects.filter(is_veto=True).select_related("member_state"),
                to_attr="vetoes",
            )
        )
        .order_by("date", "pk")
    )
