"""The Security Council's record: States, Council terms, meetings, speeches, resolutions, votes.

Names follow the UN's own words (member state, verbatim record, resolution, presidency).
Integrity lives in the database: unique and check constraints below, not only in forms.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from archive.urlcache import cached_reverse

SEARCH_CONFIG = "english"


def normalise_name(name: str) -> str:
    """Fold a printed name to the key used for matching: case, accents, punctuation, "the"."""
    folded = unicodedata.normalize("NFKD", name or "")
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = folded.replace("’", "'").replace("‘", "'").lower()
    folded = "".join(ch if ch.isalnum() else " " for ch in folded)
    words = folded.split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


# --------------------------------------------------------------------------- States


class MemberStateQuerySet(models.QuerySet):
    def current(self):
        """The Member States of today (no end date)."""
        return self.filter(membership_ended__isnull=True)

    def on_council(self, date: datetime.date):
        """States that held a Council seat on ``date``."""
        return self.filter(
            council_terms__start_year__lte=date.year, council_terms__end_year__gte=date.year
        ).distinct()


class MemberState(models.Model):
    """A Member State of the United Nations, current or former (USSR, Yugoslavia, ...)."""

    name = models.CharField(max_length=120, unique=True, help_text="Short name used by the UN")
    official_name = models.CharField(max_length=200, blank=True)
    iso3 = models.CharField(
        "ISO 3166 alpha-3",
        max_length=3,
        unique=True,
        help_text="ISO 3166-1 alpha-3, or ISO 3166-3 code for former States (SUN, YUG, CSK, DDR)",
    )
    iso2 = models.CharField("ISO 3166 alpha-2", max_length=2, blank=True)
    admission_date = models.DateField(null=True, blank=True)
    membership_ended = models.DateField(
        null=True, blank=True, help_text="For former Member States: when the membership ended"
    )
    successor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="predecessors"
    )
    region = models.CharField(max_length=80, blank=True, help_text="UN sub-region")

    objects = MemberStateQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(iso3__regex=r"^[A-Z]{3}$"), name="memberstate_iso3_upper"
            ),
            models.CheckConstraint(
                condition=Q(iso2="") | Q(iso2__regex=r"^[A-Z]{2}$"), name="memberstate_iso2_upper"
            ),
            models.CheckConstraint(
                condition=Q(membership_ended__isnull=True)
                | Q(admission_date__isnull=True)
                | Q(membership_ended__gte=models.F("admission_date")),
                name="memberstate_ended_after_admission",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.membership_ended is None

    @property
    def slug(self) -> str:
        return self.iso3.lower()

    def get_absolute_url(self) -> str:
        return cached_reverse("archive:member_state", self.slug)

    def on_council(self, date: datetime.date) -> bool:
        """Whether this State held a Council seat on ``date`` (uses prefetched terms if any)."""
        return any(t.start_year <= date.year <= t.end_year for t in self.council_terms.all())


class Affiliation(models.Model):
    """Who a speaker represents when it is not a Member State."""

    class Kind(models.TextChoices):
        OBSERVER_STATE = "observer_state", "Non-member observer State"
        UNITED_NATIONS = "united_nations", "United Nations"
        ORGANIZATION = "organization", "Regional or other organization"
        CIVIL_SOCIETY = "civil_society", "Civil society"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True, help_text="e.g. EU, AU, ICRC")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "observer_state",
                        "united_nations",
                        "organization",
                        "civil_society",
                        "other",
                    ]
                ),
                name="affiliation_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return cached_reverse("archive:affiliation", self.slug)


class NameAlias(models.Model):
    """A name as printed in records ("United Kingdom", "Türkiye", "EU") and what it means."""

    name = models.CharField(max_length=200, help_text="As printed")
    normalised = models.CharField(max_length=200, unique=True, help_text="Matching key")
    member_state = models.ForeignKey(
        MemberState, null=True, blank=True, on_delete=models.CASCADE, related_name="aliases"
    )
    affiliation = models.ForeignKey(
        Affiliation, null=True, blank=True, on_delete=models.CASCADE, related_name="aliases"
    )
    source = models.CharField(max_length=80, blank=True, help_text="Where this alias came from")
    no_affiliation = models.BooleanField(
        default=False,
        help_text="Printed beside a person's name but not a State or body: known, no affiliation",
    )

    class Meta:
        verbose_name_plural = "name aliases"
        ordering = ["normalised"]
        permissions = [
            ("map_printed_name", "Can map printed names to States or organizations (review)")
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(member_state__isnull=False, affiliation__isnull=True, no_affiliation=False)
                    | Q(member_state__isnull=True, affiliation__isnull=False, no_affiliation=False)
                    | Q(member_state__isnull=True, affiliation__isnull=True, no_affiliation=True)
                ),
                name="namealias_one_target_or_none",
            ),
        ]

    def __str__(self) -> str:
        target = self.member_state or self.affiliation or "a person with no affiliation"
        return f"{self.name} → {target}"

    @classmethod
    def build(
        cls, name: str, *, member_state=None, affiliation=None, source="", no_affiliation=False
    ) -> NameAlias:
        """An unsaved alias with its matching key computed from ``name``."""
        return cls(
            name=name,
            normalised=normalise_name(name),
            member_state=member_state,
            affiliation=affiliation,
            source=source,
            no_affiliation=no_affiliation,
        )


class CouncilTerm(models.Model):
    """A State's seat on the Security Council for a span of years."""

    class Seat(models.TextChoices):
        PERMANENT = "permanent", "Permanent"
        ELECTED = "elected", "Elected"

    member_state = models.ForeignKey(
        MemberState, on_delete=models.CASCADE, related_name="council_terms"
    )
    seat = models.CharField(max_length=10, choices=Seat.choices)
    start_year = models.PositiveSmallIntegerField()
    end_year = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["start_year", "member_state__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["member_state", "start_year"], name="councilterm_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")),
                name="councilterm_end_after_start",
            ),
            models.CheckConstraint(condition=Q(start_year__gte=1946), name="councilterm_from_1946"),
            models.CheckConstraint(
                condition=Q(seat__in=["permanent", "elected"]), name="councilterm_seat_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_state} ({self.seat}) {self.start_year}–{self.end_year}"


# --------------------------------------------------------------------------- Meetings


class AgendaItem(models.Model):
    """An agenda item the Council considers over many meetings ("Women and peace and security")."""

    title = models.CharField(max_length=500, unique=True)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class TranscriptUpload(models.Model):
    """A transcript file a staff member uploaded, kept with who uploaded it and what came of it."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded, not yet read"
        QUEUED = "queued", "Waiting to be read"
        PARSING = "parsing", "Being read"
        PARSED = "parsed", "Read, waiting for confirmation"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Rejected"

    PENDING = (Status.UPLOADED, Status.QUEUED, Status.PARSING, Status.PARSED)

    file = models.FileField(upload_to="transcripts/%Y/%m/")
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=40, help_text="Decided from the content")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transcript_uploads",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    symbol = models.CharField(max_length=60, blank=True, help_text="Symbol found by the parser")
    message = models.TextField(blank=True, help_text="Parser or import message")
    # The parse the preview showed, pickled (archive.upload_jobs): confirming imports exactly it.
    parsed = models.BinaryField(null=True, blank=True, editable=False)
    printed_names = models.JSONField(
        default=list, blank=True, help_text="State and body names as printed in the record"
    )
    task_id = models.CharField(max_length=64, blank=True, help_text="Background parse job")
    queued_at = models.DateTimeField(null=True, blank=True)
    parse_started_at = models.DateTimeField(null=True, blank=True)
    parsed_at = models.DateTimeField(null=True, blank=True)
    quarantined_at = models.DateTimeField(
        null=True, blank=True, help_text="Rejected: the file is kept apart, then deleted"
    )
    reparse_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reparses",
        help_text="The imported upload whose stored file this re-parses",
    )

    class Meta:
        ordering = ["-uploaded_at"]
        permissions = [
            ("import_transcript", "Can upload, preview and import transcripts"),
            ("download_transcript", "Can download uploaded transcript files"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_pending(self) -> bool:
        """Uploaded but neither imported nor rejected yet."""
        return self.status in self.PENDING


class MeetingQuerySet(models.QuerySet):
    def verbatim_records(self):
        """Records of formal meetings (S/PV), as opposed to letter compilations."""
        return self.filter(kind=Meeting.Kind.VERBATIM_RECORD)

    def with_record(self):
        """Meetings whose statements the archive holds."""
        return self.filter(speech_count__gt=0)

    def in_year(self, year: int):
        return self.filter(date__year=year)


class Meeting(models.Model):
    """A Council record: the verbatim record of a meeting (S/PV.8514, resumptions included) or,
    for the 2020 videoconference period, a compilation of statements sent by letter (S/2020/NNN).
    """

    class Kind(models.TextChoices):
        VERBATIM_RECORD = "verbatim_record", "Verbatim record of a meeting"
        LETTER_COMPILATION = "letter_compilation", "Compilation of statements sent by letter"

    class Source(models.TextChoices):
        REFERENCE = "reference", "UN meetings table"
        PDF = "pdf", "Official PDF"
        TEXT = "text", "Plain-text transcript"
        CORPUS = "corpus", "UN Security Council Debates corpus"

    symbol = models.CharField(max_length=60, unique=True, help_text="Exactly as printed")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.VERBATIM_RECORD)
    meeting_number = models.PositiveIntegerField(null=True, blank=True)
    resumption = models.PositiveSmallIntegerField(null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    time = models.TimeField(null=True, blank=True)
    place = models.CharField(max_length=80, blank=True)
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    agenda = ArrayField(
        models.TextField(),
        default=list,
        blank=True,
        help_text="Agenda item and sub-items as printed, with document symbols",
    )
    presidency = models.ForeignKey(
        MemberState,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="presided_meetings",
    )
    president_name = models.CharField(max_length=200, blank=True)
    presidency_as_printed = models.CharField(
        max_length=200, blank=True, help_text="The presidency's State as the record prints it"
    )
    outcome = models.TextField(blank=True, help_text="Outcome as listed by the UN Library")
    press_release = models.CharField(max_length=60, blank=True)
    language = models.CharField(max_length=20, default="English")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.REFERENCE)
    upload = models.ForeignKey(
        TranscriptUpload, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    page_count = models.PositiveSmallIntegerField(null=True, blank=True)
    speech_count = models.PositiveIntegerField(default=0, editable=False)
    imported_at = models.DateTimeField(null=True, blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-meeting_number", "-resumption"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting_number", "resumption"],
                nulls_distinct=False,
                condition=Q(meeting_number__isnull=False),
                name="meeting_unique_number_resumption",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="verbatim_record", meeting_number__isnull=False)
                    | Q(kind="letter_compilation", meeting_number__isnull=True)
                ),
                name="meeting_number_only_for_verbatim_records",
            ),
            models.CheckConstraint(
                condition=Q(resumption__isnull=True) | Q(resumption__gte=1),
                name="meeting_resumption_positive",
            ),
            # Also implied by the constraint above; kept explicit beside source's.
            models.CheckConstraint(
                condition=Q(kind__in=["verbatim_record", "letter_compilation"]),
                name="meeting_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=["reference", "pdf", "text", "corpus"]),
                name="meeting_source_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["date"]),
            models.Index(fields=["meeting_number"]),
            # Search "newest first" walks meetings in this order (undated ones last).
            models.Index(models.F("date").desc(nulls_last=True), name="meeting_date_newest"),
        ]

    def __str__(self) -> str:
        return self.symbol

    @property
    def slug(self) -> str:
        """URL form of the symbol: S/PV.8699 (Resumption 1) -> S-PV.8699-Resumption-1."""
        return symbol_to_slug(self.symbol)

    def get_absolute_url(self) -> str:
        return cached_reverse("archive:meeting", self.slug)


def symbol_to_slug(symbol: str) -> str:
    """Turn a document symbol into a URL path segment, reversibly for S/PV symbols."""
    return (
        symbol.replace("/", "-")
        .replace(" (", "-")
        .replace("(", "-")
        .replace(")", "")
        .replace(" ", "-")
    )


class MeetingMember(models.Model):
    """A member of the Council at a meeting and its representative, from the cover page."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="members")
    member_state = models.ForeignKey(
        MemberState, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    country_as_printed = models.CharField(max_length=200)
    representative = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="meetingmember_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.country_as_printed}: {self.representative}"


class ProceduralLine(models.Model):
    """A procedural line of the record ("The meeting rose at 1.05 p.m.")."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="procedure")
    after_speech = models.PositiveIntegerField(
        help_text="Sequence of the preceding speech; 0 first"
    )
    position = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="procedure_unique"),
        ]

    def __str__(self) -> str:
        return self.text


# --------------------------------------------------------------------------- Speeches


class Speaker(models.Model):
    """A name as printed in records ("Mr. Umarov"), with the State or body spoken for.

    One spelling of a ``Person`` (archive.people): staff merge the spellings of one person.
    """

    name = models.CharField(max_length=200, help_text="As printed, with honorific")
    title = models.CharField(max_length=40, blank=True, help_text="Mr., Ms., Dame, Sir, ...")
    member_state = models.ForeignKey(
        MemberState, null=True, blank=True, on_delete=models.PROTECT, related_name="speakers"
    )
    affiliation = models.ForeignKey(
        Affiliation, null=True, blank=True, on_delete=models.PROTECT, related_name="speakers"
    )
    # The person behind this spelling (archive.people): one per spelling until staff merge them.
    person = models.ForeignKey(
        "archive.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="spellings",
    )
    folded_name = models.CharField(
        max_length=200,
        blank=True,
        db_index=True,
        editable=False,
        help_text="Matching key of the name (archive.people.folding)",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "member_state", "affiliation"],
                nulls_distinct=False,
                name="speaker_unique_name_per_body",
            ),
            models.CheckConstraint(
                condition=Q(member_state__isnull=True) | Q(affiliation__isnull=True),
                name="speaker_state_or_affiliation",
            ),
        ]
        indexes = [models.Index(Upper("name"), name="speaker_name_upper")]

    def __str__(self) -> str:
        body = self.member_state or self.affiliation
        return f"{self.name} ({body})" if body else self.name

    def get_absolute_url(self) -> str:
        return cached_reverse("archive:speaker", self.pk)


class SpeechQuerySet(models.QuerySet):
    """Reusable reads over speeches; chain them."""

    def in_order(self):
        return self.order_by(
            "meeting__date", "meeting__meeting_number", "meeting__resumption", "sequence"
        )

    def by_member_state(self, member_state):
        return self.filter(member_state=member_state)

    def by_role(self, role: str):
        return self.filter(role=role)

    def between(self, start: datetime.date | None = None, end: datetime.date | None = None):
        qs = self
        if start:
            qs = qs.filter(meeting__date__gte=start)
        if end:
            qs = qs.filter(meeting__date__lte=end)
        return qs

    def citing_resolution(self, resolution):
        return self.filter(mentions__resolution=resolution).distinct()

    def with_related(self):
        return self.select_related(
            "meeting", "speaker", "speaker__person", "member_state", "affiliation"
        )


class SpeechManager(models.Manager.from_queryset(SpeechQuerySet)):
    """Speeches without their ``search_vector`` column, which no page or export shows.

    The tsvector of a statement is larger than its text: read with 30 speeches of a record it
    was most of the query's time and of psycopg's parsing. Searches filter on it in SQL,
    which deferring does not change; ``speech.search_vector`` still loads it when asked.
    Related managers (``meeting.speeches``) derive from this one, so they defer it too.
    """

    def get_queryset(self):
        return super().get_queryset().defer("search_vector")


class Speech(models.Model):
    """One speaker turn in a record, in order."""

    class Role(models.TextChoices):
        PRESIDENT = "president", "President"
        MEMBER = "member", "Council member"
        INVITED = "invited", "Invited State or organization"
        UN = "un", "UN official"
        OTHER = "other", "Other"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="speeches")
    sequence = models.PositiveIntegerField()
    attribution = models.CharField(
        max_length=500, help_text='As printed: "Mr. De Rivière (France) (spoke in French)"'
    )
    speaker = models.ForeignKey(
        Speaker, null=True, blank=True, on_delete=models.SET_NULL, related_name="speeches"
    )
    speaker_name = models.CharField(max_length=200, blank=True, help_text="As printed")
    country_as_printed = models.CharField(
        max_length=200, blank=True, help_text="State or body as printed or invited"
    )
    member_state = models.ForeignKey(
        MemberState, null=True, blank=True, on_delete=models.PROTECT, related_name="speeches"
    )
    affiliation = models.ForeignKey(
        Affiliation, null=True, blank=True, on_delete=models.PROTECT, related_name="speeches"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    spoke_in = models.CharField(max_length=20, blank=True, help_text="Language, where not English")
    on_behalf_of = models.CharField(max_length=300, blank=True)
    page = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(help_text="Paragraphs separated by blank lines")
    search_vector = models.GeneratedField(
        expression=SearchVector("text", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    # The table also has ``phrase_pairs`` (adjacent lexeme pairs, GIN-indexed, generated from
    # the text), for phrase searches only: not a field, so the ORM never reads it (migration
    # perf_cold_phrase_pairs, archive.search.phrase_plan).
    # Copies kept by database triggers (migration perf_speech_denormalised), whatever writes
    # the row (import, corpus COPY, admin, reference loader changing a date or a term): search
    # filters, sorts and facets on 100,000 speeches then need no join. Values written here by
    # the ORM are overwritten by the trigger.
    meeting_date = models.DateField(
        null=True, blank=True, editable=False, help_text="The meeting's date (kept by trigger)"
    )
    on_council = models.BooleanField(
        default=False,
        db_default=False,
        editable=False,
        help_text="The State spoken for held a Council seat that year (kept by trigger)",
    )
    # Words as a word processor counts them (runs of non-space characters): the denominator
    # of "matches per 10,000 words" in the trends (archive.research.trends), summed per year
    # without reading any text.
    word_count = models.GeneratedField(
        expression=models.Func(
            models.F("text"),
            models.Value(r"\S+"),
            function="regexp_count",
            output_field=models.IntegerField(),
        ),
        output_field=models.IntegerField(),
        db_persist=True,
    )

    # Never reads ``search_vector`` unless asked (it is larger than the text, and only
    # PostgreSQL uses it): see SpeechManager.
    objects = SpeechManager()

    class Meta:
        verbose_name_plural = "speeches"
        ordering = ["meeting", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "sequence"],
                name="speech_unique_sequence",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="speech_sequence_positive"),
            models.CheckConstraint(
                condition=Q(member_state__isnull=True) | Q(affiliation__isnull=True),
                name="speech_state_or_affiliation",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["president", "member", "invited", "un", "other"]),
                name="speech_role_valid",
            ),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="speech_search_vector_gin"),
            models.Index(fields=["member_state", "meeting"]),
            # Newest-first listings and "most recent candidates" walk this without a join.
            models.Index(
                models.F("meeting_date").desc(nulls_last=True),
                "meeting_id",
                "sequence",
                name="speech_date_newest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} #{self.sequence} {self.speaker_name}"

    def get_absolute_url(self) -> str:
        return cached_reverse("archive:speech", self.pk)

    @property
    def anchor(self) -> str:
        return f"speech-{self.sequence}"


class SpeechYearCount(models.Model):
    """Statements and their words per year and group (State or body, role, Council seat).

    The denominators of the trends (archive.research.trends): "share of the year's statements"
    must not count 100,000 speeches on every request. Kept by statement-level triggers on the
    speech table (migration research_year_counts) whatever writes the rows: imports, the
    corpus COPY, the admin, and the triggers that move a speech's date or Council seat.
    Statements without a meeting date have no year and are not counted here.
    """

    year = models.PositiveSmallIntegerField()
    member_state_id = models.BigIntegerField(null=True, blank=True)
    affiliation_id = models.BigIntegerField(null=True, blank=True)
    role = models.CharField(max_length=10)
    on_council = models.BooleanField()
    # Signed on purpose: the triggers add each change as a delta, and a CHECK (>= 0) would
    # refuse the negative delta row INSERT ... ON CONFLICT proposes before it becomes an update.
    statements = models.IntegerField()
    words = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "member_state_id", "affiliation_id", "role", "on_council"],
                nulls_distinct=False,
                name="speechyearcount_unique_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.statements} statements"


# --------------------------------------------------------------------------- Resolutions & votes


class ResolutionQuerySet(models.QuerySet):
    def in_year(self, year: int):
        return self.filter(year=year)

    def missing_numbers(self) -> list[tuple[int, int]]:
        """The runs of numbers, from 1 to the highest held, that no source gives:
        [(2775, 2775), (2782, 2814)]."""
        held = sorted(set(self.values_list("number", flat=True)))
        runs, expected = [], 1
        for number in held:
            if number > expected:
                runs.append((expected, number - 1))
            expected = number + 1
        return runs

    def with_vote(self):
        return self.select_related("vote", "meeting")


class Resolution(models.Model):
    """A resolution adopted by the Council, such as 2467 (2019)."""

    number = models.PositiveIntegerField()
    year = models.PositiveSmallIntegerField()
    adopted_on = models.DateField(null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="resolutions"
    )
    meeting_symbol = models.CharField(
        max_length=60, blank=True, help_text="Meeting as given by the source"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="resolutions"
    )
    title = models.TextField(blank=True, help_text="Title or subject")
    draft_symbol = models.CharField(max_length=40, blank=True)
    text = models.TextField(blank=True)

    objects = ResolutionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["number", "year"], name="resolution_unique_number_year"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="resolution_number_positive"),
            models.CheckConstraint(condition=Q(year__gte=1946), name="resolution_year_from_1946"),
        ]
        indexes = [models.Index(fields=["number"])]

    def __str__(self) -> str:
        return self.symbol

    @property
    def symbol(self) -> str:
        return f"S/RES/{self.number} ({self.year})"

    @property
    def label(self) -> str:
        return f"{self.number} ({self.year})"

    def get_absolute_url(self) -> str:
        return cached_reverse("archive:resolution", self.number, self.year)


class VoteQuerySet(models.QuerySet):
    def vetoed(self):
        return self.filter(outcome=Vote.Outcome.VETOED)

    def failed(self):
        return self.filter(outcome__in=[Vote.Outcome.VETOED, Vote.Outcome.NOT_ADOPTED])

    def from_records(self):
        """Votes an official record (an imported transcript) speaks to."""
        return self.filter(
            models.Exists(
                VoteClaim.objects.filter(vote=models.OuterRef("pk"), source=VoteClaim.Source.RECORD)
            )
        )

    def flagged(self, flag: str | None = None):
        """Votes whose facts readers are warned about (any flag, or this one)."""
        return self.filter(flags__contains=[flag]) if flag else self.exclude(flags=[])

    def dated(self):
        return self.filter(date__isnull=False)


class Vote(models.Model):
    """A decision put to the Council: a draft resolution, an amendment or a procedural matter."""

    class Subject(models.TextChoices):
        DRAFT_RESOLUTION = "draft_resolution", "Draft resolution"
        AMENDMENT = "amendment", "Amendment"
        PROCEDURAL = "procedural", "Procedural matter"
        OTHER = "other", "Other"

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", "Adopted"
        ADOPTED_WITHOUT_VOTE = "adopted_without_vote", "Adopted without a vote"
        NOT_ADOPTED = "not_adopted", "Not adopted"
        VETOED = "vetoed", "Not adopted (veto)"

    class Flag(models.TextChoices):
        """What readers are warned about: kept by the reconciliation (reference_data.reconcile)."""

        PARTIAL_MEMBERS = "partial_members", "Only some members' votes are held"
        NOT_ON_COUNCIL = "not_on_council", "A source lists a State not on the Council that year"
        COUNTS_IMPOSSIBLE = "counts_impossible", "The counts cannot be right"
        TALLY_MISMATCH = "tally_mismatch", "Members' votes disagree with the tally"
        MEMBER_TWICE = "member_twice", "A source lists a member twice"
        UNMATCHED_MEMBER = "unmatched_member", "A source names a member no State matches"
        NO_TALLY = "no_tally", "The tally is not in the sources"
        NO_DATE = "no_date", "The date is not in the sources"
        SOURCES_DIFFER = "sources_differ", "Sources differ"
        AWAITING_REVIEW = "awaiting_review", "An official record's reading awaits review"

    class Coverage(models.TextChoices):
        """How many members' votes the sources give."""

        FULL = "full", "Every member's vote"
        PARTIAL = "partial", "Some members' votes"
        VETOES_ONLY = "vetoes_only", "Vetoes only"
        NONE = "none", "No member's vote"

    # Values of ``source`` before vote claims (kept so old rows are recognised): a record import.
    RECORD_SOURCES = ("pdf", "text", "corpus", "transcript")

    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="votes"
    )
    date = models.DateField(null=True, blank=True)
    subject = models.CharField(
        max_length=20, choices=Subject.choices, default=Subject.DRAFT_RESOLUTION
    )
    draft_symbol = models.CharField(max_length=40, blank=True)
    description = models.TextField(blank=True)
    resolution = models.OneToOneField(
        Resolution, null=True, blank=True, on_delete=models.CASCADE, related_name="vote"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    in_favour_count = models.PositiveSmallIntegerField(null=True, blank=True)
    against_count = models.PositiveSmallIntegerField(null=True, blank=True)
    abstaining_count = models.PositiveSmallIntegerField(null=True, blank=True)
    after_speech = models.PositiveIntegerField(
        null=True, blank=True, help_text="Sequence of the speech the vote follows"
    )
    position = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Order of the vote within its meeting"
    )
    source = models.CharField(
        max_length=80, blank=True, help_text="Source of the tally shown, else of the outcome"
    )
    # Reconciled from the claims (archive.reference_data.reconcile); never edited by hand.
    meeting_symbol = models.CharField(
        max_length=60, blank=True, help_text="The meeting as a source names it, when not held"
    )
    meeting_note = models.CharField(
        max_length=300, blank=True, help_text="How the vote was taken, when not at a meeting"
    )
    chosen_claim = models.ForeignKey(
        "VoteClaim",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A person's recorded choice of source (archive.vote_sources.choose)",
    )
    flags = ArrayField(
        models.CharField(max_length=30, choices=Flag.choices), default=list, blank=True
    )
    member_coverage = models.CharField(max_length=12, choices=Coverage.choices, blank=True)
    provenance = models.JSONField(
        default=dict, blank=True, help_text="Which claim gave each value shown: field -> claim id"
    )
    members_as_printed = models.JSONField(
        default=list,
        blank=True,
        help_text="Names the source of the members' votes prints that match no State, kept as "
        "printed: [{name, position}] (VoteClaim.unmatched of that source)",
    )

    objects = VoteQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "meeting", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"],
                condition=Q(position__isnull=False),
                name="vote_unique_position_in_meeting",
            ),
            models.CheckConstraint(
                condition=~Q(outcome__in=["vetoed", "not_adopted"]) | Q(resolution__isnull=True),
                name="vote_failed_has_no_resolution",
            ),
            models.CheckConstraint(
                condition=Q(subject__in=["draft_resolution", "amendment", "procedural", "other"]),
                name="vote_subject_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    outcome__in=["adopted", "adopted_without_vote", "not_adopted", "vetoed"]
                ),
                name="vote_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(in_favour_count__isnull=True) | Q(in_favour_count__lte=15),
                name="vote_in_favour_at_most_15",
            ),
            models.CheckConstraint(
                condition=Q(against_count__isnull=True) | Q(against_count__lte=15),
                name="vote_against_at_most_15",
            ),
            models.CheckConstraint(
                condition=Q(abstaining_count__isnull=True) | Q(abstaining_count__lte=15),
                name="vote_abstaining_at_most_15",
            ),
            models.CheckConstraint(
                condition=Q(member_coverage__in=["", "full", "partial", "vetoes_only", "none"]),
                name="vote_member_coverage_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["draft_symbol"]),
            models.Index(fields=["date"]),
            GinIndex(fields=["flags"], name="vote_flags_gin"),
        ]

    def __str__(self) -> str:
        what = self.resolution or self.draft_symbol or self.get_subject_display()
        return f"{what}: {self.get_outcome_display()} {self.tally}".strip()

    @property
    def tally(self) -> str:
        counts = (self.in_favour_count, self.against_count, self.abstaining_count)
        if any(c is None for c in counts):
            return ""
        return "-".join(str(c) for c in counts)

    @property
    def counts(self) -> tuple[int | None, int | None, int | None]:
        return (self.in_favour_count, self.against_count, self.abstaining_count)

    def get_absolute_url(self) -> str:
        """An adopting vote is shown on its resolution's page; any other on its own."""
        if self.resolution_id:
            return self.resolution.get_absolute_url() + "#vote"
        return cached_reverse("archive:vote", self.pk)

    @property
    def printed_members(self) -> list[PrintedMember]:
        """The members' names shown as printed (matched to no State), in the source's order."""
        return [PrintedMember.of(entry) for entry in self.members_as_printed or []]

    @property
    def year(self) -> int | None:
        """The vote's year: its date's, else its resolution's."""
        if self.date:
            return self.date.year
        return self.resolution.year if self.resolution_id else None


