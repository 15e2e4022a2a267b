"""The search page's repeated parts as HTML built in Python: results, facets, links.

A results page has 20 hits and some 60 facet links. Through template nodes, tags and
``format_html`` they cost ~6 ms a page (each value resolved, escaped and joined through
lazy-aware wrappers); built here with ``html.escape`` and f-strings they cost a fraction of
that, with the same markup. Every value from the archive or the URL is escaped here; only the
snippets arrive as ``SafeString`` (``search.highlight``: escaped before ``<mark>`` is added),
and only ``SafeData`` is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from urllib.parse import quote_plus, urlencode

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpRequest
from django.utils import translation
from django.utils.safestring import SafeData, SafeString, mark_safe

from archive.models import Speech
from archive.templatetags.archive_tags import (
    lead,
    page_numbers,
    statement_where,
    statement_who,
)
from archive.urlcache import cached_reverse, reverser

ROLE_LABELS = dict(Speech.Role.choices)
_CURRENT = ' aria-current="true"'


def _text(value) -> str:
    """``value`` escaped, unless it is already safe HTML (what ``conditional_escape`` does)."""
    if isinstance(value, SafeData):
        return str(value)
    return escape(str(value))


def hit(speech, excerpt, language: str, reverse: Callable[..., str] | None = None) -> str:
    """One search result: who, for whom, where, when, role, agenda item and the excerpt.

    ``reverse``: ``urlcache.reverser()``, read once for a page of hits.
    """
    reverse = reverse or reverser()
    meeting = speech.meeting
    topic = f"\n      · {escape(meeting.agenda_item.title)}" if meeting.agenda_item_id else ""
    role = escape(str(ROLE_LABELS.get(speech.role, speech.role)))
    pk = int(speech.pk)
    return (
        f'<li class="statement search-hit">\n  <article aria-labelledby="hit-{pk}">\n'
        f'    <h3 class="statement-meta" id="hit-{pk}">\n      {statement_who(speech, reverse)}\n    </h3>\n'
        f'    <p class="statement-meta">\n      {statement_where(speech, language, reverse)}\n'
        f"      · {role}{topic}\n    </p>\n"
        f'    <p class="excerpt">{_text(excerpt)}</p>\n  </article>\n</li>'
    )


def text_lead(text: str, length: int = 320) -> str:
    """``lead(text, length)``, reading only as much of the start of a long text as it needs.

    Collapsing the spaces of a prefix gives a prefix of the collapsed whole text, and
    ``lead`` reads only the first ``length`` characters of that (and whether there are more):
    a prefix that collapses to more than ``length`` characters gives the same lead as the
    whole text. Splitting costs ~13 ns a character here: the prefix grows only when the
    text's start is mostly spaces.
    """
    text = text or ""
    size = length + length // 4
    while size < len(text):
        flat = " ".join(text[:size].split())
        if len(flat) > length:
            cut = flat.rfind(" ", 0, length)
            return flat[: cut if cut > 0 else length] + "…"
        size *= 4
    return lead(text, length)


def hits(speeches: list, marks: dict) -> SafeString:
    """The results list's items: each speech with its snippet, or the start of its text."""
    language = translation.get_language()
    reverse = reverser()
    return mark_safe(
        "".join(
            hit(speech, marks.get(speech.pk) or text_lead(speech.text), language, reverse)
            for speech in speeches
        )
    )


# What quote_plus leaves as it is: facet values (codes, years, slugs) need no quoting.
_UNQUOTED = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch


def _quote(value: str) -> str:
    """``quote_plus(value)``, without its work for the values that need none."""
    return value if _UNQUOTED(value) else quote_plus(value)


class QueryEditor:
    """Links to the current URL with one parameter changed, the page reset (``reset``).

    A results page carries some 60 such links (facets, orders, filters to remove): the rest
    of the query string is encoded once per parameter, not once per link. The output is
    ``urlencode``'s, the parameters in the order of the URL (a new one last).
    """

    def __init__(self, request: HttpRequest, *, reset: str | None = "page"):
        self.path = request.path
        self.lists = [(k, v) for k, v in request.GET.lists() if k != reset]
        self._linkers: dict[str, tuple[str, str]] = {}

    def _around(self, param: str) -> tuple[str, str]:
        """The encoded parameters before and after ``param`` (after: all, if it is absent)."""
        around = self._linkers.get(param)
        if around is None:
            before, after, found = [], [], False
            for key, values in self.lists:
                if key == param:
                    found = True
                    continue
                (after if found else before).extend((key, v) for v in values)
            if not found:
                before, after = before + after, []
            around = (urlencode(before), urlencode(after))
            self._linkers[param] = around
        return around

    def with_param(self, param: str, value: str | None) -> str:
        """The current URL with ``param`` set (or removed when ``value`` is None), page reset."""
        before, after = self._around(param)
        middle = f"{_quote(param)}={_quote(value)}" if value is not None else ""
        encoded = "&".join(part for part in (before, middle, after) if part)
        return f"?{encoded}" if encoded else self.path


def facet_links(editor: QueryEditor, values: list, chosen: str) -> list[dict]:
    """A facet's values as links narrowing the search to each (``chosen``: the one in use)."""
    return [
        {
            "label": v.label,
            "count": v.count,
            "url": editor.with_param(v.param, v.value),
            "active": chosen == v.value.lower(),
        }
        for v in values
    ]


