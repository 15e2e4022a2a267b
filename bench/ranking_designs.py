"""Two designs for BM25 over every match, measured on the same speeches in one run.

* **PostgreSQL index** (the archive's): postings stored in PostgreSQL (migration
  ``search_postings``), matches, BM25 and facets computed by ``archive.ranking`` in the web
  worker; timed as the search page runs it (``search_index.Results``: counts and facets, then
  the page's 20 ids).
* **Tantivy** (0.2x, Python binding, in a throwaway virtualenv ``var/tantivy-venv``): an index
  of the same lexemes at the same positions (exported from ``search_vector``), with State,
  year, agenda item, seat, role, date and resolutions as fast fields; timed for the same work
  (top 20 by BM25 or date with the count, then terms aggregations for the facets).

Queries alternate between the designs. Index build time and size are printed for both.
Usage::

    COUNCIL_ARCHIVE_DB_NAME=bench_search .venv/bin/python -m bench.ranking_designs --reps 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.datasette_compare import uptime
from bench.search_latency import QUERIES, _machine, _pct

ROOT = Path(__file__).resolve().parent.parent
ROLES = ["president", "member", "invited", "un", "other"]


def export(path: Path) -> None:
    """Each speech's lexemes in position order (gaps as "_"), and its filter fields, as JSONL."""
    from django.db import connection

    sql = """
        SELECT s.id, coalesce(s.member_state_id, 0), coalesce(EXTRACT(YEAR FROM s.meeting_date), 0),
               coalesce(m.agenda_item_id, 0), s.on_council::int, s.role,
               coalesce(s.meeting_date - DATE '1970-01-01', 0),
               (SELECT coalesce(array_agg(x.resolution_id), '{}') FROM archive_mention x
                WHERE x.speech_id = s.id AND x.resolution_id IS NOT NULL),
               (SELECT coalesce(array_agg(u.lexeme || ' ' || array_to_string(u.positions, ',')), '{}')
                FROM unnest(s.search_vector) u)
        FROM archive_speech s JOIN archive_meeting m ON m.id = s.meeting_id
    """
    tmp = path.with_suffix(".tmp")
    with connection.cursor() as cursor, open(tmp, "w", encoding="utf-8") as out:
        cursor.execute(sql)
        while rows := cursor.fetchmany(2000):
            for pk, state, year, topic, seat, role, day, resolutions, lexemes in rows:
                slots: dict[int, str] = {}
                for entry in lexemes:
                    word, _, positions = entry.rpartition(" ")
                    for pos in positions.split(","):
                        slots[int(pos)] = word
                tokens = [slots.get(p, "_") for p in range(1, max(slots, default=0) + 1)]
                row = {"id": pk, "state": state, "year": int(year), "topic": topic,
                       "on_council": seat, "role": ROLES.index(role), "day": day,
                       "resolutions": resolutions, "tokens": " ".join(tokens)}  # fmt: skip
                out.write(json.dumps(row) + "\n")
    tmp.replace(path)


def tantivy_python() -> Path:
    venv = ROOT / "var" / "tantivy-venv"
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "tantivy"], check=True)
    return venv / "bin" / "python"


def to_tantivy(node):
    """The archive's tsquery tree as the worker's nested lists."""
    from archive import ranking

    if isinstance(node, ranking.Term):
        return ["term", node.lexeme]
    if isinstance(node, ranking.Not):
        return ["not", to_tantivy(node.operand)]
    if isinstance(node, ranking.Phrase):
        words, offset, chain = [], 0, node
        parts = []
        while isinstance(chain, ranking.Phrase):
            parts.append(chain)
            chain = chain.left
        words.append((0, chain.lexeme))
        for part in reversed(parts):
            offset += part.distance
            words.append((offset, part.right.lexeme))
        return ["phrase", words]
    kind = "and" if isinstance(node, ranking.And) else "or"
    return [kind, to_tantivy(node.left), to_tantivy(node.right)]


