from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    """The archive application."""

    name = "archive"
    verbose_name = "Council Archive"

    def ready(self):
        # Registers the curation log's undo handler for merges of persons.
        from archive.people import merges  # noqa: F401