class MemberVote(models.Model):
    """How one Council member voted."""

    class Position(models.TextChoices):
        IN_FAVOUR = "in_favour", "In favour"
        AGAINST = "against", "Against"
        ABSTAINING = "abstaining", "Abstaining"
        NOT_PARTICIPATING = "not_participating", "Did not participate"

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="member_votes")
    member_state = models.ForeignKey(
        MemberState, on_delete=models.PROTECT, related_name="member_votes"
    )
    position = models.CharField(max_length=20, choices=Position.choices)
    is_veto = models.BooleanField(
        default=False, help_text="A permanent member's negative vote that defeated the draft"
    )

    class Meta:
        ordering = ["vote", "member_state__name"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "member_state"], name="membervote_unique"),
            models.CheckConstraint(
                condition=Q(is_veto=False) | Q(position="against"),
                name="membervote_veto_is_against",
            ),
            models.CheckConstraint(
                condition=Q(
                    position__in=["in_favour", "against", "abstaining", "not_participating"]
                ),
                name="membervote_position_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_state}: {self.get_position_display()}"


@dataclass(frozen=True)
class PrintedMember:
    """A name in a vote list that no Member State was found for, exactly as printed.

    Kept in the source's claim (``VoteClaim.unmatched``) and shown with the vote
    (``Vote.members_as_printed``, derived by the reconciliation), so that no line of the record
    is dropped; mapping the name in the review queue moves it into the claim's members' votes.
    """

    name: str
    position: str = ""  # a MemberVote.Position, or "" when the source does not say

    @classmethod
    def of(cls, entry) -> PrintedMember:
        """From a claim's ``unmatched`` entry: {"name", "position"} (a bare name in old rows)."""
        if isinstance(entry, str):
            return cls(entry)
        return cls(entry.get("name", ""), entry.get("position") or "")

    def as_entry(self) -> dict:
        return {"name": self.name, "position": self.position}

    def get_position_display(self) -> str:
        return dict(MemberVote.Position.choices).get(self.position, "position not given")


class VoteClaimQuerySet(models.QuerySet):
    def pending(self):
        """Records' readings that disagree with the archive and await a person's choice."""
        return self.filter(standing=VoteClaim.Standing.PENDING)

    def counted(self):
        return self.filter(standing=VoteClaim.Standing.COUNTED)


class VoteClaim(models.Model):
    """What one source says about one vote, kept whether or not it is the value shown.

    The Vote and its MemberVotes hold the preferred value: the claim a person chose
    (``Vote.chosen_claim``), else each value from the first counted claim that gives it, in the
    order of ``PRECEDENCE`` (official record > UN tables > other files). The reconciliation
    (``archive.reference_data.reconcile``) derives them, so re-running a loader never
    overwrites a person's choice, and a record's disagreeing reading waits for one (PENDING).
    """

    class Source(models.TextChoices):
        RECORD = "record", "Official record (imported transcript)"
        UN_TABLES = "un_tables", "UN Library meetings and resolutions tables"
        VOTES_FILE = "votes_file", "Votes-by-member file (1994–2025)"
        VETOES_FILE = "vetoes_file", "Vetoes list (1946–2022)"
        RESOLUTION_TEXT = "resolution_text", "Resolution texts (1946–2015)"

    class Standing(models.TextChoices):
        COUNTED = "counted", "Counted (precedence decides)"
        PENDING = "pending", "Disagrees with the archive: awaits a person's choice"
        SET_ASIDE = "set_aside", "Set aside by a person's choice"

    PRECEDENCE = {
        Source.RECORD: 0,
        Source.UN_TABLES: 1,
        Source.VOTES_FILE: 2,
        Source.VETOES_FILE: 3,
        Source.RESOLUTION_TEXT: 4,
    }

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="claims")
    source = models.CharField(max_length=20, choices=Source.choices)
    key = models.CharField(max_length=160, help_text="Identity within the source")
    detail = models.CharField(
        max_length=300, help_text="Where to check it: file:line, record symbol, upload"
    )
    subject = models.CharField(max_length=20, choices=Vote.Subject.choices, blank=True)
    draft_symbol = models.CharField(max_length=40, blank=True)
    description = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=Vote.Outcome.choices, blank=True)
    in_favour_count = models.PositiveSmallIntegerField(null=True, blank=True)
    against_count = models.PositiveSmallIntegerField(null=True, blank=True)
    abstaining_count = models.PositiveSmallIntegerField(null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    date_note = models.CharField(max_length=200, blank=True, help_text="How the date was read")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="vote_claims"
    )
    meeting_symbol = models.CharField(max_length=60, blank=True, help_text="As the source gives it")
    meeting_note = models.CharField(max_length=300, blank=True)
    positions = models.JSONField(
        default=dict, blank=True, help_text="Each member's vote: ISO3 -> MemberVote position"
    )
    vetoed_by = models.JSONField(default=list, blank=True, help_text="ISO3 of vetoing members")
    unmatched = models.JSONField(
        default=list,
        blank=True,
        help_text="Member names as printed that match no State, in order: [{name, position}]",
    )
    duplicates = models.JSONField(
        default=list, blank=True, help_text="Members the source lists twice (first kept)"
    )
    standing = models.CharField(
        max_length=10, choices=Standing.choices, default=Standing.COUNTED, db_index=True
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    import_record = models.ForeignKey(
        "ImportRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="vote_claims"
    )

    objects = VoteClaimQuerySet.as_manager()

    class Meta:
        ordering = ["vote_id", "source"]
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="voteclaim_unique_key"),
            models.UniqueConstraint(fields=["vote", "source"], name="voteclaim_one_per_source"),
            models.CheckConstraint(
                condition=Q(
                    source__in=[
                        "record",
                        "un_tables",
                        "votes_file",
                        "vetoes_file",
                        "resolution_text",
                    ]
                ),
                name="voteclaim_source_valid",
            ),
            models.CheckConstraint(
                condition=Q(standing__in=["counted", "pending", "set_aside"]),
                name="voteclaim_standing_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    outcome__in=["", "adopted", "adopted_without_vote", "not_adopted", "vetoed"]
                ),
                name="voteclaim_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    in_favour_count__isnull=True,
                    against_count__isnull=True,
                    abstaining_count__isnull=True,
                )
                | Q(
                    in_favour_count__lte=15,
                    against_count__lte=15,
                    abstaining_count__lte=15,
                ),
                name="voteclaim_counts_whole_and_at_most_15",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.detail}"

    @property
    def counts(self) -> tuple[int | None, int | None, int | None]:
        return (self.in_favour_count, self.against_count, self.abstaining_count)

    @property
    def tally(self) -> str:
        return "" if None in self.counts else "-".join(str(c) for c in self.counts)

    @property
    def rank(self) -> int:
        return self.PRECEDENCE[self.source]


