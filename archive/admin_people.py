"""Admin for persons, merge proposals and topics (registered by importing it in archive.admin).

Merge proposals are decided here for now, through admin actions that call the services in
``archive.people.merges`` (each decision recorded in the curation log, and undoable); the staff
review queue builds on the same services.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme

from archive.curation import CannotUndo, undo
from archive.models import (
    AgendaItemTopic,
    Person,
    PersonMergeProposal,
    Speaker,
    Topic,
    TopicRule,
)
from archive.people.folding import fold_name
from archive.people.merges import MergeError, accept_merge, reject_merge
from archive.topics.rules import assign_topics

# --------------------------------------------------------------------------- Persons


class SpellingInline(admin.TabularInline):
    model = Speaker
    fk_name = "person"
    fields = ["name", "member_state", "affiliation"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "spelling"
    verbose_name_plural = "spellings as printed"

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # spellings come from the records; merges move them


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "member_state", "affiliation", "spelling_count", "merged_into"]
    list_filter = [("merged_into", admin.EmptyFieldListFilter)]
    search_fields = ["name", "folded_name", "spellings__name", "spellings__folded_name"]
    list_select_related = ["member_state", "affiliation", "merged_into"]
    autocomplete_fields = ["member_state", "affiliation"]
    fields = ["name", "name_is_curated", "member_state", "affiliation", "merged_into"]
    readonly_fields = ["merged_into"]
    inlines = [SpellingInline]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(spelling_total=Count("spellings"))

    @admin.display(description="Spellings", ordering="spelling_total")
    def spelling_count(self, obj: Person) -> int:
        return obj.spelling_total

    def save_model(self, request, obj, form, change):
        # A name staff typed is theirs: later merges and imports leave it alone.
        if "name" in form.changed_data:
            obj.name_is_curated = True
        obj.folded_name = fold_name(obj.name)[:200]
        super().save_model(request, obj, form, change)


# --------------------------------------------------------------------------- Merge proposals


@admin.register(PersonMergeProposal)
class PersonMergeProposalAdmin(admin.ModelAdmin):
    list_display = ["pair", "score", "why", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["person_a__name", "person_b__name"]
    list_select_related = [
        "person_a__member_state",
        "person_a__affiliation",
        "person_b__member_state",
        "person_b__affiliation",
        "decided_by",
    ]
    actions = ["accept_selected", "reject_selected", "undo_selected"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False  # proposals are made by archive.people.proposals

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # decided through the actions, which record the decision

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _may_decide(self, request) -> bool:
        return request.user.has_perm("archive.change_personmergeproposal")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self._may_decide(request):
            for name in ("accept_selected", "reject_selected", "undo_selected"):
                actions.pop(name, None)
        return actions

    @admin.display(description="Persons")
    def pair(self, obj: PersonMergeProposal) -> str:
        return format_html(
            '<a href="{}">{}</a> and <a href="{}">{}</a>',
            obj.person_a.get_absolute_url(),
            str(obj.person_a),
            obj.person_b.get_absolute_url(),
            str(obj.person_b),
        )

    @admin.display(description="Why")
    def why(self, obj: PersonMergeProposal) -> str:
        return format_html_join("", "<div>{}</div>", ((r,) for r in obj.reasons))

    @admin.action(description="Accept: merge each selected pair into one person")
    def accept_selected(self, request, queryset):
        self._decide(request, queryset, accept_merge, "merged")
        return _back(request)

    @admin.action(description="Reject: keep each selected pair apart")
    def reject_selected(self, request, queryset):
        self._decide(request, queryset, reject_merge, "kept apart")
        return _back(request)

    def _decide(self, request, queryset, service, done: str) -> None:
        count = 0
        for proposal in queryset.select_related("person_a", "person_b"):
            try:
                service(proposal, request.user)
                count += 1
            except MergeError as error:
                self.message_user(request, f"{proposal}: {error}", messages.WARNING)
        if count:
            self.message_user(request, f"{count} pair{'s' if count != 1 else ''} {done}.")

    @admin.action(description="Undo the decision on each selected proposal")
    def undo_selected(self, request, queryset):
        count = 0
        for proposal in queryset.select_related("decision"):
            if proposal.decision is None:
                continue
            try:
                undo(proposal.decision, user=request.user)
                count += 1
            except CannotUndo as error:
                self.message_user(request, f"{proposal}: {error}", messages.WARNING)
        if count:
            self.message_user(request, f"{count} decision{'s' if count != 1 else ''} undone.")


def _back(request):
    """Back to the review queue when the decision was taken there (``next``), else None (the
    changelist, Django's default after an action)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return None


# --------------------------------------------------------------------------- Topics


class TopicRuleInline(admin.TabularInline):
    model = TopicRule
    fields = ["pattern", "note"]
    extra = 1


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "item_count"]
    search_fields = ["name", "slug"]
    list_select_related = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [TopicRuleInline]
    actions = ["apply_rules"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_total=Count("agenda_item_links"))

    @admin.display(description="Agenda items", ordering="item_total")
    def item_count(self, obj: Topic) -> int:
        return obj.item_total

    @admin.action(description="Apply every topic rule to every agenda item now")
    def apply_rules(self, request, queryset):
        added, removed = assign_topics()
        self.message_user(request, f"Rules applied: {added} links added, {removed} removed.")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        assign_topics()  # a rule edited here gathers its agenda items at once


@admin.register(TopicRule)
class TopicRuleAdmin(admin.ModelAdmin):
    list_display = ["topic", "pattern", "note"]
    search_fields = ["pattern", "topic__name"]
    list_select_related = ["topic"]
    autocomplete_fields = ["topic"]


@admin.register(AgendaItemTopic)
class AgendaItemTopicAdmin(admin.ModelAdmin):
    list_display = ["agenda_item", "topic", "assigned_by"]
    list_filter = ["assigned_by", "topic"]
    search_fields = ["agenda_item__title", "topic__name"]
    list_select_related = ["agenda_item", "topic"]
    autocomplete_fields = ["agenda_item", "topic"]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        obj.assigned_by = AgendaItemTopic.AssignedBy.STAFF  # rules never remove it
        super().save_model(request, obj, form, change)


class AgendaItemTopicInline(admin.TabularInline):
    model = AgendaItemTopic
    fields = ["topic", "assigned_by"]
    readonly_fields = ["assigned_by"]
    autocomplete_fields = ["topic"]
    extra = 0
