"""Migration 0017_integrate_vote_names_in_claims moves the vote-list names kept as printed
(PrintedVoteName) into the sources' claims and the votes, and back again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("archive", "0015_research_year_counts")]
AFTER = [("archive", "0017_integrate_vote_names_in_claims")]


def _migrate(targets) -> object:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def test_vote_list_names_move_into_the_claims_and_back():
    apps = _migrate(BEFORE)
    Vote = apps.get_model("archive", "Vote")
    VoteClaim = apps.get_model("archive", "VoteClaim")
    PrintedVoteName = apps.get_model("archive", "PrintedVoteName")
    vote = Vote.objects.create(outcome="adopted", draft_symbol="S/2020/1")
    record = VoteClaim.objects.create(
        vote=vote, source="record", key="S/PV.1 vote 1", detail="S/PV.1", unmatched=["Belgium"]
    )
    table = VoteClaim.objects.create(
        vote=vote, source="votes_file", key="event 1", detail="votes.csv:2", unmatched=["Narnia"]
    )
    PrintedVoteName.objects.create(vote=vote, position="abstaining", name="Belgium", list_order=3)

    apps = _migrate(AFTER)
    VoteClaim = apps.get_model("archive", "VoteClaim")
    Vote = apps.get_model("archive", "Vote")
    assert VoteClaim.objects.get(pk=record.pk).unmatched == [
        {"name": "Belgium", "position": "abstaining"}
    ]
    # The votes file's position was not kept before: the name stays, its list unknown.
    assert VoteClaim.objects.get(pk=table.pk).unmatched == [{"name": "Narnia", "position": ""}]
    assert Vote.objects.get(pk=vote.pk).members_as_printed == [
        {"name": "Belgium", "position": "abstaining"}
    ]

    apps = _migrate(BEFORE)
    VoteClaim = apps.get_model("archive", "VoteClaim")
    PrintedVoteName = apps.get_model("archive", "PrintedVoteName")
    assert VoteClaim.objects.get(pk=record.pk).unmatched == ["Belgium"]
    assert VoteClaim.objects.get(pk=table.pk).unmatched == ["Narnia"]
    assert list(PrintedVoteName.objects.values_list("vote_id", "name", "position")) == [
        (vote.pk, "Belgium", "abstaining")
    ]
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
