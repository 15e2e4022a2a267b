"""Topics: every agenda item with statements is gathered under a topic."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Exists, OuterRef

from archive.audit import Finding, audit
from archive.models import AgendaItem, AgendaItemTopic, Meeting, Topic

AREA = "topics"


@audit(AREA)
def agenda_items_without_topic() -> Iterator[Finding]:
    """An agenda item under no topic escapes topic filters and facets."""
    linked = AgendaItemTopic.objects.filter(agenda_item=OuterRef("pk"))
    with_statements = Meeting.objects.filter(agenda_item=OuterRef("pk"), speech_count__gt=0)
    held = Meeting.objects.filter(agenda_item=OuterRef("pk"))
    rows = AgendaItem.objects.exclude(Exists(linked)).annotate(
        has_statements=Exists(with_statements), has_meetings=Exists(held)
    )
    for item in rows.filter(has_meetings=True).only("title"):
        if item.has_statements:
            yield Finding(AREA, "agenda_item_without_topic", f"“{item.title}” (has statements)")
        else:
            yield Finding(
                AREA,
                "listed_meetings_without_topic",
                f"“{item.title}”",
                explained="meetings listed under their own title; no statements are held",
            )


@audit(AREA)
def empty_topics() -> Iterator[Finding]:
    """A topic gathering nothing is offered nowhere; its rules may need a look."""
    for topic in Topic.objects.exclude(
        Exists(AgendaItemTopic.objects.filter(topic=OuterRef("pk")))
    ).exclude(Exists(Topic.objects.filter(parent=OuterRef("pk")))):
        yield Finding(
            AREA,
            "topic_without_agenda_items",
            f"“{topic.name}”",
            explained="not offered in filters or facets until an agenda item is gathered",
        )
