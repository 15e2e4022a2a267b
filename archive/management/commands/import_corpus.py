"""Import the UN Security Council Debates corpus (release layout or speeches_2020.csv form)."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from archive.corpus import CorpusError, import_corpus, open_corpus


class Progress:
    """A one-line progress bar on stderr: done/total, rate and time left."""

    def __init__(self, total: int, *, stream=None, width: int = 30) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.monotonic()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.last_line = 0.0

    def advance(self, count: int) -> None:
        """Record ``count`` more speeches handled and redraw."""
        self.done += count
        now = time.monotonic()
        # Off a terminal (make, CI logs) print a line every 5 s rather than redraw.
        if not self.tty and now - self.last_line < 5 and self.done < self.total:
            return
        self.last_line = now
        elapsed = max(now - self.started, 1e-6)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate else 0
        filled = int(self.width * min(self.done / self.total, 1))
        bar = "#" * filled + "-" * (self.width - filled)
        line = (
            f"[{bar}] {self.done:,}/{self.total:,} speeches  {rate:,.0f}/s  "
            f"left {int(left // 60)}:{int(left % 60):02d}"
        )
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        """End the bar's line."""
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


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
        progress = None if options["no_progress"] else Progress(total)
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
        for line in report.lines():
            self.stdout.write(line)
        rate = report.speeches_imported / elapsed if elapsed else 0
        self.stdout.write(
            self.style.SUCCESS(f"Done in {elapsed:.1f} s ({rate:,.0f} speeches/s imported).")
        )
