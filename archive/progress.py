"""A one-line progress bar for long management commands: done/total, rate and time left."""

from __future__ import annotations

import sys
import time


class Progress:
    """Redraws in place on a terminal; off a terminal (make, CI logs) prints a line every 5 s."""

    WIDTH = 28

    def __init__(self, total: int, *, unit: str, stream=None) -> None:
        self.total = max(total, 1)
        self.unit = unit
        self.done = 0
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.last_line = 0.0
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def advance(self, count: int = 1, label: str = "") -> None:
        """Record ``count`` more items done and redraw."""
        self.done += count
        now = time.monotonic()
        if not self.tty and now - self.last_line < 5 and self.done < self.total:
            return
        self.last_line = now
        elapsed = max(now - self.started, 1e-6)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate else 0
        filled = int(self.WIDTH * min(self.done / self.total, 1))
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        line = (
            f"[{bar}] {self.done:,}/{self.total:,} {self.unit}  {rate:,.1f}/s  "
            f"left {int(left // 60)}:{int(left % 60):02d}  {label}"
        ).rstrip()
        self.stream.write(("\r\033[K" + line) if self.tty else line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        """End the bar's line."""
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
