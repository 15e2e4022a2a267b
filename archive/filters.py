"""One FilterSet per browse page. The same FilterSet serves the HTML list, its CSV and its JSON.

Invalid values (an unknown outcome, a year that is not a number) are reported in the form's
errors and the filter is ignored, so a bad link shows a clear message instead of failing.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django_filters.constants import EMPTY_VALUES

from archive.filter_options import (
    AGENDA_ITEMS,
    STATES_AND_BODIES,
    DatalistInput,
    StateOrBodyInput,
    body_by_slug,
    name_resolver,
    state_by_code,
)
from archive.models import (
    Affiliation,
    AgendaItem,
    CouncilTerm,
    Meeting,
    MemberState,
    MemberVote,
    Mention,
    Person,
    Resolution,
    Speaker,
    Speech,
    Vote,
)
from archive.names import MEMBER_STATE
from archive.parsing.symbols import parse_resolution_reference
from archive.people.search import find_persons, similar_persons
from archive.ranking import IndexFilters
from archive.search import clean_query, matching
from archive.topics.lookup import topic_tree

# Examples the filter boxes show (tests/test_demo_archive.py runs every one on the demo).
# The speaker box's: a name printed in several spellings, found by any of them.
SPEAKER_EXAMPLE = "Jurgenson"
# Statement lists: a topic with statements in the demo archive (2020), and in any fuller one.
STATEMENT_TOPIC_EXAMPLE = "Syria"

# --------------------------------------------------------------------------- Browse pages


class YearFilter(django_filters.NumberFilter):
    """A year as a whole number (date__year lookups need an int, not a Decimal)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "Year")
        kwargs.setdefault("min_value", 1946)
        kwargs.setdefault("max_value", 2100)
        kwargs.setdefault("widget", forms.NumberInput(attrs={"inputmode": "numeric"}))
        super().__init__(*args, **kwargs)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


def _topic_input(example: str = "women and peace") -> DatalistInput:
    """A topic or words of an agenda item's title, with topics and agenda items suggested."""
    return DatalistInput(AGENDA_ITEMS, attrs={"placeholder": example})


def topic_filter(*, example: str = "women and peace", **kwargs) -> AgendaItemFilter:
    """The topic box of a browse page (topics gather their agenda items' spellings)."""
    kwargs.setdefault("label", "Topic")
    return AgendaItemFilter(
        method="filter_topic", max_length=200, widget=_topic_input(example), **kwargs
    )


# --------------------------------------------------------------------------- Search


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class StateOrBody:
    """The State or body a filter asks for, however it was written (code, slug or name)."""

    name: str
    member_state_id: int | None = None
    affiliation_id: int | None = None
    kind: str = MEMBER_STATE  # "member_state" or an Affiliation.Kind value
    iso3: str = ""

    def __str__(self) -> str:
        return self.name

    @property
    def is_state(self) -> bool:
        """A Member State or a non-member observer State (the Holy See, Palestine)."""
        return self.kind in (MEMBER_STATE, Affiliation.Kind.OBSERVER_STATE)


