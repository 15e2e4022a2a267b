"""Settings for Council Archive, read from the environment.

Safe by default: with nothing set, ``DEBUG`` is off and a ``SECRET_KEY`` (or a
``SECRET_KEY_FILE``) is required. ``make run`` keeps a generated key in ``var/secret_key`` and sets
``PLAIN_HTTP=1`` (loopback only: no HTTPS redirect, no Secure cookies, no HSTS); ``DEBUG=1``
is the development mode. Production sets ``SECRET_KEY``, ``ALLOWED_HOSTS`` and usually
``DATABASE_URL``.
"""

import datetime
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated environment variable."""
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Turn ``postgres://user:pass@host:port/name?sslmode=...`` into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL must be a postgres:// URL (PostgreSQL is the only database); "
            f"got scheme {parts.scheme!r}"
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    host = query.pop("host", None) or unquote(parts.hostname or "")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        "OPTIONS": query,
        "CONN_MAX_AGE": int(os.environ.get("CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
    }


DEBUG = env_bool("DEBUG", False)


def read_secret_key() -> str:
    """``SECRET_KEY``, else the contents of the file named by ``SECRET_KEY_FILE``."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = os.environ.get("SECRET_KEY_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"SECRET_KEY_FILE {path!r} cannot be read: {exc}") from exc
    return ""


_DEV_SECRET = "django-insecure-development-only-council-archive-key"
SECRET_KEY = read_secret_key() or ("" if not DEBUG else _DEV_SECRET)
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is off (or SECRET_KEY_FILE; DEBUG=1 for development)"
    )

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", LOOPBACK_HOSTS)

# Served over plain HTTP on this machine only (make run): no HTTPS redirect, no Secure cookies,
# no HSTS. Refused for any other host name, so that it cannot weaken a public deployment.
PLAIN_HTTP = env_bool("PLAIN_HTTP", False)
if PLAIN_HTTP and not set(ALLOWED_HOSTS) <= set(LOOPBACK_HOSTS):
    raise ImproperlyConfigured(
        "PLAIN_HTTP=1 is for serving on the loopback only; ALLOWED_HOSTS names other hosts"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # The admin with the staff home page (upload first, needs review): archive.admin_site.
    "archive.apps.ArchiveAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "archive",
    # Failed staff logins, counted per (username, client address): see archive/auth.py.
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # First after SecurityMiddleware, so that WhiteNoise's responses get the CSP too.
    "archive.security.SecurityHeadersMiddleware",
    "archive.security.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The prebuilt bulk downloads, as static files (archive.bulk_serve).
    "archive.bulk_serve.BulkFilesMiddleware",
    # Outermost after static files, so it sees the cookies and Vary that inner layers add.
    "archive.middleware.PublicCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Reads of signed-in staff, admin pages and writers go to the primary; the public's to replicas.
    "archive.middleware.ReadReplicaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out (username, address) before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "archive.urls"
WSGI_APPLICATION = "archive.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "archive.context_processors.downloads",
            ],
        },
    },
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}
else:
    DATABASES = {
        "default": {
            # Django's PostgreSQL backend, after starting pgserver under var/ if needed.
            "ENGINE": "archive.dbbackend",
            "NAME": os.environ.get("COUNCIL_ARCHIVE_DB_NAME", "archive"),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    }
# Streaming read replicas of the primary: replica_1, replica_2, ... (see docs/deployment.md).
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    _alias = f"replica_{_number}"
    DATABASES[_alias] = database_from_url(_url)
    # Tests see the primary through every alias instead of needing real replicas.
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
    # Names each connection in pg_stat_activity, so an operator can see who reads where.
    DATABASES[_alias]["OPTIONS"].setdefault("application_name", f"council-archive:{_alias}")
if len(DATABASES) > 1:
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "application_name", "council-archive:default"
    )
DATABASE_ROUTERS = ["archive.db_router.PrimaryReplicaRouter"]
# After any write (POST, ...) a visitor reads from the primary, past caches, for this long.
READ_YOUR_WRITES_COOKIE = "archive_fresh"
READ_YOUR_WRITES_SECONDS = int(os.environ.get("READ_YOUR_WRITES_SECONDS", 15))

if os.environ.get("COUNCIL_ARCHIVE_TEST_DB"):
    # Lets several test runs share one server without dropping each other's test database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["COUNCIL_ARCHIVE_TEST_DB"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"

# Where the shared real data lives (../shared/data beside the repository by default).
COUNCIL_ARCHIVE_DATA = Path(
    os.environ.get("COUNCIL_ARCHIVE_DATA", BASE_DIR.parent / "shared" / "data")
).resolve()

