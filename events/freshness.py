"""The archive's version: one number, raised in the same transaction as every change to its
records, that the caches of rendered pages and event items are keyed by (events.models.ArchiveVersion).

Kept in the database rather than the cache because the default cache is each process's own memory:
a change saved by one gunicorn worker must make every worker's copies stale at once. Reading it is
one small query; a page served from the cache costs that query and one cache read."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import router
from django.db.models import F

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
    number = ArchiveVersion.objects.using(using).values_list("number", flat=True).first() or 0
    if read is not None:
        read[using] = number
    return number


def remember(number, using=None):
    """Takes `number` as the version current() gives for the rest of the request: one read with
    other rows (events/chart.py reads it with its counts) saves a query of its own."""
    read = _read_in_request.get()
    if read is not None:
        read[using or router.db_for_read(ArchiveVersion)] = number


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
