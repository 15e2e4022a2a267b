"""Find what a single search box means: a resolution, a meeting, a document, a State, or words.

The home page's one box submits here. ``lookup(text=...)`` answers with a ``LookupResult``: a
URL to go straight to, or a short explanation of what was understood with the closest matches
("No resolution 9999; the archive holds resolutions 1–2815, except 2775 and 2782–2814, which
are not in its sources"). Parsing of symbols and resolution
references belongs to ``archive.parsing.symbols``; this module only decides where to send the
reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import F, Max, Min
from django.db.models.functions import Abs
from django.urls import NoReverseMatch, reverse

from archive.models import Affiliation, Meeting, MemberState, Resolution, symbol_to_slug
from archive.parsing.symbols import normalise_document_symbol, parse_resolution_reference
from archive.people.search import find_persons

NEAREST = 3

_MEETING_SYMBOL = re.compile(r"^S/PV\.(?P<number>\d+)(?: \(Resumption (?P<resumption>\d+)\))?$")
_MEETING_SLUG = re.compile(
    r"^S-PV\.(?P<number>\d+)(?:-Resumption-(?P<resumption>\d+))?$", re.IGNORECASE
)


@dataclass(frozen=True)
class Candidate:
    """One of the closest matches offered when the input was ambiguous or unknown."""

    label: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class LookupResult:
    """Where to send the reader, or what was understood and what to offer instead."""

    query: str
    understood: str = ""
    url: str | None = None
    found: bool = True
    candidates: list[Candidate] = field(default_factory=list)
    search_url: str = ""

    @property
    def is_redirect(self) -> bool:
        return self.url is not None


def search_url(query: str, **params: str) -> str:
    """The search page for ``query`` (and extra filters), wherever the search engineer put it."""
    try:
        base = reverse("archive:search")
    except NoReverseMatch:  # the search page is not wired yet
        base = "/search/"
    items = {"q": query, **params} if query else params
    return f"{base}?{urlencode(items)}" if items else base


def meeting_symbol_from_slug(slug: str) -> str:
    """Turn a meeting URL slug back into its symbol: S-PV.8699-Resumption-1 -> S/PV.8699 (...)."""
    match = _MEETING_SLUG.match(slug)
    if match:
        symbol = f"S/PV.{int(match['number'])}"
        if match["resumption"]:
            symbol += f" (Resumption {int(match['resumption'])})"
        return symbol
    # Letter compilations (S/2020/253) have no spaces or parentheses: slashes became hyphens.
    return slug.replace("-", "/").upper()


# Forms people type that the symbol parser does not read as symbols: "UNSC 2467", "SCR 1325",
# "SC res. 1325/2000", "S/PV 8699", "SPV 8699 Resumption 1", "meeting 8699", "8699th meeting".
_RESOLUTION_FORM = re.compile(
    r"""^(?:un\s*sc|unsc|sc|scr|s\.c\.|security\s+council)\s*r?\.?\s*
        (?:res(?:olution)?\.?\s*)?(?:no\.?\s*)?
        (?P<number>\d{1,4})\s*(?:\(\s*(?P<year>\d{4})\s*\)|/\s*(?P<slash_year>\d{4}))?$""",
    re.IGNORECASE | re.VERBOSE,
)
_MEETING_FORM = re.compile(
    r"""^(?:s\s*/?\s*pv\s*\.?|meeting\s*(?:no\.?)?)\s*(?P<number>\d{1,5})
        (?:\s*\(?\s*resumption\s*(?P<resumption>\d{1,2})\s*\)?)?$
      |^(?P<ordinal>\d{1,5})(?:st|nd|rd|th)\s+meeting$""",
    re.IGNORECASE | re.VERBOSE,
)


def read_common_forms(query: str) -> str:
    """The query in a form the symbol parser reads, when it is a common way of writing a
    resolution or a meeting ("UNSC 2467" -> "S/RES/2467", "S/PV 8699" -> "S/PV.8699")."""
    match = _RESOLUTION_FORM.match(query)
    if match:
        year = match["year"] or match["slash_year"]
        return f"resolution {match['number']}" + (f" ({year})" if year else "")
    match = _MEETING_FORM.match(query)
    if match:
        number = match["number"] or match["ordinal"]
        resumption = match["resumption"]
        return f"S/PV.{int(number)}" + (f" (Resumption {int(resumption)})" if resumption else "")
    return query


def lookup(*, text: str, resolver=None) -> LookupResult:
    """Decide where ``text`` from the home page's box should take the reader."""
    query = " ".join((text or "").split())
    if not query:
        return LookupResult(query="", url=reverse("archive:home"))
    read = read_common_forms(query)

    reference = parse_resolution_reference(read)
    if reference is not None and reference.is_council:
        return _resolution(query, reference.number, reference.year)
    if reference is not None:
        # Another organ's resolution ("A/RES/51/223"): a document, never a Council resolution.
        return LookupResult(
            query=query,
            understood=f"the General Assembly resolution {reference.symbol}",
            url=reverse("archive:document", args=[reference.symbol]),
        )

    symbol = normalise_document_symbol(read)
    if symbol is not None:
        res = re.match(r"^S/RES/(\d+) \((\d{4})\)$", symbol)
        if res:
            return _resolution(query, int(res[1]), int(res[2]))
        meeting = _MEETING_SYMBOL.match(symbol)
        if meeting:
            return _meeting(query, symbol, int(meeting["number"]))
        compilation = Meeting.objects.filter(symbol=symbol).first()
        if compilation is not None:  # a letter compilation the archive holds (S/2020/420)
            return LookupResult(
                query=query,
                understood=f"the {compilation.get_kind_display().lower()} {symbol}",
                url=compilation.get_absolute_url(),
            )
        return LookupResult(
            query=query,
            understood=f"the document {symbol}",
            url=reverse("archive:document", args=[symbol]),
        )

    return _name_or_words(query, resolver)


