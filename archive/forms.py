"""Forms of the staff side: transcript upload."""

from __future__ import annotations

from django import forms


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that accepts several files at once."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field whose cleaned value is a list of uploaded files."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.txt"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        """Return the list of files; size and content are judged per file by the view."""
        if not data:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        files = data if isinstance(data, (list, tuple)) else [data]
        # Only the shape is checked here: an empty or oversized file is recorded as a failed
        # upload with its reason, rather than rejecting the whole batch.
        for item in files:
            if not hasattr(item, "read") or not getattr(item, "name", ""):
                raise forms.ValidationError("No file was submitted.", code="invalid")
        return list(files)


class TranscriptUploadForm(forms.Form):
    """One or more verbatim records (PDF or plain text) to parse and preview."""

    files = MultipleFileField(
        label="Verbatim records",
        help_text="The English PDF of one or more S/PV records, or plain-text transcripts.",
    )
