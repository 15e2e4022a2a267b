"""Statements prepared once per database connection.

Django binds parameters in the client, so PostgreSQL parses and plans every statement afresh;
for the archive's hottest reads (a search, a page of hits, a record's statements, the page
cache) planning costs as much as running. ``execute_prepared`` prepares each statement the
first time a connection runs it and executes it by name afterwards.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Sequence

from django.db import DatabaseError, transaction

_PLACEHOLDER = re.compile(r"%[s%]")
# Statements a connection keeps prepared: one per shape of statement (a search with or without
# word positions, each combination of filters and of the number of their values; a page of
# rows per set of relations).
MAX_PREPARED = 200
_UNPREPARABLE: set[str] = set()


def execute_prepared(
    cursor, connection, sql: str, params: list, *, types: Sequence[str] = ()
) -> None:
    """Execute ``sql`` (Django's ``%s`` placeholders) as a statement prepared once per
    database connection (``types``: its parameters' types, when PostgreSQL cannot infer them).

    Planning the search's statement costs more than running it for most words (0.5-0.7 ms
    idle, a few ms on a busy machine). A statement PostgreSQL cannot prepare (a parameter of
    unknown type) runs unprepared, and so does any beyond ``MAX_PREPARED`` on a connection;
    one whose types are declared must prepare.
    """
    names = prepared_names(connection)
    name = "archive_prepared_" + hashlib.sha256(sql.encode()).hexdigest()[:20]
    if name not in names:
        if len(names) >= MAX_PREPARED or name in _UNPREPARABLE:
            cursor.execute(sql, params)
            return
        numbers = itertools.count(1)
        text = _PLACEHOLDER.sub(lambda m: f"${next(numbers)}" if m[0] == "%s" else "%", sql)
        if types:
            # Typed: it prepares (a failure is a mistake in the statement, and raises).
            cursor.execute(f"PREPARE {name} ({', '.join(types)}) AS {text}")
        else:
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute(f"PREPARE {name} AS {text}")
            except DatabaseError:
                _UNPREPARABLE.add(name)
                cursor.execute(sql, params)
                return
        names.add(name)
    arguments = f" ({', '.join(['%s'] * len(params))})" if params else ""
    cursor.execute(f"EXECUTE {name}{arguments}", params)


def prepared_names(connection) -> set[str]:
    """Names of the statements prepared on this database connection (a new one has none)."""
    raw = connection.connection
    names = getattr(raw, "archive_prepared", None)
    if names is None:
        names = raw.archive_prepared = set()
    return names
