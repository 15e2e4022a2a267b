"""Read replicas and HTTP caching for the public site.

``ReadReplicaMiddleware`` sends an anonymous visitor's reads to a replica and everyone who may
have just written (signed-in staff, the admin, any POST, and for a short while after a POST)
to the primary, so staff see their own import at once.

``PublicCacheMiddleware`` gives the public pages validators derived from the archive's last
change (``ArchiveState``: one primary-key read, reused for a second or two per worker), answers
conditional requests with 304 *before* the view runs, and marks anonymous pages cacheable by
shared caches. Admin pages and anything seen by a signed-in person are ``private, no-store``.

It also keeps each rendered public page in the shared cache (the database cache every worker
reads), keyed by its URL and the archive's ETag: the next anonymous visitor gets it for one
primary-key read instead of its queries and template work (most of a page's cost, measured with
``bench/profile_pages.py``), and the first change to the archive retires every copy, since
the ETag names the archive's version. This is the cache nginx keeps in front, inside the app
servers as well: it serves deployments without one, and misses in nginx's cache.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import http_date

from archive import db_router
from archive.models import ArchiveState
from archive.urlcache import cached_reverse
from archive.warmup import is_warm_up

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_NAMESPACE = "archive"


@dataclass(frozen=True)
class Validators:
    """What a public page's ETag and Last-Modified are made of."""

    etag: str
    last_modified: datetime | None


_state_cache: dict[str, tuple[float, Validators]] = {}
_state_lock = threading.Lock()


def archive_validators(*, using: str) -> Validators:
    """Validators for the archive as ``using`` holds it (one indexed query, briefly cached)."""
    now = time.monotonic()
    ttl = settings.ARCHIVE_STATE_CACHE_SECONDS
    cached = _state_cache.get(using)
    if cached and ttl > 0 and now < cached[0]:
        return cached[1]
    state = ArchiveState.objects.using(using).filter(pk=1).values_list("version", "changed_at")
    version, changed_at = state.first() or (0, None)
    stamp = changed_at.isoformat() if changed_at else "never"
    digest = hashlib.sha256(f"{settings.ARCHIVE_RELEASE}|{version}|{stamp}".encode()).hexdigest()
    # Weak: pages are equivalent for a given archive state, not byte-identical through gzip.
    validators = Validators(etag=f'W/"{digest[:24]}"', last_modified=changed_at)
    with _state_lock:
        _state_cache[using] = (now + ttl, validators)
    return validators


def clear_validator_cache() -> None:
    """Forget the cached validators (tests, or after a bulk change in this process)."""
    with _state_lock:
        _state_cache.clear()


def _admin_prefix() -> str:
    # Asked up to three times a request (both middlewares): remembered, not re-reversed.
    return cached_reverse("admin:index")


# Signed with SECRET_KEY and this salt, and only honoured while fresh: a forged or replayed
# "archive_fresh=1" changes neither caching nor routing.
FRESH_COOKIE_SALT = "archive.middleware.read-your-writes"


def just_wrote(request: HttpRequest) -> bool:
    """Whether this visitor posted something within READ_YOUR_WRITES_SECONDS (signed cookie)."""
    cached = getattr(request, "_archive_just_wrote", None)
    if cached is None:
        cached = (
            settings.READ_YOUR_WRITES_COOKIE in request.COOKIES
            and request.get_signed_cookie(
                settings.READ_YOUR_WRITES_COOKIE,
                default=None,
                salt=FRESH_COOKIE_SALT,
                max_age=settings.READ_YOUR_WRITES_SECONDS,
            )
            is not None
        )
        request._archive_just_wrote = cached
    return cached


def reads_need_primary(request: HttpRequest) -> bool:
    """Whether this request must see the primary: it writes, or its sender may just have."""
    if request.method not in SAFE_METHODS:
        return True
    if request.path.startswith(_admin_prefix()):
        return True
    if just_wrote(request):
        return True
    # A session cookie that is not a valid signed-in session leaves the visitor anonymous.
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


_WELL_FORMED_CSRF = re.compile(r"[a-zA-Z0-9]{32}|[a-zA-Z0-9]{64}")


def _drop_repairs_of_forged_cookies(request: HttpRequest, response: HttpResponse) -> None:
    """Forget the Set-Cookie that Django adds to repair a cookie the site never issued.

    Any visitor can send ``sessionid=anything`` or ``csrftoken=junk``: SessionMiddleware then
    deletes the first, CsrfViewMiddleware replaces the second, and that Set-Cookie would make
    a public page private (a shared cache must never hand a cookie to someone else). The
    browser keeps its meaningless cookie, harmlessly; the page stays public. A public page
    never needs a CSRF token (the public site only answers GET).
    """
    session = settings.SESSION_COOKIE_NAME
    morsel = response.cookies.get(session)
    if morsel is not None and not morsel.value and session in request.COOKIES:
        del response.cookies[session]
    csrf = settings.CSRF_COOKIE_NAME
    sent = request.COOKIES.get(csrf)
    if csrf in response.cookies and sent is not None and not _WELL_FORMED_CSRF.fullmatch(sent):
        del response.cookies[csrf]


def _streaming_in(alias: str, content: Iterable[bytes]) -> Iterator[bytes]:
    # A streamed CSV is read after the view returns: keep its queries on the same server.
    with db_router.reads_from(alias):
        yield from content


