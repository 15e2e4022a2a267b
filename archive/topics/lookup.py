"""What a topic filter means, and the topic facet beside search results.

A topic gathers its own agenda items and those of the topics under it (the Middle East: Syria,
the Palestinian question, ...). The tree is small (tens of topics, a thousand agenda items) and
changes only on imports or admin edits, so each worker keeps it per archive version.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from archive.filter_options import PerVersion
from archive.people.folding import plain


@dataclass
class TopicTree:
    """Topics by id with their names, slugs and agenda items (their descendants' included)."""

    names: dict[int, str] = field(default_factory=dict)
    slugs: dict[int, str] = field(default_factory=dict)
    parents: dict[int, int | None] = field(default_factory=dict)
    items: dict[int, set[int]] = field(default_factory=dict)  # topic -> agenda items, whole tree
    topics_of_item: dict[int, set[int]] = field(default_factory=dict)  # item -> topics, ancestors
    item_by_slug: dict[str, int] = field(default_factory=dict)  # agenda items with a topic

    def by_text(self, text: str) -> int | None:
        """The topic whose slug or name is ``text`` (case, accents and punctuation aside), if
        it gathers any agenda item."""
        key = plain(text)
        for pk, slug in self.slugs.items():
            if (slug == text.strip().lower() or plain(self.names[pk]) == key) and self.items.get(
                pk
            ):
                return pk
        return None

    def by_words(self, text: str) -> list[int]:
        """Topics whose name holds every word of ``text`` ("women and peace")."""
        words = plain(text).split()
        if not words:
            return []
        return [
            pk for pk, name in self.names.items() if all(w in plain(name).split() for w in words)
        ]

    def ancestors(self, pk: int) -> list[int]:
        chain, seen = [], set()
        while pk is not None and pk not in seen:
            seen.add(pk)
            chain.append(pk)
            pk = self.parents.get(pk)
        return chain


def build_tree(using: str = "default") -> TopicTree:
    """The topic tree from the database (three small queries)."""
    from archive.models import AgendaItemTopic, Topic

    tree = TopicTree()
    for pk, name, slug, parent in Topic.objects.using(using).values_list(
        "pk", "name", "slug", "parent_id"
    ):
        tree.names[pk], tree.slugs[pk], tree.parents[pk] = name, slug, parent
    direct: dict[int, set[int]] = defaultdict(set)
    for item_id, slug, topic_id in AgendaItemTopic.objects.using(using).values_list(
        "agenda_item_id", "agenda_item__slug", "topic_id"
    ):
        direct[topic_id].add(item_id)
        tree.item_by_slug[slug] = item_id
    tree.items = {pk: set() for pk in tree.names}
    for topic_id, items in direct.items():
        for ancestor in tree.ancestors(topic_id):
            tree.items.setdefault(ancestor, set()).update(items)
            for item in items:
                tree.topics_of_item.setdefault(item, set()).add(ancestor)
    return tree


_tree = PerVersion(build_tree)


def topic_tree() -> TopicTree:
    """The topic tree for the archive as this request sees it (built once per version)."""
    return _tree.get()


@dataclass(frozen=True)
class FacetRow:
    """One topic facet entry: the slug for the URL, the name shown, the statements counted."""

    slug: str
    name: str
    count: int


def topic_facet(item_counts: list[tuple[str, str, int]], *, limit: int) -> list[FacetRow]:
    """Topic counts from per-agenda-item counts ``(agenda item slug, title, n)``.

    A statement counts once under each topic its agenda item belongs to (and their broader
    topics); agenda items under no topic are listed under their own title, so no count is lost.
    """
    tree = topic_tree()
    totals: dict[int, int] = defaultdict(int)
    rows: list[tuple[str, str, int]] = []  # FacetRow's fields: rows made only for the top few
    for slug, title, count in item_counts:
        topics = tree.topics_of_item.get(tree.item_by_slug.get(slug, -1), ())
        if not topics:
            rows.append((slug, title, count))
        for topic in topics:
            totals[topic] += count
    rows += [(tree.slugs[pk], tree.names[pk], n) for pk, n in totals.items()]
    rows.sort(key=lambda r: (-r[2], r[1]))
    return [FacetRow(*row) for row in rows[:limit]]
