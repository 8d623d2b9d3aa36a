"""Nothing lost between databases: a full export reloads to identical data, and the migrations
run backwards to nothing and forwards again. `bin/test` runs these on SQLite and on PostgreSQL."""

import io

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection

from events.models import Event

# Real commits: `flush` and `migrate` cannot run inside the transaction an ordinary test is wrapped in.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def dump(*labels):
    out = io.StringIO()
    call_command("dumpdata", *labels, natural_foreign=True, indent=2, stdout=out)
    return out.getvalue()


def export_wipe_and_reimport(tmp_path, *labels):
    """Dumps `labels`, empties the whole database, loads the dump back; returns the dump."""
    exported = dump(*labels)
    call_command("flush", interactive=False, verbosity=0)
    assert not Event.objects.exists()
    path = tmp_path / "export.json"
    path.write_text(exported, encoding="utf-8")
    call_command("loaddata", path, verbosity=0)
    return exported


def test_exporting_the_archive_and_loading_it_into_an_empty_database_gives_identical_data(committed_archive, tmp_path):
    assert Event.objects.exists()

    exported = export_wipe_and_reimport(tmp_path, "events")

    # The historical tables are in both dumps, and empty: loading data is not an edit.
    assert dump("events") == exported


def test_the_history_of_edits_survives_an_export_and_reimport_unchanged(committed_archive, tmp_path):
    editor = User.objects.create_user("editor", password="a-long-editor-password", is_staff=True)
    event = Event.objects.get(slug="david-lammy-meets-wang-yi")
    event.title = "Lammy and Wang Yi meet in Beijing"
    event._history_user = editor
    event.save()
    event.topics.remove(event.topics.first())
    assert event.history.count() == 3

    # Users come too: each version names the editor who saved it.
    exported = export_wipe_and_reimport(tmp_path, "events", "auth.user")

    # Loading saves no history of its own, so the versions come back exactly as they were dumped.
    assert dump("events", "auth.user") == exported
    assert Event.objects.get(pk=event.pk).history.first().history_user.username == "editor"


def events_tables():
    return {model._meta.db_table for model in apps.get_app_config("events").get_models(include_auto_created=True)}


def test_the_migrations_run_back_to_nothing_and_forward_again():
    tables = events_tables()
    assert "events_historicalevent" in tables and "events_event_topics" in tables

    call_command("migrate", "events", "zero", verbosity=0)
    assert not tables & set(connection.introspection.table_names())

    call_command("migrate", verbosity=0)
    assert tables <= set(connection.introspection.table_names())
    call_command("loaddata", "diplo", verbosity=0)
    assert Event.objects.exists()


def test_every_model_change_has_its_migration():
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)  # exits non-zero if one is missing
