"""The preview of a read upload (with what replacing the record held would change), confirm
and discard."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from archive.admin_imports.receive import describe
from archive.admin_imports.uploads import DOWNLOAD_PERMISSION, require_importer
from archive.importing import (
    _IMPORTED_SOURCES,
    AlreadyImported,
    ChecksNotAcknowledged,
    ImportFailed,
    default_resolver,
    describe_check,
    error_checks,
    import_meeting,
    resolve_names,
    source_for,
)
from archive.models import ImportRecord, Meeting, Resolution, TranscriptUpload
from archive.parsing import parse_resolution_reference
from archive.record_diff import compare
from archive.record_votes import preview_conflicts
from archive.review.printed_names import PERMISSION as MAP_PERMISSION
from archive.upload_jobs import NotReady, enqueue_parse, load_parsed, reject
from archive.vote_sources import Choice

Status = TranscriptUpload.Status
TEMPLATE = "admin/archive/transcriptupload/preview.html"
VOTE_LISTS = (
    ("in_favour", "In favour"),
    ("against", "Against"),
    ("abstaining", "Abstaining"),
    ("not_participating", "Did not participate"),
)


def preview_url(upload: TranscriptUpload) -> str:
    return reverse("admin:archive_transcriptupload_preview", args=[upload.pk])


def preview_view(model_admin, request: HttpRequest, pk: int) -> HttpResponse:
    """Progress while the file is read; then what the import would write, and what it replaces."""
    require_importer(request)
    upload = get_object_or_404(TranscriptUpload.objects.select_related("uploaded_by"), pk=pk)
    if upload.status == Status.UPLOADED:
        enqueue_parse(upload)  # kept before uploads were read in the background
        upload.refresh_from_db()
    context = model_admin.context(
        request,
        f"Preview: {upload.original_name}",
        upload=upload,
        state=describe(upload),
        waiting=upload.status in (Status.QUEUED, Status.PARSING),
        can_download=request.user.has_perm(DOWNLOAD_PERMISSION) and bool(upload.file),
        can_map=request.user.has_perm(MAP_PERMISSION),
        reparse_of=upload.reparse_of,
    )
    if upload.status == Status.IMPORTED:
        context["meeting"] = upload.meetings.order_by("-imported_at").first()
    try:
        parsed = load_parsed(upload)
    except NotReady:
        return TemplateResponse(request, TEMPLATE, context)
    context.update(preview_context(parsed, upload))
    return TemplateResponse(request, TEMPLATE, context)


def preview_context(parsed, upload: TranscriptUpload) -> dict:
    """What the preview shows of a parse: names resolved now, votes, and any record held."""
    names = resolve_names(parsed, default_resolver())
    unresolved = {u.name for u in names.unresolved}
    existing = _existing(parsed)
    already = bool(existing and (existing.source in _IMPORTED_SOURCES or existing.speech_count))
    diff = compare(existing, parsed, names) if already and upload.status == Status.PARSED else None
    return {
        "parsed": parsed,
        "checks": list(getattr(parsed, "checks", []) or []),
        "errors": [describe_check(check) for check in error_checks(parsed)],
        "warnings": names.warnings,
        "presidency": names.presidency,
        "members": list(zip(parsed.members, names.members, strict=True)),
        "speeches": [
            {
                "speech": speech,
                "body": body,
                "unresolved": bool(speech.country) and speech.country in unresolved,
            }
            for speech, body in zip(parsed.speeches, names.speeches, strict=True)
        ],
        "votes": _vote_rows(parsed, names),
        "vote_conflicts": preview_conflicts(parsed, names.votes),
        "unresolved": names.unresolved,
        "existing": existing,
        "already_imported": already,
        "diff": diff,
        "next": preview_url(upload),
    }


def _existing(parsed) -> Meeting | None:
    condition = Q(symbol=parsed.symbol)
    if parsed.meeting_number:
        condition |= Q(meeting_number=parsed.meeting_number, resumption=parsed.resumption)
    found = list(
        Meeting.objects.filter(condition).only(
            "pk",
            "symbol",
            "source",
            "speech_count",
            "imported_at",
            "date",
            "agenda",
            "president_name",
            "presidency",
            "page_count",
        )
    )
    return next((m for m in found if m.symbol == parsed.symbol), found[0] if found else None)


def _vote_rows(parsed, names) -> list[dict]:
    labels = {(v.resolution or "") for v in parsed.votes} - {""}
    known = set()
    if labels:
        condition = Q(pk__in=[])
        for label in labels:
            ref = parse_resolution_reference(label)
            if ref and ref.is_council and ref.year:
                condition |= Q(number=ref.number, year=ref.year)
        known = {r.label for r in Resolution.objects.filter(condition)}
    return [
        {
            "vote": vote,
            "lists": [(label, lists[attr]) for attr, label in VOTE_LISTS if lists[attr]],
            "resolution_known": (vote.resolution or "") in known,
        }
        for vote, lists in zip(parsed.votes, names.votes, strict=True)
    ]


# --------------------------------------------------------------------------- confirm / discard


def confirm_view(model_admin, request: HttpRequest, pk: int) -> HttpResponse:
    """Import a previewed upload, or replace the record held with it (POST only)."""
    require_importer(request)
    upload = get_object_or_404(TranscriptUpload, pk=pk)
    back = HttpResponseRedirect(preview_url(upload))
    if upload.status == Status.IMPORTED:
        messages.info(request, f"{upload.original_name} has already been imported.")
        return back
    try:
        parsed = load_parsed(upload)
    except NotReady:
        messages.error(request, f"{upload.original_name} has not been read yet.")
        return back
    replace = request.POST.get("replace") == "1"
    choices = _vote_choices(request, parsed)
    if choices is None:
        messages.error(
            request,
            "The record reads some votes differently from the archive: choose, for each of "
            "them, whether to keep the archive's values or take the record's.",
        )
        return back
    try:
        result = import_meeting(
            parsed=parsed,
            source=source_for(upload.content_type),
            upload=upload,
            user=request.user,
            replace=replace,
            vote_choices=choices,
            acknowledge_errors=request.POST.get("acknowledge_errors") == "1",
        )
    except ChecksNotAcknowledged as exc:
        # Nothing is written and the upload stays read: the importer reads the errors in the
        # preview and ticks the acknowledgement, or discards the file. Not a rejection.
        messages.error(request, exc.message)
        return back
    except AlreadyImported as exc:
        # Another staff member imported it meanwhile: the preview now shows what would change.
        _record(request, upload, ImportRecord.Action.SKIP, exc.message)
        messages.error(request, exc.message)
        return back
    except ImportFailed as exc:
        reject(upload, exc.message, user=request.user)
        messages.error(request, f"{upload.original_name}: {exc.message}")
        return back
    verb = "Replaced" if result.replaced else "Imported"
    review = " It is marked for review." if result.record and result.record.needs_review else ""
    messages.success(request, f"{verb} {result.meeting.symbol}: {result.summary}.{review}")
    return back


def _vote_choices(request: HttpRequest, parsed) -> dict[int, Choice] | None:
    """The importer's choice for every vote the record reads differently from the archive, or
    None if one is missing (the archive may have changed since the preview)."""
    names = resolve_names(parsed, default_resolver())
    choices = {}
    for conflict in preview_conflicts(parsed, names.votes):
        value = request.POST.get(conflict.field_name, "")
        if value not in Choice.__members__.values():
            return None
        choices[conflict.position] = Choice(value)
    return choices


def discard_view(model_admin, request: HttpRequest, pk: int) -> HttpResponse:
    """Forget an upload that was not imported, and its file (POST only)."""
    require_importer(request)
    upload = get_object_or_404(TranscriptUpload, pk=pk)
    if upload.status == Status.IMPORTED:
        messages.error(request, "An imported transcript is part of the record; not discarded.")
        return HttpResponseRedirect(preview_url(upload))
    name = upload.original_name
    discard_uploads(TranscriptUpload.objects.filter(pk=pk), user=request.user)
    messages.success(request, f"Discarded {name}.")
    return HttpResponseRedirect(reverse("admin:archive_transcriptupload_changelist"))


def discard_uploads(queryset, *, user=None, reason: str = "") -> tuple[int, int]:
    """Delete the uploads not imported, and their files; returns (discarded, kept)."""
    discarded = kept = 0
    for upload in queryset.defer("parsed"):
        if upload.status == Status.IMPORTED:
            kept += 1
            continue
        ImportRecord.objects.create(
            action=ImportRecord.Action.SKIP,
            user=user if user is not None and user.is_authenticated else None,
            source_name=upload.original_name[:255],
            symbol=upload.symbol,
            summary=reason or "Discarded without importing.",
        )
        if upload.file:
            upload.file.delete(save=False)
        upload.delete()
        discarded += 1
    return discarded, kept


def _record(request: HttpRequest, upload: TranscriptUpload, action: str, summary: str) -> None:
    """Add a refused import to the audit trail."""
    ImportRecord.objects.create(
        action=action,
        user=request.user,
        upload=upload,
        source_name=upload.original_name[:255],
        symbol=upload.symbol,
        summary=summary,
    )
