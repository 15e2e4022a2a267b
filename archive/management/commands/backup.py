"""Write a consistent dump of the database to var/backups/archive-<timestamp>.dump."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format) to var/backups/."

    # A backup must work even when the application code around it is broken.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", type=Path, help="folder for the dump (var/backups)")
        parser.add_argument("--database", help="database name on the same server")

    def handle(self, *args, **options):
        try:
            path = backup(out_dir=options["output_dir"], database=options["database"])
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        size = path.stat().st_size
        self.stdout.write(f"Backed up to {path} ({size / 1048576:.1f} MB)")
