"""The staff admin: every model, with changelists that run a fixed number of queries.

Rules for extending this file: every ForeignKey shown in ``list_display`` is in
``list_select_related``; ForeignKeys to big tables (meetings, resolutions, votes, speeches) are
``raw_id_fields`` or ``autocomplete_fields`` so that no form renders a 10,000-option select;
heavy children (speeches, procedural lines) are reached by filtered links, not inlines.

The transcript upload views (upload, preview, confirm) live in ``archive.admin_imports`` and are
registered by importing it here.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from archive import (
    admin_imports,  # noqa: F401  registers TranscriptUploadAdmin
    admin_votes,  # noqa: F401  registers VoteAdmin, VoteClaimAdmin, MemberVoteAdmin
)
from archive.admin_people import AgendaItemTopicInline  # also registers persons and topics
from archive.models import (
    Affiliation,
    AgendaItem,
    CouncilTerm,
    Decision,
    ImportRecord,
    Meeting,
    MeetingMember,
    MemberState,
    Mention,
    NameAlias,
    ProceduralLine,
    Resolution,
    ResolutionCitation,
    Speaker,
    Speech,
    SpeechYearCount,
    TranscriptUpload,
)


def changelist_link(model, label: str, **filters) -> str:
    """A link to ``model``'s changelist filtered by ``filters`` (used instead of heavy inlines)."""
    url = reverse(f"admin:archive_{model._meta.model_name}_changelist")
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return format_html('<a href="{}?{}">{}</a>', url, query, label)


# --------------------------------------------------------------------------- States and names


class NameAliasInline(admin.TabularInline):
    model = NameAlias
    fields = ["name", "normalised", "source"]
    readonly_fields = ["normalised"]
    extra = 0
    fk_name = "member_state"


class AffiliationAliasInline(NameAliasInline):
    fk_name = "affiliation"


class CouncilTermInline(admin.TabularInline):
    model = CouncilTerm
    fields = ["seat", "start_year", "end_year", "note"]
    extra = 0


@admin.register(MemberState)
class MemberStateAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "iso3",
        "iso2",
        "region",
        "admission_date",
        "membership_ended",
        "successor",
    ]
    list_filter = [("membership_ended", admin.EmptyFieldListFilter), "region"]
    search_fields = ["name", "official_name", "iso3", "iso2", "aliases__name"]
    list_select_related = ["successor"]
    autocomplete_fields = ["successor"]
    inlines = [CouncilTermInline, NameAliasInline]


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AffiliationAliasInline]


@admin.register(NameAlias)
class NameAliasAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "normalised",
        "member_state",
        "affiliation",
        "no_affiliation",
        "source",
    ]
    list_filter = ["source", "no_affiliation", ("member_state", admin.EmptyFieldListFilter)]
    search_fields = ["name", "normalised", "member_state__name", "affiliation__name"]
    list_select_related = ["member_state", "affiliation"]
    autocomplete_fields = ["member_state", "affiliation"]
    readonly_fields = ["normalised"]

    def save_model(self, request, obj, form, change):
        # The matching key is derived from the printed name; staff edit only the name.
        obj.normalised = NameAlias.build(obj.name).normalised
        super().save_model(request, obj, form, change)


@admin.register(CouncilTerm)
class CouncilTermAdmin(admin.ModelAdmin):
    list_display = ["member_state", "seat", "start_year", "end_year"]
    list_filter = ["seat", "start_year"]
    search_fields = ["member_state__name", "member_state__iso3"]
    list_select_related = ["member_state"]
    autocomplete_fields = ["member_state"]


