"""Load test: serve the archive with gunicorn on 127.0.0.1 with production settings and drive
64 concurrent clients for 60 seconds over a realistic mix of pages.

Usage (the database must be a benchmark database: its name must contain "bench")::

    .venv/bin/python -m bench.load                       # bench_search, 64 clients, 60 s
    .venv/bin/python -m bench.load --database bench_corpus --clients 32 --duration 30

Load the data first with ``bench/benchdata.py`` (90,000+ real speeches). The mix: search
(broad and rare words, with and without filters), meeting records, State pages and their
statements, resolution pages, speech permalinks, CSV exports of filtered searches and the home
page. Requests are made by wrk (Debian package ``wrk``, installed with apt-get when missing)
with a generated Lua script; wrk is C, so the client takes little of the CPU the server needs.

Prints requests per second, p50/p90/p99 latency, errors (non-2xx/3xx and socket errors),
timeouts (no answer within --timeout) and the machine. Target: no errors, no timeouts, p99 < 1 s.
Traffic goes only to 127.0.0.1; the script stops gunicorn and itself when done.

``--exporters 6`` adds six clients that download the whole archive through the per-query
export (``/search.csv?sort=newest``) over and over while wrk measures the pages, honouring the
``Retry-After`` of a 503 as a polite client would (issue 15.2: pages must keep p99 < 1 s with
0 errors). Their downloads, refusals and failures are counted apart from the pages.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

BROAD_WORDS = ["security", "peace", "humanitarian", "resolution", "women", "terrorism"]
RARE_WORDS = ["Tokelau", "cholera", "landmines", "Bougainville", "piracy", "desertification"]

# (kind, weight): how often each kind of page is requested.
MIX = [
    ("search broad", 12),
    ("search rare", 10),
    ("search filtered", 12),
    ("meeting", 18),
    ("state", 10),
    ("state statements", 6),
    ("resolution", 12),
    ("speech", 8),
    ("csv export", 6),
    ("home", 6),
]


@dataclass
class Result:
    """What wrk measured."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    timeouts: int
    raw: str


