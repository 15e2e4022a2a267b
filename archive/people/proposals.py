"""Find spellings that probably name one person, and propose them to staff for merging.

Two persons are proposed when they spoke for the same State or body, in overlapping periods
(or within ``MAX_GAP_YEARS``), under names that fold alike: every word of the shorter name
matches a word of the longer one ("Mr. Matjila" and "Mr. Jerry Matthews Matjila"), allowing for
the OCR errors the folding does not undo ("Jtirgenson"). Honorifics of different genders,
offices ("The President") and cover-page entries naming two people ("Mr. Nebenzia/Mr.
Polyanskiy") are never proposed. Persons with the same full name (two words or
more) who spoke for different bodies are proposed with a lower score, for staff to judge a
source's mislabelling. Nothing is merged here: ``archive.people.merges`` applies staff's choice.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.db import transaction
from django.db.models import Count, Max, Min

from archive.models import Speaker
from archive.people.folding import gender_of, is_office, name_tokens
from archive.people.models import PersonMergeProposal

THRESHOLD = 0.8
WORD_RATIO = 0.75
MAX_GAP_YEARS = 3
OTHER_BODY_FACTOR = 0.6


@dataclass
class PersonFacts:
    """What proposals compare: a live person's spellings, bodies, genders and time span."""

    pk: int
    spellings: list[str] = field(default_factory=list)
    bodies: set[tuple[int | None, int | None]] = field(default_factory=set)
    body_names: dict[tuple[int | None, int | None], str] = field(default_factory=dict)
    genders: set[str] = field(default_factory=set)
    first: datetime.date | None = None
    last: datetime.date | None = None
    statements: int = 0

    @property
    def is_office(self) -> bool:
        """An office ("The President") or a cover-page entry naming two people ("X/Y")."""
        return any(is_office(name) or "/" in name for name in self.spellings)

    def span(self) -> str:
        if not self.first:
            return "no dated statement"
        if not self.last or (self.first.year, self.first.month) == (
            self.last.year,
            self.last.month,
        ):
            return self.first.strftime("%B %Y")
        return f"{self.first:%B %Y} to {self.last:%B %Y}"


@dataclass(frozen=True)
class Match:
    """A proposed pair: how alike (0-1) and why."""

    a: int
    b: int
    score: float
    reasons: tuple[str, ...]


def word_ratio(short: str, long: str) -> float:
    """How alike two folded words are; an initial matches any word it begins."""
    if short == long:
        return 1.0
    if len(short) == 1 or len(long) == 1:
        return 1.0 if short[0] == long[0] else 0.0
    return SequenceMatcher(None, short, long).ratio()


def name_likeness(first: str, second: str) -> float:
    """0 to 1: every word of the shorter name must match a word of the longer one."""
    one, two = name_tokens(first), name_tokens(second)
    if not one or not two:
        return 0.0
    short, long = (one, two) if len(one) <= len(two) else (two, one)
    ratios = [max(word_ratio(word, other) for other in long) for word in short]
    anchored = any(
        len(word) >= 4 and max(word_ratio(word, other) for other in long) >= THRESHOLD
        for word in short
    )
    if not anchored or min(ratios) < WORD_RATIO:
        return 0.0
    # A name that adds words ("Mr. Matjila", "Jerry Matjila") is a little less sure than the
    # same words spelt alike; a lone word matching the longer name's first or a middle word
    # ("King Philippe", "Philippe Goffin") less still, though in some languages it is the
    # family name ("Mr. Pham", "Pham Hai Anh").
    factor = 1.0 if len(short) == len(long) else 0.95
    if len(short) == 1 and len(long) > 1:
        at = max(range(len(long)), key=lambda i: word_ratio(short[0], long[i]))
        factor *= 1.0 if at == len(long) - 1 else 0.9 if at == 0 else 0.85
    return sum(ratios) / len(ratios) * factor


def compare(a: PersonFacts, b: PersonFacts) -> Match | None:
    """The proposal for two persons, or None when they should not be proposed."""
    if a.is_office or b.is_office:
        return None
    if a.genders and b.genders and not (a.genders & b.genders):
        return None
    if a.first and b.first and _gap_years(a, b) > MAX_GAP_YEARS:
        return None
    likeness, names = max(
        ((name_likeness(x, y), (x, y)) for x in a.spellings for y in b.spellings),
        key=lambda item: item[0],
    )
    if likeness < THRESHOLD:
        return None
    shared = a.bodies & b.bodies
    reasons = []
    if shared:
        reasons.append(f"same State or body: {a.body_names[next(iter(shared))]}")
        score = likeness
    else:
        same_full_name = any(
            name_tokens(x) == name_tokens(y) and len(name_tokens(x)) >= 2
            for x in a.spellings
            for y in b.spellings
        )
        if not same_full_name:
            return None
        reasons.append(
            "same full name, for different bodies: "
            + " and ".join(sorted({*a.body_names.values(), *b.body_names.values()}))
        )
        score = likeness * OTHER_BODY_FACTOR
    reasons.append(_name_reason(*names, likeness))
    reasons.append(f"statements: {a.span()} ({a.statements}) and {b.span()} ({b.statements})")
    first, second = sorted((a.pk, b.pk))
    return Match(first, second, round(min(score, 1.0), 3), tuple(reasons))


def _gap_years(a: PersonFacts, b: PersonFacts) -> float:
    """Years between the two spans (0 when they overlap)."""
    start, end = max(a.first, b.first), min(a.last or a.first, b.last or b.first)
    return max((start - end).days, 0) / 365.25


