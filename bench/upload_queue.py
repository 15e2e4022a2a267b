"""Upload timings through the queue: from the upload being queued to its preview being ready.

Real background workers (``manage.py db_worker``, as ``make run`` starts them: PARSE_WORKERS=2,
TRANSCRIPT_PARSE_JOBS=2) on a database of their own; uploads are received by the same service
the admin's upload page calls. Three runs:

1. each of the ten official PDFs alone (latency with an idle queue);
2. the ten uploaded at once (how the queue shares them out);
3. a slow one: S/PV.8699 (65 pages) with its pages repeated to 650 pages, built here with
   pypdfium2 (a long record, and the kind of file that used to time out a web worker).

    DEBUG=1 .venv/bin/python -m bench.upload_queue [--database bench_uploads] [--slow-copies 10]

Prints the machine and its load, and per file: waiting in the queue, reading, total.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("COUNCIL_ARCHIVE_DATA", BASE_DIR.parent / "shared" / "data"))
PDFS = DATA / "unsc-2020-pires" / "pdf"


def setup(database: str, media: Path) -> None:
    """Django on the benchmark database (migrated), uploads kept under ``media``."""
    os.environ["COUNCIL_ARCHIVE_DB_NAME"] = database
    os.environ["MEDIA_ROOT"] = str(media)
    os.environ.setdefault("DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "archive.settings"
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def start_workers(count: int) -> list[subprocess.Popen]:
    """``count`` workers, as ``make run`` starts them."""
    command = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--queue-name",
        "transcripts",
        "--no-reload",
        "--interval",
        "0.5",
    ]
    return [
        subprocess.Popen(command, cwd=BASE_DIR, env=os.environ.copy(), stderr=subprocess.DEVNULL)
        for _ in range(count)
    ]


def slow_pdf(copies: int) -> bytes:
    """S/PV.8699 with its 65 pages repeated ``copies`` times."""
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(str(PDFS / "S_PV.8699_E.pdf"))
    built = pdfium.PdfDocument.new()
    for _ in range(copies):
        built.import_pages(source)
    path = Path(tempfile.mkstemp(suffix=".pdf")[1])
    built.save(str(path))
    data = path.read_bytes()
    path.unlink()
    return data


def upload_and_wait(files: list[tuple[str, bytes]], timeout: float = 600) -> list:
    """Queue every file at once; return the uploads once each is read or rejected."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from archive.models import TranscriptUpload
    from archive.upload_jobs import receive_upload

    uploads = [
        receive_upload(uploaded=SimpleUploadedFile(name, data), user=None) for name, data in files
    ]
    pending = {u.pk for u in uploads}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        time.sleep(0.2)
        done = TranscriptUpload.objects.filter(
            pk__in=pending, status__in=["parsed", "failed"]
        ).values_list("pk", flat=True)
        pending -= set(done)
    return list(TranscriptUpload.objects.filter(pk__in=[u.pk for u in uploads]).order_by("pk"))


def report(title: str, uploads) -> list[float]:
    """Print waiting, reading and total seconds per upload; return the totals."""
    print(f"\n{title}")
    print(f"  {'file':34} {'status':8} {'pages':>5} {'wait s':>7} {'read s':>7} {'total s':>8}")
    totals = []
    for u in uploads:
        if u.parsed_at is None:
            print(f"  {u.original_name:34} {u.status:8} (not read: {u.message[:60]})")
            continue
        wait = (u.parse_started_at - u.queued_at).total_seconds()
        read = (u.parsed_at - u.parse_started_at).total_seconds()
        total = (u.parsed_at - u.queued_at).total_seconds()
        totals.append(total)
        pages = _pages(u)
        print(
            f"  {u.original_name:34} {u.status:8} {pages:>5} {wait:7.2f} {read:7.2f} {total:8.2f}"
        )
    if totals:
        print(
            f"  median {statistics.median(totals):.2f} s, max {max(totals):.2f} s, "
            f"sum {sum(totals):.1f} s over {len(totals)} files"
        )
    return totals


def _pages(upload) -> str:
    from archive.upload_jobs import load_parsed

    try:
        return str(load_parsed(upload).page_count)
    except Exception:  # noqa: BLE001
        return "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="bench_uploads")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--slow-copies", type=int, default=10)
    args = parser.parse_args()
    media = Path(tempfile.mkdtemp(prefix="bench-uploads-"))
    setup(args.database, media)
    from django.conf import settings

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from parse_quality import machine

    pdfs = sorted(PDFS.glob("*.pdf"))
    files = [(p.name, p.read_bytes()) for p in pdfs]
    print(machine())
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    print(
        f"{args.workers} workers, TRANSCRIPT_PARSE_JOBS={settings.TRANSCRIPT_PARSE_JOBS}, "
        f"worker poll interval 0.5 s"
    )
    workers = start_workers(args.workers)
    try:
        time.sleep(3)  # the workers start up
        alone = []
        for name, data in files:
            alone += upload_and_wait([(name, data)])
        report("1. each PDF alone (enqueue → preview ready)", alone)
        report("2. the ten PDFs uploaded at once", upload_and_wait(files))
        slow = slow_pdf(args.slow_copies)
        name = f"S_PV.8699_x{args.slow_copies}.pdf"
        print(f"\n(slow file: {name}, {len(slow) / 1e6:.1f} MB)")
        report("3. a slow one, alone", upload_and_wait([(name, slow)]))
        report("4. the slow one and the ten at once", upload_and_wait([(name, slow), *files]))
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(60)
    print(f"\nload average after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
