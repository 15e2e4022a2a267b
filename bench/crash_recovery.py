"""Crash recovery: ``kill -9`` the embedded PostgreSQL under traffic and time the way back.

What it does, on a scratch embedded server of its own (a temporary data directory, never the
worktree's ``var/pgdata``):

1. creates the schema and loads the real reference data (States, terms, resolutions, votes);
2. serves the archive with gunicorn (production settings, 2 x cores + 1 workers) on 127.0.0.1;
3. drives ``--clients`` threads of page requests, and one writer committing numbered rows to a
   probe table straight through psycopg (what an import does, minus the parsing);
4. for each of ``--trials`` trials: ``kill -9`` of the postmaster, then measures how long until
   every request answers 200 again (the recovery time) and how many failed meanwhile;
5. checks that gunicorn was never restarted (same master and worker pids), that the archive
   tables hold exactly the rows they held before, and that every row whose commit the writer
   saw acknowledged is still there.

Target (issue 15.1): every request answers 200 again within 10 s of the kill, with no restart
of gunicorn and no row lost. Requests in flight at the moment of the kill may fail: their
database connection is gone.

Usage::

    .venv/bin/python -m bench.crash_recovery                 # 3 trials, 16 clients
    .venv/bin/python -m bench.crash_recovery --trials 5 --clients 32 --port 8151

Traffic goes to 127.0.0.1 only; the script stops gunicorn and its server when done.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.load import HOST, machine, production_env, start_server, stop_server

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE = "bench_crash"
PAGES = ["/", "/states/", "/states/fra/", "/resolutions/", "/meetings/", "/votes/"]
TARGET_SECONDS = 10.0


@dataclass
class Traffic:
    """Every request made: (start, end, status), status 0 for a connection failure."""

    samples: list[tuple[float, float, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def add(self, started: float, ended: float, status: int) -> None:
        with self.lock:
            self.samples.append((started, ended, status))


def client(port: int, traffic: Traffic, offset: int) -> None:
    """Request the pages in turn until told to stop."""
    i = offset
    while not traffic.stop.is_set():
        path = PAGES[i % len(PAGES)]
        i += 1
        started = time.monotonic()
        status = 0
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            status = response.status
            conn.close()
        except (OSError, http.client.HTTPException):
            time.sleep(0.05)
        traffic.add(started, time.monotonic(), status)


@dataclass
class Writer:
    """Commits numbered probe rows one by one; remembers which commits were acknowledged."""

    dsn: dict
    acknowledged: list[int] = field(default_factory=list)
    failed: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        import psycopg

        n = 0
        conn = None
        while not self.stop.is_set():
            n += 1
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(**self.dsn, autocommit=True, connect_timeout=5)
                conn.execute("INSERT INTO crash_probe (id) VALUES (%s)", [n])
                self.acknowledged.append(n)
            except psycopg.Error:
                self.failed += 1
                with contextlib.suppress(Exception):
                    conn.close()
                conn = None
                time.sleep(0.1)
            time.sleep(0.01)
        if conn is not None:
            conn.close()


def scratch_env(pgdata: Path, port: int) -> dict[str, str]:
    """Production settings on the scratch server."""
    env = production_env(DATABASE, port)
    env["COUNCIL_ARCHIVE_PGDATA"] = str(pgdata)
    return env


def prepare(env: dict[str, str]) -> None:
    """Schema, cache table and the real reference data on the scratch server."""
    python = str(BASE_DIR / ".venv" / "bin" / "python")
    for args in (
        ["migrate", "--noinput", "--verbosity", "0"],
        ["createcachetable"],
        ["load_reference_data"],
        ["collectstatic", "--noinput", "--verbosity", "0"],
    ):
        subprocess.run(
            [python, "manage.py", *args], cwd=BASE_DIR, env=env, check=True, capture_output=True
        )


def table_counts(dsn: dict) -> dict[str, int]:
    """Rows in every archive table."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(**dsn) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename LIKE 'archive\\_%' ORDER BY 1"
            )
        ]
        return {
            t: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))
            ).fetchone()[0]
            for t in tables
        }


def postmaster_pid(pgdata: Path) -> int:
    """The pid in postmaster.pid."""
    return int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])


def gunicorn_pids(server: subprocess.Popen) -> set[int]:
    """The master and its workers."""
    master = psutil.Process(server.pid)
    return {master.pid, *(child.pid for child in master.children())}


def all_workers_up(server: subprocess.Popen, workers: int, timeout: float = 30) -> set[int]:
    """``gunicorn_pids`` once every worker is forked (the first answers before the last is up)."""
    deadline = time.monotonic() + timeout
    while True:
        pids = gunicorn_pids(server)
        if len(pids) >= workers + 1 or time.monotonic() > deadline:
            return pids
        time.sleep(0.2)


