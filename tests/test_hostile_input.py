"""Hostile input on every public URL and form gets a 4xx or a normal page, never a 500.

Table-driven: every public URL pattern (walked from the URL configuration, so new pages are
covered without editing this file) is requested with hostile values in each path parameter and
in every filter parameter the FilterSets know, plus the usual ``q``, ``page`` and ``format``.
"""

from __future__ import annotations

from urllib.parse import quote

import django_filters
import pytest
from django.test import Client
from django.urls import reverse

import archive.filters

from .security_data import make_small_archive, public_patterns, public_urls

# (label, already-percent-encoded value): encoded by hand so that invalid UTF-8, NULs and lone
# surrogates reach Django exactly as a hostile client would send them.
HOSTILE = [
    ("sql quote", quote("' OR 1=1 --")),
    ("sql statement", quote('"; DROP TABLE archive_speech; --')),
    ("like wildcards", quote("%_\\%")),
    ("html", quote("<script>alert(1)</script>")),
    ("attribute break", quote('"><img src=x onerror=alert(1)>')),
    ("very long", "A" * 10_000),
    ("many words", quote("peace " * 1500)),
    ("nul", "%00"),
    ("nul inside", "abc%00def"),
    ("lone surrogate", "%ED%A0%80"),
    ("invalid utf-8", "%FF%FE%C3%28"),
    ("negative", "-1"),
    ("zero", "0"),
    ("huge number", "99999999999999999999999"),
    ("float", "1e309"),
    ("nan", "NaN"),
    ("fullwidth digits", quote("２０２０")),
    ("path traversal", quote("../../etc/passwd")),
    ("unicode", quote("Côte d’Ivoire 中文 😀")),
    ("websearch operators", quote('"unterminated -"OR OR !!! &|:*')),
    ("empty", ""),
    ("control chars", "%01%02%1B%7F"),
]

COMMON_PARAMS = ["q", "page", "format", "sort", "order", "per_page", "next"]
XSS_MARKERS = [b"<script>alert(1)</script>", b"<img src=x onerror=alert(1)>"]


def filter_params() -> list[str]:
    """Every parameter name any FilterSet in archive.filters reads."""
    names = set(COMMON_PARAMS)
    for value in vars(archive.filters).values():
        if (
            isinstance(value, type)
            and issubclass(value, django_filters.FilterSet)
            and value.__module__ == archive.filters.__name__
        ):
            names.update(value.base_filters)
    return sorted(names)


def _check(client: Client, url: str, failures: list[str]) -> None:
    try:
        response = client.get(url)
    except Exception as exc:  # noqa: BLE001 - a crash is exactly what we are looking for
        failures.append(f"{url[:160]} raised {exc!r}"[:300])
        return
    if response.status_code >= 500:
        failures.append(f"{url[:160]} -> {response.status_code}")
        return
    content_type = response.get("Content-Type", "")
    if "html" not in content_type and "xml" not in content_type:
        # Plain text, CSV and JSON are never rendered as markup: nosniff is set on every
        # response (tests/test_security.py), so echoing the input there is harmless.
        return
    body = b"".join(response) if response.streaming else response.content
    for marker in XSS_MARKERS:
        if marker in body:
            failures.append(f"{url[:160]} echoes {marker!r} unescaped")


@pytest.fixture
def site(db):
    archive = make_small_archive()
    client = Client(raise_request_exception=False)
    return archive, client


@pytest.mark.parametrize("label,value", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_path_parameters(site, label, value):
    """Each path parameter of each public pattern replaced by the hostile value."""
    _archive, client = site
    failures: list[str] = []
    tried = 0
    for _name, route, params in public_patterns():
        for param in params:
            url = "/" + route
            for other in params:
                placeholder = next(
                    p for p in _route_placeholders(route) if p.endswith(f":{other}>")
                )
                url = url.replace(placeholder, value if other == param else _sample(other))
            tried += 1
            _check(client, url, failures)
    assert tried >= 10
    assert not failures, "\n".join(failures)


def _route_placeholders(route: str) -> list[str]:
    import re

    return re.findall(r"<[^>]+>", route)


def _sample(param: str) -> str:
    return {"number": "2467", "year": "2019", "pk": "1", "slug": "fra", "symbol": "S/2020/1"}.get(
        param, "x"
    )


@pytest.mark.parametrize("label,value", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_query_parameters_all_at_once(site, label, value):
    """Every filter parameter set to the hostile value, on every public page."""
    archive, client = site
    params = filter_params()
    query = "&".join(f"{name}={value}" for name in params)
    failures: list[str] = []
    for url in public_urls(archive).values():
        _check(client, f"{url}?{query}", failures)
    assert not failures, "\n".join(failures)


# The values most likely to break one parameter alone (a number parsed without a guard, a
# NUL reaching PostgreSQL, a surrogate reaching the encoder), tried one parameter at a time
# so that one invalid field cannot hide a crash in another.
SINGLE = [v for v in HOSTILE if v[0] in {"nul", "huge number", "lone surrogate"}]


@pytest.mark.parametrize("label,value", SINGLE, ids=[h[0] for h in SINGLE])
def test_hostile_query_parameters_one_at_a_time(site, label, value):
    archive, client = site
    failures: list[str] = []
    urls = [
        url
        for name, url in public_urls(archive).items()
        if url.count("/") <= 2 or name.endswith(("statements", "votes", "feed"))
    ]
    for url in urls:
        for param in filter_params():
            _check(client, f"{url}?{param}={value}", failures)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("page", ["-1", "0", "1", "2", "999999", "99999999999999999999", "last"])
def test_page_numbers(site, page):
    archive, client = site
    failures: list[str] = []
    for url in public_urls(archive).values():
        _check(client, f"{url}?page={page}", failures)
    assert not failures, "\n".join(failures)


def test_hostile_search_is_escaped_in_the_page(site):
    _archive, client = site
    url = reverse("archive:home") + "?q=" + quote("<script>alert(1)</script>")
    failures: list[str] = []
    _check(client, url, failures)
    assert not failures


def test_nul_is_refused_with_400(site):
    _archive, client = site
    assert client.get("/meetings/S-PV.8701%00/").status_code == 400
    assert client.get(reverse("archive:meeting_list") + "?q=peace%00").status_code == 400
    assert client.get(reverse("archive:meeting_list") + "?q=peace").status_code == 200
