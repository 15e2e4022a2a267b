"""Uploaded transcripts from the request to the preview: kept, queued, read off the request.

    receive_upload(...)          the admin upload view: keep the file, queue a parse job
    parse_upload (a task)        a background worker (``manage.py db_worker``): read the file in
                                 the sandbox, keep the parse, or reject the file to quarantine
    load_parsed(upload)          the preview and the confirmation: exactly the parse kept

The queue is the backport of Django 6's task framework (``django_tasks``) with its database
backend (``django_tasks_db``): jobs are rows in PostgreSQL, so there is no other server to run.
Whatever the number of workers, at most ``TRANSCRIPT_PARSE_JOBS`` parses run at once: each job
holds one of that many PostgreSQL advisory locks while its sandboxed child reads the file, so
five decompression bombs uploaded together cannot take five times the memory limit.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import time
from collections.abc import Iterator

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone
from django_tasks import task

from archive.importing import store_upload
from archive.models import ImportRecord, TranscriptUpload
from archive.parsing import ParsedMeeting, TranscriptError
from archive.sandbox import ParseInterrupted, parse_in_subprocess
from archive.wording import format_size, plural

logger = logging.getLogger(__name__)

QUEUE = "transcripts"
# First half of the two-key advisory lock of a parse slot; the second half is the slot number.
PARSE_SLOT_LOCK = 0x5CA4C1
SLOT_POLL_SECONDS = 0.5
QUARANTINE_DIR = "quarantine"

Status = TranscriptUpload.Status


class NotReady(Exception):
    """The upload has no parse to show yet (queued, being read, or rejected)."""


# --------------------------------------------------------------------------- receiving


def receive_upload(*, uploaded, user) -> TranscriptUpload:
    """Keep one uploaded file and queue it for reading; an oversized file is refused at once."""
    name = uploaded.name
    limit = settings.TRANSCRIPT_MAX_BYTES
    if uploaded.size > limit:
        message = (
            f"The file is {format_size(uploaded.size)}; the limit is {format_size(limit)}. "
            "It was not kept."
        )
        upload = store_upload(
            data=None,
            original_name=name,
            user=user,
            size=uploaded.size,
            status=Status.FAILED,
            message=message,
        )
        _record_failure(upload, message, user=user)
        return upload
    upload = store_upload(
        data=uploaded.read(), original_name=name, user=user, status=Status.QUEUED, message=""
    )
    enqueue_parse(upload)
    upload.refresh_from_db()
    return upload


def enqueue_parse(upload: TranscriptUpload) -> None:
    """Queue (or queue again) the reading of an upload's stored file."""
    TranscriptUpload.objects.filter(pk=upload.pk).update(
        status=Status.QUEUED,
        queued_at=timezone.now(),
        parse_started_at=None,
        message="",
    )
    result = parse_upload.enqueue(upload.pk)
    # With the immediate backend (tests) the job has already run: keep what it wrote.
    TranscriptUpload.objects.filter(pk=upload.pk).update(task_id=str(result.id)[:64])


# --------------------------------------------------------------------------- the job


@task(queue_name=QUEUE)
def parse_upload(upload_id: int) -> str:
    """Read one queued upload (run by a worker); returns its new status."""
    return run_parse(upload_id)


def run_parse(upload_id: int) -> str:
    """Take a parse slot, read the file in the sandbox, and keep the parse or reject the file."""
    with parse_slot():
        claimed = TranscriptUpload.objects.filter(pk=upload_id, status=Status.QUEUED).update(
            status=Status.PARSING, parse_started_at=timezone.now()
        )
        if not claimed:
            return "skipped"  # discarded meanwhile, or read by another job
        upload = TranscriptUpload.objects.defer("parsed").get(pk=upload_id)
        try:
            parsed = _parse_file(upload)
        except ParseInterrupted:
            # The worker is stopping (make run was interrupted): not the file's fault.
            TranscriptUpload.objects.filter(pk=upload_id).update(
                status=Status.QUEUED, parse_started_at=None
            )
            job = parse_upload.enqueue(upload_id)
            TranscriptUpload.objects.filter(pk=upload_id).update(task_id=str(job.id)[:64])
            raise
        except TranscriptError as exc:
            reject(upload, exc.message)
            return Status.FAILED
        except Exception:
            logger.exception("reading upload %s failed", upload_id)
            reject(
                upload,
                "The file could not be read because of an error in the archive; nothing was "
                "imported. The error has been logged.",
            )
            return Status.FAILED
        keep_parse(upload, parsed)
        return Status.PARSED


def _parse_file(upload: TranscriptUpload) -> ParsedMeeting:
    if not upload.file:
        raise TranscriptError("The file was not kept.")
    with upload.file.open("rb") as handle:
        data = handle.read()
    return parse_in_subprocess(
        data,
        filename=upload.original_name,
        max_bytes=settings.TRANSCRIPT_MAX_BYTES,
        timeout_s=settings.TRANSCRIPT_PARSE_SECONDS,
        memory_mb=settings.TRANSCRIPT_PARSE_MEMORY_MB,
    )


