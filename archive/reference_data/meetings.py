"""The UN Library's meetings table (``unsc_meetings_1946_2022.csv``): one Meeting per S/PV
symbol (rows of one meeting x several agenda items merged) and an AgendaItem per distinct topic
of the meetings and resolutions tables.

A meeting another importer created (source other than "reference") is left untouched: a record
imported from a PDF or the corpus is richer than this table."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from archive.agenda import agenda_lines
from archive.models import AgendaItem, Meeting, Vote, VoteClaim
from archive.names import NameResolver
from archive.reference_data.base import (
    MEETINGS_CSV,
    RESOLUTIONS_CSV,
    LoadResult,
    Reporter,
    rows,
    sync_rows,
)
from archive.reference_data.claims import (
    ClaimDraft,
    Place,
    claim_values,
    counts_values,
    sync_claims,
)
from archive.reference_data.values import (
    date_from_text,
    iso_date,
    meeting_symbol,
    parse_meeting_symbol,
    to_int,
)

MEETING_FIELDS = [
    "symbol",
    "kind",
    "date",
    "agenda",
    "agenda_item_id",
    "outcome",
    "press_release",
    "source",
]


def topics(value: str) -> list[str]:
    """The agenda items of a cell (" | "-separated), whitespace normalised."""
    # The table's cells were split at every link ("Letter ... (", "S/144", ")"): rejoined.
    return agenda_lines([" ".join(t.split()) for t in (value or "").split(" | ") if t.strip()])


def agenda_slug(title: str) -> str:
    """The AgendaItem key: titles differing only in case or punctuation are one item."""
    return slugify(title)[:120].strip("-") or "item"


def load_meetings(*, data_dir: Path) -> LoadResult:
    """One Meeting per S/PV symbol and an AgendaItem per distinct topic. Letter-procedure rows
    of the 2020-21 videoconference period are not meetings: reported, and read for their votes
    by the resolutions step."""
    result = LoadResult("meetings")
    meetings: dict[tuple[int, int | None], dict] = {}
    titles: dict[str, str] = {}
    for line, row, report in rows(data_dir, MEETINGS_CSV, result):
        for topic in topics(row["topic"]):
            titles.setdefault(agenda_slug(topic), topic[:500])
        _add_meeting_row(meetings, line, row, report)
    for _line, row, _report in rows(data_dir, RESOLUTIONS_CSV, result):
        for topic in topics(row["topic"]):
            titles.setdefault(agenda_slug(topic), topic[:500])
    with transaction.atomic():
        agenda_ids = _sync_agenda_items(titles, result)
        meeting_rows = [_as_meeting_row(m, agenda_ids) for m in meetings.values()]
        result.add_sync(
            "Meeting",
            sync_rows(
                Meeting,
                key=("meeting_number", "resumption"),
                rows=meeting_rows,
                fields=MEETING_FIELDS,
                keep=lambda current: current["source"] != Meeting.Source.REFERENCE,
            ),
        )
    return result


def _add_meeting_row(meetings: dict, line: int, row: dict, report: Reporter) -> None:
    """Fold one table row into its meeting (a meeting x agenda item row adds its topic)."""
    record = row["meeting_record"].strip()
    if record == "--":
        report(
            line,
            "letter_procedure_skipped",
            f"videoconference/letter row {row['date']} {row['letter_vote_procedure']!r}",
        )
        return
    parsed = parse_meeting_symbol(row["meeting_symbols"] or record)
    if parsed is None:
        report(
            line,
            "missing_symbol",
            f"no S/PV symbol ({row['year']} {row['date_text']!r} {row['topic'][:60]!r})",
        )
        return
    date = _row_date(row, parsed, line, report)
    meeting = meetings.get(parsed)
    if meeting is None:
        row_topics = topics(row["topic"])
        meeting = meetings[parsed] = {
            "meeting_number": parsed[0],
            "resumption": parsed[1],
            "symbol": meeting_symbol(*parsed),
            "kind": Meeting.Kind.VERBATIM_RECORD,
            "date": date,
            "agenda": [],
            "first_topic": row_topics[0] if row_topics else "",
            "outcome": [],
            "press_release": row["press_release"].strip()[:60],
            "source": Meeting.Source.REFERENCE,
            "line": line,
        }
    elif date and meeting["date"] and date != meeting["date"]:
        report(
            line,
            "conflicting_date",
            f"{meeting['symbol']}: {date} here, {meeting['date']} on line {meeting['line']};"
            " earliest kept",
        )
        meeting["date"] = min(date, meeting["date"])
    meeting["date"] = meeting["date"] or date
    for topic in topics(row["topic"]):
        if topic not in meeting["agenda"]:
            meeting["agenda"].append(topic)
    outcome = row["outcome"].strip()
    if outcome and outcome != "--" and outcome not in meeting["outcome"]:
        meeting["outcome"].append(outcome)


def _row_date(row: dict, parsed: tuple, line: int, report: Reporter):
    """The row's ISO date, else the printed one ("14-15 October") in the row's year."""
    year = to_int(row["year"])
    date = iso_date(row["date"])
    if date is None and year:
        date = date_from_text(row["date_text"], year)
        report(
            line,
            "date_from_text" if date else "missing_date",
            f"{meeting_symbol(*parsed)}: date {row['date_text']!r} -> {date}",
        )
    return date


def _sync_agenda_items(titles: dict[str, str], result: LoadResult) -> dict[str, int]:
    """Write the agenda items; slug -> pk."""
    # A title an import already holds keeps that row and its slug (titles are unique).
    held = dict(AgendaItem.objects.values_list("title", "slug"))
    # Two slugs may share a title only if the title is long and truncated; keep one.
    seen: set[str] = set()
    agenda_rows = []
    ids_by_slug: dict[str, str] = {}
    for slug, title in titles.items():
        ids_by_slug[slug] = held.get(title, slug)
        if title in seen:
            continue
        seen.add(title)
        agenda_rows.append({"slug": held.get(title, slug), "title": title})
    outcome = sync_rows(AgendaItem, key=("slug",), rows=agenda_rows, fields=["title"])
    result.add_sync("AgendaItem", outcome)
    pks = {k[0]: pk for k, pk in outcome.pks.items()}
    # Keyed by the slug of the table's title, whichever row holds that title.
    return {slug: pks[row_slug] for slug, row_slug in ids_by_slug.items() if row_slug in pks}


def _as_meeting_row(meeting: dict, agenda_ids: dict[str, int]) -> dict:
    row = {k: v for k, v in meeting.items() if k not in ("first_topic", "line")}
    slug = agenda_slug(meeting["first_topic"]) if meeting["first_topic"] else None
    row["agenda_item_id"] = agenda_ids.get(slug) if slug else None
    row["outcome"] = "\n".join(meeting["outcome"])
    return row


# --------------------------------------------------------------------------- decisions

_VERDICT = re.compile(
    r"(?:vetoed by (?P<who>.+?)|(?:was |were )?not adopted)"
    r"(?=\s*\d{1,2}-\d{1,2}-\d{1,2}|\s+(?:[A-Za-z]+\s+){0,2}[Dd]raft|\s+\(?\s*S/|\s*$)"
    r"(?:\s*(?P<tally>\d{1,2})-(?P<no>\d{1,2})-(?P<abst>\d{1,2}))?"
)
_DRAFT_LABEL = re.compile(
    r"(?<![A-Z/])S/PV\.\s?\d+|(?<![A-Z/])S/(?!RES/)(?:\d{4}/)?\d+(?:/Rev\.\d+)?"
)
_EXTRA = re.compile(r"\(([^()]{3,80})\)")
_LETTER = re.compile(r"S/\d{4}/\d+")


@dataclass(frozen=True)
class FailedDraft:
    """A draft the meetings table says failed: its label, the vetoing members as printed, the
    tally, and what the cell adds in parentheses ("Transjordan", "as amended")."""

    label: str
    vetoed_by: tuple[str, ...]
    counts: tuple[int, int, int] | None
    extra: str


def failed_drafts(outcome: str) -> list[FailedDraft]:
    """The failed drafts an outcome cell lists: "Draft resolution S/2019/961 vetoed by Russian
    Federation and China 13-2-0 S/2019/962 not adopted 5-6-4"."""
    found, start = [], 0
    for verdict in _VERDICT.finditer(outcome):
        before = outcome[start : verdict.start()]
        start = verdict.end()
        label = _DRAFT_LABEL.search(before)
        if label is None:
            continue
        who = verdict["who"] or ""
        names = tuple(n.strip() for n in re.split(r",|\band\b", who) if n.strip())
        counts = (
            (int(verdict["tally"]), int(verdict["no"]), int(verdict["abst"]))
            if verdict["tally"]
            else None
        )
        extra = _EXTRA.search(before[label.end() :])
        found.append(
            FailedDraft(
                label=" ".join(label[0].replace("S/PV. ", "S/PV.").split()),
                vetoed_by=names,
                counts=counts,
                extra=extra[1].strip() if extra else "",
            )
        )
    return found


