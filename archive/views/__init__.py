"""Public pages of the archive (read-only): one module per area."""

from archive.views.feeds import (  # noqa: F401
    MeetingFeed,
    MemberStateStatementsFeed,
    ResolutionCitationsFeed,
)
from archive.views.kwic import kwic_csv, kwic_json, kwic_page  # noqa: F401
from archive.views.pages import (  # noqa: F401
    affiliation_detail,
    affiliation_list,
    document_detail,
    home,
    lookup_view,
    meeting_detail,
    meeting_list,
    member_state_detail,
    member_state_list,
    member_state_statements,
    member_state_votes,
    resolution_detail,
    resolution_list,
    speaker_detail,
    speech_detail,
    vote_list,
)
from archive.views.research import (  # noqa: F401
    affinity_page,
    affinity_votes,
    resolution_lineage,
    trends_page,
)
from archive.views.search import (  # noqa: F401
    search_csv,
    search_feed,
    search_json,
    search_page,
)
