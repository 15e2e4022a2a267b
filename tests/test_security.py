"""Web security: every page type carries a strict
Content-Security-Policy and the usual hardening headers.
"""

from __future__ import annotations

import re

import pytest
from django.urls import NoReverseMatch, reverse

from archive.security import ADMIN_CSP, PUBLIC_CSP

from .security_data import make_small_archive, public_urls

STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def test_public_policy_is_the_strict_one():
    assert PUBLIC_CSP == STRICT_CSP
    assert "'unsafe-inline'" not in PUBLIC_CSP
    # The admin relaxes styles only; scripts stay same-origin files.
    assert "script-src 'self';" in ADMIN_CSP
    assert "'unsafe-inline'" not in ADMIN_CSP.split("script-src", 1)[1].split(";", 1)[0]


def _page_urls() -> dict[str, str]:
    """Every page type: all public patterns, a search, the admin login and a 404."""
    archive = make_small_archive()
    urls = public_urls(archive)
    for name in ("archive:search", "search"):
        try:
            urls["search"] = reverse(name) + "?q=peace"
            break
        except NoReverseMatch:
            continue
    else:
        urls["search (home with q)"] = reverse("archive:home") + "?q=peace"
    urls["meeting list with filters"] = reverse("archive:meeting_list") + "?year=2020&q=peace"
    urls["admin login"] = reverse("admin:login")
    urls["404"] = "/no/such/page/"
    urls["404 meeting"] = reverse("archive:meeting", args=["S-PV.1"])
    return urls


EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@pytest.mark.django_db
def test_every_page_type_carries_the_security_headers(client):
    problems = {}
    urls = _page_urls()
    for name, url in urls.items():
        response = client.get(url)
        expected_csp = ADMIN_CSP if url.startswith("/admin/") else STRICT_CSP
        got = {h: response.headers.get(h) for h in [*EXPECTED_HEADERS, "Content-Security-Policy"]}
        want = {**EXPECTED_HEADERS, "Content-Security-Policy": expected_csp}
        if got != want:
            problems[f"{name} {url} ({response.status_code})"] = got
    assert not problems
    assert len(urls) >= 10


@pytest.mark.django_db
def test_public_html_has_no_inline_script_or_style(client):
    """The strict policy would break inline code, so the pages must have none."""
    offenders = {}
    for name, url in _page_urls().items():
        if url.startswith("/admin/"):
            continue
        response = client.get(url)
        if "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        inline_scripts = [
            tag for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I) if "src=" not in tag
        ]
        found = {
            "inline <script>": inline_scripts,
            "<style>": re.findall(r"<style\b", html, flags=re.I),
            "style=": re.findall(r"\sstyle\s*=", html, flags=re.I),
            "on*= handlers": re.findall(r"\son[a-z]+\s*=\s*[\"']", html, flags=re.I),
            "javascript: URLs": re.findall(r"javascript:", html, flags=re.I),
        }
        found = {kind: hits for kind, hits in found.items() if hits}
        if found:
            offenders[f"{name} {url}"] = found
    assert not offenders


@pytest.mark.django_db
def test_static_files_carry_the_headers_too(client):
    response = client.get("/static/does-not-exist.css")
    assert response.headers["Content-Security-Policy"] == STRICT_CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_admin_login_page_sets_no_cookie_without_secure_flags_in_production(settings, client):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    response = client.get(reverse("admin:login"))
    cookie = response.cookies.get(settings.CSRF_COOKIE_NAME)
    assert cookie is not None and cookie["secure"]
