"""The curation log: every choice a person makes about the archive's facts, and its undoing.

A decision (mapping a printed name to a State, merging a person's spellings, choosing between
two sources of a vote, acknowledging an import's failed checks, ...) is applied and recorded in
one transaction by the code that makes it, through ``record_decision``. Its ``before`` holds what
the decision replaced, so that ``undo`` can restore exactly that state through the handler
registered for its kind.

    @undo_handler("name_mapping")
    def _undo_name_mapping(decision: Decision) -> None:
        ...  # restore decision.before

    with transaction.atomic():
        ...  # apply the change
        record_decision(kind="name_mapping", user=request.user, summary="...",
                        target="namealias:abc", before={...}, after={...})
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from archive.models import Decision

UndoHandler = Callable[[Decision], None]
_UNDO_HANDLERS: dict[str, UndoHandler] = {}


class CannotUndo(Exception):
    """The decision cannot be undone (already undone, superseded, or no handler for its kind)."""


def undo_handler(kind: str) -> Callable[[UndoHandler], UndoHandler]:
    """Register the function that restores ``decision.before`` for decisions of ``kind``."""

    def register(function: UndoHandler) -> UndoHandler:
        if kind in _UNDO_HANDLERS and _UNDO_HANDLERS[kind] is not function:
            raise ValueError(f"an undo handler for {kind!r} is already registered")
        _UNDO_HANDLERS[kind] = function
        return function

    return register


def record_decision(
    *,
    kind: str,
    user,
    summary: str,
    target: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> Decision:
    """Record a decision that the caller has applied in the same transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_decision must run inside the transaction that applies it")
    return Decision.objects.create(
        kind=kind,
        user=user if getattr(user, "is_authenticated", False) else None,
        summary=summary,
        target=target,
        before=before or {},
        after=after or {},
    )


def can_undo(decision: Decision) -> bool:
    """Whether ``undo`` would accept this decision."""
    return not decision.is_undone and decision.kind in _UNDO_HANDLERS


@transaction.atomic
def undo(decision: Decision, *, user) -> Decision:
    """Restore what ``decision`` replaced and mark it undone; atomic, refuses a second undo."""
    locked = Decision.objects.select_for_update().get(pk=decision.pk)
    if locked.is_undone:
        raise CannotUndo("This decision has already been undone.")
    handler = _UNDO_HANDLERS.get(locked.kind)
    if handler is None:
        raise CannotUndo(f"Decisions of the kind “{locked.kind}” cannot be undone.")
    handler(locked)
    locked.undone_at = timezone.now()
    locked.undone_by = user if getattr(user, "is_authenticated", False) else None
    locked.save(update_fields=["undone_at", "undone_by"])
    return locked
