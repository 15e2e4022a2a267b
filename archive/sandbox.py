"""Run the pure parser on an upload in a child process with a time and a memory limit.

A hostile or merely pathological PDF must not hang a web worker or exhaust its memory, so the
parser runs in a fresh interpreter (``python -m archive.sandbox``) that sets ``RLIMIT_AS`` and
``RLIMIT_CPU`` on itself before it reads a byte of the upload, while the parent enforces a
wall-clock timeout. The child never touches the database; the parent gets the
``ParsedMeeting`` (or the parser's own ``TranscriptError``) back by pickle over stdout.

Pickle is acceptable here because the child is our own code running as the same user: a parser
exploit that could forge the pickle could already do anything the parent can.
"""

from __future__ import annotations

import os
import pickle
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

from archive.parsing import MAX_BYTES, ParsedMeeting, TranscriptError, parse_document

BASE_DIR = Path(__file__).resolve().parent.parent

# Tests set this in the environment to make the child misbehave ("sleep", "spin", "allocate"),
# proving the limits are enforced without needing a real decompression bomb in the repository.
TEST_HOOK_ENV = "COUNCIL_ARCHIVE_SANDBOX_TEST_HOOK"

_EXIT_MEMORY = 3  # the child's own exit code for MemoryError


class ParseTimeout(TranscriptError):
    """Parsing took longer than the allowed time."""

    default_message = (
        "Reading this file took too long and was stopped. The file may be damaged or built to "
        "be slow to read; nothing was imported. Try a fresh copy of the official PDF."
    )


class ParseMemoryExceeded(TranscriptError):
    """Parsing needed more memory than allowed."""

    default_message = (
        "Reading this file needed more memory than allowed and was stopped. The file may be "
        "damaged or built to exhaust memory; nothing was imported. Try a fresh copy of the "
        "official PDF."
    )


class ParseInterrupted(TranscriptError):
    """The parsing process was stopped from outside (the worker is shutting down)."""

    default_message = "Reading the file was interrupted; it will be read again."


class SandboxFailure(TranscriptError):
    """The parsing process died for another reason (a crash in the PDF library)."""

    default_message = (
        "The file could not be read: the reader stopped unexpectedly. The file may be damaged; "
        "nothing was imported."
    )


def parse_in_subprocess(
    data: bytes,
    *,
    filename: str | None = None,
    timeout_s: float = 60,
    memory_mb: int = 1024,
    max_bytes: int = MAX_BYTES,
) -> ParsedMeeting:
    """Parse ``data`` in a child process limited to ``timeout_s`` seconds and ``memory_mb``."""
    payload = pickle.dumps(
        {
            "data": bytes(data),
            "filename": filename,
            "max_bytes": max_bytes,
            "timeout_s": timeout_s,
            "memory_mb": memory_mb,
        },
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "archive.sandbox"],
            input=payload,
            capture_output=True,
            timeout=timeout_s,
            cwd=BASE_DIR,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        # subprocess.run has already killed and reaped the child.
        raise ParseTimeout(
            f"Reading {filename or 'the file'} took longer than {timeout_s:g} seconds and was "
            "stopped. The file may be damaged or built to be slow to read; nothing was imported."
        ) from exc

    code = completed.returncode
    if code == 0:
        try:
            outcome = pickle.loads(completed.stdout)
        except (pickle.UnpicklingError, EOFError, ValueError) as exc:
            raise SandboxFailure() from exc
        if isinstance(outcome, ParsedMeeting):
            return outcome
        if isinstance(outcome, TranscriptError):
            raise outcome
        raise SandboxFailure()
    if code == _EXIT_MEMORY:
        raise ParseMemoryExceeded(
            f"Reading {filename or 'the file'} needed more than {memory_mb} MB of memory and was "
            "stopped. The file may be damaged or built to exhaust memory; nothing was imported."
        )
    if code in (-signal.SIGINT, -signal.SIGTERM):
        # Ctrl+C or a stop of the worker reached the child too: the file is not to blame.
        raise ParseInterrupted()
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        # SIGXCPU is the CPU limit; SIGKILL is the hard CPU limit (or the kernel's OOM killer,
        # which is a resource limit too: the message covers both as "took too long").
        raise ParseTimeout(
            f"Reading {filename or 'the file'} used more than {timeout_s:g} seconds of processor "
            "time and was stopped; nothing was imported."
        )
    tail = completed.stderr.decode("utf-8", "replace")[-2000:]
    if "MemoryError" in tail or "std::bad_alloc" in tail or "Out of memory" in tail:
        raise ParseMemoryExceeded()
    raise SandboxFailure(crash_message(code, tail, filename))


