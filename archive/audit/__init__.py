"""The archive's self-audit: inconsistencies between sources, and placeholders still shown.

Each area of the archive (votes, resolutions, meetings, speakers, topics, pages) contributes
check functions in a module of this package, registered with ``@audit("area")``. A check yields
``Finding`` rows; a finding is *explained* when the archive already tells readers about it (a
flag on the page, a note on the source's known defect), and *unexplained* when a reader could
take it for a fact. ``manage.py check_archive`` runs them all and fails on unexplained findings.

    @audit("votes")
    def partial_member_lists() -> Iterator[Finding]:
        for vote in ...:
            yield Finding("votes", "partial_member_list", f"{vote}: 6 of 15 members' votes",
                          explained="shown to readers as partial")
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One inconsistency or placeholder; ``explained`` says how readers are told, if they are."""

    area: str
    code: str
    message: str
    explained: str | None = None

    @property
    def is_explained(self) -> bool:
        return bool(self.explained)


Check = Callable[[], Iterator[Finding]]
_CHECKS: list[tuple[str, Check]] = []


def audit(area: str) -> Callable[[Check], Check]:
    """Register a check function for ``area``."""

    def register(function: Check) -> Check:
        if all(existing is not function for _, existing in _CHECKS):
            _CHECKS.append((area, function))
        return function

    return register


def run_checks(areas: set[str] | None = None) -> list[Finding]:
    """Run every registered check (or those of ``areas``) and return their findings."""
    # Every module of this package holds checks of one area; importing it registers them.
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    findings: list[Finding] = []
    for area, check in _CHECKS:
        if areas is None or area in areas:
            findings.extend(check())
    return findings
