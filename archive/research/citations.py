"""The resolution citation graph: which Council resolutions each resolution's text cites.

``build_citations`` reads every ``Resolution.text`` with the transcript parser's grammar
(``archive.parsing.citations``) and writes the difference to ``ResolutionCitation`` in one
transaction: running it twice changes nothing the second time. A citation is linked to a
resolution only when both its number and its year match one (numbers run on across the years,
so a year that does not fit its number is a misprint or not a Council resolution: "Treaty
Series, vol. 382 (1960)") and the cited resolution is older than the citing one; the others are
kept as printed and never counted as links.

``lineage`` answers "the chain of resolutions on the same subject that cite each other": the
resolutions of the same agenda item reachable from a resolution through citations, in either
direction (1325 (2000) -> 1820 (2008) -> 1888 (2009) -> ... on women and peace and security).
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import transaction
from django.db.models import Count, Q

from archive.models import Resolution, ResolutionCitation
from archive.parsing.citations import scan_resolution_text
from archive.urlcache import cached_reverse

_FIELDS = ("cited_id", "paragraph", "paragraphs", "context")
_CITATION = ("citing", "cited", "number", "year", "paragraph", "paragraphs", "context")


@dataclass
class CitationBuild:
    """What a build found and changed."""

    texts: int = 0
    citations: int = 0
    # Dated citations whose number and year match no resolution in the archive.
    unmatched: int = 0
    # Numbers cited without a year: not linked (see archive.parsing.citations).
    undated: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0

    def __str__(self) -> str:
        return (
            f"{self.texts:,} resolution texts: {self.citations:,} citations of Council "
            f"resolutions ({self.unmatched:,} matching no resolution's number and year, kept as "
            f"printed), {self.undated:,} undated numbers left aside; {self.created:,} created, "
            f"{self.updated:,} updated, {self.deleted:,} deleted"
        )


def wanted_citations() -> tuple[dict[tuple[int, int, int], dict], CitationBuild]:
    """The citation rows the texts call for, keyed on (citing id, number, year)."""
    index = {(n, y): pk for pk, n, y in Resolution.objects.values_list("pk", "number", "year")}
    result = CitationBuild()
    wanted: dict[tuple[int, int, int], dict] = {}
    texts = Resolution.objects.exclude(text="").values_list("pk", "number", "text")
    for pk, number, text in texts.iterator(chunk_size=200):
        result.texts += 1
        scan = scan_resolution_text(text, number=number)
        result.undated += len(scan.undated)
        for found in scan.citations:
            # A resolution cannot cite a later one: such a "citation" is a misprint ("694
            # (1991) of 29 October 1990" for 674) or a text filed under the wrong number.
            cited = index.get((found.number, found.year)) if found.number < number else None
            result.unmatched += cited is None
            wanted[(pk, found.number, found.year)] = {
                "cited_id": cited,
                "paragraph": min(found.paragraph, 32767),
                "paragraphs": min(found.paragraphs, 32767),
                "context": found.context,
            }
    result.citations = len(wanted)
    return wanted, result


def build_citations() -> CitationBuild:
    """Bring ResolutionCitation in line with the resolution texts; idempotent."""
    wanted, result = wanted_citations()
    with transaction.atomic():
        existing = {
            (row["citing_id"], row["number"], row["year"]): row
            for row in ResolutionCitation.objects.select_for_update().values(
                "pk", "citing_id", "number", "year", *_FIELDS
            )
        }
        stale = [row["pk"] for key, row in existing.items() if key not in wanted]
        changed, new = [], []
        for key, values in wanted.items():
            row = existing.get(key)
            if row is None:
                citing, number, year = key
                new.append(ResolutionCitation(citing_id=citing, number=number, year=year, **values))
            elif any(row[name] != values[name] for name in _FIELDS):
                changed.append(ResolutionCitation(pk=row["pk"], **values))
        if stale:
            ResolutionCitation.objects.filter(pk__in=stale).delete()
        ResolutionCitation.objects.bulk_create(new, batch_size=1000)
        ResolutionCitation.objects.bulk_update(changed, list(_FIELDS), batch_size=1000)
    result.created, result.updated, result.deleted = len(new), len(changed), len(stale)
    return result


# --------------------------------------------------------------------------- reads


class Citing(NamedTuple):
    """A resolution citing the one shown: its number and year, enough to name and link it."""

    number: int
    year: int

    @property
    def label(self) -> str:
        return f"{self.number} ({self.year})"

    def get_absolute_url(self) -> str:
        return cached_reverse("archive:resolution", self.number, self.year)


@dataclass
class ResolutionCitations:
    """What a resolution's page shows of the graph."""

    has_text: bool
    cites: list[ResolutionCitation]
    # Citations as printed that match no resolution (never counted as links).
    unmatched: list[ResolutionCitation]
    cited_by: list[Citing]


