"""Run `manage.py import_transcripts` and stop dead at a chosen query (used by test_crash_safety).

``python tests/crash_import.py <pattern> <n> -- <import_transcripts arguments>``: when the n-th
SQL statement containing ``pattern`` is about to run inside a transaction, print ``HOOK`` and sleep, so that the test
can SIGKILL the process at exactly that point. With ``-`` as pattern, no hook is installed.
The database comes from the environment (COUNCIL_ARCHIVE_DB_NAME or DATABASE_URL).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")


def main() -> None:
    pattern, count = sys.argv[1], int(sys.argv[2])
    args = sys.argv[sys.argv.index("--") + 1 :]

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    seen = 0

    def hook(execute, sql, params, many, context):
        nonlocal seen
        # Only statements inside the import's transaction count: that is where a kill matters.
        if pattern != "-" and pattern in sql and connection.in_atomic_block:
            seen += 1
            if seen == count:
                print("HOOK", flush=True)
                time.sleep(3600)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(hook):
        call_command("import_transcripts", *args)
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
