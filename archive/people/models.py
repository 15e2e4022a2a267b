"""Persons behind printed names, and the proposals to merge two of them (decided by staff).

Imported at the end of ``archive.models``, so Django sees these models as the archive app's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from archive.urlcache import cached_reverse


class PersonQuerySet(models.QuerySet):
    def live(self):
        """Persons not merged into another (the ones pages show)."""
        return self.filter(merged_into__isnull=True)


class Person(models.Model):
    """One human being who spoke before the Council, under one or more printed spellings.

    Each ``Speaker`` row (a printed name for a State or body) belongs to one person. A person
    merged into another keeps its row (``merged_into``) so that old links still lead somewhere
    and the merge can be undone.
    """

    name = models.CharField(max_length=200, help_text="Shown on pages: the best printed spelling")
    name_is_curated = models.BooleanField(
        default=False, help_text="Set by staff: imports and merges leave the name alone"
    )
    folded_name = models.CharField(
        max_length=200, db_index=True, editable=False, help_text="Matching key of the name"
    )
    member_state = models.ForeignKey(
        "archive.MemberState",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="persons",
        help_text="The State most of their statements were made for",
    )
    affiliation = models.ForeignKey(
        "archive.Affiliation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="persons",
        help_text="Or the body, when not a State",
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_persons",
        help_text="Set when staff merged this person into another",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member_state__isnull=True) | Q(affiliation__isnull=True),
                name="person_state_or_affiliation",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")), name="person_not_merged_into_itself"
            ),
        ]

    def __str__(self) -> str:
        body = self.member_state or self.affiliation
        return f"{self.name} ({body})" if body else self.name

    def get_absolute_url(self) -> str:
        return cached_reverse("archive:person", self.pk)

    def live(self) -> Person:
        """The person this one now is: itself, or the person it was merged into (followed)."""
        person, seen = self, {self.pk}
        while person.merged_into_id is not None and person.merged_into_id not in seen:
            seen.add(person.merged_into_id)
            person = person.merged_into
        return person


class ProposalQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=PersonMergeProposal.Status.PENDING)

    def needs_review(self):
        """Pending proposals between two persons that both still stand (the review queue).

        A proposal one of whose persons was merged away through another proposal waits
        (hidden) until that merge is undone; the proposal between the survivors stands for it.
        """
        merged = Person.objects.filter(merged_into__isnull=False)
        return (
            self.pending()
            .exclude(Exists(merged.filter(pk=OuterRef("person_a"))))
            .exclude(Exists(merged.filter(pk=OuterRef("person_b"))))
            .select_related(
                "person_a__member_state",
                "person_a__affiliation",
                "person_b__member_state",
                "person_b__affiliation",
            )
            .order_by("-score", "pk")
        )


class PersonMergeProposal(models.Model):
    """Two persons that are probably one, spelt differently: proposed, then decided by staff.

    ``person_a`` has the lower primary key (one proposal per pair, whatever the order found).
    Decided only through ``archive.people.merges.accept_merge`` / ``reject_merge``, which record
    the decision in the curation log (``decision``) and can be undone.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted: merged"
        REJECTED = "rejected", "Rejected: different persons"

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(help_text="0 to 1: how alike the two look")
    reasons = models.JSONField(default=list, help_text="Why they look alike, one line each")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kept = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="When accepted: the person the other was merged into",
    )
    decision = models.ForeignKey(
        "archive.Decision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="proposal_unique_pair"),
            models.CheckConstraint(
                condition=Q(person_a__lt=models.F("person_b")), name="proposal_ordered_pair"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "rejected"]),
                name="proposal_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="proposal_score_0_to_1"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="proposal_decided_when_not_pending",
            ),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="proposal_queue")]

    def __str__(self) -> str:
        return f"{self.person_a.name} = {self.person_b.name}? ({self.get_status_display()})"
