"""What State and meeting pages say beyond their rows: who spoke (every statement counted),
Council seats in words, the topics of a meeting."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connections

from archive.models import CouncilTerm, Meeting, MemberState, Speech
from archive.topics.lookup import topic_tree
from archive.urlcache import cached_reverse


@dataclass(frozen=True)
class Spoken:
    """What a State's page says of its statements: per year, in all, and by whom."""

    per_year: list[tuple[int, int]]
    total: int
    # Everyone who made them, with how many each (persons, then the statements whose speaker
    # the source does not name), so that the counts add up to every statement.
    representatives: list[dict]


# Counted per speaker and year first (an index scan of the State's statements), then the ~100
# speakers looked up by id: joined to all 8,000 speakers and persons, the planner (expecting
# a thousand groups) hashed both tables, which took twice as long as the rest.
_SPOKEN = """
WITH g AS MATERIALIZED (
    SELECT EXTRACT(YEAR FROM meeting_date)::integer AS year, speaker_id,
           count(*) AS n, max(meeting_date) AS last
    FROM archive_speech WHERE member_state_id = %s GROUP BY 1, 2
)
SELECT g.year, x.person_id, x.name, sum(g.n)::integer, max(g.last)
FROM g LEFT JOIN (
    SELECT sp.id, sp.person_id, p.name FROM archive_speaker sp
    LEFT JOIN archive_person p ON p.id = sp.person_id
    WHERE sp.id = ANY(ARRAY(SELECT speaker_id FROM g))
) x ON x.id = g.speaker_id
GROUP BY 1, 2, 3
"""


def state_statements(state: MemberState) -> Spoken:
    """A State's statements counted per year and per person who made them, in one query."""
    with connections[Speech.objects.all().db].cursor() as cursor:
        cursor.execute(_SPOKEN, [state.pk])
        rows = cursor.fetchall()
    per_year: dict[int, int] = defaultdict(int)
    by_person: dict[tuple, list] = {}
    for year, person_id, name, n, last in rows:
        if year is not None:
            per_year[year] += n
        counted = by_person.setdefault((person_id, name or ""), [0, None])
        counted[0] += n
        counted[1] = max(filter(None, (counted[1], last)), default=None)
    representatives = [
        {
            "name": name,
            "url": cached_reverse("archive:person", person_id) if person_id else "",
            "n": n,
            "count": f"{n:,}",
            "last": last,
        }
        for (person_id, name), (n, last) in by_person.items()
    ]
    # Most statements first; then by name, the statements of no named person last.
    representatives.sort(key=lambda r: (-r["n"], not r["url"], r["name"]))
    return Spoken(
        per_year=sorted(per_year.items()),
        total=sum(per_year.values()),
        representatives=representatives,
    )


def seat_texts(state: MemberState, terms: list[CouncilTerm]) -> list[dict]:
    """The State's seats in words; a permanent seat has no end, and one that passed to a
    successor says so ("holds the seat of the Union of Soviet Socialist Republics since 1991")."""
    year = datetime.date.today().year
    permanent = any(t.seat == CouncilTerm.Seat.PERMANENT for t in terms)
    predecessors = (
        list(
            CouncilTerm.objects.filter(
                member_state__successor=state, seat=CouncilTerm.Seat.PERMANENT
            ).select_related("member_state")
        )
        if permanent  # only a permanent seat passes to a successor
        else []
    )
    seats = []
    for term in terms:
        if term.seat != CouncilTerm.Seat.PERMANENT:
            span = str(term.start_year)
            if term.end_year != term.start_year:
                span += f"–{term.end_year}"
            seats.append({"text": f"Elected member {span}", "note": term.note})
            continue
        before = next(
            (p for p in predecessors if p.end_year in (term.start_year - 1, term.start_year)),
            None,
        )
        if term.end_year >= year and before is not None:
            text = (
                f"Permanent member: holds the seat of the {before.member_state.name} "
                f"since {before.end_year}"
            )
        elif term.end_year >= year:
            text = f"Permanent member since {term.start_year}"
        else:
            text = f"Permanent member {term.start_year}–{term.end_year}"
            if state.successor_id:
                text += f"; the seat passed to the {state.successor.name} in {term.end_year}"
        seats.append({"text": text, "note": term.note})
    return seats


def meeting_topics(meeting: Meeting) -> list[dict]:
    """The topics a meeting's agenda item is gathered under, broadest last."""
    tree = topic_tree()
    ids = tree.topics_of_item.get(meeting.agenda_item_id, set())
    return sorted(
        ({"slug": tree.slugs[pk], "name": tree.names[pk]} for pk in ids),
        key=lambda t: t["name"],
    )
