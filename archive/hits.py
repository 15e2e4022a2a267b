"""A page of search hits, read in one prepared statement as light rows.

A search page shows 20 speeches, each with its meeting, agenda item, speaker and State or
body. Read as model instances (``archive.page_rows``), that is six instances a hit (~15 µs
each) and every column of six tables; here one statement reads the few columns a hit shows
(``archive.views.search_html``) into rows that borrow the models' own properties and URL
methods. The statement is prepared once per database connection (``archive.prepared``), as
is the search's own (``archive.search_index``): planning them costs more than running them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connections

from archive.models import Affiliation, Meeting, MemberState, Speech
from archive.prepared import execute_prepared

# Rows read for a search hit: the models' own properties and URL methods (borrowed), none of
# their machinery (a model instance costs ~15 µs to build, six a hit); dataclasses for their
# generated __init__ (a loop of setattr cost ~3 µs a hit).


@dataclass(slots=True)
class _AgendaItem:
    title: str


@dataclass(slots=True)
class _Meeting:
    symbol: str
    date: datetime.date | None
    agenda_item_id: int | None
    agenda_item: _AgendaItem | None
    slug = Meeting.slug
    get_absolute_url = Meeting.get_absolute_url


@dataclass(slots=True)
class _Speaker:
    name: str


@dataclass(slots=True)
class _MemberState:
    name: str
    iso3: str
    slug = MemberState.slug
    get_absolute_url = MemberState.get_absolute_url


@dataclass(slots=True)
class _Affiliation:
    name: str
    slug: str
    kind: str
    get_absolute_url = Affiliation.get_absolute_url


@dataclass(slots=True)
class Hit:
    """A speech as a search hit shows it (``archive.views.search_html``): who, for whom,
    where, when, role and text, with ``Speech``'s ``anchor`` and URL."""

    pk: int
    meeting_id: int
    sequence: int
    speaker_id: int | None
    speaker_name: str
    country_as_printed: str
    member_state_id: int | None
    affiliation_id: int | None
    role: str
    text: str
    meeting: _Meeting
    speaker: _Speaker | None
    member_state: _MemberState | None
    affiliation: _Affiliation | None
    anchor = Speech.anchor
    get_absolute_url = Speech.get_absolute_url

    @property
    def id(self) -> int:
        return self.pk


_HITS_SQL = """
SELECT s.id, s.meeting_id, s.sequence, s.speaker_id, s.speaker_name, s.country_as_printed,
       s.member_state_id, s.affiliation_id, s.role, s.text,
       m.symbol, m.date, m.agenda_item_id, a.title, sp.name, ms.name, ms.iso3,
       af.name, af.slug, af.kind, v.version
FROM archive_speech s JOIN archive_meeting m ON m.id = s.meeting_id
LEFT JOIN archive_archivestate v ON v.id = 1
LEFT JOIN archive_agendaitem a ON a.id = m.agenda_item_id
LEFT JOIN archive_speaker sp ON sp.id = s.speaker_id
LEFT JOIN archive_memberstate ms ON ms.id = s.member_state_id
LEFT JOIN archive_affiliation af ON af.id = s.affiliation_id
WHERE s.id = ANY (%s::bigint[])
"""


_VERSION_SQL = "SELECT version FROM archive_archivestate WHERE id = 1"


def fetch(ids: list[int], *, using: str = "default") -> list[Hit]:
    """The speeches with these ids, in this order, as search hits (one prepared statement)."""
    return fetch_at_version(ids, using=using)[0] if ids else []


def fetch_at_version(ids: list[int], *, using: str = "default") -> tuple[list[Hit], int]:
    """``fetch``, and the archive's version in the same snapshot (read alone without ids)."""
    connection = connections[using]
    # The ids as an array literal: psycopg adapts a list of ints element by element.
    array = "{" + ",".join(str(int(pk)) for pk in ids) + "}"
    with connection.cursor() as cursor:
        if not ids:
            execute_prepared(cursor, connection, _VERSION_SQL, [])
            row = cursor.fetchone()
            return [], (row[0] if row else 0) or 0
        execute_prepared(cursor, connection, _HITS_SQL, [array])
        rows = cursor.fetchall()
    if not rows:
        return [], fetch_at_version([], using=using)[1]
    by_id = {}
    for row in rows:
        meeting = _Meeting(*row[10:13], _AgendaItem(row[13]) if row[12] else None)
        hit = Hit(
            *row[:10],
            meeting,
            _Speaker(row[14]) if row[3] else None,
            _MemberState(*row[15:17]) if row[6] else None,
            _Affiliation(*row[17:20]) if row[7] else None,
        )
        by_id[hit.pk] = hit
    return [by_id[pk] for pk in ids if pk in by_id], rows[0][20] or 0
