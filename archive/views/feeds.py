"""Atom feeds of the public lists: meetings, a State's statements, a resolution's citations.

Readers subscribe to follow a State or a resolution without visiting the site. The feeds are
``archive.exports.AtomListFeed`` subclasses; the list page's filters apply to its feed. A Feed
instance serves every request, so per-request state lives on the request, never on ``self``.
"""

from __future__ import annotations

import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from archive.exports import AtomListFeed
from archive.filters import MeetingFilterSet, StatementFilterSet
from archive.models import Meeting, MemberState, Resolution, Speech
from archive.people.labels import heading
from archive.templatetags.archive_tags import citation, lead, speaker_body

NEWEST_STATEMENTS = (
    "-meeting__date",
    "-meeting__meeting_number",
    "-meeting__resumption",
    "-sequence",
)


def _midday(date: datetime.date | None) -> datetime.datetime | None:
    """Records carry a date, feeds want a moment: noon UTC of that day."""
    if date is None:
        return None
    return datetime.datetime.combine(date, datetime.time(12), tzinfo=datetime.UTC)


class StatementFeed(AtomListFeed):
    """Speeches as feed entries, newest first."""

    def item_title(self, item: Speech) -> str:
        return f"{heading(item)}, {item.meeting.symbol}"

    def item_description(self, item: Speech) -> str:
        return lead(item.text, 600) + "\n\n" + citation(item)

    def item_link(self, item: Speech) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Speech):
        return _midday(item.meeting.date)

    def item_author_name(self, item: Speech) -> str:
        return speaker_body(item)


class MemberStateStatementsFeed(StatementFeed):
    """The latest statements of one State (the statements page's filters apply)."""

    def get_object(self, request, slug: str):
        if len(slug) != 3 or not slug.isalpha():
            raise Http404(f"The archive has no Member State with the code “{slug[:10]}”.")
        request.feed_state = get_object_or_404(MemberState, iso3=slug.upper())
        return request

    def title(self, request) -> str:
        return f"Statements by {request.feed_state.name} in the Security Council"

    def subtitle(self, request) -> str:
        return f"The latest statements made for {request.feed_state.name}, from Council Archive."

    def link(self, request) -> str:
        return reverse("archive:member_state_statements", args=[request.feed_state.slug])

    def get_items(self, request):
        base = Speech.objects.filter(member_state=request.feed_state).with_related()
        return StatementFilterSet(request.GET or None, queryset=base).qs.order_by(
            *NEWEST_STATEMENTS
        )


class ResolutionCitationsFeed(StatementFeed):
    """Speeches citing one resolution, newest first."""

    def get_object(self, request, number: int, year: int):
        request.feed_resolution = get_object_or_404(Resolution, number=number, year=year)
        return request

    def title(self, request) -> str:
        return f"Speeches citing resolution {request.feed_resolution.label}"

    def subtitle(self, request) -> str:
        return f"Statements in the Security Council that cite {request.feed_resolution.symbol}."

    def link(self, request) -> str:
        return request.feed_resolution.get_absolute_url()

    def get_items(self, request):
        return (
            Speech.objects.filter(mentions__resolution=request.feed_resolution)
            .with_related()
            .order_by(*NEWEST_STATEMENTS)
        )


class MeetingFeed(AtomListFeed):
    """Meetings, newest first (the meetings list's filters apply)."""

    title = "Security Council meetings in Council Archive"
    subtitle = "The latest meetings of the Security Council held in the archive."

    def link(self, request) -> str:
        return reverse("archive:meeting_list")

    def get_items(self, request):
        queryset = Meeting.objects.select_related("agenda_item")
        return MeetingFilterSet(request.GET or None, queryset=queryset).qs.order_by(
            "-date", "-meeting_number", "-resumption"
        )

    def item_title(self, item: Meeting) -> str:
        topic = item.agenda_item.title if item.agenda_item_id else ""
        return f"{item.symbol}: {topic}" if topic else item.symbol

    def item_description(self, item: Meeting) -> str:
        count = item.speech_count
        held = f"{count} statement{'s' if count != 1 else ''}" if count else "Record not held yet"
        date = f"{item.date.day} {item.date:%B %Y}" if item.date else ""
        return " — ".join(part for part in (date, held, item.outcome) if part)

    def item_link(self, item: Meeting) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Meeting):
        return _midday(item.date)
