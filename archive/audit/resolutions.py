"""Resolutions: numbers the sources lack, placeholders where a meeting should be, dates and
meetings that are not their vote's, and what the archive does not hold about each."""

from __future__ import annotations

import re
from collections.abc import Iterator

from archive.audit import Finding, audit
from archive.models import Resolution

AREA = "resolutions"
PLACEHOLDER = re.compile(r"^\s*--\s*$|^V\d+$|\?\?")


def _runs(runs: list[tuple[int, int]]) -> str:
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


@audit(AREA)
def missing_numbers() -> Iterator[Finding]:
    """Numbers between 1 and the highest held that no source gives."""
    for low, high in Resolution.objects.missing_numbers():
        yield Finding(
            AREA,
            "missing_number",
            f"resolution{'s' if high > low else ''} {_runs([(low, high)])} not in the sources",
            explained="the lookup names the missing numbers",
        )


@audit(AREA)
def meeting_placeholders() -> Iterator[Finding]:
    """A meeting given as "--" or as a code."""
    for number, year, symbol in Resolution.objects.values_list("number", "year", "meeting_symbol"):
        if symbol and PLACEHOLDER.search(symbol):
            yield Finding(AREA, "meeting_placeholder", f"{number} ({year}): meeting {symbol!r}")


@audit(AREA)
def not_their_votes() -> Iterator[Finding]:
    """A resolution whose date or meeting is not its vote's (the reconciliation keeps them
    equal)."""
    rows = Resolution.objects.filter(vote__isnull=False).values_list(
        "number", "year", "adopted_on", "meeting", "vote__date", "vote__meeting"
    )
    for number, year, adopted_on, meeting, vote_date, vote_meeting in rows:
        if (adopted_on, meeting) != (vote_date, vote_meeting):
            yield Finding(
                AREA, "not_the_votes", f"{number} ({year}): date or meeting not its vote's"
            )


@audit(AREA)
def what_is_not_held() -> Iterator[Finding]:
    """Resolutions without a vote, a date, or a meeting record in the archive: said on the page."""
    rows = Resolution.objects.values_list(
        "number", "year", "vote", "adopted_on", "meeting__speech_count", "vote__meeting_note"
    )
    for number, year, vote, adopted_on, speeches, note in rows:
        label = f"{number} ({year})"
        if vote is None:
            yield Finding(AREA, "no_vote", label, explained="the page says the vote is not held")
        if adopted_on is None:
            yield Finding(AREA, "no_date", label, explained="the page says the day is not held")
        if not speeches and not note:
            yield Finding(
                AREA,
                "meeting_record_not_held",
                label,
                explained="the page says the meeting's record is not held and links to it",
            )
