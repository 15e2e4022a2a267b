"""Template helpers for the public pages: record text, citations, highlighted excerpts, charts.

Text from transcripts is untrusted: every helper escapes it first and only then adds its own
markup (<p>, <a>, <mark>), so nothing from an upload is ever marked safe as a whole.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlencode

from django import template
from django.forms.widgets import ChoiceWidget
from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe

from archive.filter_options import datalist
from archive.models import Mention, symbol_to_slug
from archive.people.labels import (
    article_name,
    heading,
    names_body,
    speaker_body,
    speaker_label,
    speaker_note,
)
from archive.urlcache import reverser

register = template.Library()

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def split_paragraphs(text: str) -> list[str]:
    """The paragraphs of a text stored with blank lines between them."""
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text or "") if p.strip()]


@register.filter
def paragraphs(text: str) -> SafeString:
    """Escaped paragraphs, each in <p>."""
    return mark_safe("".join(f"<p>{escape(p)}</p>" for p in split_paragraphs(text)))


def symbol_pattern(symbol: str) -> str:
    """A regex for a document symbol as printed: spaces after '/' and '.' tolerated."""
    parts = []
    for ch in symbol:
        if ch == " ":
            parts.append(r"\s*")
        else:
            parts.append(re.escape(ch) + (r"\s?" if ch in "./" else ""))
    return "".join(parts)


def resolution_pattern(number: int, year: int | None) -> str:
    """A regex for a resolution as cited: '2467', '2467 (2019)', 'S/RES/2467 (2019)'."""
    year_part = rf"(?:\s*\({year}\))?" if year else ""
    return rf"(?<![\w/.])(?:S/RES/)?{number}{year_part}(?![\w/])"


def mention_url(mention: Mention) -> str:
    """Where a cited resolution or document leads inside the archive."""
    if mention.resolution_id is not None:
        return mention.resolution.get_absolute_url()
    if mention.kind == Mention.Kind.RESOLUTION or mention.symbol.startswith("S/PV."):
        # Unmatched resolutions and meetings: the lookup page explains what the archive holds.
        return reverse("archive:lookup") + "?" + urlencode({"q": mention.symbol})
    return reverse("archive:document", args=[mention.symbol])


def mention_label(mention: Mention) -> str:
    """How a mention is shown in a list: 'resolution 2467 (2019)' or the document symbol."""
    if mention.resolution_id is not None:
        return f"resolution {mention.resolution.label}"
    if mention.kind == Mention.Kind.RESOLUTION:
        return f"resolution {mention.symbol.removeprefix('S/RES/')}"
    return mention.symbol


register.filter("mention_url", mention_url)
register.filter("mention_label", mention_label)


def _mention_pattern(mention: Mention) -> str | None:
    if mention.resolution_id is not None:
        return resolution_pattern(mention.resolution.number, mention.resolution.year)
    if mention.kind == Mention.Kind.DOCUMENT:
        return symbol_pattern(mention.symbol)
    match = re.match(r"^(?:S/RES/)?(\d+)(?: \((\d{4})\))?$", mention.symbol)
    if match and match[2]:
        return resolution_pattern(int(match[1]), int(match[2]))
    return None  # a bare number is too ambiguous to link inside running text


@register.filter
def record_text(speech) -> SafeString:
    """A speech's paragraphs, escaped, with cited resolutions and documents linked."""
    mentions = list(speech.mentions.all())
    links = []
    for mention in mentions:
        pattern = _mention_pattern(mention)
        if pattern:
            links.append((pattern, mention_url(mention)))
    combined = None
    if links:
        combined = re.compile("|".join(f"(?P<m{i}>{p})" for i, (p, _) in enumerate(links)))

    def link(match: re.Match) -> str:
        index = int(match.lastgroup[1:])
        return f'<a href="{escape(links[index][1])}">{match.group(0)}</a>'

    html = []
    for paragraph in split_paragraphs(speech.text):
        escaped = str(escape(paragraph))
        if combined is not None:
            escaped = combined.sub(link, escaped)
        html.append(f"<p>{escaped}</p>")
    return mark_safe("".join(html))


