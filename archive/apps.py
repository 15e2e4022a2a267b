from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ArchiveConfig(AppConfig):
    """The archive application."""

    default = True
    name = "archive"
    verbose_name = "Council Archive"

    def ready(self) -> None:
        # Undo handlers register when their module is imported: a decision must be undoable
        # from any page (the review queue, the admin) whatever was imported before.
        from archive import import_review, name_mapping, vote_sources  # noqa: F401
        from archive.people import merges  # noqa: F401


class ArchiveAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the staff home page of ``archive.admin_site`` as the default site."""

    default = False
    default_site = "archive.admin_site.ArchiveAdminSite"
