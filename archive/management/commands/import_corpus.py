"""Import the UN Security Council Debates corpus (release layout or speeches_2020.csv form)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from archive import search_index
from archive.corpus import CorpusError, import_corpus, open_corpus
from archive.progress import Progress


class Command(BaseCommand):
    help = (
        "Import the UN Security Council Debates corpus: a release folder (speeches/ or "
        "speeches.tar with speaker.tsv and meta.tsv), its speeches folder or tar, or a CSV in the "
        "form of speeches_2020.csv. Re-running adds nothing; meetings imported from their PDF are "
        "skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="release folder, speeches folder, speeches.tar or .csv")
        parser.add_argument("--speaker-tsv", help="speaker.tsv, if not beside the speeches")
        parser.add_argument("--meta-tsv", help="meta.tsv, if not beside the speeches")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=2000,
            help="speeches per transaction (whole meetings; default 2000)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        try:
            reader = open_corpus(
                options["path"], speaker_tsv=options["speaker_tsv"], meta_tsv=options["meta_tsv"]
            )
            total = reader.count()
        except (CorpusError, OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read the corpus: {exc}") from exc
        self.stdout.write(f"Importing {total:,} speeches from {reader.description}")
        progress = None if options["no_progress"] else Progress(total, unit="speeches")
        started = time.monotonic()
        try:
            report = import_corpus(
                reader=reader,
                batch_size=options["batch_size"],
                progress=progress.advance if progress else None,
            )
        except (CorpusError, OSError, UnicodeDecodeError, DatabaseError) as exc:
            # DatabaseError: e.g. another import created the same meeting meanwhile. The batch
            # in flight was rolled back, so a re-run picks up exactly where this one stopped.
            raise CommandError(
                f"Import stopped: {exc}. Whole meetings imported so far are kept; run the "
                "command again to resume."
            ) from exc
        finally:
            if progress:
                progress.finish()
        elapsed = time.monotonic() - started
        if search_index.status().advice != "ok":
            # A bulk import leaves its speeches in the index's change tables (exact, but read
            # row by row): fold them into the compact postings while we are at it.
            self.stdout.write(f"Search index rebuilt in {search_index.rebuild():.1f} s")
        for line in report.lines():
            self.stdout.write(line)
        rate = report.speeches_imported / elapsed if elapsed else 0
        self.stdout.write(
            self.style.SUCCESS(f"Done in {elapsed:.1f} s ({rate:,.0f} speeches/s imported).")
        )
