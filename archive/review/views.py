"""Admin pages of the review queue: the queue, a section, mapping a printed name, undo."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from archive import curation, review
from archive.import_review import ReviewRefused, mark_reviewed
from archive.models import (
    Affiliation,
    Decision,
    ImportRecord,
    MemberState,
    Speech,
    VoteClaim,
    normalise_name,
)
from archive.name_mapping import MappingRefused, Target, map_printed_name
from archive.review import imports, printed_names, vote_conflicts
from archive.vote_sources import choose

ROWS_ON_QUEUE = 10
RECENT_DECISIONS = 20


def _context(request: HttpRequest, title: str, **extra) -> dict:
    from django.contrib import admin

    return {**admin.site.each_context(request), "title": title, **extra}


def queue(request: HttpRequest) -> HttpResponse:
    """Needs review: every section the user may act on, with its count and first rows."""
    sections = []
    for section in review.sections_for(request.user):
        rows = section.rows(ROWS_ON_QUEUE)
        sections.append({"section": section, "count": section.count(), "rows": rows})
    decisions = Decision.objects.select_related("user", "undone_by")[:RECENT_DECISIONS]
    return TemplateResponse(
        request,
        "admin/review/queue.html",
        _context(
            request,
            "Needs review",
            sections=sections,
            decisions=[{"decision": d, "can_undo": _may_undo(request.user, d)} for d in decisions],
        ),
    )


def section_page(request: HttpRequest, section: str) -> HttpResponse:
    """One section of the queue, every row."""
    found = review.get_section(section)
    if found is None:
        raise Http404("No such section of the review queue.")
    if not found.visible_to(request.user):
        raise PermissionDenied("You do not have permission to act on this section.")
    rows = found.rows(None)
    return TemplateResponse(
        request,
        "admin/review/section.html",
        _context(request, found.title, section=found, rows=rows, count=len(rows)),
    )


# --------------------------------------------------------------------------- printed names


def target_choices() -> list:
    """The grouped choices of the mapping form: Member States, organizations, no affiliation."""
    states = [
        (f"state:{pk}", f"{name}{' (former)' if ended else ''}")
        for pk, name, ended in MemberState.objects.order_by("name").values_list(
            "pk", "name", "membership_ended"
        )
    ]
    bodies = [
        (f"body:{pk}", name)
        for pk, name in Affiliation.objects.order_by("name").values_list("pk", "name")
    ]
    return [
        ("", "— choose —"),
        ("Member States", states),
        ("Organizations, observers and other bodies", bodies),
        (
            "Not in the list",
            [
                ("new", "A new organization or body: name it below"),
                ("none", "A person with no affiliation (not a State or body)"),
            ],
        ),
    ]


class MapNameForm(forms.Form):
    """Map one printed name: to a Member State, an organization, or no body."""

    name = forms.CharField(max_length=200, widget=forms.HiddenInput)
    target = forms.ChoiceField(label="What it stands for")
    new_name = forms.CharField(
        label="New organization's name",
        max_length=200,
        required=False,
        help_text="Only for “a new organization”: its name as the archive should show it.",
    )
    new_kind = forms.ChoiceField(
        label="Kind",
        choices=Affiliation.Kind.choices,
        initial=Affiliation.Kind.ORGANIZATION,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = target_choices()

    def clean(self):
        cleaned = super().clean()
        if self.data.get("target") == "new":
            name = (cleaned.get("new_name") or "").strip()
            if not name:
                self.add_error("new_name", "Name the new organization.")
            else:
                kind = cleaned.get("new_kind") or Affiliation.Kind.ORGANIZATION
                cleaned["target"] = Target(new_body=(name, kind))
        return cleaned

    def clean_target(self) -> Target | None:
        value = self.cleaned_data["target"]
        if value == "new":
            return None  # built in clean(), with the name
        if value == "none":
            return Target()
        kind, _, pk = value.partition(":")
        model = {"state": MemberState, "body": Affiliation}.get(kind)
        body = model.objects.filter(pk=pk).first() if model and pk.isdigit() else None
        if body is None:
            raise forms.ValidationError(
                "Choose a State, a body, or “a person with no affiliation”."
            )
        return Target(member_state=body) if kind == "state" else Target(affiliation=body)


def _initial_target(group) -> str:
    match = group.suggestion if group else None
    if match is None:
        return ""
    return (
        f"state:{match.member_state_id}"
        if match.member_state_id
        else f"body:{match.affiliation_id}"
    )


def map_name(request: HttpRequest) -> HttpResponse:
    """Map a printed name in one step (GET shows where it stands, POST applies)."""
    if not request.user.has_perm(printed_names.PERMISSION):
        raise PermissionDenied("You do not have permission to map printed names.")
    name = (request.POST.get("name") or request.GET.get("name") or "").strip()[:200]
    if not normalise_name(name):
        raise Http404("No printed name given.")
    back = _safe_next(request)
    group = printed_names.find(normalise_name(name))
    if request.method == "POST":
        form = MapNameForm(request.POST)
        if form.is_valid():
            try:
                decision = map_printed_name(
                    name=name, target=form.cleaned_data["target"], user=request.user
                )
            except MappingRefused as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, decision.summary)
                return HttpResponseRedirect(back or reverse("admin:review"))
    else:
        form = MapNameForm(
            initial={"name": name, "target": _initial_target(group), "new_name": name}
        )
    examples = (
        Speech.objects.filter(
            member_state__isnull=True,
            affiliation__isnull=True,
            country_as_printed__in=list(group.spellings) if group else [name],
        )
        .select_related("meeting")
        .order_by("-meeting_date", "sequence")[:10]
    )
    return TemplateResponse(
        request,
        "admin/review/map_name.html",
        _context(
            request,
            f"Map “{name}”",
            name=name,
            group=group,
            form=form,
            examples=examples,
            next=back,
        ),
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed and target.startswith("/") else ""


# --------------------------------------------------------------------------- imports, votes


def import_reviewed(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an import with acknowledged errors reviewed (POST only), with the person's note."""
    if not imports.SECTION.visible_to(request.user):
        raise PermissionDenied("You do not have permission to review imports.")
    record = get_object_or_404(ImportRecord, pk=pk)
    try:
        decision = mark_reviewed(
            record=record, user=request.user, note=request.POST.get("note", "")
        )
    except ReviewRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, decision.summary)
    return HttpResponseRedirect(_safe_next(request) or reverse("admin:review"))


