"""Rebuild the resolution citation graph from the resolution texts (idempotent)."""

from django.core.management.base import BaseCommand

from archive.research.citations import build_citations


class Command(BaseCommand):
    help = (
        "Find the Council resolutions cited in each resolution's text and store them "
        "(load_reference_data runs this as its last step). Safe to run repeatedly."
    )

    def handle(self, *args, **options):
        self.stdout.write(self.style.SUCCESS(str(build_citations())))
