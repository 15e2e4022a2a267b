"""How long ``load_reference_data`` takes on an empty database and again on a full one, and
whether the second run changes anything (it must not: the loader is idempotent).

    .venv/bin/python bench/reference_load.py [--runs 3]

Empties the ``bench_reference`` database, migrates it, then runs the command ``--runs`` times
in child processes: the first run loads everything, the others must create and update 0 rows.
Prints each run's wall time, its per-step times, rows changed, the loader's peak resident
memory, the machine and its load average (the machine is shared: compare runs of one sitting).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_speed import machine, manage  # noqa: E402

DATABASE = "bench_reference"
_STEP = re.compile(r"^(?P<step>[a-z][a-z :]+?)\s+(?P<seconds>\d+\.\d) s")
_DONE = re.compile(r"Done in (?P<seconds>[\d.]+) s; (?P<changed>[\d,]+) rows created or updated")


def run_once(env: dict[str, str], data_dir: Path) -> dict:
    """One run of the command: wall time, peak memory, its own per-step report."""
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "manage.py", "load_reference_data", "--skip-checks", "--examples", "0"]
        + ["--data-dir", str(data_dir)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"load_reference_data failed:\n{output}")
    done = _DONE.search(output)
    return {
        "wall": time.monotonic() - started,
        "steps": [
            (m["step"], float(m["seconds"])) for m in map(_STEP.match, output.splitlines()) if m
        ],
        "changed": int(done["changed"].replace(",", "")) if done else None,
        "rss_mb": usage.ru_maxrss / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    options = parser.parse_args()
    env = {**os.environ, "COUNCIL_ARCHIVE_DB_NAME": DATABASE, "PYTHONUNBUFFERED": "1"}
    manage("migrate", "--noinput", "--skip-checks", "-v", "0", env=env)
    manage("flush", "--noinput", "--skip-checks", "-v", "0", env=env)
    print(f"Machine: {machine()}")
    runs = []
    for number in range(1, options.runs + 1):
        load = os.getloadavg()[0]
        result = run_once(env, options.data_dir)
        runs.append(result)
        kind = "empty database" if number == 1 else "full database"
        print(
            f"Run {number} ({kind}, load average {load:.2f}): {result['wall']:.1f} s wall, "
            f"{result['changed']:,} rows created or updated, peak RSS {result['rss_mb']:.0f} MB"
        )
        for step, seconds in result["steps"]:
            print(f"    {step:<32} {seconds:5.1f} s")
    repeats = runs[1:]
    idempotent = all(r["changed"] == 0 for r in repeats)
    print("Idempotent: later runs changed nothing." if idempotent else "NOT idempotent.")
    if repeats:
        walls = sorted(r["wall"] for r in repeats)
        print(f"Median of the repeat runs: {walls[len(walls) // 2]:.1f} s")
    return 0 if idempotent else 2


if __name__ == "__main__":
    sys.exit(main())
