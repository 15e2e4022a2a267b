"""Add the real reference data to a benchmark database, for the research pages' benchmark.

``bench.benchdata`` loads 100,000 speeches but no votes, no resolution texts and only the
resolutions its speeches cite. The affinity and citation pages need the real ones: this loads
the reference tables (``load_reference_data``: member states, terms, meetings 1946-2022,
resolutions, votes, vetoes, texts, the citation graph) into the same database, once, and links
the speeches' resolution mentions to the real resolutions. Idempotent: a database that has
votes already is left alone.

Usage (the database name must contain "bench")::

    COUNCIL_ARCHIVE_DB_NAME=bench_search .venv/bin/python -m bench.research_data
"""

from __future__ import annotations

import os
import time


def ensure_reference_data(*, progress=print) -> None:
    """Load the reference tables into the benchmark database unless it has votes already."""
    from django.db import connection, transaction

    from archive.models import Vote
    from archive.reference_data import load_reference_data

    if "bench" not in connection.settings_dict["NAME"]:
        raise SystemExit("refusing: use a database whose name contains 'bench'")
    if Vote.objects.exists():
        return
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        # The corpus's resolutions are numbers read from General Assembly speeches (some
        # misread): the real table replaces them, and the mentions are linked again below.
        cursor.execute("UPDATE archive_mention SET resolution_id = NULL")
        cursor.execute("DELETE FROM archive_resolution")
    for result in load_reference_data(progress=None):
        progress(f"  {result.step}: {result.changed:,} rows in {result.seconds:.0f} s")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE archive_mention m SET resolution_id = r.id FROM archive_resolution r"
            " WHERE m.kind = 'resolution'"
            " AND m.symbol = 'S/RES/' || r.number || ' (' || r.year || ')'"
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    progress(f"reference data loaded in {time.perf_counter() - started:.0f} s")


def main() -> None:
    """Command line: load the reference data into the benchmark database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    os.environ.setdefault("DEBUG", "1")  # development settings (no secret key needed)
    os.environ.setdefault("COUNCIL_ARCHIVE_DB_NAME", "bench_search")
    import django

    django.setup()
    ensure_reference_data()


if __name__ == "__main__":
    main()