def _resolution(query: str, number: int, year: int | None) -> LookupResult:
    matches = list(Resolution.objects.filter(number=number).order_by("year"))
    label = f"resolution {number} ({year})" if year else f"resolution {number}"
    exact = [r for r in matches if year is None or r.year == year]
    if len(exact) == 1:
        return LookupResult(query=query, understood=label, url=exact[0].get_absolute_url())
    if len(exact) > 1:
        return LookupResult(
            query=query,
            understood=f"{label}: {len(exact)} resolutions have this number",
            candidates=[_resolution_candidate(r) for r in exact],
            search_url=search_url(query),
        )
    if matches:  # the number exists, with another year
        return LookupResult(
            query=query,
            understood=f"No {label}; resolution {number} was adopted in "
            + ", ".join(str(r.year) for r in matches),
            found=False,
            candidates=[_resolution_candidate(r) for r in matches],
            search_url=search_url(query),
        )
    result = _nearest_by_number(
        query,
        missing=label,
        kind="resolutions",
        rows=Resolution.objects.all(),
        field="number",
        number=number,
        candidate=_resolution_candidate,
    )
    gaps = Resolution.objects.missing_numbers()
    missing = sum(b - a + 1 for a, b in gaps)
    if not gaps or missing > Resolution.objects.count():
        return result  # a sparse archive (a sample): its range says enough
    # Say which numbers the sources lack, not only the range held.
    return LookupResult(
        query=result.query,
        understood=f"{result.understood}, except {_runs(gaps)}, which "
        + ("are" if missing > 1 else "is")
        + " not in its sources",
        found=False,
        candidates=result.candidates,
        search_url=result.search_url,
    )


