"""Load the reference tables from the shared data folder (idempotent: run it again at any time)."""

import time
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from archive.reference_data import LoadResult, load_reference_data, table_counts


class Command(BaseCommand):
    help = (
        "Load member states, names, Council terms, meetings, resolutions, votes, vetoes and "
        "resolution texts from COUNCIL_ARCHIVE_DATA (or --data-dir). Safe to run repeatedly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help=f"Folder of the shared data (default: {settings.COUNCIL_ARCHIVE_DATA})",
        )
        parser.add_argument(
            "--examples",
            type=int,
            default=5,
            help="Problems printed per kind (0: summary only, -1: all); verbosity 2 prints all",
        )

    def handle(self, *args, data_dir, examples, verbosity, **options):
        data_dir = Path(data_dir or settings.COUNCIL_ARCHIVE_DATA)
        if not data_dir.is_dir():
            raise CommandError(f"Data folder not found: {data_dir}")
        if verbosity >= 2:
            examples = -1
        started = time.perf_counter()
        results = load_reference_data(data_dir=data_dir, progress=self._progress)
        self._problems(results, examples)
        self.stdout.write("Rows per table:")
        for table, count in table_counts().items():
            self.stdout.write(f"  {table:<14} {count:>7,}")
        changed = sum(r.changed for r in results)
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {time.perf_counter() - started:.1f} s; {changed:,} rows created or "
                f"updated."
            )
        )

    def _progress(self, result: LoadResult) -> None:
        tables = sorted(set(result.created) | set(result.updated) | set(result.unchanged))
        parts = [
            f"{t}: +{result.created[t]} ~{result.updated[t]} ={result.unchanged[t]}"
            + (f" -{result.deleted[t]}" if result.deleted[t] else "")
            for t in tables
        ]
        self.stdout.write(
            f"{result.step:<26} {result.seconds:5.1f} s  {'; '.join(parts)}"
            + (f"  ({len(result.problems)} problems)" if result.problems else "")
        )

    def _problems(self, results: list[LoadResult], examples: int) -> None:
        problems = [p for r in results for p in r.problems]
        if not problems:
            return
        kinds = Counter((p.file, p.kind) for p in problems)
        self.stdout.write(self.style.WARNING(f"{len(problems)} problems:"))
        shown = Counter()
        for problem in problems:
            key = (problem.file, problem.kind)
            if examples < 0 or shown[key] < examples:
                self.stdout.write(f"  {problem}")
            shown[key] += 1
        self.stdout.write("Problems by file and kind:")
        for (file, kind), count in sorted(kinds.items()):
            self.stdout.write(f"  {count:>5}  {kind:<28} {file}")