def recovery(traffic: Traffic, killed_at: float, until: float) -> tuple[float, int, int]:
    """(seconds from the kill until every later request answered 200, failures, requests)."""
    with traffic.lock:
        window = [s for s in traffic.samples if killed_at <= s[1] <= until]
    failures = [s for s in window if s[2] != 200]
    last_failure_end = max((s[1] for s in failures), default=killed_at)
    return last_failure_end - killed_at, len(failures), len(window)


def trial(number: int, pgdata: Path, traffic: Traffic, settle: float) -> tuple[float, int, int]:
    """Kill the postmaster, wait ``settle`` seconds, measure."""
    pid = postmaster_pid(pgdata)
    killed_at = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    time.sleep(settle)
    seconds, failures, requests = recovery(traffic, killed_at, time.monotonic())
    new_pid = postmaster_pid(pgdata)
    print(
        f"  trial {number}: postmaster {pid} killed -> new postmaster {new_pid}; "
        f"all requests 200 again after {seconds:.2f} s; {failures} of {requests} requests "
        f"failed in the {settle:.0f} s after the kill"
    )
    return seconds, failures, requests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--port", type=int, default=8150)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--settle", type=float, default=20.0, help="seconds watched per kill")
    args = parser.parse_args(argv)

    print(f"Machine: {machine()}")
    parent = Path(tempfile.mkdtemp(prefix="archive-crash-", dir="/tmp"))
    parent.chmod(0o755)  # the "pgserver" user must traverse it when run as root
    pgdata = parent / "pgdata"
    env = scratch_env(pgdata, args.port)
    sys.path.insert(0, str(BASE_DIR))
    from archive import embedded_db

    server = None
    traffic = Traffic()
    threads: list[threading.Thread] = []
    writer = None
    try:
        print("Preparing a scratch server with the reference data ...")
        prepare(env)
        address = embedded_db.ensure_server(pgdata)
        dsn = {
            "host": address.socket_dir,
            "port": address.port,
            "user": address.user,
            "dbname": DATABASE,
        }
        import psycopg

        with psycopg.connect(**dsn, autocommit=True) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS crash_probe (id int PRIMARY KEY)")
        before = table_counts(dsn)
        server = start_server(env, args.port, args.workers)
        pids_before = all_workers_up(server, args.workers)
        print(
            f"gunicorn: {args.workers} workers on {HOST}:{args.port}; {args.clients} clients; "
            f"archive rows: {sum(before.values()):,} in {len(before)} tables"
        )
        writer = Writer(dsn=dsn)
        threads = [
            threading.Thread(target=client, args=(args.port, traffic, i), daemon=True)
            for i in range(args.clients)
        ] + [threading.Thread(target=writer.run, daemon=True)]
        for thread in threads:
            thread.start()
        time.sleep(5)  # warm: every worker holds a connection
        results = [
            trial(number, pgdata, traffic, args.settle) for number in range(1, args.trials + 1)
        ]
        traffic.stop.set()
        writer.stop.set()
        for thread in threads:
            thread.join(timeout=40)
        pids_after = gunicorn_pids(server)
        address = embedded_db.ensure_server(pgdata)
        dsn.update(host=address.socket_dir, port=address.port)
        after = table_counts(dsn)
        with psycopg.connect(**dsn) as conn:
            stored = {row[0] for row in conn.execute("SELECT id FROM crash_probe")}
    finally:
        traffic.stop.set()
        if writer:
            writer.stop.set()
        if server is not None:
            stop_server(server)
        with contextlib.suppress(Exception):
            embedded_db.stop_server(pgdata)
        shutil.rmtree(parent, ignore_errors=True)

    lost = [n for n in writer.acknowledged if n not in stored]
    archive_before = dict(before)
    archive_after = {k: v for k, v in after.items() if k in archive_before}
    times = sorted(r[0] for r in results)
    print(
        f"Recovery times: {', '.join(f'{t:.2f} s' for t in times)} "
        f"(median {times[len(times) // 2]:.2f} s, worst {times[-1]:.2f} s)"
    )
    print(
        f"Requests failed around the kills: {sum(r[1] for r in results)} of "
        f"{sum(r[2] for r in results)}"
    )
    print(f"gunicorn restarted: {'no' if pids_before == pids_after else 'YES (pids changed)'}")
    print(
        f"Archive tables: {'identical row counts' if archive_after == archive_before else 'DIFFER'}"
        f"; probe rows acknowledged {len(writer.acknowledged):,}, stored {len(stored):,}, "
        f"lost {len(lost)} (writer saw {writer.failed} failed commits while the server was down)"
    )
    met = (
        times[-1] <= TARGET_SECONDS
        and pids_before == pids_after
        and archive_after == archive_before
        and not lost
    )
    print(
        f"Target (200 again within {TARGET_SECONDS:.0f} s, no gunicorn restart, no row lost): "
        + ("MET" if met else "NOT MET")
    )
    return 0 if met else 2


if __name__ == "__main__":
    sys.exit(main())
