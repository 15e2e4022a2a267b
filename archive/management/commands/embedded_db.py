"""Start, stop or show the embedded PostgreSQL server (used when DATABASE_URL is unset)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from archive import embedded_db


class Command(BaseCommand):
    help = "Start, stop or show the status of the embedded PostgreSQL server under var/."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["start", "stop", "status"])

    def handle(self, *args, action, **options):
        if settings.DATABASES["default"]["ENGINE"] != "archive.dbbackend":
            raise CommandError("DATABASE_URL is set: the archive uses that server, not pgserver.")
        pgdata = embedded_db.pgdata_dir()
        if action == "start":
            address = embedded_db.ensure_server(pgdata)
            self.stdout.write(f"Running: {pgdata} (socket in {address.socket_dir})")
        elif action == "stop":
            stopped = embedded_db.stop_server(pgdata)
            self.stdout.write("Stopped." if stopped else "Not running.")
        else:
            running = (pgdata / "postmaster.pid").exists() and not embedded_db.clear_stale_pidfile(
                pgdata
            )
            self.stdout.write(f"{'Running' if running else 'Not running'}: {pgdata}")
