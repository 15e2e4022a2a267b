"""What the filter boxes know about the archive: suggestions (``<datalist>``) and printed names.

A filter box for a State or an agenda item offers a few hundred suggestions and accepts a name in
any printed form. Both come from tables that change only on import, so each worker builds them
once per state of the archive (``ArchiveState``, through the validators the public pages read
anyway: no extra query per request) instead of once per request:

* ``Datalist``: the ``<datalist>`` markup of a filter box, rendered once per archive version;
* ``name_resolver()``: the archive's one ``NameResolver`` (3 queries and ~10 ms to build).

Widgets carry only the datalist's id (``DatalistInput``), so ``{% form_widget %}``'s per-value
cache of rendered widgets never holds a copy of the options.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from django import forms
from django.db import router
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from archive.middleware import archive_validators
from archive.models import Affiliation, AgendaItem, MemberState, Speech
from archive.names import NameResolver

# A resolver remembers every name it was asked (``NameResolver._cache``): a worker answering
# arbitrary URLs starts a fresh one after this many look-ups, so memory stays bounded.
RESOLVER_LOOKUPS = 10_000
# Agenda items offered as suggestions: the most used ones.
AGENDA_SUGGESTIONS = 100

_lock = threading.Lock()


def _archive_key() -> tuple[str, str]:
    """(database alias, archive version) of the archive this request reads."""
    using = router.db_for_read(MemberState) or "default"
    return using, archive_validators(using=using).etag


_ALL: list[PerVersion] = []


class PerVersion:
    """A value built from the database, kept per process for one state of the archive."""

    def __init__(self, build: Callable[[str], object]):
        self._build = build
        _ALL.append(self)
        self._key: tuple[str, str] | None = None
        self._value: object = None

    def get(self):
        """The value for the archive as this request sees it (built on first use)."""
        key = _archive_key()
        with _lock:
            if key == self._key:
                return self._value
        value = self._build(key[0])
        with _lock:
            self._key, self._value = key, value
        return value

    def clear(self) -> None:
        """Forget the value (tests: their data is rolled back, never committed)."""
        with _lock:
            self._key, self._value = None, None


# --------------------------------------------------------------------------- names


class _CountedResolver:
    def __init__(self, using: str):
        # NameResolver.load() reads through the router: the same database as ``using``.
        self.resolver = NameResolver.load()
        self.lookups = 0


_resolver = PerVersion(_CountedResolver)


def name_resolver() -> NameResolver:
    """The archive's ``NameResolver`` for this request's database, loaded once per version."""
    holder = _resolver.get()
    holder.lookups += 1
    if holder.lookups > RESOLVER_LOOKUPS:
        _resolver.clear()
        holder = _resolver.get()
    return holder.resolver


# --------------------------------------------------------------------------- datalists

_DATALISTS: dict[str, Datalist] = {}


class Datalist:
    """A ``<datalist>`` of suggestions for text boxes, rendered once per archive version."""

    def __init__(self, element_id: str, options: Callable[[str], Iterable[tuple[str, str]]]):
        """``options(using)`` yields (value, label) pairs; the label may be empty."""
        self.id = element_id
        self._html = PerVersion(lambda using: self._render(options(using)))
        _DATALISTS[element_id] = self

    def _render(self, options: Iterable[tuple[str, str]]) -> SafeString:
        items = format_html_join(
            "",
            '<option value="{}"{}>',
            (
                (value, format_html(' label="{}"', label) if label else "")
                for value, label in options
            ),
        )
        return format_html('<datalist id="{}">{}</datalist>', self.id, items)

    def html(self) -> SafeString:
        """The element, for the page that has a box using it."""
        return self._html.get()

    def clear(self) -> None:
        """Forget the rendered element."""
        self._html.clear()


def datalist(element_id: str) -> Datalist | None:
    """The datalist with this element id, if one is defined."""
    return _DATALISTS.get(element_id)


class DatalistInput(forms.TextInput):
    """A text box suggesting the values of a ``Datalist`` (the element is rendered apart)."""

    def __init__(self, datalist: Datalist, attrs: dict | None = None):
        # Only the id is kept: widgets are deep-copied for every form.
        self.datalist_id = datalist.id
        super().__init__(attrs={"list": datalist.id, "autocomplete": "off", **(attrs or {})})


def _codes_and_slugs(using: str) -> tuple[dict, dict]:
    states = {
        iso3: (pk, name)
        for pk, iso3, name in MemberState.objects.using(using).values_list("pk", "iso3", "name")
    }
    bodies = {
        slug: (pk, name, kind)
        for pk, slug, name, kind in Affiliation.objects.using(using).values_list(
            "pk", "slug", "name", "kind"
        )
    }
    return states, bodies


_codes_slugs = PerVersion(_codes_and_slugs)


def _names_by_code(using: str) -> dict[str, str]:
    states, bodies = _codes_slugs.get()
    names = {iso3.lower(): name for iso3, (_pk, name) in states.items()}
    names.update((slug, name) for slug, (_pk, name, _kind) in bodies.items())
    return names


_codes = PerVersion(_names_by_code)


def state_by_code(iso3: str) -> tuple[int, str] | None:
    """(id, name) of the Member State with this ISO 3166 alpha-3 code ("FRA"), if any."""
    return _codes_slugs.get()[0].get(iso3.upper())


def body_by_slug(slug: str) -> tuple[int, str, str] | None:
    """(id, name, kind) of the organization or body with this slug ("european-union")."""
    return _codes_slugs.get()[1].get(slug)


class StateOrBodyInput(DatalistInput):
    """The State box: a code or slug from a link ("zaf", "european-union") is shown as the
    name it stands for ("South Africa"); the reader never sees the code."""

    def format_value(self, value):
        value = super().format_value(value)
        if value and len(value) <= 80 and value.lower() == value and " " not in value:
            return _codes.get().get(value, value)
        return value


def _states_and_bodies(using: str) -> list[tuple[str, str]]:
    states = MemberState.objects.using(using).current().order_by("name")
    options = [(name, "") for name in states.values_list("name", flat=True)]
    # Observer States, and the organizations that have spoken in the Council: the EU, the
    # African Union, the ICRC... (not each of the hundreds of civil-society briefers).
    spoke = Exists(Speech.objects.using(using).filter(affiliation=OuterRef("pk")))
    bodies = (
        Affiliation.objects.using(using)
        .filter(
            Q(kind=Affiliation.Kind.OBSERVER_STATE)
            | Q(spoke, kind__in=[Affiliation.Kind.ORGANIZATION, Affiliation.Kind.UNITED_NATIONS])
        )
        .order_by("name")
        .values_list("name", "short_name")
    )
    options += [(name, short_name) for name, short_name in bodies]
    return options


def _agenda_items(using: str) -> list[tuple[str, str]]:
    titles = (
        AgendaItem.objects.using(using)
        .filter(meetings__speech_count__gt=0)
        .annotate(meetings_held=Count("meetings"))
        .order_by("-meetings_held", "title")
        .values_list("title", flat=True)[:AGENDA_SUGGESTIONS]
    )
    return [(title, "") for title in sorted(titles)]


STATES_AND_BODIES = Datalist("state-options", _states_and_bodies)
AGENDA_ITEMS = Datalist("agenda-item-options", _agenda_items)


def clear_caches() -> None:
    """Forget every per-version value (tests roll back; the archive version does not change)."""
    for value in _ALL:  # the resolver, the datalists, topics, holdings, name indexes
        value.clear()
