"""Diplo's one settings file. Everything that differs between machines comes
from the environment; with nothing set, Diplo runs on a local SQLite file."""

import importlib.util
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_flag("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=1 for local development only)."
        )
    SECRET_KEY = "insecure-development-key-never-used-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "events",
]

MIDDLEWARE = [
    # Outermost, so that every answer Django gives carries them: a redirect that adds a trailing
    # slash, a refused Host header and a static file as well as a page.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Says whether this request may read from the read replica (diplo/routers.py); before the
    # session is read, so a signed-in editor's session and pages come from the primary.
    "diplo.middleware.ReadReplicaMiddleware",
    # Above sessions and CSRF, so it sees the cookies and Vary they add: anonymous public pages
    # become cacheable by a proxy or CDN, anything personal is marked private.
    "diplo.middleware.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Above every view: a NUL in the address is a 400 before it can reach PostgreSQL, which cannot compare it.
    "diplo.middleware.RefuseNulCharactersMiddleware",
    # Public pages are only read: any other method is a 405, before CSRF's check refuses it as a forgery.
    "diplo.middleware.PublicPagesAreReadOnlyMiddleware",
    # A database that is down is a plain 503 page with Retry-After, not a 500 for every visitor.
    "diplo.middleware.DatabaseUnavailableMiddleware",
    # Records who changed what for django-simple-history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns locked-out sign-ins into a response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out account or address is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "diplo.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "diplo.wsgi.application"

# DATABASE_URL unset means the embedded SQLite file, so a new user needs no server.
conn_max_age = int(os.environ.get("CONN_MAX_AGE", "60"))
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=conn_max_age,
        conn_health_checks=True,
    )
}

# SQLite lets one connection write at a time. By default a transaction takes the write lock only
# when it first writes, and one that already read is then refused at once ("database is locked")
# if another holds it: two editors saving together got 503s. IMMEDIATE takes the lock as the
# transaction begins, where a busy writer is waited for, up to `timeout` seconds (less than
# gunicorn's worker timeout, so a long wait ends in a 503, not a killed worker). WAL lets
# pages be read while a save is written, and leaves no rollback journal behind a failed write,
# which readers of a file that has become read-only could not roll back: they would all fail.
# (A reader needs the -wal and -shm files beside the file, or a folder where it can make them.)
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}

# Where `manage.py export_archive` writes the whole-archive downloads, which /about/data/ links and serves.
DIPLO_DOWNLOADS_DIR = Path(os.environ.get("DIPLO_DOWNLOADS_DIR", "").strip() or BASE_DIR / "downloads")

# A read replica of the primary, if one is named; who reads from it, and why: diplo/routers.py.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
DATABASE_ROUTERS = []
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=conn_max_age, conn_health_checks=True
    )
    # Tests make no database of their own for the replica: it is the test database under another name.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["diplo.routers.PrimaryReplicaRouter"]


def cache_from_url(url):
    """Django's CACHES["default"] for CACHE_URL: unset, a cache in each process's memory.

    redis:// or rediss:// is Django's own Redis backend (needs `pip install redis`);
    memcached://host:port is its pymemcache backend (needs `pip install pymemcache`).
    """
    if not url:
        # Django's default of 300 entries is fewer than the items of six timeline pages (events/event_items.py
        # keeps each event's, about a kilobyte), so under a mix of pages the charts and counts were culled
        # and counted again within seconds. 5,000 such values are some 8 MB a process.
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5000}}
    parts = urlsplit(url)
    if parts.scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if parts.scheme == "memcached":
        if not parts.hostname:
            raise ImproperlyConfigured("CACHE_URL must name the memcached server: memcached://host:port")
        return {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": f"{parts.hostname}:{parts.port or 11211}",
        }
    # Only the scheme is shown: the rest of the address may hold a password.
    raise ImproperlyConfigured(
        f"CACHE_URL has the unsupported scheme {parts.scheme + '://' if parts.scheme else '(none)'}: "
        "use redis://, rediss:// or memcached://host:port, or leave CACHE_URL unset for a cache in each process."
    )


# The package each shared cache needs, which Diplo does not install.
CACHE_PACKAGES = {
    "django.core.cache.backends.redis.RedisCache": "redis",
    "django.core.cache.backends.memcached.PyMemcacheCache": "pymemcache",
}

CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL", "").strip())}
# Whole public pages (diplo/middleware.py), apart: a page is 50 to 100 times an item or a count, so a
# process's own memory bounds them by number on their own (some 10 MB). A shared cache bounds itself.
CACHES["pages"] = (
    {"BACKEND": CACHES["default"]["BACKEND"], "LOCATION": "pages", "OPTIONS": {"MAX_ENTRIES": 150}}
    if CACHES["default"]["BACKEND"].endswith("LocMemCache")
    else dict(CACHES["default"])
)
_cache_package = CACHE_PACKAGES.get(CACHES["default"]["BACKEND"])
if _cache_package and importlib.util.find_spec(_cache_package) is None:
    raise ImproperlyConfigured(
        f"CACHE_URL names a cache that needs the {_cache_package} package, which is not installed: "
        f"pip install {_cache_package}"
    )

