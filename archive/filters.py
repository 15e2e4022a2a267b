"""One FilterSet per browse page. The same FilterSet serves the HTML list, its CSV and its JSON.

Invalid values (an unknown outcome, a year that is not a number) are reported in the form's
errors and the filter is ignored, so a bad link shows a clear message instead of failing.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from archive.models import (
    Affiliation,
    AgendaItem,
    CouncilTerm,
    Meeting,
    MemberState,
    MemberVote,
    Mention,
    Resolution,
    Speaker,
    Speech,
    Vote,
)
from archive.parsing.symbols import parse_resolution_reference
from archive.search import clean_query, matching

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


# --------------------------------------------------------------------------- Search


class StateOrBodyField(forms.CharField):
    """An ISO 3166 alpha-3 code (fra) or an organization's slug (european-union)."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        key = value.strip().lower()
        if len(key) == 3 and key.isalpha():
            state = MemberState.objects.filter(iso3=key.upper()).first()
            if state:
                return state
        body = Affiliation.objects.filter(slug=key[:80]).first()
        if body:
            return body
        raise forms.ValidationError(
            "No Member State or body with the code “%(code)s” (use a code such as fra, or the "
            "name in a State's or organization's address).",
            params={"code": value[:40]},
        )


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
        return ref


class StateOrBodyFilter(django_filters.Filter):
    field_class = StateOrBodyField


class ResolutionReferenceFilter(django_filters.Filter):
    field_class = ResolutionReferenceField


class SpeechFilterSet(django_filters.FilterSet):
    """The search page's filters (its CSV, JSON and Atom feed use the same ones)."""

    ON_COUNCIL = [("yes", "On the Council at the time"), ("no", "Not on the Council at the time")]

    state = StateOrBodyFilter(
        method="filter_state",
        label="State or body (code)",
        max_length=80,
    )
    speaker = django_filters.ModelChoiceFilter(
        queryset=Speaker.objects.all(),
        label="Speaker (number)",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
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
    topic = django_filters.ModelChoiceFilter(
        field_name="meeting__agenda_item",
        to_field_name="slug",
        queryset=AgendaItem.objects.all(),
        label="Agenda item (slug)",
        widget=forms.TextInput,
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

    def filter_state(self, queryset, name, value):
        if isinstance(value, MemberState):
            return queryset.filter(member_state=value)
        return queryset.filter(affiliation=value)

    def filter_on_council(self, queryset, name, value):
        # Speech.on_council is kept by a trigger from the Council terms (seats are held for
        # whole calendar years), so no per-row lookup of the terms is needed.
        if value == "yes":
            return queryset.filter(on_council=True)
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
    topic = django_filters.CharFilter(method="filter_topic", label="Topic")
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
        return queryset.filter(Q(agenda_item__title__icontains=value) | Q(agenda_item__slug=value))

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
    topic = django_filters.CharFilter(method="filter_topic", label="Topic")
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
        return queryset.filter(
            Q(title__icontains=value)
            | Q(agenda_item__title__icontains=value)
            | Q(agenda_item__slug=value)
        )

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
    topic = django_filters.CharFilter(method="filter_topic", label="Topic")
    outcome = django_filters.ChoiceFilter(
        choices=OUTCOMES, method="filter_outcome", label="Outcome", empty_label="Any outcome"
    )
    subject = django_filters.ChoiceFilter(
        choices=Vote.Subject.choices, label="Subject", empty_label="Any subject"
    )
    vetoed_by = django_filters.CharFilter(
        method="filter_vetoed_by", label="Vetoed by (ISO3 code)", max_length=3
    )

    class Meta:
        model = Vote
        fields: list[str] = []

    def filter_topic(self, queryset, name, value):
        return queryset.filter(
            Q(description__icontains=value)
            | Q(draft_symbol__iexact=value)
            | Q(resolution__title__icontains=value)
            | Q(meeting__agenda_item__title__icontains=value)
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
        vetoes = MemberVote.objects.filter(
            vote=OuterRef("pk"), is_veto=True, member_state__iso3=value.upper()
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
    topic = django_filters.CharFilter(
        field_name="meeting__agenda_item__title", lookup_expr="icontains", label="Topic"
    )

    class Meta:
        model = Speech
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        # The search page's matching (stored vector, websearch syntax) without its ranking:
        # these lists stay in the order of the record.
        return matching(queryset, clean_query(value))
