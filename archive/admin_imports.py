"""Staff upload of verbatim records: upload, preview, confirm or discard.

Every step needs the ``archive.import_transcript`` permission; staff without it may still
browse the admin, including the list of uploads. The import itself is
``archive.importing.import_meeting``, the same service the command line uses.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from archive.forms import ConfirmImportForm, TranscriptUploadForm
from archive.importing import (
    AlreadyImported,
    ChecksNotAcknowledged,
    ImportFailed,
    default_resolver,
    describe_check,
    error_checks,
    import_meeting,
    resolve_names,
    source_for,
    store_upload,
)
from archive.models import ImportRecord, Meeting, Resolution, TranscriptUpload
from archive.parsing import ParsedMeeting, TranscriptError
from archive.sandbox import parse_in_subprocess

IMPORT_PERMISSION = "archive.import_transcript"


def _require_importer(request: HttpRequest) -> None:
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied("You do not have permission to import transcripts.")


def _parse_upload(upload: TranscriptUpload) -> ParsedMeeting:
    """Parse the stored file again: parsing is pure, so the preview shows what will be imported."""
    if not upload.file:
        raise TranscriptError(upload.message or "The file was not kept.")
    with upload.file.open("rb") as handle:
        data = handle.read()
    return parse_in_subprocess(
        data, filename=upload.original_name, max_bytes=settings.TRANSCRIPT_MAX_BYTES
    )


def _fail(upload: TranscriptUpload, message: str) -> None:
    upload.status = TranscriptUpload.Status.FAILED
    upload.message = message
    upload.save(update_fields=["status", "message"])


@admin.register(TranscriptUpload)
class TranscriptUploadAdmin(admin.ModelAdmin):
    """The uploaded files, with the pages that turn them into meetings."""

    list_display = ("original_name", "symbol", "status", "size", "uploaded_by", "uploaded_at")
    list_filter = ("status",)
    search_fields = ("original_name", "symbol", "sha256")
    list_select_related = ("uploaded_by",)
    readonly_fields = (
        "file",
        "original_name",
        "sha256",
        "size",
        "content_type",
        "uploaded_by",
        "uploaded_at",
        "status",
        "symbol",
        "message",
        "preview_link",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        # Files come in through the upload page, which checks and parses them.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Preview")
    def preview_link(self, obj: TranscriptUpload) -> str:
        url = reverse("admin:archive_transcriptupload_preview", args=[obj.pk])
        return format_html('<a href="{}">Preview and import</a>', url)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "upload/",
                wrap(self.upload_view),
                name="archive_transcriptupload_upload",
            ),
            path(
                "<int:pk>/preview/",
                wrap(self.preview_view),
                name="archive_transcriptupload_preview",
            ),
            path(
                "<int:pk>/confirm/",
                wrap(require_POST(self.confirm_view)),
                name="archive_transcriptupload_confirm",
            ),
            path(
                "<int:pk>/discard/",
                wrap(require_POST(self.discard_view)),
                name="archive_transcriptupload_discard",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import": request.user.has_perm(IMPORT_PERMISSION),
        }
        return super().changelist_view(request, extra_context)

    def _context(self, request: HttpRequest, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **extra,
        }

    # ----------------------------------------------------------------------- upload

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """Take one or more files, keep them, and parse each; one file goes to its preview."""
        _require_importer(request)
        uploads: list[TranscriptUpload] = []
        if request.method == "POST":
            form = TranscriptUploadForm(request.POST, request.FILES)
            if form.is_valid():
                uploads = [self._receive(request, f) for f in form.cleaned_data["files"]]
                parsed = [u for u in uploads if u.status == TranscriptUpload.Status.PARSED]
                if len(uploads) == 1 and parsed:
                    return HttpResponseRedirect(
                        reverse("admin:archive_transcriptupload_preview", args=[parsed[0].pk])
                    )
        else:
            form = TranscriptUploadForm()
        return TemplateResponse(
            request,
            "admin/archive/transcriptupload/upload.html",
            self._context(
                request,
                "Upload transcripts",
                form=form,
                uploads=uploads,
                max_mb=settings.TRANSCRIPT_MAX_BYTES // (1024 * 1024),
            ),
        )

    def _receive(self, request: HttpRequest, uploaded) -> TranscriptUpload:
        name = uploaded.name
        limit = settings.TRANSCRIPT_MAX_BYTES
        if uploaded.size > limit:
            message = (
                f"The file is {uploaded.size / 1048576:.1f} MB; "
                f"the limit is {limit / 1048576:.0f} MB."
            )
            upload = store_upload(
                data=None,
                original_name=name,
                user=request.user,
                size=uploaded.size,
                status=TranscriptUpload.Status.FAILED,
                message=message,
            )
            messages.error(request, f"{name}: {message}")
            return upload
        data = uploaded.read()
        upload = store_upload(data=data, original_name=name, user=request.user)
        try:
            parsed = parse_in_subprocess(data, filename=name, max_bytes=limit)
        except TranscriptError as exc:
            _fail(upload, exc.message)
            ImportRecord.objects.create(
                action=ImportRecord.Action.FAILURE,
                user=request.user,
                upload=upload,
                source_name=name[:255],
                summary=exc.message,
            )
            messages.error(request, f"{name}: {exc.message}")
            return upload
        upload.status = TranscriptUpload.Status.PARSED
        upload.symbol = parsed.symbol[:60]
        errors = error_checks(parsed)
        upload.message = (
            f"{len(parsed.speeches)} speeches, {len(parsed.votes)} votes"
            + (
                f"; {len(errors)} error check{'s' if len(errors) != 1 else ''} to acknowledge"
                if errors
                else ""
            )
            + "; awaiting confirmation"
        )
        upload.save(update_fields=["status", "symbol", "message"])
        messages.success(request, f"{name}: parsed as {parsed.symbol}.")
        return upload

    # ----------------------------------------------------------------------- preview

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Show what the import would write, with unresolved names highlighted."""
        _require_importer(request)
        upload = get_object_or_404(TranscriptUpload.objects.select_related("uploaded_by"), pk=pk)
        context = self._context(request, f"Preview: {upload.original_name}", upload=upload)
        if upload.status == TranscriptUpload.Status.IMPORTED:
            context["meeting"] = upload.meetings.order_by("-imported_at").first()
        try:
            parsed = _parse_upload(upload)
        except TranscriptError as exc:
            if upload.status != TranscriptUpload.Status.FAILED:
                _fail(upload, exc.message)
            messages.error(request, f"{upload.original_name}: {exc.message}")
            return TemplateResponse(request, "admin/archive/transcriptupload/preview.html", context)

        names = resolve_names(parsed, default_resolver())
        unresolved = {u.name for u in names.unresolved}
        existing = (
            Meeting.objects.filter(symbol=parsed.symbol)
            .only("pk", "symbol", "source", "speech_count", "imported_at")
            .first()
        )
        wanted = {(v.resolution or "") for v in parsed.votes} - {""}
        known_resolutions = (
            {r.label for r in Resolution.objects.filter(_resolution_q(wanted))} if wanted else set()
        )
        context.update(
            parsed=parsed,
            presidency=names.presidency,
            members=list(zip(parsed.members, names.members, strict=True)),
            speeches=[
                {
                    "speech": speech,
                    "body": body,
                    "unresolved": bool(speech.country) and speech.country in unresolved,
                }
                for speech, body in zip(parsed.speeches, names.speeches, strict=True)
            ],
            votes=[
                {
                    "vote": vote,
                    "lists": [
                        (label, lists[attr])
                        for attr, label in (
                            ("in_favour", "In favour"),
                            ("against", "Against"),
                            ("abstaining", "Abstaining"),
                            ("not_participating", "Did not participate"),
                        )
                        if lists[attr]
                    ],
                    "resolution_known": (vote.resolution or "") in known_resolutions,
                }
                for vote, lists in zip(parsed.votes, names.votes, strict=True)
            ],
            unresolved=names.unresolved,
            checks=[
                {"check": check, "where": _where(check)} for check in getattr(parsed, "checks", [])
            ],
            errors=[describe_check(check) for check in error_checks(parsed)],
            existing=existing,
            already_imported=bool(
                existing and (existing.source != Meeting.Source.REFERENCE or existing.speech_count)
            ),
            confirm_form=ConfirmImportForm(),
        )
        return TemplateResponse(request, "admin/archive/transcriptupload/preview.html", context)

    # ----------------------------------------------------------------------- confirm / discard

    def confirm_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Import a previewed upload (POST only)."""
        _require_importer(request)
        upload = get_object_or_404(TranscriptUpload, pk=pk)
        preview = reverse("admin:archive_transcriptupload_preview", args=[pk])
        if upload.status == TranscriptUpload.Status.IMPORTED:
            messages.info(request, f"{upload.original_name} has already been imported.")
            return HttpResponseRedirect(preview)
        form = ConfirmImportForm(request.POST)
        valid = form.is_valid()
        replace = valid and form.cleaned_data["replace"]
        acknowledged = valid and form.cleaned_data["acknowledge_errors"]
        try:
            parsed = _parse_upload(upload)
            result = import_meeting(
                parsed=parsed,
                source=source_for(upload.content_type),
                upload=upload,
                user=request.user,
                replace=replace,
                acknowledge_errors=acknowledged,
            )
        except TranscriptError as exc:
            _fail(upload, exc.message)
            _record(request, upload, ImportRecord.Action.FAILURE, exc.message)
            messages.error(request, f"{upload.original_name}: {exc.message}")
            return HttpResponseRedirect(preview)
        except ChecksNotAcknowledged as exc:
            # Nothing is written and the upload stays parsed: the importer reads the errors in
            # the preview and ticks the acknowledgement, or discards the file.
            messages.error(request, exc.message)
            return HttpResponseRedirect(preview)
        except AlreadyImported as exc:
            # Refused (e.g. another staff member imported it a moment ago): on the record too.
            _record(request, upload, ImportRecord.Action.SKIP, exc.message)
            messages.error(request, exc.message)
            return HttpResponseRedirect(preview)
        except ImportFailed as exc:
            _fail(upload, exc.message)
            ImportRecord.objects.create(
                action=ImportRecord.Action.FAILURE,
                user=request.user,
                upload=upload,
                source_name=upload.original_name,
                symbol=upload.symbol,
                summary=exc.message,
            )
            messages.error(request, f"{upload.original_name}: {exc.message}")
            return HttpResponseRedirect(preview)
        verb = "Replaced" if result.replaced else "Imported"
        review = " It is marked for review." if result.record and result.record.needs_review else ""
        messages.success(request, f"{verb} {result.meeting.symbol}: {result.summary}.{review}")
        return HttpResponseRedirect(preview)

    def discard_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Forget an upload that was not imported, and its file (POST only)."""
        _require_importer(request)
        upload = get_object_or_404(TranscriptUpload, pk=pk)
        if upload.status == TranscriptUpload.Status.IMPORTED:
            messages.error(request, "An imported transcript is part of the record; not discarded.")
            return HttpResponseRedirect(
                reverse("admin:archive_transcriptupload_preview", args=[pk])
            )
        name = upload.original_name
        if upload.file:
            upload.file.delete(save=False)
        upload.delete()
        messages.success(request, f"Discarded {name}.")
        return HttpResponseRedirect(reverse("admin:archive_transcriptupload_changelist"))


def _where(check) -> str:
    """Where in the record a check was found, in words."""
    parts = []
    if check.page:
        parts.append(f"page {check.page}")
    if check.speech:
        parts.append(f"speech {check.speech}")
    return ", ".join(parts) or "the whole record"


def _record(request: HttpRequest, upload: TranscriptUpload, action: str, summary: str) -> None:
    """Add a refused or failed import to the audit trail."""
    ImportRecord.objects.create(
        action=action,
        user=request.user,
        upload=upload,
        source_name=upload.original_name[:255],
        symbol=upload.symbol,
        summary=summary,
    )


def _resolution_q(labels: set[str]):
    from django.db.models import Q

    from archive.parsing import parse_resolution_reference

    condition = Q(pk__in=[])
    for label in labels:
        ref = parse_resolution_reference(label)
        if ref and ref.is_council and ref.year:
            condition |= Q(number=ref.number, year=ref.year)
    return condition
