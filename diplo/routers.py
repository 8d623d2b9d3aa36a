"""A read replica, when DATABASE_REPLICA_URL names one: who may read from it, and the router that sends them.

A replica lags behind the primary by a moment. That is fine for an anonymous visitor's
public page, and wrong for anyone who has just changed something: an editor saving a
record must see the saved version, not the replica's older one. So reads go to the
replica only inside a request that ReadReplicaMiddleware has marked safe for it: a GET or
HEAD, outside the admin, from a visitor who carries no session cookie (everyone signed in
does). Everything else reads from the primary: other requests, management commands, the
shell, and the rest of a request once it has written anything. Writes and migrations
always go to the primary.

Without DATABASE_REPLICA_URL the router is not installed (see diplo/settings.py) and the
middleware only sets a flag that nothing reads.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

PRIMARY = "default"
REPLICA = "replica"
ADMIN_PATH = "/admin/"  # where diplo/urls.py mounts the admin

# False by default: outside a request marked safe, every read is from the primary.
_replica_allowed = ContextVar("diplo_replica_allowed", default=False)


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


def replica_allowed():
    return _replica_allowed.get()


@contextmanager
def reading_from_replica(allowed=True):
    """Within the block, reads may (or, with allowed=False, may not) go to the replica."""
    token = _replica_allowed.set(allowed)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


class ReadReplicaMiddleware:
    """Marks the requests whose reads may come from the replica: anonymous public GETs and HEADs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with reading_from_replica(may_read_from_replica(request)):
            return self.get_response(request)


class PrimaryReplicaRouter:
    """Reads from the replica where allowed; writes, and migrations, only on the primary.

    Installed by diplo/settings.py only when DATABASE_REPLICA_URL adds the replica.
    """

    def db_for_read(self, model, **hints):
        if not _replica_allowed.get():
            return PRIMARY
        # A read inside a transaction on the primary belongs to that transaction.
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        # Whoever writes reads their own writes: the rest of this request reads from the primary.
        _replica_allowed.set(False)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary, so records from either may be related.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica gets its tables by replicating the primary, never by migrating.
        return db == PRIMARY