# Seconds a proxy or CDN may keep an anonymous visitor's public page (Cache-Control: public), and
# the site itself, in the cache above, until any record changes (diplo/middleware.py).
# 0 sends no Cache-Control on them and keeps none.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "60"))
if PAGE_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("PAGE_CACHE_SECONDS must be 0 (off) or a number of seconds.")
# SERVER_PAGE_CACHE=0: the site keeps no page itself, while the Cache-Control above still lets a
# proxy keep them; for measuring cold requests (bench/).
SERVER_PAGE_CACHE = env_flag("SERVER_PAGE_CACHE", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The archive: `manage.py loaddata diplo` loads fixtures/diplo.json.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

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

# Countries are django-countries' ISO 3166-1 list (events.models.country_choices); the European
# Union is not a country in it, but imposes sanctions and takes part in events as one party.
COUNTRIES_OVERRIDE = {"EU": "European Union"}

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Tests and DEBUG serve static files straight from static/, without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG or env_flag("DIPLO_PLAIN_STATIC")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed file names need collectstatic; DEBUG and tests serve files as they are.
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_flag("DIPLO_PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# HTTPS: on unless DEBUG; HTTPS=0 for a plain-HTTP deployment behind nothing (tests, benchmarks on loopback).
HTTPS = env_flag("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS and env_flag("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# A TLS-terminating proxy in front says so with this header.
if env_flag("BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# A form sent without its token gets the site's 403 page, saying what to do, not Django's bare one.
CSRF_FAILURE_VIEW = "diplo.views.csrf_failure"

# Pages carry no inline script or style, so the policy allows only the site's own files.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# django-axes: after five failed sign-ins, that account and that address are each locked for an hour.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Axes' own handler would forget every failure from the address too (diplo/lockout.py).
AXES_HANDLER = "diplo.lockout.AccountOnlyResetHandler"
AXES_LOCKOUT_TEMPLATE = "429.html"

# Adding a document (events/ingest.py). Pages saved from news sites run to a few hundred KB; a
# file or fetched page past the limit is refused before it is read whole. Uploads and pastes
# through deploy/nginx.conf are held to its own 2 MB first.
DIPLO_DOCUMENT_MAX_BYTES = int(os.environ.get("DIPLO_DOCUMENT_MAX_BYTES", str(5 * 1024 * 1024)))
# Seconds a fetch may take, all of it: connecting, each redirect and reading the body; well
# under gunicorn's 30 s worker timeout, so a slow site is an editor's message, not a killed worker.
DIPLO_FETCH_TIMEOUT = float(os.environ.get("DIPLO_FETCH_TIMEOUT", "15"))
# A fetched address on a private, loopback or link-local network is refused, so that an editor's
# URL cannot reach the server's own network; tests turn this on to fetch from 127.0.0.1.
DIPLO_FETCH_ALLOW_PRIVATE = env_flag("DIPLO_FETCH_ALLOW_PRIVATE")
# The read-only JSON API (events/api.py). Anonymous and read-only: no sign-in is read, so every
# caller is throttled by address, at DIPLO_API_RATE ("120/minute", "5000/day"), kept in the cache above.
DIPLO_API_RATE = os.environ.get("DIPLO_API_RATE", "120/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["events.api_policy.AddressRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "events.api_policy.errors_as_json",
    # The caller's address is REMOTE_ADDR, or behind the TLS proxy the one address it adds to
    # X-Forwarded-For: otherwise a caller could name any address there and never be throttled.
    "NUM_PROXIES": 1 if env_flag("BEHIND_TLS_PROXY") else 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Diplo API",
    "DESCRIPTION": "A read-only JSON API over Diplo's published events, people, organizations, sanctions, "
    "sources and topics, filtered as the site's pages are.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from the drf-spectacular-sidecar package, served as the site's own static
    # files: the Content-Security-Policy below allows no other origin.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Without deep links each operation's summary is one button, not a button with a link inside
    # (axe-core's nested-interactive), and the links' small targets go with them.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    # Each set of choices by its own name in the schema, not KindCb0Enum.
    "ENUM_NAME_OVERRIDES": {
        "EventKind": "events.models.Event.Kind",
        "OrganizationKind": "events.models.Organization.Kind",
        "SourceKind": "events.models.Source.Kind",
        "AliasKind": "events.models.Alias.Kind",
        "Country": "events.models.country_choices",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