class StateOrBodyField(forms.CharField):
    """A State or body as people write it: Kazakhstan, UK, Türkiye, the Niger, EU; or a code
    (fra) or an organization's slug (european-union), as the archive's own links write it."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        text = " ".join(value.split())
        key = text.lower()
        # Codes and slugs first, exactly as before names were accepted: old links keep their
        # meaning even if a name alias is ever spelt like a code.
        # Looked up in the codes and slugs kept per archive version (filter_options).
        if len(key) == 3 and key.isascii() and key.isalpha():
            state = state_by_code(key)
            if state:
                return StateOrBody(name=state[1], member_state_id=state[0], iso3=key.upper())
        if _SLUG.match(key):
            body = body_by_slug(key[:80])
            if body:
                return StateOrBody(name=body[1], affiliation_id=body[0], kind=body[2])
        match = name_resolver().resolve(text, record=False)
        if match is not None:
            return StateOrBody(
                name=match.name,
                member_state_id=match.member_state_id,
                affiliation_id=match.affiliation_id,
                kind=match.kind,
                iso3=match.iso3,
            )
        similar = _similar_names(text)
        if similar:
            raise forms.ValidationError(
                "No Member State or body called “%(name)s”. Did you mean %(similar)s?",
                params={"name": text[:60], "similar": " or ".join(similar)},
            )
        raise forms.ValidationError(
            "No Member State or body called “%(name)s”: type a name such as Kazakhstan, "
            "United Kingdom or European Union, or pick one from the suggestions.",
            params={"name": text[:60]},
        )


def _similar_names(text: str, *, limit: int = 3) -> list[str]:
    """Names of States and bodies containing ``text`` ("Kazakh"), for a "did you mean"."""
    if len(text) < 3:
        return []
    states = MemberState.objects.filter(name__icontains=text).values_list("name", flat=True)
    bodies = Affiliation.objects.filter(name__icontains=text).values_list("name", flat=True)
    return list(states.union(bodies).order_by("name")[:limit])


@dataclass(frozen=True)
class AgendaItems:
    """The agenda items a filter asks for: one (by slug or title) or all matching some words."""

    ids: tuple[int, ...]
    title: str = ""  # when one item is meant
    slug: str = ""
    words: str = ""  # when several items match these words
    query: str = ""  # the words as typed (resolution and vote lists also match titles)

    def __str__(self) -> str:
        # Also the cache key's part for this filter: distinct for distinct requests.
        return self.title or f"matching “{self.words}”"


class AgendaItemField(forms.CharField):
    """A topic (by slug or name: every agenda item gathered under it), an agenda item by slug
    or title, or words of topic names and titles ("women and peace").

    ``titles_too``: the list also matches its own titles (resolutions, votes), so words that
    match no agenda item are still a valid filter.
    """

    def __init__(self, *args, titles_too: bool = False, **kwargs):
        self.titles_too = titles_too
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        text = " ".join(value.split())
        tree = topic_tree()
        topic = tree.by_text(text)
        if topic is not None:
            return AgendaItems(
                ids=tuple(sorted(tree.items.get(topic, ()))) or (0,),
                title=tree.names[topic],
                slug=tree.slugs[topic],
                query=text,
            )
        rows = list(
            AgendaItem.objects.filter(Q(slug=text.lower()[:120]) | Q(title__icontains=text))
            .order_by("title")
            .values_list("pk", "slug", "title")
        )
        exact = [r for r in rows if r[1] == text.lower()] or [
            r for r in rows if r[2].casefold() == text.casefold()
        ]
        if exact:
            rows = exact[:1]
        elif not rows and len(text.split()) > 1:
            # Words in another order or apart ("peace women"): titles holding every word.
            every_word = Q()
            for word in text.split():
                every_word &= Q(title__icontains=word)
            rows = list(AgendaItem.objects.filter(every_word).values_list("pk", "slug", "title"))
        # Topics whose names hold the words ("women and peace"): all their agenda items too.
        gathered = {pk for t in tree.by_words(text) for pk in tree.items.get(t, ())}
        if gathered and not exact:
            rows = sorted({(r[0], r[1], r[2]) for r in rows} | _item_rows(gathered))
        if not rows and self.titles_too:
            return AgendaItems(ids=(), words=text, query=text)
        if not rows:
            raise forms.ValidationError(
                "No topic or agenda item matches “%(words)s”: try fewer or other words, or pick "
                "one from the suggestions.",
                params={"words": text[:60]},
            )
        if len(rows) == 1:
            pk, slug, title = rows[0]
            return AgendaItems(ids=(pk,), title=title, slug=slug, query=text)
        return AgendaItems(ids=tuple(sorted(r[0] for r in rows)), words=text, query=text)


def _item_rows(ids) -> set[tuple[int, str, str]]:
    return set(AgendaItem.objects.filter(pk__in=ids).values_list("pk", "slug", "title"))


class PersonField(forms.CharField):
    """A person by number (links from person pages) or by any spelling of their name, with or
    without diacritics ("Jürgenson", "Jurgenson", "Jiirgenson")."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        text = " ".join(value.split())
        if text.isdigit():
            person = Person.objects.filter(pk=int(text)).first()
            if person is None:
                raise forms.ValidationError(
                    "The archive has no person number %(value)s.", params={"value": text[:12]}
                )
            person = person.live()
            return People(ids=(person.pk,), name=person.name)
        found = find_persons(text)
        if found:
            label = found[0].name if len(found) == 1 else f"named “{text}”"
            return People(ids=tuple(p.pk for p in found), name=label)
        similar = [p.name for p in similar_persons(text)]
        if similar:
            raise forms.ValidationError(
                "No speaker called “%(name)s”. Did you mean %(similar)s?",
                params={"name": text[:60], "similar": " or ".join(similar[:3])},
            )
        raise forms.ValidationError(
            "No speaker called “%(name)s” in the archive.", params={"name": text[:60]}
        )


