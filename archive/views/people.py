"""Persons: every statement one person made, under every spelling the records print."""

from __future__ import annotations

from django.db.models import Count, Max, Min, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from archive.filters import StatementFilterSet
from archive.models import Person, PersonMergeProposal, Speaker, Speech
from archive.people.persons import spellings_by_person
from archive.views.pages import (
    export,
    export_format,
    filtered,
    paginate,
    statement_columns,
    statements,
)


@require_safe
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's page: their spellings, the bodies they spoke for, and all their statements."""
    person = get_object_or_404(
        Person.objects.select_related("member_state", "affiliation", "merged_into"), pk=pk
    )
    if person.merged_into_id is not None:
        # Not permanent: staff may undo the merge.
        return redirect(person.live())
    base = Speech.objects.filter(speaker__person=person)
    filterset = filtered(StatementFilterSet, request, statements(base))
    fmt = export_format(request)
    if fmt:
        return export(
            request, fmt, filterset.qs, statement_columns(request), f"person-{person.pk}-statements"
        )
    return render(
        request,
        "archive/person_detail.html",
        {
            "person": person,
            "spellings": spellings_by_person([person.pk]).get(person.pk, []),
            "bodies": _bodies(base),
            "span": base.aggregate(
                first=Min("meeting__date"), last=Max("meeting__date"), total=Count("id")
            ),
            "under_review": _under_review(person),
            "filter": filterset,
            "page": paginate(request, filterset.qs),
        },
    )


def _bodies(statements_qs) -> list[dict]:
    """The States and bodies the person spoke for, with how many statements each."""
    rows = (
        statements_qs.values("member_state__name", "member_state__iso3", "affiliation__name")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    return [
        {
            "name": r["member_state__name"] or r["affiliation__name"] or "no State or body named",
            "iso3": r["member_state__iso3"],
            "n": r["n"],
        }
        for r in rows
    ]


def _under_review(person: Person) -> list[dict]:
    """Other persons staff are asked to compare with this one (pending proposals)."""
    proposals = PersonMergeProposal.objects.needs_review().filter(
        Q(person_a=person) | Q(person_b=person)
    )
    return [
        {"other": p.person_b if p.person_a_id == person.pk else p.person_a, "proposal": p}
        for p in proposals
    ]


@require_safe
def speaker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A printed spelling's old address: its person's page (every spelling of that person)."""
    speaker = get_object_or_404(
        Speaker.objects.select_related("member_state", "affiliation", "person"), pk=pk
    )
    if speaker.person_id is not None:
        query = request.GET.urlencode()
        target = speaker.person.live().get_absolute_url()
        return redirect(f"{target}?{query}" if query else target)
    # A spelling not yet given its person (an import in progress): its own statements.
    base = Speech.objects.filter(speaker=speaker)
    filterset = filtered(StatementFilterSet, request, statements(base))
    fmt = export_format(request)
    if fmt:
        return export(
            request,
            fmt,
            filterset.qs,
            statement_columns(request),
            f"speaker-{speaker.pk}-statements",
        )
    span = base.aggregate(first=Min("meeting__date"), last=Max("meeting__date"), total=Count("id"))
    return render(
        request,
        "archive/speaker_detail.html",
        {
            "speaker": speaker,
            "filter": filterset,
            "page": paginate(request, filterset.qs),
            "span": span,
        },
    )