@contextlib.contextmanager
def parse_slot() -> Iterator[int]:
    """Hold one of ``TRANSCRIPT_PARSE_JOBS`` advisory locks, waiting for a free one."""
    slots = max(1, int(settings.TRANSCRIPT_PARSE_JOBS))
    while True:
        with connection.cursor() as cursor:
            for slot in range(slots):
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [PARSE_SLOT_LOCK, slot])
                if cursor.fetchone()[0]:
                    break
            else:
                slot = None
        if slot is not None:
            break
        time.sleep(SLOT_POLL_SECONDS)
    try:
        yield slot
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [PARSE_SLOT_LOCK, slot])


def keep_parse(upload: TranscriptUpload, parsed: ParsedMeeting) -> None:
    """Keep the parse the preview will show and the confirmation will import."""
    speeches, votes = len(parsed.speeches), len(parsed.votes)
    errors = sum(1 for check in getattr(parsed, "checks", None) or [] if check.severity == "error")
    to_acknowledge = f"; {plural(errors, 'error check')} to acknowledge" if errors else ""
    TranscriptUpload.objects.filter(pk=upload.pk).update(
        status=Status.PARSED,
        parsed=pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL),
        parsed_at=timezone.now(),
        symbol=parsed.symbol[:60],
        printed_names=printed_names(parsed),
        message=(
            f"Read as {parsed.symbol}: {plural(speeches, 'speech', 'speeches')}, "
            f"{plural(votes, 'vote')}{to_acknowledge}; waiting for confirmation."
        ),
    )


def printed_names(parsed: ParsedMeeting) -> list[str]:
    """Every State or body name printed in the record (for the review queue's pending names)."""
    names = [parsed.president.country if parsed.president else None]
    names += [member.country for member in parsed.members]
    names += [speech.country for speech in parsed.speeches]
    for vote in parsed.votes:
        for attr in ("in_favour", "against", "abstaining", "not_participating"):
            names += getattr(vote, attr, None) or []
    return sorted({name.strip() for name in names if name and name.strip()})


def load_parsed(upload: TranscriptUpload) -> ParsedMeeting:
    """The parse kept for a read upload (raises ``NotReady`` before that)."""
    data = upload.parsed
    if upload.status not in (Status.PARSED, Status.IMPORTED) or not data:
        raise NotReady(upload.get_status_display())
    try:
        parsed = pickle.loads(bytes(data))
    except Exception as exc:  # noqa: BLE001  a parse kept by an older version of the parser
        raise NotReady(
            "The kept parse cannot be read by this version; read the file again."
        ) from exc
    if not isinstance(parsed, ParsedMeeting):
        raise NotReady("The kept parse is not a verbatim record.")
    return parsed


# --------------------------------------------------------------------------- rejection


def reject(upload: TranscriptUpload, message: str, *, user=None) -> None:
    """Mark an upload rejected, move its file to quarantine, and put the failure on record."""
    if upload.file:
        upload.file.name = _move_to_quarantine(upload.file.name)
    upload.status = Status.FAILED
    upload.message = message
    upload.parsed = None
    upload.quarantined_at = timezone.now() if upload.file else None
    upload.save(update_fields=["file", "status", "message", "parsed", "quarantined_at"])
    _record_failure(upload, message, user=user or upload.uploaded_by)


def _move_to_quarantine(name: str) -> str:
    from django.core.files.storage import default_storage

    if name.startswith(f"{QUARANTINE_DIR}/"):
        return name
    base = name.rsplit("/", 1)[-1]
    with default_storage.open(name, "rb") as handle:
        new_name = default_storage.save(f"{QUARANTINE_DIR}/{base}", ContentFile(handle.read()))
    default_storage.delete(name)
    return new_name


def _record_failure(upload: TranscriptUpload, message: str, *, user) -> None:
    ImportRecord.objects.create(
        action=ImportRecord.Action.FAILURE,
        user=user if user is not None and user.is_authenticated else None,
        upload=upload,
        source_name=upload.original_name[:255],
        symbol=upload.symbol,
        summary=message,
    )


# --------------------------------------------------------------------------- progress


def queue_position(upload: TranscriptUpload) -> int:
    """How many uploads wait ahead of this queued one (0 when it is next, or not queued)."""
    if upload.status != Status.QUEUED or upload.queued_at is None:
        return 0
    return TranscriptUpload.objects.filter(
        status=Status.QUEUED, queued_at__lt=upload.queued_at
    ).count()


def reading_for(upload: TranscriptUpload) -> int | None:
    """Seconds the file has been read for, while it is."""
    if upload.status != Status.PARSING or upload.parse_started_at is None:
        return None
    return max(0, int((timezone.now() - upload.parse_started_at).total_seconds()))


def parse_seconds(upload: TranscriptUpload) -> float | None:
    """From queued to read (the preview ready), in seconds, once it is."""
    if upload.queued_at and upload.parsed_at:
        return (upload.parsed_at - upload.queued_at).total_seconds()
    return None


def pending_uploads():
    """Uploads still waiting for a person: not imported, not rejected."""
    return TranscriptUpload.objects.filter(status__in=TranscriptUpload.PENDING)
