"""The embedded PostgreSQL server (pgserver) used when DATABASE_URL is not set.

The server is started on first use and left running, so that every command, test run and
gunicorn worker shares one server whose data lives under ``var/``. A server killed without a
clean shutdown leaves ``postmaster.pid`` behind; ``ensure_server`` removes it when the process
it names is not a postgres serving this data directory, so a crash never blocks the next start.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_PGDATA = BASE_DIR / "var" / "pgdata"

_lock = threading.Lock()
_started: dict[Path, ServerAddress] = {}


@dataclass(frozen=True)
class ServerAddress:
    """Where to reach a running embedded server."""

    socket_dir: str
    port: int
    user: str = "postgres"


def pgdata_dir() -> Path:
    """The data directory of the embedded server (``COUNCIL_ARCHIVE_PGDATA`` overrides it)."""
    return Path(os.environ.get("COUNCIL_ARCHIVE_PGDATA", DEFAULT_PGDATA)).resolve()


def bin_dir() -> Path:
    """The folder holding the PostgreSQL binaries that pgserver ships (pg_dump, psql, ...)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver._commands import POSTGRES_BIN_PATH  # not re-exported by pgserver

    return Path(POSTGRES_BIN_PATH)


def _postgres_owns(pid: int, pgdata: Path) -> bool:
    import psutil

    try:
        proc = psutil.Process(pid)
        return proc.name() == "postgres" and str(pgdata) in " ".join(proc.cmdline())
    except (psutil.Error, OSError):
        return False


def clear_stale_pidfile(pgdata: Path) -> bool:
    """Remove ``postmaster.pid`` if no live postgres owns it; return whether it was removed."""
    pidfile = pgdata / "postmaster.pid"
    try:
        first_line = pidfile.read_text().split("\n", 1)[0].strip()
    except FileNotFoundError:
        return False
    if first_line.isdigit() and _postgres_owns(int(first_line), pgdata):
        return False
    logger.warning("Removing stale %s left by a server that is no longer running", pidfile)
    pidfile.unlink(missing_ok=True)
    return True


def _running(pgdata: Path) -> bool:
    """Whether a live postgres serves ``pgdata`` (the one its ``postmaster.pid`` names)."""
    try:
        first_line = (pgdata / "postmaster.pid").read_text().split("\n", 1)[0].strip()
    except FileNotFoundError:
        return False
    return first_line.isdigit() and _postgres_owns(int(first_line), pgdata)


def ensure_server(pgdata: Path | None = None) -> ServerAddress:
    """Start the embedded server if it is not running and return its address."""
    pgdata = (pgdata or pgdata_dir()).resolve()
    with _lock:
        # A server killed under a long-lived process (a gunicorn worker) leaves its pid file
        # behind, so check the process itself, not the file.
        if pgdata in _started and _running(pgdata):
            return _started[pgdata]
        _started.pop(pgdata, None)
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        if pgdata.exists():
            clear_stale_pidfile(pgdata)
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (root, CI); /tmp is fine here.
            warnings.simplefilter("ignore")
            import pgserver

        if not _running(pgdata):
            # pgserver caches one handle per data directory per process and would hand back
            # the dead server's; forget it so that get_server starts a new one.
            pgserver.PostgresServer._instances.pop(pgdata, None)
        # cleanup_mode=None: the server outlives this process; `make stop` stops it.
        server = pgserver.get_server(pgdata, cleanup_mode=None)
        info = server.get_postmaster_info()
        address = ServerAddress(socket_dir=str(info.socket_dir), port=info.port or 5432)
        _started[pgdata] = address
        return address


def stop_server(pgdata: Path | None = None) -> bool:
    """Stop the embedded server cleanly; return whether one was running."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver import pg_ctl

    pgdata = pgdata or pgdata_dir()
    _started.pop(pgdata, None)
    if not (pgdata / "PG_VERSION").exists():
        return False
    clear_stale_pidfile(pgdata)
    if not (pgdata / "postmaster.pid").exists():
        return False
    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    return True
