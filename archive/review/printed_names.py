"""Review section: printed names no State or organization was found for.

A name is listed once per matching key (``normalise_name``), with every place it stands
unresolved: statements (``Speech.country_as_printed`` with no State or body), presidencies
(``Meeting.presidency_as_printed``), members' lists, vote lists (each source's claim keeps the
names it prints that match no State: ``VoteClaim.unmatched``) and uploads read but not yet
imported. Mapping it is ``archive.name_mapping.map_printed_name``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min

from archive import review
from archive.models import (
    Meeting,
    MeetingMember,
    PrintedMember,
    Speech,
    TranscriptUpload,
    VoteClaim,
    normalise_name,
)

PERMISSION = "archive.map_printed_name"


@dataclass
class PendingUpload:
    """An upload read but not imported that prints the name."""

    pk: int
    original_name: str
    symbol: str


@dataclass
class PrintedName:
    """One unresolved name and where it stands."""

    key: str
    spellings: dict[str, int] = field(default_factory=dict)
    speeches: int = 0
    meetings: int = 0
    members: int = 0
    votes: int = 0
    presidencies: int = 0
    uploads: list[PendingUpload] = field(default_factory=list)
    first_date: datetime.date | None = None
    last_date: datetime.date | None = None
    suggestion: object | None = None  # what the resolver would say now (a NameMatch)

    @property
    def name(self) -> str:
        """The most frequent spelling."""
        return max(self.spellings.items(), key=lambda item: (item[1], item[0]))[0]

    @property
    def total(self) -> int:
        return self.speeches + self.members + self.votes + self.presidencies + len(self.uploads)

    def add_dates(self, first, last) -> None:
        if first and (self.first_date is None or first < self.first_date):
            self.first_date = first
        if last and (self.last_date is None or last > self.last_date):
            self.last_date = last


def unresolved_names(limit: int | None = None) -> list[PrintedName]:
    """Every unresolved printed name, most used first."""
    from archive.names import NameResolver

    resolver = NameResolver.load()
    groups: dict[str, PrintedName] = {}

    def entry(printed: str) -> PrintedName | None:
        if resolver.known_without_body(printed):
            return None
        key = normalise_name(printed)
        if not key:
            return None
        group = groups.setdefault(key, PrintedName(key=key))
        group.spellings.setdefault(printed, 0)
        return group

    for row in (
        Speech.objects.filter(member_state__isnull=True, affiliation__isnull=True)
        .exclude(country_as_printed="")
        .values("country_as_printed")
        .annotate(
            n=Count("id"),
            meetings=Count("meeting_id", distinct=True),
            first=Min("meeting_date"),
            last=Max("meeting_date"),
        )
    ):
        if group := entry(row["country_as_printed"]):
            group.spellings[row["country_as_printed"]] += row["n"]
            group.speeches += row["n"]
            group.meetings += row["meetings"]
            group.add_dates(row["first"], row["last"])
    for row in (
        MeetingMember.objects.filter(member_state__isnull=True)
        .exclude(country_as_printed="")
        .values("country_as_printed")
        .annotate(n=Count("id"))
    ):
        if group := entry(row["country_as_printed"]):
            group.spellings[row["country_as_printed"]] += row["n"]
            group.members += row["n"]
    for row in (
        Meeting.objects.filter(presidency__isnull=True)
        .exclude(presidency_as_printed="")
        .values("presidency_as_printed")
        .annotate(n=Count("id"))
    ):
        if group := entry(row["presidency_as_printed"]):
            group.spellings[row["presidency_as_printed"]] += row["n"]
            group.presidencies += row["n"]
    for unmatched in VoteClaim.objects.exclude(unmatched=[]).values_list("unmatched", flat=True):
        for printed in {PrintedMember.of(e).name for e in unmatched}:
            if group := entry(printed):
                group.spellings[printed] += 1
                group.votes += 1
    _add_pending_uploads(entry, resolver)

    for group in groups.values():
        group.suggestion = resolver.resolve(group.name, record=False)
    ordered = sorted(groups.values(), key=lambda g: (-g.total, g.name.lower()))
    return ordered[:limit] if limit else ordered


def _add_pending_uploads(entry, resolver) -> None:
    """Names printed in uploads read but not imported, that nothing resolves today."""
    for pk, original_name, symbol, names in TranscriptUpload.objects.filter(
        status=TranscriptUpload.Status.PARSED
    ).values_list("pk", "original_name", "symbol", "printed_names"):
        for printed in names or []:
            if resolver.resolve(printed, record=False) is not None:
                continue
            if group := entry(printed):
                group.spellings[printed] += 1
                group.uploads.append(PendingUpload(pk, original_name, symbol))


def find(key: str) -> PrintedName | None:
    """The unresolved name with this matching key, if any is left."""
    return next((g for g in unresolved_names() if g.key == key), None)


def count() -> int:
    """How many distinct unresolved names wait."""
    return len(unresolved_names())


SECTION = review.register(
    review.Section(
        slug="printed-names",
        title="Unresolved printed names",
        description=(
            "Names printed for a speaker, a member or a vote that match no Member State or "
            "organization. They are shown as printed until someone decides what they stand for. "
            "Mapping one re-attributes every statement with that name at once, and future "
            "imports use the mapping."
        ),
        permission=PERMISSION,
        count=count,
        rows=unresolved_names,
        template="admin/review/printed_names.html",
        order=20,
        decision_kinds=("name_mapping",),
    )
)