def production_env(database: str, port: int) -> dict[str, str]:
    """Production settings for the server under test, on the benchmark database."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "COUNCIL_ARCHIVE_DB_NAME": database,
        "LOG_LEVEL": "ERROR",
    }
    env.pop("DATABASE_URL", None)
    return env


def sample_urls(database: str, n: int = 2000, seed: int = 2020) -> list[tuple[str, str]]:
    """(kind, path) pairs drawn from the benchmark database, weighted by MIX."""
    os.environ["COUNCIL_ARCHIVE_DB_NAME"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    os.environ.setdefault("DEBUG", "1")  # this process only samples URLs: development settings
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from urllib.parse import urlencode

    from django.urls import reverse

    from archive.models import Meeting, MemberState, Resolution, Speech

    rng = random.Random(seed)
    meetings = list(Meeting.objects.with_record().order_by("?")[:300])
    states = list(MemberState.objects.filter(speeches__isnull=False).distinct().order_by("?")[:80])
    resolutions = list(Resolution.objects.order_by("?")[:200])
    speech_ids = list(Speech.objects.order_by("?").values_list("pk", flat=True)[:300])
    if not (meetings and states and speech_ids):
        raise SystemExit(f"The database {database!r} holds no speeches: load bench data first.")
    years = sorted({m.date.year for m in meetings if m.date})

    def search(params: dict) -> str:
        return reverse("archive:search") + "?" + urlencode(params)

    makers = {
        "search broad": lambda: search({"q": rng.choice(BROAD_WORDS)}),
        "search rare": lambda: search({"q": rng.choice(RARE_WORDS)}),
        "search filtered": lambda: search(
            {
                "q": rng.choice(BROAD_WORDS + RARE_WORDS),
                "state": rng.choice(states).slug,
                "year": rng.choice(years),
            }
        ),
        "meeting": lambda: rng.choice(meetings).get_absolute_url(),
        "state": lambda: rng.choice(states).get_absolute_url(),
        "state statements": lambda: reverse(
            "archive:member_state_statements", args=[rng.choice(states).slug]
        ),
        "resolution": lambda: (
            rng.choice(resolutions).get_absolute_url() if resolutions else reverse("archive:home")
        ),
        "speech": lambda: reverse("archive:speech", args=[rng.choice(speech_ids)]),
        # Exports of what a reader is looking at: one State's statements in a year.
        "csv export": lambda: (
            reverse("archive:search_csv")
            + "?"
            + urlencode(
                {
                    "q": rng.choice(BROAD_WORDS),
                    "state": rng.choice(states).slug,
                    "year": rng.choice(years),
                }
            )
        ),
        "home": lambda: reverse("archive:home"),
    }
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    return [(kind, makers[kind]()) for kind in (rng.choice(kinds) for _ in range(n))]


def empty_page_cache() -> None:
    """Start every run from an empty page cache: nothing rendered by an earlier run is served."""
    from django.core.cache import cache

    cache.clear()
    print("Page cache emptied: every page is rendered afresh on its first request of the run")


def service_times(access_log: str, urls: list[tuple[str, str]], since: float) -> str:
    """Each kind's time inside a worker (gunicorn's %(D)s), from requests logged after ``since``.

    Latency under load is this plus the wait for a free worker: the table says whether the
    slow requests are slow pages or pages that waited.
    """
    kinds = {path: kind for kind, path in urls}
    kinds[Exporters.path] = "full export"
    times: dict[str, list[float]] = {}
    with open(access_log, encoding="utf-8") as log:
        lines = log.readlines()
    for line in lines[int(since) :]:
        micros, _, rest = line.rstrip("\n").partition(" ")
        path, _, query = rest.partition(" ")
        path += f"?{query}" if query else ""
        if micros.isdigit():
            times.setdefault(kinds.get(path, "other"), []).append(int(micros) / 1000)

    def pct(values: list[float], p: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    rows = [f"  {'kind':<18} {'n':>5} {'p50':>7} {'p90':>7} {'p99':>7}  ms in a worker"]
    for kind in [k for k, _ in MIX] + ["full export", "other"]:
        values = times.get(kind)
        if values:
            rows.append(
                f"  {kind:<18} {len(values):>5} {pct(values, 0.5):7.1f} "
                f"{pct(values, 0.9):7.1f} {pct(values, 0.99):7.1f}"
            )
    every = [v for kind, values in times.items() if kind != "full export" for v in values]
    if every:
        rows.append(
            f"  {'all pages':<18} {len(every):>5} {pct(every, 0.5):7.1f} {pct(every, 0.9):7.1f} "
            f"{pct(every, 0.99):7.1f}"
        )
    return "\n".join(rows)


def ensure_wrk() -> str:
    """Path to wrk, installing the Debian package if it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"],
        check=True,
        env=env,
    )
    return shutil.which("wrk") or "wrk"


def lua_script(paths: list[str]) -> str:
    """A wrk script that requests the paths in random order."""
    quoted = ",\n".join(f'  "{p}"' for p in paths)
    return f"""
local paths = {{
{quoted}
}}
math.randomseed(os.time())
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def start_server(
    env: dict[str, str], port: int, workers: int, access_log: str | None = None
) -> subprocess.Popen:
    """Start gunicorn in its own process group and wait until it answers.

    With ``access_log``, gunicorn writes each request's time in the worker (µs) and path there.
    """
    logging = ["--access-logfile", access_log, "--access-logformat", "%(D)s %(U)s %(q)s"]
    server = subprocess.Popen(
        [
            str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
            *(logging if access_log else []),
            "archive.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=5) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    """Stop gunicorn (the process group this script started) and wait for it."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def check_urls(port: int, urls: list[tuple[str, str]], per_kind: int = 3) -> dict[str, int]:
    """Fetch a few URLs of each kind, one at a time: the mix must be made of working pages.

    Prints each kind's median time unloaded, which says where the time goes under load.
    """
    statuses = {}
    for kind in dict(MIX):
        paths = [p for k, p in urls if k == kind][:per_kind]
        times = []
        for path in paths:
            started = time.monotonic()
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=30) as response:
                    response.read()
                    statuses[f"{kind} {path}"] = response.status
            except urllib.error.HTTPError as exc:
                statuses[f"{kind} {path}"] = exc.code
            except (http.client.HTTPException, OSError) as exc:
                # A streamed response cut off half-way (the server failed after the headers).
                statuses[f"{kind} {path} ({exc!r})"] = 0
            times.append((time.monotonic() - started) * 1000)
        print(f"  unloaded {kind:<17} median {sorted(times)[len(times) // 2]:7.0f} ms")
    return statuses


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> Result:
    """Read wrk's --latency report."""

    def percentile(p: str) -> float:
        match = re.search(rf"^\s+{p}%\s+(\S+)", output, flags=re.M)
        return _ms(match[1]) if match else float("nan")

    done = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    seconds = float(done[2]) * {"s": 1, "ms": 0.001, "m": 60}.get(done[3], 1)
    connect, read, write, timeout = (int(x) for x in socket.groups()) if socket else (0,) * 4
    return Result(
        requests=int(done[1]),
        seconds=seconds,
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        p50_ms=percentile("50"),
        p90_ms=percentile("90"),
        p99_ms=percentile("99"),
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=connect + read + write,
        timeouts=timeout,
        raw=output,
    )