# --------------------------------------------------------------------------- Meetings


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["title", "slug"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [AgendaItemTopicInline]


class MeetingMemberInline(admin.TabularInline):
    model = MeetingMember
    extra = 0
    raw_id_fields = ["member_state"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = [
        "symbol",
        "date",
        "kind",
        "source",
        "agenda_item",
        "presidency",
        "speech_count",
        "speeches_link",
    ]
    list_filter = ["kind", "source", "date"]
    search_fields = ["symbol", "agenda_item__title", "outcome"]
    date_hierarchy = "date"
    list_select_related = ["agenda_item", "presidency"]
    autocomplete_fields = ["agenda_item", "presidency"]
    raw_id_fields = ["upload"]
    readonly_fields = ["speech_count", "speeches_link", "procedure_link"]
    inlines = [MeetingMemberInline]
    show_full_result_count = False

    @admin.display(description="Speeches")
    def speeches_link(self, obj: Meeting) -> str:
        return changelist_link(Speech, f"{obj.speech_count} speeches", meeting__id__exact=obj.pk)

    @admin.display(description="Procedure")
    def procedure_link(self, obj: Meeting) -> str:
        return changelist_link(ProceduralLine, "procedural lines", meeting__id__exact=obj.pk)


@admin.register(ProceduralLine)
class ProceduralLineAdmin(admin.ModelAdmin):
    list_display = ["meeting", "position", "after_speech", "text"]
    search_fields = ["text", "meeting__symbol"]
    list_select_related = ["meeting"]
    raw_id_fields = ["meeting"]
    show_full_result_count = False


@admin.register(MeetingMember)
class MeetingMemberAdmin(admin.ModelAdmin):
    list_display = ["meeting", "position", "country_as_printed", "representative", "member_state"]
    search_fields = ["country_as_printed", "representative", "meeting__symbol"]
    list_select_related = ["meeting", "member_state"]
    raw_id_fields = ["meeting", "member_state"]
    show_full_result_count = False


# --------------------------------------------------------------------------- Speeches


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "member_state", "affiliation", "person"]
    list_filter = [("member_state", admin.EmptyFieldListFilter)]
    search_fields = ["name", "folded_name", "member_state__name", "affiliation__name"]
    list_select_related = ["member_state", "affiliation", "person"]
    autocomplete_fields = ["member_state", "affiliation"]
    # A spelling joins another person only through a merge proposal (recorded, undoable).
    readonly_fields = ["person", "folded_name"]


class MentionInline(admin.TabularInline):
    model = Mention
    extra = 0
    raw_id_fields = ["resolution"]


@admin.register(Speech)
class SpeechAdmin(admin.ModelAdmin):
    list_display = ["meeting", "sequence", "attribution", "role", "spoke_in", "member_state"]
    list_filter = ["role", "spoke_in"]
    # Attribution and speaker as printed: text search over speeches belongs to the public site.
    search_fields = ["attribution", "speaker_name", "country_as_printed", "meeting__symbol"]
    list_select_related = ["meeting", "member_state"]
    raw_id_fields = ["meeting", "speaker", "member_state", "affiliation"]
    inlines = [MentionInline]
    show_full_result_count = False


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["symbol", "kind", "speech", "resolution"]
    list_filter = ["kind"]
    search_fields = ["symbol"]
    list_select_related = ["speech__meeting", "resolution"]
    raw_id_fields = ["speech", "resolution"]
    show_full_result_count = False


# --------------------------------------------------------------------------- Resolutions & votes


@admin.register(Resolution)
class ResolutionAdmin(admin.ModelAdmin):
    list_display = ["symbol_display", "adopted_on", "title_short", "meeting", "outcome"]
    list_filter = ["year", "vote__outcome"]
    search_fields = ["=number", "title", "draft_symbol", "meeting_symbol"]
    list_select_related = ["meeting", "vote"]
    raw_id_fields = ["meeting"]
    autocomplete_fields = ["agenda_item"]
    ordering = ["-number"]

    @admin.display(description="Resolution", ordering="number")
    def symbol_display(self, obj: Resolution) -> str:
        return obj.symbol

    @admin.display(description="Title")
    def title_short(self, obj: Resolution) -> str:
        return obj.title if len(obj.title) <= 80 else obj.title[:79] + "…"

    @admin.display(description="Vote")
    def outcome(self, obj: Resolution) -> str:
        vote = getattr(obj, "vote", None)
        return f"{vote.get_outcome_display()} {vote.tally}".strip() if vote else "—"


# --------------------------------------------------------------------------- Research (derived)


class DerivedAdmin(admin.ModelAdmin):
    """Read-only: rows the archive derives (a command, database triggers), never hand-edited."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ResolutionCitation)
class ResolutionCitationAdmin(DerivedAdmin):
    """Built from the resolution texts by ``manage.py build_citations``."""

    list_display = ["citing", "label", "cited", "paragraph", "paragraphs"]
    list_filter = [("cited", admin.EmptyFieldListFilter)]
    search_fields = ["=citing__number", "=number", "context"]
    list_select_related = ["citing", "cited"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("citing__text", "cited__text")


@admin.register(SpeechYearCount)
class SpeechYearCountAdmin(DerivedAdmin):
    """Kept by triggers on the speeches (the trends' denominators)."""

    list_display = ["year", "member_state_id", "affiliation_id", "role", "on_council", "statements"]
    list_filter = ["year", "role", "on_council"]
    show_full_result_count = False


# --------------------------------------------------------------------------- Audit trail


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    """Read-only: decisions are made and undone from the review queue ("Needs review")."""

    list_display = ["at", "kind", "summary", "user", "undone_at"]
    list_filter = ["kind", "at"]
    search_fields = ["summary", "target"]
    list_select_related = ["user"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is written by the importers, never edited by hand."""

    list_display = [
        "at",
        "action",
        "source_name",
        "symbol",
        "user",
        "meeting",
        "needs_review",
        "reviewed_at",
        "reviewed_by",
    ]
    list_filter = ["action", "needs_review", "at"]
    search_fields = ["source_name", "symbol", "summary", "review_note"]
    list_select_related = ["user", "meeting", "reviewed_by"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


if not admin.site.is_registered(TranscriptUpload):  # admin_imports normally registers it
    admin.site.register(TranscriptUpload)
