"""A vote's own page: its result, what the archive's sources hold and do not hold about it, and
each source's claim (the vote list and the State pages link here for drafts that failed)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from archive.models import Vote
from archive.vote_facts import VoteFacts


@require_safe
def vote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A vote and its sources; an adopting vote lives on its resolution's page."""
    vote = (
        Vote.objects.select_related("resolution", "meeting", "meeting__agenda_item")
        .filter(pk=pk)
        .first()
    )
    if vote is None:
        raise Http404(f"The archive has no vote number {pk}.")
    if vote.resolution_id:
        return redirect(vote.resolution.get_absolute_url() + "#vote", permanent=True)
    return render(request, "archive/vote_detail.html", {"vote": vote, "facts": VoteFacts(vote)})
