"""The embedded PostgreSQL server (pgserver) used when DATABASE_URL is not set.

The server is started on first use and left running, so that every command, test run and
gunicorn worker shares one server whose data lives under ``var/``. A server killed without a
clean shutdown leaves ``postmaster.pid`` behind; ``ensure_server`` removes it when the process
it names is not a postgres serving this data directory, so a crash never blocks the next start.

After a ``kill -9`` of the postmaster under traffic every gunicorn worker notices at once.
Exactly one process restarts the server, holding a file lock beside the data directory; the
others wait on that lock and then connect to the server it started. pgserver keeps one handle
per data directory per process: a handle whose start failed is dropped, never reused.
"""

from __future__ import annotations

import atexit
import fcntl
import logging
import os
import subprocess
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
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


class ServerUnavailable(RuntimeError):
    """The embedded server could not be (re)started in time; the message says why."""


# How long one process waits for the start lock, and how long a start may take in all (a
# server killed mid-write replays its WAL first; orphaned backends must exit before it can).
START_TIMEOUT_SECONDS = float(os.environ.get("COUNCIL_ARCHIVE_DB_START_TIMEOUT", 60))


def start_lock_path(pgdata: Path) -> Path:
    """The file that serialises starts of the server on ``pgdata`` across processes."""
    return pgdata.parent / f".{pgdata.name}.start.lock"


@contextmanager
def _start_lock(pgdata: Path, deadline: float) -> Iterator[None]:
    """Hold an exclusive lock on ``pgdata``'s start lock file (released if the holder dies)."""
    with open(start_lock_path(pgdata), "a+") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ServerUnavailable(
                        f"Another process has been starting the database server on {pgdata} "
                        f"for over {START_TIMEOUT_SECONDS:.0f} s."
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _ready_address(pgdata: Path) -> ServerAddress | None:
    """The address of the live, ready server on ``pgdata`` (per its postmaster.pid), or None."""
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return None
    # Lines: pid, data dir, start time, port, socket dir, listen address, shmem, status.
    if len(lines) < 8 or not lines[0].strip().isdigit() or lines[7].strip() != "ready":
        return None
    if not _postgres_owns(int(lines[0]), pgdata):
        return None
    return ServerAddress(socket_dir=lines[4].strip(), port=int(lines[3].strip() or 5432))


def _forget_handle(pgdata: Path) -> None:
    """Drop pgserver's per-process handle for ``pgdata``, so no dead or half-built one is reused."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

    handle = pgserver.PostgresServer._instances.pop(pgdata, None)
    if handle is not None:
        # Its exit hook would look the handle up again (and fail) at interpreter exit.
        atexit.unregister(handle._cleanup)


def _start(pgdata: Path, deadline: float) -> ServerAddress:
    """Start the server on ``pgdata`` (the caller holds the start lock), retrying until ready.

    After a crash a start can fail for a while: the killed postmaster's backends still hold its
    shared memory until they notice and exit, and the new server replays its WAL before it is
    ready. Each failed attempt's handle is forgotten, never cached.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (root, CI); /tmp is fine here.
        warnings.simplefilter("ignore")
        import pgserver

    attempt = 0
    while True:
        attempt += 1
        address = _ready_address(pgdata)
        if address is not None:
            return address
        if pgdata.exists():
            clear_stale_pidfile(pgdata)
        _forget_handle(pgdata)
        try:
            # cleanup_mode=None: the server outlives this process; `make stop` stops it.
            server = pgserver.get_server(pgdata, cleanup_mode=None)
            info = server.get_postmaster_info()
            if info.status == "ready" and _postgres_owns(info.pid, pgdata):
                return ServerAddress(socket_dir=str(info.socket_dir), port=info.port or 5432)
        except (subprocess.SubprocessError, AssertionError, OSError) as exc:
            failure = exc
        else:
            failure = RuntimeError(f"server not ready yet (status {info.status!r})")
        _forget_handle(pgdata)
        if time.monotonic() > deadline:
            raise ServerUnavailable(
                f"The database server on {pgdata} did not start within "
                f"{START_TIMEOUT_SECONDS:.0f} s ({attempt} attempts; last: {failure!r}). "
                f"See {pgdata / 'log'}."
            ) from failure
        logger.warning("Database server on %s not started yet (%r); retrying", pgdata, failure)
        time.sleep(0.25)


def ensure_server(pgdata: Path | None = None) -> ServerAddress:
    """Start the embedded server if it is not running and return its address.

    Safe to call from many processes at once (gunicorn workers after a crash): one of them
    starts the server under a file lock while the others wait for it, then all reconnect.
    """
    pgdata = (pgdata or pgdata_dir()).resolve()
    with _lock:
        # A server killed under a long-lived process (a gunicorn worker) leaves its pid file
        # behind, so check the process itself, not the file.
        if pgdata in _started and _running(pgdata):
            return _started[pgdata]
        _started.pop(pgdata, None)
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        with _start_lock(pgdata, deadline):
            # Whoever held the lock before us may have started it already.
            address = _ready_address(pgdata) or _start(pgdata, deadline)
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
