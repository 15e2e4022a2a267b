"""Build the bulk download files (every statement, and each year's) if the archive changed."""

from django.core.management.base import BaseCommand

from archive import bulk


class Command(BaseCommand):
    help = (
        "Write every statement, and each year's, as compressed CSV and JSON lines files with a "
        "manifest, under BULK_DOWNLOADS_ROOT. Does nothing when they are current already."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="rebuild even if current")

    def handle(self, *args, **options):
        def progress(n: int) -> None:
            if options["verbosity"] >= 2:
                self.stdout.write(f"  {n:,} statements written")

        result = bulk.build(force=options["force"], progress=progress)
        manifest = result.manifest
        if not result.built:
            self.stdout.write(
                f"Bulk downloads are current (archive version {manifest['archive_version']})."
            )
            return
        whole = [f for f in result.files if f["year"] is None]
        sizes = ", ".join(f"{f['name']} {f['bytes'] / 1048576:.1f} MB" for f in whole)
        self.stdout.write(
            f"Built bulk downloads for archive version {manifest['archive_version']} in "
            f"{result.seconds:.1f} s: {whole[0]['rows']:,} statements, "
            f"{len(result.files) - len(whole)} files by year; {sizes}."
        )
