"""The vetoes list (``unsc_vetoes_1946_sept2022.csv``): its claim on each vetoed draft 1946-2022,
with the vetoing members, the date (M/D/YYYY, unambiguous) and the meeting. Early drafts without
an S/ symbol are named after their meeting ("S/PV.57"), several at one meeting."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from django.db import transaction

from archive.models import Meeting, Vote, VoteClaim
from archive.names import NameResolver
from archive.reference_data.base import VETOES_CSV, LoadResult, Reporter, rows
from archive.reference_data.claims import ClaimDraft, Place, claim_values, sync_claims
from archive.reference_data.meetings import letter_note
from archive.reference_data.values import meeting_symbol, parse_meeting_symbol, us_date

_SYMBOL = re.compile(r"S/PV\.\s?\d+|S/(?:\d{4}/)?\d+(?:/Rev\.\d+)?")


def load_vetoes(*, data_dir: Path, resolver: NameResolver | None = None) -> LoadResult:
    """The vetoes list's claim on every vetoed draft."""
    result = LoadResult("vetoes")
    resolver = resolver or NameResolver.load()
    meetings = {
        (n, r): pk for pk, n, r in Meeting.objects.values_list("pk", "meeting_number", "resumption")
    }
    drafts: list[ClaimDraft] = []
    occurrence: Counter[str] = Counter()
    for line, row, report in rows(data_dir, VETOES_CSV, result):
        draft = _veto_claim(line, row, meetings, resolver, report)
        if draft is None:
            continue
        occurrence[draft.key] += 1
        if occurrence[draft.key] > 1:
            draft.key += f" #{occurrence[draft.key]}"
        drafts.append(draft)
    with transaction.atomic():
        sync_claims(VoteClaim.Source.VETOES_FILE, drafts, result)
    return result


def _vetoers(line: int, row: dict, resolver: NameResolver, report: Reporter) -> list[str]:
    found = []
    for column in ("member_veto1", "member_veto2", "member_veto3"):
        name = row[column].strip()
        if not name:
            continue
        match = resolver.resolve(name, record=False)
        if match is None or not match.is_member_state:
            report(line, "unmatched_name", f"{row['draft']}: vetoing member {name!r}")
            continue
        found.append(match.iso3)
    return sorted(found)


def _veto_claim(line: int, row: dict, meetings: dict, resolver, report) -> ClaimDraft | None:
    """One row as a claim; a row whose vetoing members match no State is reported and left."""
    printed = " ".join(row["draft"].split())
    # "S/552, S/PV.202": the draft, then the meeting it was voted at.
    draft = next(iter(_SYMBOL.findall(printed)), printed)
    vetoed_by = _vetoers(line, row, resolver, report)
    if not vetoed_by:
        report(line, "no_vetoing_member", f"{draft}: no vetoing member could be matched")
        return None
    record = " ".join(row["meeting_record"].split())
    parsed = parse_meeting_symbol(record)
    meeting_id = meetings.get(parsed) if parsed else None
    if parsed and meeting_id is None:
        report(line, "unmatched_meeting", f"{draft}: meeting {record} not loaded")
    date = us_date(row["date"])
    symbol = meeting_symbol(*parsed) if parsed else ""
    return ClaimDraft(
        key=f"{draft} at {symbol or record or '?'}"[:150],
        values=claim_values(
            detail=f"{VETOES_CSV}:{line}",
            subject=Vote.Subject.DRAFT_RESOLUTION,
            draft_symbol=draft[:40],
            description=row["agenda_item"].strip(),
            outcome=Vote.Outcome.VETOED,
            date=date,
            meeting_id=meeting_id,
            meeting_symbol=symbol,
            meeting_note="" if parsed else letter_note(record.split()),
            vetoed_by=vetoed_by,
        ),
        place=Place(parsed[0] if parsed else None, date),
    )
