"""The UN Library's resolutions table (``unsc_resolutions_from_meetings_1946_2022.csv``) and the
UN Digital Library's draft-resolutions export: each resolution with its agenda item, draft
symbol and title, and the UN tables' claim on the vote that adopted it (outcome, tally, date,
meeting; for the 2020-2021 votes by letter, the letters from the meetings table).

A resolution's date and meeting are its adopting vote's, set by the reconciliation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Exists, OuterRef

from archive.models import AgendaItem, Meeting, Resolution, Vote, VoteClaim
from archive.reference_data.base import (
    DRAFTS_CSV,
    MEETINGS_CSV,
    RESOLUTIONS_CSV,
    LoadResult,
    Reporter,
    rows,
    sync_rows,
)
from archive.reference_data.claims import ClaimDraft, claim_values, counts_values, sync_claims
from archive.reference_data.meetings import agenda_slug, letter_note, letters, topics
from archive.reference_data.values import (
    RES_SYMBOL,
    TALLY,
    iso_date,
    meeting_symbol,
    parse_meeting_symbol,
    seats,
    to_int,
)

RESOLUTION_FIELDS = ["year", "agenda_item_id", "title", "draft_symbol"]


def clean_draft_title(title: str) -> str:
    """ "Draft resolution [on sexual violence in armed conflict]" -> "On sexual violence ..." """
    title = " ".join((title or "").split())
    match = re.match(
        r"^(?:Joint\s+|Revised\s+)?draft resolution\s*\[(.+?)\]?\s*\.?$", title, re.IGNORECASE
    )
    if match:
        inner = match[1].strip().rstrip("]").strip()
        return inner[:1].upper() + inner[1:]
    return title


def table_vote(row: dict, year: int) -> tuple[str, tuple | None]:
    """Outcome and tally of an adopted resolution as the resolutions table gives them;
    "adopted unanimously" without a tally is every seat in favour (11 before 1966, 15 since);
    a row that says neither gives no outcome ("")."""
    yes, no, abstain = (to_int(row[c]) for c in ("vote_yes", "vote_no", "vote_abstain"))
    note = row["vote_note"].strip().lower()
    outcome_text = row["outcome_text"].lower()
    if yes is not None:
        return Vote.Outcome.ADOPTED, (yes, no or 0, abstain or 0)
    if "unanimous" in note:
        return Vote.Outcome.ADOPTED, (seats(year), 0, 0)
    if re.search(r"without (?:a )?vote|by consensus|by acclamation", outcome_text):
        return Vote.Outcome.ADOPTED_WITHOUT_VOTE, None
    tallies = TALLY.findall(row["outcome_text"])
    if len(tallies) == 1:
        return Vote.Outcome.ADOPTED, tuple(int(t) for t in tallies[0])
    # "Communiqué and S/RES/1987 (2011)": adopted, but the table does not say how.
    return "", None


@dataclass
class _Row:
    """A resolutions-table row, read."""

    line: int
    resolution: dict  # Resolution attnames
    claim: dict  # VoteClaim values


def load_resolutions(*, data_dir: Path) -> LoadResult:
    """Resolutions 1-2640 with their agenda item, draft symbol and title, and the UN tables'
    claim on each adopting vote."""
    result = LoadResult("resolutions")
    drafts = _drafts(data_dir, result)
    by_letter = _letter_votes(data_dir, result)
    table = _table_rows(data_dir, result, drafts, by_letter)
    with transaction.atomic():
        outcome = sync_rows(
            Resolution,
            key=("number",),
            rows=[r.resolution for r in table.values()],
            fields=RESOLUTION_FIELDS,
            fill_blank=_recorded_resolutions(),
        )
        result.add_sync("Resolution", outcome)
        claims = [
            ClaimDraft(
                key=f"resolution {number}",
                values=r.claim,
                resolution_id=outcome.pks[(number,)],
            )
            for number, r in table.items()
        ]
        sync_claims(VoteClaim.Source.UN_TABLES, claims, result, only=_resolution_keys)
    return result


def _resolution_keys(key: str) -> bool:
    return key.startswith("resolution ")


def _recorded_resolutions():
    """A test for resolutions whose vote an imported record speaks to: the table only fills in
    what the record left empty (the title, above all)."""
    recorded = set(
        Resolution.objects.filter(
            Exists(
                VoteClaim.objects.filter(
                    vote__resolution=OuterRef("pk"), source=VoteClaim.Source.RECORD
                )
            )
        ).values_list("pk", flat=True)
    )
    return lambda current: current["pk"] in recorded


def _drafts(data_dir: Path, result: LoadResult) -> dict[int, tuple[str, str]]:
    """Resolution number -> (draft symbol, title) from the draft-resolutions export."""
    drafts: dict[int, tuple[str, str]] = {}
    for line, row, report in rows(data_dir, DRAFTS_CSV, result):
        symbols = RES_SYMBOL.findall(row["resolution_symbol"])
        if row["resolution_symbol"].strip() and not symbols:
            bare = re.fullmatch(r"S/RES/(\d{1,4})", row["resolution_symbol"].strip())
            if bare:
                symbols = [(bare[1], "")]
            else:
                report(line, "unparsed_symbol", f"resolution_symbol {row['resolution_symbol']!r}")
        for number, _year in symbols:
            title = clean_draft_title(row["title"])
            current = drafts.get(int(number))
            # Keep the first draft with a title: revised drafts repeat the resolution symbol.
            if current is None or (not current[1] and title):
                drafts[int(number)] = (row["draft_symbol"].strip()[:40], title)
    return drafts


def _letter_votes(data_dir: Path, result: LoadResult) -> dict[int, list[str]]:
    """Resolution number -> the letters of its vote, for the 2020-2021 votes by letter (rows of
    the meetings table without a meeting)."""
    found: dict[int, list[str]] = {}
    for _line, row, _report in rows(data_dir, MEETINGS_CSV, result):
        if row["meeting_record"].strip() != "--":
            continue
        for number, _year in RES_SYMBOL.findall(row["resolutions"]):
            found[int(number)] = letters(row)
    return found


def _table_rows(data_dir: Path, result: LoadResult, drafts: dict, by_letter: dict) -> dict:
    """Resolution number -> its row, read; bad and duplicate rows reported."""
    meeting_ids = {
        (n, r): pk for pk, n, r in Meeting.objects.values_list("pk", "meeting_number", "resumption")
    }
    agenda_ids = dict(AgendaItem.objects.values_list("slug", "pk"))
    agenda_titles = dict(AgendaItem.objects.values_list("title", "pk"))
    table: dict[int, _Row] = {}
    for line, row, report in rows(data_dir, RESOLUTIONS_CSV, result):
        number, year = to_int(row["resolution_number"]), to_int(row["resolution_year"])
        if not number or not year:
            report(line, "invalid_resolution", f"number/year {row['symbol']!r}")
            continue
        if number in table:
            report(line, "duplicate_resolution", f"{row['symbol']} listed twice")
            continue
        adopted_on = iso_date(row["date"])
        year = _year(row, adopted_on, year, line, report)
        parsed = _meeting(row, meeting_ids, line, report)
        meeting_id = meeting_ids.get(parsed) if parsed else None
        row_topics = topics(row["topic"])
        draft_symbol, title = drafts.get(number, ("", ""))
        resolution = {
            "number": number,
            "year": year,
            "adopted_on": adopted_on,
            "meeting_id": meeting_id,
            "meeting_symbol": meeting_symbol(*parsed) if parsed else "",
            "agenda_item_id": (
                agenda_titles.get(row_topics[0]) or agenda_ids.get(agenda_slug(row_topics[0]))
                if row_topics
                else None
            ),
            "title": title or "; ".join(row_topics),
            "draft_symbol": draft_symbol,
        }
        outcome, counts = table_vote(row, year)
        letter_vote = number in by_letter and parsed is None
        claim = claim_values(
            detail=f"{RESOLUTIONS_CSV}:{line}",
            subject=Vote.Subject.DRAFT_RESOLUTION,
            draft_symbol=draft_symbol,
            outcome=outcome,
            **counts_values(counts),
            date=adopted_on,
            meeting_id=meeting_id,
            meeting_symbol=resolution["meeting_symbol"],
            meeting_note=letter_note(by_letter[number]) if letter_vote else "",
        )
        table[number] = _Row(line, resolution, claim)
    return table


def _year(row: dict, adopted_on, year: int, line: int, report: Reporter) -> int:
    if adopted_on is None:
        report(line, "missing_date", f"{row['symbol']} has no date")
    elif adopted_on.year != year:
        # The date comes from the year's own table page; the symbol was mistyped.
        report(
            line,
            "year_from_date",
            f"{row['symbol']} adopted on {adopted_on}: year {adopted_on.year} used",
        )
        return adopted_on.year
    return year


def _meeting(row: dict, meeting_ids: dict, line: int, report: Reporter):
    """The (number, resumption) of the row's first meeting; "--" (a vote by letter) is none."""
    meetings = [m for m in row["meetings"].split(";") if m.strip() and m.strip() != "--"]
    parsed = parse_meeting_symbol(meetings[0]) if meetings else None
    if parsed and parsed not in meeting_ids:
        report(line, "unmatched_meeting", f"{row['symbol']}: meeting {meetings[0]} not loaded")
    return parsed
