"""Scanned records and text that is OCR noise: detected, and named for what they are.

The Council's Official Records before the mid-1990s are image scans, some with English and
French in parallel columns and a hidden OCR text layer full of noise. Such a PDF is refused with
the reason (``ScannedPdf``); a PDF with no text and no images is a blank document
(``BlankPdf``), not a scan. Pages of an otherwise readable record whose text looks like OCR noise
are reported by the checks.

A text is judged by three measures: the share of its words that are common words of Council
English (``english_words.txt``), the share of its characters that are garbage (symbols OCR
makes of specks), and the share of its words that are French function words (a parallel
French column read into the same text).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from .errors import BlankPdf, DamagedPdf, ScannedPdf
from .geometry import PageContent
from .lines import BODY, Line, common_words

MAX_NESTING = 64  # PDFium stops reading objects nested deeper than this
MIN_WORDS = 40  # fewer words than this say nothing either way
DICTIONARY_MIN = 0.7  # clean pages score 0.79-0.97 (the lowest are pages of vote lists)
GARBAGE_MAX = 0.01  # clean pages have at most 0.13 % stray symbols
FRENCH_MAX = 0.08  # English text has almost no French function words

_FRENCH = frozenset(
    [
        "le",
        "la",
        "les",
        "des",
        "du",
        "de",
        "et",
        "est",
        "que",
        "qui",
        "dans",
        "pour",
        "une",
        "un",
        "au",
        "aux",
        "par",
        "sur",
        "pas",
        "ce",
        "cette",
        "ces",
        "nous",
        "vous",
        "il",
        "elle",
        "ils",
        "elles",
        "sont",
        "été",
        "être",
        "avec",
        "son",
        "sa",
        "ses",
        "leur",
        "leurs",
        "mais",
        "ou",
        "où",
        "si",
        "plus",
        "comme",
        "tout",
        "tous",
        "fait",
        "entre",
        "conseil",
        "sécurité",
        "securite",
        "résolution",
        "resolution",
        "gouvernement",
        "délégation",
        "delegation",
        "représentant",
        "representant",
        "président",
        "monsieur",
        "je",
        "ne",
        "qu",
        "lui",
        "été",
        "ont",
        "avons",
        "aussi",
        "très",
        "tres",
        "notre",
        "nos",
        "votre",
        "vos",
        "cet",
        "depuis",
        "après",
        "apres",
        "sans",
        "contre",
        "dont",
        "même",
        "meme",
    ]
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_GARBAGE = re.compile(r"[^\w\s.,;:'\"’‘“”()\[\]\-–—/%&?!*+]", re.UNICODE)
_SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class Quality:
    """How a text reads: its words, and the shares that are dictionary words, garbage
    characters and French words."""

    words: int
    dictionary: float
    garbage: float
    french: float

    @property
    def noise(self) -> bool:
        """Whether the text looks like OCR noise rather than a record's text."""
        return self.words >= MIN_WORDS and (
            self.dictionary < DICTIONARY_MIN or self.garbage > GARBAGE_MAX
        )

    @property
    def bilingual(self) -> bool:
        """Whether French runs alongside the English (parallel columns of an old record)."""
        return self.words >= MIN_WORDS and self.french > FRENCH_MAX


def quality(text: str) -> Quality:
    """Measure a text."""
    words = [_fold(w) for w in _WORD.findall(text)]
    chars = max(1, len(text) - len(_SPACE.findall(text)))
    garbage = len(_GARBAGE.findall(text)) / chars
    if not words:
        return Quality(0, 0.0, garbage, 0.0)
    english = common_words()
    known = sum(w in english or (len(w) == 1 and w in "aio") for w in words)
    french = sum(w in _FRENCH and w not in english for w in words)
    return Quality(len(words), known / len(words), garbage, french / len(words))


def _fold(word: str) -> str:
    return unicodedata.normalize("NFKC", word).lower()


def noisy_pages(lines: list[Line]) -> list[tuple[int, Quality]]:
    """Pages whose body text looks like OCR noise, with their measures."""
    by_page: dict[int, list[str]] = defaultdict(list)
    for line in lines:
        if line.role == BODY:
            by_page[line.page or 0].append(line.flat)  # 0: text without page breaks
    out = []
    for page, texts in sorted(by_page.items()):
        measured = quality(" ".join(texts))
        if measured.noise or measured.bilingual:
            out.append((page or None, measured))
    return out


def assess_pdf(pages: list[PageContent], *, nesting: int = 0) -> None:
    """Refuse a PDF whose text cannot be read as a record, saying why: a scan (image pages with
    no text, or a hidden OCR layer that is noise or runs French beside the English), a blank
    document (no text and no images at all), or a file whose objects nest far deeper than any
    document's (``nesting``, measured by the PDF layer when nothing could be read)."""
    if not pages:
        raise BlankPdf("The PDF has no pages: there is nothing to read.")
    imaged = [p for p in pages if p.image_cover > 0.5]
    text = " ".join(run.text for p in pages for run in p.runs)
    chars = sum(p.char_count for p in pages)
    if chars < 40 * len(pages):
        if len(imaged) * 2 >= len(pages):
            raise ScannedPdf(_scan_message("its pages are images with no text layer"))
        if nesting > MAX_NESTING:
            raise DamagedPdf(
                f"The PDF's objects are nested {nesting:,} levels deep, where a document needs "
                "a handful: a damaged or deliberately malformed file that PDF readers cannot "
                "read reliably. Nothing was imported; download the official PDF again."
            )
        many = len(pages) != 1
        raise BlankPdf(
            f"The PDF's {len(pages):,} page{'s' if many else ''} hold{'' if many else 's'} "
            f"{'no' if not chars else 'almost no'} text and no page images: it is a blank or "
            "empty document, not a verbatim record. Check that the right file was uploaded."
        )
    if len(imaged) * 2 < len(pages):
        return
    measured = quality(text)
    hidden = sum(p.hidden_text for p in imaged) * 2 >= len(imaged)
    layer = "its hidden OCR text layer" if hidden else "the text over its page images"
    if measured.bilingual:
        raise ScannedPdf(
            _scan_message(
                f"{layer} runs English and French columns together "
                f"({measured.french:.0%} of its words are French)"
            )
        )
    if measured.noise:
        raise ScannedPdf(
            _scan_message(
                f"{layer} is OCR noise (only {measured.dictionary:.0%} of its words are "
                f"ordinary words; {measured.garbage:.1%} of its characters are stray symbols)"
            )
        )
    if hidden:
        # Even a tidy-looking OCR layer misreads names, numbers and vote lists, and nothing
        # here can check it against the images: no half-read scan enters the archive.
        raise ScannedPdf(
            _scan_message(
                "its pages are images, and the only text is a hidden layer made by OCR "
                f"({measured.dictionary:.0%} of its words read as ordinary words), which the "
                "archive cannot check against the images"
            )
        )


def _scan_message(cause: str) -> str:
    return (
        f"This is a scanned record with no reliable text layer: {cause}. The speeches cannot "
        "be read from it without guessing, so nothing was imported. Import the text another "
        "way: the record's text from the Official Document System, or a plain-text copy you "
        "have checked against the scan."
    )
