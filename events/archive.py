"""The whole-archive download: every public record of the events app as a fixture (the JSON of
`dumpdata`, loadable with `loaddata`) and as a SQLite file of Diplo's own schema, written by
`manage.py export_archive` into settings.DIPLO_DOWNLOADS_DIR and linked from /about/data/.

Both are made from one copy: the records are copied into a new SQLite database, migrated as
Diplo's own (its search index and triggers included), the drafts and the links to them are
removed there, and the fixture is written from that copy, so the two files hold the same records.
Each file is written under a temporary name and renamed when complete: the page never links half
a file.

Both steps read the records in chunks of CHUNK, in order of key, so the work is flat in memory and
in queries per record at a million events. `dumpdata` and `loaddata` would do the same work a
record at a time (a save each, and a query each for an event's topics): some 340 records a second,
five hours for a million events' seven million records.
"""

import contextlib
import datetime
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.db import connections, transaction
from django.db.utils import load_backend

from .exports import chunks
from .history import unrecorded

CHUNK = 2000
FIXTURE = "diplo-archive.json"
SQLITE = "diplo-archive.sqlite3"
# (file name, what it is, its media type), in the order the page lists them.
FILES = (
    (FIXTURE, "Fixture (JSON, Django's dumpdata format, for loaddata)", "application/json"),
    (SQLITE, "SQLite database of Diplo's schema", "application/vnd.sqlite3"),
)


def history_models():
    """The app's history tables: the editors' record of changes, with who made them, not published."""
    return [model for model in apps.get_app_config("events").get_models() if model._meta.model_name.startswith("historical")]


def left_out():
    """What the downloads leave out: the history, and the archive's version (a counter for caches, no record)."""
    return [*history_models(), apps.get_model("events", "ArchiveVersion")]


def exported_models():
    return [model for model in apps.get_app_config("events").get_models() if model not in left_out()]


@contextlib.contextmanager
def sqlite_database(path, alias="archive_copy"):
    """A database alias for a new SQLite file at `path`, migrated, for the length of the block.

    The connection is made here and named, not added to settings.DATABASES: it is this block's alone.
    """
    # configure_settings fills in Django's defaults for a database's settings.
    wanted = connections.configure_settings({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}})
    connections[alias] = load_backend(wanted["default"]["ENGINE"]).DatabaseWrapper(wanted["default"], alias)
    try:
        call_command("migrate", database=alias, verbosity=0, interactive=False)
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]


def remove_drafts(alias):
    """Deletes the drafts (unpublished events and sanctions) from the copy `alias`, and what points to
    them: a published record's link to a draft is not shown on the site either."""
    from .models import Event, Sanction, SanctionResponse

    draft_events = Event.objects.using(alias).filter(is_published=False)
    draft_sanctions = Sanction.objects.using(alias).filter(is_published=False)
    Sanction.objects.using(alias).filter(announced_in__in=draft_events).update(announced_in=None)
    SanctionResponse.objects.using(alias).filter(answers_event__in=draft_events).delete()
    SanctionResponse.objects.using(alias).filter(answers_sanction__in=draft_sanctions).delete()
    draft_sanctions.delete()
    draft_events.delete()


def linked_fields(model):
    """`model`'s many-to-many fields whose links are a table Django made for them (an event's topics)."""
    return [field for field in model._meta.local_many_to_many if field.remote_field.through._meta.auto_created]


def tables_of(models):
    """`models`, each followed by the tables of its many-to-many links."""
    found = []
    for model in models:
        found += [model, *(field.remote_field.through for field in linked_fields(model))]
    return found


def copy_records(alias):
    """Copies every record of exported_models() (and their many-to-many links) from the site's database
    into `alias`, as they are: the columns of each row, written in bulk. No signal is sent (so no
    history is written) and the copy's own triggers fill its search index."""
    with transaction.atomic(using=alias):
        # Django's SQLite tables check their foreign keys when the transaction commits, so a record
        # may come before the one it points to (a topic before its parent).
        for model in tables_of(exported_models()):
            for chunk in chunks(model._base_manager.all(), (), CHUNK):
                model._base_manager.using(alias).bulk_create(chunk)


class ArchiveSerializer(serializers.get_serializer("json")):
    """Django's JSON serializer (dumpdata's), told each record's many-to-many links by `links`
    ({field name: {record's key: [linked keys]}}, filled for each chunk) instead of a query each."""

    links = None

    def handle_m2m_field(self, obj, field):
        if field.remote_field.through._meta.auto_created:
            self._current[field.name] = self.links[field.name].get(obj.pk, [])


def linked_keys(model, keys, alias):
    """{field name: {key: [linked keys in order]}} for each many-to-many field of `model`, for the records `keys`."""
    found = {}
    for field in linked_fields(model):
        own, other = field.m2m_column_name(), field.m2m_reverse_name()
        rows = field.remote_field.through._base_manager.using(alias).filter(**{f"{own}__in": keys}).order_by(own, other).values_list(own, other)
        found[field.name] = {}
        for key, linked in rows:
            found[field.name].setdefault(key, []).append(linked)
    return found


def write_fixture(alias, path, serializer):
    """Writes every record of exported_models() in `alias` to `path` in dumpdata's JSON, model by
    model in the order dumpdata takes them, each in order of key."""

    def records():
        for model in exported_models():
            for chunk in chunks(model._base_manager.using(alias).all(), (), CHUNK):
                serializer.links = linked_keys(model, [record.pk for record in chunk], alias)
                yield from chunk

    with open(path, "w", encoding="utf-8") as written:
        serializer.serialize(records(), indent=1, stream=written)


def export_archive(directory, stdout=None):
    """Writes FIXTURE and SQLITE into `directory`; returns {model label: rows} of what they hold."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory) as work:
        work = Path(work)
        database = work / SQLITE
        with sqlite_database(database) as alias:
            copy_records(alias)
            with transaction.atomic(using=alias), unrecorded():  # no history is published
                remove_drafts(alias)
            write_fixture(alias, work / FIXTURE, ArchiveSerializer())
            counts = {model._meta.label: model.objects.using(alias).count() for model in exported_models()}
            with connections[alias].cursor() as cursor:
                cursor.execute("VACUUM")
        for name in (FIXTURE, SQLITE):
            os.replace(work / name, directory / name)
    return counts


@dataclass(frozen=True)
class Download:
    name: str
    description: str
    media_type: str
    size: int | None  # None: not made yet
    made: datetime.datetime | None

    @property
    def exists(self):
        return self.size is not None


def downloads():
    """Each of FILES as it stands in settings.DIPLO_DOWNLOADS_DIR (size None where it has not been made)."""
    found = []
    for name, description, media_type in FILES:
        path = Path(settings.DIPLO_DOWNLOADS_DIR) / name
        try:
            stat = path.stat()
        except OSError:
            found.append(Download(name, description, media_type, None, None))
            continue
        made = datetime.datetime.fromtimestamp(stat.st_mtime, tz=datetime.UTC)
        found.append(Download(name, description, media_type, stat.st_size, made))
    return found
