"""The curation log: decisions are recorded with what they replaced, and undone exactly once."""

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from archive import curation
from archive.models import Decision, MemberState

pytestmark = pytest.mark.django_db


@curation.undo_handler("test_rename_state")
def _undo_rename(decision: Decision) -> None:
    MemberState.objects.filter(pk=decision.before["pk"]).update(name=decision.before["name"])


def _rename(state: MemberState, name: str, user) -> Decision:
    with transaction.atomic():
        before = {"pk": state.pk, "name": state.name}
        MemberState.objects.filter(pk=state.pk).update(name=name)
        return curation.record_decision(
            kind="test_rename_state",
            user=user,
            summary=f"Renamed {before['name']} to {name}",
            target=f"memberstate:{state.pk}",
            before=before,
            after={"pk": state.pk, "name": name},
        )


@pytest.fixture
def state():
    return MemberState.objects.create(name="Freedonia", iso3="FRD", iso2="FD")


def test_a_decision_records_who_and_what_and_undo_restores_it(state):
    user = User.objects.create_user("curator")
    decision = _rename(state, "Sylvania", user)
    assert decision.user == user and decision.before["name"] == "Freedonia"
    assert curation.can_undo(decision)

    curation.undo(decision, user=user)
    state.refresh_from_db()
    decision.refresh_from_db()
    assert state.name == "Freedonia"
    assert decision.is_undone and decision.undone_by == user
    assert not curation.can_undo(decision)
    with pytest.raises(curation.CannotUndo):
        curation.undo(decision, user=user)


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        curation.record_decision(kind="test_rename_state", user=None, summary="x")


def test_a_kind_without_handler_cannot_be_undone(state):
    with transaction.atomic():
        decision = curation.record_decision(kind="no_such_kind", user=None, summary="x")
    assert not curation.can_undo(decision)
    with pytest.raises(curation.CannotUndo):
        curation.undo(decision, user=None)
