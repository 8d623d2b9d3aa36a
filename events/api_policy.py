"""How the API (events/api.py) treats every caller, named in settings.REST_FRAMEWORK: throttled by
address, and answered in JSON when refused. Apart from the views, which DRF's settings would
otherwise import while DRF itself is being imported."""

from django.conf import settings
from django.http import Http404
from rest_framework import exceptions
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import exception_handler

from diplo.views import BadAddress, NotFound


class AddressRateThrottle(AnonRateThrottle):
    """Anonymous callers, by address, at settings.DIPLO_API_RATE (read at each request, so a test or
    a deployment may change it without a restart of the class)."""

    def get_rate(self):
        return settings.DIPLO_API_RATE


def errors_as_json(exc, context):
    """DRF's handler, which answers in JSON, also for the messages the pages' own exceptions carry:
    a bad address (BadAddress, a 400) and a missing record or page (NotFound, a 404)."""
    if isinstance(exc, BadAddress):
        exc = exceptions.ParseError(str(exc))
    elif isinstance(exc, NotFound):
        exc = exceptions.NotFound(str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("There is no such record in the archive.")
    return exception_handler(exc, context)
