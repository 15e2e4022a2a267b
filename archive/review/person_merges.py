"""Review section: printed spellings that probably name one person (merge proposals).

Accepting or rejecting goes through the proposal admin's actions (``archive.admin_people``),
which call ``archive.people.merges``: each decision is recorded and can be undone here.
"""

from __future__ import annotations

from archive import review
from archive.models import PersonMergeProposal

PERMISSION = "archive.change_personmergeproposal"


def _rows(limit: int | None) -> list[PersonMergeProposal]:
    proposals = PersonMergeProposal.objects.needs_review()
    return list(proposals[:limit] if limit else proposals)


review.register(
    review.Section(
        slug="person-merges",
        title="Spellings of one person",
        description=(
            "Printed names that look like one person: same State or body, overlapping dates, "
            "names alike once accents, honorifics and OCR errors are folded. Accept to show "
            "them on one person page (each statement keeps its printed name); reject to keep "
            "them apart for good."
        ),
        permission=PERMISSION,
        count=lambda: PersonMergeProposal.objects.needs_review().count(),
        rows=_rows,
        template="admin/review/person_merges.html",
        order=30,
        decision_kinds=("person_merge",),
    )
)
