"""Where a page's time goes: the load test's URL mix, served in-process, timed and profiled.

For each kind of page in ``bench.load.MIX`` this requests sampled URLs through Django's test
client with production settings (``DEBUG=0``) on a benchmark database, twice (cold, then warm:
the load test asks each URL about twice), and prints per kind: median wall time, median CPU
time of this process (Python: views, templates, ORM) and the number of SQL queries. With
``--profile`` it also prints cProfile's top functions over all requests (cumulative time).

Wall time minus process CPU time is roughly the time spent waiting on PostgreSQL. Unlike the
load test this is little disturbed by other work on a shared machine: CPU time is the
process's own.

Usage::

    .venv/bin/python -m bench.profile_pages --per-kind 20 [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="bench_search")
    parser.add_argument("--per-kind", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    os.environ.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        COUNCIL_ARCHIVE_DB_NAME=args.database,
        LOG_LEVEL="ERROR",
    )
    from bench.load import MIX, sample_urls

    urls = sample_urls(args.database)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    profiler = cProfile.Profile() if args.profile else None
    stats: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for kind, _weight in MIX:
        paths = [p for k, p in urls if k == kind][: args.per_kind]
        for path in paths * 2:  # cold, then warm
            with CaptureQueriesContext(connection) as queries:
                wall, cpu = time.perf_counter(), time.process_time()
                if profiler:
                    profiler.enable()
                response = client.get(path)
                if response.streaming:
                    b"".join(response.streaming_content)
                if profiler:
                    profiler.disable()
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if response.status_code != 200:
                print(f"  {response.status_code} {path}", file=sys.stderr)
            stats[kind].append((wall * 1000, cpu * 1000, len(queries)))
    weights = dict(MIX)
    print(f"{'kind':<18}{'wall ms':>9}{'cpu ms':>9}{'queries':>9}")
    mean_wall = mean_cpu = 0.0
    for kind, rows in stats.items():
        wall = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        print(f"{kind:<18}{wall:9.0f}{cpu:9.0f}{statistics.median(r[2] for r in rows):9.0f}")
        mean_wall += weights[kind] * statistics.mean(r[0] for r in rows)
        mean_cpu += weights[kind] * statistics.mean(r[1] for r in rows)
    total = sum(weights.values())
    print(
        f"weighted mean per request: wall {mean_wall / total:.0f} ms, CPU {mean_cpu / total:.0f} ms"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    return 0


if __name__ == "__main__":
    sys.exit(main())
