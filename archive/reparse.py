"""Re-parse stored uploads with the current parser, so that every improvement reaches the archive.

Two ways in, one replace path (``archive.importing.import_meeting(replace=True)``: atomic,
permalinks of unchanged statements kept):

- ``manage.py reparse_transcripts [--apply]``: ``stored_records`` -> ``reparse`` (in the sandbox,
  here and now) -> the changes printed -> ``apply``;
- the admin action: ``queue_reparses`` copies each stored file to a new upload marked
  ``reparse_of``, read by the background worker like any upload; its preview shows what would
  change, with "Replace the record".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from archive.importing import (
    ImportResult,
    default_resolver,
    import_meeting,
    resolve_names,
    source_for,
    store_upload,
)
from archive.models import Meeting, TranscriptUpload
from archive.parsing import ParsedMeeting, TranscriptError
from archive.record_diff import RecordDiff, compare
from archive.sandbox import parse_in_subprocess


@dataclass
class Reparse:
    """One stored record read again, and what replacing it would change."""

    meeting: Meeting
    upload: TranscriptUpload
    parsed: ParsedMeeting | None = None
    diff: RecordDiff | None = None
    error: str = ""

    @property
    def changes(self) -> bool:
        return self.diff is not None and not self.diff.is_empty


def stored_records(symbols: list[str] | None = None):
    """Meetings imported from an upload whose file is still kept, in symbol order."""
    meetings = (
        Meeting.objects.filter(upload__isnull=False)
        .exclude(upload__file="")
        .select_related("upload")
        .order_by("meeting_number", "resumption", "symbol")
    )
    if symbols:
        meetings = meetings.filter(symbol__in=symbols)
    return meetings


def reparse(meeting: Meeting, resolver=None) -> Reparse:
    """Read a meeting's stored file again and compare it with what the archive holds."""
    upload = meeting.upload
    outcome = Reparse(meeting=meeting, upload=upload)
    try:
        with upload.file.open("rb") as handle:
            data = handle.read()
        parsed = parse_in_subprocess(
            data,
            filename=upload.original_name,
            max_bytes=settings.TRANSCRIPT_MAX_BYTES,
            timeout_s=settings.TRANSCRIPT_PARSE_SECONDS,
            memory_mb=settings.TRANSCRIPT_PARSE_MEMORY_MB,
        )
    except OSError as exc:
        outcome.error = f"the stored file cannot be read ({exc.strerror or exc})"
        return outcome
    except TranscriptError as exc:
        outcome.error = exc.message
        return outcome
    if parsed.symbol != meeting.symbol:
        outcome.error = f"the file now reads as {parsed.symbol}, not {meeting.symbol}"
        return outcome
    outcome.parsed = parsed
    outcome.diff = compare(meeting, parsed, resolve_names(parsed, resolver or default_resolver()))
    return outcome


def apply(outcome: Reparse, *, user=None) -> ImportResult:
    """Replace the record with the new parse, through the one replace path."""
    return import_meeting(
        parsed=outcome.parsed,
        source=source_for(outcome.upload.content_type),
        upload=outcome.upload,
        user=user,
        replace=True,
        source_name=f"re-parse of {outcome.upload.original_name}",
    )


def queue_reparses(queryset, *, user) -> tuple[list[TranscriptUpload], int]:
    """Queue a re-parse of each imported upload with a kept file; returns (queued, skipped)."""
    from archive.upload_jobs import enqueue_parse

    queued, skipped = [], 0
    for upload in queryset.defer("parsed"):
        if upload.status != TranscriptUpload.Status.IMPORTED or not upload.file:
            skipped += 1
            continue
        with upload.file.open("rb") as handle:
            data = handle.read()
        copy = store_upload(
            data=data,
            original_name=upload.original_name,
            user=user,
            status=TranscriptUpload.Status.QUEUED,
        )
        copy.reparse_of = upload
        copy.save(update_fields=["reparse_of"])
        enqueue_parse(copy)
        queued.append(copy)
    return queued, skipped
