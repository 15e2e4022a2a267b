"""Measure what speeches cost in PostgreSQL, and extrapolate to the whole record since 1946.

Loads ``--speeches`` real speeches (``bench.benchdata``: the 2020 Security Council statements,
then General Debate text cut into speech-sized pieces) into a benchmark database, measures the
speech table's heap, TOAST, GIN index and other indexes, then times imports of further
speeches in transactions of 1,000 through the ORM with every index and trigger in place, as the
import service writes them. Prints the figures, the machine, and the linear extrapolation to
10,000 meetings / 200,000 speeches with its arithmetic (docs/deployment.md quotes a run).

    COUNCIL_ARCHIVE_DB_NAME=bench_capacity .venv/bin/python -m bench.capacity --speeches 20000
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from pathlib import Path

TARGET_MEETINGS = 10_000
TARGET_SPEECHES = 200_000
CAPACITY_SYMBOL_PREFIX = "BENCH/CAPACITY/"


def mib(n_bytes: float) -> str:
    """Bytes as MiB with one decimal."""
    return f"{n_bytes / 2**20:,.1f} MiB"


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split("\n", 1)[0].split()[1])
        memory = f"{kib / 2**20:.1f} GiB"
    return {
        "cpu": f"{cpu} ({os.cpu_count()} cores visible)",
        "memory": memory,
        "os": platform.platform(),
        "python": sys.version.split()[0],
    }


def sizes() -> dict[str, int]:
    """Sizes of the speech table's parts and of the whole database, in bytes."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT pg_total_relation_size('archive_speech'),
                   pg_relation_size('archive_speech'),
                   coalesce(pg_total_relation_size(c.reltoastrelid), 0),
                   pg_relation_size('speech_search_vector_gin'),
                   pg_indexes_size('archive_speech'),
                   pg_total_relation_size('archive_meeting'),
                   pg_total_relation_size('archive_mention'),
                   pg_database_size(current_database()),
                   (SELECT count(*) FROM archive_speech),
                   (SELECT count(*) FROM archive_meeting),
                   (SELECT coalesce(sum(octet_length(text)), 0) FROM archive_speech),
                   (SELECT coalesce(sum(pg_column_size(text)), 0) FROM archive_speech),
                   (SELECT coalesce(sum(pg_column_size(search_vector)), 0) FROM archive_speech)
            FROM pg_class c WHERE c.oid = 'archive_speech'::regclass
            """
        )
        row = cur.fetchone()
    keys = [
        "speech_total",
        "speech_heap",
        "speech_toast",
        "gin",
        "speech_indexes",
        "meeting_total",
        "mention_total",
        "database",
        "speeches",
        "meetings",
        "text_bytes",
        "text_stored",
        "search_vector_stored",
    ]
    return dict(zip(keys, row, strict=True))


def time_imports(*, batches: int, per_batch: int = 1000, seed: int = 1946) -> list[float]:
    """Seconds per transaction of ``per_batch`` new speeches written through the ORM."""
    from django.db import transaction

    from archive.models import Meeting, Speech

    rng = random.Random(seed)
    texts = list(Speech.objects.order_by("?").values_list("text", flat=True)[:5000])
    timings = []
    for batch in range(batches):
        started = time.perf_counter()
        with transaction.atomic():
            meetings = Meeting.objects.bulk_create(
                Meeting(
                    symbol=f"{CAPACITY_SYMBOL_PREFIX}{batch}/{n}",
                    kind=Meeting.Kind.LETTER_COMPILATION,
                    place="BENCH ONLY: capacity measurement",
                    source=Meeting.Source.TEXT,
                    speech_count=20,
                )
                for n in range(per_batch // 20)
            )
            speeches = []
            for meeting in meetings:
                for sequence in range(1, 21):
                    # Real paragraphs, reshuffled, so no two speeches are the same text.
                    paragraphs = rng.choice(texts).split("\n\n")
                    rng.shuffle(paragraphs)
                    speeches.append(
                        Speech(
                            meeting=meeting,
                            sequence=sequence,
                            attribution="Mr. Bench (Benchland)",
                            speaker_name="Mr. Bench",
                            role=Speech.Role.INVITED,
                            text="\n\n".join(paragraphs),
                        )
                    )
            Speech.objects.bulk_create(speeches, batch_size=500)
        timings.append(time.perf_counter() - started)
    return timings


def extrapolate(measured: dict[str, int], speeches: int = TARGET_SPEECHES) -> list[str]:
    """Lines of arithmetic: bytes per speech, times the whole record."""
    n = measured["speeches"]
    lines = []
    for key, label in [
        ("speech_heap", "speech heap"),
        ("speech_toast", "speech TOAST"),
        ("gin", "GIN index (speech_search_vector_gin)"),
        ("speech_indexes", "all speech indexes"),
        ("speech_total", "speech table, everything"),
        ("database", "whole database"),
    ]:
        per = measured[key] / n
        lines.append(
            f"  {label:38s} {measured[key]:>13,} B / {n:,} = {per:>8,.0f} B/speech"
            f"  x {speeches:,} = {mib(per * speeches):>12s}"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    """Load, measure, time, extrapolate, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speeches", type=int, default=20_000)
    parser.add_argument("--import-batches", type=int, default=5, help="of 1,000 speeches each")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    os.environ.setdefault("DEBUG", "1")  # development settings (no secret key needed)
    os.environ.setdefault("COUNCIL_ARCHIVE_DB_NAME", "bench_capacity")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.db import connection

    from bench.benchdata import load_bench_corpus

    print("Machine:")
    for key, value in machine().items():
        print(f"  {key:8s} {value}")
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        print(f"  postgres {cur.fetchone()[0]}")

    summary = load_bench_corpus(n_speeches=args.speeches, progress=lambda _msg: None)
    loaded = sizes()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT avg(octet_length(s.text)) FILTER (WHERE m.symbol LIKE 'S/%'),"
            " avg(octet_length(s.text))"
            " FROM archive_speech s JOIN archive_meeting m ON m.id = s.meeting_id"
        )
        real_avg, bench_avg = cur.fetchone()
    print(
        f"\nBulk load (COPY, GIN built afterwards): {summary.speeches:,} speeches in "
        f"{summary.meetings:,} meetings, {summary.seconds:.1f} s "
        f"= {summary.seconds / summary.speeches * 1000:.2f} s per 1,000 speeches"
    )
    print(
        f"Text: {loaded['text_bytes']:,} B, {bench_avg:,.0f} B/speech on average "
        f"(the real 2020 Council speeches among them: {real_avg or 0:,.0f} B)"
    )
    print("\nAfter the load (VACUUM ANALYZE):")
    for key, value in loaded.items():
        shown = f"{value:,}" if key in {"speeches", "meetings"} else f"{mib(value)} ({value:,} B)"
        print(f"  {key:16s} {shown}")

    timings = time_imports(batches=args.import_batches)
    print(
        f"\nImports through the ORM, GIN index and triggers in place, 1,000 speeches per "
        f"transaction: {', '.join(f'{t:.2f}' for t in timings)} s; "
        f"mean {sum(timings) / len(timings):.2f} s per 1,000 speeches"
    )
    after = sizes()
    grown = after["speeches"] - loaded["speeches"]
    for key in ("speech_total", "gin"):
        per = (after[key] - loaded[key]) / grown
        print(f"  {key} grew {mib(after[key] - loaded[key])} = {per:,.0f} B per imported speech")

    print(
        f"\nExtrapolated linearly to the whole record since 1946 "
        f"({TARGET_MEETINGS:,} meetings, {TARGET_SPEECHES:,} speeches), from the load:"
    )
    for line in extrapolate(loaded):
        print(line)
    mean = sum(timings) / len(timings)
    print(
        f"  importing it all at the measured rate: {mean:.2f} s x {TARGET_SPEECHES // 1000} "
        f"= {mean * TARGET_SPEECHES / 1000 / 60:.1f} min"
    )
    from archive.models import Meeting

    Meeting.objects.filter(symbol__startswith=CAPACITY_SYMBOL_PREFIX).delete()


if __name__ == "__main__":
    main()
