"""Resolution texts 1-2259 (``unsc-resolutions-text-1946-2015``): the text of each resolution,
page furniture removed, matched on the number."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path

from django.db import transaction

from archive.models import Meeting, Resolution, VoteClaim
from archive.reference_data.base import TEXTS_DIR, LoadResult, Reporter, sync_rows, update_rows
from archive.reference_data.claims import ClaimDraft, claim_values, sync_claims

_TEXT_NAME = re.compile(r"^S-RES-(\d{1,4})\((\d{4})\)\.txt$")
_JOB_NUMBER = re.compile(r"^\s*\d{2}-\d{4,6}\s*\(E\).*$")
_PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
_BARCODE = re.compile(r"^\s*\*\d{5,}\*\s*$")


def decode_text(raw: bytes) -> str:
    """UTF-8 first (BOM dropped), Windows-1252 otherwise."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def clean_resolution_text(text: str, *, number: int, year: int) -> str:
    """Drop page furniture: job numbers ("00-72018 (E) ````"), repeated running headers
    ("S/RES/1325 (2000)" after its first appearance), page numbers and barcodes."""
    header = re.compile(rf"^\s*S/RES/{number}\s*\({year}\)\s*$")
    kept, seen_header = [], False
    for line in text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "").split("\n"):
        if _JOB_NUMBER.match(line) or _BARCODE.match(line) or _PAGE_NUMBER.match(line):
            continue
        if header.match(line):
            if seen_header:
                continue
            seen_header = True
        kept.append(line.rstrip())
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(kept))
    return cleaned.strip()


_ADOPTED_AT = re.compile(
    r"Adopted by the Security Council at its (\d+)(?:st|nd|rd|th)? meeting,?\s+on\s+"
    r"(\d{1,2} [A-Z][a-z]+ \d{4})"
)
_OF_DATE = re.compile(
    r"^\s*(?:Resolution\s+)?\d+\s*\(\d{4}\)\.?\s*(?:Resolution\s+)?of\s+(\d{1,2} [A-Z][a-z]+ \d{4})"
)


