"""BM25 relevance over every match, facet counts and date order, from the stored inverted index.

PostgreSQL holds everything (migration ``search_postings``): for each lexeme the ids of the
speeches holding it and how often (``search_posting``), what changed since the last rebuild
(``search_delta``, ``search_stale``), each speech's length (``search_document``). A query
reads the few rows of its own lexemes (~0.5 MB for "peace") and this module evaluates it with
numpy over dense arrays indexed by speech id:

* matching: the tsquery PostgreSQL makes of the words (``websearch_to_tsquery``) is evaluated
  on the lexemes' posting sets (AND, OR, NOT). A query with a phrase has its exact matches
  found by PostgreSQL (the caller passes their ids); the postings then only score them;
* relevance: Okapi BM25 (k1 = 1.2, b = 0.75) summed over the query's words that are not
  negated, over every match; ties newest first;
* facets: counts by State, year and agenda item from a per-process ``Catalogue`` of every
  speech's State, meeting, length and place in date order (one read per archive version).

Nothing here is a cache of results: the catalogue is keyed by the archive's version (read in
the same snapshot as the postings) and rebuilt when it moves.
"""

from __future__ import annotations

import datetime
import json
import math
import re
import threading
from dataclasses import dataclass

import numpy as np

K1 = 1.2
B = 0.75
# Days since 1970 for a speech without a date (sorted last both ways).
_NO_DATE = -(2**31)


class Unsupported(ValueError):
    """A tsquery this module does not evaluate (prefix or weight marks): PostgreSQL does."""


# --------------------------------------------------------------------------- tsquery


@dataclass(frozen=True)
class Term:
    lexeme: str
    # False for a prefix or weight-restricted lexeme ('peac':*): PostgreSQL matches those.
    exact: bool = True


@dataclass(frozen=True)
class Not:
    operand: object


@dataclass(frozen=True)
class And:
    left: object
    right: object


@dataclass(frozen=True)
class Or:
    left: object
    right: object


@dataclass(frozen=True)
class Phrase:
    left: object
    right: object
    distance: int


_TOKEN = re.compile(r"\s*('(?:[^'\\]|''|\\.)*'(?::[*A-Da-d]+)?|<->|<\d+>|[&|!()])")


def _tokens(text: str) -> list[str]:
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise Unsupported(f"cannot read tsquery {text!r}")
        tokens.append(match.group(1))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return tokens


def parse_tsquery(text: str):
    """The tree of a tsquery as PostgreSQL prints it ("'peac' & !'war'"); None when empty."""
    tokens = _tokens(text)
    if not tokens:
        return None
    node, pos = _parse_or(tokens, 0)
    if pos != len(tokens):
        raise Unsupported(f"unexpected {tokens[pos]!r} in tsquery")
    return node


def _parse_or(tokens, pos):
    node, pos = _parse_and(tokens, pos)
    while pos < len(tokens) and tokens[pos] == "|":
        right, pos = _parse_and(tokens, pos + 1)
        node = Or(node, right)
    return node, pos


def _parse_and(tokens, pos):
    node, pos = _parse_phrase(tokens, pos)
    while pos < len(tokens) and tokens[pos] == "&":
        right, pos = _parse_phrase(tokens, pos + 1)
        node = And(node, right)
    return node, pos


def _parse_phrase(tokens, pos):
    node, pos = _parse_unary(tokens, pos)
    while pos < len(tokens) and tokens[pos].startswith("<"):
        distance = 1 if tokens[pos] == "<->" else int(tokens[pos][1:-1])
        right, pos = _parse_unary(tokens, pos + 1)
        node = Phrase(node, right, distance)
    return node, pos


def _parse_unary(tokens, pos):
    if pos >= len(tokens):
        raise Unsupported("tsquery ends early")
    token = tokens[pos]
    if token == "!":
        operand, pos = _parse_unary(tokens, pos + 1)
        return Not(operand), pos
    if token == "(":
        node, pos = _parse_or(tokens, pos + 1)
        if pos >= len(tokens) or tokens[pos] != ")":
            raise Unsupported("unbalanced parentheses in tsquery")
        return node, pos + 1
    if token.startswith("'"):
        quoted, _, flags = token.rpartition(":") if not token.endswith("'") else (token, "", "")
        body = quoted[1:-1].replace("''", "'")
        return Term(re.sub(r"\\(.)", r"\1", body), exact=not flags), pos + 1
    raise Unsupported(f"unexpected {token!r} in tsquery")