@dataclass(frozen=True)
class People:
    """The persons a speaker filter asks for: one, or all whose names match some words."""

    ids: tuple[int, ...]
    name: str

    def __str__(self) -> str:
        return self.name


class PersonFilter(django_filters.Filter):
    field_class = PersonField


class ResolutionReferenceField(forms.CharField):
    """A resolution as people write it: 2467, 2467 (2019), S/RES/2467 (2019), UNSCR 2467."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        ref = parse_resolution_reference(value)
        if ref is None:
            raise forms.ValidationError(
                "“%(value)s” is not a resolution: write it as 2467 or 2467 (2019).",
                params={"value": value[:40]},
            )
        if not ref.is_council:
            raise forms.ValidationError(
                "“%(value)s” is a General Assembly resolution; this filter takes Security "
                "Council resolutions (2467 or 2467 (2019)).",
                params={"value": value[:40]},
            )
        return ref


class StateOrBodyFilter(django_filters.Filter):
    field_class = StateOrBodyField


class AgendaItemFilter(django_filters.Filter):
    field_class = AgendaItemField


class ResolutionReferenceFilter(django_filters.Filter):
    field_class = ResolutionReferenceField


def _shallow_copy(obj):
    """``copy.copy(obj)`` of a plain object (a filter, a form field: no ``__copy__`` or state
    methods of their own): its class and a copy of its attributes, without the copy protocol
    (``__reduce_ex__``: ~14 µs each, two dozen a search page)."""
    copied = object.__new__(type(obj))
    copied.__dict__.update(obj.__dict__)
    return copied


def _own_copy(filter_):
    copied = _shallow_copy(filter_)
    if copied.method is not None:
        copied.method = copied.method  # its FilterMethod, bound to the copy
    return copied


class _FiltersCopiedCheaply(dict):
    """A FilterSet's filters, copied for each FilterSet without deep-copying their widgets,
    choices and querysets (django-filter deep-copies them: ~1 ms a search page).

    A filter is never changed by a request but for its parent and model, which each FilterSet
    sets on its own copy; a method filter is bound to its copy again. Form fields are built
    from the filters and deep-copied by every form as usual.
    """

    def __deepcopy__(self, memo):
        return {name: _own_copy(filter_) for name, filter_ in self.items()}


class FieldsCopiedCheaply(dict):
    """A form's fields, copied for each form without deep-copying their widgets: the filter
    form's fields and widgets are never changed after the class is built (Django deep-copies
    them for every form so that a form may change its own).

    The model choice fields (speaker, meeting) share their queryset too: it is only ever
    cloned (``queryset.get()`` to validate a value) and never evaluated in place, so it never
    keeps rows (tests/test_search_filters_ux.py checks it after a search). Cloning the two
    querysets for every request was a quarter of a millisecond of each search page.
    """

    def __deepcopy__(self, memo):
        return {name: _shallow_copy(field) for name, field in self.items()}


class SpeechFilterSet(django_filters.FilterSet):
    """The search page's filters (its CSV, JSON and Atom feed use the same ones)."""

    ON_COUNCIL = [
        ("yes", "On the Council at the time"),
        ("no", "Not on the Council at the time"),
        # The trends' "invited speakers" line: rule 37 States and rule 39 bodies and officials.
        ("invited", "Invited speakers (States without a seat, officials, organizations)"),
    ]

    state = StateOrBodyFilter(
        method="filter_state",
        label="State or body",
        max_length=80,
        widget=StateOrBodyInput(
            STATES_AND_BODIES, attrs={"placeholder": "Kazakhstan, UK, EU…", "spellcheck": "false"}
        ),
    )
    # Set by older links to a spelling's page, never typed: a hidden field, shown as a chip.
    # It stands for the person behind the spelling (every spelling of theirs).
    speaker = django_filters.ModelChoiceFilter(
        queryset=Speaker.objects.select_related("member_state", "affiliation"),
        method="filter_speaker",
        label="Speaker",
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "The archive has no speaker number %(value)s."},
    )
    person = PersonFilter(
        method="filter_person",
        label="Speaker",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": SPEAKER_EXAMPLE, "spellcheck": "false"}),
    )
    role = django_filters.ChoiceFilter(
        choices=Speech.Role.choices, label="Role", empty_label="Any role"
    )
    on_council = django_filters.ChoiceFilter(
        choices=ON_COUNCIL, method="filter_on_council", label="Council seat", empty_label="Any"
    )
    year = YearFilter(method="filter_year")
    date_from = django_filters.DateFilter(
        field_name="meeting_date", lookup_expr="gte", label="From", widget=_date_input()
    )
    date_to = django_filters.DateFilter(
        field_name="meeting_date", lookup_expr="lte", label="To", widget=_date_input()
    )
    topic = AgendaItemFilter(
        method="filter_topic",
        label="Agenda item",
        max_length=200,
        widget=DatalistInput(AGENDA_ITEMS, attrs={"placeholder": STATEMENT_TOPIC_EXAMPLE}),
    )
    meeting = django_filters.ModelChoiceFilter(
        field_name="meeting",
        to_field_name="symbol",
        queryset=Meeting.objects.all(),
        label="Meeting (symbol)",
        widget=forms.TextInput(attrs={"placeholder": "S/PV.8699"}),
    )
    resolution = ResolutionReferenceFilter(
        method="filter_resolution",
        label="Resolution mentioned",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "2467 (2019)"}),
    )

    class Meta:
        model = Speech
        fields: list[str] = []

    def get_form_class(self):
        """The form class, built once per process: its fields are the same on every request
        (django-filter builds a new class, and a new field for each filter, every time)."""
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            form_class.base_fields = FieldsCopiedCheaply(form_class.base_fields)
            type(self)._form_class = form_class
        return form_class

    # Filters the search index's catalogue evaluates (archive.ranking.IndexFilters); the
    # others are evaluated by PostgreSQL.
    INDEX_FILTERS = frozenset(
        {"state", "role", "on_council", "year", "date_from", "date_to", "topic"}
    )

    def split_for_index(self) -> tuple[IndexFilters, QuerySet | None]:
        """The filters in use as the index evaluates them, and a queryset of the others (None
        when there are none). Call after ``is_valid()``."""
        data = self.form.cleaned_data
        state, topic, year = data.get("state"), data.get("topic"), data.get("year")
        first, last = data.get("date_from"), data.get("date_to")
        if year is not None:
            first = max(first or datetime.date.min, datetime.date(int(year), 1, 1))
            last = min(last or datetime.date.max, datetime.date(int(year), 12, 31))
        index_filters = IndexFilters(
            member_state_id=state.member_state_id if state is not None else None,
            affiliation_id=(
                state.affiliation_id
                if state is not None and state.member_state_id is None
                else None
            ),
            role=data.get("role") or None,
            on_council=data.get("on_council") or None,
            first_day=first,
            last_day=last,
            agenda_item_ids=topic.ids if topic is not None else None,
        )
        in_index = set(self.INDEX_FILTERS)
        if state is not None and state.member_state_id is None and state.affiliation_id is None:
            in_index.discard("state")  # (never seen) PostgreSQL's "affiliation IS NULL"
        rest, queryset = False, self.queryset.all()
        for name, value in data.items():
            if name not in in_index and value not in EMPTY_VALUES:
                queryset, rest = self.filters[name].filter(queryset, value), True
        return index_filters, queryset if rest else None

    def filter_state(self, queryset, name, value):
        if value.member_state_id is not None:
            return queryset.filter(member_state_id=value.member_state_id)
        return queryset.filter(affiliation_id=value.affiliation_id)

    def filter_topic(self, queryset, name, value):
        if len(value.ids) == 1:
            return queryset.filter(meeting__agenda_item_id=value.ids[0])
        return queryset.filter(meeting__agenda_item_id__in=value.ids)

    def filter_speaker(self, queryset, name, value):
        if value.person_id is None:
            return queryset.filter(speaker=value)
        return queryset.filter(speaker__person_id=Person.objects.get(pk=value.person_id).live().pk)

    def filter_person(self, queryset, name, value):
        return queryset.filter(speaker__person_id__in=value.ids)

    def filter_on_council(self, queryset, name, value):
        # Speech.on_council is kept by a trigger from the Council terms (seats are held for
        # whole calendar years), so no per-row lookup of the terms is needed.
        if value == "yes":
            return queryset.filter(on_council=True)
        if value == "invited":
            return queryset.filter(on_council=False)
        # "No": States speaking without a seat (rule 37); bodies and officials have no seat.
        return queryset.filter(on_council=False, member_state__isnull=False)

    def filter_year(self, queryset, name, value):
        # A date range rather than EXTRACT(year) so the date index serves it; meeting_date is
        # the meeting's date copied onto the speech (no join).
        year = int(value)
        return queryset.filter(
            meeting_date__gte=datetime.date(year, 1, 1),
            meeting_date__lt=datetime.date(year + 1, 1, 1),
        )

    def filter_resolution(self, queryset, name, value):
        mentions = Mention.objects.filter(speech=OuterRef("pk"), resolution__number=value.number)
        if value.year:
            mentions = mentions.filter(resolution__year=value.year)
        return queryset.filter(Exists(mentions))


