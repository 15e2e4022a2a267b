"""Writing one source's vote claims: each claim is attached to the vote it speaks of (found, or
created), new and changed claims are written, claims the source no longer makes are deleted.

A claim is matched to a vote once, when it first appears; later runs find it by its key. An
adopting vote is found by its resolution; a failed draft by its label (draft symbol, or the
meeting a draft without a symbol is named after) and its place (meeting number, else date),
among the votes this source has not claimed yet. Each vote holds at most one claim per source.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from archive.models import Vote, VoteClaim
from archive.reference_data.base import LoadResult, update_rows

CLAIM_FIELDS = [
    "detail",
    "subject",
    "draft_symbol",
    "description",
    "outcome",
    "in_favour_count",
    "against_count",
    "abstaining_count",
    "date",
    "date_note",
    "meeting_id",
    "meeting_symbol",
    "meeting_note",
    "positions",
    "vetoed_by",
    "unmatched",
    "duplicates",
]
FAILED = (Vote.Outcome.VETOED, Vote.Outcome.NOT_ADOPTED)
_WORD = re.compile(r"[a-z]{4,}")
_SPV_LABEL = re.compile(r"^S/PV\.\d+$")


@dataclass
class Place:
    """Where a failed draft was voted on, as far as its source says."""

    meeting_number: int | None = None
    date: datetime.date | None = None

    def agrees(self, other: Place) -> bool:
        """Whether two places can be the same vote (unknown parts agree with anything)."""
        if self.meeting_number and other.meeting_number:
            return self.meeting_number == other.meeting_number
        if self.date and other.date:
            return self.date == other.date
        return True


@dataclass
class ClaimDraft:
    """A claim as a loader builds it, before it is matched to a vote."""

    key: str
    values: dict  # VoteClaim attnames of CLAIM_FIELDS
    resolution_id: int | None = None  # the claim speaks of the vote adopting this resolution
    place: Place = field(default_factory=Place)

    @property
    def label(self) -> str:
        """What identifies the draft: its symbol, or the meeting it is named after."""
        return self.values.get("draft_symbol") or ""


def claim_values(**values) -> dict:
    """The values of a claim, with every field present (blank by default)."""
    blank = {
        "subject": "",
        "draft_symbol": "",
        "description": "",
        "outcome": "",
        "in_favour_count": None,
        "against_count": None,
        "abstaining_count": None,
        "date": None,
        "date_note": "",
        "meeting_id": None,
        "meeting_symbol": "",
        "meeting_note": "",
        "positions": {},
        "vetoed_by": [],
        "unmatched": [],
        "duplicates": [],
    }
    unknown = set(values) - set(blank) - {"detail"}
    if unknown:
        raise TypeError(f"not claim fields: {sorted(unknown)}")
    return {**blank, **values}


def counts_values(counts: tuple[int, int, int] | None) -> dict:
    """A tally as claim fields (all three, or none)."""
    counts = counts or (None, None, None)
    return dict(zip(("in_favour_count", "against_count", "abstaining_count"), counts, strict=True))


def sync_claims(
    source: str,
    drafts: list[ClaimDraft],
    result: LoadResult,
    *,
    only: Callable[[str], bool] | None = None,
) -> set[int]:
    """Make ``source``'s claims (those whose key passes ``only``, when two loaders share a
    source) be ``drafts``: attach new ones, update changed ones, delete the ones no longer made.
    Returns the ids of the votes whose claims changed."""
    existing = {
        row["key"]: row
        for row in VoteClaim.objects.filter(source=source).values(
            "pk", "key", "vote_id", *CLAIM_FIELDS
        )
        if only is None or only(row["key"])
    }
    touched: set[int] = set()
    new, changed = [], []
    for draft in drafts:
        current = existing.pop(draft.key, None)
        if current is None:
            new.append(draft)
        elif _moved(current, draft):
            # What identifies the vote changed (a corrected date, meeting or outcome): the
            # claim is matched again, as if new.
            existing[draft.key] = current
            new.append(draft)
        elif any(current[f] != draft.values[f] for f in CLAIM_FIELDS):
            changed.append(VoteClaim(pk=current["pk"], **draft.values))
            touched.add(current["vote_id"])
    if changed:
        update_rows(VoteClaim, changed, CLAIM_FIELDS)
    if existing:
        stale = [row["pk"] for row in existing.values()]
        touched |= {row["vote_id"] for row in existing.values()}
        VoteClaim.objects.filter(pk__in=stale).delete()
    touched |= _attach(source, new)
    result.created["VoteClaim"] += len(new)
    result.updated["VoteClaim"] += len(changed)
    result.unchanged["VoteClaim"] += len(drafts) - len(new) - len(changed)
    result.deleted["VoteClaim"] += len(existing)
    return touched


def _moved(current: dict, draft: ClaimDraft) -> bool:
    """Whether a failed draft's claim now names another vote than the one it is attached to."""
    if draft.values["outcome"] not in FAILED and current["outcome"] not in FAILED:
        return False
    identity = ("draft_symbol", "subject", "outcome", "date", "meeting_id", "meeting_symbol")
    return any(current[f] != draft.values[f] for f in identity)


