"""Shared fixtures: the real data folder and small factories."""

from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared real data (../shared/data), skipping cleanly where it is absent."""
    path = Path(settings.COUNCIL_ARCHIVE_DATA)
    if not path.is_dir():
        pytest.skip(f"real data folder not found at {path} (set COUNCIL_ARCHIVE_DATA)")
    return path
