"""What a search query looks for, word by word: the terms whose occurrences the tools count.

The search syntax is the search page's (``websearch_to_tsquery``: words, "phrases", OR,
-word). PostgreSQL turns it into a tsquery in lexemes, e.g. ``"women and peace and security"
OR peace-keeping -"sexual abuse"`` becomes ``'women' <2> 'peac' <2> 'secur' | 'peace-keep' <->
'peac' <-> 'keep' & !( 'sexual' <-> 'abus' )``. ``positive_terms`` reads that text back into
the words and phrases a matching statement may contain (never the excluded ones): each is a
sequence of lexemes with their distances, the unit an "occurrence" is counted in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"'((?:[^']|'')*)'(?::[*A-D]+)?|<(-|\d+)>|([&|!()])|\s+")


@dataclass(frozen=True)
class Term:
    """A word or phrase of a query, in lexemes, with each lexeme's position in the phrase."""

    lexemes: tuple[str, ...]
    # Position of each lexeme relative to the first: "women and peace" is (0, 2).
    offsets: tuple[int, ...]

    @property
    def is_phrase(self) -> bool:
        return len(self.lexemes) > 1

    def __str__(self) -> str:
        return " ".join(self.lexemes)

    def without_compounds(self) -> Term | None:
        """The term without hyphenated compound lexemes ('peace-keep'), offsets re-based.

        PostgreSQL indexes "peace-keeping" as the compound and then its parts, one position
        each; a finder that reads words one by one sees only the parts.
        """
        pairs = list(zip(self.lexemes, self.offsets, strict=True))
        compounds = [off for lex, off in pairs if "-" in lex]
        kept = [(lex, off - sum(1 for c in compounds if c < off)) for lex, off in pairs]
        kept = [(lex, off) for lex, off in kept if "-" not in lex]
        if not kept:
            return None
        base = kept[0][1]
        return Term(tuple(lex for lex, _ in kept), tuple(off - base for _, off in kept))


def _tokens(tsquery: str) -> list[tuple[str, str]]:
    """(kind, value) pairs: ("lex", "peac"), ("dist", "1"), ("op", "&")."""
    tokens, position = [], 0
    while position < len(tsquery):
        match = _TOKEN.match(tsquery, position)
        if not match:
            raise ValueError(f"unexpected tsquery text at {position}: {tsquery[position:]!r}")
        position = match.end()
        if match[1] is not None:
            tokens.append(("lex", match[1].replace("''", "'")))
        elif match[2] is not None:
            tokens.append(("dist", "1" if match[2] == "-" else match[2]))
        elif match[3] is not None:
            tokens.append(("op", match[3]))
    return tokens


def _skip_operand(tokens: list[tuple[str, str]], index: int) -> int:
    """Index after the operand starting at ``index`` (a lexeme, or a parenthesised group)."""
    if index < len(tokens) and tokens[index] == ("op", "("):
        depth = 0
        while index < len(tokens):
            if tokens[index] == ("op", "("):
                depth += 1
            elif tokens[index] == ("op", ")"):
                depth -= 1
                if depth == 0:
                    return index + 1
            index += 1
        return index
    return index + 1


def positive_terms(tsquery: str) -> list[Term]:
    """The words and phrases of ``tsquery`` that a match contains (negated parts left out)."""
    tokens = _tokens(tsquery)
    terms: list[Term] = []
    current: list[tuple[str, int]] = []
    gap: int | None = None
    index = 0

    def close() -> None:
        if current:
            terms.append(Term(tuple(lex for lex, _ in current), tuple(o for _, o in current)))
            current.clear()

    while index < len(tokens):
        kind, value = tokens[index]
        if kind == "op" and value == "!":
            close()
            index = _skip_operand(tokens, index + 1)
            gap = None
            continue
        if kind == "op" and value in "&|":
            close()
            gap = None
        elif kind == "dist":
            gap = int(value)
        elif kind == "lex":
            if gap is not None and current:
                current.append((value, current[-1][1] + gap))
            else:
                close()
                current.append((value, 0))
            gap = None
        index += 1
    close()
    return list(dict.fromkeys(terms))
