"""Staff login throttling: password guessing against the admin is slowed to a crawl.

Failed logins are stored in ``LoginFailure`` (in the database, so that every gunicorn worker
sees the same count). After ``LOGIN_THROTTLE_USERNAME_FAILURES`` failures for one username, or
``LOGIN_THROTTLE_IP_FAILURES`` from one client address, within ``LOGIN_THROTTLE_MINUTES``, the
login form refuses further attempts with a clear message until the window has passed. A locked
login is refused before the password is checked, so the refusal says nothing about whether a
guess was right. A successful login clears that username's and that address's failures.

The client address is ``REMOTE_ADDR``: behind a reverse proxy, set the proxy to pass the real
address (e.g. gunicorn's ``--forwarded-allow-ips``); ``X-Forwarded-For`` is never trusted here
because any client can forge it.
"""

from __future__ import annotations

import datetime
import math

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from archive.db_router import PRIMARY
from archive.models import LoginFailure


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def username_limit() -> int:
    """Failures allowed per username within the window."""
    return _setting("LOGIN_THROTTLE_USERNAME_FAILURES", 5)


def ip_limit() -> int:
    """Failures allowed per client address within the window."""
    return _setting("LOGIN_THROTTLE_IP_FAILURES", 20)


def window() -> datetime.timedelta:
    """How long failures count, and how long a lockout lasts."""
    return datetime.timedelta(minutes=_setting("LOGIN_THROTTLE_MINUTES", 15))


def client_ip(request: HttpRequest | None) -> str | None:
    """The client address as the server saw it (REMOTE_ADDR), or None."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _key(username: str | None) -> str:
    return (username or "").strip().lower()[:150]


def locked_for(*, username: str | None, ip: str | None) -> datetime.timedelta | None:
    """How much longer logins for this username or from this address are refused, if at all."""
    since = timezone.now() - window()
    # Always the primary: a lagging read replica would let guesses through uncounted.
    recent = LoginFailure.objects.using(PRIMARY).filter(at__gte=since)
    checks = [(recent.filter(username=_key(username)), username_limit())]
    if ip:
        checks.append((recent.filter(ip_address=ip), ip_limit()))
    waits = []
    for failures, limit in checks:
        latest = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
        if len(latest) >= limit:
            # Locked until the oldest of the last `limit` failures leaves the window.
            waits.append(latest[-1] + window() - timezone.now())
    return max(waits) if waits else None


def record_failure(*, username: str | None, ip: str | None) -> None:
    """Remember a failed login."""
    LoginFailure.objects.create(username=_key(username), ip_address=ip)
    # Keep the table small: anything outside the window no longer counts.
    LoginFailure.objects.filter(at__lt=timezone.now() - window()).delete()


def reset(*, username: str | None, ip: str | None) -> None:
    """Forget failures after a successful login."""
    condition = Q(username=_key(username))
    if ip:
        condition |= Q(ip_address=ip)
    LoginFailure.objects.filter(condition).delete()


def lockout_message(wait: datetime.timedelta) -> str:
    """The message a locked-out user sees."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return (
        "Too many failed login attempts for this account or from this address. "
        f"For your security, logging in is blocked for {minutes} more "
        f"minute{'s' if minutes != 1 else ''}. If you have forgotten your password, "
        "ask an administrator to reset it."
    )


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin login form, refusing attempts once too many have failed."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": "%(message)s",
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        ip = client_ip(self.request)
        wait = locked_for(username=username, ip=ip)
        if wait is not None:
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"message": lockout_message(wait)},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            record_failure(username=username, ip=ip)
            raise
        reset(username=username, ip=ip)
        return cleaned
