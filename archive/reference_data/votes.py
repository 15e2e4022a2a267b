"""The votes-by-member file (``sc_votes_by_member_1994_2025.csv``, one row per vote event x
member): its claim on each vote, adopted resolutions and failed or vetoed drafts alike, with how
each member voted. Resolutions after the UN table's last (2640) are created from it.

What the file says is kept as it says it, with two readings of our own, both recorded in the
claim: a tally only where the file lists every seat (or says "unanimously"), and a date only
where a day/month swap (330 of its dates) cannot have produced it, or where the dates of the
neighbouring meetings show which order is right.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from archive.models import CouncilTerm, Meeting, MemberVote, Resolution, Vote, VoteClaim
from archive.names import NameResolver
from archive.reference_data.base import VOTES_CSV, LoadResult, Reporter, rows, sync_rows
from archive.reference_data.claims import (
    ClaimDraft,
    Place,
    claim_values,
    counts_values,
    sync_claims,
)
from archive.reference_data.dates import MeetingSequence
from archive.reference_data.values import (
    iso_date,
    meeting_symbol,
    parse_meeting_symbol,
    parse_resolution_label,
    seats,
    to_int,
)

POSITIONS = {
    "yes": MemberVote.Position.IN_FAVOUR,
    "no": MemberVote.Position.AGAINST,
    "abstain": MemberVote.Position.ABSTAINING,
}
_DRAFT_SYMBOL = re.compile(r"^(S/(?:\d{4}/)?\d+(?:/Rev\.\d+)?)\b(.*)$")
_VIDEOCONFERENCE_CODE = re.compile(r"^V\d+$")
_NO_DATE = datetime.date(1, 1, 1)


@dataclass
class Event:
    """One vote event of the file: its first row, where it starts, and each member's vote."""

    id: str
    line: int
    row: dict
    positions: dict[str, str] = field(default_factory=dict)  # ISO3 -> position
    duplicates: list[str] = field(default_factory=list)
    unmatched: list[dict] = field(default_factory=list)  # {name, position} as printed
    last_line: int = 0

    @property
    def detail(self) -> str:
        lines = f"{self.line}" if self.last_line <= self.line else f"{self.line}-{self.last_line}"
        return f"{VOTES_CSV}:{lines} (event {self.id})"


def load_member_votes(*, data_dir: Path, resolver: NameResolver | None = None) -> LoadResult:
    """The file's claim on every vote event; resolutions it alone knows are created."""
    result = LoadResult("votes by member")
    events = read_events(data_dir, result, resolver or NameResolver.load())
    report = Reporter(result, VOTES_CSV)
    reader = _EventReader(events, report)
    adopted, failed = reader.claims()
    with transaction.atomic():
        resolution_ids = _sync_new_resolutions(reader.new_resolutions, result)
        for draft in adopted:
            draft.resolution_id = resolution_ids[draft.resolution_id]
        sync_claims(VoteClaim.Source.VOTES_FILE, adopted + failed, result)
    undated = sum(1 for d in adopted + failed if d.values["date"] is None)
    if undated:
        report(
            None,
            "undated_vote",
            f"{undated} vote events have no date of their own the file can be trusted for "
            "(day <= 12 and no neighbouring meeting to settle the order): their meeting's date, "
            "where held, is used",
        )
    return result


def read_events(data_dir: Path, result: LoadResult, resolver: NameResolver) -> dict[str, Event]:
    """Every event of the file with its members' votes; unknown names and positions reported."""
    events: dict[str, Event] = {}
    for line, row, report in rows(data_dir, VOTES_CSV, result):
        event = events.setdefault(row["ID"], Event(row["ID"], line, row))
        event.last_line = line
        name = row["Member State"].strip()
        match = resolver.resolve(name, record=False)
        position = POSITIONS.get(row["Vote"].strip().lower())
        if match is None or not match.is_member_state:
            report(line, "unmatched_name", f"member {name!r} (event {row['ID']})")
            event.unmatched.append({"name": name, "position": str(position or "")})
            continue
        if position is None:
            report(line, "invalid_position", f"vote {row['Vote']!r} (event {row['ID']})")
            continue
        if match.iso3 in event.positions:
            report(
                line,
                "duplicate_member_vote",
                f"{name} votes twice in event {row['ID']}; first kept",
            )
            event.duplicates.append(name)
            continue
        event.positions[match.iso3] = position
    return events


