"""Topics, the rules that gather agenda items under them, and the gathering itself.

Imported at the end of ``archive.models``, so Django sees these models as the archive app's.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Topic(models.Model):
    """A subject the Council returns to ("Syria", "Women and peace and security")."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="A broader topic that includes this one (Syria: the Middle East)",
    )
    description = models.TextField(blank=True)
    agenda_items = models.ManyToManyField(
        "archive.AgendaItem", through="AgendaItemTopic", related_name="topics", blank=True
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="topic_not_its_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


def validate_pattern(value: str) -> None:
    """A rule's pattern must be a regular expression Python can compile."""
    try:
        re.compile(value)
    except re.error as exc:
        raise ValidationError(f"Not a valid regular expression: {exc}") from exc


class TopicRule(models.Model):
    """A pattern on agenda item titles that puts matching items under a topic.

    Patterns are regular expressions matched against the title folded to lower case without
    accents or punctuation ("Middle East situation - Syria" is read "middle east situation
    syria"), anywhere in it.
    """

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="rules")
    pattern = models.CharField(max_length=300, validators=[validate_pattern])
    note = models.CharField(max_length=300, blank=True, help_text="Why this rule exists")

    class Meta:
        ordering = ["topic__name", "pattern"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "pattern"], name="topicrule_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.topic}: /{self.pattern}/"


class AgendaItemTopic(models.Model):
    """An agenda item gathered under a topic, by a rule or by a person."""

    class AssignedBy(models.TextChoices):
        RULE = "rule", "A topic rule"
        STAFF = "staff", "Staff"

    agenda_item = models.ForeignKey(
        "archive.AgendaItem", on_delete=models.CASCADE, related_name="topic_links"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="agenda_item_links")
    assigned_by = models.CharField(
        max_length=10, choices=AssignedBy.choices, default=AssignedBy.STAFF
    )

    class Meta:
        ordering = ["topic__name", "agenda_item__title"]
        constraints = [
            models.UniqueConstraint(fields=["agenda_item", "topic"], name="agendaitemtopic_unique"),
            models.CheckConstraint(
                condition=Q(assigned_by__in=["rule", "staff"]), name="agendaitemtopic_by_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agenda_item} → {self.topic}"