def lexemes(node, *, positive: bool = True, negated: bool = False) -> list[str]:
    """The lexemes of a tree, in order, once each; ``positive``: only those not negated."""
    found: dict[str, None] = {}

    def walk(n, neg):
        if isinstance(n, Term):
            if not (positive and neg):
                found[n.lexeme] = None
        elif isinstance(n, Not):
            walk(n.operand, not neg)
        elif n is not None:
            walk(n.left, neg)
            walk(n.right, neg)

    walk(node, negated)
    return list(found)


def needs_postgres(node) -> bool:
    """Whether PostgreSQL must find the matches: prefixes, or a phrase around OR/AND/NOT."""
    if isinstance(node, Term):
        return not node.exact
    if isinstance(node, Phrase):
        return not (_chain(node.left) and _chain(node.right))
    if isinstance(node, Not):
        return needs_postgres(node.operand)
    if isinstance(node, And | Or):
        return needs_postgres(node.left) or needs_postgres(node.right)
    return False


def _chain(node) -> bool:
    if isinstance(node, Term):
        return node.exact
    return isinstance(node, Phrase) and _chain(node.left) and _chain(node.right)


def positional(node) -> list[str]:
    """The lexemes inside phrases: their positions are read."""
    if isinstance(node, Phrase):
        return lexemes(node, positive=False)
    if isinstance(node, Not):
        return positional(node.operand)
    if isinstance(node, And | Or):
        return list(dict.fromkeys(positional(node.left) + positional(node.right)))
    return []


# --------------------------------------------------------------------------- catalogue


@dataclass
class Catalogue:
    """What ranking, facets and date order need of every speech, indexed by speech id."""

    version: int
    exists: np.ndarray  # bool
    state: np.ndarray  # member_state_id, 0 for none
    meeting: np.ndarray
    norm: np.ndarray  # K1 * (1 - B + B * length / avgdl): BM25's length normalisation
    newest: np.ndarray  # place in "newest first" order
    oldest: np.ndarray
    affiliation: np.ndarray  # affiliation_id, 0 for none
    role: np.ndarray  # 1 + the role's place in ROLES, 0 for another
    on_council: np.ndarray  # bool
    day: np.ndarray  # the meeting's date in days since 1970, _NO_DATE for none
    meeting_year: np.ndarray  # by meeting id, 0 for none
    meeting_topic: np.ndarray  # by meeting id, 0 for none
    states: dict[int, tuple[str, str]]  # id -> (iso3, name)
    topics: dict[int, tuple[str, str]]  # id -> (slug, title)
    count: int
    average_length: float

    @property
    def size(self) -> int:
        return len(self.exists)


_SPEECH_ROW = np.dtype(
    [("id", ">i4"), ("state", ">i4"), ("meeting", ">i4"), ("length", ">i4"), ("day", ">i4"),
     ("sequence", ">i4"), ("affiliation", ">i4"), ("role", ">i4"), ("council", ">i4")]
)  # fmt: skip
# Speech.Role's values: the catalogue holds a speech's role as 1 + its place here.
ROLES = ("president", "member", "invited", "un", "other")
_CATALOGUE_SQL = """
SELECT
  (SELECT version FROM archive_archivestate WHERE id = 1),
  (SELECT string_agg(
      int4send(s.id::integer) || int4send(coalesce(s.member_state_id, 0)::integer)
      || int4send(s.meeting_id::integer) || int4send(coalesce(d.length, 0))
      || int4send(coalesce(s.meeting_date - DATE '1970-01-01', %s))
      || int4send(s.sequence::integer) || int4send(coalesce(s.affiliation_id, 0)::integer)
      || int4send(coalesce(array_position(%s::text[], s.role::text), 0))
      || int4send(s.on_council::integer), ''::bytea)
   FROM archive_speech s LEFT JOIN search_document d ON d.speech_id = s.id),
  (SELECT string_agg(int4send(m.id::integer)
      || int4send(coalesce(EXTRACT(YEAR FROM m.date)::integer, 0))
      || int4send(coalesce(m.agenda_item_id, 0)::integer), ''::bytea)
   FROM archive_meeting m),
  (SELECT json_agg(json_build_array(id, iso3, name)) FROM archive_memberstate),
  (SELECT json_agg(json_build_array(id, slug, title)) FROM archive_agendaitem)
"""
_MEETING_ROW = np.dtype([("id", ">i4"), ("year", ">i4"), ("topic", ">i4")])

