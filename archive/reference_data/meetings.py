"""The UN Library's meetings table (``unsc_meetings_1946_2022.csv``): one Meeting per S/PV
symbol (rows of one meeting x several agenda items merged) and an AgendaItem per distinct topic
of the meetings and resolutions tables.

A meeting another importer created (source other than "reference") is left untouched: a record
imported from a PDF or the corpus is richer than this table."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from archive.models import AgendaItem, Meeting
from archive.reference_data.base import (
    MEETINGS_CSV,
    RESOLUTIONS_CSV,
    LoadResult,
    Reporter,
    rows,
    sync_rows,
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
    return [" ".join(t.split()) for t in (value or "").split(" | ") if t.strip()]


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
    # Two slugs may share a title only if the title is long and truncated; keep one.
    seen: set[str] = set()
    agenda_rows = []
    for slug, title in titles.items():
        if title in seen:
            continue
        seen.add(title)
        agenda_rows.append({"slug": slug, "title": title})
    outcome = sync_rows(AgendaItem, key=("slug",), rows=agenda_rows, fields=["title"])
    result.add_sync("AgendaItem", outcome)
    return {k[0]: pk for k, pk in outcome.pks.items()}


def _as_meeting_row(meeting: dict, agenda_ids: dict[str, int]) -> dict:
    row = {k: v for k, v in meeting.items() if k not in ("first_topic", "line")}
    slug = agenda_slug(meeting["first_topic"]) if meeting["first_topic"] else None
    row["agenda_item_id"] = agenda_ids.get(slug) if slug else None
    row["outcome"] = "\n".join(meeting["outcome"])
    return row
