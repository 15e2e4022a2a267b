"""Resolution texts 1-2259 (``unsc-resolutions-text-1946-2015``): the text of each resolution,
page furniture removed, matched on the number."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path

from django.db import transaction

from archive.models import Resolution
from archive.reference_data.base import TEXTS_DIR, LoadResult, Reporter, sync_rows

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


_ADOPTED_ON = re.compile(
    r"Adopted by the Security Council at its \d+\w* meeting,? on (\d{1,2} \w+ \d{4})"
)


def adoption_date(text: str) -> datetime.date | None:
    match = _ADOPTED_ON.search(text)
    if not match:
        return None
    try:
        return datetime.datetime.strptime(match[1], "%d %B %Y").date()
    except ValueError:
        return None


def load_resolution_texts(*, data_dir: Path) -> LoadResult:
    """The text of resolutions 1-2259 into Resolution.text, matched on the number (numbers run
    on across years; a few file names carry the wrong year). A resolution the tables lack
    (666, 695) is created from its text."""
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
    updates, missing = [], []
    unchanged = 0
    for number, year, text in read_texts(folder, report):
        current = existing.get(number)
        if current is None:
            report(None, "created_from_text", f"{text_name(number, year)}: not in the tables")
            missing.append(
                {"number": number, "year": year, "adopted_on": adoption_date(text), "text": text}
            )
        elif text == current[2]:
            unchanged += 1
        else:
            updates.append(Resolution(pk=current[0], text=text))
        if current is not None and current[1] != year:
            report(
                None,
                "year_mismatch",
                f"{text_name(number, year)}: the resolutions table has {number} ({current[1]})",
            )
    with transaction.atomic():
        Resolution.objects.bulk_update(updates, ["text"], batch_size=200)
        result.add_sync(
            "Resolution",
            sync_rows(
                Resolution,
                key=("number",),
                rows=missing,
                fields=["year", "adopted_on", "text"],
                queryset=Resolution.objects.filter(number__in=[r["number"] for r in missing]),
            ),
        )
    result.updated["Resolution.text"] = len(updates)
    result.unchanged["Resolution.text"] = unchanged
    return result


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