class _EventReader:
    """Turns events into claims, with what the database already holds to interpret them."""

    def __init__(self, events: dict[str, Event], report: Reporter) -> None:
        self.events = events
        self.report = report
        self.meetings = {
            (n, r): (pk, d)
            for pk, n, r, d in Meeting.objects.values_list(
                "pk", "meeting_number", "resumption", "date"
            )
        }
        self.resolutions = {
            number: (pk, year)
            for pk, number, year in Resolution.objects.values_list("pk", "number", "year")
        }
        self.table_numbers = set(
            VoteClaim.objects.filter(
                source=VoteClaim.Source.UN_TABLES, vote__resolution__isnull=False
            ).values_list("vote__resolution__number", flat=True)
        )
        self.permanent: dict[int, set[str]] = defaultdict(set)
        for iso3, start, end in CouncilTerm.objects.filter(
            seat=CouncilTerm.Seat.PERMANENT
        ).values_list("member_state__iso3", "start_year", "end_year"):
            for year in range(start, end + 1):
                self.permanent[year].add(iso3)
        self.sequence = MeetingSequence.from_sources(self.meetings, events.values(), _place_of)
        self.new_resolutions: dict[int, dict] = {}

    def claims(self) -> tuple[list[ClaimDraft], list[ClaimDraft]]:
        """(claims on adopting votes, claims on failed drafts)."""
        adopted, failed = [], []
        for event in self.events.values():
            label, draft = _columns(event, self.report)
            outcome_text = event.row["Outcome results"].strip().lower()
            if outcome_text.startswith("not adopted"):
                failed.append(self._failed(event, draft, outcome_text))
                continue
            claim = self._adopted(event, label, draft, outcome_text)
            if claim is not None:
                adopted.append(claim)
        return adopted, failed

    def _common(self, event: Event) -> dict:
        """Date, meeting and members' votes: the same for every kind of event."""
        parsed = _meeting_of(event.row)
        meeting_id = self.meetings.get(parsed, (None, None))[0] if parsed else None
        date, note = self.sequence.read(event.row["Date"], _place_of(event.row))
        code = event.row["Meeting"].strip()
        return {
            "date": date,
            "date_note": note,
            "meeting_id": meeting_id,
            # The file's codes for votes by letter ("V142") name no meeting: not kept.
            "meeting_symbol": meeting_symbol(*parsed) if parsed else "",
            "meeting_note": _videoconference_note(code),
            "positions": dict(event.positions),
            "unmatched": list(event.unmatched),
            "duplicates": list(event.duplicates),
        }

    def _counts(self, event: Event, year: int | None, unanimous: bool):
        """The tally the file states: the sum of its members' votes when it lists every seat,
        every seat in favour when it says "unanimously", else none."""
        listed = list(event.positions.values())
        if year and len(listed) >= seats(year):
            return tuple(listed.count(p) for p in POSITIONS.values())
        if unanimous and year:
            return (seats(year), 0, 0)
        return None

    def _failed(self, event: Event, draft: str, outcome_text: str) -> ClaimDraft:
        common = self._common(event)
        year = common["date"].year if common["date"] else to_int(event.row["Year"])
        vetoed = "veto" in outcome_text
        symbol, rest = _split_draft(draft)
        amendment = "amendment" in draft.lower()
        vetoers = self.permanent.get(year or 0, set()) if vetoed else set()
        values = claim_values(
            detail=event.detail,
            subject=Vote.Subject.AMENDMENT if amendment else Vote.Subject.DRAFT_RESOLUTION,
            draft_symbol=symbol[:40],
            description=(draft if not symbol else rest)[:300],
            outcome=Vote.Outcome.VETOED if vetoed else Vote.Outcome.NOT_ADOPTED,
            **counts_values(self._counts(event, year, unanimous=False)),
            vetoed_by=sorted(
                i for i, p in event.positions.items() if i in vetoers and p == "against"
            ),
            **common,
        )
        number = (parse_meeting_symbol(values["meeting_symbol"]) or (None,))[0]
        return ClaimDraft(
            key=f"event {event.id}", values=values, place=Place(number, values["date"])
        )

    def _adopted(
        self, event: Event, label: str, draft: str, outcome_text: str
    ) -> ClaimDraft | None:
        parsed = parse_resolution_label(label)
        if parsed is None:
            self.report(
                event.line,
                "missing_resolution_number",
                f"event {event.id} ({event.row['Outcome results']}, draft {draft!r}, "
                f"meeting {event.row['Meeting']!r}): Resolution {label!r}; skipped",
            )
            return None
        number, year = parsed
        year = year or to_int(event.row["Year"])
        common = self._common(event)
        if not self._note_resolution(event, number, year, draft, common):
            return None
        without_vote = "consensus" in outcome_text or "acclamation" in outcome_text
        counts = None if without_vote else self._counts(event, year, "unanimous" in outcome_text)
        values = claim_values(
            detail=event.detail,
            subject=Vote.Subject.DRAFT_RESOLUTION,
            draft_symbol=_split_draft(draft)[0][:40],
            outcome=Vote.Outcome.ADOPTED_WITHOUT_VOTE if without_vote else Vote.Outcome.ADOPTED,
            **counts_values(counts),
            **common,
        )
        # resolution_id holds the number until the new resolutions are written.
        return ClaimDraft(key=f"event {event.id}", values=values, resolution_id=number)

    def _note_resolution(self, event: Event, number: int, year, draft: str, common: dict) -> bool:
        """Check the year against the table, or keep the resolution for creation. An event
        held in another year than the table's resolution of that number is about another
        resolution (event 550: "425" for 1425 (2002)): reported and not used."""
        if number in self.table_numbers:
            table_year = self.resolutions[number][1]
            held = (iso_date(event.row["Date"]) or common["date"] or _NO_DATE).year
            if held != table_year:
                self.report(
                    event.line,
                    "conflicting_year",
                    f"event {event.id} of {held}: resolution {number} is of {table_year} in the "
                    "table; not used",
                )
                return False
            if year and table_year != year:
                self.report(
                    event.line,
                    "conflicting_year",
                    f"event {event.id}: {number} ({year}) but table says {table_year}; the "
                    "event's date agrees with the table",
                )
            return True
        self.new_resolutions.setdefault(
            number,
            {
                "number": number,
                "year": year,
                "adopted_on": common["date"],
                "meeting_id": common["meeting_id"],
                "meeting_symbol": "" if common["meeting_note"] else common["meeting_symbol"],
                "agenda_item_id": None,
                "title": " ".join(event.row["Agenda item"].split()),
                "draft_symbol": _split_draft(draft)[0][:40],
            },
        )
        return True