_catalogues: dict[str, Catalogue] = {}
_lock = threading.Lock()


def forget() -> None:
    """Drop every catalogue held by this process (tests; the next query reads them again)."""
    with _lock:
        _catalogues.clear()


def held_catalogue(alias: str) -> Catalogue | None:
    """The catalogue this process holds for ``alias``, if any (of whatever version)."""
    return _catalogues.get(alias)


def catalogue(cursor, *, alias: str, version: int, reuse: bool = True) -> Catalogue:
    """The catalogue of the archive at ``version``, read through ``cursor`` when not held.

    A catalogue read afresh carries the version it was read at, which may be newer than the
    one asked for (a write committed meanwhile): the caller compares.
    """
    held = _catalogues.get(alias)
    if reuse and held is not None and held.version == version:
        return held
    fresh = _read_catalogue(cursor)
    if reuse:
        with _lock:
            _catalogues[alias] = fresh
    return fresh


def _read_catalogue(cursor) -> Catalogue:
    cursor.execute(_CATALOGUE_SQL, [_NO_DATE, list(ROLES)])
    version, blob, meeting_blob, state_rows, topic_rows = cursor.fetchone()
    version = version or 0
    rows = np.frombuffer(bytes(blob or b""), dtype=_SPEECH_ROW)
    ids = rows["id"].astype(np.int64)
    size = int(ids.max()) + 1 if len(ids) else 1
    exists = np.zeros(size, bool)
    exists[ids] = True

    def column(name, dtype=np.int32, fill=0):
        out = np.full(size, fill, dtype)
        out[ids] = rows[name]
        return out

    length = column("length", np.float32)
    average = float(length[exists].mean()) if len(ids) else 1.0
    norm = K1 * (1 - B + B * length.astype(np.float64) / max(average, 1e-9))
    day = rows["day"].astype(np.int64)
    undated = day == _NO_DATE
    meeting = rows["meeting"].astype(np.int64)
    sequence = rows["sequence"].astype(np.int64)
    big = np.int64(2**40)
    newest, oldest = np.zeros(size, np.int32), np.zeros(size, np.int32)
    for target, key in (
        (newest, np.where(undated, big, -day)),
        (oldest, np.where(undated, big, day)),
    ):
        order = np.lexsort((sequence, meeting, key))
        target[ids[order]] = np.arange(len(order), dtype=np.int32)
    meetings = np.frombuffer(bytes(meeting_blob or b""), dtype=_MEETING_ROW)
    msize = int(meetings["id"].max()) + 1 if len(meetings) else 1
    meeting_year, meeting_topic = np.zeros(msize, np.int32), np.zeros(msize, np.int64)
    meeting_year[meetings["id"]] = meetings["year"]
    meeting_topic[meetings["id"]] = meetings["topic"]
    states = {row[0]: (row[1], row[2]) for row in _json_rows(state_rows)}
    topics = {row[0]: (row[1], row[2]) for row in _json_rows(topic_rows)}
    return Catalogue(
        version=version,
        exists=exists,
        state=column("state"),
        meeting=column("meeting"),
        affiliation=column("affiliation"),
        role=column("role", np.int8),
        on_council=column("council", np.int8).astype(bool),
        day=column("day", np.int32, _NO_DATE),
        norm=norm,
        newest=newest,
        oldest=oldest,
        meeting_year=meeting_year,
        meeting_topic=meeting_topic,
        states=states,
        topics=topics,
        count=int(len(ids)),
        average_length=average,
    )


def _json_rows(value) -> list:
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else value


