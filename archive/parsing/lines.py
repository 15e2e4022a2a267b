"""Lines and paragraphs, with text accounting.

Both ways into the parser end here: the PDF's page geometry (``geometry.layout``) and the plain
text form (``text_lines``: pages separated by form feeds, paragraphs by blank lines, or neither)
give a list of ``Line``. Running headers and footers are marked, not deleted, and every line is
later placed by the grammar in exactly one bucket; ``account`` reports the lines no bucket took,
so that a line lost is a line reported.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from .running import is_footer_line, running_rows


@lru_cache(maxsize=2)
def _word_list(name: str) -> frozenset[str]:
    """A word list of this folder, one word a line, "#" lines being comments."""
    rows = (Path(__file__).resolve().parent / name).read_text(encoding="utf-8").split("\n")
    return frozenset(w.strip() for w in rows if w.strip() and not w.startswith("#"))


def common_words() -> frozenset[str]:
    """Common words of Council English (``english_words.txt``, see build_word_list)."""
    return _word_list("english_words.txt")


def vocabulary() -> frozenset[str]:
    """Words of UN English of every period (``vocabulary.txt``, see build_word_list): wider
    than ``common_words``, to tell a word broken at a line's end from a compound."""
    return _word_list("vocabulary.txt")


HEADER, FOOTER, BODY = "running_header", "running_footer", "body"
# Where a line of the record ends up. "unplaced" is a line the grammar could not place: an
# error in the parse's checks when it is body text.
BUCKETS = (
    "cover",
    "running_header",
    "running_footer",
    "heading",
    "speech",
    "procedure",
    "vote",
    "unplaced",
)


@dataclass(eq=False)
class Line:
    """One printed line (or, in text flattened into long lines, one segment of a line)."""

    page: int | None
    text: str
    role: str = BODY  # running_header / running_footer / body
    new_paragraph: bool = False  # the layout (indent, gap, blank line) opens a paragraph here
    italic: bool = False
    bold: bool = False
    bucket: str = ""
    indent: int | None = None  # leading spaces in plain text (pdftotext -layout keeps them)

    @cached_property
    def flat(self) -> str:
        return " ".join(self.text.split())


@dataclass(eq=False)
class Paragraph:
    """Consecutive body lines read as one paragraph; ``page`` is where it starts."""

    page: int | None
    lines: list[Line] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [line.flat for line in self.lines]

    @property
    def flat(self) -> str:
        return " ".join(" ".join(self.texts).split())

    @property
    def glued(self) -> str:
        """The flat text with words broken at line ends glued ("Rus-" / "sian" -> "Russian"),
        for reading labels that wrap with a hyphen."""
        return glue(self.texts)

    @property
    def italic(self) -> bool:
        return bool(self.lines) and all(line.italic for line in self.lines)

    @property
    def bold(self) -> bool:
        return bool(self.lines) and all(line.bold for line in self.lines)

    def place(self, bucket: str) -> None:
        """Put every line of the paragraph in ``bucket``."""
        for line in self.lines:
            line.bucket = bucket


def normalise(text: str) -> str:
    """Line ends, soft hyphens and PDFium's hyphen marks in their plain forms."""
    return (
        text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00ad", "-").replace("\x02", "-")
    )


def text_lines(text: str) -> list[Line]:
    """The plain-text path: lines with their page (form feeds), paragraph starts (blank lines)
    and running matter (by pattern; at a page's top or foot also the weaker forms)."""
    pages = normalise(text).split("\f")
    if len(pages) > 1 and not pages[-1].strip():
        pages.pop()  # pdftotext ends every page, the last one included, with a form feed
    paged = len(pages) > 1
    lines: list[Line] = []
    for number, page in enumerate(pages, start=1):
        raw = page.split("\n")
        filled = [i for i, r in enumerate(raw) if r.strip()]
        edges = {0, 1, 2, len(filled) - 3, len(filled) - 2, len(filled) - 1} if paged else set()
        running = {filled[k] for k in running_rows([raw[i] for i in filled], edges)}
        blank_before = True
        for index, row in enumerate(raw):
            if not row.strip():
                blank_before = True
                continue
            role = BODY
            # The cover's masthead prints the symbol and the date as running headers do: on
            # the first page (or the first lines of unpaged text) only footers are running.
            masthead = number == 1 and (paged or len(lines) < 15)
            if index in running and not (masthead and not is_footer_line(row)):
                top = index in filled[:3] if paged else not is_footer_line(row)
                role = HEADER if top else FOOTER
            lines.append(
                Line(
                    number if paged else None,
                    row.rstrip(),
                    role,
                    new_paragraph=blank_before,
                    indent=len(row) - len(row.lstrip(" ")),
                )
            )
            if role == BODY:
                blank_before = False
    return lines


def split_inline(lines: list[Line], cuts_of: Callable[[str], list[int]]) -> list[Line]:
    """Cut body lines where ``cuts_of(text)`` says a new unit starts (a procedural note or a
    vote heading after a sentence on the same line, as in text flattened to one line per
    speech); the pieces become lines of their own that open paragraphs."""
    out: list[Line] = []
    for line in lines:
        if line.role != BODY or len(line.text) < 60:
            out.append(line)
            continue
        cuts = cuts_of(line.text)
        if not cuts:
            out.append(line)
            continue
        starts = [0, *cuts]
        for n, (a, b) in enumerate(zip(starts, [*cuts, len(line.text)], strict=True)):
            piece = line.text[a:b].strip()
            if piece:
                out.append(
                    Line(
                        line.page, piece, BODY, line.new_paragraph or n > 0, line.italic, line.bold
                    )
                )
    return out


