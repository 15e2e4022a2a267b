"""The review queue ("Needs review"): what a person must decide, section by section.

Each section is a small independent piece registered here: a title, a count, its rows, the
template that shows them and the permission needed to act on them. The queue page and the admin
home list the sections a user may act on, with their counts and links::

    review.register(review.Section(
        slug="printed-names",
        title="Unresolved printed names",
        description="...",
        permission="archive.map_printed_name",
        count=count_function,            # () -> int
        rows=rows_function,              # (limit: int | None) -> list
        template="admin/review/printed_names.html",
    ))

Sections live in their own modules (``archive.review.printed_names``, ...), imported by
``archive.review.sections``; a branch that adds a kind of decision adds one module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """One kind of decision the queue lists."""

    slug: str
    title: str
    description: str
    permission: str
    count: Callable[[], int]
    rows: Callable[[int | None], list]
    template: str
    order: int = 100
    # Kinds of curation decision (archive.curation) this section records: whoever may act on
    # the section may also undo them.
    decision_kinds: tuple[str, ...] = ()

    def visible_to(self, user) -> bool:
        """Whether ``user`` may see and act on this section."""
        return bool(user.is_active and user.is_staff and user.has_perm(self.permission))


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> Section:
    """Add a section to the queue (once per slug)."""
    if section.slug in _SECTIONS and _SECTIONS[section.slug] != section:
        raise ValueError(f"a review section {section.slug!r} is already registered")
    _SECTIONS[section.slug] = section
    return section


def all_sections() -> list[Section]:
    """Every registered section, in display order."""
    from archive.review import sections  # noqa: F401  registers the built-in sections

    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.title))


def sections_for(user) -> list[Section]:
    """The sections ``user`` may act on."""
    return [section for section in all_sections() if section.visible_to(user)]


def get_section(slug: str) -> Section | None:
    """The section with this slug, if registered."""
    return next((s for s in all_sections() if s.slug == slug), None)


def may_undo(user, kind: str) -> bool:
    """Whether ``user`` may undo a decision of ``kind`` (superusers may undo any)."""
    if user.is_active and user.is_superuser:
        return True
    return any(kind in section.decision_kinds for section in sections_for(user))


def total_count(user) -> int:
    """How many items wait for ``user`` across the sections they may act on.

    For the admin home, on every visit: each section's count is kept in the cache for the
    archive's current version (every table behind a section bumps it), so it is computed once
    per change of the archive, not once per page.
    """
    from django.core.cache import cache

    from archive.middleware import archive_validators

    version = archive_validators(using="default").etag
    total = 0
    for section in sections_for(user):
        key = f"review-count:{section.slug}:{version}"
        count = cache.get(key)
        if count is None:
            count = section.count()
            cache.set(key, count, 3600)
        total += count
    return total
