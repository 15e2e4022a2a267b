"""Audit of transcript imports: records imported with acknowledged error checks.

Such a record's facts may be wrong or incomplete (a vote whose lists disagree with the
announcement, lines the parser could not place) until a person has reviewed it.
"""

from __future__ import annotations

from collections.abc import Iterator

from archive.audit import Finding, audit
from archive.models import ImportRecord


@audit("imports")
def imported_with_errors() -> Iterator[Finding]:
    """Every import still marked for review, with its error checks."""
    for record in ImportRecord.objects.filter(needs_review=True).order_by("at"):
        errors = [c for c in record.checks or [] if c.get("severity") == "error"]
        codes = ", ".join(sorted({c.get("code", "?") for c in errors}))
        yield Finding(
            "imports",
            "imported_with_errors",
            f"{record.symbol or record.source_name}: imported {record.at:%Y-%m-%d} with "
            f"{len(errors)} acknowledged error check{'s' if len(errors) != 1 else ''} "
            f"({codes}); awaiting review",
        )
