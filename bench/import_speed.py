"""How fast, and in how much memory, ``import_corpus`` loads a corpus of the real release's size.

    .venv/bin/python bench/import_speed.py [--speeches 100000] [--folder] [--keep]

1. Builds a corpus in the release layout (``speeches.tar`` + ``speaker.tsv`` + ``meta.tsv``,
   or a ``speeches/`` folder with ``--folder``) in a temporary directory, from real text: the
   2020 Security Council speeches, then the General Assembly debates cut into speech-sized
   pieces (``bench/corpusbuilder.py``).
2. Empties the ``bench_corpus`` database, migrates it and loads the reference data.
3. Runs ``manage.py import_corpus`` in a child process and reports speeches per second, total
   time and the child's peak resident memory (``ru_maxrss`` from ``os.wait4``: the importing
   process alone, not the PostgreSQL server), with the machine it ran on.

Targets: 100,000 speeches in under 10 minutes on 2 cores, peak memory under 1 GB.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpusbuilder import bench_documents, write_release  # noqa: E402

DATABASE = "bench_corpus"
TARGET_SECONDS = 600
TARGET_RSS_MB = 1024


def machine() -> str:
    """Platform, CPU model and core count."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.platform()}; {model}; {os.cpu_count()} cores; Python {platform.python_version()}"


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--speeches", type=int, default=100_000)
    parser.add_argument("--folder", action="store_true", help="a speeches/ folder, not a tar")
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the built corpus")
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    options = parser.parse_args()

    env = {**os.environ, "COUNCIL_ARCHIVE_DB_NAME": DATABASE, "PYTHONUNBUFFERED": "1"}
    workdir = Path(tempfile.mkdtemp(prefix="bench_corpus_"))
    try:
        started = time.monotonic()
        built = write_release(
            workdir,
            bench_documents(options.data_dir, speeches=options.speeches),
            tar=not options.folder,
        )
        print(
            f"Built {built['speeches']:,} speeches in {built['documents']:,} documents "
            f"({built['bytes'] / 1e6:,.0f} MB of text) in {time.monotonic() - started:.0f} s "
            f"under {workdir}",
            flush=True,
        )

        manage("migrate", "--noinput", "--skip-checks", "-v", "0", env=env)
        manage("flush", "--noinput", "--skip-checks", "-v", "0", env=env)
        manage("load_reference_data", "--skip-checks", "--examples", "0", "-v", "0", env=env)

        target = workdir if options.folder else workdir / "speeches.tar"
        command = [
            sys.executable,
            "manage.py",
            "import_corpus",
            str(target),
            "--skip-checks",
            "--batch-size",
            str(options.batch_size),
        ]
        started = time.monotonic()
        child = subprocess.Popen(command, cwd=ROOT, env=env)
        _pid, status, usage = os.wait4(child.pid, 0)
        elapsed = time.monotonic() - started
        if os.waitstatus_to_exitcode(status) != 0:
            print(f"import_corpus failed (exit status {status})", file=sys.stderr)
            return 1
        peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
        rate = built["speeches"] / elapsed
        print()
        print(f"Machine:        {machine()}")
        print(
            f"Corpus:         {built['speeches']:,} speeches, {built['documents']:,} documents, "
            f"{'folder' if options.folder else 'tar'}"
        )
        print(f"Total time:     {elapsed:.1f} s (target < {TARGET_SECONDS} s)")
        print(f"Speeches/s:     {rate:,.0f}")
        print(
            f"Peak RSS:       {peak_mb:,.0f} MB of the importing process (target < "
            f"{TARGET_RSS_MB} MB)"
        )
        print(f"CPU (importer): user {usage.ru_utime:.1f} s, system {usage.ru_stime:.1f} s")
        ok = elapsed < TARGET_SECONDS and peak_mb < TARGET_RSS_MB
        print("Targets met." if ok else "Targets NOT met.")
        return 0 if ok else 2
    finally:
        if options.keep:
            print(f"Corpus kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
