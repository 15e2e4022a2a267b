from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    """The archive application."""

    name = "archive"
    verbose_name = "Council Archive"
