"""Run by tests/test_replication.py in a subprocess against a real primary and streaming replica.

Django's connections are configured once per process, so the test starts this script with
``DATABASE_URL`` (the primary) and ``DATABASE_REPLICA_URLS`` (the replica) in the environment.
It migrates the primary, fetches public pages as an anonymous visitor and as staff, writes a
meeting on the primary, and prints one JSON report of which server answered what: the test
makes the assertions.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
# The probe counts where each page's own queries go; a kept page would answer without them.
os.environ.setdefault("PAGE_CACHE_SECONDS", "0")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from archive.models import ArchiveState, ImportRecord, Meeting, Speech  # noqa: E402

REPLAY_TIMEOUT = 10.0
SYMBOL = "S/PV.8777"


def server_facts(alias: str) -> dict:
    """What the server behind ``alias`` says about itself."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), current_setting('port'),"
            " current_setting('application_name')"
        )
        in_recovery, port, application_name = cursor.fetchone()
    return {"in_recovery": in_recovery, "port": int(port), "application_name": application_name}


def fetch(client: Client, url: str) -> dict:
    """GET ``url``, counting the queries each server ran for it."""
    with (
        CaptureQueriesContext(connections["default"]) as on_primary,
        CaptureQueriesContext(connections["replica_1"]) as on_replica,
    ):
        response = client.get(url)
    return {
        "status": response.status_code,
        "has_symbol": SYMBOL in response.content.decode(errors="replace"),
        "cache_control": response.headers.get("Cache-Control", ""),
        "primary_queries": len(on_primary),
        "replica_queries": len(on_replica),
    }


def wait_for(predicate, timeout: float = REPLAY_TIMEOUT) -> float:
    """Poll ``predicate`` until true; return the seconds waited, or -1 on timeout."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.05)
    return -1.0


def replica_has_schema() -> bool:
    with connections["replica_1"].cursor() as cursor:
        cursor.execute("SELECT to_regclass('archive_archivestate') IS NOT NULL")
        return cursor.fetchone()[0]


def main() -> None:
    call_command("migrate", interactive=False, verbosity=0, skip_checks=True)
    report = {"servers": {alias: server_facts(alias) for alias in ("default", "replica_1")}}
    report["schema_replayed_after"] = wait_for(replica_has_schema)
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT application_name, state FROM pg_stat_replication")
        report["pg_stat_replication"] = cursor.fetchall()

    anonymous = Client()
    report["home_anonymous"] = fetch(anonymous, reverse("archive:home"))

    # An import on the primary, as the import service does it: one transaction.
    with transaction.atomic(using="default"):
        meeting = Meeting.objects.create(
            symbol=SYMBOL, meeting_number=8777, date="2020-05-01", speech_count=1
        )
        Speech.objects.create(
            meeting=meeting,
            sequence=1,
            attribution="The President",
            role=Speech.Role.PRESIDENT,
            text="The Security Council will now begin its consideration of the item.",
        )
        ImportRecord.objects.create(
            action=ImportRecord.Action.IMPORT, source_name="replication test", symbol=SYMBOL
        )
    url = meeting.get_absolute_url()

    # Staff read their own write at once, from the primary, whatever the replica's lag.
    clerk = get_user_model().objects.create_user("clerk", password="pw-unused-1", is_staff=True)
    staff = Client()
    staff.force_login(clerk)
    report["meeting_staff"] = fetch(staff, url)

    # The public sees it once the replica has replayed the commit (bounded poll).
    def replica_has_meeting() -> bool:
        return Meeting.objects.using("replica_1").filter(symbol=SYMBOL).exists()

    report["meeting_replayed_after"] = wait_for(replica_has_meeting)
    report["meeting_anonymous"] = fetch(anonymous, url)
    report["state_versions"] = {
        alias: ArchiveState.objects.using(alias).get().version for alias in ("default", "replica_1")
    }
    # Writes through the router land on the primary even inside a replica-routed block.
    report["write_alias"] = meeting._state.db
    print(json.dumps(report))


if __name__ == "__main__":
    main()