def _sync_new_resolutions(new: dict[int, dict], result: LoadResult) -> dict[int, int]:
    """Write the resolutions only this file knows; number -> pk for every resolution."""
    outcome = sync_rows(
        Resolution,
        key=("number",),
        rows=list(new.values()),
        fields=["year", "title", "draft_symbol"],
        queryset=Resolution.objects.filter(number__in=list(new)),
        fill_blank=lambda current: True,
    )
    result.add_sync("Resolution", outcome)
    return dict(Resolution.objects.values_list("number", "pk"))


def _columns(event: Event, report: Reporter) -> tuple[str, str]:
    """(Resolution, Draft) of the event; some rows have the two swapped."""
    label, draft = event.row["Resolution"].strip(), event.row["Draft"].strip()
    if label.startswith("S/") and not label.startswith("S/RES") and draft.startswith("S/RES"):
        report(
            event.line,
            "swapped_columns",
            f"event {event.id}: Resolution {label!r} and Draft {draft!r} swapped",
        )
        return draft, label
    return label, draft


def _split_draft(draft: str) -> tuple[str, str]:
    """ "S/2007/14 as orally revised" -> ("S/2007/14", "as orally revised"); ("", text) else."""
    match = _DRAFT_SYMBOL.match(draft)
    return (match[1], match[2].strip(" ()")) if match else ("", draft)


def _meeting_of(row: dict) -> tuple[int, int | None] | None:
    """The meeting as the file gives it: "8514", "S/PV.8514", "PV.8514", "S/PV9180"."""
    value = row["Meeting"].strip()
    if value.isdigit():
        return int(value), None
    if value.upper().startswith("PV."):
        value = "S/" + value
    return parse_meeting_symbol(value)


def _place_of(row: dict) -> tuple[str, int] | None:
    """Where the event sits in time: its meeting, or its videoconference code."""
    parsed = _meeting_of(row)
    if parsed:
        return ("S/PV", parsed[0])
    code = row["Meeting"].strip()
    return ("V", int(code[1:])) if _VIDEOCONFERENCE_CODE.match(code) else None


def _videoconference_note(code: str) -> str:
    """The file's codes for the 2020-2021 votes by letter ("V142") name no meeting."""
    if _VIDEOCONFERENCE_CODE.match(code):
        return "Voted by letter during the 2020–2021 videoconference period, not at a meeting"
    return ""
