"""Seed topics from ``fixtures/topics.csv`` and gather agenda items under them by their rules.

``assign_topics()`` runs after every import and reference load: it adds the topics an agenda
item's title matches and removes rule-made links that no longer match; links staff made by hand
are never touched. Both functions take ``apps`` so a data migration can run them on its
historical models.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.db import transaction

from archive.people.folding import plain

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "topics.csv"
RULE, STAFF = "rule", "staff"


def _models(apps):
    if apps is None:
        from django.apps import apps as live

        apps = live
    return (
        apps.get_model("archive", "Topic"),
        apps.get_model("archive", "TopicRule"),
        apps.get_model("archive", "AgendaItemTopic"),
        apps.get_model("archive", "AgendaItem"),
    )


def read_fixture(path: Path = FIXTURE) -> list[dict[str, str]]:
    """The fixture's rows (comment lines skipped); each pattern is checked to compile."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    for number, row in enumerate(rows, start=2):
        try:
            re.compile(row["pattern"])
        except re.error as exc:
            raise ValueError(
                f"{path.name} row {number}: bad pattern {row['pattern']!r}: {exc}"
            ) from exc
    return rows


@transaction.atomic
def seed_topics(*, path: Path = FIXTURE, apps=None) -> tuple[int, int]:
    """Create the fixture's topics and rules that do not exist yet; returns (topics, rules)."""
    Topic, TopicRule, _, _ = _models(apps)
    rows = read_fixture(path)
    names: dict[str, str] = {}
    parents: dict[str, str] = {}
    for row in rows:
        if row["name"]:
            names.setdefault(row["topic"], row["name"])
            parents.setdefault(row["topic"], row["parent"])
    existing = set(Topic.objects.values_list("slug", flat=True))
    created = Topic.objects.bulk_create(
        Topic(slug=slug, name=name) for slug, name in names.items() if slug not in existing
    )
    topics = {t.slug: t for t in Topic.objects.filter(slug__in=names)}
    for topic in created:
        parent = topics.get(parents.get(topic.slug) or "")
        if parent is not None:
            topic.parent = parent
            topic.save(update_fields=["parent"])
    known = set(TopicRule.objects.values_list("topic__slug", "pattern"))
    rules = TopicRule.objects.bulk_create(
        TopicRule(topic=topics[row["topic"]], pattern=row["pattern"])
        for row in rows
        if (row["topic"], row["pattern"]) not in known and row["topic"] in topics
    )
    return len(created), len(rules)


def compile_rules(apps=None) -> list[tuple[int, re.Pattern]]:
    """(topic id, compiled pattern) for every rule; a pattern that no longer compiles is skipped."""
    _, TopicRule, _, _ = _models(apps)
    compiled = []
    for topic_id, pattern in TopicRule.objects.values_list("topic_id", "pattern"):
        try:
            compiled.append((topic_id, re.compile(pattern)))
        except re.error:
            continue  # the admin validates patterns; a bad one must not stop an import
    return compiled


def topics_for(title: str, rules: list[tuple[int, re.Pattern]]) -> set[int]:
    """The topics whose rules match an agenda item's title."""
    folded = plain(title)
    return {topic_id for topic_id, pattern in rules if pattern.search(folded)}


@transaction.atomic
def assign_topics(*, agenda_item_ids: Iterable[int] | None = None, apps=None) -> tuple[int, int]:
    """Bring rule-made links up to date for all agenda items (or ``agenda_item_ids``).

    Returns (links added, links removed). Links staff made are kept as they are.
    """
    _, _, AgendaItemTopic, AgendaItem = _models(apps)
    rules = compile_rules(apps)
    items = AgendaItem.objects.all()
    links = AgendaItemTopic.objects.all()
    if agenda_item_ids is not None:
        ids = [pk for pk in agenda_item_ids if pk is not None]
        items, links = items.filter(pk__in=ids), links.filter(agenda_item_id__in=ids)
    current: dict[int, dict[int, tuple[int, str]]] = defaultdict(dict)
    for pk, item_id, topic_id, by in links.values_list(
        "pk", "agenda_item_id", "topic_id", "assigned_by"
    ):
        current[item_id][topic_id] = (pk, by)
    add, remove = [], []
    for item_id, title in items.values_list("pk", "title"):
        wanted = topics_for(title, rules)
        have = current.get(item_id, {})
        add.extend(
            AgendaItemTopic(agenda_item_id=item_id, topic_id=t, assigned_by=RULE)
            for t in wanted - set(have)
        )
        remove.extend(pk for t, (pk, by) in have.items() if by == RULE and t not in wanted)
    AgendaItemTopic.objects.bulk_create(add)
    AgendaItemTopic.objects.filter(pk__in=remove).delete()
    return len(add), len(remove)
