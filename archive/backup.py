"""Back up the database to a pg_dump custom-format file, and restore one into an empty database.

``pg_dump`` reads the whole database inside one repeatable-read snapshot, so a dump taken while
the site serves traffic or an import runs is consistent: it holds each meeting either complete
or not at all. The binaries are the ones pgserver ships (``embedded_db.bin_dir()``), which match
the embedded server's version; with ``DATABASE_URL`` set the same binaries talk to that server.

The dump is written under a temporary name and renamed when complete, so a file named
``archive-<timestamp>.dump`` is never a partial dump. A dump holds staff password hashes and
live sessions: it is created readable by its owner only (0600) in a folder only its owner can
enter (0700), and ``restore`` warns about a dump that others can read.
"""

from __future__ import annotations

import datetime
import os
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.conf import settings

from archive import embedded_db

DEFAULT_BACKUP_DIR = settings.BASE_DIR / "var" / "backups"


class BackupError(Exception):
    """A backup or restore could not be done; the message says why."""

    @property
    def message(self) -> str:
        """The human-readable explanation."""
        return str(self.args[0])


class RestoreRefused(BackupError):
    """The target database is not empty and replacing it was not asked for."""


@dataclass(frozen=True)
class Target:
    """How to reach one database with libpq tools."""

    dbname: str
    host: str
    port: str
    user: str
    password: str
    embedded: bool

    def env(self) -> dict[str, str]:
        """Environment for pg_dump/pg_restore: the password never appears on a command line."""
        env = {**os.environ, "PGHOST": self.host, "PGDATABASE": self.dbname}
        if self.port:
            env["PGPORT"] = self.port
        if self.user:
            env["PGUSER"] = self.user
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def connect(self, dbname: str | None = None, **kwargs) -> psycopg.Connection:
        """A psycopg connection to this database (or to ``dbname`` on the same server)."""
        return psycopg.connect(
            host=self.host,
            port=self.port or None,
            user=self.user or None,
            password=self.password or None,
            dbname=dbname or self.dbname,
            **kwargs,
        )


def target(database: str | None = None) -> Target:
    """The default database (or ``database`` on the same server) as a libpq target."""
    conf = settings.DATABASES["default"]
    name = database or conf["NAME"]
    if conf["ENGINE"] == "archive.dbbackend":
        address = embedded_db.ensure_server()
        return Target(
            dbname=name,
            host=address.socket_dir,
            port=str(address.port),
            user=address.user,
            password="",
            embedded=True,
        )
    return Target(
        dbname=name,
        host=conf.get("HOST") or "",
        port=str(conf.get("PORT") or ""),
        user=conf.get("USER") or "",
        password=conf.get("PASSWORD") or "",
        embedded=False,
    )


def _run(tool: str, args: list[str], tgt: Target) -> subprocess.CompletedProcess:
    binary = embedded_db.bin_dir() / tool
    completed = subprocess.run(
        [str(binary), *args],
        env=tgt.env(),
        capture_output=True,
        text=True,
        check=False,
        # Whatever the tool creates (pg_dump's output file) is its owner's alone from the start.
        umask=0o077,
    )
    if completed.returncode != 0:
        raise BackupError(
            f"{tool} failed (exit status {completed.returncode}): "
            f"{completed.stderr.strip()[-2000:]}"
        )
    return completed


def _private_folder(out_dir: Path) -> None:
    """Create the backup folder 0700; tighten ours (var/backups) if an older release loosened it.

    A folder the operator chose and that already exists (``--output-dir /srv/backups``) keeps
    its mode: its permissions are theirs to set, and each dump in it is 0600 anyway.
    """
    created = not out_dir.exists()
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    if created or out_dir.resolve() == DEFAULT_BACKUP_DIR.resolve():
        os.chmod(out_dir, 0o700)  # mkdir's mode is filtered by the umask


def exposure_warning(file: Path) -> str | None:
    """A warning when a dump can be read by anyone but its owner, else None."""
    mode = stat.S_IMODE(Path(file).stat().st_mode)
    if not mode & 0o077:
        return None
    return (
        f"Warning: {file} can be read by other users (mode {mode:04o}). A dump holds staff "
        f"password hashes and live sessions: make it private with `chmod 600 {file}`."
    )


def backup(*, out_dir: Path | None = None, database: str | None = None) -> Path:
    """Dump the database to ``<out_dir>/archive-<timestamp>.dump`` (0600) and return the path."""
    tgt = target(database)
    out_dir = Path(out_dir or DEFAULT_BACKUP_DIR)
    _private_folder(out_dir)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = out_dir / f"archive-{stamp}.dump"
    partial = final.with_suffix(".dump.partial")
    try:
        _run(
            "pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "-f", str(partial)], tgt
        )
        os.chmod(partial, 0o600)
        partial.rename(final)
    finally:
        partial.unlink(missing_ok=True)
    return final


def table_count(tgt: Target) -> int:
    """How many tables the target database holds (outside PostgreSQL's own schemas)."""
    with tgt.connect(autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_catalog.pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()
    return int(row[0])


def _database_exists(tgt: Target) -> bool:
    with tgt.connect(dbname="postgres", autocommit=True) as conn:
        return bool(
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [tgt.dbname]).fetchone()
        )


def _create_database(tgt: Target) -> None:
    from psycopg import sql

    with tgt.connect(dbname="postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(tgt.dbname)))


def restore(file: Path, *, database: str | None = None, force: bool = False) -> Target:
    """Restore a dump into an empty database (or, with ``force``, over an existing one)."""
    file = Path(file)
    if not file.is_file():
        raise BackupError(f"No such backup file: {file}")
    tgt = target(database)
    if tgt.embedded and not _database_exists(tgt):
        _create_database(tgt)
    tables = table_count(tgt)
    if tables and not force:
        raise RestoreRefused(
            f"The database {tgt.dbname!r} is not empty ({tables} tables). Restore only into an "
            "empty database, or set FORCE=1 (--force) to drop its contents and replace them "
            "with the backup."
        )
    args = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if tables:
        args += ["--clean", "--if-exists"]
    _run("pg_restore", [*args, "--dbname", tgt.dbname, str(file)], tgt)
    return tgt
