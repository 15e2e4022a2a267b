"""Speakers: every statement names who spoke, once, and spellings of one person are gathered."""

from __future__ import annotations

import re
from collections.abc import Iterator

from archive.audit import Finding, audit
from archive.models import Person, PersonMergeProposal, Speaker, Speech
from archive.people.labels import NOTE_COVER_PAGE, heading, is_placeholder, speaker_label
from archive.people.proposals import likely_unmerged

AREA = "speakers"
_DOUBLED = re.compile(r"\(([^()]+)\)\s*\(\1\)")
_PLACEHOLDERS = re.compile(r"\bunknown\b|^Speaker\b|\bSpeaker \(", re.IGNORECASE)


def _where(speech) -> str:
    return f"{speech.meeting.symbol} #{speech.sequence}"


@audit(AREA)
def statement_headings() -> Iterator[Finding]:
    """What each statement's heading says: a name, or "Representative of ..."; never a State
    twice ("(Colombia) (Colombia)") nor a placeholder ("unknown", "Speaker (South Africa)")."""
    rows = Speech.objects.select_related("meeting", "speaker", "member_state", "affiliation").only(
        "sequence",
        "speaker_name",
        "country_as_printed",
        "meeting__symbol",
        "speaker__name",
        "member_state__name",
        "affiliation__name",
        "affiliation__kind",
    )
    for speech in rows.iterator(chunk_size=2000):
        shown = heading(speech)
        if _DOUBLED.search(shown):
            yield Finding(AREA, "state_twice_in_heading", f"{_where(speech)}: {shown}")
        elif _PLACEHOLDERS.search(shown) or is_placeholder(speaker_label(speech)):
            yield Finding(AREA, "placeholder_in_heading", f"{_where(speech)}: {shown}")
        elif shown.startswith("Representative of ") or shown.startswith("A speaker the source"):
            yield Finding(
                AREA,
                "speaker_not_named",
                f"{_where(speech)}: {shown}",
                explained="the source names no speaker; the page says so",
            )
        elif not speech.speaker_name and speech.speaker_id:
            yield Finding(
                AREA,
                "speaker_from_cover_page",
                f"{_where(speech)}: {shown}",
                explained=f"shown with the note “{NOTE_COVER_PAGE}”",
            )


@audit(AREA)
def statements_without_spelling() -> Iterator[Finding]:
    """A statement with a printed name is linked to that spelling (and so to a person)."""
    rows = Speech.objects.filter(speaker__isnull=True).exclude(speaker_name="")
    for speech in rows.select_related("meeting").only(
        "sequence", "speaker_name", "meeting__symbol"
    ):
        if not is_placeholder(speech.speaker_name):
            yield Finding(
                AREA,
                "statement_without_spelling",
                f"{_where(speech)}: “{speech.speaker_name}” is linked to no speaker",
            )


@audit(AREA)
def spellings_without_person() -> Iterator[Finding]:
    """Every printed spelling belongs to a person (person pages and the speaker filter)."""
    for speaker in Speaker.objects.filter(person__isnull=True).only("name"):
        yield Finding(AREA, "spelling_without_person", f"“{speaker.name}” has no person")


@audit(AREA)
def persons_without_spelling() -> Iterator[Finding]:
    """A person page with no statement: a person left behind by deleted spellings."""
    for person in Person.objects.live().filter(spellings__isnull=True).only("name"):
        yield Finding(AREA, "person_without_spelling", f"“{person.name}” has no spelling left")


@audit(AREA)
def likely_variants() -> Iterator[Finding]:
    """Spellings that look like one person: proposed to staff, or not yet."""
    for proposal in PersonMergeProposal.objects.needs_review():
        yield Finding(
            AREA,
            "variants_awaiting_review",
            f"“{proposal.person_a}” and “{proposal.person_b}” ({proposal.score:.2f})",
            explained="proposed to staff; both person pages say they may be one person",
        )
    for match in likely_unmerged():
        yield Finding(
            AREA,
            "variants_not_proposed",
            f"persons {match.a} and {match.b}: {'; '.join(match.reasons)}",
        )
