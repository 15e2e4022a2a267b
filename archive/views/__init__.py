"""Public pages of the archive (read-only): one module per area."""

from archive.views.affinity import affinity_page, affinity_state  # noqa: F401
from archive.views.downloads import downloads  # noqa: F401
from archive.views.feeds import (  # noqa: F401
    MeetingFeed,
    MemberStateStatementsFeed,
    ResolutionCitationsFeed,
)
from archive.views.kwic import kwic_csv, kwic_json, kwic_page  # noqa: F401
from archive.views.lineage import resolution_lineage  # noqa: F401
from archive.views.pages import (  # noqa: F401
    affiliation_detail,
    affiliation_list,
    document_detail,
    home,
    lookup_view,
    meeting_detail,
    meeting_list,
    resolution_detail,
    resolution_list,
    speech_detail,
    vote_list,
)
from archive.views.people import person_detail, speaker_detail  # noqa: F401
from archive.views.search import (  # noqa: F401
    search_csv,
    search_feed,
    search_json,
    search_page,
)
from archive.views.states import (  # noqa: F401
    member_state_detail,
    member_state_list,
    member_state_statements,
    member_state_votes,
)
from archive.views.trends import trends_page  # noqa: F401
from archive.views.votes import vote_detail  # noqa: F401
