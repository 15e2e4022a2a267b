"""Housekeeping of uploaded files (``manage.py cleanup_uploads``, run by ``make run``).

- uploads read but neither imported nor discarded expire after ``PENDING_UPLOAD_HOURS``;
- a job lost with its worker (killed mid-read) is queued again;
- rejected files leave quarantine after ``QUARANTINE_DAYS`` (the upload's row and its failure
  record stay: what was refused, when and why);
- files under ``transcripts/`` or ``quarantine/`` that no upload points at (an import killed
  between writing the file and committing its row) are deleted once an hour old.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from archive.models import TranscriptUpload
from archive.upload_jobs import QUARANTINE_DIR, enqueue_parse, parse_upload
from archive.wording import plural

logger = logging.getLogger(__name__)

Status = TranscriptUpload.Status
UPLOAD_DIRS = ("transcripts", QUARANTINE_DIR)
ORPHAN_AGE = datetime.timedelta(hours=1)
LOST_JOB_MARGIN = datetime.timedelta(minutes=2)


@dataclass
class Cleanup:
    """What a cleanup did (or, with ``dry_run``, would do)."""

    expired: list[str] = field(default_factory=list)
    requeued: list[str] = field(default_factory=list)
    released: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"{plural(len(self.expired), 'pending upload')} expired",
            f"{plural(len(self.requeued), 'lost parse job')} queued again",
            f"{plural(len(self.released), 'rejected file')} deleted from quarantine",
            f"{plural(len(self.orphans), 'orphan file')} deleted",
        ]


def cleanup(*, dry_run: bool = False, now: datetime.datetime | None = None) -> Cleanup:
    """Run every housekeeping step; nothing is changed with ``dry_run``."""
    now = now or timezone.now()
    done = Cleanup()
    _expire_pending(done, now, dry_run)
    _requeue_lost(done, now, dry_run)
    _release_quarantine(done, now, dry_run)
    _delete_orphans(done, now, dry_run)
    return done


def _expire_pending(done: Cleanup, now, dry_run: bool) -> None:
    from archive.admin_imports.preview import discard_uploads

    limit = now - datetime.timedelta(hours=settings.PENDING_UPLOAD_HOURS)
    stale = TranscriptUpload.objects.filter(
        status__in=TranscriptUpload.PENDING, uploaded_at__lt=limit
    )
    done.expired = list(stale.values_list("original_name", flat=True))
    if not dry_run and done.expired:
        hours = f"{settings.PENDING_UPLOAD_HOURS:g}"
        discard_uploads(stale, reason=f"Expired: not imported within {hours} hours of upload.")


def _requeue_lost(done: Cleanup, now, dry_run: bool) -> None:
    stuck = now - datetime.timedelta(seconds=settings.TRANSCRIPT_PARSE_SECONDS) - LOST_JOB_MARGIN
    for upload in TranscriptUpload.objects.filter(status__in=[Status.QUEUED, Status.PARSING]).defer(
        "parsed"
    ):
        lost = (
            upload.parse_started_at is not None and upload.parse_started_at < stuck
            if upload.status == Status.PARSING
            else _job_gone(upload)
        )
        if lost:
            done.requeued.append(upload.original_name)
            if not dry_run:
                enqueue_parse(upload)


def _job_gone(upload: TranscriptUpload) -> bool:
    """Whether a queued upload's job has ended or vanished without reading it."""
    if not upload.task_id:
        return True
    try:
        result = parse_upload.get_result(upload.task_id)
    except Exception:  # noqa: BLE001  no such job, or a backend that keeps no results
        return True
    return str(result.status) in ("FAILED", "SUCCESSFUL")


def _release_quarantine(done: Cleanup, now, dry_run: bool) -> None:
    limit = now - datetime.timedelta(days=settings.QUARANTINE_DAYS)
    old = TranscriptUpload.objects.filter(status=Status.FAILED, quarantined_at__lt=limit).exclude(
        file=""
    )
    for upload in old.defer("parsed"):
        done.released.append(upload.original_name)
        if dry_run:
            continue
        upload.file.delete(save=False)
        upload.message = (
            f"{upload.message} (The file was deleted after {settings.QUARANTINE_DAYS:g} days "
            "in quarantine.)"
        ).strip()
        upload.save(update_fields=["file", "message"])


def _delete_orphans(done: Cleanup, now, dry_run: bool) -> None:
    root = Path(settings.MEDIA_ROOT)
    known = set(TranscriptUpload.objects.exclude(file="").values_list("file", flat=True))
    cutoff = (now - ORPHAN_AGE).timestamp()
    for folder in UPLOAD_DIRS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            if not path.is_file():
                continue
            name = path.relative_to(root).as_posix()
            if name in known or path.stat().st_mtime > cutoff:
                continue
            done.orphans.append(name)
            if not dry_run:
                default_storage.delete(name)
