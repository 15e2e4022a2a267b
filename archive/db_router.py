"""Send the public site's reads to PostgreSQL read replicas and every write to the primary.

Replicas are streaming replicas of the primary ("default"), configured from
``DATABASE_REPLICA_URLS`` as ``replica_1``, ``replica_2``, ... Reads go to a replica only where a
caller opted in with ``reads_from`` (``archive.middleware.ReadReplicaMiddleware`` does so for an
anonymous visitor's GET): everything else, management commands and the import service included,
reads from the primary, so no write path ever decides anything from a lagging copy.
"""

from __future__ import annotations

import contextvars
import random
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

PRIMARY = "default"

# Logins and sessions are written on the primary and must be read back at once.
PRIMARY_ONLY_APPS = frozenset({"admin", "auth", "axes", "contenttypes", "sessions"})

_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "archive_read_alias", default=None
)


def replica_aliases() -> list[str]:
    """The configured replica aliases, in order (empty without ``DATABASE_REPLICA_URLS``)."""
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


def choose_replica() -> str:
    """A replica for one request's reads, or the primary when there is none."""
    replicas = replica_aliases()
    return random.choice(replicas) if replicas else PRIMARY


def current_read_alias() -> str:
    """The alias that archive reads go to right now."""
    return _read_alias.get() or PRIMARY


@contextmanager
def reads_from(alias: str) -> Iterator[str]:
    """Route the archive's reads to ``alias`` inside the block (per thread / per task)."""
    token = _read_alias.set(alias)
    try:
        yield alias
    finally:
        _read_alias.reset(token)


class PrimaryReplicaRouter:
    """Writes and migrations to the primary; reads where ``reads_from`` says, else the primary."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        # None lets Django fall back to the instance's own database, then "default".
        return _read_alias.get()

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Every alias holds the same data, so an object read from a replica may be linked
        # to one read from the primary.
        known = {PRIMARY, *replica_aliases()}
        if obj1._state.db in known and obj2._state.db in known:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Replicas receive the schema through replication; they are read-only.
        return db == PRIMARY
