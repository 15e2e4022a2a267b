"""Bulk downloads: every statement in the archive, and each year's, as prebuilt files.

Researchers who want everything should never hold a web worker for minutes: ``build`` writes
the whole archive once per archive version, and the files are served as static files
(``archive.bulk_serve``, or the web server in front: docs/deployment.md).

Layout under ``BULK_DOWNLOADS_ROOT`` (``var/bulk``)::

    current.json                 {"archive_version": 812, "path": "v812"}: the build to serve
    v812/manifest.json           what was built: rows, bytes and SHA-256 of every file
    v812/council-archive-statements.csv.gz      every statement, oldest first
    v812/council-archive-statements.jsonl.gz    the same, one JSON object per line
    v812/council-archive-statements-2020.csv.gz  ... one pair of files per year

A build reads every row inside one REPEATABLE READ snapshot together with the archive's
version (``ArchiveState``), so the manifest says exactly which state of the archive the files
hold. It is written to a temporary folder and put in place with a rename; ``current.json`` is
replaced atomically last, so a reader never sees half a build. Asked again while the archive
has not changed, it returns at once. The previous build is kept (a page rendered a moment ago
may still link to it); older ones are removed.

CSV cells are neutralised against formula injection like every CSV of the archive
(``archive.exports.spreadsheet_safe``: a leading ``'`` before ``= + - @``, tab, CR); the JSON
lines files hold the text exactly as stored.
"""

from __future__ import annotations

import csv
import datetime
import gzip
import hashlib
import io
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F

from archive.db_router import PRIMARY
from archive.exports import Column, csv_cells, plain
from archive.models import ArchiveState, Speech

BASENAME = "council-archive-statements"
RELATED = ("meeting", "meeting__agenda_item", "speaker", "member_state", "affiliation")
GZIP_LEVEL = 6


def bulk_root() -> Path:
    """Where the builds live (``BULK_DOWNLOADS_ROOT``)."""
    return Path(settings.BULK_DOWNLOADS_ROOT)


def current_pointer() -> Path:
    """The small file naming the build to serve; replaced atomically by each build."""
    return bulk_root() / "current.json"


def current_manifest() -> dict | None:
    """The manifest of the build being served, or None when there is none yet."""
    try:
        pointer = json.loads(current_pointer().read_text())
        return json.loads((bulk_root() / pointer["path"] / "manifest.json").read_text())
    except (FileNotFoundError, KeyError, ValueError):
        return None


class _AbsoluteURLs:
    """Stands in for a request in the export columns: absolute URLs on the public site."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")

    def build_absolute_uri(self, location: str) -> str:
        return self.base + location


def statement_columns() -> list[Column]:
    """The fields of a statement in the bulk files: those of the search downloads."""
    from archive.views.search import speech_columns

    return speech_columns(_AbsoluteURLs(settings.PUBLIC_BASE_URL))


@dataclass
class _Output:
    """One file being written: a gzip stream with a CSV writer or JSON lines."""

    path: Path
    fmt: str
    rows: int = 0

    def __post_init__(self):
        self._raw = open(self.path, "wb")  # noqa: SIM115  closed in close()
        # mtime=0: the same rows give byte-identical files, so checksums are reproducible.
        self._gzip = gzip.GzipFile(
            filename="", mode="wb", fileobj=self._raw, compresslevel=GZIP_LEVEL, mtime=0
        )
        self._text = io.TextIOWrapper(self._gzip, encoding="utf-8", newline="")
        self._csv = csv.writer(self._text) if self.fmt == "csv" else None

    def header(self, columns: list[Column]) -> None:
        if self._csv is not None:
            self._csv.writerow([c.name for c in columns])

    def write(self, row, columns: list[Column]) -> None:
        if self._csv is not None:
            self._csv.writerow(csv_cells(row, columns))
        else:
            item = {c.name: plain(c.value(row)) for c in columns}
            self._text.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")
        self.rows += 1

    def close(self) -> None:
        self._text.close()  # closes the gzip stream, which writes its trailer
        self._raw.close()


@dataclass
class BuildResult:
    """What ``build`` did."""

    manifest: dict
    built: bool
    seconds: float = 0.0
    files: list[dict] = field(default_factory=list)


def _file_entry(out: _Output, *, year: int | str | None) -> dict:
    digest = hashlib.sha256()
    with open(out.path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {
        "name": out.path.name,
        "format": out.fmt,
        "year": year,
        "rows": out.rows,
        "bytes": out.path.stat().st_size,
        "sha256": digest.hexdigest(),
    }


def _write_statements(folder: Path, progress: Callable[[int], None] | None) -> list[dict]:
    """Every statement, oldest first, into the whole-archive files and each year's files."""
    columns = statement_columns()
    rows = (
        Speech.objects.using(PRIMARY)
        .select_related(*RELATED)
        .defer("search_vector")
        .order_by(F("meeting_date").asc(nulls_first=True), "meeting_id", "sequence")
    )
    whole = [_Output(folder / f"{BASENAME}.{fmt}.gz", fmt) for fmt in ("csv", "jsonl")]
    entries: list[dict] = []
    year_outputs: list[_Output] = []
    year = None
    for out in whole:
        out.header(columns)
    for n, speech in enumerate(rows.iterator(chunk_size=2000), start=1):
        speech_year = speech.meeting_date.year if speech.meeting_date else "undated"
        if speech_year != year or not year_outputs:
            # Rows come in date order: one year's files are open at a time.
            for out in year_outputs:
                out.close()
                entries.append(_file_entry(out, year=year))
            year = speech_year
            year_outputs = [
                _Output(folder / f"{BASENAME}-{year}.{fmt}.gz", fmt) for fmt in ("csv", "jsonl")
            ]
            for out in year_outputs:
                out.header(columns)
        for out in (*whole, *year_outputs):
            out.write(speech, columns)
        if progress and n % 10_000 == 0:
            progress(n)
    for out in year_outputs:
        out.close()
        entries.append(_file_entry(out, year=year))
    for out in whole:
        out.close()
    return [_file_entry(out, year=None) for out in whole] + entries


