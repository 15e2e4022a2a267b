"""What a trends URL asks for: the lines to draw, the measure and the years; clear errors.

``/trends/?q=peace&q=war`` compares queries; ``?q=peace&split=state&state=fra&state=usa``
splits one query by State or body (up to five; none given: the five with the most matching
statements); ``split=council`` draws Council members against invited speakers; ``split=role``
one line per role. ``measure=per10k`` switches to matches per 10,000 words; ``from``/``to``
bound the years.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.db.models import Count
from django.http import QueryDict

from archive import search
from archive.filters import StateOrBody, StateOrBodyField
from archive.models import Speech
from archive.research.trends import MAX_LINES, MEASURES, TrendLine

SPLITS = {
    "": "One line per search",
    "state": "One search, by State or body",
    "council": "One search: Council members and invited speakers",
    "role": "One search, by role",
}
COUNCIL_LINES = [
    ("Council members", True, "yes"),
    ("Invited speakers (not on the Council)", False, "invited"),
]


class TrendsForm(forms.Form):
    """The single-valued choices of the trends page (queries and States are lists)."""

    split = forms.ChoiceField(choices=list(SPLITS.items()), required=False, label="Lines")
    measure = forms.ChoiceField(choices=list(MEASURES.items()), required=False, label="Measure")
    year_from = forms.IntegerField(min_value=1946, max_value=2100, required=False, label="From")
    year_to = forms.IntegerField(min_value=1946, max_value=2100, required=False, label="To")


@dataclass
class TrendsRequest:
    """The lines and options a trends URL asks for, or what was wrong with it."""

    queries: list[str] = field(default_factory=list)
    states: list[StateOrBody] = field(default_factory=list)
    split: str = ""
    measure: str = "share"
    year_from: int | None = None
    year_to: int | None = None
    lines: list[TrendLine] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # True when the States of a split were chosen by the archive (none were asked for).
    top_states: bool = False


def _form_values(data: QueryDict, parsed: TrendsRequest) -> None:
    form = TrendsForm({"year_from": data.get("from"), "year_to": data.get("to"), **{
        k: data.get(k) for k in ("split", "measure")
    }})  # fmt: skip
    if not form.is_valid():
        labels = {"year_from": "From", "year_to": "To"}
        for name, messages in form.errors.items():
            parsed.errors += [f"{labels.get(name, form.fields[name].label)}: {m}" for m in messages]
        return
    parsed.split = form.cleaned_data["split"] or ""
    parsed.measure = form.cleaned_data["measure"] or "share"
    parsed.year_from = form.cleaned_data["year_from"]
    parsed.year_to = form.cleaned_data["year_to"]
    if parsed.year_from and parsed.year_to and parsed.year_from > parsed.year_to:
        parsed.errors.append(f"From {parsed.year_from} is after To {parsed.year_to}.")


def _queries(data: QueryDict, parsed: TrendsRequest) -> None:
    # One past the limit is enough to say there are too many (and to read no more).
    for raw in data.getlist("q")[: MAX_LINES * 2]:
        try:
            query = search.clean_query(raw)
        except search.QueryError as error:
            parsed.errors.append(str(error))
            continue
        if query and query not in parsed.queries:
            parsed.queries.append(query)
    if len(parsed.queries) > MAX_LINES:
        parsed.errors.append(
            f"{len(parsed.queries)} searches: a chart compares at most {MAX_LINES}."
        )
    if parsed.split and len(parsed.queries) > 1:
        parsed.errors.append(
            "A split draws one search in several lines: give one search, or compare several "
            "searches without a split."
        )


def _states(data: QueryDict, parsed: TrendsRequest) -> None:
    field_ = StateOrBodyField(required=False)
    for raw in data.getlist("state")[: MAX_LINES + 1]:
        try:
            state = field_.clean(raw)
        except forms.ValidationError as error:
            parsed.errors += list(error.messages)
            continue
        if state is not None and state not in parsed.states:
            parsed.states.append(state)
    if len(parsed.states) > MAX_LINES:
        parsed.errors.append(f"{len(parsed.states)} States: a chart shows at most {MAX_LINES}.")


def _state_line(query: str, state: StateOrBody) -> TrendLine:
    if state.member_state_id is not None:
        return TrendLine(
            state.name, query, "member_state_id", state.member_state_id,
            (("state", state.iso3.lower()),),
        )  # fmt: skip
    slug = _affiliation_slug(state.affiliation_id)
    return TrendLine(state.name, query, "affiliation_id", state.affiliation_id, (("state", slug),))


def _affiliation_slug(pk: int) -> str:
    from archive.models import Affiliation

    return Affiliation.objects.filter(pk=pk).values_list("slug", flat=True).first() or ""


def top_states(query: str, *, using: str = "default") -> list[StateOrBody]:
    """The five States with the most statements matching ``query``."""
    from archive.models import MemberState

    with search.index_scans(using=using):
        rows = list(
            search.matching(Speech.objects.using(using).filter(member_state__isnull=False), query)
            .order_by()
            .values("member_state_id")
            .annotate(n=Count("pk"))
            .order_by("-n", "member_state_id")[:MAX_LINES]
        )
    names = MemberState.objects.using(using).in_bulk([r["member_state_id"] for r in rows])
    return [
        StateOrBody(name=s.name, member_state_id=s.pk, iso3=s.iso3)
        for s in (names[r["member_state_id"]] for r in rows)
    ]


def quoted(query: str) -> str:
    """A search as a label: in quotation marks, unless it is one quoted phrase already."""
    if len(query) > 1 and query[0] == query[-1] == '"' and query.count('"') == 2:
        return f"“{query[1:-1]}”"
    return f"“{query}”"


def _lines(parsed: TrendsRequest, *, using: str) -> list[TrendLine]:
    if not parsed.queries:
        return []
    if not parsed.split:
        return [TrendLine(quoted(q), q) for q in parsed.queries]
    query = parsed.queries[0]
    if parsed.split == "state":
        if not parsed.states:
            parsed.states, parsed.top_states = top_states(query, using=using), True
        return [_state_line(query, state) for state in parsed.states]
    if parsed.split == "council":
        return [
            TrendLine(label, query, "on_council", seated, (("on_council", param),))
            for label, seated, param in COUNCIL_LINES
        ]
    return [
        TrendLine(str(label), query, "role", role, (("role", role),))
        for role, label in Speech.Role.choices
    ]


def parse_trends(data: QueryDict, *, using: str = "default") -> TrendsRequest:
    """Read the queries, split, States, measure and years; ``errors`` says what is wrong."""
    parsed = TrendsRequest()
    _form_values(data, parsed)
    _queries(data, parsed)
    _states(data, parsed)
    if not parsed.errors:
        parsed.lines = _lines(parsed, using=using)
    return parsed
