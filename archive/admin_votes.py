"""Votes in the admin: what the sources say about each vote, the warnings readers see, and the
choice of source, which is the only way to change a vote's values (they are derived from its
sources' claims; see archive.vote_sources)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.html import format_html, format_html_join

from archive.models import MemberVote, Vote, VoteClaim
from archive.vote_facts import FLAG_SHORT
from archive.vote_sources import choose

CHOOSE_PERMISSION = "archive.change_vote"


class FlagFilter(admin.SimpleListFilter):
    """Votes by what readers are warned about."""

    title = "warning shown to readers"
    parameter_name = "flag"

    def lookups(self, request, model_admin):
        return [("any", "Any warning"), *Vote.Flag.choices]

    def queryset(self, request, queryset):
        if self.value() == "any":
            return queryset.flagged()
        if self.value() in Vote.Flag.values:
            return queryset.flagged(self.value())
        return queryset


class VoteClaimInline(admin.TabularInline):
    """Each source's claim on the vote, read-only: a choice is made with the claims' actions."""

    model = VoteClaim
    extra = 0
    can_delete = False
    fields = ["source", "detail", "standing", "outcome", "tally", "date", "meeting_symbol"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Tally")
    def tally(self, obj: VoteClaim) -> str:
        return obj.tally or "—"


class MemberVoteInline(admin.TabularInline):
    model = MemberVote
    extra = 0
    can_delete = False
    fields = ["member_state", "position", "is_veto"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    """Votes as the archive shows them, with their warnings; values are derived from claims."""

    list_display = [
        "__str__",
        "date",
        "outcome",
        "tally_shown",
        "member_coverage",
        "warnings",
        "meeting",
        "vetoes",
        "source",
    ]
    list_filter = [FlagFilter, "member_coverage", "outcome", "subject", "date"]
    search_fields = ["draft_symbol", "=resolution__number", "meeting__symbol", "description"]
    list_select_related = ["resolution", "meeting"]
    inlines = [VoteClaimInline, MemberVoteInline]
    show_full_result_count = False
    readonly_fields = [
        "resolution",
        "meeting",
        "meeting_symbol",
        "meeting_note",
        "date",
        "subject",
        "draft_symbol",
        "description",
        "outcome",
        "in_favour_count",
        "against_count",
        "abstaining_count",
        "member_coverage",
        "warnings",
        "source",
        "chosen_claim",
        "after_speech",
        "position",
    ]
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(veto_count=Count("member_votes", filter=Q(member_votes__is_veto=True)))
        )

    @admin.display(description="Vetoes", ordering="veto_count")
    def vetoes(self, obj: Vote) -> int:
        return obj.veto_count

    @admin.display(description="Tally")
    def tally_shown(self, obj: Vote) -> str:
        return obj.tally or "—"

    @admin.display(description="Warnings shown to readers")
    def warnings(self, obj: Vote) -> str:
        if not obj.flags:
            return "—"
        return format_html_join(
            ", ",
            "{}",
            ((FLAG_SHORT.get(Vote.Flag(f), f),) for f in obj.flags if f in Vote.Flag.values),
        )


@admin.register(VoteClaim)
class VoteClaimAdmin(admin.ModelAdmin):
    """What each source says about each vote. Records' readings that disagree with the archive
    wait here (standing "awaits a person's choice") until someone takes or sets them aside."""

    list_display = ["vote", "source", "detail", "standing", "outcome", "tally", "date", "chosen"]
    list_filter = ["standing", "source"]
    search_fields = ["key", "detail", "draft_symbol", "=vote__resolution__number"]
    list_select_related = ["vote", "vote__resolution"]
    actions = ["take_reading", "set_aside_reading"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Tally")
    def tally(self, obj: VoteClaim) -> str:
        return obj.tally or "—"

    @admin.display(description="Chosen by a person", boolean=True)
    def chosen(self, obj: VoteClaim) -> bool:
        return obj.vote.chosen_claim_id == obj.pk

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm(CHOOSE_PERMISSION):
            actions.pop("take_reading", None)
            actions.pop("set_aside_reading", None)
        return actions

    @admin.action(description="Show these sources' readings on their votes (recorded, undoable)")
    def take_reading(self, request, queryset):
        self._choose(request, queryset, take=True)

    @admin.action(description="Keep the archive's values over these readings (recorded, undoable)")
    def set_aside_reading(self, request, queryset):
        self._choose(request, queryset, take=False)

    def _choose(self, request, queryset, *, take: bool) -> None:
        claims = list(queryset.select_related("vote"))
        if len({c.vote_id for c in claims}) != len(claims):
            messages.error(request, "Choose one source per vote at a time.")
            return
        for claim in claims:
            choose(claim=claim, take=take, user=request.user, via="admin")
        verb = "shown" if take else "set aside"
        messages.success(
            request,
            format_html(
                "{} reading{} {}; each choice is in the curation log and can be undone.",
                len(claims),
                "" if len(claims) == 1 else "s",
                verb,
            ),
        )


@admin.register(MemberVote)
class MemberVoteAdmin(admin.ModelAdmin):
    list_display = ["vote", "member_state", "position", "is_veto"]
    list_filter = ["position", "is_veto"]
    search_fields = ["member_state__name", "vote__draft_symbol", "=vote__resolution__number"]
    list_select_related = ["vote__resolution", "member_state"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
