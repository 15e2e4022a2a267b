"""End-to-end latency of the search page (and meeting / State / resolution pages, and the
research pages: trends, affinity, citations, keyword in context) at volume.

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


# The research pages (issue 13) and their targets for the cold p95, in ms.
RESEARCH_PAGES: list[tuple[str, str, int | None]] = [
    ("trends: peace", "/trends/?q=peace", 300),
    (
        "trends: peace, 5 States",
        "/trends/?q=peace&split=state&state=fra&state=usa&state=chn&state=rus&state=gbr",
        300,
    ),
    ("trends: peace, by role", "/trends/?q=peace&split=role", None),
    ('trends: "sexual violence", council', "/trends/?q=%22sexual+violence%22&split=council", None),
    (
        "trends: peace, 5 States per 10k",
        "/trends/?q=peace&split=state&state=fra&state=usa"
        "&state=chn&state=rus&state=gbr&measure=per10k",
        None,
    ),
    ("trends: peace per 10k words", "/trends/?q=peace&measure=per10k", None),
    ("affinity: matrix 2019", "/affinity/?year=2019", 100),
    ("affinity: matrix 2015-2020", "/affinity/?from=2015&to=2020", None),
    ("affinity: CHN-RUS votes 2019", "/affinity/chn/?with=rus&year=2019", None),
    ("State page USA (most like)", "/states/usa/", 100),
    ("State page DEU (most like)", "/states/deu/", 100),
    ("resolution 1325 (2000)", "/resolutions/1325/2000/", 100),
    ("resolution 1820 (2008)", "/resolutions/1820/2008/", 100),
    ("lineage of 1325 (2000)", "/resolutions/1325/2000/lineage/", None),
    ('KWIC: "sexual violence" p1', "/search/kwic/?q=%22sexual+violence%22", 200),
    ('KWIC: "sexual violence" by right', "/search/kwic/?q=%22sexual+violence%22&order=right", None),
    ("KWIC: genocide p1", "/search/kwic/?q=genocide", None),
]


def _first_byte(client, url: str) -> tuple[float, float, int]:
    """(ms to the first chunk, ms to the last, bytes) of a streamed download."""
    start = time.perf_counter()
    response = client.get(url)
    chunks = iter(response.streaming_content)
    first = next(chunks, b"")
    ttfb = (time.perf_counter() - start) * 1000
    size = len(first) + sum(len(c) for c in chunks)
    return ttfb, (time.perf_counter() - start) * 1000, size


def _research_parts() -> list[tuple[str, object]]:
    """The research computations alone, as a page runs them (its own queries included)."""
    from archive.models import MemberState, Resolution
    from archive.research.citations import citations_of
    from archive.views.affinity import state_affinity_context

    usa = MemberState.objects.get(iso3="USA")
    deu = MemberState.objects.get(iso3="DEU")
    usa_terms, deu_terms = list(usa.council_terms.all()), list(deu.council_terms.all())
    wps = Resolution.objects.get(number=1325, year=2000)
    return [
        ("  most like: USA (all its votes)", lambda: state_affinity_context(usa, usa_terms)),
        ("  most like: DEU (its terms)", lambda: state_affinity_context(deu, deu_terms)),
        ("  cites / cited by: 1325 (2000)", lambda: citations_of(wps)),
    ]


def research(client, *, reps: int, warmup: int) -> None:
    """The research pages, warm and cold, against their targets (printed, never asserted)."""
    from django.core.cache import cache

    from bench.research_data import ensure_reference_data

    ensure_reference_data()
    print(f"\nresearch pages (load average {os.getloadavg()[0]:.2f} at start):")
    header = (
        f"{'page':36} | {'warm p50':>8} {'p95':>6} | {'cold p50':>8} {'p95':>6} {'max':>6} | target"
    )
    print(header)
    print("-" * len(header))
    for label, url, target in RESEARCH_PAGES:
        _time(client, url, warmup)
        warm, status = _time(client, url, reps)
        cold, _ = _time(client, url, reps, before=cache.clear)
        verdict = ""
        if target:
            verdict = f"p95 < {target}: {'yes' if _pct(cold, 95) < target else 'NO'}"
        flag = "" if status == 200 else f"  (status {status})"
        print(
            f"{label:36} | {statistics.median(warm):8.1f} {_pct(warm, 95):6.1f} | "
            f"{statistics.median(cold):8.1f} {_pct(cold, 95):6.1f} {max(cold):6.1f} | "
            f"{verdict}{flag}"
        )
    # The research parts of pages that show much else (a State page, a resolution page).
    for label, work in _research_parts():
        work()
        timings = []
        for _ in range(reps):
            cache.clear()
            start = time.perf_counter()
            work()
            timings.append((time.perf_counter() - start) * 1000)
        print(
            f"{label:36} | {'':8} {'':6} | {statistics.median(timings):8.1f} "
            f"{_pct(timings, 95):6.1f} {max(timings):6.1f} | part of a page"
        )
    for label, url in [
        ('KWIC CSV: "sexual violence"', "/search/kwic.csv?q=%22sexual+violence%22"),
        ("KWIC CSV: genocide", "/search/kwic.csv?q=genocide"),
    ]:
        cache.clear()
        ttfb, total, size = _first_byte(client, url)
        print(f"{label:36} | streamed: first bytes {ttfb:.0f} ms, all {total:.0f} ms, {size:,} B")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


def main(argv: list[str] | None = None) -> None:
    """Measure and print the latency table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--load", type=int, default=0, help="(re)load N speeches first")
    parser.add_argument("--min-speeches", type=int, default=90_000)
    parser.add_argument(
        "--only-research", action="store_true", help="only the research pages (issue 13)"
    )
    parser.add_argument(
        "--only-search", action="store_true", help="only the search page (issue 14)"
    )
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
    if args.only_research:
        research(client, reps=args.reps, warmup=args.warmup)
        return
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
    if args.only_search:
        return

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
    research(client, reps=args.reps, warmup=args.warmup)


if __name__ == "__main__":
    main()