SpeechFilterSet.base_filters = _FiltersCopiedCheaply(SpeechFilterSet.base_filters)


class MeetingFilterSet(django_filters.FilterSet):
    """The meetings list: year, date range, topic, outcome, only meetings with a record."""

    OUTCOMES = [
        ("resolution", "Adopted a resolution"),
        ("failed", "A draft failed"),
        ("veto", "A draft was vetoed"),
        ("no_vote", "No vote"),
    ]

    year = YearFilter(field_name="date__year")
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label="From", widget=_date_input()
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label="To", widget=_date_input()
    )
    topic = topic_filter()
    outcome = django_filters.ChoiceFilter(
        choices=OUTCOMES, method="filter_outcome", label="Outcome", empty_label="Any outcome"
    )
    with_record = django_filters.BooleanFilter(
        method="filter_with_record",
        label="Only meetings with a record",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Meeting
        fields: list[str] = []

    def filter_topic(self, queryset, name, value):
        return queryset.filter(agenda_item_id__in=value.ids)

    def filter_outcome(self, queryset, name, value):
        votes = Vote.objects.filter(meeting=OuterRef("pk"))
        if value == "resolution":
            return queryset.filter(Exists(Resolution.objects.filter(meeting=OuterRef("pk"))))
        if value == "failed":
            return queryset.filter(Exists(votes.failed()))
        if value == "veto":
            return queryset.filter(Exists(votes.vetoed()))
        if value == "no_vote":
            return queryset.filter(
                ~Exists(votes), ~Exists(Resolution.objects.filter(meeting=OuterRef("pk")))
            )
        return queryset

    def filter_with_record(self, queryset, name, value):
        return queryset.with_record() if value else queryset


RESOLUTION_OUTCOMES = [
    ("unanimous", "Unanimous"),
    ("abstentions", "With abstentions"),
    ("against", "With votes against"),
    ("without_vote", "Adopted without a vote"),
]


class ResolutionFilterSet(django_filters.FilterSet):
    """The resolutions list: year, topic, outcome of the vote."""

    year = YearFilter(field_name="year")
    topic = topic_filter(titles_too=True)
    outcome = django_filters.ChoiceFilter(
        choices=RESOLUTION_OUTCOMES,
        method="filter_outcome",
        label="Outcome",
        empty_label="Any outcome",
    )

    class Meta:
        model = Resolution
        fields: list[str] = []

    def filter_topic(self, queryset, name, value):
        return queryset.filter(Q(agenda_item_id__in=value.ids) | Q(title__icontains=value.query))

    def filter_outcome(self, queryset, name, value):
        adopted = Q(vote__outcome=Vote.Outcome.ADOPTED)
        if value == "unanimous":
            return queryset.filter(adopted, vote__against_count=0, vote__abstaining_count=0)
        if value == "abstentions":
            return queryset.filter(vote__abstaining_count__gt=0)
        if value == "against":
            return queryset.filter(vote__against_count__gt=0)
        if value == "without_vote":
            return queryset.filter(vote__outcome=Vote.Outcome.ADOPTED_WITHOUT_VOTE)
        return queryset


class VoteFilterSet(django_filters.FilterSet):
    """Every decision put to the vote, failed and vetoed drafts included."""

    OUTCOMES = [
        ("adopted", "Adopted"),
        ("unanimous", "Adopted unanimously"),
        ("abstentions", "Adopted with abstentions"),
        ("failed", "Failed (vetoed or not enough votes)"),
        ("vetoed", "Vetoed"),
        ("not_adopted", "Not adopted, no veto"),
    ]

    year = YearFilter(field_name="date__year")
    topic = topic_filter(titles_too=True)
    outcome = django_filters.ChoiceFilter(
        choices=OUTCOMES, method="filter_outcome", label="Outcome", empty_label="Any outcome"
    )
    subject = django_filters.ChoiceFilter(
        choices=Vote.Subject.choices, label="Subject", empty_label="Any subject"
    )
    # A name (Russian Federation, USSR, China) or, as older links have it, a code (rus).
    vetoed_by = StateOrBodyFilter(
        method="filter_vetoed_by",
        label="Vetoed by",
        max_length=80,
        widget=StateOrBodyInput(STATES_AND_BODIES, attrs={"placeholder": "Russia, China…"}),
    )

    class Meta:
        model = Vote
        fields: list[str] = []

    def filter_topic(self, queryset, name, value):
        words = Q(description__icontains=value.query) | Q(resolution__title__icontains=value.query)
        return queryset.filter(
            Q(meeting__agenda_item_id__in=value.ids)
            | Q(resolution__agenda_item_id__in=value.ids)
            | words
        )

    def filter_outcome(self, queryset, name, value):
        if value == "adopted":
            return queryset.filter(outcome=Vote.Outcome.ADOPTED)
        if value == "unanimous":
            return queryset.filter(
                outcome=Vote.Outcome.ADOPTED, against_count=0, abstaining_count=0
            )
        if value == "abstentions":
            return queryset.filter(outcome=Vote.Outcome.ADOPTED, abstaining_count__gt=0)
        if value == "failed":
            return queryset.failed()
        if value == "vetoed":
            return queryset.vetoed()
        if value == "not_adopted":
            return queryset.filter(outcome=Vote.Outcome.NOT_ADOPTED)
        return queryset

    def filter_vetoed_by(self, queryset, name, value):
        if value.member_state_id is None:
            return queryset.none()  # a body never votes
        vetoes = MemberVote.objects.filter(
            vote=OuterRef("pk"), is_veto=True, member_state_id=value.member_state_id
        )
        return queryset.filter(Exists(vetoes))


class MemberStateFilterSet(django_filters.FilterSet):
    """The States list: name, Council membership, UN membership, region."""

    COUNCIL = [
        ("permanent", "Permanent members"),
        ("elected", "Elected at least once"),
        ("ever", "Ever on the Council"),
        ("never", "Never on the Council"),
    ]
    STATUS = [("current", "Current Member States"), ("former", "Former Member States")]

    name = django_filters.CharFilter(method="filter_name", label="Name")
    council = django_filters.ChoiceFilter(
        choices=COUNCIL, method="filter_council", label="Council", empty_label="Any"
    )
    status = django_filters.ChoiceFilter(
        choices=STATUS, method="filter_status", label="Membership", empty_label="Any"
    )

    class Meta:
        model = MemberState
        fields: list[str] = []

    def filter_name(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value)
            | Q(official_name__icontains=value)
            | Q(iso3__iexact=value)
            | Q(aliases__name__icontains=value)
        ).distinct()

    def filter_council(self, queryset, name, value):
        terms = CouncilTerm.objects.filter(member_state=OuterRef("pk"))
        if value == "permanent":
            return queryset.filter(Exists(terms.filter(seat=CouncilTerm.Seat.PERMANENT)))
        if value == "elected":
            return queryset.filter(Exists(terms.filter(seat=CouncilTerm.Seat.ELECTED)))
        if value == "ever":
            return queryset.filter(Exists(terms))
        if value == "never":
            return queryset.filter(~Exists(terms))
        return queryset

    def filter_status(self, queryset, name, value):
        if value == "current":
            return queryset.current()
        if value == "former":
            return queryset.filter(membership_ended__isnull=False)
        return queryset