def choose_vote(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a record's disagreeing reading of a vote, or keep the archive's (POST only)."""
    if not vote_conflicts.SECTION.visible_to(request.user):
        raise PermissionDenied("You do not have permission to choose between vote sources.")
    claim = get_object_or_404(VoteClaim, pk=pk)
    take = request.POST.get("take")
    if take not in ("record", "archive"):
        messages.error(request, "Choose the record's reading or the archive's values.")
    elif claim.standing != VoteClaim.Standing.PENDING:
        messages.error(request, "This reading was already decided: see the recent decisions.")
    else:
        decision = choose(claim=claim, take=take == "record", user=request.user, via="review queue")
        messages.success(request, decision.summary)
    return HttpResponseRedirect(_safe_next(request) or reverse("admin:review"))


# --------------------------------------------------------------------------- undo


def _may_undo(user, decision: Decision) -> bool:
    return curation.can_undo(decision) and review.may_undo(user, decision.kind)


def undo_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo one recorded decision (POST only), restoring exactly what it replaced."""
    decision = get_object_or_404(Decision, pk=pk)
    if not review.may_undo(request.user, decision.kind):
        raise PermissionDenied("You do not have permission to undo this decision.")
    try:
        curation.undo(decision, user=request.user)
    except curation.CannotUndo as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Undone: {decision.summary}")
    return HttpResponseRedirect(_safe_next(request) or reverse("admin:review"))


def extra_urls(site) -> list:
    """The queue's action pages, wrapped by the admin site (staff login required)."""
    return [
        path(
            "review/printed-names/map/",
            site.admin_view(map_name),
            name="review_map_name",
        ),
        path(
            "review/imports/<int:pk>/reviewed/",
            site.admin_view(require_POST(import_reviewed)),
            name="review_import_reviewed",
        ),
        path(
            "review/vote-conflicts/<int:pk>/choose/",
            site.admin_view(require_POST(choose_vote)),
            name="review_choose_vote",
        ),
        path(
            "review/decisions/<int:pk>/undo/",
            site.admin_view(require_POST(undo_decision)),
            name="review_undo",
        ),
    ]
