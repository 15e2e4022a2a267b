"""An agenda as a reader should see it, rebuilt from the pieces a source split it into.

The UN meetings table's cells were split at every link, so a stored agenda can read
``["Letter ... from France", "(", "S/3689", "&", "Corr.1", ")"]``. Each line a meeting shows is
rebuilt here: brackets, symbols and joining words go back on the line they belong to, a line
that continues the one before (lower-case start, or the one before ends with a comma) is
joined to it, and a piece with no letter or digit (".") is dropped. The stored wording is kept.
"""

from __future__ import annotations

import re

_SYMBOL = re.compile(r"^(?:[A-Z]{1,4}/[\w./()-]+|Corr\.\s*\d+|Add\.\s*\d+|Rev\.\s*\d+)$")
_JOINERS = {",", "&", "and", ";"}


def agenda_lines(agenda: list[str]) -> list[str]:
    """The agenda's lines as a reader should see them (see the module docstring)."""
    lines: list[str] = []
    for raw in agenda or []:
        piece = " ".join((raw or "").split())
        if not piece:
            continue
        if not lines:
            if re.search(r"\w", piece) and not _SYMBOL.match(piece):
                lines.append(piece)
            continue
        last = lines[-1]
        if piece == "(":
            lines[-1] = f"{last} ("
        elif piece == ")":
            lines[-1] = last.rstrip() + ")"
        elif piece in _JOINERS:
            lines[-1] = f"{last}{piece}" if piece in {",", ";"} else f"{last} {piece}"
        elif piece.startswith("(") and piece.endswith(")") and _SYMBOL.match(piece[1:-1].strip()):
            lines[-1] = f"{last} {piece}"
        elif _SYMBOL.match(piece):
            if last.endswith("("):
                lines[-1] = last + piece
            elif last.endswith(("&", ",", " and")) or _open(last):
                lines[-1] = f"{last} {piece}"
            else:
                lines[-1] = f"{last} ({piece})"
        elif not re.search(r"\w", piece):
            continue
        elif piece[0].islower() or last.endswith((",", " and", "(")) or _open(last):
            lines[-1] = f"{last}{'' if last.endswith('(') else ' '}{piece}"
        else:
            lines.append(piece)
    return [_close(line) for line in lines]


def _open(line: str) -> bool:
    return line.count("(") > line.count(")")


def _close(line: str) -> str:
    """A bracket the source opened and never closed is closed; an empty one dropped."""
    line = re.sub(r"\s*\(\s*\)", "", line)
    if line.endswith("("):
        line = line[:-1].rstrip()
    return line + ")" * max(line.count("(") - line.count(")"), 0)


def is_clean(line: str) -> bool:
    """Whether a shown line is whole text (for the audit): letters, balanced brackets."""
    return bool(re.search(r"[A-Za-z]{2}", line)) and line.count("(") == line.count(")")
