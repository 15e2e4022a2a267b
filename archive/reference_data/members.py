"""Member States: the 193 of today (``un_member_states.csv`` with the names corrected by
``fixtures/member_state_names.csv``) and the former ones of ``fixtures/former_member_states.csv``,
keyed on ISO3."""

from __future__ import annotations

import re
from pathlib import Path

from django.db import transaction

from archive.models import MemberState
from archive.reference_data.base import (
    MEMBER_STATES_CSV,
    LoadResult,
    fixture_dir,
    rows,
    sync_rows,
)
from archive.reference_data.values import iso_date

FIELDS = [
    "name",
    "official_name",
    "iso2",
    "admission_date",
    "membership_ended",
    "successor_id",
    "region",
]


def load_member_states(*, data_dir: Path, fixtures_dir: Path | None = None) -> LoadResult:
    """The 193 Member States plus the former ones in fixtures/former_member_states.csv."""
    result = LoadResult("member states")
    fixtures = fixture_dir(fixtures_dir)
    current = current_states(data_dir, fixtures, result)
    with transaction.atomic():
        outcome = sync_rows(MemberState, key=("iso3",), rows=current, fields=FIELDS)
        result.add_sync("MemberState", outcome)
        by_iso3 = {k[0]: pk for k, pk in outcome.pks.items()}
        former = former_states(fixtures, by_iso3, result)
        result.add_sync(
            "MemberState", sync_rows(MemberState, key=("iso3",), rows=former, fields=FIELDS)
        )
    return result


def current_states(data_dir: Path, fixtures: Path, result: LoadResult) -> list[dict]:
    """Rows of today's Member States, names corrected by the fixture."""
    overrides = {}
    for _line, row, _report in rows(fixtures, "member_state_names.csv", result, comments=True):
        overrides[row["iso3"].strip()] = row
    states = []
    for line, row, report in rows(data_dir, MEMBER_STATES_CSV, result):
        iso3 = row["iso3"].strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", iso3) or not row["name"].strip():
            report(line, "invalid_member_state", f"no usable iso3/name: {row['name']!r}")
            continue
        override = overrides.get(iso3, {})
        iso2 = (override.get("iso2") or row["iso2"]).strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", iso2):
            report(line, "invalid_iso2", f"{row['name']}: iso2 {row['iso2']!r} left empty")
            iso2 = ""
        states.append(
            {
                "iso3": iso3,
                "iso2": iso2,
                "name": override.get("name") or row["name"].strip(),
                "official_name": override.get("official_name") or row["official_name"].strip(),
                "admission_date": iso_date(row["admission_date"]),
                "membership_ended": None,
                "successor_id": None,
                "region": row["un_subregion"].strip(),
            }
        )
    return states


def former_states(fixtures: Path, by_iso3: dict[str, int], result: LoadResult) -> list[dict]:
    """Rows of the former Member States, each linked to its successor."""
    former = []
    for line, row, report in rows(fixtures, "former_member_states.csv", result, comments=True):
        successor = row["successor_iso3"].strip()
        if successor and successor not in by_iso3:
            report(line, "unknown_successor", f"{row['iso3']}: successor {successor} unknown")
        former.append(
            {
                "iso3": row["iso3"].strip(),
                "iso2": row["iso2"].strip(),
                "name": row["name"].strip(),
                "official_name": row["official_name"].strip(),
                "admission_date": iso_date(row["admission_date"]),
                "membership_ended": iso_date(row["membership_ended"]),
                "successor_id": by_iso3.get(successor),
                "region": row["region"].strip(),
            }
        )
    return former
