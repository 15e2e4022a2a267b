"""Import verbatim records (PDF or text files, or folders of them) into the archive.

Repeatable: a file whose checksum was already imported is skipped without being parsed, and a
record whose meeting is already in the archive is skipped unless --replace is given.

Never overwrites a vote: where a record reads a vote differently from the archive, the
archive's values are kept, the record's reading is kept beside them to be reviewed (the admin's
vote sources, the review queue), and the disagreement is printed. --take-record-votes takes the
record's readings instead, each recorded as a decision that can be undone.

A record whose parse found errors (see the checks of ``parse_transcript``) fails unless
--acknowledge-errors is given; it is then imported and marked for review.
Exit status: 0 when every file was imported or skipped, 1 when any file failed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from archive.importing import (
    AlreadyImported,
    ChecksNotAcknowledged,
    ImportFailed,
    default_resolver,
    import_meeting,
    sniff_content_type,
    source_for,
    store_upload,
)
from archive.models import ImportRecord, TranscriptUpload
from archive.parsing import TranscriptError
from archive.progress import Progress
from archive.sandbox import parse_in_subprocess

SUFFIXES = {".pdf", ".txt"}


_RESUMPTION = re.compile(r"\s*\(\s*Resumption\s*(\d*)\s*\)", re.IGNORECASE)


def _record_order(path: Path) -> tuple[str, int]:
    """Sort key putting "S_PV.8699(Resumption1)_E.pdf" after "S_PV.8699_E.pdf": a resumption's
    import reads who its speakers are from the earlier parts already in the archive."""
    match = _RESUMPTION.search(path.name)
    if match is None:
        return path.name, 0
    return _RESUMPTION.sub("", path.name, count=1), int(match[1] or 1)


def collect_files(paths: list[Path]) -> list[Path]:
    """The files to import: given files as they are, folders' *.pdf and *.txt sorted (each
    resumption after the earlier parts of its meeting)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                (p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES),
                key=_record_order,
            )
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"{path}: no such file or folder")
    return list(dict.fromkeys(files))


@dataclass
class Outcome:
    """What happened to each file."""

    imported: list[str] = field(default_factory=list)
    for_review: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    unresolved: dict[str, int] = field(default_factory=dict)
    vote_conflicts: list[str] = field(default_factory=list)