# --------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class IndexFilters:
    """Filters the catalogue evaluates (the search page's State, role, seat, dates, topic),
    exactly as ``archive.filters.SpeechFilterSet`` does in SQL; None: not filtered on."""

    member_state_id: int | None = None
    affiliation_id: int | None = None
    role: str | None = None
    # "yes": on the Council; "invited": not on it; "no": a State not on it.
    on_council: str | None = None
    first_day: datetime.date | None = None  # the meeting's date, inclusive
    last_day: datetime.date | None = None
    agenda_item_ids: tuple[int, ...] | None = None

    def mask(self, cat: Catalogue) -> np.ndarray:
        """The speeches within these filters, as a dense mask over speech ids."""
        mask = cat.exists.copy()
        if self.member_state_id is not None:
            mask &= cat.state == self.member_state_id
        if self.affiliation_id is not None:
            mask &= cat.affiliation == self.affiliation_id
        if self.role is not None:
            code = ROLES.index(self.role) + 1 if self.role in ROLES else -1
            mask &= cat.role == code
        if self.on_council == "yes":
            mask &= cat.on_council
        elif self.on_council in ("no", "invited"):
            mask &= ~cat.on_council
            if self.on_council == "no":
                mask &= cat.state != 0
        if self.first_day is not None or self.last_day is not None:
            mask &= cat.day != _NO_DATE
            if self.first_day is not None:
                mask &= cat.day >= _days(self.first_day)
            if self.last_day is not None:
                mask &= cat.day <= _days(self.last_day)
        if self.agenda_item_ids is not None:
            wanted = [i for i in self.agenda_item_ids if i]
            topic = cat.meeting_topic[cat.meeting]
            mask &= (topic != 0) & np.isin(topic, wanted)
        return mask


def _days(day: datetime.date) -> int:
    return (day - datetime.date(1970, 1, 1)).days


# --------------------------------------------------------------------------- postings

# {lexemes}: the lexemes wanted; {positional}: those whose positions are read (SQL arrays).
POSTINGS_TEMPLATE = """
SELECT 'p', lexeme, ids, tfs, CASE WHEN lexeme = ANY ({positional}) THEN positions END
FROM search_posting WHERE lexeme = ANY ({lexemes})
UNION ALL
SELECT 'd', d.lexeme, string_agg(int4send(d.speech_id::integer), ''::bytea ORDER BY d.speech_id),
       string_agg(substring(int4send(d.tf - 1) FROM 4), ''::bytea ORDER BY d.speech_id),
       string_agg((SELECT string_agg(int2send(x), ''::bytea ORDER BY o)
                   FROM unnest(d.positions) WITH ORDINALITY AS u(x, o)),
                  ''::bytea ORDER BY d.speech_id) FILTER (WHERE d.lexeme = ANY ({positional}))
FROM search_delta d WHERE d.lexeme = ANY ({lexemes}) GROUP BY d.lexeme
UNION ALL
SELECT 's', lexeme, string_agg(int4send(speech_id::integer), ''::bytea), NULL, NULL
FROM search_stale WHERE lexeme = ANY ({lexemes}) GROUP BY lexeme
"""
POSTINGS_SQL = POSTINGS_TEMPLATE.format(lexemes="%(lexemes)s", positional="%(positional)s")
_SHIFT = 16  # key of an occurrence: speech id << 16 | position (positions are below 16384)


@dataclass
class Posting:
    """One lexeme's speeches: a presence mask and the occurrences, dense by speech id."""

    present: np.ndarray  # bool
    tf: np.ndarray  # float32, 0 where absent
    # Sorted occurrence keys (speech id << 16 | position), for lexemes inside phrases.
    keys: np.ndarray | None = None


def read_postings(
    cursor, words: list[str], cat: Catalogue, *, positional_words: list[str] = ()
) -> dict[str, Posting]:
    """Each lexeme's posting as the archive holds it now: rebuilt index - stale + delta."""
    if not words:
        return build_postings([], words, cat)
    cursor.execute(POSTINGS_SQL, {"lexemes": words, "positional": list(positional_words)})
    return build_postings(cursor.fetchall(), words, cat, positional_words=positional_words)


