"""Staff guides from ``docs/`` shown inside the admin (the same Markdown files as in the repo)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe

# Only these files, by name: the address never becomes a path.
GUIDES = {"importing": "importing.md"}


def guide(request: HttpRequest, name: str) -> HttpResponse:
    """Render one guide (our own Markdown: trusted text, never an upload)."""
    import markdown
    from django.contrib import admin

    filename = GUIDES.get(name)
    if filename is None:
        raise Http404("No such guide.")
    text = (settings.BASE_DIR / "docs" / filename).read_text(encoding="utf-8")
    title, _, _ = text.partition("\n")
    html = markdown.markdown(text, extensions=["tables", "toc"])
    return TemplateResponse(
        request,
        "admin/guide.html",
        {
            **admin.site.each_context(request),
            "title": title.lstrip("# ").strip(),
            "guide": mark_safe(html),  # noqa: S308  the project's own documentation
        },
    )
