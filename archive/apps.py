from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    """The archive application."""

    name = "archive"
    verbose_name = "Council Archive"

    def ready(self) -> None:
        # Undo handlers register when their module is imported: a decision must be undoable
        # from any page (the review queue, the admin) whatever was imported before.
        from archive import vote_sources  # noqa: F401
