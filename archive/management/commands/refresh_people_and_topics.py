"""Persons for every spelling, merge proposals for staff, and every agenda item's topics.

Imports do this as they go; run it after changing the proposal rules or many topic rules.
Nothing is merged: proposals wait for staff (admin: Person merge proposals).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from archive.models import PersonMergeProposal
from archive.people.attribution import after_import
from archive.people.proposals import propose_merges
from archive.topics.rules import assign_topics


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument(
            "--list", action="store_true", dest="show", help="Print the proposals awaiting review"
        )

    def handle(self, *args, show, **options):
        with transaction.atomic():
            people = after_import(meeting_ids=None, propose=False)
            created = propose_merges()
            added, removed = assign_topics()
        waiting = PersonMergeProposal.objects.needs_review()
        self.stdout.write(f"Persons created: {people.new_persons}")
        self.stdout.write(f"Merge proposals created: {created}; awaiting review: {waiting.count()}")
        self.stdout.write(f"Topic links added: {added}, removed: {removed}")
        if show:
            for proposal in waiting:
                self.stdout.write(
                    f"{proposal.score:.2f}  {proposal.person_a}  =  {proposal.person_b}"
                )
