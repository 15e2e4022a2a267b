"""A statement as a meeting's record shows it, rendered in Python.

A record shows up to a hundred statements; as template markup each cost some forty variable
lookups and filter calls, most of a meeting page's rendering time (the page is a fifth of the
site's traffic). ``record_speech`` writes the same HTML with one function call per statement.
Every value is escaped here (``format_html`` / ``escape``), and the text by ``record_text``,
exactly as the template escaped them.
"""

from __future__ import annotations

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from archive.people.labels import names_body, speaker_body, speaker_label, speaker_note
from archive.templatetags.archive_tags import mention_label, mention_url, record_text
from archive.urlcache import cached_reverse

register = template.Library()


def _body(speech, label: str) -> str:
    body = speaker_body(speech)
    if not body or names_body(label):
        return ""
    if speech.member_state_id:
        inner = format_html('<a href="{}">{}</a>', speech.member_state.get_absolute_url(), body)
    elif speech.affiliation_id:
        inner = format_html('<a href="{}">{}</a>', speech.affiliation.get_absolute_url(), body)
    else:
        inner = escape(body)
    return f'<span class="body">({inner})</span>'


def _meta(speech) -> str:
    parts = []
    if speech.spoke_in:
        parts.append(format_html("Spoke in {} (interpretation) · ", speech.spoke_in))
    if speech.on_behalf_of:
        parts.append(format_html("On behalf of {} · ", speech.on_behalf_of))
    if speech.page:
        parts.append(format_html("p. {} · ", speech.page))
    note = speaker_note(speech)
    if note:
        parts.append(format_html("Speaker: {} · ", note))
    parts.append(format_html('<a href="{}">Permalink and citation</a>', speech.get_absolute_url()))
    person_id = speech.speaker.person_id if speech.speaker_id else None
    if person_id:
        parts.append(
            format_html(
                ' · <a href="{}">All statements by this person</a>',
                cached_reverse("archive:person", person_id),
            )
        )
    return "".join(parts)


def _cites(speech) -> str:
    cited = list(speech.mentions.all())
    if not cited:
        return ""
    links = ", ".join(
        format_html('<a href="{}">{}</a>', mention_url(m), mention_label(m)) for m in cited
    )
    return f'<p class="cites">Cites: {links}</p>'


@register.simple_tag
def record_speech(speech) -> SafeString:
    """``<li class="speech">``: heading, meta line, text and citations of one statement."""
    anchor = escape(speech.anchor)
    label = speaker_label(speech)
    president = '<span class="badge">President</span>' if speech.role == "president" else ""
    return mark_safe(
        f'<li class="speech" id="{anchor}">\n'
        f'      <h3 class="speech-head">\n'
        f'        <a class="anchor" href="#{anchor}" aria-label="Link to statement '
        f'{escape(speech.sequence)}">§</a>\n'
        f'        <span class="attribution">{escape(label)}</span>\n'
        f"        {_body(speech, label)}\n"
        f"        {president}\n"
        f"      </h3>\n"
        f'      <p class="speech-meta">{_meta(speech)}</p>\n'
        f'      <div class="speech-text">{record_text(speech)}</div>\n'
        f"      {_cites(speech)}\n"
        f"    </li>"
    )
