"""One person per new spelling, and the name a person is shown under.

Imports create ``Speaker`` rows (printed spellings) in bulk; ``ensure_persons`` then gives each
new spelling its folded key and a person of its own. Nothing here merges two spellings: that is
staff's decision (``archive.people.merges``), on a proposal (``archive.people.proposals``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q

from archive.models import Meeting, Speaker, Speech
from archive.people.folding import fold_name, name_tokens, plain
from archive.people.models import Person

_OFFICIAL = (Meeting.Source.PDF, Meeting.Source.TEXT)
_OCR_TRACES = re.compile(r"ii|[¢©®°\d]")


def fold_speakers(speakers: Iterable[Speaker] | None = None) -> int:
    """Store the folded key of every spelling that lacks it (or of ``speakers``)."""
    rows = list(speakers) if speakers is not None else list(Speaker.objects.filter(folded_name=""))
    changed = []
    for speaker in rows:
        folded = fold_name(speaker.name)[:200]
        # A spelling with nothing to fold ("..." as printed) keeps "": writing it again would
        # count as a change of the archive (a new version, caches dropped) on every import.
        if folded != speaker.folded_name:
            speaker.folded_name = folded
            changed.append(speaker)
    Speaker.objects.bulk_update(changed, ["folded_name"], batch_size=1000)
    return len(changed)


def ensure_persons() -> list[int]:
    """Give every spelling without a person a person of its own; returns the new persons' ids."""
    fold_speakers()
    orphans = list(Speaker.objects.filter(person__isnull=True).order_by("pk"))
    if not orphans:
        return []
    persons = Person.objects.bulk_create(
        Person(
            name=speaker.name,
            folded_name=speaker.folded_name,
            member_state_id=speaker.member_state_id,
            affiliation_id=speaker.affiliation_id,
        )
        for speaker in orphans
    )
    for speaker, person in zip(orphans, persons, strict=True):
        speaker.person = person
    Speaker.objects.bulk_update(orphans, ["person"], batch_size=1000)
    return [person.pk for person in persons]


def spelling_score(name: str, *, official: bool, statements: int) -> tuple:
    """How good a spelling is to show a person under: printed in an official record first,
    then without OCR traces ("Jiirgenson"), then the fullest, then the most used."""
    words = plain(name).split()
    return (
        official,
        not _OCR_TRACES.search(" ".join(words)),
        len(name_tokens(name)),
        name != name.encode("ascii", "ignore").decode(),  # keeps diacritics: "Jürgenson"
        statements,
    )


def best_spelling(person: Person) -> tuple[str, int | None, int | None]:
    """The spelling, State and body a person is best shown under, from all their spellings."""
    spellings = list(
        Speaker.objects.filter(person=person).annotate(
            n=Count("speeches"),
            official=Count("speeches", filter=Q(speeches__meeting__source__in=_OFFICIAL)),
        )
    )
    if not spellings:
        return person.name, person.member_state_id, person.affiliation_id
    best = max(
        spellings,
        key=lambda s: spelling_score(s.name, official=s.official > 0, statements=s.n),
    )
    bodies: Counter[tuple[int | None, int | None]] = Counter()
    for spelling in spellings:
        bodies[(spelling.member_state_id, spelling.affiliation_id)] += spelling.n or 1
    state, affiliation = bodies.most_common(1)[0][0]
    return best.name, state, affiliation


def refresh_person(person: Person) -> Person:
    """Recompute a person's shown name (unless curated), key and body from their spellings."""
    name, state, affiliation = best_spelling(person)
    if not person.name_is_curated:
        person.name = name[:200]
    person.folded_name = fold_name(person.name)[:200]
    person.member_state_id, person.affiliation_id = state, affiliation
    person.save(update_fields=["name", "folded_name", "member_state", "affiliation"])
    return person


def spellings_by_person(person_ids: Iterable[int]) -> dict[int, list[Speaker]]:
    """Each person's spellings, most used first (one query)."""
    result: dict[int, list[Speaker]] = defaultdict(list)
    rows = (
        Speaker.objects.filter(person_id__in=list(person_ids))
        .select_related("member_state", "affiliation")
        .annotate(n=Count("speeches"))
        .order_by("-n", "name")
    )
    for speaker in rows:
        result[speaker.person_id].append(speaker)
    return result


def statements_of(person: Person):
    """Every statement made under any of a person's spellings."""
    return Speech.objects.filter(speaker__person=person)
