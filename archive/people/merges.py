"""Staff's decisions on merge proposals: accept (merge two persons) or reject, and undo.

Both record a ``person_merge`` decision in the curation log in the transaction that applies
them, with what they replaced in ``before``; ``archive.curation.undo`` restores exactly that.

    from archive.people.merges import accept_merge, reject_merge
    accept_merge(proposal, user)       # the person with fewer statements joins the other
    reject_merge(proposal, user)       # recorded: never proposed again
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from archive.curation import CannotUndo, record_decision, undo_handler
from archive.models import Decision, Speaker, Speech
from archive.people.models import Person, PersonMergeProposal
from archive.people.persons import refresh_person

KIND = "person_merge"
Status = PersonMergeProposal.Status


class MergeError(Exception):
    """The proposal cannot be decided as asked; the message says why."""


def _lock(proposal: PersonMergeProposal) -> PersonMergeProposal:
    return PersonMergeProposal.objects.select_for_update().get(pk=proposal.pk)


def _person_state(person: Person) -> dict:
    return {
        "id": person.pk,
        "name": person.name,
        "folded_name": person.folded_name,
        "member_state_id": person.member_state_id,
        "affiliation_id": person.affiliation_id,
        "merged_into_id": person.merged_into_id,
    }


def _proposal_state(proposal: PersonMergeProposal) -> dict:
    return {
        "id": proposal.pk,
        "status": proposal.status,
        "decided_at": proposal.decided_at.isoformat() if proposal.decided_at else None,
        "decided_by_id": proposal.decided_by_id,
        "kept_id": proposal.kept_id,
        "decision_id": proposal.decision_id,
    }


def _pending(proposal: PersonMergeProposal) -> PersonMergeProposal:
    locked = _lock(proposal)
    if locked.status != Status.PENDING:
        raise MergeError(f"This proposal was already decided ({locked.get_status_display()}).")
    return locked


@transaction.atomic
def accept_merge(proposal: PersonMergeProposal, user, *, keep: Person | None = None) -> Person:
    """Merge the proposal's two persons into one; returns the person kept.

    The person with more statements is kept unless ``keep`` names one of the two. Every spelling
    of the other joins the kept person; the other stays as a row that points to the kept one.
    """
    proposal = _pending(proposal)
    persons = list(
        Person.objects.select_for_update().filter(
            pk__in=[proposal.person_a_id, proposal.person_b_id]
        )
    )
    if any(p.merged_into_id for p in persons):
        raise MergeError(
            "One of these persons was merged into another meanwhile: decide the proposal "
            "between the persons as they now stand."
        )
    kept, absorbed = _choose(persons, keep)
    before = {
        "action": "accept",
        "proposal": _proposal_state(proposal),
        "kept": _person_state(kept),
        "absorbed": _person_state(absorbed),
        "speakers": sorted(Speaker.objects.filter(person=absorbed).values_list("pk", flat=True)),
    }
    Speaker.objects.filter(pk__in=before["speakers"]).update(person=kept)
    absorbed.merged_into = kept
    absorbed.save(update_fields=["merged_into"])
    refresh_person(kept)
    summary = f"Merged “{absorbed.name}” into “{kept}”: one person, {len(before['speakers'])} spelling(s) moved"
    return _decide(proposal, user, Status.ACCEPTED, summary, before, kept=kept)


@transaction.atomic
def reject_merge(proposal: PersonMergeProposal, user) -> PersonMergeProposal:
    """Record that the proposal's two persons are different people (never proposed again)."""
    proposal = _pending(proposal)
    before = {"action": "reject", "proposal": _proposal_state(proposal)}
    summary = f"Kept “{proposal.person_a}” and “{proposal.person_b}” apart: different persons"
    _decide(proposal, user, Status.REJECTED, summary, before, kept=None)
    return proposal


def _choose(persons: list[Person], keep: Person | None) -> tuple[Person, Person]:
    if keep is not None:
        if keep.pk not in {p.pk for p in persons}:
            raise MergeError("The person to keep must be one of the proposal's two persons.")
        kept = next(p for p in persons if p.pk == keep.pk)
    else:
        counts = {p.pk: Speech.objects.filter(speaker__person=p).count() for p in persons}
        kept = max(persons, key=lambda p: (counts[p.pk], -p.pk))
    absorbed = next(p for p in persons if p.pk != kept.pk)
    return kept, absorbed


def _decide(proposal, user, status, summary, before, *, kept):
    proposal.status = status
    proposal.decided_at = timezone.now()
    proposal.decided_by = user if getattr(user, "is_authenticated", False) else None
    proposal.kept = kept
    decision = record_decision(
        kind=KIND,
        user=user,
        summary=summary,
        target=f"personmergeproposal:{proposal.pk}",
        before=before,
        after={"action": before["action"], "proposal": _proposal_state(proposal)},
    )
    proposal.decision = decision
    proposal.save(update_fields=["status", "decided_at", "decided_by", "kept", "decision"])
    return kept if kept is not None else proposal


@undo_handler(KIND)
def undo_person_merge(decision: Decision) -> None:
    """Restore what an accepted or rejected merge proposal replaced, exactly."""
    before = decision.before
    proposal = (
        PersonMergeProposal.objects.select_for_update().filter(pk=before["proposal"]["id"]).first()
    )
    if proposal is None or proposal.decision_id != decision.pk:
        raise CannotUndo("The proposal has been decided again or deleted since.")
    if before["action"] == "accept":
        _unmerge(before)
    state = before["proposal"]
    proposal.status = state["status"]
    proposal.decided_at = None
    proposal.decided_by_id = state["decided_by_id"]
    proposal.kept_id = state["kept_id"]
    proposal.decision_id = state["decision_id"]
    proposal.save(update_fields=["status", "decided_at", "decided_by", "kept", "decision"])


def _unmerge(before: dict) -> None:
    kept_state, absorbed_state = before["kept"], before["absorbed"]
    persons = {
        p.pk: p
        for p in Person.objects.select_for_update().filter(
            pk__in=[kept_state["id"], absorbed_state["id"]]
        )
    }
    kept, absorbed = persons.get(kept_state["id"]), persons.get(absorbed_state["id"])
    if kept is None or absorbed is None:
        raise CannotUndo("One of the two persons has been deleted since.")
    moved = Speaker.objects.filter(pk__in=before["speakers"])
    if absorbed.merged_into_id != kept.pk or moved.exclude(person=kept).exists():
        raise CannotUndo(
            "A later decision changed these persons (another merge): undo that one first."
        )
    if kept.merged_into_id is not None:
        raise CannotUndo(f"“{kept.name}” was merged into another person since: undo that first.")
    moved.update(person=absorbed)
    for person, state in ((kept, kept_state), (absorbed, absorbed_state)):
        person.name = state["name"]
        person.folded_name = state["folded_name"]
        person.member_state_id = state["member_state_id"]
        person.affiliation_id = state["affiliation_id"]
        person.merged_into_id = state["merged_into_id"]
        person.save(
            update_fields=["name", "folded_name", "member_state", "affiliation", "merged_into"]
        )
