"""A page of speeches with their related rows: ``select_related`` without compiling a query.

Every search page reads its 20 speeches with their meeting, agenda item, speaker and State or
body. Through the ORM that costs more in Python than in PostgreSQL (~2 ms idle, ~10 ms on a
busy machine: the query is compiled afresh each time, and its ``IN`` list changes its text, so
it is planned afresh too). Here the SQL is built once per process for each set of relations,
its text never changes (``id = ANY(%s)``, so psycopg prepares it after a few uses), and the
rows become model instances with ``Model.from_db``, the related ones cached on the speech
exactly as ``select_related`` caches them. The statement is prepared once per database
connection: planning a six-table join costs more than running it for 20 rows (1.5 ms idle,
over 10 ms on a busy machine), and Django's client-side parameter binding never prepares.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.db import connections

from archive.models import Mention, Speech
from archive.prepared import execute_prepared

# Columns of the speech that a page never needs (large, or read only by the index).
SKIPPED = frozenset({"search_vector"})


@dataclass(frozen=True)
class _Part:
    model: type
    attnames: tuple[str, ...]
    parent: int | None  # index of the part this one hangs from (None: the speech)
    field_name: str  # the foreign key's name on the parent


@lru_cache(maxsize=16)
def _plan(
    related: tuple[str, ...], where: str = "t0.id = ANY (%s)", order: str = "", model=Speech
) -> tuple[str, tuple[_Part, ...]]:
    parts = [_Part(model, (), None, "")]
    aliases = {"": "t0"}
    joins = []
    for path in sorted(related, key=lambda p: p.count("__")):
        parent_path, _, name = path.rpartition("__")
        parent = next(i for i, p in enumerate(parts) if _path(parts, i) == parent_path)
        field = parts[parent].model._meta.get_field(name)
        alias = f"t{len(parts)}"
        kind = "LEFT JOIN" if field.null else "JOIN"
        joins.append(
            f"{kind} {field.related_model._meta.db_table} {alias}"
            f" ON {alias}.{field.target_field.column} = {aliases[parent_path]}.{field.column}"
        )
        aliases[path] = alias
        parts.append(_Part(field.related_model, (), parent, name))
    columns, finished = [], []
    for index, part in enumerate(parts):
        fields = [
            f
            for f in part.model._meta.concrete_fields
            if index or model is not Speech or f.name not in SKIPPED
        ]
        columns += [f"t{index}.{f.column}" for f in fields]
        finished.append(
            _Part(part.model, tuple(f.attname for f in fields), part.parent, part.field_name)
        )
    sql = (
        f"SELECT {', '.join(columns)} FROM {model._meta.db_table} t0 {' '.join(joins)}"
        f" WHERE {where}{f' ORDER BY {order}' if order else ''}"
    )
    return sql, tuple(finished)


def _path(parts: list[_Part], index: int) -> str:
    names = []
    while index:
        names.append(parts[index].field_name)
        index = parts[index].parent
    return "__".join(reversed(names))


def _execute(plan, types: tuple[str, ...], values: list, using: str) -> list:
    """Run a planned statement (prepared once per connection); its rows as model instances."""
    sql, parts = plan
    connection = connections[using]
    with connection.cursor() as cursor:
        execute_prepared(cursor, connection, sql, values, types=types)
        rows = cursor.fetchall()
    speeches = []
    for row in rows:
        objects, at = [], 0
        for part in parts:
            values = row[at : at + len(part.attnames)]
            at += len(part.attnames)
            pk = values[part.attnames.index(part.model._meta.pk.attname)]
            obj = part.model.from_db(using, part.attnames, values) if pk is not None else None
            objects.append(obj)
            if part.parent is not None and objects[part.parent] is not None:
                objects[part.parent]._state.fields_cache[part.field_name] = obj
        speeches.append(objects[0])
    return speeches


def fetch(
    ids: list[int], *, related: tuple[str, ...], using: str = "default", model: type = Speech
) -> list:
    """The speeches (or ``model``'s rows) with these ids, in this order, their ``related``
    rows cached on them."""
    # As the ORM does: an id outside bigint (a hostile URL) matches nothing, it is no error.
    ids = [pk for pk in ids if -(2**63) <= pk < 2**63]
    if not ids:
        return []
    found = _execute(_plan(tuple(related), model=model), ("bigint[]",), [list(ids)], using)
    by_id = {speech.pk: speech for speech in found}
    return [by_id[pk] for pk in ids if pk in by_id]


def of_meeting(
    meeting_id: int, *, related: tuple[str, ...], using: str = "default"
) -> list[Speech]:
    """Every speech of a meeting in the record's order, its ``related`` rows cached on it."""
    plan = _plan(tuple(related), "t0.meeting_id = %s", "t0.sequence")
    return _execute(plan, ("bigint",), [meeting_id], using)


def in_meeting(
    meeting_id: int, sequences: list[int], *, related: tuple[str, ...], using: str = "default"
) -> list[Speech]:
    """The speeches of a meeting at these places in its record (a statement's neighbours)."""
    plan = _plan(tuple(related), "t0.meeting_id = %s AND t0.sequence = ANY (%s)", "t0.sequence")
    return _execute(plan, ("bigint", "int[]"), [meeting_id, list(sequences)], using)


def _paths(tree: dict, prefix: str = "") -> list[str]:
    """``select_related``'s tree as paths: {"meeting": {"agenda_item": {}}} -> meeting, ..."""
    paths = []
    for name, below in tree.items():
        path = f"{prefix}{name}"
        paths.append(path)
        paths += _paths(below, f"{path}__")
    return paths


def fetch_page(queryset) -> list | None:
    """A page (a sliced queryset) read in two steps, or None when the queryset is not one
    this applies to (no ``select_related``, annotations, prefetches or deferred fields).

    The ORM's query joins every related table before it sorts and cuts the page: for a
    State's 2,000 votes it joins every meeting and resolution (50 ms) to show ten, and a
    speech's eight-table join costs 25-45 ms to *plan* on a busy machine. Here the page's ids
    come from a query joining only what the filter and the order need; the rows are then read
    by id (speeches through ``fetch``, prepared once per connection), in the same order.
    """
    query = queryset.query
    if (
        not isinstance(query.select_related, dict)
        or query.annotations
        or queryset._prefetch_related_lookups
        # Speeches come without their search vector (Speech.objects): so do these rows.
        or query.deferred_loading not in {(frozenset(), True), (SKIPPED, True)}
    ):
        return None
    ids = list(queryset.values_list("pk", flat=True))
    related = tuple(sorted(_paths(query.select_related)))
    if queryset.model is Speech:
        return fetch(ids, related=related, using=queryset.db)
    by_id = queryset.model._base_manager.using(queryset.db).select_related(*related).in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def latest(queryset, count: int) -> list:
    """The first ``count`` rows of an ordered queryset, read as ``fetch_page`` reads a page."""
    rows = fetch_page(queryset[:count])
    return list(queryset[:count]) if rows is None else rows


def prefetch_mentions(speeches: list[Speech], using: str = "default") -> None:
    """``prefetch_related("mentions")`` with each mention's resolution, by a prepared statement.

    What ``Prefetch("mentions", Mention.objects.select_related("resolution"))`` leaves on each
    speech (``speech.mentions.all()`` reads no row), in Mention's order, without compiling the
    query: on a record's page that compilation and planning cost more than the rows.
    """
    if not speeches:
        return
    plan = _plan(("resolution",), "t0.speech_id = ANY (%s)", "t0.speech_id, t0.id", Mention)
    by_speech: dict[int, list[Mention]] = {}
    for mention in _execute(plan, ("bigint[]",), [[s.pk for s in speeches]], using):
        by_speech.setdefault(mention.speech_id, []).append(mention)
    for speech in speeches:
        found = by_speech.get(speech.pk, [])
        for mention in found:
            mention._state.fields_cache["speech"] = speech
        cached = speech.mentions.all()
        cached._result_cache = found
        cached._prefetch_done = True
        if not hasattr(speech, "_prefetched_objects_cache"):
            speech._prefetched_objects_cache = {}
        speech._prefetched_objects_cache["mentions"] = cached