class Command(BaseCommand):
    help = "Import verbatim records from PDF or .txt files, or folders of them."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="re-import meetings already in the archive (speech addresses are kept)",
        )
        parser.add_argument(
            "--take-record-votes",
            action="store_true",
            help=(
                "where a record reads a vote differently from the archive, show the record's "
                "reading (recorded as a decision, undoable); without it the archive's values stay "
                "and the record's reading awaits review"
            ),
        )
        parser.add_argument(
            "--acknowledge-errors",
            action="store_true",
            help="import records even when the parser's checks found errors (facts that may be "
            "wrong, text that may be missing): they are marked for review",
        )

    def handle(self, *args, **options):
        files = collect_files(options["paths"])
        if not files:
            raise CommandError("No .pdf or .txt files found.")
        replace = options["replace"]
        self.take_record_votes = options["take_record_votes"]
        self.acknowledge = options["acknowledge_errors"]
        resolver = default_resolver()
        outcome = Outcome()
        progress = Progress(len(files), unit="files", stream=self.stderr._out)
        for path in files:
            self._one(path, replace=replace, resolver=resolver, outcome=outcome)
            progress.advance(label=path.name)
        progress.finish()

        self.stdout.write(
            f"Imported {len(outcome.imported)}, skipped {len(outcome.skipped)}, "
            f"failed {len(outcome.failed)} of {len(files)} files."
        )
        for label, lines in (
            ("Imported", outcome.imported),
            ("Skipped", outcome.skipped),
            ("Failed", outcome.failed),
        ):
            for line in lines:
                self.stdout.write(f"  {label}: {line}")
        for line in outcome.for_review:
            self.stdout.write(f"  Marked for review: {line}")
        if outcome.unresolved:
            names = ", ".join(
                f"{name} x{count}"
                for name, count in sorted(outcome.unresolved.items(), key=lambda kv: -kv[1])
            )
            self.stdout.write(f"Unresolved names (kept as printed): {names}")
        if outcome.vote_conflicts:
            self.stdout.write(
                f"Votes read differently from the archive ({len(outcome.vote_conflicts)}):"
            )
            for line in outcome.vote_conflicts:
                self.stdout.write(f"  {line}")
        if outcome.failed:
            raise CommandError(f"{len(outcome.failed)} file(s) failed to import.")

    def _one(self, path: Path, *, replace: bool, resolver, outcome: Outcome) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            outcome.failed.append(f"{path.name}: cannot read the file ({exc.strerror or exc})")
            return
        sha256 = hashlib.sha256(data).hexdigest()
        previous = TranscriptUpload.objects.filter(
            sha256=sha256, status=TranscriptUpload.Status.IMPORTED, meetings__isnull=False
        ).first()
        if previous is not None and not replace:
            outcome.skipped.append(f"{path.name}: {previous.symbol} already imported")
            return
        try:
            parsed = parse_in_subprocess(
                data, filename=path.name, max_bytes=settings.TRANSCRIPT_MAX_BYTES
            )
        except TranscriptError as exc:
            self._failed(path, exc.message, outcome)
            return

        upload = None
        try:
            with transaction.atomic():
                upload = store_upload(
                    data=data, original_name=path.name, status=TranscriptUpload.Status.PARSED
                )
                result = import_meeting(
                    parsed=parsed,
                    source=source_for(sniff_content_type(data)),
                    upload=upload,
                    replace=replace,
                    resolver=resolver,
                    source_name=str(path),
                    take_record_votes=self.take_record_votes,
                    acknowledge_errors=self.acknowledge,
                )
        except ChecksNotAcknowledged as exc:
            _forget_file(upload)
            self._failed(path, exc.message, outcome, symbol=parsed.symbol)
            return
        except AlreadyImported:
            _forget_file(upload)
            outcome.skipped.append(f"{path.name}: {parsed.symbol} already in the archive")
            return
        except ImportFailed as exc:
            _forget_file(upload)
            self._failed(path, exc.message, outcome, symbol=parsed.symbol)
            return
        except Exception as exc:
            # One broken file must not stop the run; it is reported, and the exit status says so.
            _forget_file(upload)
            self._failed(path, f"unexpected error: {exc!r}", outcome, symbol=parsed.symbol)
            return
        verb = "replaced" if result.replaced else "imported"
        outcome.imported.append(f"{path.name}: {parsed.symbol} {verb} — {result.summary}")
        if result.record is not None and result.record.needs_review:
            errors = sum(1 for c in result.record.checks if c["severity"] == "error")
            outcome.for_review.append(
                f"{path.name}: {parsed.symbol}, {errors} error check"
                f"{'s' if errors != 1 else ''} acknowledged"
            )
        for item in result.unresolved:
            outcome.unresolved[item.name] = outcome.unresolved.get(item.name, 0) + 1
        outcome.vote_conflicts += [f"{parsed.symbol}: {check.message}" for check in result.checks]
        if result.pending_votes:
            outcome.vote_conflicts.append(
                f"{parsed.symbol}: the archive's values are kept for {len(result.pending_votes)} "
                "vote(s); the record's readings await review (or import with "
                "--replace --take-record-votes)"
            )

    def _failed(self, path: Path, message: str, outcome: Outcome, symbol: str = "") -> None:
        outcome.failed.append(f"{path.name}: {message}")
        ImportRecord.objects.create(
            action=ImportRecord.Action.FAILURE,
            source_name=str(path)[:255],
            symbol=symbol[:60],
            summary=message,
        )


def _forget_file(upload: TranscriptUpload | None) -> None:
    """Remove the stored copy of a file whose import was rolled back."""
    if upload is not None and upload.file:
        upload.file.delete(save=False)
