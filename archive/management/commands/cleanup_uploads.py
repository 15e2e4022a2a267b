"""Expire pending uploads, queue lost parse jobs again, empty old quarantine, delete orphan files.

    manage.py cleanup_uploads [--dry-run]

Run by ``make run`` before serving; in production, run it from cron (docs/deployment.md).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from archive.upload_cleanup import cleanup


class Command(BaseCommand):
    help = "Housekeeping of uploaded transcript files (see archive.upload_cleanup)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="say what would be done")

    def handle(self, *args, **options):
        done = cleanup(dry_run=options["dry_run"])
        prefix = "Would do: " if options["dry_run"] else ""
        self.stdout.write(prefix + "; ".join(done.lines()) + ".")
        for label, names in (
            ("expired", done.expired),
            ("queued again", done.requeued),
            ("deleted from quarantine", done.released),
            ("orphan", done.orphans),
        ):
            for name in names:
                self.stdout.write(f"  {label}: {name}")