def citations_of(resolution: Resolution) -> ResolutionCitations:
    """The resolutions ``resolution`` cites and those citing it (two queries)."""
    # The other resolution's number, year and title only: never its text (10 kB each, and
    # 1325 (2000) is cited by 224 resolutions).
    made = list(
        ResolutionCitation.objects.filter(citing=resolution)
        .select_related("cited")
        .only(*_CITATION, "cited__number", "cited__year", "cited__title")
        .order_by("paragraph", "year", "number")
    )
    # Only the citing resolutions' numbers and years: 1325 (2000) is cited by 224.
    received = [
        Citing(number, year)
        for number, year in Resolution.objects.filter(
            pk__in=ResolutionCitation.objects.filter(cited=resolution).values("citing_id")
        )
        .order_by("year", "number")
        .values_list("number", "year")
    ]
    return ResolutionCitations(
        has_text=bool(resolution.text),
        cites=[c for c in made if c.cited_id is not None],
        unmatched=[c for c in made if c.cited_id is None],
        cited_by=received,
    )


@dataclass
class LineageEntry:
    """One resolution of a lineage, with its links inside the lineage."""

    resolution: Resolution
    cites: list[Resolution] = field(default_factory=list)
    cited_by: list[Resolution] = field(default_factory=list)
    cited_by_all: int = 0


@dataclass
class Lineage:
    """Resolutions of one subject linked by citations, oldest first."""

    root: Resolution
    entries: list[LineageEntry]
    # False when the root has no agenda item: the lineage is then its direct links only.
    by_subject: bool

    @property
    def years(self) -> list[tuple[int, list[LineageEntry]]]:
        """Entries grouped by year of adoption, oldest first."""
        grouped: dict[int, list[LineageEntry]] = defaultdict(list)
        for entry in self.entries:
            grouped[entry.resolution.year].append(entry)
        return sorted(grouped.items())

    @property
    def links(self) -> int:
        return sum(len(e.cites) for e in self.entries)


def _edges(resolution: Resolution) -> list[tuple[int, int]]:
    """(citing, cited) pairs the lineage walks: same agenda item, or the root's own links."""
    links = ResolutionCitation.objects.filter(cited__isnull=False)
    if resolution.agenda_item_id is not None:
        links = links.filter(
            citing__agenda_item_id=resolution.agenda_item_id,
            cited__agenda_item_id=resolution.agenda_item_id,
        )
    else:
        links = links.filter(Q(citing=resolution) | Q(cited=resolution))
    return list(links.values_list("citing_id", "cited_id"))


def lineage(resolution: Resolution) -> Lineage:
    """The resolutions of ``resolution``'s subject connected to it by citations, either way."""
    edges = _edges(resolution)
    neighbours: dict[int, set[int]] = defaultdict(set)
    for citing, cited in edges:
        neighbours[citing].add(cited)
        neighbours[cited].add(citing)
    seen, queue = {resolution.pk}, deque([resolution.pk])
    while queue:
        for other in neighbours[queue.popleft()] - seen:
            seen.add(other)
            queue.append(other)
    rows = (
        Resolution.objects.filter(pk__in=seen)
        .annotate(received=Count("citations_received", distinct=True))
        .only("pk", "number", "year", "title", "adopted_on", "agenda_item_id")
        .order_by("year", "number")
    )
    entries = {r.pk: LineageEntry(resolution=r, cited_by_all=r.received) for r in rows}
    for citing, cited in sorted(set(edges)):
        if citing in entries and cited in entries:
            entries[citing].cites.append(entries[cited].resolution)
            entries[cited].cited_by.append(entries[citing].resolution)
    for entry in entries.values():
        entry.cites.sort(key=lambda r: (r.year, r.number))
        entry.cited_by.sort(key=lambda r: (r.year, r.number))
    return Lineage(
        root=resolution,
        entries=list(entries.values()),
        by_subject=resolution.agenda_item_id is not None,
    )