def marked_excerpt(text: str, pattern: str, *, radius: int = 220) -> SafeString:
    """The part of ``text`` around the first match of ``pattern``, escaped, matches in <mark>."""
    text = " ".join((text or "").split())
    regex = re.compile(pattern, re.IGNORECASE)
    first = regex.search(text)
    if first is None:
        cut = text[: radius * 2]
        return escape(cut + ("…" if len(text) > len(cut) else ""))
    start = max(0, first.start() - radius)
    end = min(len(text), first.end() + radius)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first.start() else start
    if end < len(text):
        space = text.rfind(" ", first.end(), end)
        end = space if space > 0 else end
    window = text[start:end]
    pieces, last = [], 0
    for match in regex.finditer(window):
        pieces.append(escape(window[last : match.start()]))
        pieces.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    pieces.append(escape(window[last:]))
    return mark_safe(
        ("…" if start > 0 else "")
        + "".join(str(p) for p in pieces)
        + ("…" if end < len(text) else "")
    )


@register.simple_tag
def resolution_excerpt(text: str, resolution) -> SafeString:
    """An excerpt of a speech around its citation of ``resolution``, the citation marked."""
    return marked_excerpt(text, resolution_pattern(resolution.number, resolution.year))


@register.simple_tag
def document_excerpt(text: str, symbol: str) -> SafeString:
    """An excerpt of a speech around its citation of the document ``symbol``, marked."""
    return marked_excerpt(text, symbol_pattern(symbol))


@register.filter
def lead(text: str, length: int = 280) -> str:
    """The start of a text, cut on a word boundary (escaped by the template as usual)."""
    flat = " ".join((text or "").split())
    if len(flat) <= length:
        return flat
    cut = flat.rfind(" ", 0, length)
    return flat[: cut if cut > 0 else length] + "…"


@register.filter
def citation(speech) -> str:
    """'Mr. Zhang Jun (China), S/PV.8699, 9 January 2020, p. 12.'"""
    parts = [heading(speech), speech.meeting.symbol]
    if speech.meeting.date:
        date = speech.meeting.date
        parts.append(f"{date.day} {date:%B %Y}")
    if speech.page:
        parts.append(f"p. {speech.page}")
    return ", ".join(parts) + "."


register.filter("speaker_body", speaker_body)
register.filter("speaker_label", speaker_label)
register.filter("speaker_note", speaker_note)
register.filter("names_body", names_body)
register.filter("statement_heading", heading)
register.filter("the_name", article_name)


# --------------------------------------------------------------------------- Form widgets

_WIDGETS: dict[tuple, SafeString] = {}
_WIDGETS_LIMIT = 4096


@register.simple_tag
def form_widget(field) -> SafeString:
    """``{{ field }}``: a form field's widget, remembered per process for each value shown.

    The filter forms' widgets are the same on every request but for the value and the error
    state (fixed attributes, fixed choices): rendering one through the form renderer's
    templates costs ~0.15 ms, a dozen on every search page. Fields whose options come from
    the database are rendered afresh every time.
    """
    if isinstance(field.field.widget, ChoiceWidget) and hasattr(field.field, "queryset"):
        return str(field)
    key = (
        type(field.form).__module__,
        type(field.form).__qualname__,
        type(field.field.widget),
        field.html_name,
        field.auto_id,
        repr(field.value()),
        bool(field.errors),
    )
    html = _WIDGETS.get(key)
    if html is None:
        html = str(field)
        if len(_WIDGETS) >= _WIDGETS_LIMIT:
            _WIDGETS.clear()
        _WIDGETS[key] = html
    return html