def facets(groups: list[tuple[str, str, list[dict]]]) -> SafeString:
    """The facet lists beside the results (``groups``: title, parameter, ``facet_links``)."""
    sections = []
    for title, param, links in groups:
        if not links:
            continue
        items = "\n      ".join(
            f'<li><a href="{escape(link["url"])}"{_CURRENT if link["active"] else ""}>'
            f"{escape(link['label'])}"
            f' <span class="facet-count">{link["count"]:,}</span></a></li>'
            for link in links
        )
        sections.append(
            f'<section class="facet" aria-labelledby="facet-{param}">\n'
            f'    <h3 id="facet-{param}">By {escape(title.lower())}</h3>\n'
            f'    <ul class="counts facet-list">\n      {items}\n    </ul>\n  </section>'
        )
    return mark_safe("\n  ".join(sections))


def pagination(request: HttpRequest, page) -> SafeString:
    """Previous / numbered / next links (``{% pagination %}``'s markup, built here)."""
    total = page.paginator.num_pages
    if total <= 1:
        return mark_safe("")
    editor = QueryEditor(request, reset=None)

    def url(number: int) -> str:
        return escape(editor.with_param("page", str(number)))

    items = []
    if page.has_previous():
        items.append(f'<li><a href="{url(page.number - 1)}" rel="prev">‹ Previous</a></li>')
    for number in page_numbers(page):
        if not number:
            items.append('<li class="gap" aria-hidden="true">…</li>')
        elif number == page.number:
            items.append(f'<li><a aria-current="page" href="{url(number)}">{number}</a></li>')
        else:
            items.append(f'<li><a href="{url(number)}">{number}</a></li>')
    if page.has_next():
        items.append(f'<li><a href="{url(page.number + 1)}" rel="next">Next ›</a></li>')
    return mark_safe(
        '<nav class="pagination" aria-label="Pages">\n'
        f'  <p class="page-status">Page {page.number} of {total}</p>\n'
        "  <ul>\n    " + "\n    ".join(items) + "\n  </ul>\n</nav>"
    )


def results(context: dict, *, export_row_cap: int) -> SafeString:
    """The results section and the facets beside it (the template's markup, built here).

    ``context``: the search page's (total, query, holdings, active_filters, notices,
    sort_links, speeches, page, hits_html, pagination_html, urls, download_query,
    facets_html). Every value is escaped but the HTML built in this module.
    """
    total, query, holdings = context["total"], context["query"], _text(context["holdings"])
    active = context["active_filters"]
    quoted = f" “{_text(query)}”" if query else ""
    parts = [
        '  <div class="search-layout">\n'
        '    <section class="search-results" aria-labelledby="results-heading">\n'
        f'      <h2 id="results-heading">{_text(intcomma(total))} statement'
        f"{'' if total == 1 else 's'}{' matching' if query else ''}{quoted}</h2>\n"
        f'      <p class="coverage muted">{holdings}</p>\n      '
    ]
    if active:
        chips = "".join(_chip(chip) for chip in active)
        parts.append(
            '\n      <ul class="chips active-filters" aria-label="Filters in use">\n'
            f"        {chips}\n      </ul>\n      "
        )
    notices = "".join(
        f'<p class="notice" role="status">{_text(notice)}</p>' for notice in context["notices"]
    )
    parts.append(f"\n      {notices}\n      ")
    sort_links = context["sort_links"]
    if len(sort_links) > 1:
        items = "".join(
            f'<li><a href="{_text(url)}"{_CURRENT if current else ""}>{_text(label)}</a></li>'
            for label, url, current in sort_links
        )
        parts.append(
            '\n      <nav class="sort-links" aria-label="Order of the results">\n'
            f"        <ul>{items}</ul>\n      </nav>\n      "
        )
    parts.append("\n      ")
    if context["speeches"]:
        parts.append(
            f'\n      <ol class="statements search-hits" start="{context["page"].start_index()}">'
            f"\n        {_text(context['hits_html'])}\n      </ol>\n"
            f"      {_text(context['pagination_html'])}\n      "
        )
    else:
        parts.append(
            f'\n      <p class="empty">No statement matches{quoted}'
            f"{' with these filters' if active else ''}. {holdings}</p>\n      "
        )
    urls, query_string = context["urls"], _text(context["download_query"])
    count = f"these {_text(intcomma(total))} statements" if total > 0 else "this search"
    note = ""
    if total > export_row_cap:
        note = (
            f'<span class="downloads-note">(the first {_text(intcomma(export_row_cap))} of them;'
            " every statement, and each year:\n"
            f'        <a href="{_text(cached_reverse("archive:downloads"))}">bulk downloads</a>)'
            "</span>"
        )
    parts.append(
        f'\n      <p class="downloads">Download {count}:\n'
        f'        <a href="{_text(urls["csv"])}{query_string}" download>CSV</a>\n'
        f'        <a href="{_text(urls["json"])}{query_string}" download>JSON</a>\n'
        f'        <a href="{_text(urls["feed"])}{query_string}" type="application/atom+xml">'
        "Atom feed</a>\n"
        f"        {note}\n      </p>\n    </section>\n"
        '    <aside class="facets" aria-label="Narrow the results">\n'
        f"  <h2>Narrow the results</h2>\n  {_text(context['facets_html'])}\n</aside>\n  </div>\n"
    )
    return mark_safe("".join(parts))


def _chip(chip: dict) -> str:
    """One filter in use, with a link that removes it."""
    label, sep, value = _text(chip["label"]), _text(chip["sep"]), _text(chip["value"])
    detail = f" {_text(chip['detail'])}" if chip["detail"] else ""
    return (
        f"<li>{label}{sep} <strong>{value}</strong>{detail} "
        f'<a href="{_text(chip["remove_url"])}" aria-label="Remove filter {label}{sep} {value}">'
        "✕</a></li>"
    )
