"""End-to-end latency of the search page (and meeting / State / resolution pages) at volume.

Runs GET requests through the full Django stack (django.test.Client: middleware, view,
template, facets, snippets) against a benchmark database of >= 90,000 real speeches, loaded
by ``bench.benchdata`` when missing::

    COUNCIL_ARCHIVE_DB_NAME=bench_search .venv/bin/python -m bench.search_latency
    .venv/bin/python -m bench.search_latency --reps 20 --load 100000

Each query is measured twice: "warm" (the same request again: counts and page in the Django
cache when the search is broad enough to keep them) and "cold" (cache cleared before every
request: the first request for a query). Relevance is BM25 over every match. Timings are
printed with the machine's load and this process's peak memory (it serves the requests, as
one web worker would), never asserted.

Above 100,000 speeches the benchmark corpus re-uses the General Debate text, each piece at
most twice (``bench.benchdata``), under other meetings and dates; the header says so.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import time
from urllib.parse import urlencode

QUERIES: list[tuple[str, dict]] = [
    ("broad: peace", {"q": "peace"}),
    ("broad: united nations", {"q": "united nations"}),
    ("broad: peace, newest", {"q": "peace", "sort": "newest"}),
    ("broad: security, oldest", {"q": "security", "sort": "oldest"}),
    ("broad: peace + State", {"q": "peace", "state": "fra"}),
    ("broad: peace + year", {"q": "peace", "year": "2000"}),
    ("broad: peace + on_council", {"q": "peace", "on_council": "yes"}),
    ("phrase: sexual violence", {"q": '"sexual violence"'}),
    ("phrase: peace and security", {"q": '"international peace and security"'}),
    ("rare: genocide", {"q": "genocide"}),
    ("rare: ceasefire Libya", {"q": "ceasefire libya"}),
    ("OR: Syria OR Yemen", {"q": "syria OR yemen"}),
    ("negation: nuclear -iran", {"q": "nuclear -iran"}),
    ("filters only: State", {"state": "usa"}),
    ("filters only: role + dates", {"role": "president", "date_from": "2020-01-01"}),
    ("resolution mentioned", {"resolution": "242 (1967)"}),
    ("date sort + filter", {"q": "refugees", "sort": "newest", "state": "deu"}),
    ("page 40 of peace", {"q": "peace", "sort": "newest", "page": "40"}),
]


def _machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            model = next((line.split(":", 1)[1].strip() for line in fh if "model name" in line), "")
    except OSError:
        pass
    return f"{platform.platform()} | CPU: {model or platform.processor()} | cores: {os.cpu_count()}"


def _load() -> str:
    with open("/proc/loadavg", encoding="ascii") as fh:
        return "load average: " + ", ".join(fh.read().split()[:3])


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _time(client, url: str, reps: int, *, before=None) -> tuple[list[float], int]:
    timings, status = [], 0
    for _ in range(reps):
        if before:
            before()
        start = time.perf_counter()
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        timings.append((time.perf_counter() - start) * 1000)
        status = response.status_code
    return timings, status


def main(argv: list[str] | None = None) -> None:
    """Measure and print the latency table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--load", type=int, default=0, help="(re)load N speeches first")
    parser.add_argument("--min-speeches", type=int, default=90_000)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    os.environ.setdefault("DEBUG", "1")  # development settings (no secret key needed)
    os.environ.setdefault("COUNCIL_ARCHIVE_DB_NAME", "bench_search")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count
    from django.test import Client, RequestFactory
    from django.urls import NoReverseMatch, reverse

    from archive.models import Meeting, MemberState, Resolution, Speech
    from archive.views.search import parse_search
    from bench.benchdata import load_bench_corpus

    settings.DEBUG = False  # no query log growing over thousands of requests
    if "bench" not in connection.settings_dict["NAME"]:
        raise SystemExit("run against a benchmark database: COUNCIL_ARCHIVE_DB_NAME=bench_search")
    count = Speech.objects.count()
    if args.load or count < args.min_speeches:
        print(load_bench_corpus(n_speeches=args.load or 100_000))
        count = Speech.objects.count()

    from archive import search_index

    print(f"machine: {_machine()}")
    print(f"before: {_load()}")
    print(
        f"database: {connection.settings_dict['NAME']}, {count:,} speeches, cache: "
        f"{settings.CACHES['default']['BACKEND'] if hasattr(settings, 'CACHES') else 'locmem'}"
    )
    if count > 100_000:
        print(
            "corpus: above 100,000 speeches the General Debate text is re-used, each piece at"
            " most twice, under other meetings and dates"
        )
    index = search_index.status()
    print(
        f"search index: {index.lexemes:,} lexemes, postings {index.posting_bytes / 1e6:.0f} MB,"
        f" {index.delta_rows:,} changed pairs since the last rebuild"
    )
    print(f"reps per query: {args.reps} after {args.warmup} warm-up requests\n")
    client = Client()
    factory = RequestFactory()
    header = f"{'query':34} {'matches':>8} | {'warm p50':>8} {'p95':>6} {'max':>6} | {'cold p50':>8} {'p95':>6} {'max':>6}"
    print(header)
    print("-" * len(header))
    warm_all: list[float] = []
    cold_all: list[float] = []
    for label, params in QUERIES:
        url = reverse("archive:search") + "?" + urlencode(params)
        parsed = parse_search(factory.get(url))
        matches = (
            search_index.Results(
                parsed.filterset.qs,
                query=parsed.query,
                sort="newest",
                has_filters=bool(parsed.filters),
            )
            .stats()
            .total
        )
        _time(client, url, args.warmup)
        warm, status = _time(client, url, args.reps)
        cold, _ = _time(client, url, args.reps, before=cache.clear)
        warm_all += warm
        cold_all += cold
        flag = "" if status == 200 else f"  (status {status})"
        print(
            f"{label:34} {matches:>8,} | {statistics.median(warm):8.1f} {_pct(warm, 95):6.1f} "
            f"{max(warm):6.1f} | {statistics.median(cold):8.1f} {_pct(cold, 95):6.1f} "
            f"{max(cold):6.1f}{flag}"
        )
    print("-" * len(header))
    print(
        f"{'OVERALL (ms)':34} {'':>8} | {statistics.median(warm_all):8.1f} "
        f"{_pct(warm_all, 95):6.1f} {max(warm_all):6.1f} | {statistics.median(cold_all):8.1f} "
        f"{_pct(cold_all, 95):6.1f} {max(cold_all):6.1f}"
    )

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process (the web worker): {peak:.0f} MB")
    print(f"after: {_load()}")

    # Other pages of the public site, where they exist (target p95 < 100 ms).
    print("\nother pages (warm):")
    pages = []
    meeting = Meeting.objects.filter(symbol__startswith="S/PV.").order_by("-speech_count").first()
    if meeting:
        pages.append(("meeting " + meeting.symbol, lambda: meeting.get_absolute_url()))
    state = MemberState.objects.annotate(n=Count("speeches")).order_by("-n").first()
    if state:
        pages.append(("State " + state.iso3, lambda: state.get_absolute_url()))
    resolution = Resolution.objects.annotate(n=Count("mentions")).order_by("-n").first()
    if resolution:
        pages.append(("resolution " + resolution.label, lambda: resolution.get_absolute_url()))
    for label, url_of in pages:
        try:
            url = url_of()
        except NoReverseMatch:
            print(f"  {label:30} skipped (page not wired)")
            continue
        _time(client, url, args.warmup)
        timings, status = _time(client, url, args.reps)
        if status != 200:
            print(f"  {label:30} skipped (status {status})")
            continue
        print(
            f"  {label:30} p50 {statistics.median(timings):6.1f}  p95 {_pct(timings, 95):6.1f}"
            f"  max {max(timings):6.1f} ms"
        )


if __name__ == "__main__":
    main()
