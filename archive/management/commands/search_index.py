"""Report on the stored search index, or rebuild it from every speech's search vector."""

from django.core.management.base import BaseCommand

from archive import search_index


class Command(BaseCommand):
    help = (
        "Show the search index's size and changes since its last rebuild; --rebuild folds them "
        "into the compact postings (searches stay exact either way)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="rebuild from the speeches")

    def handle(self, *args, **options):
        if options["rebuild"]:
            seconds = search_index.rebuild()
            self.stdout.write(f"Search index rebuilt in {seconds:.1f} s")
        status = search_index.status()
        self.stdout.write(
            f"{status.lexemes:,} lexemes, postings {status.posting_bytes / 1048576:.1f} MB; "
            f"{status.delta_rows:,} changed and {status.stale_rows:,} withdrawn (lexeme, speech) "
            f"pairs since the last rebuild; lengths of {status.documents:,} of "
            f"{status.speeches:,} speeches: {status.advice}"
        )