def _name_reason(x: str, y: str, likeness: float) -> str:
    if " ".join(name_tokens(x)) == " ".join(name_tokens(y)):
        return f"“{x}” and “{y}” read alike once accents, honorifics and OCR errors are folded"
    one, two = set(name_tokens(x)), set(name_tokens(y))
    if one < two or two < one:
        extra = " ".join(sorted((two - one) or (one - two)))
        return f"“{x}” and “{y}”: one adds “{extra}”"
    return f"“{x}” and “{y}” are spelt alike ({likeness:.0%})"


def load_facts(
    person_ids: Iterable[int] | None = None, *, speaker_model=Speaker
) -> dict[int, PersonFacts]:
    """Facts of every live person (or of ``person_ids``), from their spellings, in one query.

    ``speaker_model``: a data migration passes its historical ``Speaker``.
    """
    rows = speaker_model.objects.filter(person__merged_into__isnull=True, person__isnull=False)
    if person_ids is not None:
        rows = rows.filter(person_id__in=list(person_ids))
    rows = rows.select_related("member_state", "affiliation").annotate(
        n=Count("speeches"), first=Min("speeches__meeting_date"), last=Max("speeches__meeting_date")
    )
    facts: dict[int, PersonFacts] = {}
    for speaker in rows:
        fact = facts.setdefault(speaker.person_id, PersonFacts(speaker.person_id))
        fact.spellings.append(speaker.name)
        body = (speaker.member_state_id, speaker.affiliation_id)
        fact.bodies.add(body)
        owner = speaker.member_state or speaker.affiliation
        fact.body_names[body] = owner.name if owner else "no State or body"
        if gender_of(speaker.name):
            fact.genders.add(gender_of(speaker.name))
        fact.statements += speaker.n
        if speaker.first and (fact.first is None or speaker.first < fact.first):
            fact.first = speaker.first
        if speaker.last and (fact.last is None or speaker.last > fact.last):
            fact.last = speaker.last
    return facts


def candidate_pairs(facts: dict[int, PersonFacts]) -> set[tuple[int, int]]:
    """Pairs worth comparing: same body and a word starting with the same three letters, or
    the same full name (OCR errors rarely touch a name's first letters; folding undoes most)."""
    blocks: dict[tuple, set[int]] = defaultdict(set)
    for fact in facts.values():
        if fact.is_office:
            continue
        for name in fact.spellings:
            tokens = name_tokens(name)
            if len(tokens) >= 2:
                blocks[("name", " ".join(tokens))].add(fact.pk)
            for body in fact.bodies:
                for token in tokens:
                    if len(token) >= 3:
                        blocks[("body", body, token[:3])].add(fact.pk)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        pairs.update(itertools.combinations(sorted(members), 2))
    return pairs


def find_matches(
    facts: dict[int, PersonFacts], *, involving: set[int] | None = None
) -> list[Match]:
    """Every pair of ``facts`` to propose (only pairs with a person of ``involving``, if given)."""
    matches = []
    for a, b in candidate_pairs(facts):
        if involving is not None and a not in involving and b not in involving:
            continue
        match = compare(facts[a], facts[b])
        if match is not None:
            matches.append(match)
    return matches


@transaction.atomic
def propose_merges(*, involving: Iterable[int] | None = None) -> int:
    """Create or refresh pending proposals; a decided pair is never proposed again.

    Returns the number of proposals created. ``involving`` limits the search to pairs with one
    of these persons (after an import: the new persons); without it, pending proposals the
    rules no longer make are withdrawn.
    """
    wanted = set(involving) if involving is not None else None
    if wanted is not None and not wanted:
        return 0
    matches = find_matches(load_facts(), involving=wanted)
    existing = {
        (p.person_a_id, p.person_b_id): p
        for p in PersonMergeProposal.objects.filter(
            person_a_id__in={m.a for m in matches}, person_b_id__in={m.b for m in matches}
        )
    }
    created, refreshed = [], []
    for match in matches:
        proposal = existing.get((match.a, match.b))
        if proposal is None:
            created.append(
                PersonMergeProposal(
                    person_a_id=match.a,
                    person_b_id=match.b,
                    score=match.score,
                    reasons=list(match.reasons),
                )
            )
        elif proposal.status == PersonMergeProposal.Status.PENDING and (
            proposal.score != match.score or proposal.reasons != list(match.reasons)
        ):
            proposal.score, proposal.reasons = match.score, list(match.reasons)
            refreshed.append(proposal)
    PersonMergeProposal.objects.bulk_create(created)
    PersonMergeProposal.objects.bulk_update(refreshed, ["score", "reasons"])
    if wanted is None:
        # Pending proposals the rules no longer make (rules improved) are withdrawn; decided
        # ones stay, and so do those of a person merged away (an undo would bring them back).
        made = {(m.a, m.b) for m in matches}
        stale = [
            p.pk
            for p in PersonMergeProposal.objects.needs_review()
            if (p.person_a_id, p.person_b_id) not in made
        ]
        PersonMergeProposal.objects.filter(pk__in=stale).delete()
    return len(created)


def likely_unmerged() -> list[Match]:
    """Pairs that would be proposed now but have no proposal at all (for the audit)."""
    matches = find_matches(load_facts())
    known = set(PersonMergeProposal.objects.values_list("person_a_id", "person_b_id"))
    return [m for m in matches if (m.a, m.b) not in known]