def _runs(runs: list[tuple[int, int]], shown: int = 8) -> str:
    """ "2775 and 2782–2814" (the first ``shown`` runs, then how many more)."""
    words = [str(a) if a == b else f"{a}–{b}" for a, b in runs[:shown]]
    if len(runs) > shown:
        words.append(f"{len(runs) - shown} more runs of numbers")
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _nearest_by_number(
    query: str, *, missing: str, kind: str, rows, field: str, number: int, candidate, then=()
) -> LookupResult:
    """Say what the archive holds instead of ``missing``, and offer the nearest numbers."""
    bounds = rows.aggregate(low=Min(field), high=Max(field))
    if bounds["low"] is None:
        understood = f"No {missing}; the archive holds no {kind} yet"
        nearest = []
    else:
        understood = f"No {missing}; the archive holds {kind} {bounds['low']}–{bounds['high']}"
        nearest = list(
            rows.filter(**{f"{field}__isnull": False})
            .annotate(distance=Abs(F(field) - number))
            .order_by("distance", field, *then)[:NEAREST]
        )
    return LookupResult(
        query=query,
        understood=understood,
        found=False,
        candidates=[candidate(row) for row in nearest],
        search_url=search_url(query),
    )


def _resolution_candidate(resolution: Resolution) -> Candidate:
    detail = resolution.title[:120] if resolution.title else ""
    return Candidate(
        label=f"Resolution {resolution.label}", url=resolution.get_absolute_url(), detail=detail
    )


def _meeting(query: str, symbol: str, number: int) -> LookupResult:
    meeting = Meeting.objects.filter(symbol=symbol).first()
    if meeting is not None:
        return LookupResult(
            query=query, understood=f"meeting {symbol}", url=meeting.get_absolute_url()
        )
    same_number = list(Meeting.objects.filter(meeting_number=number).order_by("resumption"))
    if same_number:
        return LookupResult(
            query=query,
            understood=f"No record {symbol}; meeting {number} has these records",
            found=False,
            candidates=[_meeting_candidate(m) for m in same_number],
            search_url=search_url(query),
        )
    return _nearest_by_number(
        query,
        missing=f"meeting {symbol}",
        kind="meetings",
        rows=Meeting.objects.all(),
        field="meeting_number",
        number=number,
        candidate=_meeting_candidate,
        then=("resumption",),
    )


def _meeting_candidate(meeting: Meeting) -> Candidate:
    detail = meeting.date.strftime("%-d %B %Y") if meeting.date else ""
    return Candidate(
        label=meeting.symbol,
        url=reverse("archive:meeting", args=[symbol_to_slug(meeting.symbol)]),
        detail=detail,
    )


def _name_or_words(query: str, resolver) -> LookupResult:
    if resolver is None:
        from archive.names import NameResolver

        resolver = NameResolver.load()
    match = resolver.resolve(query, record=False)
    if match is not None and match.member_state_id is not None:
        state = MemberState.objects.filter(pk=match.member_state_id).only("iso3").first()
        if state is not None:
            return LookupResult(
                query=query, understood=f"the State {match.name}", url=state.get_absolute_url()
            )
    if match is not None and match.affiliation_id is not None:
        affiliation = Affiliation.objects.filter(pk=match.affiliation_id).only("slug").first()
        if affiliation is not None:
            return LookupResult(
                query=query, understood=match.name, url=affiliation.get_absolute_url()
            )
    persons = find_persons(query, limit=10)
    if len(persons) == 1 and len(query.split()) > 1:
        return LookupResult(
            query=query, understood=f"the person {persons[0]}", url=persons[0].get_absolute_url()
        )
    if persons:
        return LookupResult(
            query=query,
            understood=f"People named “{query}” in the archive",
            candidates=[_person_candidate(p) for p in persons],
            search_url=search_url(query),
        )
    return LookupResult(query=query, understood=f"the words “{query}”", url=search_url(query))


def _person_candidate(person) -> Candidate:
    body = person.member_state or person.affiliation
    detail = f"{body}, " if body else ""
    count = getattr(person, "n", None)
    if count is not None:
        detail += f"{count} statement{'s' if count != 1 else ''}"
    return Candidate(label=person.name, url=person.get_absolute_url(), detail=detail.strip(", "))
