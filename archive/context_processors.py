"""Template context shared by the public pages."""

from django.conf import settings


def downloads(request) -> dict:
    """The row cap of a public download, which every download link states."""
    return {"export_row_cap": settings.EXPORT_MAX_ROWS}
