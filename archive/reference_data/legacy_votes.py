"""Resolutions, votes by member and vetoes, as loaded before vote claims (transitional: the
per-source modules with their reconciliation step replace this module)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from django.db import transaction

from archive.models import AgendaItem, CouncilTerm, Meeting, MemberVote, Resolution, Vote
from archive.names import NameResolver
from archive.reference_data.base import (
    DRAFTS_CSV,
    RESOLUTIONS_CSV,
    VETOES_CSV,
    VOTES_CSV,
    LoadResult,
    Problem,
    SyncOutcome,
    sync_rows,
)
from archive.reference_data.base import Reporter as _Reporter
from archive.reference_data.base import rows as _rows
from archive.reference_data.meetings import agenda_slug
from archive.reference_data.meetings import topics as _topics
from archive.reference_data.values import iso_date as _date
from archive.reference_data.values import parse_meeting_symbol, parse_resolution_label
from archive.reference_data.values import reliable_votes_file_date as _reliable
from archive.reference_data.values import seats as _seats
from archive.reference_data.values import to_int as _int
from archive.reference_data.values import us_date as _us_date

VOTES_SOURCE = "votingagent"
VETOES_SOURCE = "vetoes"
RESOLUTIONS_SOURCE = "un-library-resolutions"


def _from_record(current: dict) -> bool:
    """Whether an existing Vote row (values with "source") belongs to a record import."""
    return current["source"] in Vote.RECORD_SOURCES


# --------------------------------------------------------------------------- resolutions

_RES_SYMBOL = re.compile(r"S/RES/(\d{1,4})\s*\((\d{4})\)")
_TALLY = re.compile(r"\b(\d{1,2})-(\d{1,2})-(\d{1,2})\b")


def _clean_draft_title(title: str) -> str:
    """ "Draft resolution [on sexual violence in armed conflict]" -> "On sexual violence ..." """
    title = " ".join((title or "").split())
    match = re.match(
        r"^(?:Joint\s+|Revised\s+)?draft resolution\s*\[(.+?)\]?\s*\.?$", title, re.IGNORECASE
    )
    if match:
        inner = match[1].strip().rstrip("]").strip()
        return inner[:1].upper() + inner[1:]
    return title


def _resolution_vote_fields(row: dict, year: int) -> dict:
    """Outcome and tally of an adopted resolution from the resolutions table."""
    yes, no, abstain = (_int(row[c]) for c in ("vote_yes", "vote_no", "vote_abstain"))
    note = row["vote_note"].strip().lower()
    outcome_text = row["outcome_text"].lower()
    if yes is not None:
        return {"outcome": Vote.Outcome.ADOPTED, "counts": (yes, no or 0, abstain or 0)}
    if "unanimous" in note:
        return {"outcome": Vote.Outcome.ADOPTED, "counts": (_seats(year), 0, 0)}
    if re.search(r"without (?:a )?vote|by consensus|by acclamation", outcome_text):
        return {"outcome": Vote.Outcome.ADOPTED_WITHOUT_VOTE, "counts": (None, None, None)}
    tallies = _TALLY.findall(row["outcome_text"])
    if len(tallies) == 1:
        return {"outcome": Vote.Outcome.ADOPTED, "counts": tuple(int(t) for t in tallies[0])}
    return {"outcome": Vote.Outcome.ADOPTED, "counts": (None, None, None)}


def load_resolutions(*, data_dir: Path) -> LoadResult:
    """Resolutions 1-2640 with their meeting, agenda item, draft symbol and title, and the Vote
    that adopted each."""
    result = LoadResult("resolutions")
    drafts: dict[int, tuple[str, str]] = {}
    for line, row, report in _rows(data_dir, DRAFTS_CSV, result):
        symbols = _RES_SYMBOL.findall(row["resolution_symbol"])
        if row["resolution_symbol"].strip() and not symbols:
            bare = re.fullmatch(r"S/RES/(\d{1,4})", row["resolution_symbol"].strip())
            if bare:
                symbols = [(bare[1], "")]
            else:
                report(line, "unparsed_symbol", f"resolution_symbol {row['resolution_symbol']!r}")
        for number, _year in symbols:
            title = _clean_draft_title(row["title"])
            current = drafts.get(int(number))
            # Keep the first draft with a title: revised drafts repeat the resolution symbol.
            if current is None or (not current[1] and title):
                drafts[int(number)] = (row["draft_symbol"].strip()[:40], title)

    meeting_ids = {
        (n, r): pk for pk, n, r in Meeting.objects.values_list("pk", "meeting_number", "resumption")
    }
    agenda_ids = dict(AgendaItem.objects.values_list("slug", "pk"))
    resolutions, votes = {}, {}
    for line, row, report in _rows(data_dir, RESOLUTIONS_CSV, result):
        number, year = _int(row["resolution_number"]), _int(row["resolution_year"])
        if not number or not year:
            report(line, "invalid_resolution", f"number/year {row['symbol']!r}")
            continue
        if number in resolutions:
            report(line, "duplicate_resolution", f"{row['symbol']} listed twice")
            continue
        meetings = [m for m in row["meetings"].split(";") if m.strip()]
        parsed = parse_meeting_symbol(meetings[0]) if meetings else None
        meeting_id = meeting_ids.get(parsed) if parsed else None
        if parsed and meeting_id is None:
            report(line, "unmatched_meeting", f"{row['symbol']}: meeting {meetings[0]} not loaded")
        topics = _topics(row["topic"])
        draft_symbol, title = drafts.get(number, ("", ""))
        adopted_on = _date(row["date"])
        if adopted_on is None:
            report(line, "missing_date", f"{row['symbol']} has no date")
        elif adopted_on.year != year:
            # The date comes from the year's own table page; the symbol was mistyped.
            report(
                line,
                "year_from_date",
                f"{row['symbol']} adopted on {adopted_on}: year {adopted_on.year} used",
            )
            year = adopted_on.year
        resolutions[number] = {
            "number": number,
            "year": year,
            "adopted_on": adopted_on,
            "meeting_id": meeting_id,
            "meeting_symbol": row["meetings"].strip()[:60],
            "agenda_item_id": agenda_ids.get(agenda_slug(topics[0])) if topics else None,
            "title": title or "; ".join(topics),
            "draft_symbol": draft_symbol,
        }
        fields = _resolution_vote_fields(row, year)
        votes[number] = {
            "meeting_id": meeting_id,
            "date": adopted_on,
            "subject": Vote.Subject.DRAFT_RESOLUTION,
            "draft_symbol": draft_symbol,
            "outcome": fields["outcome"],
            "in_favour_count": fields["counts"][0],
            "against_count": fields["counts"][1],
            "abstaining_count": fields["counts"][2],
            "source": RESOLUTIONS_SOURCE,
        }
    with transaction.atomic():
        # A resolution whose vote a record import owns keeps what the record gave it (its
        # meeting above all); this table only fills in what is missing, such as the title.
        recorded = _resolutions_from_records()
        outcome = sync_rows(
            Resolution,
            key=("number",),
            rows=resolutions.values(),
            fields=[
                "year",
                "adopted_on",
                "meeting_id",
                "meeting_symbol",
                "agenda_item_id",
                "title",
                "draft_symbol",
            ],
            fill_blank=lambda current: current["pk"] in recorded,
        )
        result.add_sync("Resolution", outcome)
        vote_rows = []
        for (number,), pk in outcome.pks.items():
            if number in votes:
                vote_rows.append({**votes[number], "resolution_id": pk})
        result.add_sync(
            "Vote",
            sync_rows(
                Vote,
                key=("resolution_id",),
                rows=vote_rows,
                fields=[
                    "meeting_id",
                    "date",
                    "subject",
                    "draft_symbol",
                    "outcome",
                    "in_favour_count",
                    "against_count",
                    "abstaining_count",
                    "source",
                ],
                queryset=Vote.objects.filter(resolution__isnull=False),
                fill_blank=_from_record,
            ),
        )
    return result


def _resolutions_from_records() -> set[int]:
    """Pks of the resolutions whose adopting vote a record import wrote."""
    return set(
        Vote.objects.from_records()
        .filter(resolution__isnull=False)
        .values_list("resolution_id", flat=True)
    )


def _claim_by_records(rows: list[dict]) -> tuple[list[dict], int]:
    """Drop the failed-draft rows that a vote from an imported record already stands for.

    Matched like the importer matches a reference vote: the same meeting (or, without one, the
    same date), then the same draft symbol, else the same outcome and tally (the votes file
    records an amendment as a vote on the draft it amends). Each recorded vote stands for one
    row. Returns the rows left and how many were claimed.
    """
    recorded = list(
        Vote.objects.from_records()
        .failed()
        .filter(resolution__isnull=True)
        .values(
            "pk",
            "meeting_id",
            "date",
            "draft_symbol",
            "outcome",
            "in_favour_count",
            "against_count",
            "abstaining_count",
        )
    )
    if not recorded:
        return rows, 0
    taken: set[int] = set()
    left = []
    for row in rows:
        same_place = [
            v
            for v in recorded
            if v["pk"] not in taken
            and (
                v["meeting_id"] == row["meeting_id"]
                if row["meeting_id"] is not None
                else (row["date"] is not None and v["date"] == row["date"])
            )
        ]
        tally = ("outcome", "in_favour_count", "against_count", "abstaining_count")
        found = next(
            (
                v
                for v in same_place
                if row["draft_symbol"] and v["draft_symbol"] == row["draft_symbol"]
            ),
            None,
        ) or next((v for v in same_place if all(v[f] == row[f] for f in tally)), None)
        if found is None:
            left.append(row)
        else:
            taken.add(found["pk"])
    return left, len(rows) - len(left)


# --------------------------------------------------------------------------- votes by member

_POSITIONS = {
    "yes": MemberVote.Position.IN_FAVOUR,
    "no": MemberVote.Position.AGAINST,
    "abstain": MemberVote.Position.ABSTAINING,
}
_VOTE_FIELDS = [
    "meeting_id",
    "date",
    "subject",
    "draft_symbol",
    "description",
    "resolution_id",
    "outcome",
    "in_favour_count",
    "against_count",
    "abstaining_count",
    "source",
]


_DRAFT_SYMBOL = re.compile(r"^(S/(?:\d{4}/)?\d+(?:/Rev\.\d+)?)\b(.*)$")


def _permanent_members(year: int, terms: list[tuple[int, int, int]]) -> set[int]:
    return {state for state, start, end in terms if start <= year <= end}


def _counts(positions: Iterable[str]) -> tuple[int, int, int]:
    counts = Counter(positions)
    return (
        counts[MemberVote.Position.IN_FAVOUR],
        counts[MemberVote.Position.AGAINST],
        counts[MemberVote.Position.ABSTAINING],
    )


def _meeting_from_votes_file(value: str) -> tuple[int, int | None] | None:
    value = (value or "").strip()
    if value.isdigit():
        return int(value), None
    if value.upper().startswith("PV."):
        value = "S/" + value
    return parse_meeting_symbol(value)


def load_member_votes(*, data_dir: Path, resolver: NameResolver | None = None) -> LoadResult:
    """How each member voted 1994-2025: attached to the adopting Vote of each resolution, or to
    a Vote for each failed draft (vetoed / not adopted). Resolutions after 2640 that only this
    file knows are created (date: see ``reliable_votes_file_date``)."""
    result = LoadResult("votes by member")
    resolver = resolver or NameResolver.load()
    events: dict[str, dict] = {}
    for line, row, report in _rows(data_dir, VOTES_CSV, result):
        event = events.get(row["ID"])
        if event is None:
            event = events[row["ID"]] = {"row": row, "line": line, "members": {}}
        match = resolver.resolve(row["Member State"], record=False)
        if match is None or not match.is_member_state:
            report(line, "unmatched_name", f"member {row['Member State']!r} (event {row['ID']})")
            continue
        position = _POSITIONS.get(row["Vote"].strip().lower())
        if position is None:
            report(line, "invalid_position", f"vote {row['Vote']!r} (event {row['ID']})")
            continue
        if match.member_state_id in event["members"]:
            report(
                line,
                "duplicate_member_vote",
                f"{row['Member State']} votes twice in event {row['ID']}; first kept",
            )
            continue
        event["members"][match.member_state_id] = position

    report = _Reporter(result, VOTES_CSV)
    meetings = {
        (n, r): (pk, d)
        for pk, n, r, d in Meeting.objects.values_list("pk", "meeting_number", "resumption", "date")
    }
    resolutions = {
        number: (pk, year, adopted_on)
        for pk, number, year, adopted_on in Resolution.objects.values_list(
            "pk", "number", "year", "adopted_on"
        )
    }
    # Resolutions the UN Library table knows; the others are this file's to create and update.
    table_numbers = set(
        Resolution.objects.filter(vote__source=RESOLUTIONS_SOURCE).values_list("number", flat=True)
    )
    permanent = list(
        CouncilTerm.objects.filter(seat=CouncilTerm.Seat.PERMANENT).values_list(
            "member_state_id", "start_year", "end_year"
        )
    )
    new_resolutions: dict[int, dict] = {}
    adopted: list[tuple[int, dict]] = []  # (resolution number, event)
    failed_votes: list[dict] = []
    failed_members: dict[str, dict[int, str]] = {}
    undated = 0
    for event_id, event in events.items():
        row, line = event["row"], event["line"]
        label, draft = row["Resolution"].strip(), row["Draft"].strip()
        if label.startswith("S/") and not label.startswith("S/RES") and draft.startswith("S/RES"):
            report(
                line,
                "swapped_columns",
                f"event {event_id}: Resolution {label!r} and Draft {draft!r} swapped",
            )
            label, draft = draft, label
        meeting = _meeting_from_votes_file(row["Meeting"])
        meeting_id, meeting_date = meetings.get(meeting, (None, None)) if meeting else (None, None)
        outcome_text = row["Outcome results"].strip().lower()
        # "S/2007/14 as orally revised": the symbol, and the rest as a description.
        symbol_match = _DRAFT_SYMBOL.match(draft)
        draft_note = symbol_match[2].strip() if symbol_match else ""
        if symbol_match:
            draft = symbol_match[1]
        if outcome_text.startswith("not adopted"):
            date = meeting_date or _reliable(row["Date"])
            undated += date is None
            vetoed = "veto" in outcome_text
            is_amendment = "amendment" in draft.lower()
            counts = _counts(event["members"].values())
            description = [draft if is_amendment else "", draft_note]
            if meeting_id is None and row["Meeting"].strip():
                description.append(f"Meeting as given by the votes file: {row['Meeting'].strip()}")
            failed_votes.append(
                {
                    "meeting_id": meeting_id,
                    "date": date,
                    "subject": Vote.Subject.AMENDMENT
                    if is_amendment
                    else Vote.Subject.DRAFT_RESOLUTION,
                    "draft_symbol": "" if is_amendment else draft[:40],
                    "description": ". ".join(d for d in description if d),
                    "resolution_id": None,
                    "outcome": Vote.Outcome.VETOED if vetoed else Vote.Outcome.NOT_ADOPTED,
                    "in_favour_count": counts[0],
                    "against_count": counts[1],
                    "abstaining_count": counts[2],
                    "source": f"{VOTES_SOURCE} #{event_id}",
                }
            )
            year = date.year if date else _int(row["Year"]) or 0
            vetoers = _permanent_members(year, permanent) if vetoed else set()
            failed_members[f"{VOTES_SOURCE} #{event_id}"] = {
                state: (position, state in vetoers and position == MemberVote.Position.AGAINST)
                for state, position in event["members"].items()
            }
            continue
        parsed = parse_resolution_label(label)
        if parsed is None:
            report(
                line,
                "missing_resolution_number",
                f"event {event_id} ({row['Outcome results']}, draft {draft!r}, "
                f"meeting {row['Meeting']!r}): Resolution {label!r}; skipped",
            )
            continue
        number, year = parsed
        year = year or _int(row["Year"])
        if number in table_numbers:
            if year and resolutions[number][1] != year:
                report(
                    line,
                    "conflicting_year",
                    f"event {event_id}: {number} ({year}) but table says {resolutions[number][1]}",
                )
        elif number not in new_resolutions:
            date = meeting_date or _reliable(row["Date"])
            undated += date is None
            new_resolutions[number] = {
                "number": number,
                "year": year,
                "adopted_on": date,
                "meeting_id": meeting_id,
                "meeting_symbol": row["Meeting"].strip()[:60],
                "agenda_item_id": None,
                "title": " ".join(row["Agenda item"].split()),
                "draft_symbol": draft[:40],
                "_event": event,
            }
        adopted.append((number, event))
    if undated:
        report(
            None,
            "undated_vote",
            f"{undated} votes have no reliable date (day <= 12 in the votes file and no "
            "meeting or resolution date to check it against): left empty",
        )

    with transaction.atomic():
        recorded = _resolutions_from_records()
        rows = [{k: v for k, v in r.items() if k != "_event"} for r in new_resolutions.values()]
        outcome = sync_rows(
            Resolution,
            key=("number",),
            rows=rows,
            fields=[
                "year",
                "adopted_on",
                "meeting_id",
                "meeting_symbol",
                "title",
                "draft_symbol",
            ],
            queryset=Resolution.objects.filter(number__in=list(new_resolutions)),
            fill_blank=lambda current: current["pk"] in recorded,
        )
        result.add_sync("Resolution", outcome)
        for (number,), pk in outcome.pks.items():
            new = new_resolutions[number]
            resolutions[number] = (pk, new["year"], new["adopted_on"])
        # Votes for resolutions this file created (the table's own votes exist already).
        vote_rows = []
        for number, r in new_resolutions.items():
            counts = _counts(r["_event"]["members"].values())
            outcome_text = r["_event"]["row"]["Outcome results"].lower()
            without_vote = "consensus" in outcome_text or "acclamation" in outcome_text
            vote_rows.append(
                {
                    "meeting_id": r["meeting_id"],
                    "date": r["adopted_on"],
                    "subject": Vote.Subject.DRAFT_RESOLUTION,
                    "draft_symbol": r["draft_symbol"],
                    "description": "",
                    "resolution_id": resolutions[number][0],
                    "outcome": Vote.Outcome.ADOPTED_WITHOUT_VOTE
                    if without_vote
                    else Vote.Outcome.ADOPTED,
                    "in_favour_count": None if without_vote else counts[0],
                    "against_count": None if without_vote else counts[1],
                    "abstaining_count": None if without_vote else counts[2],
                    "source": VOTES_SOURCE,
                }
            )
        result.add_sync(
            "Vote",
            sync_rows(
                Vote,
                key=("resolution_id",),
                rows=vote_rows,
                fields=_VOTE_FIELDS,
                queryset=Vote.objects.filter(resolution__isnull=False),
                fill_blank=_from_record,
            ),
        )
        # The record's reading of a failed draft wins; a vote this file made for it earlier
        # (before the record was imported) is then stale and deleted below.
        failed_votes, claimed = _claim_by_records(failed_votes)
        result.unchanged["Vote"] += claimed
        failed = sync_rows(
            Vote,
            key=("source",),
            rows=failed_votes,
            fields=_VOTE_FIELDS,
            queryset=Vote.objects.filter(source__startswith=f"{VOTES_SOURCE} #"),
        )
        result.add_sync("Vote", failed)
        result.deleted["Vote"] += _delete_stale_votes(f"{VOTES_SOURCE} #", failed)

        # Member votes of a recorded vote are the record's: this file does not touch them.
        vote_by_resolution = dict(
            Vote.objects.filter(resolution__isnull=False)
            .exclude(source__in=Vote.RECORD_SOURCES)
            .values_list("resolution_id", "pk")
        )
        member_rows: dict[tuple[int, int], dict] = {}
        tallies = {
            pk: (a, b, c)
            for pk, a, b, c in Vote.objects.filter(resolution__isnull=False).values_list(
                "pk", "in_favour_count", "against_count", "abstaining_count"
            )
        }
        for number, event in adopted:
            if resolutions[number][0] in recorded:
                continue
            vote_id = vote_by_resolution.get(resolutions[number][0])
            if vote_id is None:
                report(event["line"], "missing_vote", f"resolution {number} has no Vote")
                continue
            tally = tallies.get(vote_id)
            counted = _counts(event["members"].values())
            if tally and None not in tally and tally != counted:
                report(
                    event["line"],
                    "tally_mismatch",
                    f"resolution {number}: table {'-'.join(map(str, tally))}, member votes "
                    f"{'-'.join(map(str, counted))}",
                )
            for state, position in event["members"].items():
                member_rows.setdefault(
                    (vote_id, state),
                    {
                        "vote_id": vote_id,
                        "member_state_id": state,
                        "position": position,
                        "is_veto": False,
                    },
                )
        for (source,), vote_id in failed.pks.items():
            for state, (position, is_veto) in failed_members[source].items():
                member_rows[(vote_id, state)] = {
                    "vote_id": vote_id,
                    "member_state_id": state,
                    "position": position,
                    "is_veto": is_veto,
                }
        result.add_sync(
            "MemberVote",
            sync_rows(
                MemberVote,
                key=("vote_id", "member_state_id"),
                rows=member_rows.values(),
                fields=["position", "is_veto"],
                # A veto recorded from the veto list (load_vetoes) outranks this file.
                keep=lambda current: current["is_veto"],
            ),
        )
    return result


# --------------------------------------------------------------------------- vetoes


def _delete_stale_votes(prefix: str, outcome: SyncOutcome) -> int:
    """Remove votes an earlier run created from a row that no longer exists (these sources
    belong to this loader alone)."""
    current = [key[0] for key in outcome.pks]
    deleted, _ = (
        Vote.objects.filter(source__startswith=prefix, resolution__isnull=True)
        .exclude(source__in=current)
        .delete()
    )
    return deleted


def load_vetoes(*, data_dir: Path, resolver: NameResolver | None = None) -> LoadResult:
    """Every vetoed draft 1946-2022: matched to a failed Vote from the votes file by draft
    symbol (and meeting), or created; the vetoing members get MemberVote(is_veto=True)."""
    result = LoadResult("vetoes")
    resolver = resolver or NameResolver.load()
    meetings = {
        (n, r): (pk, d)
        for pk, n, r, d in Meeting.objects.values_list("pk", "meeting_number", "resumption", "date")
    }
    failed = defaultdict(list)
    for pk, draft, meeting_id, outcome in Vote.objects.filter(
        resolution__isnull=True, source__startswith=f"{VOTES_SOURCE} #"
    ).values_list("pk", "draft_symbol", "meeting_id", "outcome"):
        failed[draft].append((pk, meeting_id, outcome))
    recorded = defaultdict(list)  # failed drafts as an imported record gives them
    for draft, meeting_id, outcome in (
        Vote.objects.from_records()
        .failed()
        .filter(resolution__isnull=True)
        .exclude(draft_symbol="")
        .values_list("draft_symbol", "meeting_id", "outcome")
    ):
        recorded[draft].append((meeting_id, outcome))
    new_votes: dict[str, dict] = {}
    occurrence: Counter[str] = Counter()
    vetoers: dict[str, list[int]] = {}  # vote source or "pk:<id>" -> vetoing member ids
    for line, row, report in _rows(data_dir, VETOES_CSV, result):
        draft = " ".join(row["draft"].split())
        record = row["meeting_record"].strip()
        meeting = parse_meeting_symbol(record)
        meeting_id, meeting_date = meetings.get(meeting, (None, None)) if meeting else (None, None)
        if meeting and meeting_id is None:
            report(line, "unmatched_meeting", f"{draft}: meeting {record} not loaded")
        members = []
        for column in ("member_veto1", "member_veto2", "member_veto3"):
            name = row[column].strip()
            if not name:
                continue
            match = resolver.resolve(name, record=False)
            if match is None or not match.is_member_state:
                report(line, "unmatched_name", f"{draft}: vetoing member {name!r}")
                continue
            members.append(match.member_state_id)
        if not members:
            report(line, "no_vetoing_member", f"{draft}: no vetoing member could be matched")
            continue
        # The record's vote on the draft wins, member votes and veto flags included.
        from_record = [
            o
            for m, o in recorded.get(draft, [])
            if meeting_id is None or m is None or m == meeting_id
        ]
        if from_record:
            if Vote.Outcome.VETOED not in from_record:
                report(line, "outcome_conflict", f"{draft}: the imported record has no veto; kept")
            continue
        # Same draft, same meeting (or no meeting on either side) in the votes file.
        candidates = [
            (pk, m, o)
            for pk, m, o in failed.get(draft, [])
            if meeting_id is None or m is None or m == meeting_id
        ]
        vetoed = [c for c in candidates if c[2] == Vote.Outcome.VETOED]
        if vetoed:
            vetoers[f"pk:{vetoed[0][0]}"] = members
            continue
        if candidates:
            report(
                line,
                "outcome_conflict",
                f"{draft}: votes file says not adopted without a veto; veto list wins",
            )
        is_spv = draft.upper().startswith("S/PV")
        # Early drafts without an S/ symbol are named by their meeting: several per meeting.
        base = f"{VETOES_SOURCE} {draft} at {record.splitlines()[0] if record else '?'}"[:70]
        occurrence[base] += 1
        source = base if occurrence[base] == 1 else f"{base} #{occurrence[base]}"
        new_votes[source] = {
            "meeting_id": meeting_id,
            "date": meeting_date or _us_date(row["date"]),
            "subject": Vote.Subject.DRAFT_RESOLUTION,
            "draft_symbol": "" if is_spv else draft[:40],
            "description": " ".join(
                filter(
                    None,
                    [
                        "Draft without an S/ symbol, voted at this meeting." if is_spv else "",
                        row["agenda_item"].strip(),
                        "" if meeting_id or not record else f"Record: {' '.join(record.split())}",
                    ],
                )
            ),
            "resolution_id": None,
            "outcome": Vote.Outcome.VETOED,
            "in_favour_count": None,
            "against_count": None,
            "abstaining_count": None,
            "source": source,
        }
        vetoers[source] = members
    with transaction.atomic():
        # Merged: a failed vote the votes file did not call a veto becomes one.
        outcome = sync_rows(
            Vote,
            key=("source",),
            rows=new_votes.values(),
            fields=_VOTE_FIELDS,
            queryset=Vote.objects.filter(source__startswith=f"{VETOES_SOURCE} "),
        )
        result.add_sync("Vote", outcome)
        result.deleted["Vote"] += _delete_stale_votes(f"{VETOES_SOURCE} ", outcome)
        vote_ids = {}
        for key, members in vetoers.items():
            vote_id = int(key[3:]) if key.startswith("pk:") else outcome.pks[(key,)]
            vote_ids[vote_id] = members
        existing = {
            (v, s): (pk, p, veto)
            for pk, v, s, p, veto in MemberVote.objects.filter(
                vote_id__in=list(vote_ids)
            ).values_list("pk", "vote_id", "member_state_id", "position", "is_veto")
        }
        rows = []
        for vote_id, members in vote_ids.items():
            for state in members:
                current = existing.get((vote_id, state))
                if current and current[1] != MemberVote.Position.AGAINST:
                    result.problems.append(
                        Problem(
                            VETOES_CSV,
                            None,
                            "veto_position_conflict",
                            f"vote {vote_id}: veto list says member {state} vetoed, votes file says "
                            f"{current[1]}; veto list wins",
                        )
                    )
                rows.append(
                    {
                        "vote_id": vote_id,
                        "member_state_id": state,
                        "position": MemberVote.Position.AGAINST,
                        "is_veto": True,
                    }
                )
        result.add_sync(
            "MemberVote",
            sync_rows(
                MemberVote,
                key=("vote_id", "member_state_id"),
                rows=rows,
                fields=["position", "is_veto"],
                queryset=MemberVote.objects.filter(vote_id__in=list(vote_ids)),
            ),
        )
    return result