def build_postings(
    rows: list, words: list[str], cat: Catalogue, *, positional_words: list[str] = ()
) -> dict[str, Posting]:
    """Postings from the rows of ``POSTINGS_SQL`` (kinds p, d, s)."""
    size = cat.size
    out = {w: Posting(np.zeros(size, bool), np.zeros(size, np.float32)) for w in words}
    rows = sorted((r for r in rows if r[0] in "psd"), key=lambda r: "psd".index(r[0]))
    keys: dict[str, list[np.ndarray]] = {w: [] for w in positional_words}
    for kind, word, ids_blob, tfs_blob, positions_blob in rows:
        posting = out.get(word)
        if posting is None:
            continue
        ids = ids_from_blob(ids_blob)
        if kind == "s":
            posting.present[ids[ids < size]] = False
            if word in keys:
                keys[word] = [k[~np.isin(k >> _SHIFT, ids)] for k in keys[word]]
            continue
        tf = np.frombuffer(bytes(tfs_blob), dtype=np.uint8).astype(np.float32) + 1
        if word in keys and positions_blob is not None:
            positions = np.frombuffer(bytes(positions_blob), dtype=">u2").astype(np.int64)
            owners = np.repeat(ids, tf.astype(np.int64))
            keys[word].append((owners << _SHIFT) | positions)
        keep = ids < size  # ids beyond the catalogue cannot be in this snapshot's matches
        posting.present[ids[keep]] = True
        posting.tf[ids[keep]] = tf[keep]
    for word, posting in out.items():
        posting.present &= cat.exists
        posting.tf[~posting.present] = 0
        if word in keys:
            posting.keys = _sorted_keys(keys[word], posting.present, size)
    return out


def _sorted_keys(pieces: list[np.ndarray], present: np.ndarray, size: int) -> np.ndarray:
    """One sorted array of distinct occurrence keys of present speeches."""
    if not pieces:
        return np.zeros(0, np.int64)
    # The postings' keys come sorted (ids ascending, then positions): only merged pieces
    # (postings and changes) need sorting again. (np.unique hashes: 20 x slower here.)
    found = pieces[0] if len(pieces) == 1 else np.sort(np.concatenate(pieces))
    if len(pieces) > 1 and len(found):
        found = found[np.concatenate(([True], found[1:] != found[:-1]))]
    owners = found >> _SHIFT
    inside = owners < size
    found, owners = found[inside], owners[inside]
    return found[present[owners]]


def phrase_keys(node, postings: dict[str, Posting]) -> np.ndarray:
    """Sorted keys of the positions where a phrase ends (PostgreSQL's <-> and <N>)."""
    if isinstance(node, Term):
        return postings[node.lexeme].keys
    left = phrase_keys(node.left, postings)
    right = phrase_keys(node.right, postings)
    if not len(left) or not len(right):
        return right[:0]
    # Both sorted: a binary search for each right-hand occurrence's would-be predecessor.
    probe = right - node.distance
    at = np.minimum(np.searchsorted(left, probe), len(left) - 1)
    return right[left[at] == probe]


def evaluate(node, postings: dict[str, Posting], cat: Catalogue) -> np.ndarray:
    """The speeches matching a tree without phrases, as a dense mask."""
    if isinstance(node, Term):
        if not node.exact:
            raise Unsupported("prefixes are matched by PostgreSQL")
        return postings[node.lexeme].present
    if isinstance(node, Not):
        return cat.exists & ~evaluate(node.operand, postings, cat)
    if isinstance(node, And):
        return evaluate(node.left, postings, cat) & evaluate(node.right, postings, cat)
    if isinstance(node, Or):
        return evaluate(node.left, postings, cat) | evaluate(node.right, postings, cat)
    if isinstance(node, Phrase):
        mask = np.zeros(cat.size, bool)
        mask[phrase_keys(node, postings) >> _SHIFT] = True
        return mask
    raise Unsupported(f"cannot evaluate {node!r}")


def bm25(ids: np.ndarray, words: list[str], postings: dict[str, Posting], cat: Catalogue):
    """BM25 score of each speech in ``ids`` for the (non-negated) ``words``."""
    score = np.zeros(len(ids), np.float64)
    norm = cat.norm[ids]
    n = cat.count
    for word in words:
        posting = postings[word]
        df = int(np.count_nonzero(posting.present))
        if df == 0:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        tf = posting.tf[ids].astype(np.float64)
        score += idf * tf * (K1 + 1) / (tf + norm)
    return score


# --------------------------------------------------------------------------- results


