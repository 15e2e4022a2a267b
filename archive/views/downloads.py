"""The bulk downloads page: every statement, and each year's, as prebuilt files.

The files themselves are static files (``archive.bulk_serve`` or the web server): this page
only reads the manifest of the current build and links them.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from archive import bulk


@require_safe
def downloads(request: HttpRequest) -> HttpResponse:
    """Links to the current bulk files with their rows, sizes and checksums."""
    manifest = bulk.current_manifest()
    files, years = [], []
    if manifest:
        base = f"{settings.BULK_DOWNLOADS_URL}v{manifest['archive_version']}/"
        for entry in manifest["files"]:
            entry = {**entry, "url": base + entry["name"]}
            (files if entry["year"] is None else years).append(entry)
        manifest_url = base + "manifest.json"
    else:
        manifest_url = None
    # One row per year with its CSV and JSON lines files side by side, newest year first.
    by_year: dict = {}
    for entry in years:
        by_year.setdefault(entry["year"], {})[entry["format"]] = entry
    year_rows = sorted(by_year.items(), key=lambda item: str(item[0]), reverse=True)
    response = render(
        request,
        "archive/downloads.html",
        {
            "manifest": manifest,
            "manifest_url": manifest_url,
            "files": files,
            "year_rows": year_rows,
            "row_cap": settings.EXPORT_MAX_ROWS,
            "max_streams": settings.EXPORT_MAX_STREAMS,
        },
    )
    # A build finishes after the archive changed: the archive's ETag cannot say when, so
    # caches keep this page briefly instead.
    patch_cache_control(response, public=True, max_age=60)
    return response


downloads.changes_without_archive_version = True
