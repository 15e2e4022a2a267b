"""Re-run the current parser on the stored uploads and show, per record, what would change.

    manage.py reparse_transcripts [SYMBOL ...]           # dry run: what would change
    manage.py reparse_transcripts --apply [SYMBOL ...]   # replace the records that changed

Applying goes through the one replace path (atomic per record; permalinks of unchanged
statements kept). Exit status 1 when a record could not be read again.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from archive.importing import ImportFailed, default_resolver
from archive.reparse import apply, reparse, stored_records

SHOWN = 5  # changed statements listed per record


class Command(BaseCommand):
    help = "Re-parse stored uploads with the current parser; --apply replaces changed records."

    def add_arguments(self, parser):
        parser.add_argument("symbols", nargs="*", metavar="SYMBOL", help="e.g. S/PV.8701")
        parser.add_argument(
            "--apply", action="store_true", help="replace the records that would change"
        )

    def handle(self, *args, **options):
        meetings = list(stored_records(options["symbols"] or None))
        if not meetings:
            raise CommandError("No stored upload to re-parse (imports from files keep theirs).")
        resolver = default_resolver()
        failed = changed = applied = 0
        for meeting in meetings:
            outcome = reparse(meeting, resolver)
            if outcome.error:
                failed += 1
                self.stdout.write(f"{meeting.symbol}: cannot re-parse: {outcome.error}")
                continue
            self.stdout.write(f"{meeting.symbol}: {outcome.diff.summary()}")
            if not outcome.changes:
                continue
            changed += 1
            self._details(outcome.diff)
            if options["apply"]:
                try:
                    result = apply(outcome)
                except ImportFailed as exc:
                    failed += 1
                    self.stdout.write(f"  not replaced: {exc.message}")
                else:
                    applied += 1
                    self.stdout.write(f"  replaced: {result.summary}")
        verb = "replaced" if options["apply"] else "would change (run with --apply to replace)"
        self.stdout.write(
            f"{len(meetings)} records re-parsed: {changed} {verb}"
            + (f", {applied} replaced" if options["apply"] else "")
            + f", {failed} failed."
        )
        if failed:
            raise CommandError(f"{failed} record(s) could not be re-parsed or replaced.")

    def _details(self, diff) -> None:
        for change in diff.changed[:SHOWN]:
            self.stdout.write(
                f"  changed #{change.new.sequence} {change.new.attribution}: "
                + ", ".join(change.fields)
            )
        for speech in diff.added[:SHOWN]:
            self.stdout.write(f"  added #{speech.sequence} {speech.attribution}")
        for speech in diff.removed[:SHOWN]:
            self.stdout.write(f"  removed #{speech.sequence} {speech.attribution}")
        for line in diff.votes:
            self.stdout.write(f"  {line}")
        for sequence, symbol in diff.mentions_added[:SHOWN]:
            self.stdout.write(f"  mention added in #{sequence}: {symbol}")
        for sequence, symbol in diff.mentions_removed[:SHOWN]:
            self.stdout.write(f"  mention removed from #{sequence}: {symbol}")
        for label, old, new in diff.cover:
            self.stdout.write(f"  {label}: {old} → {new}")
