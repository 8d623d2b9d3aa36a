"""The read replica: which reads may go to it, and the router that sends them.

This is where the replica policy is written down; the README and diplo/settings.py point here.

Set DATABASE_URL to the primary and DATABASE_REPLICA_URL to a streaming replica of it, and
diplo/settings.py adds the replica (alias `replica`, with the primary's connection settings)
and installs PrimaryReplicaRouter. Unset, there is one database and no router;
ReadReplicaMiddleware (diplo/middleware.py) then only sets a flag that nothing reads.

A replica lags behind the primary by a moment. A visitor cannot tell, but an editor who
saves a record and reads it back from the replica could see the old version. So reads go
to the replica only inside a request that ReadReplicaMiddleware has marked safe for it: a
GET or HEAD, outside the admin, from a visitor who carries no session cookie (everyone
signed in does). That is most of the traffic. Everything else reads from the primary: the
admin, any other method, anyone carrying a session cookie, management commands and the
shell, reads inside a transaction on the primary, and the rest of any request once it has
written anything. Writes and migrations go only to the primary.

Tests make no database of their own for the replica: settings mirror it to the test
database (`TEST: MIRROR`), and tests/test_scaling.py counts the queries each alias answers.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections

PRIMARY = "default"
REPLICA = "replica"

# False by default: outside a request marked safe, every read is from the primary.
_replica_allowed = ContextVar("diplo_replica_allowed", default=False)


@contextmanager
def reading_from_replica(allowed=True):
    """Within the block, reads may (or, with allowed=False, may not) go to the replica."""
    token = _replica_allowed.set(allowed)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


class PrimaryReplicaRouter:
    """Reads from the replica where allowed; writes, and migrations, only on the primary."""

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
        # The replica gets its tables by replicating the primary, never by migrating. Any other
        # database (the SQLite copy `export_archive` makes) is migrated as asked.
        return db != REPLICA
