"""Tantivy side of ``bench.ranking_designs`` (runs in its own throwaway virtualenv).

Reads the exported speeches (PostgreSQL's own lexemes at their own positions, and the facet
and filter fields), builds a Tantivy index, then answers one JSON query per stdin line with
the milliseconds a search took: BM25 top 20 (or date order), the count, and facet counts by
State, year and agenda item (terms aggregations). Imports nothing of the archive.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import tantivy

FIELDS = ("state", "year", "topic", "on_council", "role", "day", "resolutions")


def build(export: Path, folder: Path) -> tuple[tantivy.Index, float, int]:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, fast=True, indexed=True)
    builder.add_text_field("body", tokenizer_name="whitespace", index_option="position")
    for name in FIELDS:
        builder.add_integer_field(name, fast=True, indexed=True)
    schema = builder.build()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    index = tantivy.Index(schema, path=str(folder))
    writer = index.writer(heap_size=400_000_000, num_threads=2)
    with open(export, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            doc = tantivy.Document(id=row["id"], body=row["tokens"])
            for name in FIELDS:
                values = row[name] if isinstance(row[name], list) else [row[name]]
                for value in values:
                    doc.add_integer(name, int(value))
            writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return index, seconds, size


def to_query(index: tantivy.Index, node):
    schema = index.schema
    kind = node[0]
    if kind == "term":
        return tantivy.Query.term_query(schema, "body", node[1])
    if kind == "phrase":
        return tantivy.Query.phrase_query(schema, "body", [(o, w) for o, w in node[1]])
    if kind == "not":
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, tantivy.Query.all_query()),
             (tantivy.Occur.MustNot, to_query(index, node[1]))]
        )  # fmt: skip
    occur = tantivy.Occur.Must if kind == "and" else tantivy.Occur.Should
    return tantivy.Query.boolean_query([(occur, to_query(index, n)) for n in node[1:]])


def run(index: tantivy.Index, request: dict) -> float:
    started = time.perf_counter()
    searcher = index.searcher()
    clauses = []
    if request["tree"] is not None:
        clauses.append((tantivy.Occur.Must, to_query(index, request["tree"])))
    for name, low, high in request["filters"]:
        clauses.append(
            (tantivy.Occur.Must, tantivy.Query.range_query(index.schema, name, tantivy.FieldType.Integer, low, high))
        )  # fmt: skip
    query = tantivy.Query.boolean_query(clauses) if clauses else tantivy.Query.all_query()
    if request["sort"] == "relevance" and request["tree"] is not None:
        result = searcher.search(query, limit=20, offset=request["offset"], count=True)
    else:
        order = tantivy.Order.Desc if request["sort"] != "oldest" else tantivy.Order.Asc
        result = searcher.search(
            query, limit=20, offset=request["offset"], count=True, order_by_field="day", order=order
        )
    _ = [searcher.doc(address)["id"][0] for _score, address in result.hits]
    aggregations = {
        name: {"terms": {"field": name, "size": 500}} for name in ("state", "year", "topic")
    }
    facets = searcher.aggregate(query, aggregations)
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, result.count, len(facets["state"]["buckets"])


def main() -> None:
    export, folder = Path(sys.argv[1]), Path(sys.argv[2])
    index, seconds, size = build(export, folder)
    print(json.dumps({"built": seconds, "bytes": size}), flush=True)
    for line in sys.stdin:
        ms, count, states = run(index, json.loads(line))
        print(json.dumps({"ms": ms, "count": count, "states": states}), flush=True)


if __name__ == "__main__":
    main()
