"""A small archive (two States, a meeting with speeches, a resolution and its vote) for the
security, hostile-input and backup tests. Built with the ORM so it needs no importer or parser.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from archive.models import (
    Affiliation,
    AgendaItem,
    Meeting,
    MemberState,
    MemberVote,
    Mention,
    Resolution,
    Speaker,
    Speech,
    Vote,
)


@dataclass
class SmallArchive:
    france: MemberState
    china: MemberState
    affiliation: Affiliation
    meeting: Meeting
    speeches: list[Speech]
    speaker: Speaker
    resolution: Resolution
    vote: Vote


def make_small_archive(*, suffix: int = 0) -> SmallArchive:
    """Create the small archive; ``suffix`` shifts numbers so it can be made twice."""
    france, _ = MemberState.objects.get_or_create(
        iso3="FRA", defaults={"name": "France", "iso2": "FR"}
    )
    china, _ = MemberState.objects.get_or_create(
        iso3="CHN", defaults={"name": "China", "iso2": "CN"}
    )
    affiliation, _ = Affiliation.objects.get_or_create(
        slug="european-union",
        defaults={"name": "European Union", "short_name": "EU", "kind": "organization"},
    )
    agenda, _ = AgendaItem.objects.get_or_create(
        slug="women-and-peace-and-security",
        defaults={"title": "Women and peace and security"},
    )
    number = 8701 + suffix
    meeting = Meeting.objects.create(
        symbol=f"S/PV.{number}",
        meeting_number=number,
        date=datetime.date(2020, 1, 8),
        agenda_item=agenda,
        agenda=["Women and peace and security"],
        presidency=france,
        source=Meeting.Source.PDF,
        speech_count=3,
        imported_at=datetime.datetime(2020, 1, 9, tzinfo=datetime.UTC),
    )
    speaker, _ = Speaker.objects.get_or_create(name="Mr. De Rivière", member_state=france)
    texts = [
        "I thank the Secretary-General for his briefing on resolution 2467 (2019).",
        "China supports the draft resolution <b>before us</b> & the peace process.",
        "The European Union aligns itself with this statement; peace and security matter.",
    ]
    speeches = []
    for sequence, (text, state, aff) in enumerate(
        [(texts[0], france, None), (texts[1], china, None), (texts[2], None, affiliation)],
        start=1,
    ):
        speeches.append(
            Speech.objects.create(
                meeting=meeting,
                sequence=sequence,
                attribution=f"Speaker {sequence}",
                speaker=speaker if state == france else None,
                speaker_name="Mr. De Rivière" if state == france else f"Speaker {sequence}",
                country_as_printed=(state.name if state else aff.name),
                member_state=state,
                affiliation=aff,
                role=Speech.Role.MEMBER if state else Speech.Role.INVITED,
                text=text,
            )
        )
    resolution = Resolution.objects.create(
        number=2467 + suffix,
        year=2019,
        adopted_on=datetime.date(2019, 4, 23),
        meeting=meeting,
        title="Women and peace and security",
    )
    vote = Vote.objects.create(
        meeting=meeting,
        date=datetime.date(2020, 1, 8),
        resolution=resolution,
        outcome=Vote.Outcome.ADOPTED,
        in_favour_count=13,
        against_count=0,
        abstaining_count=2,
        position=1,
    )
    MemberVote.objects.create(vote=vote, member_state=france, position="in_favour")
    MemberVote.objects.create(vote=vote, member_state=china, position="abstaining")
    Mention.objects.create(
        speech=speeches[0], kind="resolution", symbol=resolution.symbol, resolution=resolution
    )
    return SmallArchive(
        france=france,
        china=china,
        affiliation=affiliation,
        meeting=meeting,
        speeches=speeches,
        speaker=speaker,
        resolution=resolution,
        vote=vote,
    )


# Values for URL parameters, by parameter name; `public_urls` fills every public pattern.
def url_values(archive: SmallArchive) -> dict[str, object]:
    """A real value for each parameter name used in the public URL patterns."""
    return {
        "slug": None,  # depends on the pattern; see SLUG_BY_NAME
        "pk": archive.speeches[0].pk,
        "number": archive.resolution.number,
        "year": archive.resolution.year,
        "symbol": "S/2020/1",
    }


def public_patterns() -> list[tuple[str, str, list[str]]]:
    """Every URL pattern outside the admin: (url name, route, parameter names)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route.startswith("admin/"):
                    continue
                ns = pattern.namespace or namespace
                walk(pattern.url_patterns, route, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.append((name, route, list(pattern.pattern.converters)))

    walk(get_resolver().url_patterns, "", "")
    return found


def public_urls(archive: SmallArchive) -> dict[str, str]:
    """A working URL for every public pattern, filled from the small archive."""
    from django.urls import reverse

    slugs = {
        "meeting": archive.meeting.slug,
        "affiliation": archive.affiliation.slug,
    }
    values = url_values(archive)
    urls = {}
    for name, _route, params in public_patterns():
        short = name.split(":")[-1]
        kwargs = {}
        for param in params:
            if param == "slug":
                kwargs[param] = slugs.get(short, archive.france.slug)
            elif param == "pk":
                kwargs[param] = archive.speaker.pk if short.startswith("speaker") else values["pk"]
            else:
                kwargs[param] = values[param]
        urls[name] = reverse(name, kwargs=kwargs)
    return urls