# What a reader killed by a signal went through, in words (the code is -signal).
_SIGNALS = {
    signal.SIGABRT: "the PDF reader aborted: it met something it could not handle",
    signal.SIGSEGV: "the PDF reader crashed (a memory fault)",
    signal.SIGBUS: "the PDF reader crashed (a memory fault)",
    signal.SIGILL: "the PDF reader crashed (an illegal instruction)",
    signal.SIGFPE: "the PDF reader crashed (an arithmetic fault)",
    signal.SIGTERM: "the reading was stopped from outside (the server may be shutting down)",
    signal.SIGINT: "the reading was interrupted",
    signal.SIGHUP: "the reading was stopped from outside (the server may be shutting down)",
}


def crash_message(code: int, stderr_tail: str, filename: str | None) -> str:
    """Why the reading process died, in words a staff uploader can act on: never a bare exit
    status."""
    name = filename or "The file"
    if code < 0:
        try:
            what = _SIGNALS.get(signal.Signals(-code), "the reading process was stopped")
        except ValueError:
            what = "the reading process was stopped"
        return (
            f"{name} could not be read: {what}. The file is probably damaged or built to break "
            "PDF readers; nothing was imported. Try a fresh copy of the official PDF; if it "
            "fails the same way, import the record's text instead."
        )
    error = re.findall(r"^(\w+(?:Error|Exception))\b", stderr_tail, flags=re.M)
    detail = f" ({error[-1]})" if error else ""
    return (
        f"{name} could not be read: the reading process failed{detail}, a fault in Council "
        "Archive rather than in the file. Nothing was imported; please report it with the file."
    )


# --------------------------------------------------------------------------- the child


def _limit_child(*, timeout_s: float, memory_mb: int) -> None:
    memory = int(memory_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # Whole CPU seconds, at least one more than the wall clock allows: the parent's wall-clock
    # timeout normally fires first; this is the backstop if the parent itself is stuck.
    cpu = int(timeout_s) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    # A crash must not leave a core file of a hostile upload behind.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _run_test_hook(hook: str) -> None:
    if hook == "sleep":
        time.sleep(3600)
    elif hook == "spin":
        while True:
            pass
    elif hook == "allocate":
        chunks = []
        while True:
            chunks.append(bytearray(64 * 1024 * 1024))
    elif hook == "abort":
        os.abort()  # as a C library does on a state it cannot handle (SIGABRT, exit status -6)


def _child_main() -> int:
    request = pickle.loads(sys.stdin.buffer.read())
    _limit_child(timeout_s=request["timeout_s"], memory_mb=request["memory_mb"])
    out = sys.stdout.buffer
    try:
        hook = os.environ.get(TEST_HOOK_ENV, "")
        if hook:
            _run_test_hook(hook)
        # parse_document loads the PDF library lazily, so that load is under the limits too.
        result: object = parse_document(
            request["data"], filename=request["filename"], max_bytes=request["max_bytes"]
        )
    except MemoryError:
        return _EXIT_MEMORY
    except TranscriptError as exc:
        result = exc
    try:
        out.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    except MemoryError:
        return _EXIT_MEMORY
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_child_main())