def _snapshot_version(*, outermost: bool) -> tuple[int, datetime.datetime | None]:
    """Start a REPEATABLE READ snapshot and read the archive's version inside it."""
    if outermost:  # inside a caller's transaction (tests), that one's snapshot rules
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    state = ArchiveState.objects.using(PRIMARY).filter(pk=1).first()
    return (state.version, state.changed_at) if state else (0, None)


def _install(root: Path, partial: Path, target: Path, manifest: dict) -> None:
    """Put a finished build in place, point current.json at it, remove old builds."""
    if target.exists():  # a forced rebuild of the same version
        shutil.rmtree(target)
    partial.rename(target)
    pointer = root / f".current.json.{os.getpid()}"
    pointer.write_text(
        json.dumps({"archive_version": manifest["archive_version"], "path": target.name})
    )
    os.replace(pointer, current_pointer())
    builds = sorted(
        (p for p in root.glob("v*") if p.is_dir() and p.name[1:].isdigit()),
        key=lambda p: int(p.name[1:]),
    )
    previous = [p.name for p in builds if p != target][-1:]
    keep = {target.name, *previous}
    for old in builds:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def build(*, force: bool = False, progress: Callable[[int], None] | None = None) -> BuildResult:
    """Build the bulk files for the archive as it is now, unless they are current already."""
    root = bulk_root()
    root.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    outermost = not connections[PRIMARY].in_atomic_block
    with transaction.atomic(using=PRIMARY):
        version, changed_at = _snapshot_version(outermost=outermost)
        current = current_manifest()
        if current and current.get("archive_version") == version and not force:
            return BuildResult(manifest=current, built=False)
        partial = root / f".v{version}.partial-{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        try:
            files = _write_statements(partial, progress)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    columns = statement_columns()
    manifest = {
        "archive_version": version,
        "archive_changed_at": changed_at.isoformat() if changed_at else None,
        "built_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "build_seconds": round(time.monotonic() - started, 1),
        "compression": "gzip",
        "csv_note": (
            "Cells starting with = + - @, a tab or a carriage return are prefixed with ' so "
            "that spreadsheets do not run them as formulas; the .jsonl files are unaltered."
        ),
        "fields": [{"name": c.name, "description": c.description} for c in columns],
        "files": files,
    }
    (partial / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    _install(root, partial, root / f"v{version}", manifest)
    return BuildResult(
        manifest=manifest, built=True, seconds=time.monotonic() - started, files=files
    )
