"""Public pages of the archive (read-only): one module per area."""

from archive.views.pages import (  # noqa: F401
    affiliation_detail,
    home,
    meeting_detail,
    member_state_detail,
    resolution_detail,
    speaker_detail,
    speech_detail,
)
