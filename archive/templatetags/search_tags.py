"""Tags of the search form (the search page and the keyword-in-context page share it), and
the links every page carries (URLs reversed once a render, static files once a process)."""

from __future__ import annotations

import functools
from html import escape
from urllib.parse import quote

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from archive.templatetags.archive_tags import form_datalists, form_widget
from archive.urlcache import reverser, static_url

register = template.Library()
_REVERSER = object()  # the render context's key for the page's reverser


@register.simple_tag
def filter_fields(form) -> SafeString:
    """Each visible filter: its label, its widget (``form_widget``) and its errors.

    The same markup as a template loop, for a fraction of its cost: a dozen fields, each
    value resolved through template variables, cost ~1 ms a page.
    """
    blocks = []
    for field in form.visible_fields():
        field_id = escape(field.id_for_label or "")
        errors = "".join(
            f'<p class="field-error" id="{field_id}-error">{escape(str(error))}</p>'
            for error in field.errors
        )
        blocks.append(
            f'      <div class="field">\n'
            f'        <label for="{field_id}">{escape(str(field.label))}</label>\n'
            f"        {form_widget(field)}\n"
            f"        {errors}\n"
            f"      </div>\n"
        )
    return mark_safe("".join(blocks))


@register.simple_tag
def hidden_filters(form) -> SafeString:
    """The hidden filters that carry a valid value (a speaker from an older link)."""
    return mark_safe(
        "".join(
            str(form_widget(field))
            for field in form.hidden_fields()
            if field.value() and not field.errors
        )
    )


@register.simple_tag(takes_context=True)
def cached_url(context, viewname: str, *args) -> str:
    """``{% url %}`` remembered per process (``archive.urlcache``): it reverses on every render.

    A page's links share one reverser: the script prefix and URLconf are read once a render.
    """
    reverse = context.render_context.get(_REVERSER)
    if reverse is None:
        reverse = context.render_context[_REVERSER] = reverser()
    return reverse(viewname, *args)


# The main navigation: view, label, and the views (url names) under which it is current.
NAV = (
    ("archive:meeting_list", "Meetings", frozenset({"meeting_list", "meeting"})),
    ("archive:resolution_list", "Resolutions", frozenset({"resolution_list", "resolution"})),
    ("archive:vote_list", "Votes", frozenset({"vote_list"})),
    ("archive:member_state_list", "States", frozenset({"member_state_list", "member_state"})),
    ("archive:search", "Search", frozenset({"search"})),
)


_CURRENT_PAGE = ' aria-current="page"'


@register.simple_tag(takes_context=True)
def site_nav(context) -> SafeString:
    """The main navigation's items, the current section marked ``aria-current``."""
    match = getattr(context.get("request"), "resolver_match", None)
    current = match.url_name if match is not None else None
    return mark_safe(
        "\n          ".join(
            f'<li><a href="{escape(cached_url(context, view))}"'
            f"{_CURRENT_PAGE if current in names else ''}>{label}</a></li>"
            for view, label, names in NAV
        )
    )


@register.simple_tag
def cached_static(path: str) -> str:
    """``{% static %}`` remembered per process (``archive.urlcache.static_url``)."""
    return static_url(path)


# --------------------------------------------------------------------------- the search form


@functools.lru_cache(maxsize=1)
def _form_help() -> str:
    # Static text (templates/archive/search/form_help.html): rendered once a process.
    return get_template("archive/search/form_help.html").render({})


@register.simple_tag(takes_context=True)
def search_form(context) -> SafeString:
    """The search form of the search and keyword-in-context pages: words, order, filters.

    What a template include of it cost (~1.3 ms a page, most of it resolving variables), built
    here with the same markup; every value is escaped here or by ``form_widget``.
    """
    form, filter_form = context["form"], context["filter"].form
    search_url = cached_url(context, "archive:search")
    action = context.get("form_action") or search_url
    query = context.get("query") or ""
    clear = search_url + (f"?q={quote(query)}" if query else "")
    is_open = " open" if filter_form.errors or context.get("active_filters") else ""
    q, sort = form["q"], form["sort"]
    return mark_safe(
        f'<form class="filters search-form" method="get" action="{escape(action)}" role="search"'
        ' aria-label="Search the statements">\n'
        f"  {hidden_filters(filter_form)}\n"
        '  <div class="search-main">\n    <div class="field field-q">\n'
        f'      <label for="{escape(q.id_for_label)}">{escape(str(q.label))}</label>\n'
        f"      {form_widget(q)}\n    </div>\n"
        '    <div class="field">\n'
        f'      <label for="{escape(sort.id_for_label)}">{escape(str(sort.label))}</label>\n'
        f"      {form_widget(sort)}\n    </div>\n"
        '    <div class="filter-actions"><button type="submit">Search</button></div>\n  </div>\n'
        f"{_form_help()}"
        f'  <details class="search-filters"{is_open}>\n    <summary>Filters</summary>\n'
        f'    <div class="filter-fields">\n{filter_fields(filter_form)}    </div>\n'
        f"    {form_datalists(filter_form)}\n"
        '    <div class="filter-actions">\n      <button type="submit">Apply filters</button>\n'
        f'      <a href="{escape(clear)}">Clear filters</a>\n    </div>\n  </details>\n</form>\n'
    )
