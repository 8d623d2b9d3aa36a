"""The whole-archive download: every public record of the events app as a fixture (the JSON of
`dumpdata`, loadable with `loaddata`) and as a SQLite file of Diplo's own schema, written by
`manage.py export_archive` into settings.DIPLO_DOWNLOADS_DIR and linked from /about/data/.

Both are made from one copy: the records are copied into a new SQLite database, migrated as
Diplo's own (its search index and triggers included), the drafts and the links to them are
removed there, and the fixture is dumped from that copy, so the two files hold the same records.
Each file is written under a temporary name and renamed when complete: the page never links half
a file.
"""

import contextlib
import datetime
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connections, transaction
from django.db.utils import load_backend

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


def labels(models):
    return [f"{model._meta.app_label}.{model.__name__}" for model in models]


def export_archive(directory, stdout=None):
    """Writes FIXTURE and SQLITE into `directory`; returns {model label: rows} of what they hold."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    quiet = {"verbosity": 0}
    with tempfile.TemporaryDirectory(dir=directory) as work:
        work = Path(work)
        # JSON Lines: loaddata reads it a record at a time, where a JSON file is read whole.
        copied = work / "records.jsonl"
        call_command(
            "dumpdata", "events", exclude=labels(left_out()), format="jsonl", output=str(copied), **quiet
        )
        database = work / SQLITE
        with sqlite_database(database) as alias:
            call_command("loaddata", str(copied), database=alias, **quiet)
            with transaction.atomic(using=alias):
                remove_drafts(alias)
                for model in history_models():
                    # Deleting the drafts wrote history rows in the copy; no history is published.
                    model.objects.using(alias).all().delete()
            fixture = work / FIXTURE
            call_command(
                "dumpdata", "events", exclude=labels(left_out()), database=alias, format="json", indent=1,
                output=str(fixture), **quiet,
            )
            counts = {label: model.objects.using(alias).count() for label, model in zip(labels(exported_models()), exported_models(), strict=True)}
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
