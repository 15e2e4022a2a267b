"""Pure parser for Security Council verbatim records (S/PV): bytes or text in, dataclasses out.

No Django here: the importer turns a `ParsedMeeting` into database rows.
"""

from __future__ import annotations

from .checks import Check, Severity, has_errors
from .errors import (
    BlankPdf,
    DamagedPdf,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedPdf,
    NotAPdfOrText,
    NotAVerbatimRecord,
    ParserFailure,
    ScannedPdf,
    TranscriptError,
)
from .symbols import (
    ParsedMentions,
    ResolutionRef,
    find_mentions,
    normalise_document_symbol,
    parse_resolution_reference,
)
from .transcript import (
    ParsedInvitation,
    ParsedMeeting,
    ParsedMember,
    ParsedPresident,
    ParsedProcedure,
    ParsedSpeech,
    ParsedVote,
    _parse,
    attribute_from_invitations,
    parse_text,
)

__all__ = [
    "BlankPdf",
    "Check",
    "DamagedPdf",
    "DocumentTooLarge",
    "EmptyDocument",
    "EncryptedPdf",
    "NotAPdfOrText",
    "NotAVerbatimRecord",
    "ParsedInvitation",
    "ParsedMeeting",
    "ParsedMember",
    "ParsedMentions",
    "ParsedPresident",
    "ParsedProcedure",
    "ParsedSpeech",
    "ParsedVote",
    "ParserFailure",
    "ResolutionRef",
    "ScannedPdf",
    "Severity",
    "TranscriptError",
    "attribute_from_invitations",
    "find_mentions",
    "has_errors",
    "normalise_document_symbol",
    "parse_document",
    "parse_resolution_reference",
    "parse_text",
]

MAX_BYTES = 50 * 1024 * 1024


def parse_document(
    data: bytes, *, filename: str | None = None, max_bytes: int = MAX_BYTES
) -> ParsedMeeting:
    """Parse an uploaded record, PDF or plain text (decided by content, not by `filename`)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise NotAPdfOrText()
    data = bytes(data)
    if not data.strip():
        raise EmptyDocument()
    if len(data) > max_bytes:
        raise DocumentTooLarge(
            f"The file is {len(data) / 1048576:.1f} MB; the limit is {max_bytes / 1048576:.0f} MB."
        )
    try:
        if data.lstrip()[:5] == b"%PDF-":
            # Imported here so that text-only callers never load the PDF library.
            from .geometry import layout
            from .pdf import nesting_depth, read_pdf
            from .scans import assess_pdf

            pages = read_pdf(data)
            # Measured only when the pages gave (almost) nothing, to say why.
            blank = sum(page.char_count for page in pages) < 40 * max(1, len(pages))
            assess_pdf(pages, nesting=nesting_depth(data) if blank else 0)
            scanned = [page.number for page in pages if page.image_cover > 0.5]
            return _parse(layout(pages), page_count=len(pages), scanned_pages=scanned)
        return parse_text(_decode(data))
    except TranscriptError:
        raise
    except RecursionError as exc:
        # Objects nested thousands deep: a structure no record has.
        raise DamagedPdf(
            "The file's structure is nested far deeper than any record's (objects inside "
            "objects thousands of levels down), so it cannot be read safely. Nothing was "
            "imported; download the official PDF again."
        ) from exc
    except Exception as exc:  # noqa: BLE001
        # The contract is that an upload only ever fails with a TranscriptError; an
        # unexpected failure is the parser's own fault, and is said to be.
        raise ParserFailure(
            f"The parser failed on this file ({type(exc).__name__}): a fault in Council "
            "Archive, not necessarily in the file. Nothing was imported; please report it "
            "with the file."
        ) from exc


def _decode(data: bytes) -> str:
    """Decode text as UTF-8 (with or without BOM), falling back to Windows-1252."""
    if b"\x00" in data[:4096]:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return data.decode("utf-16")
        raise NotAPdfOrText()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    # Binary junk decodes under cp1252 too; real text is overwhelmingly printable.
    sample = text[:20000]
    controls = sum(1 for c in sample if (ord(c) < 32 and c not in "\t\n\r\f") or c == "\ufffd")
    if controls > len(sample) * 0.01:
        raise NotAPdfOrText()
    return text
