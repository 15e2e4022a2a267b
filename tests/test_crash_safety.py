"""Killing an import at any point leaves the old state or the new state, never a mix.

A real ``manage.py import_transcripts`` runs in a subprocess (tests/crash_import.py) against the
test database and is SIGKILLed either at a chosen SQL statement inside the import transaction
(the script prints HOOK there and waits) or after a random delay. The database is then compared
with the state before and the state after a complete import: row counts, a checksum of the
speech texts, the audit records and the stored uploads must match one of the two exactly.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from archive.importing import import_meeting
from archive.models import (
    ImportRecord,
    Meeting,
    MeetingMember,
    Mention,
    ProceduralLine,
    Speech,
    TranscriptUpload,
    Vote,
)
from archive.parsing import parse_document

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

RECORD = "S_PV.8700_E.pdf"
SYMBOL = "S/PV.8700"
SCRIPT = Path(__file__).with_name("crash_import.py")

# (pattern, n): SQL statements inside the import transaction, from its first to its last.
HOOKS = [
    ('INSERT INTO "archive_transcriptupload"', 1),
    ("pg_advisory_xact_lock", 1),
    ('"archive_meetingmember"', 2),
    ('"archive_speech"', 1),
    ('"archive_vote"', 2),
    ('INSERT INTO "archive_importrecord"', 1),
    ('UPDATE "archive_transcriptupload"', 1),
]


def fingerprint() -> dict:
    """Everything an import of SYMBOL writes, summarised."""
    meetings = Meeting.objects.filter(symbol=SYMBOL)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), md5(coalesce(string_agg(s.text, E'\\n' ORDER BY s.sequence), ''))"
            " FROM archive_speech s JOIN archive_meeting m ON m.id = s.meeting_id"
            " WHERE m.symbol = %s",
            [SYMBOL],
        )
        speeches, checksum = cursor.fetchone()
    meeting = meetings.first()
    return {
        "meetings": meetings.count(),
        "speech_count_column": meeting.speech_count if meeting else None,
        "speeches": speeches,
        "speech_md5": checksum,
        "members": MeetingMember.objects.filter(meeting__symbol=SYMBOL).count(),
        "procedure": ProceduralLine.objects.filter(meeting__symbol=SYMBOL).count(),
        "votes": Vote.objects.filter(meeting__symbol=SYMBOL).count(),
        "mentions": Mention.objects.filter(speech__meeting__symbol=SYMBOL).count(),
        "records": sorted(
            ImportRecord.objects.filter(symbol=SYMBOL).values_list("action", flat=True)
        ),
        "uploads": TranscriptUpload.objects.count(),
        "all_speeches": Speech.objects.count(),
    }


@pytest.fixture
def subprocess_env(tmp_path) -> dict[str, str]:
    """The environment for an import that writes to this test's database."""
    env = {**os.environ, "MEDIA_ROOT": str(tmp_path / "media"), "PYTHONUNBUFFERED": "1"}
    name = connection.settings_dict["NAME"]
    if env.get("DATABASE_URL"):
        parts = urlsplit(env["DATABASE_URL"])
        env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + name))
    else:
        env["COUNCIL_ARCHIVE_DB_NAME"] = name
    return env


def run_import(env, pdf: Path, *, hook=None, kill_after: float | None = None) -> str:
    """Run the import; kill it at the hook or after ``kill_after`` s. Return what happened."""
    pattern, n = hook or ("-", 0)
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), pattern, str(n), "--", "--replace", str(pdf)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        if kill_after is not None:
            time.sleep(kill_after)
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=30)
                return "killed"
            return "finished"
        if hook is None:
            out, err = process.communicate(timeout=180)
            assert process.returncode == 0 and "DONE" in out, err[-3000:]
            return "finished"
        line = process.stdout.readline().strip()
        if line == "HOOK":
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            return "killed at hook"
        process.wait(timeout=120)
        assert process.returncode == 0, process.stderr.read()[-3000:]
        return "finished" if line == "DONE" else f"finished without reaching the hook: {line}"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()


@pytest.fixture
def pdf(data_dir) -> Path:
    return data_dir / "unsc-2020-pires" / "pdf" / RECORD


def test_killed_first_import_leaves_nothing_or_everything(pdf, subprocess_env):
    empty = fingerprint()
    outcomes = []
    for hook in (HOOKS[1], HOOKS[3], HOOKS[-1]):
        outcome = run_import(subprocess_env, pdf, hook=hook)
        outcomes.append(outcome)
        assert fingerprint() == empty, f"half-written after {outcome} at {hook}"
    assert outcomes == ["killed at hook"] * 3

    assert run_import(subprocess_env, pdf) == "finished"
    complete = fingerprint()
    parsed = parse_document(pdf.read_bytes())
    assert complete["meetings"] == 1
    assert complete["speeches"] == complete["speech_count_column"] == len(parsed.speeches)
    assert complete["records"] == ["import"]


def test_killed_replace_leaves_old_or_new_state(pdf, subprocess_env):
    # The old state: the same meeting imported earlier from a slightly different record.
    old_parse = parse_document(pdf.read_bytes())
    old_parse.speeches[0].text = "An earlier reading of the opening statement."
    del old_parse.speeches[-1]
    import_meeting(parsed=old_parse, source=Meeting.Source.TEXT)
    old = fingerprint()

    seen = []
    rounds = [("hook", hook) for hook in HOOKS] + [
        ("delay", delay) for delay in random.Random(8700).sample([1.0, 1.5, 2.0, 2.5, 3.0], 2)
    ]
    for kind, point in rounds:
        if kind == "hook":
            outcome = run_import(subprocess_env, pdf, hook=point)
        else:
            outcome = run_import(subprocess_env, pdf, kill_after=point)
        seen.append((kind, point, outcome, fingerprint()))

    # Then a complete replace gives the new state.
    assert run_import(subprocess_env, pdf) == "finished"
    new = fingerprint()
    assert new != old
    assert new["speeches"] == len(old_parse.speeches) + 1
    assert new["records"][-1] == "replace"

    for kind, point, outcome, state in seen:
        assert state in (old, new) or _is_new_after_earlier_replace(state, new), (
            f"mixed state after {outcome} ({kind} {point}): {state}"
        )
    killed_at_hook = [s for s in seen if s[2] == "killed at hook"]
    assert len(killed_at_hook) == len(HOOKS), "every hook point must be reached"
    # A kill inside the transaction must leave the old state, untouched.
    assert all(state == old for *_, state in killed_at_hook)


def _is_new_after_earlier_replace(state: dict, new: dict) -> bool:
    """A random-delay round may have finished a replace; later rounds then hold the new
    data with one audit record fewer than the final state (which adds one more replace)."""
    same_data = {k: v for k, v in state.items() if k not in ("records", "uploads")} == {
        k: v for k, v in new.items() if k not in ("records", "uploads")
    }
    return same_data and set(state["records"]) <= set(new["records"])
