"""Find persons by any spelling, with or without diacritics ("Jurgenson", "Jürgenson").

Names are matched on their folded keys (``archive.people.folding``): a query matches a spelling
when its folded words appear, in order, as whole words of the spelling's key ("jurgenson" in
"sven jurgenson"). Near misses ("Jurgensen") are offered as suggestions, never taken silently.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict

from django.db.models import Count

from archive.filter_options import PerVersion
from archive.models import Person, Speaker
from archive.people.folding import fold_name

LIMIT = 20


def _live_ids(person_ids) -> list[int]:
    """The persons these now are (merged ones followed to the person they joined)."""
    merged = dict(
        Person.objects.filter(merged_into__isnull=False).values_list("pk", "merged_into_id")
    )
    result = []
    for pk in person_ids:
        seen = set()
        while pk in merged and pk not in seen:
            seen.add(pk)
            pk = merged[pk]
        result.append(pk)
    return list(dict.fromkeys(result))


def find_persons(text: str, *, limit: int = LIMIT) -> list[Person]:
    """Persons with a spelling whose folded words hold the query's, most statements first."""
    key = fold_name(text)
    if len(key.replace(" ", "")) < 2:
        return []
    pattern = r"(^| )" + re.escape(key) + r"( |$)"
    ids = set(
        Speaker.objects.filter(folded_name__regex=pattern, person__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    if not ids:
        return []
    live = _live_ids(sorted(ids))
    return list(
        Person.objects.filter(pk__in=live)
        .select_related("member_state", "affiliation")
        .annotate(n=Count("spellings__speeches"))
        .order_by("-n", "name")[:limit]
    )


def _word_index(using: str) -> dict[str, set[int]]:
    index: dict[str, set[int]] = defaultdict(set)
    rows = Speaker.objects.using(using).filter(person__isnull=False)
    for folded, person_id in rows.values_list("folded_name", "person_id"):
        for word in folded.split():
            if len(word) >= 3:
                index[word].add(person_id)
    return index


_index = PerVersion(_word_index)


def similar_persons(text: str, *, limit: int = 5) -> list[Person]:
    """Persons whose names are spelt nearly like the query (for a "did you mean")."""
    words = [w for w in fold_name(text).split() if len(w) >= 3]
    if not words:
        return []
    index = _index.get()
    ids: set[int] = set()
    for word in words:
        for close in difflib.get_close_matches(word, index.keys(), n=limit, cutoff=0.8):
            ids |= index[close]
    if not ids:
        return []
    return list(
        Person.objects.filter(pk__in=_live_ids(sorted(ids)))
        .select_related("member_state", "affiliation")
        .order_by("name")[:limit]
    )
