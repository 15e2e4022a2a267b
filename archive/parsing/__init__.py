"""Pure parser for Security Council verbatim records (S/PV): bytes or text in, dataclasses out.

No Django here: the importer turns a `ParsedMeeting` into database rows.
"""

from __future__ import annotations

from .errors import (
    DamagedPdf,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedPdf,
    NotAPdfOrText,
    NotAVerbatimRecord,
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
    "ResolutionRef",
    "ScannedPdf",
    "TranscriptError",
    "attribute_from_invitations",
    "find_mentions",
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
            from .pdf import pdf_to_text

            text, page_count = pdf_to_text(data)
            return _parse(text, page_count=page_count)
        return parse_text(_decode(data))
    except TranscriptError:
        raise
    except Exception as exc:  # noqa: BLE001
        # The contract is that an upload only ever fails with a TranscriptError; an
        # unexpected failure on hostile input is reported as an unreadable document.
        if data.lstrip()[:5] == b"%PDF-":
            raise DamagedPdf() from exc
        raise NotAVerbatimRecord() from exc


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
