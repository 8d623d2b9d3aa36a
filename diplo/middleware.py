"""The site's own middleware: which requests may read from the read replica; three guards around
every request, one for addresses no page can use, one for methods no public page takes, one for
a database that is down; and anonymous visitors' public pages, kept in the site's cache and
marked with the Cache-Control that lets a proxy or CDN keep them."""

import hashlib
import logging

from django.conf import settings
from django.core.cache import caches
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import has_vary_header, patch_cache_control

from diplo.routers import reading_from_replica
from events import caching, freshness

logger = logging.getLogger(__name__)

ADMIN_PATH = "/admin/"  # where diplo/urls.py mounts the admin
API_PATH = "/api/"  # where it mounts the JSON API, which answers in JSON even here
# Editors' pages outside the admin that take forms (events/workbench.py): staff only, like the admin.
EDITORS_FORMS_PATH = "/editors/"

# Seconds a visitor, or a crawler, is asked to wait before trying again while the database is down.
RETRY_AFTER = 30


def is_admin(request):
    return request.path_info.startswith(ADMIN_PATH)


def may_be_signed_in(request):
    """Whether the request carries a session cookie, as every signed-in user's does.

    Checked without reading the session, which would itself be a query (and one the
    replica might answer with a session it has not seen yet).
    """
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def may_read_from_replica(request):
    return request.method in {"GET", "HEAD"} and not is_admin(request) and not may_be_signed_in(request)


class ReadReplicaMiddleware:
    """Marks the requests whose reads may come from the replica: anonymous public GETs and HEADs.

    Why those and only those: diplo/routers.py.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with reading_from_replica(may_read_from_replica(request)):
            return self.get_response(request)


class RefuseNulCharactersMiddleware:
    """Answers 400 to any address whose path or query holds a NUL character (%00).

    No page accepts one, and PostgreSQL cannot compare text that contains one: psycopg
    raises DataError, a server error, wherever such a value reaches a query. The public
    filters already refuse NUL field by field; the admin's list filters and autocomplete
    do not, so it is refused here, once, before any view or query runs.
    """

    MESSAGE = "The address contains a NUL character (%00), which no part of this site accepts. Remove it and try again."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            if request.path_info.startswith(API_PATH):
                return JsonResponse({"detail": self.MESSAGE}, status=400)
            return render(request, "400.html", {"message": self.MESSAGE}, status=400)
        return self.get_response(request)


class PublicPagesAreReadOnlyMiddleware:
    """Answers 405, with the site's page and `Allow: GET, HEAD`, to any other method outside the
    admin and the editors' forms.

    No public page accepts anything. Without this an OPTIONS or a TRACE got the whole page, and a
    PUT or a DELETE the page for a form sent without its CSRF token, which says the wrong thing.
    """

    ALLOWED = ("GET", "HEAD")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in self.ALLOWED or is_admin(request) or request.path_info.startswith(EDITORS_FORMS_PATH):
            return self.get_response(request)
        response = render(request, "405.html", status=405)
        response["Allow"] = ", ".join(self.ALLOWED)
        return response


class DatabaseUnavailableMiddleware:
    """Answers 503 with a plain page, and Retry-After, when a view finds the database unreachable.

    Without it a stopped or restarting database is a 500 for every visitor. The page is
    rendered without the request, so no context processor runs and nothing touches the
    database. A broken connection is closed, so the next request opens a new one and the
    site recovers by itself when the database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error(
            "Database unavailable for %s %s: %s: %s",
            request.method,
            request.path,
            type(exception).__name__,
            str(exception).strip(),
        )
        close_broken_connections()
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response


def close_broken_connections():
    for connection in connections.all(initialized_only=True):
        # Inside a transaction (a test's, or ATOMIC_REQUESTS) closing is the transaction's business.
        if connection.in_atomic_block:
            continue
        try:
            connection.close()
        except Exception:  # A connection already dead can fail to close; it is dropped all the same.
            logger.warning("Could not close the %s database connection cleanly", connection.alias, exc_info=True)


class PublicPageCacheMiddleware:
    """Keeps an anonymous visitor's public page, and marks it cacheable by anyone, for PAGE_CACHE_SECONDS.

    A page qualifies when it is a GET or HEAD outside the admin, the editors' forms and the API,
    answered 200, for a request without a session or messages cookie, and the response sets no
    cookie, varies on nothing and has no Cache-Control of its own: then it is the same page for
    every visitor. It is kept in the site's cache of pages (CACHES["pages"]) under the archive's
    version and its full address (events/freshness.py), so the first change to any record makes every
    kept page stale at once, and a repeat visit costs a query for the version and a cache read (its answer says
    `X-Diplo-Cache: hit`). SERVER_PAGE_CACHE=0 turns that off; the Cache-Control stays.

    A reverse proxy or CDN may also serve it for `max-age` seconds without asking. Anything
    personal (a signed-in user's page, a response that sets or varies on a cookie) is marked
    `private`, so no shared cache keeps it. Error pages, other methods, and the admin (whose
    pages say `private, no-store` themselves) are left as they are. PAGE_CACHE_SECONDS=0 sends
    nothing on public pages and keeps none.

    The API is left out: its throttle counts every request, which a page served from here would skip.
    """

    HIT_HEADER = "X-Diplo-Cache"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with freshness.read_once_per_request():
            key = self.key(request) if self.may_keep(request) else None
            if key is not None and (kept := self.kept(key)) is not None:
                return kept
            response = self.get_response(request)
            if request.method not in {"GET", "HEAD"} or is_admin(request) or response.has_header("Cache-Control"):
                return response
            if may_be_signed_in(request) or response.cookies or has_vary_header(response, "Cookie"):
                patch_cache_control(response, private=True)
            elif response.status_code == 200 and settings.PAGE_CACHE_SECONDS > 0:
                patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_SECONDS)
                if key is not None and self.is_the_same_for_everyone(request, response):
                    self.keep(key, response)
            return response

    @staticmethod
    def may_keep(request):
        return (
            settings.SERVER_PAGE_CACHE
            and settings.PAGE_CACHE_SECONDS > 0
            and request.method in {"GET", "HEAD"}
            and not is_admin(request)
            and not request.path_info.startswith((EDITORS_FORMS_PATH, API_PATH))
            and not may_be_signed_in(request)
            # A message left for the next page (django.contrib.messages) is that visitor's own.
            and "messages" not in request.COOKIES
        )

    @staticmethod
    def key(request):
        """The page's key under the archive's version; None if the database cannot say its version, so
        that the view meets the fault and DatabaseUnavailableMiddleware answers 503, not this a 500."""
        try:
            version = freshness.current()
        except (OperationalError, InterfaceError):
            return None
        # The scheme and host are in it because a page may print its own absolute address (feeds, citations).
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        return f"page:{version}:{hashlib.sha256(address.encode()).hexdigest()}"

    @staticmethod
    def is_the_same_for_everyone(request, response):
        return (
            not response.streaming
            and not response.has_header("Vary")
            # A page whose scripts carry this request's CSP nonce matches only this response's header.
            and not getattr(request, "_csp_nonce", None)
        )

    @staticmethod
    def keep(key, response):
        caches["pages"].set(key, (response.status_code, list(response.items()), response.content), settings.PAGE_CACHE_SECONDS)

    def kept(self, key):
        try:
            status, headers, content = caches["pages"].get(key)
        except (TypeError, ValueError, *caching.UNREADABLE):  # missing (None), or stored in another shape
            return None
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        response[self.HIT_HEADER] = "hit"
        return response