# Largest transcript a staff member may upload (50 MB, as staff read sizes: decimal units).
TRANSCRIPT_MAX_BYTES = int(os.environ.get("TRANSCRIPT_MAX_BYTES", 50_000_000))
# Uploads are parsed by a background worker (``manage.py db_worker``, Django's task framework
# backport with its database backend: archive.upload_jobs). At most TRANSCRIPT_PARSE_JOBS parse at
# once across every worker, each in a sandboxed child limited in memory and time.
TRANSCRIPT_PARSE_JOBS = int(os.environ.get("TRANSCRIPT_PARSE_JOBS", 2))
TRANSCRIPT_PARSE_MEMORY_MB = int(os.environ.get("TRANSCRIPT_PARSE_MEMORY_MB", 1024))
TRANSCRIPT_PARSE_SECONDS = float(os.environ.get("TRANSCRIPT_PARSE_SECONDS", 120))
# An upload parsed but neither imported nor discarded expires after this many hours
# (``manage.py cleanup_uploads``); a rejected file stays in quarantine this many days.
PENDING_UPLOAD_HOURS = float(os.environ.get("PENDING_UPLOAD_HOURS", 72))
QUARANTINE_DAYS = float(os.environ.get("QUARANTINE_DAYS", 30))
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "transcripts"],
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Security: strict by default when DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG and not PLAIN_HTTP:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The directive alone changes nothing until the domain owner submits it to the preload list.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Staff login throttling (django-axes, archive.auth). Failures count per (username, client
# address): an attacker elsewhere cannot lock the owner out, and behind a trusted proxy each
# visitor is told apart by the X-Forwarded-For the proxy appended.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # only that (username, address): archive.auth's tests hold it
AXES_CLIENT_IP_CALLABLE = "archive.auth.client_ip"
AXES_LOCKOUT_CALLABLE = "archive.auth.lockout_response"
AXES_VERBOSE = False
# Addresses (or networks) of the reverse proxies in front of gunicorn, e.g. "127.0.0.1".
# Empty: X-Forwarded-For is ignored, as any client can forge it.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])

# Downloads (archive.exports, archive.bulk). A public download of a list or a search holds at
# most EXPORT_MAX_ROWS rows (signed-in staff: EXPORT_MAX_ROWS_STAFF); at most
# EXPORT_MAX_STREAMS downloads stream at once across all workers (PostgreSQL advisory locks),
# the others are told to retry (downloads of at most EXPORT_SMALL_ROWS rows need no slot). Everything, and each year, is prebuilt under
# BULK_DOWNLOADS_ROOT by `manage.py build_bulk_downloads` and served as static files.
EXPORT_MAX_ROWS = int(os.environ.get("EXPORT_MAX_ROWS", 5000))
EXPORT_MAX_ROWS_STAFF = int(os.environ.get("EXPORT_MAX_ROWS_STAFF", 250_000))
# A stream is CPU-bound Python (about a millisecond a row): one per two cores keeps at least
# half of the CPU for the pages whatever the downloads do.
EXPORT_MAX_STREAMS = int(os.environ.get("EXPORT_MAX_STREAMS", max(1, (os.cpu_count() or 2) // 2)))
# Downloads of at most this many rows take no slot: they are over in well under a second.
EXPORT_SMALL_ROWS = int(os.environ.get("EXPORT_SMALL_ROWS", 500))
EXPORT_RETRY_AFTER_SECONDS = int(os.environ.get("EXPORT_RETRY_AFTER_SECONDS", 30))
BULK_DOWNLOADS_ROOT = Path(os.environ.get("BULK_DOWNLOADS_ROOT", BASE_DIR / "var" / "bulk"))
BULK_DOWNLOADS_URL = "/downloads/files/"
# The public site's address, for the permalinks inside the bulk files (none: site-relative).
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")

# Shared by every gunicorn worker (facet counts of searches, ...): PostgreSQL is already there,
# and a cache row costs one primary-key read. `manage.py createcachetable` makes the table.
CACHES = {
    "default": {
        "BACKEND": "archive.cache_backend.ArchiveDatabaseCache",
        "LOCATION": "cache_entries",
        "TIMEOUT": 600,
        "OPTIONS": {"MAX_ENTRIES": 20000, "CULL_FREQUENCY": 4},
    }
}

# HTTP caching of the public pages (archive.middleware.PublicCacheMiddleware).
PUBLIC_CACHE_MAX_AGE = int(os.environ.get("PUBLIC_CACHE_MAX_AGE", 60))  # browsers
PUBLIC_CACHE_SHARED_MAX_AGE = int(os.environ.get("PUBLIC_CACHE_SHARED_MAX_AGE", 300))  # CDN, proxy
PUBLIC_CACHE_STALE_WHILE_REVALIDATE = int(os.environ.get("PUBLIC_CACHE_STALE_WHILE_REVALIDATE", 60))
# How long a worker reuses the archive's last-change stamp before reading it again.
ARCHIVE_STATE_CACHE_SECONDS = float(os.environ.get("ARCHIVE_STATE_CACHE_SECONDS", 2))
# Rendered public pages kept in the shared cache for anonymous visitors, keyed by URL and the
# archive's version (so an import retires them at once); 0 turns this off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 300))
PAGE_CACHE_MAX_BYTES = int(os.environ.get("PAGE_CACHE_MAX_BYTES", 512 * 1024))
# Part of every ETag: set it to the deployed commit so a new release invalidates cached pages.
ARCHIVE_RELEASE = os.environ.get("ARCHIVE_RELEASE", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
