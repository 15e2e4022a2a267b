"""Reading the values the data files print: dates, numbers, meeting symbols, resolution labels,
tallies. Pure functions, shared by the loaders."""

from __future__ import annotations

import datetime
import re


def iso_date(value: str) -> datetime.date | None:
    """A YYYY-MM-DD date, or None."""
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def us_date(value: str) -> datetime.date | None:
    """A M/D/YYYY date (the vetoes file's order), or None."""
    try:
        return datetime.datetime.strptime((value or "").strip(), "%m/%d/%Y").date()
    except ValueError:
        return None


_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


def date_from_text(text: str, year: int) -> datetime.date | None:
    """The first day of a printed date such as "14-15 October", "1 Sep." or "29 + 30 March"."""
    match = re.match(r"^\s*(\d{1,2})\b.*?\b([A-Za-z]{3})[a-z]*\.?\s*$", text or "")
    if not match or match[2].lower() not in _MONTHS:
        return None
    try:
        return datetime.date(year, _MONTHS[match[2].lower()], int(match[1]))
    except ValueError:
        return None


def to_int(value: str) -> int | None:
    """A whole number, or None."""
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def seats(year: int) -> int:
    """How many members the Council had: 11 until 1965, 15 since 1966."""
    return 11 if year < 1966 else 15


def required_majority(year: int) -> int:
    """Affirmative votes needed to adopt a decision: 7 of 11 until 1965, 9 of 15 since."""
    return 7 if year < 1966 else 9


# --------------------------------------------------------------------------- symbols

_SPV = re.compile(r"^\s*S/PV\.?\s*(\d{1,5})\s*(?:\(\s*Resumption\s*(\d*)\s*\))?", re.IGNORECASE)


def parse_meeting_symbol(value: str) -> tuple[int, int | None] | None:
    """(meeting number, resumption) from "S/PV.8699 (Resumption 1)", "S/PV.3652(Resumption 1)",
    "S/PV.733 (closed)", "S/PV9180"; "(Resumption)" without a number is resumption 1."""
    match = _SPV.match(value or "")
    if not match:
        return None
    resumption = None
    if match.group(2) is not None:
        resumption = int(match[2]) if match[2] else 1
    return int(match[1]), resumption


def meeting_symbol(number: int, resumption: int | None) -> str:
    """The printed symbol: S/PV.8514 or S/PV.8699 (Resumption 1)."""
    return f"S/PV.{number}" + (f" (Resumption {resumption})" if resumption else "")


_RES_FREE = re.compile(
    r"^\s*(?:S/RES/|Resolution\s+)?(\d{1,4})\s*(?:\(\s*(\d{4})\s*\)?|/(\d{4}))?\s*$",
    re.IGNORECASE,
)
RES_SYMBOL = re.compile(r"S/RES/(\d{1,4})\s*\((\d{4})\)")
TALLY = re.compile(r"\b(\d{1,2})-(\d{1,2})-(\d{1,2})\b")


def parse_resolution_label(value: str) -> tuple[int, int | None] | None:
    """(number, year) from the votes file's free text: "2467 (2019)", "2367(2017)",
    "Resolution 2618 (2022)", "2541 (2020", "S/RES/2673 (2023)"; None for "Missing" or ""."""
    match = _RES_FREE.match((value or "").replace("\xa0", " "))
    if not match:
        return None
    year = match[2] or match[3]
    return int(match[1]), int(year) if year else None


def reliable_votes_file_date(value: str) -> datetime.date | None:
    """A date from the votes file only where a day/month swap cannot have produced it."""
    date = iso_date(value)
    return date if date and (date.day > 12 or date.day == date.month) else None
