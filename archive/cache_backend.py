"""Django's database cache, writing an entry in one statement.

The shared cache keeps rendered public pages (``archive.middleware``), so every page rendered
afresh is written to it. Django's ``DatabaseCache.set`` costs five round trips for that: it
counts the whole table (to cull it), opens a transaction, reads the key, then inserts or
updates it, and commits; the count alone is a scan of the table. Under load that was a
PostgreSQL scan per page rendered. Here ``set`` is one ``INSERT ... ON CONFLICT DO UPDATE``
(atomic by itself, committed without waiting for the disk: the cache is disposable), and the table is counted and culled, with Django's own ``_cull``, on the
first write of a process and then one write in ``CULL_EVERY``: the table stays within
``MAX_ENTRIES`` plus the writes between two counts. ``get`` (every public page asks it once)
is one statement prepared once per connection, not Django's ``get_many`` of one key (parsed,
planned and its converters built on every call). ``get_many``, ``add``, ``touch`` and deletes
are Django's.
"""

from __future__ import annotations

import base64
import itertools
import pickle
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils import timezone

from archive.prepared import execute_prepared

# Count (and cull if needed) on one write in this many, per process.
CULL_EVERY = 50


class ArchiveDatabaseCache(DatabaseCache):
    """``DatabaseCache`` whose ``set`` is one upsert; culling checked one write in CULL_EVERY."""

    _writes = itertools.count()

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_read(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        with connection.cursor() as cursor:
            execute_prepared(
                cursor,
                connection,
                f"SELECT value, expires FROM {table} WHERE cache_key = %s",
                [key],
            )
            row = cursor.fetchone()
        if row is None:
            return default
        value, expires = row
        if timezone.is_naive(expires) and settings.USE_TZ:
            expires = timezone.make_aware(expires, UTC)
        if expires < timezone.now():
            self._base_delete_many([key])  # as Django's get does
            return default
        return pickle.loads(base64.b64decode(connection.ops.process_clob(value).encode()))

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        if timeout is None:
            expires = datetime.max
        else:
            expires = datetime.fromtimestamp(timeout, tz=UTC if settings.USE_TZ else None)
        expires = connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))
        pickled = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        with connection.cursor() as cursor:
            if next(self._writes) % CULL_EVERY == 0:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                count = cursor.fetchone()[0]
                if count > self._max_entries:
                    self._cull(db, cursor, timezone.now().replace(microsecond=0), count)
            # One implicit transaction (two statements in one simple query) that does not wait
            # for its WAL to reach the disk: a cache entry lost in a crash is only rendered again,
            # and the wait (2.5 ms median here) was a worker standing idle on every page kept.
            cursor.execute(
                "SET LOCAL synchronous_commit TO OFF;"
                f" INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s)"
                " ON CONFLICT (cache_key)"
                " DO UPDATE SET value = EXCLUDED.value, expires = EXCLUDED.expires",
                [key, pickled, expires],
            )
