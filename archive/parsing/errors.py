"""Errors raised by the transcript parser, each with a message a staff uploader can act on."""


class TranscriptError(Exception):
    """Base class: the upload cannot be read as a Security Council verbatim record."""

    default_message = "The file could not be read as a Security Council verbatim record."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        """The human-readable explanation."""
        return str(self.args[0])


class EmptyDocument(TranscriptError):
    """The upload has no content."""

    default_message = "The file is empty."


class DocumentTooLarge(TranscriptError):
    """The upload is larger than the configured limit."""

    default_message = "The file is too large to be a verbatim record."


class NotAPdfOrText(TranscriptError):
    """The upload is neither a PDF nor readable text."""

    default_message = (
        "The file is neither a PDF nor a plain-text document. "
        "Upload the English PDF of the verbatim record (S/PV.…)."
    )


class EncryptedPdf(TranscriptError):
    """The PDF is password-protected."""

    default_message = (
        "The PDF is encrypted or password-protected. "
        "Upload an unprotected copy, e.g. from the Official Document System."
    )


class DamagedPdf(TranscriptError):
    """The PDF is truncated, corrupt or built in a way the reader cannot follow."""

    default_message = (
        "The PDF is damaged or incomplete (perhaps the download was cut short), or built in a "
        "way a PDF reader cannot follow. Download it again and re-upload."
    )


class ScannedPdf(TranscriptError):
    """The PDF is a scan: page images with no text layer, or one that cannot be trusted."""

    default_message = (
        "This is a scanned record with no reliable text layer: its pages are images. The "
        "speeches cannot be read from it without guessing, so nothing was imported. Import the "
        "text another way: the record's text from the Official Document System, or a "
        "plain-text copy you have checked against the scan."
    )


class BlankPdf(TranscriptError):
    """The PDF has pages but nothing on them to read: no text and no page images."""

    default_message = (
        "The PDF holds no text and no page images: it is a blank or empty document, not a "
        "verbatim record. Check that the right file was uploaded."
    )


class NotAVerbatimRecord(TranscriptError):
    """The document is readable but is not a Security Council S/PV record."""

    default_message = (
        "The document is readable but does not look like a Security Council verbatim record "
        "(no S/PV symbol, meeting number or speaker turns were found)."
    )


class ParserFailure(TranscriptError):
    """The parser itself failed (a bug), reported as such rather than blamed on the file."""

    default_message = (
        "The parser failed on this file: a fault in Council Archive, not necessarily in the "
        "file. Nothing was imported; please report it with the file."
    )
