"""The embedded PostgreSQL server survives being killed (SIGKILL) and starts again, data intact."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
import psycopg
import pytest

from archive import embedded_db

pytestmark = pytest.mark.slow


def _connect(address: embedded_db.ServerAddress) -> psycopg.Connection:
    return psycopg.connect(
        host=address.socket_dir,
        port=address.port,
        user=address.user,
        dbname="postgres",
        autocommit=True,
    )


def _postmaster_pid(pgdata: Path) -> int:
    return int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])


def _kill_server(pgdata: Path) -> None:
    """SIGKILL the postmaster, as a power cut or the OOM killer would, and wait for it to die."""
    pid = _postmaster_pid(pgdata)
    postmaster = psutil.Process(pid)
    children = postmaster.children(recursive=True)
    os.kill(pid, signal.SIGKILL)
    postmaster.wait(timeout=10)
    # Backends notice the postmaster's death and exit on their own; they must be gone
    # before a new postmaster can take over the shared memory.
    psutil.wait_procs(children, timeout=20)
    assert (pgdata / "postmaster.pid").exists(), "an unclean stop leaves the pid file behind"


@pytest.fixture
def tmp_pgdata():
    # Under /tmp (not pytest's 0700 tmp_path) so that the "pgserver" user can traverse it
    # when the tests run as root.
    parent = Path(tempfile.mkdtemp(prefix="archive-pgdata-", dir="/tmp"))
    parent.chmod(0o755)
    pgdata = parent / "pgdata"
    yield pgdata
    # Best-effort cleanup after a test that may have failed half-way.
    with contextlib.suppress(Exception):
        embedded_db.stop_server(pgdata)
    shutil.rmtree(parent, ignore_errors=True)


def test_server_restarts_after_sigkill_with_data_intact(tmp_pgdata):
    address = embedded_db.ensure_server(tmp_pgdata)
    with _connect(address) as conn:
        conn.execute("CREATE TABLE survivors (id int PRIMARY KEY, note text)")
        conn.execute("INSERT INTO survivors SELECT g, 'row ' || g FROM generate_series(1, 1000) g")
    first_pid = _postmaster_pid(tmp_pgdata)

    _kill_server(tmp_pgdata)

    # A new process (the next command, test run or gunicorn worker) starts the server again.
    code = (
        "import sys; from pathlib import Path; from archive import embedded_db; "
        "a = embedded_db.ensure_server(Path(sys.argv[1])); print(a.socket_dir, a.port)"
    )
    started = subprocess.run(
        [sys.executable, "-c", code, str(tmp_pgdata)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode == 0, started.stderr
    socket_dir, port = started.stdout.split()
    assert _postmaster_pid(tmp_pgdata) != first_pid
    restarted = embedded_db.ServerAddress(socket_dir=socket_dir, port=int(port))
    with _connect(restarted) as conn:
        count, total = conn.execute("SELECT count(*), sum(id) FROM survivors").fetchone()
        assert (count, total) == (1000, 500500)
        # And it accepts writes again.
        conn.execute("INSERT INTO survivors VALUES (1001, 'after the crash')")


def test_same_process_notices_a_killed_server(tmp_pgdata):
    """A long-lived process (a gunicorn worker) asking again after the crash gets a live server."""
    address = embedded_db.ensure_server(tmp_pgdata)
    with _connect(address) as conn:
        conn.execute("CREATE TABLE survivors (id int)")
        conn.execute("INSERT INTO survivors VALUES (1)")
    _kill_server(tmp_pgdata)

    address = embedded_db.ensure_server(tmp_pgdata)
    with _connect(address) as conn:
        assert conn.execute("SELECT count(*) FROM survivors").fetchone()[0] == 1


RACE_CODE = """
import sys, time
from pathlib import Path
from archive import embedded_db
import psycopg
pgdata = Path(sys.argv[1])
go = float(sys.argv[2])
time.sleep(max(0.0, go - time.time()))
a = embedded_db.ensure_server(pgdata)
with psycopg.connect(host=a.socket_dir, port=a.port, user=a.user, dbname="postgres") as conn:
    n = conn.execute("SELECT count(*) FROM survivors").fetchone()[0]
pid = int((pgdata / "postmaster.pid").read_text().split()[0])
print(n, pid)
"""


def test_processes_racing_after_a_crash_all_reconnect_to_one_new_server(tmp_pgdata):
    """Six workers noticing the crash at the same instant: one restarts, all get through."""
    address = embedded_db.ensure_server(tmp_pgdata)
    with _connect(address) as conn:
        conn.execute("CREATE TABLE survivors (id int)")
        conn.execute("INSERT INTO survivors SELECT generate_series(1, 500)")
    old_pid = _postmaster_pid(tmp_pgdata)
    # Open sessions, as gunicorn workers hold: their backends outlive the postmaster for a
    # moment and keep its shared memory, so the first restart attempts fail.
    sessions = [_connect(address) for _ in range(4)]
    for session in sessions:
        session.execute("SELECT count(*) FROM survivors")
    os.kill(old_pid, signal.SIGKILL)  # no waiting for the backends: the racers find them

    import time

    go = time.time() + 1.0  # after every interpreter has started
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACE_CODE, str(tmp_pgdata), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    results = [racer.communicate(timeout=120) for racer in racers]
    for racer, (_out, err) in zip(racers, results, strict=True):
        assert racer.returncode == 0, err
    for session in sessions:
        with contextlib.suppress(psycopg.Error):
            session.close()
    answers = {tuple(out.split()) for out, _ in results}
    new_pid = _postmaster_pid(tmp_pgdata)
    assert answers == {("500", str(new_pid))}  # one server, every row, for every racer
    assert new_pid != old_pid


def test_a_failed_start_is_retried_and_never_cached(tmp_pgdata, monkeypatch):
    """pgserver raising half-way (the loser of a race) leaves no broken handle behind."""
    import pgserver

    embedded_db.ensure_server(tmp_pgdata)
    _kill_server(tmp_pgdata)
    real = pgserver.PostgresServer.ensure_postgres_running
    calls = []

    def flaky(self):
        calls.append(self)
        if len(calls) == 1:
            raise subprocess.CalledProcessError(1, "pg_ctl", "could not create lock file")
        real(self)

    monkeypatch.setattr(pgserver.PostgresServer, "ensure_postgres_running", flaky)
    address = embedded_db.ensure_server(tmp_pgdata)
    assert len(calls) == 2
    handle = pgserver.PostgresServer._instances[tmp_pgdata.resolve()]
    assert handle is calls[1]  # the working handle, not the half-built one
    assert handle.get_postmaster_info().status == "ready"
    with _connect(address) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