class ReadReplicaMiddleware:
    """Route each request's reads to one replica, or to the primary for staff and writers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        alias = db_router.PRIMARY if reads_need_primary(request) else db_router.choose_replica()
        request.archive_read_alias = alias
        with db_router.reads_from(alias):
            response = self.get_response(request)
        if response.streaming:
            response.streaming_content = _streaming_in(alias, response.streaming_content)
        if request.method not in SAFE_METHODS and response.status_code < 500:
            response.set_signed_cookie(
                settings.READ_YOUR_WRITES_COOKIE,
                "1",
                salt=FRESH_COOKIE_SALT,
                max_age=settings.READ_YOUR_WRITES_SECONDS,
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Lax",
            )
        return response


class PublicCacheMiddleware:
    """ETag/Last-Modified, 304s and shared-cache headers for anonymous GETs of public pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if reads_need_primary(request):
            # Admin pages, POSTs, signed-in staff, fresh writers: never stored anywhere.
            add_never_cache_headers(response)
            return response
        validators = getattr(request, "archive_validators", None)
        if validators is None or response.status_code not in (200, 304):
            return response
        _drop_repairs_of_forged_cookies(request, response)
        _keep_page(request, response)
        if response.cookies:
            # A Set-Cookie (CSRF token, say) must never be shared through a cache.
            patch_cache_control(response, private=True, no_cache=True)
            return response
        if not response.has_header("ETag"):
            response.headers["ETag"] = validators.etag
        if validators.last_modified and not response.has_header("Last-Modified"):
            response.headers["Last-Modified"] = http_date(validators.last_modified.timestamp())
        if not response.has_header("Cache-Control"):
            patch_cache_control(
                response,
                public=True,
                max_age=settings.PUBLIC_CACHE_MAX_AGE,
                s_maxage=settings.PUBLIC_CACHE_SHARED_MAX_AGE,
                stale_while_revalidate=settings.PUBLIC_CACHE_STALE_WHILE_REVALIDATE,
            )
        # A standards-following cache then never hands an anonymous copy to a signed-in person.
        patch_vary_headers(response, ["Cookie"])
        if response.status_code == 200:
            # If-Match / If-Unmodified-Since on the finished response, as ConditionalGetMiddleware.
            response = get_conditional_response(
                request,
                etag=response.headers["ETag"],
                last_modified=validators.last_modified
                and int(validators.last_modified.timestamp()),
                response=response,
            )
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        """Answer a conditional GET or HEAD with 304 before the view builds the page."""
        match = request.resolver_match
        # Every public view answers GET and HEAD alike (require_safe).
        if request.method not in ("GET", "HEAD") or match is None:
            return None
        if match.namespace != PUBLIC_NAMESPACE or reads_need_primary(request):
            return None
        if getattr(view_func, "changes_without_archive_version", False):
            return None  # its content follows something else (the bulk build): no 304, not kept
        alias = getattr(request, "archive_read_alias", db_router.current_read_alias())
        validators = archive_validators(using=alias)
        request.archive_validators = validators
        conditional = get_conditional_response(
            request,
            etag=validators.etag,
            last_modified=validators.last_modified and int(validators.last_modified.timestamp()),
        )
        return conditional or _kept_page(request, validators)


# Response headers a kept page is served with again (the caching headers are set anew).
_KEPT_HEADERS = ("Content-Type", "Content-Language")
KEPT_HEADER = "X-Archive-Page"


def _kept_page(request: HttpRequest, validators: Validators) -> HttpResponse | None:
    """The page as rendered for this URL and archive version, if it was kept."""
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method != "GET" or is_warm_up(request):
        return None
    url = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    key = f"archive-page:{validators.etag}:{url}"
    try:
        kept = cache.get(key)
    except DatabaseError:
        logger.warning("Page cache unavailable; rendering %s", request.path, exc_info=True)
        return None
    if kept is None:
        request.archive_page_key = key  # _keep_page stores the page the view renders
        return None
    content, headers, *packing = kept
    if packing == ["zlib"]:
        content = zlib.decompress(content)
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    # Says the page was not rendered for this request (benchmarks of cold pages check it).
    response[KEPT_HEADER] = "kept"
    return response


def _keep_page(request: HttpRequest, response: HttpResponse) -> None:
    """Keep a freshly rendered anonymous page for the next visitor (see _kept_page).

    The page is stored once it has been sent: the server closes the response after writing
    its last byte (WSGI), and the closers run then. The visitor does not wait for a write that
    serves the next one (2-3 ms a page: compression and one statement).
    """
    key = getattr(request, "archive_page_key", None)
    if (
        key is None
        or response.status_code != 200
        or response.streaming
        or response.cookies
        or not response.get("Content-Type", "").startswith("text/html")
        or len(response.content) > settings.PAGE_CACHE_MAX_BYTES
    ):
        return
    headers = [(name, response[name]) for name in _KEPT_HEADERS if response.has_header(name)]
    # HttpResponse.close() runs these, then sends request_finished (Django closes files so).
    response._resource_closers.append(
        functools.partial(_store_page, key, response.content, headers, request.path)
    )


def _store_page(key: str, content: bytes, headers: list, path: str) -> None:
    # Compressed here (1-2 ms for a record's 90 kB): PostgreSQL's own TOAST compression of the
    # same value cost 4-5 ms of its CPU per page kept, and the read moves a third of the bytes.
    try:
        cache.set(key, (zlib.compress(content, 1), headers, "zlib"), settings.PAGE_CACHE_SECONDS)
    except DatabaseError:
        logger.warning("Page cache unavailable; %s not kept", path, exc_info=True)
    except Exception:
        # Django silences what a closer raises: say it here.
        logger.exception("Page %s not kept", path)
