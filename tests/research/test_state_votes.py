"""A State page's votes and affinity come from member votes kept per archive version: they
equal what the database says, and any change to the archive shows on the next page."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db.models import Count, F, Q

from archive.models import ArchiveState, MemberState, MemberVote, Vote
from archive.research import affinity
from archive.views.affinity import current_roll_calls
from archive.vote_facts import Ballots

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uncached_validators")]

STATES = ["USA", "DEU", "CHN", "FIN", "BRA"]


def counts_in_sql(state: MemberState) -> dict:
    """The counts as one aggregate over the State's member votes (the definition)."""
    P = MemberVote.Position
    listed = ~Q(vote__member_coverage__in=[Vote.Coverage.VETOES_ONLY, Vote.Coverage.NONE])
    counts = MemberVote.objects.filter(member_state=state).aggregate(
        in_favour=Count("id", filter=listed & Q(position=P.IN_FAVOUR)),
        against=Count("id", filter=listed & Q(position=P.AGAINST)),
        abstaining=Count("id", filter=listed & Q(position=P.ABSTAINING)),
        not_participating=Count("id", filter=listed & Q(position=P.NOT_PARTICIPATING)),
        vetoes=Count("id", filter=Q(is_veto=True)),
        listed=Count("id", filter=listed),
        total=Count("id"),
    )
    counts["vetoes_only"] = counts["total"] - counts["listed"]
    first = (
        Vote.objects.filter(member_coverage__in=[Vote.Coverage.FULL, Vote.Coverage.PARTIAL])
        .dated()
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    counts["per_member_from"] = first.year if first else None
    return counts


@pytest.mark.parametrize("iso3", STATES)
def test_counts_and_latest_votes_are_the_databases(reference_db, iso3):
    state = MemberState.objects.get(iso3=iso3)
    ballots = Ballots.read()
    assert ballots.counts(state.pk) == counts_in_sql(state)
    newest = MemberVote.objects.filter(member_state=state).order_by(
        F("vote__date").desc(nulls_last=True), "-vote_id"
    )
    assert ballots.latest(state.pk, 10) == list(newest.values_list("pk", flat=True)[:10])


def by_sql(state: MemberState, span: affinity.Span, calls: affinity.RollCalls) -> dict:
    """Each other member: (shared, same, left out) over ``span``, joined in SQL."""
    votes = calls.in_span(span)
    mine = MemberVote.objects.filter(member_state=state, vote_id__in=votes)
    position = {mv.vote_id: mv.position for mv in mine}
    totals: dict[int, list[int]] = {}
    others = MemberVote.objects.filter(vote_id__in=position).exclude(member_state=state)
    for mv in others:
        a, b = position[mv.vote_id], mv.position
        out = affinity.NOT_PARTICIPATING in (a, b)
        total = totals.setdefault(mv.member_state_id, [0, 0, 0])
        total[0] += not out
        total[1] += a == b and not out
        total[2] += out
    return {other: tuple(t) for other, t in totals.items()}


@pytest.mark.parametrize("iso3", STATES)
def test_state_affinity_counts_every_shared_vote(reference_db, iso3):
    state = MemberState.objects.get(iso3=iso3)
    calls = affinity.roll_calls()
    for term in affinity.state_affinity(state, list(state.council_terms.all()), calls=calls):
        found = {a.other(state.pk): (a.shared, a.same, a.left_out) for a in term.agreements}
        assert found == by_sql(state, term.span, calls)


def _figures(html: str) -> list[str]:
    section = html.split('id="affinity-title"')[1].split("</section>")[0]
    return re.findall(r"same vote on \d+ of \d+", section)


def _commit() -> None:
    """What a committed write does: the archive's version moves (a trigger, at commit)."""
    ArchiveState.objects.update(version=F("version") + 1)


def test_an_edited_vote_changes_the_state_page(client, reference_db):
    germany = MemberState.objects.get(iso3="DEU")
    using = MemberVote.objects.all().db
    kept = current_roll_calls(using)
    assert current_roll_calls(using) is kept  # kept while the archive does not change
    before = client.get("/states/deu/").content.decode()
    # Germany's votes of 2019-2020 become abstentions: its agreement and counts change.
    votes = [v for v, year in kept.years.items() if year in (2019, 2020)]
    changed = MemberVote.objects.filter(member_state=germany, vote_id__in=votes).update(
        position=MemberVote.Position.ABSTAINING
    )
    assert changed > 40
    _commit()
    assert current_roll_calls(using) is not kept
    after = client.get("/states/deu/").content.decode()
    assert _figures(after) != _figures(before)
    counts = counts_in_sql(germany)
    assert f"<strong>{counts['abstaining']:,}</strong> abstaining" in after
    assert f"<strong>{counts['abstaining']:,}</strong> abstaining" not in before
    term = next(
        t
        for t in affinity.state_affinity(germany, list(germany.council_terms.all()))
        if t.span.start == 2019
    )
    best = term.most_like(1)[0]
    assert f"same vote on {best.same} of {best.shared}" in after


def test_a_new_vote_shows_among_the_latest(client, reference_db):
    germany = MemberState.objects.get(iso3="DEU")
    client.get("/states/deu/")
    vote = Vote.objects.create(
        draft_symbol="S/2026/999",
        date=datetime.date(2026, 11, 1),
        member_coverage=Vote.Coverage.FULL,
        outcome=Vote.Outcome.NOT_ADOPTED,
    )
    MemberVote.objects.create(vote=vote, member_state=germany, position=MemberVote.Position.AGAINST)
    _commit()
    html = client.get("/states/deu/").content.decode()
    assert "S/2026/999" in html.split('id="votes-title"')[1].split("</section>")[0]