def _day(text: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(text, "%d %B %Y").date()
    except ValueError:
        return None


def adoption(text: str) -> tuple[datetime.date | None, int | None]:
    """(date, meeting number) the text states: "Adopted by the Security Council at its 4213th
    meeting, on 31 October 2000", or, in the early texts, "Resolution 15 (1946) of 19 December
    1946"."""
    match = _ADOPTED_AT.search(text)
    if match:
        return _day(match[2]), int(match[1])
    match = _OF_DATE.search(text)
    return (_day(match[1]) if match else None), None


def adoption_date(text: str) -> datetime.date | None:
    """The date of adoption the text states."""
    return adoption(text)[0]


def load_resolution_texts(*, data_dir: Path) -> LoadResult:
    """The text of resolutions 1-2259 into Resolution.text, matched on the number (numbers run
    on across years; a few file names carry the wrong year), and each text's claim on the date
    and meeting of the vote. A resolution the tables lack (666, 695) is created from its text."""
    result = LoadResult("resolution texts")
    report = Reporter(result, TEXTS_DIR)
    folder = data_dir / TEXTS_DIR
    if not folder.is_dir():
        report(None, "missing_file", f"folder not found: {folder}")
        return result
    existing = {
        n: (pk, y, text)
        for pk, n, y, text in Resolution.objects.values_list("pk", "number", "year", "text")
    }
    texts = list(read_texts(folder, report))
    updates, missing = [], []
    for number, year, text in texts:
        current = existing.get(number)
        if current is None:
            report(None, "created_from_text", f"{text_name(number, year)}: not in the tables")
            missing.append(
                {"number": number, "year": year, "adopted_on": adoption_date(text), "text": text}
            )
        elif text != current[2]:
            updates.append(Resolution(pk=current[0], text=text))
        if current is not None and current[1] != year:
            report(
                None,
                "year_mismatch",
                f"{text_name(number, year)}: the resolutions table has {number} ({current[1]})",
            )
    with transaction.atomic():
        update_rows(Resolution, updates, ["text"])
        result.add_sync(
            "Resolution",
            sync_rows(
                Resolution,
                key=("number",),
                rows=missing,
                fields=["year", "text"],
                queryset=Resolution.objects.filter(number__in=[r["number"] for r in missing]),
            ),
        )
        sync_claims(VoteClaim.Source.RESOLUTION_TEXT, _claims(texts, report), result)
    result.updated["Resolution.text"] = len(updates)
    result.unchanged["Resolution.text"] = len(texts) - len(updates) - len(missing)
    return result


def _claims(texts: list[tuple[int, int, str]], report: Reporter) -> list[ClaimDraft]:
    """Each text's claim on its resolution's vote: the date and meeting it states."""
    resolutions = {
        n: (pk, y, d)
        for pk, n, y, d in Resolution.objects.values_list("pk", "number", "year", "adopted_on")
    }
    meetings = dict(
        Meeting.objects.filter(resumption__isnull=True).values_list("meeting_number", "pk")
    )
    claims = []
    for number, year, text in texts:
        date, meeting = adoption(text)
        date, note = _in_its_year(number, date, resolutions, report, text_name(number, year))
        if date is None and meeting is None:
            continue
        claims.append(
            ClaimDraft(
                key=f"resolution {number}",
                resolution_id=resolutions[number][0],
                values=claim_values(
                    detail=f"{TEXTS_DIR}/{text_name(number, year)}",
                    date=date,
                    date_note=note,
                    meeting_id=meetings.get(meeting),
                    meeting_symbol=f"S/PV.{meeting}" if meeting else "",
                ),
            )
        )
    return claims


def _in_its_year(number: int, date, resolutions: dict, report: Reporter, name: str):
    """A date printed with a mistyped year (48 (1948) "of 23 April 1943") is read in the
    resolution's year when that day lies between the dates of the resolutions numbered around
    it (numbers run in order of time); otherwise it is not used. Both are said in the note."""
    year = resolutions[number][1]
    if date is None or date.year == year:
        return date, ""
    try:
        candidate = date.replace(year=year)
    except ValueError:
        candidate = None
    before = next(
        (
            resolutions[n][2]
            for n in range(number - 1, number - 6, -1)
            if n in resolutions and resolutions[n][2]
        ),
        None,
    )
    after = next(
        (
            resolutions[n][2]
            for n in range(number + 1, number + 6)
            if n in resolutions and resolutions[n][2]
        ),
        None,
    )
    if candidate and before and after and before <= candidate <= after:
        report(None, "year_corrected", f"{name}: {date} read as {candidate}")
        return candidate, (
            f"the text prints {date:%-d %B %Y}; read in the resolution's year, {year}, as the "
            f"dates of the resolutions numbered around it ({before}, {after}) show"
        )
    report(None, "date_outside_year", f"{name}: adopted on {date}? not used")
    return None, f"the text's date {date} is outside the resolution's year; not used"


def text_name(number: int, year: int) -> str:
    """The file name of a resolution's text."""
    return f"S-RES-{number}({year}).txt"


def read_texts(folder: Path, report: Reporter) -> Iterator[tuple[int, int, str]]:
    """(number, year, cleaned text) of every text file in the folder, in name order."""
    for path in sorted(folder.iterdir()):
        match = _TEXT_NAME.match(path.name)
        if not match:
            report(None, "unexpected_file", f"{path.name}: not S-RES-<n>(<year>).txt")
            continue
        number, year = int(match[1]), int(match[2])
        try:
            raw = decode_text(path.read_bytes())
        except OSError as error:
            report(None, "unreadable_file", f"{path.name}: {error}")
            continue
        yield number, year, clean_resolution_text(raw, number=number, year=year)
