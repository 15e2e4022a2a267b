"""Staff login throttling: django-axes, counted per (username, client address), atomically.

django-axes (maintained, Django 5.2 supported) records each failed login in the database, so
every gunicorn worker sees the same count, and refuses a locked-out login before the password
is checked. The settings (``AXES_*`` in settings.py) make it:

* **per (username, client address)**: ``LOGIN_FAILURE_LIMIT`` (5) failures lock that pair for
  ``LOGIN_COOLOFF_MINUTES`` (15) after the last one. An attacker elsewhere only locks
  themselves out: the owner keeps logging in from their own address, and one address guessing
  at many accounts never refuses other people's logins.
* **reset for that pair only** on success: logging in to one's own account does not erase the
  failures recorded against someone else's.
* **atomic**: the lockout check, the password check and the failure count happen under a
  PostgreSQL advisory lock on the (username, address) pair, so 40 parallel guesses get exactly
  as many password checks as the limit, not one per worker that read the count first.
* **behind a proxy**: the client address is ``REMOTE_ADDR`` unless that is one of
  ``TRUSTED_PROXIES``; then it is the last address in ``X-Forwarded-For`` that is not a
  trusted proxy (nginx's ``$proxy_add_x_forwarded_for`` appends the address it saw). A header
  sent by anyone else is ignored, as any client can forge it.
"""

from __future__ import annotations

import ipaddress
import math
from functools import lru_cache

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from archive.db_router import PRIMARY

# First key of the advisory lock: this lock's namespace among the archive's advisory locks.
LOGIN_LOCK_NAMESPACE = 0x10_61_4E  # "LogiN"


@lru_cache(maxsize=8)
def _trusted_networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _is_trusted(address: str) -> bool:
    networks = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address: REMOTE_ADDR, or what a trusted proxy says it saw."""
    remote = request.META.get("REMOTE_ADDR") or None
    if remote is None or not _is_trusted(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    # Right to left: each trusted proxy appended the address it received the request from.
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote  # a malformed hop: trust nothing further left of it
        if not _is_trusted(hop):
            return hop
    return remote


def lockout_message() -> str:
    """What a locked-out person reads."""
    minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return (
        f"Too many failed login attempts for this account from your address "
        f"({settings.AXES_FAILURE_LIMIT} in a row). For your security, logging in to it from "
        f"here is blocked until {minutes} minutes have passed without another attempt. "
        "Logging in from your usual address is not affected. If you have forgotten your "
        "password, ask an administrator to reset it."
    )


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The admin login page again, status 429, saying why and for how long (AXES_LOCKOUT_CALLABLE)."""
    from django.contrib import admin

    context = {
        **admin.site.each_context(request),
        "form": ThrottledAdminAuthenticationForm(request),
        "title": "Log in",
        "app_path": request.get_full_path(),
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "lockout_message": lockout_message(),
    }
    response: HttpResponse = TemplateResponse(
        request, "admin/login_locked.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response.render()


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin login form; one (username, address) pair is checked at a time."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_ip(self.request) or ""
        failure: ValidationError | None = None
        # Check, password check and failure count in one transaction holding the pair's lock:
        # the next attempt for the pair waits, then sees this one's failure.
        with transaction.atomic(using=PRIMARY), connections[PRIMARY].cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '30s'")
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                [LOGIN_LOCK_NAMESPACE, f"{address} {username}"],
            )
            try:
                cleaned = super().clean()
            except ValidationError as error:
                failure = error  # raised after the commit, which keeps the failure counted
        if failure is not None:
            raise failure
        return cleaned