class MemberVoteFilterSet(django_filters.FilterSet):
    """A State's votes: by position (vetoes apart) and year."""

    POSITIONS = [
        ("in_favour", "In favour"),
        ("against", "Against"),
        ("abstaining", "Abstaining"),
        ("not_participating", "Did not participate"),
        ("veto", "Vetoes"),
    ]

    position = django_filters.ChoiceFilter(
        choices=POSITIONS, method="filter_position", label="Vote", empty_label="Any vote"
    )
    year = YearFilter(field_name="vote__date__year")

    class Meta:
        model = MemberVote
        fields: list[str] = []

    def filter_position(self, queryset, name, value):
        if value == "veto":
            return queryset.filter(is_veto=True)
        return queryset.filter(position=value)


class StatementFilterSet(django_filters.FilterSet):
    """Statements on a State's, a speaker's or an organization's page: words, year, dates."""

    q = django_filters.CharFilter(method="filter_q", label="Words", max_length=200)
    year = YearFilter(field_name="meeting__date__year")
    date_from = django_filters.DateFilter(
        field_name="meeting__date", lookup_expr="gte", label="From", widget=_date_input()
    )
    date_to = django_filters.DateFilter(
        field_name="meeting__date", lookup_expr="lte", label="To", widget=_date_input()
    )
    topic = topic_filter(example=STATEMENT_TOPIC_EXAMPLE)

    class Meta:
        model = Speech
        fields: list[str] = []

    def filter_topic(self, queryset, name, value):
        return queryset.filter(meeting__agenda_item_id__in=value.ids)

    def filter_q(self, queryset, name, value):
        # The search page's matching (stored vector, websearch syntax) without its ranking:
        # these lists stay in the order of the record.
        return matching(queryset, clean_query(value))