def _attach(source: str, drafts: list[ClaimDraft]) -> set[int]:
    """Find or create the vote of each new claim, then write the claims."""
    if not drafts:
        return set()
    finder = _VoteFinder(source)
    votes: list[int | None] = [finder.find(d) for d in drafts]
    created = [
        _provisional_vote(d) for d, vote_id in zip(drafts, votes, strict=True) if vote_id is None
    ]
    Vote.objects.bulk_create(created, batch_size=1000)
    fresh = iter(created)
    claims = []
    for draft, vote_id in zip(drafts, votes, strict=True):
        vote_id = vote_id if vote_id is not None else next(fresh).pk
        claims.append(VoteClaim(vote_id=vote_id, source=source, key=draft.key, **draft.values))
    VoteClaim.objects.bulk_create(claims, batch_size=1000)
    return {c.vote_id for c in claims}


def _provisional_vote(draft: ClaimDraft) -> Vote:
    """A new vote holding its first claim's values until the reconciliation runs."""
    v = draft.values
    failed = v["outcome"] in FAILED
    return Vote(
        resolution_id=None if failed else draft.resolution_id,
        outcome=v["outcome"] or Vote.Outcome.ADOPTED,
        subject=v["subject"] or Vote.Subject.DRAFT_RESOLUTION,
        draft_symbol=v["draft_symbol"] if v["draft_symbol"].startswith("S/") else "",
        date=v["date"],
        meeting_id=v["meeting_id"],
        in_favour_count=v["in_favour_count"],
        against_count=v["against_count"],
        abstaining_count=v["abstaining_count"],
        source="",
    )


class _VoteFinder:
    """The votes other sources' claims speak of, indexed for matching a new claim."""

    def __init__(self, source: str) -> None:
        self.by_resolution = dict(
            Vote.objects.filter(resolution__isnull=False).values_list("resolution_id", "pk")
        )
        self.taken = set(VoteClaim.objects.filter(source=source).values_list("vote_id", flat=True))
        self.failed: dict[str, list[dict]] = defaultdict(list)
        rows = (
            VoteClaim.objects.exclude(source=source)
            .filter(vote__resolution__isnull=True)
            .values(
                "vote_id",
                "draft_symbol",
                "description",
                "date",
                "meeting__meeting_number",
                "meeting_symbol",
                "subject",
                "outcome",
                "in_favour_count",
                "against_count",
                "abstaining_count",
            )
            .order_by("vote_id")
        )
        for row in rows:
            row["place"] = Place(row["meeting__meeting_number"] or _number(row), row["date"])
            self.failed[row["draft_symbol"]].append(row)

    def find(self, draft: ClaimDraft) -> int | None:
        """The vote this new claim speaks of, or None for a vote nobody claimed yet."""
        if draft.values["outcome"] not in FAILED:
            vote_id = self.by_resolution.get(draft.resolution_id)
            if vote_id is not None and vote_id not in self.taken:
                self.taken.add(vote_id)
                return vote_id
            return None
        candidates = self._candidates(self.failed.get(draft.label, []), draft)
        if not candidates and _base(draft.label):
            # "S/18087/Rev.1" in one source is "S/18087" in another.
            base = _base(draft.label)
            revised = [
                r for label, rows in self.failed.items() if _base(label) == base for r in rows
            ]
            candidates = self._candidates(revised, draft)
        if not candidates and _SPV_LABEL.match(draft.label) and draft.place.meeting_number:
            # A draft without a symbol is known by a meeting, which sources name differently
            # ("S/PV.3038" for S/PV.303): any such draft voted on at the same meeting.
            named = [
                r for label, rows in self.failed.items() if _SPV_LABEL.match(label) for r in rows
            ]
            candidates = [
                row
                for row in self._candidates(named, draft)
                if row["place"].meeting_number == draft.place.meeting_number
            ]
        if not candidates:
            return None
        # The same draft voted on twice at one place (S/2020/667 in the votes file): the vote
        # with the same outcome and tally, then the one whose description shares most words.
        best = max(
            candidates,
            key=lambda row: (
                row["outcome"] == draft.values["outcome"],
                _same_tally(row, draft) is True,
                _shared_words(row, draft),
            ),
        )
        self.taken.add(best["vote_id"])
        return best["vote_id"]

    def _candidates(self, rows: list[dict], draft: ClaimDraft) -> list[dict]:
        return [
            row
            for row in rows
            if row["vote_id"] not in self.taken
            and row["place"].agrees(draft.place)
            and _subjects_agree(row, draft)
            and (draft.label or _same_tally(row, draft) is not False)
        ]


def _base(label: str) -> str:
    """A draft symbol without its revision number ("" for labels that are not symbols)."""
    return re.sub(r"/Rev\.\d+$", "", label) if label.startswith("S/") else ""


def _number(row: dict) -> int | None:
    match = re.match(r"^S/PV\.(\d+)", row["meeting_symbol"] or "")
    return int(match[1]) if match else None


def _same_tally(row: dict, draft: ClaimDraft) -> bool | None:
    """Whether two claims give the same tally (None when either gives none)."""
    theirs = (row["in_favour_count"], row["against_count"], row["abstaining_count"])
    mine = tuple(draft.values[f] for f in ("in_favour_count", "against_count", "abstaining_count"))
    if None in mine or None in theirs:
        return None
    return mine == theirs


def _subjects_agree(row: dict, draft: ClaimDraft) -> bool:
    """An amendment is not the draft it amends (both may carry the draft's symbol)."""
    mine, theirs = draft.values["subject"], row["subject"]
    return not mine or not theirs or mine == theirs


def _shared_words(row: dict, draft: ClaimDraft) -> int:
    """Words two descriptions share: several drafts named after one meeting are told apart by
    their subject ("Application for membership: Ireland")."""
    mine = set(_WORD.findall(draft.values["description"].lower()))
    return len(mine & set(_WORD.findall((row["description"] or "").lower())))
