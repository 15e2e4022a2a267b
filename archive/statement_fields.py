"""The one schema of a statement in every CSV and JSON download (README, "Exports").

Search results, a State's or an organization's statements, a person's statements, a
resolution's or a document's citations: all export these columns, with these names, in this
order. New fields go at the end; existing ones keep their name and meaning.
"""

from __future__ import annotations

from collections.abc import Callable

from archive.exports import Column
from archive.people.labels import (
    NOTE_COVER_PAGE,
    printed_name,
    speaker_body,
    speaker_label,
    speaker_note,
)
from archive.templatetags.archive_tags import citation
from archive.topics.lookup import topic_tree

# What a statement row needs joined (no query per row).
RELATED = (
    "meeting",
    "meeting__agenda_item",
    "speaker",
    "speaker__person",
    "member_state",
    "affiliation",
)


def speaker_source(speech) -> str:
    """Where the speaker's name comes from: printed, cover_page, or none."""
    if printed_name(speech):
        return "printed"
    return "cover_page" if speaker_note(speech) == NOTE_COVER_PAGE else "none"


def _topics(speech) -> str:
    tree = topic_tree()
    ids = tree.topics_of_item.get(speech.meeting.agenda_item_id, set())
    return "; ".join(sorted(tree.names[pk] for pk in ids))


def _prefixing(absolute: Callable[[str], str]) -> Callable[[str], str]:
    """``absolute`` for a site path as one concatenation: an export builds three URLs a row,
    and ``build_absolute_uri`` costs 30 µs each (0.4 s of a 5,000-row download)."""
    base = absolute("/")
    if not base.endswith("/"):
        return absolute
    base = base[:-1]

    def join(path: str) -> str:
        if path.startswith("/") and not path.startswith("//") and path.isascii():
            return base + path
        return absolute(path)

    return join


def statement_columns(absolute: Callable[[str], str]) -> list[Column]:
    """The statement schema; ``absolute`` turns a path into a full URL."""
    absolute = _prefixing(absolute)

    def person(speech):
        return speech.speaker.person if speech.speaker_id and speech.speaker.person_id else None

    return [
        Column("id", lambda s: s.pk, "The statement's number in the archive"),
        Column("url", lambda s: absolute(s.get_absolute_url()), "Permalink of the statement"),
        Column(
            "meeting_url",
            lambda s: absolute(f"{s.meeting.get_absolute_url()}#{s.anchor}"),
            "The statement in its meeting's record",
        ),
        Column("meeting", lambda s: s.meeting.symbol, "Meeting symbol, e.g. S/PV.8699"),
        Column("date", lambda s: s.meeting.date, "Meeting date, ISO 8601"),
        Column("sequence", lambda s: s.sequence, "Order of the statement within the meeting"),
        Column("speaker", lambda s: printed_name(s) or None, "The speaker's name as printed"),
        Column("speaker_id", lambda s: s.speaker_id, "The printed spelling's number"),
        Column(
            "state_iso3",
            lambda s: s.member_state.iso3 if s.member_state_id else None,
            "ISO 3166 alpha-3 code of the Member State spoken for",
        ),
        Column("state_or_body", lambda s: speaker_body(s) or None, "State or body spoken for"),
        Column(
            "body_slug",
            lambda s: s.affiliation.slug if s.affiliation_id else None,
            "The organization or observer spoken for, when not a Member State",
        ),
        Column("role", lambda s: s.role, "president, member, invited, un or other"),
        Column(
            "agenda_item",
            lambda s: s.meeting.agenda_item.title if s.meeting.agenda_item_id else None,
            "The meeting's agenda item, as worded in the source",
        ),
        Column("spoke_in", lambda s: s.spoke_in or None, "Language, when not English"),
        Column("attribution", lambda s: s.attribution or None, "The speaker's label as printed"),
        Column("citation", citation, "Citation: speaker (State), meeting, date, page"),
        Column("text", lambda s: s.text, "The full text of the statement"),
        Column("page", lambda s: s.page, "Page of the record where the statement starts"),
        Column("speaker_label", speaker_label, "Who spoke, as pages show it"),
        Column("speaker_source", speaker_source, "printed, cover_page or none"),
        Column("person_id", lambda s: getattr(person(s), "pk", None), "The person's number"),
        Column(
            "person_url",
            lambda s: absolute(person(s).get_absolute_url()) if person(s) else None,
            "The person's page (every spelling)",
        ),
        Column("topics", _topics, "Topics of the agenda item, separated by “; ”"),
    ]


FIELD_NAMES = [c.name for c in statement_columns(lambda path: path)]