def tantivy_filters(filters: dict) -> list:
    out = []
    if filters.get("state") is not None:
        sid = filters["state"].member_state_id or 0
        out.append(("state", sid, sid))
    if filters.get("year"):
        out.append(("year", int(filters["year"]), int(filters["year"])))
    if filters.get("on_council") == "yes":
        out.append(("on_council", 1, 1))
    if filters.get("role"):
        out.append(("role", ROLES.index(filters["role"]), ROLES.index(filters["role"])))
    if filters.get("date_from"):
        out.append(("day", (filters["date_from"] - _EPOCH).days, 10**6))
    if filters.get("resolution"):
        from archive.models import Resolution

        ref = filters["resolution"]
        rid = Resolution.objects.filter(number=ref.number, year=ref.year).values_list(
            "pk", flat=True
        )
        out.append(("resolutions", rid[0], rid[0]))
    return out


_EPOCH = __import__("datetime").date(1970, 1, 1)


def main(argv: list[str] | None = None) -> None:
    """Export, build, then time both designs query by query."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    os.environ.setdefault("DEBUG", "1")  # development settings (no secret key needed)
    os.environ.setdefault("COUNCIL_ARCHIVE_DB_NAME", "bench_search")
    import django

    django.setup()
    from django.db import connection
    from django.test import RequestFactory

    from archive import ranking, search_index
    from archive.views.search import parse_search

    database = connection.settings_dict["NAME"]
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    exported = folder / f"{database}.lexemes.jsonl"
    if not exported.exists():
        started = time.perf_counter()
        export(exported)
        print(f"exported lexemes in {time.perf_counter() - started:.0f} s")
    print(f"machine: {_machine()}\nbefore: {uptime()}")
    status = search_index.status()
    print(
        f"PostgreSQL index: postings {status.posting_bytes / 1e6:.0f} MB (+ search_document);"
        " build time: see `manage.py search_index --rebuild`"
    )
    worker = subprocess.Popen(
        [str(tantivy_python()), str(ROOT / "bench" / "tantivy_worker.py"), str(exported),
         str(folder / f"{database}.tantivy")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    built = json.loads(worker.stdout.readline())
    print(f"Tantivy index: built in {built['built']:.0f} s, {built['bytes'] / 1e6:.0f} MB")
    factory = RequestFactory()
    header = f"{'query':30} {'matches':>8} | {'PostgreSQL p50':>14} {'p95':>6} | {'Tantivy p50':>11} {'p95':>6}"
    print(f"\n{header}\n{'-' * len(header)}")
    all_pg, all_tv = [], []
    for label, params in QUERIES:
        parsed = parse_search(factory.get("/search/?" + urlencode(params)))
        start = (int(params.get("page", 1)) - 1) * 20
        results = search_index.Results(
            parsed.filterset.qs,
            query=parsed.query,
            sort=parsed.sort,
            has_filters=bool(parsed.filters),
        )
        tsquery = results.found.tsquery
        tree = ranking.parse_tsquery(tsquery) if parsed.query else None
        request = {"tree": to_tantivy(tree) if tree else None, "sort": parsed.sort,
                   "filters": tantivy_filters(parsed.filters), "offset": start}  # fmt: skip
        pg, tv, count = [], [], 0
        for _ in range(args.reps):
            began = time.perf_counter()
            results = search_index.Results(
                parsed.filterset.qs, query=parsed.query, sort=parsed.sort,
                has_filters=bool(parsed.filters),
            )  # fmt: skip
            stats = results.stats()
            results[start : start + 20]
            pg.append((time.perf_counter() - began) * 1000)
            worker.stdin.write(json.dumps(request) + "\n")
            worker.stdin.flush()
            answer = json.loads(worker.stdout.readline())
            tv.append(answer["ms"])
            count = answer["count"]
        all_pg += pg
        all_tv += tv
        flag = "" if count == stats.total else f"  (Tantivy counts {count:,})"
        print(
            f"{label:30} {stats.total:>8,} | {statistics.median(pg):14.1f} {_pct(pg, 95):6.1f} |"
            f" {statistics.median(tv):11.1f} {_pct(tv, 95):6.1f}{flag}"
        )
    print("-" * len(header))
    print(
        f"{'OVERALL':30} {'':>8} | {statistics.median(all_pg):14.1f} {_pct(all_pg, 95):6.1f} |"
        f" {statistics.median(all_tv):11.1f} {_pct(all_tv, 95):6.1f}"
    )
    worker.stdin.close()
    worker.wait(timeout=60)
    print(f"after: {uptime()}")


if __name__ == "__main__":
    main()
