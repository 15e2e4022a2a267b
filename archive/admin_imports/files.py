"""Download of a stored upload, for staff with the permission: never a public media address.

Uploaded files (kept ones under ``MEDIA_ROOT/transcripts/``, rejected ones under
``MEDIA_ROOT/quarantine/``) are not served by any URL of their own. This view sends one as an
attachment, typed as a PDF or as bytes (never as HTML a browser would render), to staff holding
``archive.download_transcript``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from archive.admin_imports.uploads import DOWNLOAD_PERMISSION
from archive.models import TranscriptUpload


def download_view(model_admin, request: HttpRequest, pk: int) -> HttpResponse:
    """The stored file of one upload, as an attachment under its original name."""
    if not request.user.has_perm(DOWNLOAD_PERMISSION):
        raise PermissionDenied("You do not have permission to download uploaded files.")
    upload = get_object_or_404(TranscriptUpload.objects.defer("parsed"), pk=pk)
    if not upload.file:
        raise Http404("This upload's file is no longer kept.")
    try:
        handle = upload.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("This upload's file is missing from storage.") from exc
    content_type = (
        "application/pdf"
        if upload.content_type == "application/pdf"
        else "application/octet-stream"
    )
    response = FileResponse(
        handle, as_attachment=True, filename=upload.original_name, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
