"""The search page against Datasette 0.65 (SQLite FTS5) on the same speeches, in one run.

What a researcher could otherwise do with the same data: export it to SQLite, enable FTS5 and
serve it with Datasette, faceted by State and year. This script does exactly that and times
both, interleaved, over HTTP on loopback:

* the SQLite copy (``var/bench/<database>.sqlite``) is built from the benchmark database: the
  same speeches, with meeting, date, year, State, role, Council seat, agenda item and
  resolutions mentioned; FTS5 with the Porter stemmer (``speeches_fts``);
* Datasette 0.65 is installed into a throwaway virtual environment (``var/datasette-venv``;
  it is not a dependency of the archive) and served with facets by State and year, pages of
  20 rows, suggested facets off and time limits raised so that it answers every query;
* the archive is served by gunicorn (one synchronous worker, like Datasette's one process)
  with ``DEBUG=0``; its Django cache is emptied before every request (cold), Datasette keeps
  none of its own;
* each query is asked of both, alternating which goes first, ``--reps`` times.

Datasette's table page cannot order by relevance: its "relevance" rows are in row order
(less work than ranking). Usage::

    COUNCIL_ARCHIVE_DB_NAME=bench_search .venv/bin/python -m bench.datasette_compare --reps 7
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from bench.search_latency import QUERIES, _machine, _pct

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE_PORT = int(os.environ.get("BENCH_ARCHIVE_PORT", 8170))
DATASETTE_PORT = int(os.environ.get("BENCH_DATASETTE_PORT", 8171))

# How each benchmark query is asked of Datasette's table page (same meaning, FTS5 syntax).
DATASETTE_PARAMS = {
    "broad: peace": {"_search": "peace"},
    "broad: united nations": {"_search": "united nations"},
    "broad: peace, newest": {"_search": "peace", "_sort_desc": "date"},
    "broad: security, oldest": {"_search": "security", "_sort": "date"},
    "broad: peace + State": {"_search": "peace", "state": "France"},
    "broad: peace + year": {"_search": "peace", "year": "2000"},
    "broad: peace + on_council": {"_search": "peace", "on_council": "1"},
    "phrase: sexual violence": {"_search": '"sexual violence"'},
    "phrase: peace and security": {"_search": '"international peace and security"'},
    "rare: genocide": {"_search": "genocide"},
    "rare: ceasefire Libya": {"_search": "ceasefire libya"},
    "OR: Syria OR Yemen": {"_search": "syria OR yemen", "_searchmode": "raw"},
    "negation: nuclear -iran": {"_search": "nuclear NOT iran", "_searchmode": "raw"},
    "filters only: State": {"state": "United States of America"},
    "filters only: role + dates": {"role": "president", "date__gte": "2020-01-01"},
    "resolution mentioned": {
        "_where": "id in (select speech_id from mentions where resolution = '242 (1967)')"
    },
    "date sort + filter": {"_search": "refugees", "state": "Germany", "_sort_desc": "date"},
    "page 40 of peace": {"_search": "peace", "_sort_desc": "date"},  # + _next, see below
}


def uptime() -> str:
    """The load averages, as ``uptime`` prints them."""
    with open("/proc/loadavg", encoding="ascii") as fh:
        return "load average: " + ", ".join(fh.read().split()[:3])


# --------------------------------------------------------------------------- the SQLite copy


def build_sqlite(path: Path) -> int:
    """Copy the benchmark database's speeches into SQLite with FTS5; the number of rows."""
    from django.db import connection

    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    db.executescript(
        """
        CREATE TABLE speeches (id INTEGER PRIMARY KEY, meeting TEXT, date TEXT, year INTEGER,
            state TEXT, role TEXT, on_council INTEGER, speaker TEXT, agenda_item TEXT, text TEXT);
        CREATE TABLE mentions (speech_id INTEGER REFERENCES speeches(id), resolution TEXT);
        """
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.id, m.symbol, s.meeting_date::text, EXTRACT(YEAR FROM s.meeting_date)::int,"
            " st.name, s.role, s.on_council::int, s.speaker_name, a.title, s.text"
            " FROM archive_speech s JOIN archive_meeting m ON m.id = s.meeting_id"
            " LEFT JOIN archive_memberstate st ON st.id = s.member_state_id"
            " LEFT JOIN archive_agendaitem a ON a.id = m.agenda_item_id ORDER BY s.id"
        )
        while rows := cursor.fetchmany(5000):
            db.executemany("INSERT INTO speeches VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
        cursor.execute(
            "SELECT x.speech_id, r.number || ' (' || r.year || ')' FROM archive_mention x"
            " JOIN archive_resolution r ON r.id = x.resolution_id"
        )
        db.executemany("INSERT INTO mentions VALUES (?,?)", cursor.fetchall())
    db.executescript(
        """
        CREATE INDEX speeches_state ON speeches (state);
        CREATE INDEX speeches_year ON speeches (year);
        CREATE INDEX speeches_date ON speeches (date);
        CREATE INDEX mentions_resolution ON mentions (resolution);
        CREATE VIRTUAL TABLE speeches_fts USING fts5 (text, content="speeches",
            content_rowid="id", tokenize="porter unicode61");
        INSERT INTO speeches_fts (rowid, text) SELECT id, text FROM speeches;
        INSERT INTO speeches_fts (speeches_fts) VALUES ('optimize');
        """
    )
    db.commit()
    count = db.execute("SELECT count(*) FROM speeches").fetchone()[0]
    db.execute("VACUUM")
    db.close()
    tmp.replace(path)
    return count


def _tilde(value: str) -> str:
    return "".join(c if re.match(r"[A-Za-z0-9_-]", c) else f"~{ord(c):02X}" for c in value)


def page_40_token(path: Path) -> str:
    """Datasette's ``_next`` for page 40 of "peace", newest first (it pages by keyset)."""
    db = sqlite3.connect(path)
    row = db.execute(
        "SELECT date, id FROM speeches WHERE id IN (SELECT rowid FROM speeches_fts"
        " WHERE speeches_fts MATCH 'peace') ORDER BY date DESC, id LIMIT 1 OFFSET 779"
    ).fetchone()
    db.close()
    return f"{_tilde(row[0])},{row[1]}"


# --------------------------------------------------------------------------- servers


def datasette_bin() -> Path:
    """Datasette 0.65 in var/datasette-venv (created on first use)."""
    venv = ROOT / "var" / "datasette-venv"
    binary = venv / "bin" / "datasette"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", "datasette>=0.65,<0.66"],
            check=True,
        )
    return binary