def letters(row: dict) -> list[str]:
    """The letters of a vote taken by written procedure (2020-2021): procedure, then outcome."""
    cells = (row.get("letter_vote_procedure", ""), row.get("letter_vote_outcome", ""))
    return [symbol for cell in cells for symbol in _LETTER.findall(cell or "")]


def letter_note(symbols: list[str]) -> str:
    """How a vote by letter is described to readers."""
    note = (
        "Voted by letter under the written procedure of the 2020–2021 videoconference period, "
        "not at a meeting"
    )
    return note + (f" (letters {' and '.join(symbols)})" if symbols else "")


def load_meeting_decisions(*, data_dir: Path, resolver: NameResolver | None = None) -> LoadResult:
    """The failed drafts of the meetings table (vetoed or not adopted, with tally and vetoing
    members), as the UN tables' claims on those votes."""
    result = LoadResult("meetings table: failed drafts")
    resolver = resolver or NameResolver.load()
    meetings = {
        (n, r): pk for pk, n, r in Meeting.objects.values_list("pk", "meeting_number", "resumption")
    }
    drafts: list[ClaimDraft] = []
    seen: Counter[str] = Counter()
    for line, row, report in rows(data_dir, MEETINGS_CSV, result):
        if "adopted" not in row["outcome"] and "vetoed" not in row["outcome"]:
            continue
        for failed in failed_drafts(row["outcome"]):
            draft = _failed_claim(row, line, failed, meetings, resolver, report)
            if draft is not None:
                seen[draft.key] += 1
                if seen[draft.key] > 1:
                    draft.key += f" #{seen[draft.key]}"
                drafts.append(draft)
    with transaction.atomic():
        sync_claims(VoteClaim.Source.UN_TABLES, drafts, result, only=_failed_keys)
    return result


