"""Public pages of the archive (read-only)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from archive.models import (
    Affiliation,
    Meeting,
    MemberState,
    Resolution,
    Speaker,
    Speech,
)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The front page: what the archive holds."""
    counts = {
        "meetings": Meeting.objects.count(),
        "speeches": Speech.objects.count(),
        "resolutions": Resolution.objects.count(),
        "member_states": MemberState.objects.count(),
    }
    return render(request, "archive/home.html", {"counts": counts})


def _simple(request, obj):
    return render(request, "archive/object.html", {"object": obj})


@require_GET
def meeting_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A meeting's record."""
    meeting = next(
        (m for m in Meeting.objects.filter(symbol__startswith="S/") if m.slug == slug), None
    )
    if meeting is None:
        meeting = get_object_or_404(Meeting, pk=-1)
    return _simple(request, meeting)


@require_GET
def speech_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A speech's permalink."""
    return _simple(request, get_object_or_404(Speech, pk=pk))


@require_GET
def speaker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A speaker's page."""
    return _simple(request, get_object_or_404(Speaker, pk=pk))


@require_GET
def member_state_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A Member State's page."""
    return _simple(request, get_object_or_404(MemberState, iso3=slug.upper()))


@require_GET
def affiliation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An organization's page."""
    return _simple(request, get_object_or_404(Affiliation, slug=slug))


@require_GET
def resolution_detail(request: HttpRequest, number: int, year: int) -> HttpResponse:
    """A resolution's page."""
    return _simple(request, get_object_or_404(Resolution, number=number, year=year))
