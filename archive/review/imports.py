"""Review section: records imported with error checks that a person acknowledged.

Their facts may be wrong or incomplete until someone has checked them against the PDF; marking
one reviewed is ``archive.import_review.mark_reviewed`` (recorded, undoable). A later import of
the same meeting closes the review by itself.
"""

from __future__ import annotations

from archive import review
from archive.import_review import DECISION_KIND, PERMISSION
from archive.models import ImportRecord


def _pending():
    return ImportRecord.objects.filter(needs_review=True)


def _rows(limit: int | None) -> list[ImportRecord]:
    records = _pending().select_related("meeting", "user", "upload").order_by("at", "pk")
    return list(records[:limit] if limit else records)


SECTION = review.register(
    review.Section(
        slug="imports",
        title="Imports with acknowledged errors",
        description=(
            "Records imported although their parse checks found errors (a vote whose lists "
            "disagree with the announcement, lines the parser could not place). Check the "
            "facts named against the official PDF, fix what is wrong, then mark the import "
            "reviewed. Importing the record again also closes its review."
        ),
        permission=PERMISSION,
        count=lambda: _pending().count(),
        rows=_rows,
        template="admin/review/imports.html",
        order=10,
        decision_kinds=(DECISION_KIND,),
    )
)
