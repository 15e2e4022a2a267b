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
    """The PDF is truncated or corrupt."""

    default_message = (
        "The PDF is damaged or incomplete (perhaps the download was cut short). "
        "Download it again and re-upload."
    )


class ScannedPdf(TranscriptError):
    """The PDF has no text layer."""

    default_message = (
        "The PDF contains only images of pages (a scan) and no text layer, so the speeches "
        "cannot be read. Upload a PDF with selectable text, or run it through OCR first."
    )


class NotAVerbatimRecord(TranscriptError):
    """The document is readable but is not a Security Council S/PV record."""

    default_message = (
        "The document is readable but does not look like a Security Council verbatim record "
        "(no S/PV symbol, meeting number or speaker turns were found)."
    )
