"""Plain words for counts and sizes, the same everywhere staff read them."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """ "1 vote", "2 votes", "1 speech", "3 speeches" (pass the plural when it is not +s)."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def format_size(size: int) -> str:
    """A file size as people write it: 812 bytes, 45 kB, 1.2 MB (decimal units, as browsers)."""
    if size < 1000:
        return plural(size, "byte")
    if size < 1_000_000:
        return f"{size / 1000:.0f} kB"
    return f"{size / 1_000_000:.1f}".removesuffix(".0") + " MB"
