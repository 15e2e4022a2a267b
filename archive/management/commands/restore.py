"""Restore a dump made by `backup` into an empty database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.backup import BackupError, exposure_warning, restore


class Command(BaseCommand):
    help = "Restore a backup into an empty database (refuses a non-empty one unless --force)."

    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="a .dump file written by `manage.py backup`")
        parser.add_argument("--database", help="database name on the same server")
        parser.add_argument(
            "--force",
            action="store_true",
            help="drop what the target database holds and replace it with the backup",
        )

    def handle(self, *args, **options):
        if options["file"].is_file() and (warning := exposure_warning(options["file"])):
            self.stderr.write(self.style.WARNING(warning))
        try:
            target = restore(options["file"], database=options["database"], force=options["force"])
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Restored {options['file']} into database {target.dbname!r}")
