"""What State and meeting pages say beyond their rows: who spoke (every statement counted),
Council seats in words, the topics of a meeting."""

from __future__ import annotations

import datetime

from django.db.models import Count, Max, QuerySet
from django.urls import reverse

from archive.models import CouncilTerm, Meeting, MemberState
from archive.topics.lookup import topic_tree


def who_spoke(queryset: QuerySet) -> list[dict]:
    """Everyone who made these statements, with how many each: persons, then the statements
    whose speaker the source does not name, so that the counts add up to every statement."""
    rows = (
        queryset.values("speaker__person_id", "speaker__person__name")
        .annotate(n=Count("id"), last=Max("meeting__date"))
        .order_by("-n", "speaker__person__name")
    )
    return [
        {
            "name": row["speaker__person__name"] or "",
            "url": reverse("archive:person", args=[row["speaker__person_id"]])
            if row["speaker__person_id"]
            else "",
            "n": row["n"],
            "last": row["last"],
        }
        for row in rows
    ]


def seat_texts(state: MemberState, terms: list[CouncilTerm]) -> list[dict]:
    """The State's seats in words; a permanent seat has no end, and one that passed to a
    successor says so ("holds the seat of the Union of Soviet Socialist Republics since 1991")."""
    year = datetime.date.today().year
    predecessors = list(
        CouncilTerm.objects.filter(
            member_state__successor=state, seat=CouncilTerm.Seat.PERMANENT
        ).select_related("member_state")
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
