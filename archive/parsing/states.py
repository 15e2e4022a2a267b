"""Names of States in running text: recognise them and split lists of them.

Vote lists and invitations join their last two names with "and" ("China and Russian
Federation"), yet "and" is also inside names ("United Kingdom of Great Britain and Northern
Ireland", "Bosnia and Herzegovina", "Saint Vincent and the Grenadines"). Lists are therefore
split against the names of States (``state_names.STATE_NAMES``, plus any names the caller
knows, such as the members on the record's cover), never on every "and".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from .state_names import STATE_GROUPS, STATE_NAMES

_NONE = {"none", "nil", "-", "—", "–"}


@lru_cache(maxsize=8192)
def fold(name: str) -> str:
    """A comparison key: no accents, lower case, one kind of apostrophe, no leading "the"."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'").lower()
    text = " ".join(text.replace("\u00a0", " ").split()).strip(" .;:")
    return re.sub(r"^the\s+", "", text)


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(fold(name) for name in STATE_NAMES)


@lru_cache(maxsize=1)
def _groups() -> dict[str, int]:
    found: dict[str, int] = {}
    for number, group in enumerate(STATE_GROUPS):
        for name in group:
            found.setdefault(fold(name), number)
    return found


def is_state(name: str, extra: Iterable[str] = ()) -> bool:
    """Whether ``name`` is the name of a State (or one of ``extra``)."""
    key = fold(name)
    return bool(key) and (key in _known() or key in {fold(e) for e in extra})


def same_state(a: str, b: str) -> bool:
    """Whether two printed names denote one State ("United Kingdom" is the long name's short
    form; "the Sudan" is "Sudan")."""
    x, y = fold(a), fold(b)
    if not x or not y:
        return False
    if x == y or x.startswith(y + " of ") or y.startswith(x + " of "):
        return True
    groups = _groups()
    return x in groups and groups.get(y) == groups[x]


def split_states(text: str, extra: Iterable[str] = ()) -> list[str]:
    """Split a printed list of States ("A, B, C and D") into names, as printed.

    Commas always separate; "and" separates only where the parts are names of States (or of
    ``extra``) and the whole is not. Names that are not known are kept as printed, whole.
    """
    text = " ".join(text.split()).strip().rstrip(".;")
    if not text or fold(text) in _NONE:
        return []
    known = _known() | {fold(e) for e in extra}
    names: list[str] = []
    for item in _split_commas(text):
        item = re.sub(r"^and\s+", "", item.strip())
        if item and fold(item) not in _NONE:
            for name in _split_and(item, known):
                names.extend(_split_words(name, known) if fold(name) not in known else [name])
    return names


def _split_words(text: str, known: frozenset[str]) -> list[str]:
    """Names run together for want of a comma ("Zambia Zimbabwe", a misprint in a 2010 list):
    split only when every part is a known name; otherwise kept whole."""
    words = text.split()
    if len(words) < 2 or len(words) > 20:
        return [text]
    # best[i]: a segmentation of words[i:] into known names, or None
    best: list[list[str] | None] = [None] * len(words) + [[]]
    for i in range(len(words) - 1, -1, -1):
        for j in range(min(len(words), i + 10), i, -1):
            segment = " ".join(words[i:j])
            if best[j] is not None and fold(segment) in known:
                best[i] = [segment, *best[j]]
                break
    return best[0] if best[0] and len(best[0]) > 1 else [text]


def _split_commas(text: str) -> list[str]:
    """Split on commas and semicolons outside parentheses."""
    items, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char in ",;" and depth == 0:
            items.append(text[start:index])
            start = index + 1
    items.append(text[start:])
    return [item.strip() for item in items if item.strip()]


def _split_and(item: str, known: frozenset[str]) -> list[str]:
    """Segment "A and B and C" with as few unknown parts as possible, and then as few parts as
    possible: "China and Russian Federation" splits, "Trinidad and Tobago" does not, an
    unknown "X and Y" stays whole, and "Serbia and Montenegro" (a State until 2006, listed
    alphabetically otherwise) stays one."""
    parts = re.split(r"\s+and\s+", item)
    if len(parts) == 1 or len(parts) > 12:
        return [item]
    # best[i]: (unknown parts, parts, segmentation) for parts[i:]
    best: list[tuple[int, int, list[str]]] = [(0, 0, [])] * (len(parts) + 1)
    for i in range(len(parts) - 1, -1, -1):
        candidates = []
        for j in range(i + 1, len(parts) + 1):
            segment = " and ".join(parts[i:j])
            unknown, count, rest = best[j]
            candidates.append((unknown + (fold(segment) not in known), count + 1, [segment, *rest]))
        best[i] = min(candidates, key=lambda c: (c[0], c[1]))
    return best[0][2]
