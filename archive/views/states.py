"""State pages: the list of Member States, a State's page, its statements and its votes."""

from __future__ import annotations

import datetime

from django.db.models import F, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from archive import page_rows
from archive.coverage import holdings_text
from archive.exports import Column
from archive.filters import MemberStateFilterSet, MemberVoteFilterSet
from archive.models import CouncilTerm, MemberState, MemberVote, Speech
from archive.views.affinity import current_roll_calls, state_affinity_context
from archive.views.facts import seat_texts, state_statements
from archive.views.pages import (
    absolute,
    canonical_redirect,
    export,
    export_format,
    filtered,
    iso,
    paginate,
    statement_count,
    statement_list_page,
    statements,
)
from archive.vote_facts import Ballots


def council_status(terms: list[CouncilTerm], year: int) -> dict:
    """What a State's terms say: permanent member, on the Council this year, the spans."""
    return {
        "permanent": any(t.seat == CouncilTerm.Seat.PERMANENT for t in terms),
        "current": any(t.start_year <= year <= t.end_year for t in terms),
        "elected_terms": [t for t in terms if t.seat == CouncilTerm.Seat.ELECTED],
    }


@require_safe
def member_state_list(request: HttpRequest) -> HttpResponse:
    """Member States with their Council membership; current members and permanent seats shown."""
    year = datetime.date.today().year
    queryset = (
        MemberState.objects.prefetch_related(
            Prefetch("council_terms", queryset=CouncilTerm.objects.order_by("start_year"))
        )
        .annotate(statement_count=statement_count("member_state"))
        .order_by("name")
    )
    filterset = filtered(MemberStateFilterSet, request, queryset)
    fmt = export_format(request)
    if fmt:
        url = absolute(request)

        def terms(state):
            return "; ".join(
                f"{t.seat} {t.start_year}–{t.end_year}" for t in state.council_terms.all()
            )

        columns = [
            Column("iso3", lambda s: s.iso3),
            Column("name", lambda s: s.name),
            Column("region", lambda s: s.region),
            Column("admission_date", lambda s: iso(s.admission_date)),
            Column("membership_ended", lambda s: iso(s.membership_ended)),
            Column("council_terms", terms),
            Column("statements", lambda s: s.statement_count),
            Column("url", lambda s: url(s.get_absolute_url())),
        ]
        return export(request, fmt, filterset.qs, columns, "states")
    states = list(filterset.qs)
    for state in states:
        state.council = council_status(list(state.council_terms.all()), year)
    current = [s for s in states if s.council["current"]]
    return render(
        request,
        "archive/member_state_list.html",
        {"filter": filterset, "states": states, "current": current, "year": year},
    )


def state_or_404(slug: str) -> MemberState:
    """The State with this lower-case ISO3 code, its terms prefetched."""
    state = None
    if len(slug) == 3 and slug.isalpha():
        state = (
            MemberState.objects.select_related("successor")
            .prefetch_related(
                Prefetch("council_terms", queryset=CouncilTerm.objects.order_by("start_year"))
            )
            .filter(iso3=slug.upper())
            .first()
        )
    if state is None:
        raise Http404(f"The archive has no Member State with the code “{slug[:10]}”.")
    return state


def latest_votes(state: MemberState, ballots: Ballots, count: int) -> list[MemberVote]:
    """A State's ``count`` latest votes, newest first, with decision and meeting (one query)."""
    return page_rows.fetch(
        ballots.latest(state.pk, count),
        related=("vote", "vote__meeting", "vote__resolution"),
        using=MemberVote.objects.all().db,
        model=MemberVote,
    )


def member_vote_rows(queryset: QuerySet) -> QuerySet:
    """A State's votes with the decision, resolution and meeting joined."""
    return queryset.select_related("vote__resolution", "vote__meeting").order_by(
        F("vote__date").desc(nulls_last=True), "-vote__id"
    )


@require_safe
def member_state_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A State's page: Council terms, statements per year, votes, latest statements."""
    state = state_or_404(slug)
    if slug != state.slug:
        return canonical_redirect(request, state)
    terms = list(state.council_terms.all())
    calls = current_roll_calls(MemberVote.objects.all().db)
    spoken = state_statements(state)
    statements_url = reverse("archive:member_state_statements", args=[state.slug])
    latest_statements = page_rows.latest(
        statements(Speech.objects.filter(member_state=state)).reverse(), 10
    )
    return render(
        request,
        "archive/member_state_detail.html",
        {
            **state_affinity_context(state, terms, calls=calls),
            "state": state,
            "terms": terms,
            "seats": seat_texts(state, terms),
            "holdings": holdings_text(),
            "council": council_status(terms, datetime.date.today().year),
            "per_year": spoken.per_year,
            # The table under the chart, its numbers as text: ~80 rows, two links each.
            "year_rows": [
                (str(year), f"{statements_url}?year={year}", str(n)) for year, n in spoken.per_year
            ],
            "statement_total": spoken.total,
            # In favour, against, ... over the votes whose members' votes are held (from 1994),
            # vetoes over every year.
            "vote_counts": calls.ballots.counts(state.pk),
            "latest_votes": latest_votes(state, calls.ballots, 10),
            "latest_statements": latest_statements,
            "representatives": spoken.representatives,
            "statements_url": statements_url,
        },
    )


@require_safe
def member_state_statements(request: HttpRequest, slug: str) -> HttpResponse:
    """A State's statements, filterable by words, year, dates and topic; CSV, JSON, Atom."""
    state = state_or_404(slug)
    if slug != state.slug:
        return canonical_redirect(request, "archive:member_state_statements", state.slug)
    return statement_list_page(
        request,
        Speech.objects.filter(member_state=state),
        owner=state,
        owner_kind="state",
        filename=f"{state.slug}-statements",
        feed_url=reverse("archive:member_state_statements_feed", args=[state.slug]),
    )


@require_safe
def member_state_votes(request: HttpRequest, slug: str) -> HttpResponse:
    """Every vote a State cast on the Council, with the decision it was cast on."""
    state = state_or_404(slug)
    if slug != state.slug:
        return canonical_redirect(request, "archive:member_state_votes", state.slug)
    base = MemberVote.objects.filter(member_state=state)
    filterset = filtered(MemberVoteFilterSet, request, member_vote_rows(base))
    fmt = export_format(request)
    if fmt:
        url = absolute(request)
        columns = [
            Column("date", lambda mv: iso(mv.vote.date)),
            Column("meeting", lambda mv: mv.vote.meeting.symbol if mv.vote.meeting_id else ""),
            Column("draft_symbol", lambda mv: mv.vote.draft_symbol),
            Column(
                "resolution", lambda mv: mv.vote.resolution.symbol if mv.vote.resolution_id else ""
            ),
            Column("subject", lambda mv: mv.vote.subject),
            Column("outcome", lambda mv: mv.vote.outcome),
            Column("position", lambda mv: mv.position),
            Column("veto", lambda mv: mv.is_veto),
            Column("tally", lambda mv: mv.vote.tally),
            Column("members_held", lambda mv: mv.vote.member_coverage),
            Column("warnings", lambda mv: "; ".join(mv.vote.flags)),
            Column("url", lambda mv: url(mv.vote.get_absolute_url())),
        ]
        return export(request, fmt, filterset.qs, columns, f"{state.slug}-votes")
    page = paginate(request, filterset.qs)
    return render(
        request,
        "archive/member_state_votes.html",
        {
            "state": state,
            "filter": filterset,
            "page": page,
            "counts": current_roll_calls(base.db).ballots.counts(state.pk),
        },
    )