_BROKEN = re.compile(r"(?<=[a-zà-ÿ])- (?=[a-zà-ÿ])")


def glue(texts: list[str]) -> str:
    """Lines joined with words broken by a line-end hyphen glued back."""
    return _BROKEN.sub("", " ".join(texts))


Opener = Callable[[str, str, str], bool]


def paragraphs(lines: Iterable[Line], opens: Opener) -> list[Paragraph]:
    """Group body lines into paragraphs: at a layout break, or where ``opens(line, ahead,
    previous)`` says a new paragraph starts (``ahead`` is the line with the next two, so that a
    speaker label wrapped over lines is seen whole)."""
    body = [line for line in lines if line.role == BODY]
    out: list[Paragraph] = []
    current: Paragraph | None = None
    for index, line in enumerate(body):
        ahead = glue([candidate.flat for candidate in body[index : index + 3]])
        if (
            current is None
            or line.new_paragraph
            or opens(line.flat, ahead, current.lines[-1].flat)
            or (current.page is not None and line.page is not None and line.page < current.page)
        ):
            current = Paragraph(line.page, [])
            out.append(current)
        current.lines.append(line)
    return out


@dataclass
class Accounting:
    """Where every line went: counts per bucket and the lines no bucket took."""

    counts: dict[str, int]
    unplaced: list[Line]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def account(lines: Iterable[Line]) -> Accounting:
    """Count the lines per bucket; running matter is placed by its role."""
    counts: Counter[str] = Counter(dict.fromkeys(BUCKETS, 0))
    unplaced = []
    for line in lines:
        if line.role in (HEADER, FOOTER) and not line.bucket:
            line.bucket = line.role
        if line.bucket not in BUCKETS or line.bucket == "unplaced":
            line.bucket = "unplaced"
            unplaced.append(line)
        counts[line.bucket] += 1
    return Accounting(dict(counts), unplaced)


# ---------------------------------------------------------------------------------------------
# Words split at line ends

# Compounds whose hyphen the text layer sometimes loses at a line end ("Secretary\nGeneral").
_KNOWN_COMPOUNDS = {("secretary", "general"), ("under", "secretary")}
_WORD = re.compile(r"[A-Za-zÀ-ÿ’']+")


class Vocabulary:
    """Words of the document, to judge a line-end hyphen by how the document writes the word."""

    def __init__(self, texts: Iterable[str]) -> None:
        words: Counter[str] = Counter()
        hyphenated: Counter[str] = Counter()
        for line in texts:
            # Only the inside of a line: a line-end hyphen is the case being judged.
            body = line[:-1] if line.endswith("-") else line
            for token in body.split():
                token = token.strip('.,;:!?()“”"‘’[]—')
                if "-" in token:
                    hyphenated[token.lower()] += 1
                for word in _WORD.findall(token):
                    words[word.lower()] += 1
        self.words = words
        self.hyphenated = hyphenated

    def join(self, left: str, right: str) -> str:
        """Join the last word of a line with the first of the next, deciding on the hyphen."""
        if left.endswith("-") and not left.endswith("--"):
            return self._join_hyphen(left, right)
        head = left.rsplit("-", 1)[-1].strip("“‘(").lower()
        tail_match = _WORD.match(right)
        tail = tail_match.group(0).lower() if tail_match else ""
        if (head, tail) in _KNOWN_COMPOUNDS or (
            head
            and tail
            and self.hyphenated[f"{head}-{tail}"] >= 2
            and not left.endswith(".")
            and head[:1].isupper() == left.rsplit("-", 1)[-1].strip("“‘(")[:1].isupper()
        ):
            return f"{left}-{right}"
        return f"{left} {right}"

    def _join_hyphen(self, left: str, right: str) -> str:
        stem = left[:-1]
        head = stem.rsplit("-", 1)[-1]
        tail_match = _WORD.match(right)
        tail = tail_match.group(0) if tail_match else ""
        if not head or not tail or not head[-1].isalpha():
            return left + right
        compound = f"{head}-{tail}".lower()
        solid = f"{head}{tail}".lower()
        # Keep the hyphen when the document writes the compound with one, or when the left
        # part is capitalised ("Secretary-", "Syrian-"), or both halves are words of their own
        # and the solid form is unknown. Rejoin only a solid word the document itself uses
        # elsewhere, or halves that are not words at all ("peace-/keeping" in a document that
        # says "peacekeeping").
        # The document's own spelling first, then how Council English at large writes the word:
        # "cross-/border" keeps its hyphen, "considera-/tion" and "Re-/public" are rejoined.
        if self.hyphenated[compound]:
            return left + right
        if self.words[solid]:
            return stem + right
        known = vocabulary()
        if compound in known:
            return left + right
        # Rejoin a whole word UN English knows, or lower-case halves neither of which is a word
        # ("unbal-/anced"): "millenniums-/old" and "drip-/irrigation" keep their hyphen (one half
        # is a word), as do names ("Ould-/Abdallah").
        if solid in known or (
            head.islower() and tail.islower() and head not in known and tail not in known
        ):
            return stem + right
        return left + right

    def text(self, lines: list[str]) -> str:
        """Join a paragraph's lines into one line of text."""
        if not lines:
            return ""
        out = lines[0]
        for line in lines[1:]:
            if not line:
                continue
            left, _, last = out.rpartition(" ")
            joined = self.join(last, line)
            out = f"{left} {joined}" if left else joined
        return " ".join(out.split())
