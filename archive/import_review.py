"""Closing the review of a record imported with acknowledged error checks.

A record imported despite errors in its parse checks (``ImportRecord.needs_review``) waits in the
review queue until either

* a person marks it reviewed (``mark_reviewed``: a curation decision of kind ``import_review``,
  undoable, which reopens the review exactly as it was), or
* a later import of the same meeting replaces what it wrote (``close_superseded``, called by the
  import service in its transaction): the note says which import closed it.

A closed review keeps who closed it, when and how (``reviewed_at``, ``reviewed_by``,
``review_note``); ``needs_review`` is then false (a database constraint keeps the two apart).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from archive import curation
from archive.models import Decision, ImportRecord

DECISION_KIND = "import_review"
PERMISSION = "archive.import_transcript"


class ReviewRefused(Exception):
    """The review cannot be closed as asked; the message says why."""


def _state(record: ImportRecord) -> dict:
    return {
        "record": record.pk,
        "needs_review": record.needs_review,
        "reviewed_at": record.reviewed_at.isoformat() if record.reviewed_at else None,
        "reviewed_by": record.reviewed_by_id,
        "review_note": record.review_note,
    }


def mark_reviewed(*, record: ImportRecord, user, note: str = "") -> Decision:
    """A person has checked the record's facts: close its review, recorded and undoable."""
    with transaction.atomic():
        record = ImportRecord.objects.select_for_update().get(pk=record.pk)
        if not record.needs_review:
            raise ReviewRefused("This import is not awaiting review (already closed).")
        before = _state(record)
        note = " ".join((note or "").split())[:400]
        record.needs_review = False
        record.reviewed_at = timezone.now()
        record.reviewed_by = user if getattr(user, "is_authenticated", False) else None
        record.review_note = f"Marked reviewed: {note}" if note else "Marked reviewed"
        record.save(update_fields=["needs_review", "reviewed_at", "reviewed_by", "review_note"])
        errors = len(record.error_checks)
        return curation.record_decision(
            kind=DECISION_KIND,
            user=user,
            summary=(
                f"Marked the import of {record.symbol or record.source_name} reviewed "
                f"({errors} error check{'s' if errors != 1 else ''})"
                + (f": {note}" if note else "")
            ),
            target=f"importrecord:{record.pk}",
            before=before,
            after=_state(record),
        )


def close_superseded(record: ImportRecord) -> int:
    """Close the open reviews of earlier imports of ``record``'s meeting: it replaced what they
    wrote. Returns how many were closed."""
    if record.meeting_id is None:
        return 0
    earlier = (
        ImportRecord.objects.filter(needs_review=True)
        .filter(Q(meeting_id=record.meeting_id) | Q(symbol=record.symbol))
        .exclude(pk=record.pk)
        .filter(at__lte=record.at)
    )
    when = record.at.strftime("%Y-%m-%d %H:%M")
    return earlier.update(
        needs_review=False,
        reviewed_at=timezone.now(),
        reviewed_by=record.user,
        review_note=f"Closed by a later import of {record.symbol} ({when}), which replaced it",
    )


@curation.undo_handler(DECISION_KIND)
def _undo_review(decision: Decision) -> None:
    """Reopen the review exactly as it was (refused if it was closed or reopened since)."""
    before, after = decision.before, decision.after
    record = ImportRecord.objects.select_for_update().filter(pk=before["record"]).first()
    if record is None:
        raise curation.CannotUndo("This import record is no longer in the archive.")
    if _state(record) != after:
        raise curation.CannotUndo(
            "This import's review has changed since (closed by a later import, or edited): "
            "it can no longer be reopened as it was."
        )
    ImportRecord.objects.filter(pk=record.pk).update(
        needs_review=before["needs_review"],
        reviewed_at=before["reviewed_at"],
        reviewed_by_id=before["reviewed_by"],
        review_note=before["review_note"],
    )
