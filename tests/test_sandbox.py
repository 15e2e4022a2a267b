"""The parser runs in a child process under a time and a memory limit (archive.sandbox)."""

import time

import pytest

from archive.parsing import NotAPdfOrText, TranscriptError, parse_document
from archive.sandbox import (
    TEST_HOOK_ENV,
    ParseMemoryExceeded,
    ParseTimeout,
    parse_in_subprocess,
)

SMALL_PDF = "S_PV.8701_E.pdf"


@pytest.fixture(scope="module")
def pdf_bytes(data_dir) -> bytes:
    return (data_dir / "unsc-2020-pires" / "pdf" / SMALL_PDF).read_bytes()


def test_sandboxed_parse_equals_in_process_parse(pdf_bytes):
    sandboxed = parse_in_subprocess(pdf_bytes, filename=SMALL_PDF)
    assert sandboxed.to_dict() == parse_document(pdf_bytes, filename=SMALL_PDF).to_dict()
    assert sandboxed.symbol == "S/PV.8701"


def test_parser_errors_come_back_as_the_parsers_own_errors():
    with pytest.raises(NotAPdfOrText) as caught:
        parse_in_subprocess(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, filename="x.pdf")
    assert "neither a PDF nor a plain-text" in caught.value.message


def test_file_type_is_decided_by_content_not_name(pdf_bytes):
    as_text = parse_in_subprocess(pdf_bytes, filename="record.txt")
    assert as_text.symbol == "S/PV.8701"
    assert as_text.page_count == 2  # only the PDF path knows pages
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 16
    with pytest.raises(NotAPdfOrText):
        parse_in_subprocess(png, filename="S_PV.8701_E.pdf")


def test_slow_parse_is_stopped_by_the_wall_clock(monkeypatch, pdf_bytes):
    monkeypatch.setenv(TEST_HOOK_ENV, "sleep")
    started = time.monotonic()
    with pytest.raises(ParseTimeout) as caught:
        parse_in_subprocess(pdf_bytes, filename="slow.pdf", timeout_s=0.5)
    assert time.monotonic() - started < 5
    assert "took longer than 0.5 seconds" in caught.value.message
    assert "nothing was imported" in caught.value.message
    assert isinstance(caught.value, TranscriptError)


def test_busy_loop_is_stopped(monkeypatch, pdf_bytes):
    monkeypatch.setenv(TEST_HOOK_ENV, "spin")
    with pytest.raises(ParseTimeout):
        parse_in_subprocess(pdf_bytes, filename="spin.pdf", timeout_s=1)


def test_memory_hog_is_stopped_by_the_memory_limit(monkeypatch, pdf_bytes):
    monkeypatch.setenv(TEST_HOOK_ENV, "allocate")
    with pytest.raises(ParseMemoryExceeded) as caught:
        parse_in_subprocess(pdf_bytes, filename="hog.pdf", timeout_s=30, memory_mb=300)
    assert "more than 300 MB" in caught.value.message
    assert isinstance(caught.value, TranscriptError)


def test_genuinely_pathological_text_times_out(pdf_bytes):
    """A valid record's text repeated 2,000 times (7 MB) is far too slow to parse in 1 s."""
    from archive.parsing.pdf import pdf_to_text

    text, _pages = pdf_to_text(pdf_bytes)
    with pytest.raises(ParseTimeout):
        parse_in_subprocess((text * 2000).encode(), filename="huge.txt", timeout_s=1)