class Mention(models.Model):
    """A resolution or UN document cited in a speech."""

    class Kind(models.TextChoices):
        RESOLUTION = "resolution", "Security Council resolution"
        DOCUMENT = "document", "UN document"

    speech = models.ForeignKey(Speech, on_delete=models.CASCADE, related_name="mentions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    symbol = models.CharField(max_length=80, help_text="Normalised: S/RES/2467 (2019), S/2019/280")
    resolution = models.ForeignKey(
        Resolution, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentions"
    )

    class Meta:
        ordering = ["speech", "id"]
        constraints = [
            models.UniqueConstraint(fields=["speech", "symbol"], name="mention_unique_per_speech"),
            models.CheckConstraint(
                condition=Q(kind="resolution") | Q(resolution__isnull=True),
                name="mention_resolution_only_for_resolutions",
            ),
        ]
        indexes = [models.Index(fields=["symbol"])]

    def __str__(self) -> str:
        return self.symbol


class ResolutionCitation(models.Model):
    """A Council resolution cited in the text of a later one ("Recalling its resolution ...").

    Built from ``Resolution.text`` by ``archive.research.citations.build_citations`` (the
    reference loader's last step, or ``manage.py build_citations``). ``number`` and ``year``
    are as printed; ``cited`` is the resolution with exactly that number and year, or empty
    when the archive has none (a misprint such as "1584 (2004)" for 1584 (2005)): such a
    citation is shown as printed and never counted as a link between resolutions.
    """

    citing = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="citations_made")
    cited = models.ForeignKey(
        Resolution,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="citations_received",
    )
    number = models.PositiveIntegerField(help_text="Number of the cited resolution as printed")
    year = models.PositiveSmallIntegerField(help_text="Year of the cited resolution as printed")
    paragraph = models.PositiveSmallIntegerField(
        help_text="First paragraph of the citing text that cites it (1-based; 0: unknown)"
    )
    paragraphs = models.PositiveSmallIntegerField(
        default=1, help_text="How many paragraphs of the citing text cite it"
    )
    context = models.TextField(help_text="The first citing paragraph, as printed")

    class Meta:
        ordering = ["citing", "paragraph", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["citing", "number", "year"], name="resolutioncitation_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="resolutioncitation_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1946), name="resolutioncitation_year_from_1946"
            ),
            models.CheckConstraint(
                condition=Q(paragraphs__gte=1), name="resolutioncitation_paragraphs_positive"
            ),
            models.CheckConstraint(
                condition=~Q(citing=models.F("cited")), name="resolutioncitation_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.citing} cites {self.number} ({self.year})"

    @property
    def label(self) -> str:
        return f"{self.number} ({self.year})"


class ImportRecord(models.Model):
    """The audit trail of imports: who imported, replaced or failed to import what, and when."""

    class Action(models.TextChoices):
        IMPORT = "import", "Imported"
        REPLACE = "replace", "Replaced"
        SKIP = "skip", "Skipped"
        FAILURE = "failure", "Failed"

    action = models.CharField(max_length=10, choices=Action.choices)
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    upload = models.ForeignKey(
        TranscriptUpload, null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    source_name = models.CharField(max_length=255, help_text="File or dataset imported")
    symbol = models.CharField(max_length=60, blank=True)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_records"
    )
    summary = models.TextField(blank=True, help_text="What changed, or why it failed")
    checks = models.JSONField(
        default=list,
        blank=True,
        help_text="The parser's self-checks of the imported record (archive.parsing.Check dicts)",
    )
    needs_review = models.BooleanField(
        default=False,
        help_text="Imported with error checks acknowledged: a person should review the record",
    )
    # Set when the review is closed: a person marked the record reviewed (a curation decision,
    # undoable), or a later import of the meeting replaced what this one wrote.
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.CharField(
        max_length=500, blank=True, help_text="How the review was closed, in words"
    )

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(needs_review=False) | Q(reviewed_at__isnull=True),
                name="importrecord_reviewed_is_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.symbol or self.source_name}"

    @property
    def error_checks(self) -> list[dict]:
        """The stored checks of severity error, in the record's order."""
        return [c for c in self.checks or [] if c.get("severity") == "error"]


# --------------------------------------------------------------------------- Curation


class Decision(models.Model):
    """A person's choice in curating the archive: who, when, what changed, and its undoing.

    ``before`` and ``after`` hold exactly what the decision changed, in a form the undo handler
    registered for ``kind`` in ``archive.curation`` can restore. Written only through
    ``archive.curation.record_decision``; undone only through ``archive.curation.undo``.
    """

    kind = models.CharField(max_length=40, db_index=True, help_text="Registered in curation")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.TextField(help_text="What was decided, in words")
    target = models.CharField(
        max_length=120, blank=True, db_index=True, help_text="What it is about: model:key"
    )
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(undone_at__isnull=True) | Q(undone_at__gte=models.F("at")),
                name="decision_undone_after_made",
            ),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


# --------------------------------------------------------------------------- Caching


class ArchiveState(models.Model):
    """When the archive last changed: one row, kept current by database triggers.

    Every table of the archive has a deferred trigger that bumps this row once per committed
    transaction (imports, the reference loader, admin edits alike), so public pages can derive
    their ETag and Last-Modified from a single primary-key read. See migration 0002.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="archivestate_singleton")]

    def __str__(self) -> str:
        return f"version {self.version} at {self.changed_at:%Y-%m-%d %H:%M:%S}"


# Models kept in their own modules (identities and topics), registered with this app.
from archive.people.models import Person, PersonMergeProposal  # noqa: E402, F401
from archive.topics.models import AgendaItemTopic, Topic, TopicRule  # noqa: E402, F401
