"""Warm a web server process before it takes requests.

A fresh process pays once for what every later request reuses: the search catalogue of every
speech (``archive.ranking``, about a second at 100,000 speeches), compiled templates, the
URLconf, the static files manifest, the filter choices and the roll calls of the research pages.
Under load that first second is paid by the visitors queued behind the worker: at start-up
five fresh workers held 64 clients for seconds, and those requests were the slowest of a run.

``warm_up()`` renders a few representative public pages in this process, through the whole
middleware stack, before gunicorn forks its workers (``gunicorn.conf.py``: ``preload_app``), so
the workers start warm and share the catalogue's memory copy-on-write. The pages are rendered
and thrown away: the WSGI environ marks them (``WARM_UP_ENVIRON_KEY``, which no HTTP header can
set), so the page cache keeps none of them. A failure is logged and never stops the server.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

# WSGI environ key (not an HTTP_ header, so no client can send it) of a warm-up request.
WARM_UP_ENVIRON_KEY = "archive.warm_up"


def is_warm_up(request) -> bool:
    """Whether ``request`` is one of warm_up()'s own (its page is not kept)."""
    return bool(request.META.get(WARM_UP_ENVIRON_KEY))


def _host() -> str:
    """A host name the server accepts (ALLOWED_HOSTS), for the warm-up requests."""
    for host in settings.ALLOWED_HOSTS:
        host = host.lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def warm_up_paths() -> list[str]:
    """The pages whose first rendering loads what every other page of their kind reuses."""
    from archive.models import Meeting, MemberState, Resolution, Speech

    # A narrow query: it loads the catalogue and the filter choices, and (unlike a broad one,
    # see archive.search.search_page_data) leaves nothing in the cache.
    paths = ["/", "/search/?q=ceasefire", "/states/"]
    meeting = Meeting.objects.with_record().order_by("-date").first()
    if meeting is not None:
        paths.append(meeting.get_absolute_url())
    state = MemberState.objects.filter(iso3="USA").first() or MemberState.objects.first()
    if state is not None:
        paths += [state.get_absolute_url(), state.get_absolute_url() + "statements/"]
        filters = f"q=ceasefire&state={state.slug}"
        if meeting is not None and meeting.date:
            filters += f"&year={meeting.date.year}"
        paths += [f"/search/?{filters}", f"/search.csv?{filters}"]
    resolution = Resolution.objects.order_by("-year", "-number").first()
    if resolution is not None:
        paths.append(resolution.get_absolute_url())
    speech = Speech.objects.order_by("-pk").values_list("pk", flat=True).first()
    if speech is not None:
        paths.append(f"/speeches/{speech}/")
    return paths


def warm_up() -> dict[str, int]:
    """Render the warm-up pages once (statuses by path); close the database connections."""
    from django.test import Client

    started = time.monotonic()
    statuses: dict[str, int] = {}
    try:
        client = Client(SERVER_NAME=_host(), **{WARM_UP_ENVIRON_KEY: True})
        secure = not (settings.DEBUG or getattr(settings, "PLAIN_HTTP", False))
        for path in warm_up_paths():
            response = client.get(path, secure=secure)
            if response.streaming:
                for _chunk in response.streaming_content:
                    pass
            statuses[path] = response.status_code
    except Exception:  # noqa: BLE001 - a cold worker is slower, never down
        logger.warning("Warm-up failed; the workers start cold", exc_info=True)
    finally:
        # Forked workers must never share the parent's database connections.
        connections.close_all()
    logger.info(
        "Warmed up in %.1f s: %s",
        time.monotonic() - started,
        ", ".join(f"{path} {status}" for path, status in statuses.items()),
    )
    return statuses
