"""Settings for the test suite: the project's settings in development mode.

``DEBUG`` is off unless set (archive.settings); the suite, and the processes it starts
(``manage.py`` subprocesses, the live server), run in development mode unless a test says
otherwise. pytest-django still runs each test with ``DEBUG = False``.
"""

import os

os.environ.setdefault("DEBUG", "1")

from archive.settings import *  # noqa: E402, F403

# Background jobs run in the test's own thread, at once; tests that need a real worker
# (tests/test_upload_worker.py) switch to the database backend.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "transcripts"],
    }
}
