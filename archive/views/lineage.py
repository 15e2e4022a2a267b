"""A resolution's lineage: the resolutions of its subject linked to it by citations."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from archive.exports import Column
from archive.models import Resolution
from archive.research.citations import lineage
from archive.views.pages import absolute, export, export_format, iso


def lineage_columns(request: HttpRequest) -> list[Column]:
    """Columns of the lineage download."""
    url = absolute(request)
    return [
        Column("symbol", lambda e: e.resolution.symbol),
        Column("number", lambda e: e.resolution.number),
        Column("year", lambda e: e.resolution.year),
        Column("adopted_on", lambda e: iso(e.resolution.adopted_on)),
        Column("title", lambda e: e.resolution.title),
        Column(
            "cites_in_lineage",
            lambda e: "; ".join(r.label for r in e.cites),
            "Resolutions of the lineage this one cites",
        ),
        Column("cites_count", lambda e: len(e.cites)),
        Column(
            "cited_by_in_lineage",
            lambda e: "; ".join(r.label for r in e.cited_by),
            "Resolutions of the lineage citing this one",
        ),
        Column("cited_by_count", lambda e: len(e.cited_by)),
        Column("cited_by_all", lambda e: e.cited_by_all, "Resolutions citing it, any subject"),
        Column("url", lambda e: url(e.resolution.get_absolute_url())),
    ]


@require_safe
def resolution_lineage(request: HttpRequest, number: int, year: int) -> HttpResponse:
    """The resolutions of a resolution's subject linked to it by citations, by year."""
    resolution = get_object_or_404(
        Resolution.objects.select_related("agenda_item"), number=number, year=year
    )
    result = lineage(resolution)
    fmt = export_format(request)
    if fmt:
        return export(
            request, fmt, result.entries, lineage_columns(request), f"lineage-{number}-{year}"
        )
    return render(
        request,
        "archive/research/lineage.html",
        {"resolution": resolution, "lineage": result},
    )
