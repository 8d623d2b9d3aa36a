"""The site's own pages for a request it won't answer: 400 and 404 (handler400 and handler404 in
diplo/urls.py), and 403 for a form sent without its CSRF token (CSRF_FAILURE_VIEW)."""

from django.core.exceptions import BadRequest
from django.http import Http404
from django.shortcuts import render


class BadAddress(BadRequest):
    """A 400 whose message is written for the visitor: the 400 page shows it."""


class NotFound(Http404):
    """A 404 whose message is written for the visitor: the 404 page shows it."""


# Other exceptions' messages are not shown: they are Django's, written for developers ("No Event
# matches the given query.", the admin's), or repeat what was sent, such as a forged Host header.


def bad_request(request, exception):
    message = str(exception) if isinstance(exception, BadAddress) else ""
    return render(request, "400.html", {"message": message}, status=400)


def page_not_found(request, exception):
    message = str(exception) if isinstance(exception, NotFound) else ""
    return render(request, "404.html", {"message": message}, status=404)


def csrf_failure(request, reason=""):
    """A form sent without its CSRF token: the site's own 403 page, which says what to do."""
    return render(request, "403_csrf.html", status=403)
