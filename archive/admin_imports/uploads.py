"""The transcript uploads in the admin: the list, its actions, and the pages' URLs."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from archive.models import TranscriptUpload
from archive.upload_jobs import parse_seconds
from archive.wording import format_size, plural

IMPORT_PERMISSION = "archive.import_transcript"
DOWNLOAD_PERMISSION = "archive.download_transcript"


def require_importer(request: HttpRequest) -> None:
    """Refuse (403) a user without the import permission."""
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied("You do not have permission to import transcripts.")


@admin.register(TranscriptUpload)
class TranscriptUploadAdmin(admin.ModelAdmin):
    """The uploaded files, with the pages that turn them into meetings."""

    list_display = (
        "original_name",
        "symbol",
        "status",
        "size_display",
        "uploaded_by",
        "uploaded_at",
    )
    list_filter = ("status",)
    search_fields = ("original_name", "symbol", "sha256")
    list_select_related = ("uploaded_by",)
    readonly_fields = (
        "file_link",
        "original_name",
        "sha256",
        "size_display",
        "content_type",
        "uploaded_by",
        "uploaded_at",
        "status",
        "symbol",
        "message",
        "timing",
        "reparse_of",
        "preview_link",
    )
    fields = readonly_fields
    actions = ["discard_selected", "reparse_selected"]

    def get_queryset(self, request):
        # The kept parse is large; only the preview reads it.
        return super().get_queryset(request).defer("parsed")

    def has_add_permission(self, request):
        # Files come in through the upload page, which checks and queues them.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Uploads are discarded (pending ones) or kept (imported: part of the record).
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm(IMPORT_PERMISSION):
            return {}
        return actions

    @admin.display(description="Size", ordering="size")
    def size_display(self, obj: TranscriptUpload) -> str:
        return format_size(obj.size)

    @admin.display(description="File")
    def file_link(self, obj: TranscriptUpload) -> str:
        if not obj.file:
            return "Not kept" if obj.status != TranscriptUpload.Status.FAILED else "Deleted"
        url = reverse("admin:archive_transcriptupload_file", args=[obj.pk])
        where = " (in quarantine)" if obj.quarantined_at else ""
        return format_html('<a href="{}">Download {}</a>{}', url, obj.original_name, where)

    @admin.display(description="Read in")
    def timing(self, obj: TranscriptUpload) -> str:
        seconds = parse_seconds(obj)
        return "—" if seconds is None else f"{seconds:.1f} s from upload to preview"

    @admin.display(description="Preview")
    def preview_link(self, obj: TranscriptUpload) -> str:
        url = reverse("admin:archive_transcriptupload_preview", args=[obj.pk])
        return format_html('<a href="{}">Preview and import</a>', url)

    # ----------------------------------------------------------------------- actions

    @admin.action(description="Discard selected uploads (not imported ones only)")
    def discard_selected(self, request, queryset):
        from archive.admin_imports.preview import discard_uploads

        require_importer(request)
        discarded, kept = discard_uploads(queryset)
        messages.success(request, f"Discarded {plural(discarded, 'upload')}.")
        if kept:
            messages.warning(
                request,
                f"{plural(kept, 'imported upload')} kept: an imported transcript is part of "
                "the record.",
            )

    @admin.action(description="Re-parse selected imported uploads with the current parser")
    def reparse_selected(self, request, queryset):
        from archive.reparse import queue_reparses

        require_importer(request)
        queued, skipped = queue_reparses(queryset, user=request.user)
        if queued:
            progress = reverse("admin:archive_transcriptupload_progress")
            ids = ",".join(str(u.pk) for u in queued)
            messages.success(
                request,
                format_html(
                    '{} queued: <a href="{}?ids={}">follow them</a>; each preview shows what '
                    "would change, with “Replace the record”.",
                    plural(len(queued), "re-parse"),
                    progress,
                    ids,
                ),
            )
        if skipped:
            messages.warning(
                request,
                f"{plural(skipped, 'upload')} skipped: only imported uploads with a kept file "
                "can be re-parsed.",
            )

    # ----------------------------------------------------------------------- pages

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import": request.user.has_perm(IMPORT_PERMISSION),
        }
        return super().changelist_view(request, extra_context)

    def context(self, request: HttpRequest, title: str, **extra) -> dict:
        """The admin context of this model's own pages."""
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **extra,
        }

    def get_urls(self):
        from archive.admin_imports import files, preview, receive

        wrap = self.admin_site.admin_view
        pages = [
            ("upload/", receive.upload_view, "upload", False),
            ("progress/", receive.progress_view, "progress", False),
            ("<int:pk>/preview/", preview.preview_view, "preview", False),
            ("<int:pk>/confirm/", preview.confirm_view, "confirm", True),
            ("<int:pk>/discard/", preview.discard_view, "discard", True),
            ("<int:pk>/file/", files.download_view, "file", False),
        ]
        urls = []
        for route, view, name, post_only in pages:
            bound = _bind(view, self)
            urls.append(
                path(
                    route,
                    wrap(require_POST(bound) if post_only else bound),
                    name=f"archive_transcriptupload_{name}",
                )
            )
        return urls + super().get_urls()


def _bind(view, model_admin):
    def bound(request, *args, **kwargs):
        return view(model_admin, request, *args, **kwargs)

    bound.__name__ = view.__name__
    bound.__doc__ = view.__doc__
    return bound
