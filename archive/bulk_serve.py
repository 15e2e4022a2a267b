"""Serve the bulk download files as static files, from gunicorn when no web server does.

WhiteNoise serves them (``wsgi.file_wrapper``: the kernel's sendfile, no Python per chunk),
with far-future caching, since a build's folder is named by the archive version and never
changes. WhiteNoise indexes files once at start-up; builds appear while the server runs, so
this middleware re-indexes the bulk folder whenever ``current.json`` changes (one ``stat`` per
request for a bulk file, nothing for any other request).

In production the web server can serve ``BULK_DOWNLOADS_ROOT`` at ``BULK_DOWNLOADS_URL``
itself (docs/deployment.md); requests then never reach this middleware.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from whitenoise.base import WhiteNoise
from whitenoise.middleware import WhiteNoiseMiddleware

from archive import bulk


class BulkFilesMiddleware:
    """Answer ``BULK_DOWNLOADS_URL`` requests with the current build's files."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = settings.BULK_DOWNLOADS_URL
        self._stamp: int | None = None
        self._files: dict = {}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(self.prefix):
            static_file = self.files().get(request.path_info)
            if static_file is not None:
                response = WhiteNoiseMiddleware.serve(static_file, request)
                if request.path_info.endswith(".gz"):
                    response["Content-Disposition"] = "attachment"
                return response
        return self.get_response(request)

    def files(self) -> dict:
        """WhiteNoise's index of the bulk folder, rebuilt when a new build is in place."""
        try:
            stamp = bulk.current_pointer().stat().st_mtime_ns
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            server = WhiteNoise(
                None,
                max_age=WhiteNoise.FOREVER,
                # Builds are never rewritten in place: v<version>/ is immutable.
                immutable_file_test=lambda path, url: "/manifest.json" not in url,
                mimetypes={".gz": "application/gzip"},
            )
            root = bulk.bulk_root()
            if root.is_dir():
                server.add_files(str(root), prefix=self.prefix)
            # The pointer and unfinished builds are not downloads.
            self._files = {
                url: f
                for url, f in server.files.items()
                if not url.rsplit("/", 1)[-1].startswith(".") and not url.endswith("current.json")
            }
            self._stamp = stamp
        return self._files