def start_datasette(path: Path) -> subprocess.Popen:
    """Datasette on loopback, faceted by State and year."""
    metadata = path.with_suffix(".metadata.json")
    metadata.write_text(
        json.dumps(
            {
                "databases": {
                    path.stem: {"tables": {"speeches": {"facets": ["state", "year"], "size": 20}}}
                }
            }
        )
    )
    settings = {
        "default_page_size": "20",
        "suggest_facets": "off",
        "sql_time_limit_ms": "60000",
        "facet_time_limit_ms": "60000",
    }
    command = [str(datasette_bin()), "serve", "-i", str(path), "-m", str(metadata)]
    command += ["-h", "127.0.0.1", "-p", str(DATASETTE_PORT)]
    for name, value in settings.items():
        command += ["--setting", name, value]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_archive(database: str) -> subprocess.Popen:
    """The archive under gunicorn, one synchronous worker, production settings."""
    env = {
        **os.environ,
        "COUNCIL_ARCHIVE_DB_NAME": database,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
    }
    python = ROOT / ".venv" / "bin" / "python"
    subprocess.run(
        [str(python), "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "archive.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{ARCHIVE_PORT}", "--workers", "1", "--timeout", "120"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


KEPT = []  # archive URLs answered from its page cache when asked cold (must stay empty)


def fetch(url: str) -> tuple[float, int, int]:
    """Milliseconds to fetch the whole page, its status and size."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            body = response.read()
            status = response.status
            if response.headers.get("X-Archive-Page") == "kept":
                KEPT.append(url)
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return (time.perf_counter() - started) * 1000, status, len(body)


def peak_rss_mb(pid: int) -> float:
    """Highest resident memory (VmHWM) of a process, in MB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


# --------------------------------------------------------------------------- the run


def main(argv: list[str] | None = None) -> None:
    """Build what is missing, start both servers, time the queries, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--rebuild-sqlite", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    os.environ.setdefault("DEBUG", "1")  # development settings (no secret key needed)
    os.environ.setdefault("COUNCIL_ARCHIVE_DB_NAME", "bench_search")
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection

    from archive.models import Speech

    database = connection.settings_dict["NAME"]
    if "bench" not in database:
        raise SystemExit("run against a benchmark database: COUNCIL_ARCHIVE_DB_NAME=bench_search")
    count = Speech.objects.count()
    path = ROOT / "var" / "bench" / f"{database}.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    if args.rebuild_sqlite or not path.exists():
        started = time.perf_counter()
        rows = build_sqlite(path)
        print(f"SQLite FTS5 copy: {rows:,} speeches in {time.perf_counter() - started:.0f} s")
    rows = sqlite3.connect(path).execute("SELECT count(*) FROM speeches").fetchone()[0]
    if rows != count:
        raise SystemExit(f"{path} has {rows:,} speeches, the database {count:,}: --rebuild-sqlite")
    connection.close()  # the servers get the CPU; the cache is emptied through a new connection

    print(f"machine: {_machine()}")
    print(
        f"database: {database}, {count:,} speeches; SQLite copy {path.stat().st_size / 1e6:.0f} MB"
    )
    print(f"before: {uptime()}")
    archive = start_archive(database)
    datasette = start_datasette(path)
    try:
        wait_for(f"http://127.0.0.1:{ARCHIVE_PORT}/search/?q=peace")
        wait_for(f"http://127.0.0.1:{DATASETTE_PORT}/{path.stem}/speeches?_search=peace")
        _run(args.reps, path, cache, archive, datasette)
    finally:
        for process in (archive, datasette):
            process.terminate()
            process.wait(timeout=30)
    print(f"after: {uptime()}")


def _urls(path: Path) -> list[tuple[str, str, str]]:
    urls = []
    token = page_40_token(path)
    for label, params in QUERIES:
        theirs = dict(DATASETTE_PARAMS[label])
        if label == "page 40 of peace":
            theirs["_next"] = token
        urls.append(
            (
                label,
                f"http://127.0.0.1:{ARCHIVE_PORT}/search/?{urlencode(params)}",
                f"http://127.0.0.1:{DATASETTE_PORT}/{path.stem}/speeches?{urlencode(theirs)}",
            )
        )
    return urls


def _run(reps: int, path: Path, cache, archive, datasette) -> None:
    urls = _urls(path)
    ours: dict[str, list[float]] = {label: [] for label, _a, _d in urls}
    theirs: dict[str, list[float]] = {label: [] for label, _a, _d in urls}
    for label, mine, other in urls:  # warm-up: both processes load what they load once
        for url in (mine, other):
            _ms, status, _size = fetch(url)
            if status != 200:
                raise SystemExit(f"{label}: {url} answered {status}")
    KEPT.clear()
    for rep in range(reps):
        for label, mine, other in urls:
            for which in (0, 1) if rep % 2 == 0 else (1, 0):
                if which == 0:
                    cache.clear()
                    ours[label].append(fetch(mine)[0])
                else:
                    theirs[label].append(fetch(other)[0])
    if KEPT:
        # A kept page is stored once the page has been sent: it must never be timed as cold.
        raise SystemExit(f"{len(KEPT)} cold requests were answered from the page cache: {KEPT}")
    print("every archive request was rendered (none answered from its page cache)")
    workers = _children(archive.pid) or [archive.pid]
    header = (
        f"{'query (cold, ms)':30} | {'archive p50':>11} {'Datasette p50':>13} {'ratio':>6} |"
        f" {'archive p95':>11} {'Datasette p95':>13} {'ratio':>6}"
    )
    print(f"\n{reps} requests per query and server, interleaved\n{header}\n{'-' * len(header)}")
    slower = []
    for label, _a, _d in urls:
        a, d = ours[label], theirs[label]
        ratio50 = statistics.median(d) / statistics.median(a)
        ratio95 = _pct(d, 95) / _pct(a, 95)
        if ratio50 <= 1:
            slower.append(label)
        print(
            f"{label:30} | {statistics.median(a):11.1f} {statistics.median(d):13.1f} "
            f"{ratio50:5.1f}x | {_pct(a, 95):11.1f} {_pct(d, 95):13.1f} {ratio95:5.1f}x"
        )
    all_a = [t for v in ours.values() for t in v]
    all_d = [t for v in theirs.values() for t in v]
    print("-" * len(header))
    print(
        f"{'OVERALL':30} | {statistics.median(all_a):11.1f} {statistics.median(all_d):13.1f} "
        f"{statistics.median(all_d) / statistics.median(all_a):5.1f}x | {_pct(all_a, 95):11.1f} "
        f"{_pct(all_d, 95):13.1f} {_pct(all_d, 95) / _pct(all_a, 95):5.1f}x"
    )
    print(f"archive max {max(all_a):.1f} ms, Datasette max {max(all_d):.1f} ms")
    print(
        "peak memory: archive worker "
        + ", ".join(f"{peak_rss_mb(pid):.0f} MB" for pid in workers)
        + f"; Datasette {peak_rss_mb(datasette.pid):.0f} MB"
    )
    print("every query faster than Datasette (median)" if not slower else f"NOT faster: {slower}")


if __name__ == "__main__":
    main()
