"""What the archive holds, in words, for any list or page to say beside what it shows.

"Full statements are held for 2020; the list of meetings covers 1946 to 2022 and votes 1946 to
2025." A reader who finds no statement of South Africa in 2019 learns that the archive holds
none for that year, not that South Africa said nothing. Computed once per archive version.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Max, Min
from django.db.models.functions import ExtractYear

from archive.filter_options import PerVersion


@dataclass(frozen=True)
class Holdings:
    """Years the archive holds statements for, and the span of its meetings and votes."""

    statement_years: tuple[int, ...] = field(default_factory=tuple)
    meetings: tuple[int | None, int | None] = (None, None)
    votes: tuple[int | None, int | None] = (None, None)


def _holdings(using: str) -> Holdings:
    from archive.models import Meeting, Speech, Vote

    years = (
        Speech.objects.using(using)
        .exclude(meeting_date__isnull=True)
        .annotate(y=ExtractYear("meeting_date"))
        .values_list("y", flat=True)
        .distinct()
    )
    meetings = Meeting.objects.using(using).aggregate(first=Min("date"), last=Max("date"))
    votes = Vote.objects.using(using).aggregate(first=Min("date"), last=Max("date"))

    def span(row) -> tuple[int | None, int | None]:
        return (
            row["first"].year if row["first"] else None,
            row["last"].year if row["last"] else None,
        )

    return Holdings(tuple(sorted(set(years))), span(meetings), span(votes))


_cache = PerVersion(_holdings)


def holdings() -> Holdings:
    """What the archive holds (per archive version)."""
    return _cache.get()


def years_text(years) -> str:
    """ "2020", "2019 and 2020", "1994–1996 and 2020": runs of years in words."""
    years = sorted(set(years))
    if not years:
        return ""
    runs: list[list[int]] = [[years[0], years[0]]]
    for year in years[1:]:
        if year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    parts = [str(a) if a == b else f"{a}–{b}" for a, b in runs]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def holdings_text(held: Holdings | None = None) -> str:
    """One sentence: what the archive holds."""
    held = held or holdings()
    parts = []
    if held.statement_years:
        parts.append(f"full statements are held for {years_text(held.statement_years)}")
    else:
        parts.append("no statements are held yet")
    if held.meetings[0]:
        parts.append(f"the list of meetings covers {held.meetings[0]} to {held.meetings[1]}")
    if held.votes[0]:
        parts.append(f"votes {held.votes[0]} to {held.votes[1]}")
    sentence = "; ".join(parts[:1]) + ("; " + " and ".join(parts[1:]) if parts[1:] else "")
    return sentence[0].upper() + sentence[1:] + "."


def empty_statements_text(*, who: str, year: int | None = None) -> str:
    """Why a list of someone's statements is empty, and what the archive does hold."""
    held = holdings()
    when = f" for {year}" if year else ""
    if year and year in held.statement_years:
        return f"The archive holds statements for {year}, but none of {who} match these filters."
    return f"No statements of {who} are held{when}. {holdings_text(held)}"
