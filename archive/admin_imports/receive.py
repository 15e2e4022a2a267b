"""The upload page and the progress page: files are kept and queued; a worker reads them."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from archive.admin_imports.uploads import require_importer
from archive.forms import TranscriptUploadForm
from archive.models import TranscriptUpload
from archive.upload_jobs import (
    parse_seconds,
    queue_position,
    reading_for,
    receive_upload,
)
from archive.wording import format_size

Status = TranscriptUpload.Status
MAX_SHOWN = 50  # uploads followed on one progress page


def upload_view(model_admin, request: HttpRequest) -> HttpResponse:
    """Take one or more files and queue them; one file goes to its preview (which shows its
    progress, then what was read), several to the progress page."""
    require_importer(request)
    if request.method == "POST":
        form = TranscriptUploadForm(request.POST, request.FILES)
        if form.is_valid():
            uploads = [
                receive_upload(uploaded=f, user=request.user) for f in form.cleaned_data["files"]
            ]
            for upload in uploads:
                if upload.status == Status.FAILED:
                    messages.error(request, f"{upload.original_name}: {upload.message}")
            if len(uploads) == 1:
                return HttpResponseRedirect(
                    reverse("admin:archive_transcriptupload_preview", args=[uploads[0].pk])
                )
            return HttpResponseRedirect(progress_url(uploads))
    else:
        form = TranscriptUploadForm()
    return TemplateResponse(
        request,
        "admin/archive/transcriptupload/upload.html",
        model_admin.context(
            request,
            "Upload transcripts",
            form=form,
            max_size=format_size(settings.TRANSCRIPT_MAX_BYTES),
            pending=TranscriptUpload.objects.filter(status__in=TranscriptUpload.PENDING)
            .defer("parsed")
            .select_related("uploaded_by")[:MAX_SHOWN],
        ),
    )


def progress_url(uploads) -> str:
    """The progress page following these uploads."""
    ids = ",".join(str(u.pk) for u in uploads)
    return f"{reverse('admin:archive_transcriptupload_progress')}?ids={ids}"


def progress_rows(uploads) -> list[dict]:
    """Each upload with where it stands, in words."""
    return [{"upload": u, "state": describe(u)} for u in uploads]


def describe(upload: TranscriptUpload) -> str:
    """Where an upload stands: "2 files ahead", "reading for 12 s", "read in 3.4 s", ..."""
    if upload.status == Status.QUEUED:
        ahead = queue_position(upload)
        if ahead:
            return f"Waiting: {ahead} file{'s' if ahead != 1 else ''} ahead."
        return "Waiting for a free reader."
    if upload.status == Status.PARSING:
        limit = int(settings.TRANSCRIPT_PARSE_SECONDS)
        return f"Being read for {reading_for(upload)} s (stopped after {limit} s at most)."
    if upload.status in (Status.PARSED, Status.IMPORTED):
        seconds = parse_seconds(upload)
        done = f"Read in {seconds:.1f} s. " if seconds is not None else ""
        return done + upload.message
    return upload.message


def progress_view(model_admin, request: HttpRequest) -> HttpResponse:
    """The uploads just sent, refreshed every two seconds until each is read or rejected."""
    require_importer(request)
    ids = [int(part) for part in request.GET.get("ids", "").split(",") if part.isdigit()]
    uploads = list(
        TranscriptUpload.objects.filter(pk__in=ids[:MAX_SHOWN]).defer("parsed").order_by("pk")
    )
    waiting = any(u.status in (Status.QUEUED, Status.PARSING, Status.UPLOADED) for u in uploads)
    return TemplateResponse(
        request,
        "admin/archive/transcriptupload/progress.html",
        model_admin.context(
            request,
            "Reading uploads",
            rows=progress_rows(uploads),
            waiting=waiting,
        ),
    )