@dataclass
class Exporters:
    """Clients downloading a full export in a loop, politely (Retry-After), for a while."""

    port: int
    count: int
    path: str = "/search.csv?sort=newest"
    done: int = 0
    refused: int = 0
    failed: int = 0
    bytes: int = 0
    seconds: list[float] | None = None

    def __post_init__(self):
        self.seconds = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(self.count)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            wait = 0.0
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
                conn.request("GET", self.path)
                response = conn.getresponse()
                size = 0
                while chunk := response.read(1 << 16):
                    size += len(chunk)
                conn.close()
                with self._lock:
                    if response.status == 200:
                        self.done += 1
                        self.bytes += size
                        self.seconds.append(time.monotonic() - started)
                    elif response.status == 503:
                        self.refused += 1
                        wait = float(response.getheader("Retry-After") or 5)
                    else:
                        self.failed += 1
            except (OSError, http.client.HTTPException):
                with self._lock:
                    self.failed += 1
                wait = 1.0
            self._stop.wait(wait)

    def report(self) -> str:
        """One line on what the exporters got."""
        median = sorted(self.seconds)[len(self.seconds) // 2] if self.seconds else float("nan")
        return (
            f"Exporters ({self.count} clients, {self.path}): {self.done} downloads completed "
            f"({self.bytes / 1048576:.0f} MB, median {median:.1f} s each), {self.refused} told "
            f"to retry (503), {self.failed} failed"
        )


class CpuMeter:
    """CPU time used by gunicorn (master, workers) and the embedded PostgreSQL during a run.

    Unlike latency, CPU time per request barely changes when other work shares the machine, so
    it compares runs made under different loads. Sampled every half second per process, so
    that backends and workers that come and go (CONN_MAX_AGE, restarts) are counted too, up to
    their last sample.
    """

    def __init__(self, server: subprocess.Popen):
        from archive import embedded_db

        self.roots = {"gunicorn": server.pid}
        try:
            pidfile = embedded_db.pgdata_dir() / "postmaster.pid"
            self.roots["PostgreSQL"] = int(pidfile.read_text().split()[0])
        except (OSError, ValueError):
            pass
        self.started = time.time()
        self.seen: dict[tuple[str, int], list[float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        import psutil

        for name, pid in self.roots.items():
            try:
                root = psutil.Process(pid)
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                continue
            for proc in procs:
                try:
                    times = proc.cpu_times()
                    used = times.user + times.system
                    created = proc.create_time()
                except psutil.Error:
                    continue
                first_last = self.seen.setdefault(
                    (name, proc.pid), [0.0 if created >= self.started else used, used]
                )
                first_last[1] = used

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def start(self) -> None:
        self._sample()
        self._thread.start()

    def stop(self) -> dict[str, float]:
        """Seconds of CPU per root since start."""
        self._stop.set()
        self._thread.join(timeout=5)
        self._sample()
        totals = dict.fromkeys(self.roots, 0.0)
        for (name, _pid), (first, last) in self.seen.items():
            totals[name] += last - first
        return totals


def machine() -> str:
    """CPU, cores, memory and software versions, for the record."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
        memory = f"{mem_kb / 1048576:.1f} GB RAM"
    except OSError:
        memory = "unknown RAM"
    load = os.getloadavg()
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, load average before the run "
        f"{load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "bench_search"))
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument("--timeout", type=int, default=5, help="seconds before a timeout")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument(
        "--exporters", type=int, default=0, help="clients downloading full exports meanwhile"
    )
    args = parser.parse_args(argv)

    if "bench" not in args.database:
        raise SystemExit(f"Refusing {args.database!r}: use a benchmark database (name with bench).")

    print(f"Machine: {machine()}")
    wrk = ensure_wrk()
    urls = sample_urls(args.database)
    empty_page_cache()
    env = production_env(args.database, args.port)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as log:
        access_log = log.name
    server = start_server(env, args.port, args.workers, access_log=access_log)
    try:
        statuses = check_urls(args.port, urls)
        broken = {k: v for k, v in statuses.items() if v != 200}
        print(f"Checked URLs of each kind: {len(statuses) - len(broken)} of {len(statuses)} OK")
        for kind, status in broken.items():
            print(f"  {status} {kind}")
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(lua_script([path for _kind, path in urls]))
        exporters = Exporters(args.port, args.exporters)
        exporters.start()
        meter = CpuMeter(server)
        meter.start()
        with open(access_log, encoding="utf-8") as log:
            logged_before = sum(1 for _ in log)  # the URL checks, before wrk
        print(
            f"Running wrk: {args.clients} clients for {args.duration} s against "
            f"http://{HOST}:{args.port}/ ({args.workers} gunicorn workers, database "
            f"{args.database!r}, {len(urls)} distinct URLs)"
        )
        completed = subprocess.run(
            [
                wrk,
                "--threads",
                "2",
                "--connections",
                str(args.clients),
                "--duration",
                f"{args.duration}s",
                "--timeout",
                f"{args.timeout}s",
                "--latency",
                "--script",
                script.name,
                f"http://{HOST}:{args.port}/",
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=args.duration + 120,
        )
        cpu = meter.stop()
        exporters.stop()
        os.unlink(script.name)
    finally:
        stop_server(server)

    if completed.returncode != 0:
        print(completed.stdout, completed.stderr)
        return 1
    result = parse_wrk(completed.stdout)
    errors = result.non_2xx + result.socket_errors
    print(completed.stdout)
    print("Time inside a worker, by kind of page (the rest of the latency is waiting for one):")
    print(service_times(access_log, urls, logged_before))
    os.unlink(access_log)
    print(
        f"Result: {result.requests} requests in {result.seconds:.0f} s = {result.rps:.1f} req/s; "
        f"latency p50 {result.p50_ms:.0f} ms, p90 {result.p90_ms:.0f} ms, "
        f"p99 {result.p99_ms:.0f} ms; errors {errors} (non-2xx {result.non_2xx}, "
        f"socket {result.socket_errors}); timeouts (> {args.timeout} s) {result.timeouts}"
    )
    if args.exporters:
        print(exporters.report())
    app_cpu, db_cpu = cpu.get("gunicorn", 0.0), cpu.get("PostgreSQL", 0.0)
    per_request = (app_cpu + db_cpu) / max(result.requests, 1) * 1000
    print(
        f"CPU per page request: {per_request:.1f} ms (gunicorn {app_cpu:.0f} s, PostgreSQL "
        f"{db_cpu:.0f} s in all{', exports included' if args.exporters else ''}); on "
        f"{os.cpu_count()} idle cores that is at most {os.cpu_count() * 1000 / per_request:.0f} "
        f"req/s"
    )
    met = errors == 0 and result.timeouts == 0 and result.p99_ms < 1000 and not broken
    print("Target (no errors, no timeouts, p99 < 1 s): " + ("MET" if met else "NOT MET"))
    return 0 if met else 2


if __name__ == "__main__":
    sys.exit(main())
