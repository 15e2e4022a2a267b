"""Self-checks of a parse (and of an import against the archive): what a person must look at.

The parser's own checks (vote lists against the announced tally, missed speaker turns, unplaced
body lines, OCR noise, ...) and the importer's comparison with what the archive already holds
produce the same ``Check`` rows, so that the preview, the ``--json`` output and the review queue
show them alike.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    """ERROR: the record would be imported wrong or incomplete; importing it needs an explicit
    acknowledgement and marks it for review. WARNING: worth a look. INFO: noted."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Check:
    """One finding: its severity, a stable code, plain words, and where in the record it is."""

    severity: Severity
    code: str
    message: str
    page: int | None = None
    speech: int | None = None  # sequence of the speech it concerns
    excerpt: str | None = None  # the words it is about, as printed

    def to_dict(self) -> dict:
        """The JSON form used by ``parse_transcript --json``, the preview and the import record."""
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Check:
        """Rebuild a check stored as JSON."""
        return cls(**{**data, "severity": Severity(data["severity"])})


def has_errors(checks: list[Check]) -> bool:
    """Whether any check is an error (an import then needs an explicit acknowledgement)."""
    return any(check.severity is Severity.ERROR for check in checks)
