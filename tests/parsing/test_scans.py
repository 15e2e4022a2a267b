"""Scans refused with the right reason, and every other unreadable PDF named for what it is.

The PDFs are generated (tests/parsing/pdfgen.py): page images with no text; page images under
an invisible OCR layer that is noise, or that runs French beside the English (parallel columns
of the old Official Records), or that is clean; 5,000 blank pages; objects nested thousands
deep. And a reader that aborts, in the sandbox.
"""

from __future__ import annotations

import random
import re

import pytest

from archive.parsing import BlankPdf, DamagedPdf, ScannedPdf, Severity, parse_document
from archive.parsing.scans import quality
from archive.sandbox import TEST_HOOK_ENV, SandboxFailure, parse_in_subprocess

from . import pdfgen
from .regenerate_golden import FIXTURES

RECORD = (FIXTURES / "2023_copied_text.txt").read_text(encoding="utf-8")
FRENCH = (
    "Le Conseil de sécurité a examiné la question dont il est saisi et le représentant de la "
    "délégation a pris la parole pour dire que la résolution est une mesure qui doit être "
    "appliquée par tous les États membres, dans le respect des principes de la Charte et avec "
    "le soutien de nous tous pour la paix et la sécurité internationales."
)


def ocr_noise(text: str, seed: int = 1) -> str:
    """What a poor OCR of a 1950s page looks like: letters confused, specks read as symbols."""
    rng = random.Random(seed)
    swaps = [("e", "c"), ("h", "b"), ("l", "1"), ("o", "0"), ("rn", "m"), ("i", "|"), ("a", "~")]
    words = []
    for word in text.split():
        for old, new in swaps:
            if old in word and rng.random() < 0.45:
                word = word.replace(old, new, 1)
        if rng.random() < 0.15:
            word += rng.choice(["^", "~", "«", "¦", "}"])
        words.append(word)
    return " ".join(words)


def scanned(lines_per_page: list[list[str]], *, invisible: bool = True) -> bytes:
    """Page images with the given lines drawn over them (invisibly, as an OCR layer)."""
    pages = []
    for lines in lines_per_page:
        texts = [pdfgen.Text(72, 740 - 12 * i, line) for i, line in enumerate(lines[:55])]
        pages.append(pdfgen.Page(texts, image=True, invisible=invisible))
    return pdfgen.build(pages)


def record_pages(text: str, per_page: int = 50) -> list[list[str]]:
    lines = [line for line in text.split("\n") if line.strip()]
    return [lines[i : i + per_page] for i in range(0, len(lines), per_page)]


def test_image_pages_with_no_text_are_a_scan():
    with pytest.raises(ScannedPdf) as info:
        parse_document(pdfgen.build([pdfgen.Page(image=True) for _ in range(4)]))
    assert "scanned record" in info.value.message
    assert "images with no text layer" in info.value.message
    assert "Import the text another way" in info.value.message


def test_a_hidden_ocr_layer_of_noise_is_a_scan():
    noisy = [
        [ocr_noise(line, seed=n) for line in page] for n, page in enumerate(record_pages(RECORD))
    ]
    with pytest.raises(ScannedPdf) as info:
        parse_document(scanned(noisy))
    assert "hidden OCR text layer is OCR noise" in info.value.message


def test_english_and_french_in_parallel_is_a_scan():
    english = RECORD.replace("\n", " ").split(". ")
    lines = [f"{e[:60]}   {f}" for e, f in zip(english, [FRENCH[:60]] * len(english), strict=False)]
    with pytest.raises(ScannedPdf) as info:
        parse_document(scanned([lines[i : i + 40] for i in range(0, len(lines), 40)]))
    assert "English and French" in info.value.message


def test_a_scan_is_refused_even_when_its_ocr_layer_reads_well():
    with pytest.raises(ScannedPdf) as info:
        parse_document(scanned(record_pages(RECORD)))
    assert "the only text is a hidden layer made by OCR" in info.value.message


def test_visible_text_over_page_images_is_read_with_a_warning():
    """A born-digital record printed over a page-size background image is not a scan."""
    meeting = parse_document(scanned(record_pages(RECORD), invisible=False))
    assert meeting.symbol == "S/PV.9400" and len(meeting.speeches) >= 5
    (warning,) = [c for c in meeting.checks if c.code == "scanned_pages"]
    assert warning.severity is Severity.WARNING


def test_quality_measures():
    clean = quality(RECORD)
    assert clean.dictionary > 0.85 and clean.garbage < 0.01 and not clean.noise
    noisy = quality(ocr_noise(RECORD))
    assert noisy.noise
    assert quality(FRENCH + " " + RECORD[:400]).bilingual


def test_five_thousand_blank_pages_are_a_blank_document_not_a_scan():
    with pytest.raises(BlankPdf) as info:
        parse_document(pdfgen.blank(5000))
    message = info.value.message
    assert "5,000 pages hold no text and no page images" in message
    assert "scan" not in message.lower()


def test_objects_nested_thousands_deep_are_a_malformed_file():
    with pytest.raises(DamagedPdf) as info:
        parse_document(pdfgen.nested(5000))
    assert "nested 5,002 levels deep" in info.value.message
    assert "scan" not in info.value.message.lower()


def test_a_reader_that_aborts_is_said_in_words(monkeypatch):
    monkeypatch.setenv(TEST_HOOK_ENV, "abort")
    with pytest.raises(SandboxFailure) as info:
        parse_in_subprocess(pdfgen.blank(1), filename="record.pdf", timeout_s=30)
    message = info.value.message
    assert "record.pdf could not be read: the PDF reader aborted" in message
    assert not re.search(r"exit status|-6\b", message)


def test_blank_and_nested_in_the_sandbox_too():
    for data, error in ((pdfgen.blank(5000), BlankPdf), (pdfgen.nested(5000), DamagedPdf)):
        with pytest.raises(error):
            parse_in_subprocess(data, filename="x.pdf", timeout_s=60)
