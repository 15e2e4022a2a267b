"""Django's PostgreSQL backend, pointed at the embedded pgserver instance.

Starting the server lazily (on the first connection, not at settings import) keeps commands
that never touch the database, such as ``parse_transcript``, free of a running server.
"""

import psycopg
from django.db.backends.postgresql import base

from archive import embedded_db


def _ensure_database(address: embedded_db.ServerAddress, name: str) -> None:
    with psycopg.connect(
        host=address.socket_dir,
        port=address.port,
        user=address.user,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


class DatabaseWrapper(base.DatabaseWrapper):
    """PostgreSQL over the embedded server's Unix socket."""

    _databases_checked: set[str] = set()

    def get_connection_params(self):
        address = embedded_db.ensure_server()
        name = self.settings_dict["NAME"]
        if name and name not in self._databases_checked and not name.startswith("test_"):
            _ensure_database(address, name)
            self._databases_checked.add(name)
        self.settings_dict.update(
            HOST=address.socket_dir, PORT=str(address.port), USER=address.user
        )
        return super().get_connection_params()