def _failed_keys(key: str) -> bool:
    return key.startswith("failed ")


def _failed_claim(row, line, failed: FailedDraft, meetings, resolver, report) -> ClaimDraft | None:
    """One failed draft of a table row as a claim."""
    parsed = parse_meeting_symbol(row["meeting_symbols"] or row["meeting_record"])
    year = to_int(row["year"])
    date = iso_date(row["date"]) or (date_from_text(row["date_text"], year) if year else None)
    vetoed_by = []
    for name in failed.vetoed_by:
        match = resolver.resolve(name, record=False)
        if match is None or not match.is_member_state:
            report(line, "unmatched_name", f"{failed.label}: vetoing member {name!r}")
            continue
        vetoed_by.append(match.iso3)
    if failed.vetoed_by and not vetoed_by:
        return None
    symbol = meeting_symbol(*parsed) if parsed else ""
    place = symbol or f"letters of {date}"
    return ClaimDraft(
        key=f"failed {failed.label} at {place}",
        values=claim_values(
            detail=f"{MEETINGS_CSV}:{line}",
            draft_symbol=failed.label[:40],
            description=failed.extra,
            outcome=Vote.Outcome.VETOED if failed.vetoed_by else Vote.Outcome.NOT_ADOPTED,
            **counts_values(failed.counts),
            date=date,
            meeting_id=meetings.get(parsed) if parsed else None,
            meeting_symbol=symbol,
            meeting_note="" if parsed else letter_note(letters(row)),
            vetoed_by=sorted(vetoed_by),
        ),
        place=Place(parsed[0] if parsed else None, date),
    )
