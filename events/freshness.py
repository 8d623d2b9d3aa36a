"""The archive's version: one number, raised in the same transaction as every change to its
records, that the caches of rendered pages and event items are keyed by (events.models.ArchiveVersion).

Kept in the database rather than the cache because the default cache is each process's own memory:
a change saved by one gunicorn worker must make every worker's copies stale at once. Reading it is
one small query; a page served from the cache costs that query and one cache read."""

from django.db import router
from django.db.models import F

from .models import ArchiveVersion


def current(using=None):
    """The archive's version now: 0 if its row is missing (a database flushed by a test)."""
    using = using or router.db_for_read(ArchiveVersion)
    return ArchiveVersion.objects.using(using).values_list("number", flat=True).first() or 0


def bump(using=None):
    """Raise the version, in the caller's transaction: what was cached before it is not read again
    once the change commits, by any process."""
    using = using or router.db_for_write(ArchiveVersion)
    if not ArchiveVersion.objects.using(using).filter(pk=1).update(number=F("number") + 1):
        ArchiveVersion.objects.using(using).update_or_create(pk=1, defaults={"number": 2})
