"""Load the reference tables (member states, names, Council terms, meetings, resolutions, votes,
vetoes, resolution texts) from the shared data folder, idempotently.

One module per source: ``members`` (the UN member-state list), ``aliases`` (spellings of States
and bodies), ``membership`` (Council terms), ``meetings`` (the UN Library's meetings table, its
failed drafts included), ``resolutions`` (its resolutions table and the draft-resolutions
export), ``votes`` (the votes-by-member file), ``vetoes`` (the vetoes file), ``texts``
(resolution texts); ``base``, ``values``, ``dates`` and ``claims`` hold what they share.

Provenance: each source's statement about a vote is a ``VoteClaim`` (``claims``); the votes and
members' votes shown are derived from the claims by the last step, ``reconcile``, which never
overrides a person's recorded choice nor a record's reading awaiting one.

Every step reads its files, builds the rows it wants in memory, compares them with what the
database holds (one query per table) and writes only the difference in bulk, inside one
transaction per table. Running the load twice changes nothing the second time.

Rows that cannot be read or matched are never dropped silently: each becomes a ``Problem`` with
the file and line number, returned in the step's ``LoadResult``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from archive.models import (
    Affiliation,
    AgendaItem,
    CouncilTerm,
    Meeting,
    MemberState,
    MemberVote,
    NameAlias,
    Resolution,
    Vote,
    VoteClaim,
)
from archive.names import NameResolver
from archive.reference_data.aliases import load_affiliations_and_aliases
from archive.reference_data.base import (
    COUNTRY_ALIASES_CSV,
    COUNTRY_CONVERTER_TSV,
    DRAFTS_CSV,
    ENTITIES_CSV,
    MEETINGS_CSV,
    MEMBER_STATES_CSV,
    RESOLUTIONS_CSV,
    TERMS_CSV,
    TEXTS_DIR,
    VETOES_CSV,
    VOTES_CSV,
    LoadResult,
    Problem,
    read_csv,
    sync_rows,
)
from archive.reference_data.meetings import agenda_slug, load_meeting_decisions, load_meetings
from archive.reference_data.members import load_member_states
from archive.reference_data.membership import load_council_terms
from archive.reference_data.reconcile import reconcile_votes
from archive.reference_data.resolutions import load_resolutions
from archive.reference_data.texts import clean_resolution_text, load_resolution_texts
from archive.reference_data.values import (
    date_from_text,
    meeting_symbol,
    parse_meeting_symbol,
    parse_resolution_label,
    reliable_votes_file_date,
)
from archive.reference_data.vetoes import load_vetoes
from archive.reference_data.votes import load_member_votes

__all__ = [
    "COUNTRY_ALIASES_CSV",
    "COUNTRY_CONVERTER_TSV",
    "DRAFTS_CSV",
    "ENTITIES_CSV",
    "MEETINGS_CSV",
    "MEMBER_STATES_CSV",
    "RESOLUTIONS_CSV",
    "STEPS",
    "TERMS_CSV",
    "TEXTS_DIR",
    "VETOES_CSV",
    "VOTES_CSV",
    "LoadResult",
    "Problem",
    "agenda_slug",
    "clean_resolution_text",
    "date_from_text",
    "load_affiliations_and_aliases",
    "load_council_terms",
    "load_meetings",
    "load_meeting_decisions",
    "load_member_states",
    "load_member_votes",
    "load_reference_data",
    "load_resolution_texts",
    "load_resolutions",
    "load_vetoes",
    "meeting_symbol",
    "parse_meeting_symbol",
    "parse_resolution_label",
    "read_csv",
    "reconcile_votes",
    "reliable_votes_file_date",
    "sync_rows",
    "table_counts",
]

STEPS = (
    "member_states",
    "affiliations_and_aliases",
    "council_terms",
    "meetings",
    "resolutions",
    "meeting_decisions",
    "member_votes",
    "vetoes",
    "resolution_texts",
    "reconciliation",
    "resolution_citations",
)


def load_reference_data(
    *,
    data_dir: Path | None = None,
    fixtures_dir: Path | None = None,
    progress: Callable[[LoadResult], None] | None = None,
) -> list[LoadResult]:
    """Run every step in order; each step is its own transaction. Returns one result per step."""
    data_dir = Path(data_dir or settings.COUNCIL_ARCHIVE_DATA)
    results = []

    def run(step: Callable[..., LoadResult], **kwargs) -> None:
        started = time.perf_counter()
        step_result = step(data_dir=data_dir, **kwargs)
        step_result.seconds = time.perf_counter() - started
        results.append(step_result)
        if progress:
            progress(step_result)

    run(load_member_states, fixtures_dir=fixtures_dir)
    run(load_affiliations_and_aliases, fixtures_dir=fixtures_dir)
    resolver = NameResolver.load()
    run(load_council_terms, resolver=resolver)
    run(load_meetings)
    run(load_resolutions)
    run(load_meeting_decisions, resolver=resolver)
    run(load_member_votes, resolver=resolver)
    run(load_vetoes, resolver=resolver)
    run(load_resolution_texts)
    run(reconciliation)
    run(load_topics)
    run(resolution_citations)
    return results


def reconciliation(*, data_dir: Path) -> LoadResult:
    """The last step: every vote's shown values derived again from its claims."""
    return reconcile_votes()


def load_topics(*, data_dir: Path) -> LoadResult:
    """Gather the agenda items under their topics by the topic rules (archive.topics)."""
    from archive.topics.rules import assign_topics

    result = LoadResult("topics")
    added, removed = assign_topics()
    result.created["AgendaItemTopic"] += added
    result.deleted["AgendaItemTopic"] += removed
    return result


def resolution_citations(*, data_dir: Path) -> LoadResult:
    """The citation graph from the texts just loaded (archive.research.citations)."""
    from archive.research.citations import build_citations

    result = LoadResult("resolution citations")
    built = build_citations()
    result.created["ResolutionCitation"] = built.created
    result.updated["ResolutionCitation"] = built.updated
    result.deleted["ResolutionCitation"] = built.deleted
    result.unchanged["ResolutionCitation"] = built.citations - built.created - built.updated
    return result


def table_counts() -> dict[str, int]:
    """Rows per reference table, for reports and tests."""
    tables = [
        MemberState,
        Affiliation,
        NameAlias,
        CouncilTerm,
        AgendaItem,
        Meeting,
        Resolution,
        Vote,
        MemberVote,
        VoteClaim,
    ]
    return {model.__name__: model.objects.count() for model in tables}
