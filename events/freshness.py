"""The archive's version: one number, raised in the same transaction as every change to its
records, that the caches of rendered pages and event items are keyed by (events.models.ArchiveVersion).

Kept in the database rather than the cache because the default cache is each process's own memory:
a change saved by one gunicorn worker must make every worker's copies stale at once. Reading it is
one small query; a page served from the cache costs that query and one cache read."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections, router
from django.db.models import F

from . import caching
from .models import ArchiveVersion

# The versions read during the request being answered, by database alias: the page cache, the
# chart, the counts and the event items all ask, and one query answers them all.
_read_in_request = ContextVar("archive_versions_read", default=None)


@contextmanager
def read_once_per_request():
    """Within it, current() reads each database's version once (diplo/middleware.py wraps each request)."""
    token = _read_in_request.set({})
    try:
        yield
    finally:
        _read_in_request.reset(token)


def current(using=None):
    """The archive's version now: 0 if its row is missing (a database flushed by a test)."""
    using = using or router.db_for_read(ArchiveVersion)
    read = _read_in_request.get()
    if read is not None and using in read:
        return read[using]
    # In SQL, not through the ORM: every page reads it first, and building the query cost more than running it.
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT {version_sql(using)}")
        [number] = cursor.fetchone()
    if read is not None:
        read[using] = number
    return number


def remember(number, using=None):
    """Takes `number` as the version current() gives for the rest of the request: one read with
    other rows (events/chart.py reads it with its counts) saves a query of its own."""
    read = _read_in_request.get()
    if read is not None:
        read[using or router.db_for_read(ArchiveVersion)] = number


def version_sql(using):
    """The archive's version as SQL, for a query that reads it with other values (current() reads it alone)."""
    table = connections[using].ops.quote_name(ArchiveVersion._meta.db_table)
    return f"COALESCE((SELECT MAX(number) FROM {table}), 0)"


def kept_with_version(key, shape, count, seconds, using):
    """The value of `shape` kept under `key` (None: nothing is kept) if it was counted at the archive's
    version now; else the value `count()` gives as (value, the version read in the same query, by
    version_sql), kept with that version for `seconds`. The request then uses the version read with the
    value, so a fresh count costs no query of its own."""
    kept = caching.read(key, (int, shape)) if key else None
    if kept is not None and kept[0] == current(using):
        return kept[1]
    value, version = count()
    remember(version, using)
    if key:
        caching.keep(key, (version, value), seconds)
    return value


def bump(using=None):
    """Raise the version, in the caller's transaction: what was cached before it is not read again
    once the change commits, by any process."""
    using = using or router.db_for_write(ArchiveVersion)
    read = _read_in_request.get()
    if read is not None:
        read.clear()  # read again after a change: the replica's reads too, which may lag behind it
    if not ArchiveVersion.objects.using(using).filter(pk=1).update(number=F("number") + 1):
        ArchiveVersion.objects.using(using).update_or_create(pk=1, defaults={"number": 2})


def record_changed(sender, using, **kwargs):
    """post_save and post_delete of every model of the archive (connected in apps.py)."""
    bump(using)


def records_linked(sender, action, using, **kwargs):
    """m2m_changed of every model of the archive: its links were added, removed or cleared."""
    if action.startswith("post_"):
        bump(using)