@dataclass
class Matches:
    """The speeches matching a search, with their scores when ranked by relevance."""

    ids: np.ndarray  # int64, ascending
    scores: np.ndarray | None
    catalogue: Catalogue

    @property
    def total(self) -> int:
        return len(self.ids)

    def page(self, sort: str, start: int, stop: int) -> list[int]:
        """Ids of the matches at places ``start``..``stop`` in ``sort`` order."""
        stop = min(stop, self.total)
        if start >= stop:
            return []
        cat = self.catalogue
        if sort == "oldest":
            keys = cat.oldest[self.ids]
            chosen = _smallest(keys, stop)
            chosen = chosen[np.argsort(keys[chosen], kind="stable")]
        elif sort == "relevance" and self.scores is not None:
            chosen = _best(self.scores, cat.newest[self.ids], stop)
        else:
            keys = cat.newest[self.ids]
            chosen = _smallest(keys, stop)
            chosen = chosen[np.argsort(keys[chosen], kind="stable")]
        return [int(pk) for pk in self.ids[chosen[start:stop]]]

    def ordered_ids(self, sort: str) -> list[int]:
        """Every match, in ``sort`` order (downloads)."""
        return self.page(sort, 0, self.total)

    def facets(self):
        """(states, years, topics): lists of (key, count), as ``search.compute_stats`` counts."""
        cat = self.catalogue
        states = np.bincount(cat.state[self.ids])
        by_meeting = np.bincount(cat.meeting[self.ids], minlength=len(cat.meeting_year))
        met = np.flatnonzero(by_meeting)
        years = np.bincount(cat.meeting_year[met], weights=by_meeting[met]) if len(met) else []
        topic_ids, at = np.unique(cat.meeting_topic[met], return_inverse=True)
        topic_counts = np.bincount(at, weights=by_meeting[met]) if len(met) else []
        return (
            [(int(k), int(states[k])) for k in np.flatnonzero(states) if k],
            [(int(k), int(years[k])) for k in np.flatnonzero(years) if k],
            [(int(k), int(c)) for k, c in zip(topic_ids, topic_counts, strict=False) if k and c],
        )


def _smallest(keys: np.ndarray, count: int) -> np.ndarray:
    if count >= len(keys):
        return np.arange(len(keys))
    return np.argpartition(keys, count - 1)[:count]


def _best(scores: np.ndarray, tiebreak: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` best scores (ties: smaller ``tiebreak`` first), in order."""
    if count < len(scores):
        # Every score tied with the count-th best is kept, so the tie-break decides exactly.
        kth = np.partition(-scores, count - 1)[count - 1]
        candidates = np.flatnonzero(-scores <= kth)
    else:
        candidates = np.arange(len(scores))
    order = np.lexsort((tiebreak[candidates], -scores[candidates]))
    return candidates[order][:count]


def match(
    cat: Catalogue,
    postings: dict[str, Posting],
    *,
    tree,
    phrase_ids: np.ndarray | None = None,
    filter_ids: np.ndarray | None = None,
    filter_mask: np.ndarray | None = None,
    rank: bool = True,
) -> Matches:
    """The matches of a search and their BM25 scores, every one of them.

    ``tree`` is the parsed tsquery (None: no words, every speech within the filters);
    ``postings`` its lexemes' (``build_postings``); ``phrase_ids`` the exact matches
    PostgreSQL found for a tree it must match itself (``needs_postgres``); ``filter_ids`` the
    speeches within the filters evaluated by PostgreSQL (None: no such filter) and
    ``filter_mask`` those within the filters the catalogue evaluates (``IndexFilters``).
    """
    mask = cat.exists.copy() if filter_mask is None else cat.exists & filter_mask
    if filter_ids is not None:
        within = np.zeros(cat.size, bool)
        within[filter_ids[filter_ids < cat.size]] = True
        mask &= within
    if tree is not None:
        if phrase_ids is not None:
            found = np.zeros(cat.size, bool)
            found[phrase_ids[phrase_ids < cat.size]] = True
            mask &= found
        else:
            mask &= evaluate(tree, postings, cat)
    ids = np.flatnonzero(mask)
    scores = bm25(ids, lexemes(tree), postings, cat) if tree is not None and rank else None
    return Matches(ids=ids, scores=scores, catalogue=cat)


def ids_from_blob(blob) -> np.ndarray:
    """Speech ids sent by PostgreSQL as concatenated int4send values."""
    return np.frombuffer(bytes(blob or b""), dtype=">i4").astype(np.int64)
