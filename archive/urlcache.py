"""URL reversal and static-file URLs memoised per process.

A record or search page links the same few kinds of object dozens of times, and ``reverse()``
costs about 20 µs a call: 100-170 calls were 2-4 ms of a 20 ms page. A URL depends only on the
view name, its arguments, the script prefix and the URLconf, so those are the cache key.

A static file's URL (``{% static %}``: the manifest's hashed name, joined to STATIC_URL) is
fixed while the process runs: five of them were ~0.7 ms of a search page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse


@functools.lru_cache(maxsize=16384)
def _reverse(viewname: str, args: tuple, prefix: str, urlconf: str | None) -> str:
    # ``prefix`` is part of the key only: reverse() reads the same thread-local itself.
    return reverse(viewname, args=args, urlconf=urlconf)


def cached_reverse(viewname: str, *args) -> str:
    """``reverse(viewname, args=args)``, remembered for this process."""
    return _reverse(viewname, args, get_script_prefix(), get_urlconf())


def reverser() -> Callable[..., str]:
    """``cached_reverse`` for a long list of links: the script prefix and URLconf (thread-
    and context-local reads, ~10 µs each) are read once, not once a link."""
    prefix, urlconf = get_script_prefix(), get_urlconf()
    return lambda viewname, *args: _reverse(viewname, args, prefix, urlconf)


@functools.lru_cache(maxsize=256)
def static_url(path: str) -> str:
    """``{% static path %}``, remembered for this process."""
    return staticfiles_storage.url(path)


@receiver(setting_changed)
def _forget_on_urlconf_change(*, setting: str, **kwargs) -> None:
    # Tests that swap the URLconf or the static files' settings must not see the old URLs.
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _reverse.cache_clear()
    if setting in {"STATIC_URL", "STATIC_ROOT", "STORAGES", "DEBUG", "FORCE_SCRIPT_NAME"}:
        static_url.cache_clear()
