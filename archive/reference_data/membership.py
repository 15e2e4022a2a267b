"""Council membership: every term 1946-2026 (``sc_terms_1946-2026.csv``), permanent seats
included; each country name must resolve to a Member State."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from archive.models import CouncilTerm
from archive.names import NameResolver
from archive.reference_data.base import TERMS_CSV, LoadResult, rows, sync_rows
from archive.reference_data.values import to_int


def load_council_terms(*, data_dir: Path, resolver: NameResolver | None = None) -> LoadResult:
    """Every Council term 1946-2026; each country name must resolve to a MemberState."""
    result = LoadResult("council terms")
    resolver = resolver or NameResolver.load()
    terms = {}
    for line, row, report in rows(data_dir, TERMS_CSV, result):
        match = resolver.resolve(row["country"], record=False)
        start, end = to_int(row["start_year"]), to_int(row["end_year"])
        if match is None or not match.is_member_state:
            report(line, "unmatched_name", f"country {row['country']!r} is not a Member State")
            continue
        if start is None or end is None or row["seat"] not in CouncilTerm.Seat.values:
            report(line, "invalid_term", f"{row['country']}: {row['seat']} {start}-{end}")
            continue
        key = (match.member_state_id, start)
        if key in terms:
            report(line, "duplicate_term", f"{row['country']} {start} listed twice")
            continue
        terms[key] = {
            "member_state_id": match.member_state_id,
            "start_year": start,
            "end_year": end,
            "seat": row["seat"],
            "note": row["note"].strip(),
        }
    with transaction.atomic():
        result.add_sync(
            "CouncilTerm",
            sync_rows(
                CouncilTerm,
                key=("member_state_id", "start_year"),
                rows=terms.values(),
                fields=["end_year", "seat", "note"],
            ),
        )
    return result
