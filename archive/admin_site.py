"""The staff admin site: its home page opens with what staff come for.

"Upload transcripts" and "Needs review (N)" come first; the models follow. The review queue
(``archive.review``) has its pages here, beside the models' own.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import path, reverse


class ArchiveAdminSite(admin.AdminSite):
    """Django's admin site with the staff home page and the review queue."""

    site_header = "Council Archive staff"
    site_title = "Council Archive staff"
    index_title = "Staff home"
    index_template = "admin/archive_index.html"

    def index(self, request, extra_context=None):
        """The admin home: upload and review first, then the models."""
        from archive import review

        user = request.user
        context = {
            "can_upload": user.has_perm("archive.import_transcript"),
            "upload_url": reverse("admin:archive_transcriptupload_upload"),
            "uploads_url": reverse("admin:archive_transcriptupload_changelist"),
            "review_sections": review.sections_for(user),
            "review_count": review.total_count(user),
            "review_url": reverse("admin:review"),
            **(extra_context or {}),
        }
        return super().index(request, context)

    def get_urls(self):
        from archive.admin_guide import guide
        from archive.review import views

        return [
            path("guide/<slug:name>/", self.admin_view(guide), name="staff_guide"),
            path("review/", self.admin_view(views.queue), name="review"),
            path(
                "review/<slug:section>/",
                self.admin_view(views.section_page),
                name="review_section",
            ),
            *views.extra_urls(self),
            *super().get_urls(),
        ]
