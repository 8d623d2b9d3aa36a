"""Two guards around every request: one for addresses no page can use, one for a database that is down."""

import logging

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# Seconds a visitor, or a crawler, is asked to wait before trying again while the database is down.
RETRY_AFTER = 30


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
            return render(request, "400.html", {"message": self.MESSAGE}, status=400)
        return self.get_response(request)


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