@register.simple_tag
def form_datalists(form) -> SafeString:
    """The ``<datalist>`` elements the form's text boxes suggest from (each once a page).

    Rendered apart from the widgets (which ``form_widget`` remembers per value) and kept per
    archive version by ``archive.filter_options``.
    """
    ids = dict.fromkeys(
        getattr(field.field.widget, "datalist_id", None) for field in form.visible_fields()
    )
    lists = [datalist(element_id) for element_id in ids if element_id]
    return mark_safe("".join(str(item.html()) for item in lists if item is not None))


# --------------------------------------------------------------------------- Statement rows

# Lists of statements (search hits, a State's or speaker's statements, citations) are built
# here rather than by {% include %} per row: a template row cost ~0.4 ms (50 rows a page),
# this costs a tenth of that. The markup is the same; every value is escaped here (snippets
# and excerpts arrive as SafeString, escaped before their <mark> was added).


# A number no speech has, reversed once: a speech's URL is that URL with its id swapped in.
_PLACEHOLDER_ID = 987654321


def _speech_url(pk: int, reverse: Callable[..., str]) -> str:
    template = reverse("archive:speech", _PLACEHOLDER_ID)
    return template.replace(str(_PLACEHOLDER_ID), str(pk))


@lru_cache(maxsize=4096)
def _date(day, language: str) -> str:
    # dateformat looks the language up for each month name: once per day and language.
    day_name = html.escape(dateformat.format(day, "j F Y"))
    return f'<time datetime="{day.isoformat()}">{day_name}</time>'


def statement_who(speech, reverse: Callable[..., str]) -> str:
    """The speaker's link, then the State or body spoken for (linked when the archive has it).

    ``reverse``: ``urlcache.reverser()``, read once for a list (the models' get_absolute_url,
    without reading the script prefix and URLconf again for each link). Escaped HTML.
    """
    label = speaker_label(speech)
    url = _speech_url(speech.pk, reverse)
    who = f'<a class="statement-who" href="{html.escape(url)}">{html.escape(label)}</a>'
    body = speaker_body(speech)
    if not body or names_body(label):
        return who
    if speech.member_state_id:
        url = reverse("archive:member_state", speech.member_state.slug)
        body_html = f'<a href="{html.escape(url)}">{html.escape(body)}</a>'
    elif speech.affiliation_id:
        url = reverse("archive:affiliation", speech.affiliation.slug)
        body_html = f'<a href="{html.escape(url)}">{html.escape(body)}</a>'
    else:
        body_html = html.escape(body)
    return f'{who}\n      <span class="body">({body_html})</span>'


def statement_where(speech, language: str, reverse: Callable[..., str]) -> str:
    """The meeting (linked to the statement's place in the record) and its date (escaped)."""
    meeting = speech.meeting
    url = reverse("archive:meeting", meeting.slug)
    link = (
        f'<a href="{html.escape(url)}#{html.escape(speech.anchor)}">'
        f"{html.escape(meeting.symbol)}</a>"
    )
    if not meeting.date:
        return link
    return f"{link}\n      · {_date(meeting.date, language)}"


@register.simple_tag
def statement_item(speech, excerpt=None) -> SafeString:
    """One statement in a list: who, for whom, where, when, and an excerpt (or its start)."""
    reverse = reverser()
    page = f"\n    · p. {html.escape(str(speech.page))}" if speech.page else ""
    where = statement_where(speech, translation.get_language(), reverse)
    return mark_safe(
        '<li class="statement">\n  <p class="statement-meta">\n'
        f"    {statement_who(speech, reverse)}\n    · {where}{page}\n  </p>\n"
        f'  <p class="excerpt">{conditional_escape(excerpt or lead(speech.text, 320))}</p>\n</li>'
    )


@register.filter
def meeting_slug(symbol: str) -> str:
    """The meeting URL slug of a symbol (for rows that only carry the symbol)."""
    return symbol_to_slug(symbol)


@register.filter
def undocs_url(symbol: str) -> str:
    """The official document on the UN's document system."""
    return "https://undocs.org/" + (symbol or "").replace(" ", "")


