"""Response headers Django does not set by itself: a strict Content-Security-Policy and friends.

Django 5.2 has no built-in CSP. The public site has no inline script or style, so its policy
forbids both. The staff admin keeps ``script-src 'self'`` (Django's admin has no inline
scripts), but needs ``'unsafe-inline'`` styles: the change list template emits a ``<style>``
block and admin pages use ``style=""`` attributes. The admin is behind a login, and inline
styles cannot run code, so that relaxation is narrow.

``SecurityMiddleware`` already sets nosniff, Referrer-Policy and Cross-Origin-Opener-Policy, and
``XFrameOptionsMiddleware`` sets X-Frame-Options; this middleware only fills in what is missing,
so that every response (404s, static files served by WhiteNoise included) carries them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

PUBLIC_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
ADMIN_CSP = PUBLIC_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def content_security_policy(path: str) -> str:
    """The policy for a request path: strict everywhere, inline styles allowed in the admin."""
    return ADMIN_CSP if path.startswith(_admin_prefix()) else PUBLIC_CSP


def _admin_prefix() -> str:
    script_name = getattr(settings, "FORCE_SCRIPT_NAME", None) or ""
    return f"{script_name.rstrip('/')}/admin/"


class SecurityHeadersMiddleware:
    """Add CSP, Permissions-Policy and the usual hardening headers to every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(
            "Content-Security-Policy", content_security_policy(request.path)
        )
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Referrer-Policy", settings.SECURE_REFERRER_POLICY or "same-origin"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class RejectNulMiddleware:
    """Answer 400 to a request whose path or query string holds a NUL character.

    PostgreSQL text cannot hold NUL, so a NUL that reached a query would fail with a 500; no
    legitimate link contains one, so it is refused at the door rather than in every view.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        in_query = any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        )
        if in_query or "\x00" in request.path:
            # Answered here rather than raised: with DEBUG on, a raised BadRequest would show
            # Django's technical page (a traceback) to whoever typed the address.
            return bad_request_page(request, "The address contains a NUL character.")
        return self.get_response(request)


def bad_request_page(request: HttpRequest, message: str) -> HttpResponse:
    """The site's own 400 page, with a way back, whatever DEBUG says."""
    from django.shortcuts import render

    return render(request, "400.html", {"exception": message}, status=400)