# --------------------------------------------------------------------------- Charts

_CHART_HEIGHT = 160
_LABEL_SPACE = 22
_TOP_SPACE = 14


@register.simple_tag
def bar_chart(rows, *, title: str, unit: str = "statements") -> SafeString:
    """A server-side SVG bar chart of (year, count) rows; empty years are drawn as gaps."""
    counts = {int(year): int(count) for year, count in rows if year is not None}
    if not counts:
        return mark_safe("")
    years = list(range(min(counts), max(counts) + 1))
    peak = max(counts.values()) or 1
    bar, gap = 24, 8  # 32 px a year: room for a four-digit label under each bar
    width = max(len(years) * (bar + gap) + gap, 120)
    height = _CHART_HEIGHT + _LABEL_SPACE + _TOP_SPACE
    label_every = 1 if len(years) <= 15 else 5
    shapes = []
    for index, year in enumerate(years):
        count = counts.get(year, 0)
        x = gap + index * (bar + gap)
        bar_height = round(_CHART_HEIGHT * count / peak) if count else 0
        y = _TOP_SPACE + _CHART_HEIGHT - bar_height
        shapes.append(
            format_html(
                '<g class="bar"><title>{}: {} {}</title>'
                '<rect x="{}" y="{}" width="{}" height="{}"></rect>{}</g>',
                year,
                count,
                unit[:-1] if count == 1 and unit.endswith("s") else unit,
                x,
                y,
                bar,
                bar_height,
                format_html(
                    '<text class="value" x="{}" y="{}" text-anchor="middle">{}</text>',
                    x + bar // 2,
                    y - 3,
                    count,
                )
                if count and len(years) <= 30
                else "",
            )
        )
        if year % label_every == 0:
            shapes.append(
                format_html(
                    '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                    x + bar // 2,
                    _TOP_SPACE + _CHART_HEIGHT + 16,
                    year,
                )
            )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-label="{}" preserveAspectRatio="xMinYMin meet">{}</svg>',
        width,
        height,
        width,
        height,
        title,
        mark_safe("".join(str(s) for s in shapes)),
    )


# --------------------------------------------------------------------------- Pagination


def page_numbers(page) -> list[int | None]:
    """Page links to show: first, last and two either side of the current page (None = gap)."""
    total, current = page.paginator.num_pages, page.number
    wanted = {1, total, *range(current - 2, current + 3)}
    numbers: list[int | None] = []
    for n in sorted(x for x in wanted if 1 <= x <= total):
        if numbers and numbers[-1] is not None and n - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(n)
    return numbers


@register.inclusion_tag("archive/includes/pagination.html", takes_context=True)
def pagination(context, page, param: str = "page"):
    """Previous / numbered / next links that keep every other parameter of the query string."""
    query = context["request"].GET.copy()

    def url(number: int) -> str:
        query[param] = str(number)
        return "?" + query.urlencode()

    return {
        "page": page,
        "links": [(n, url(n) if n else "") for n in page_numbers(page)],
        "previous_url": url(page.number - 1) if page.has_previous() else "",
        "next_url": url(page.number + 1) if page.has_next() else "",
    }


VOTE_POSITIONS = [
    ("in_favour", "In favour"),
    ("against", "Against"),
    ("abstaining", "Abstaining"),
    ("not_participating", "Did not participate"),
]


@register.simple_tag
def vote_positions() -> list[tuple[str, str]]:
    """The positions of a vote in the order the records list them."""
    return VOTE_POSITIONS


@register.filter
def by_position(member_votes, position: str) -> list:
    """The member votes cast in ``position`` ("in_favour", "against", ...), from a prefetch."""
    return [mv for mv in member_votes if mv.position == position]


@register.filter
def file_size(size) -> str:
    """A size in bytes as people write it: 812 bytes, 45 kB, 1.2 MB."""
    from archive.wording import format_size

    return format_size(int(size or 0))
