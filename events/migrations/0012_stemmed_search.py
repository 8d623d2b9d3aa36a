"""Search finds a word's other forms: "sanctioned", "sanctions" and "sanction" are one word to it.

The search documents of migration 0005 are made again with a stemmer: PostgreSQL's 'english'
text search configuration (which also leaves out its stop words, "the", "of": events/search.py
drops them from queries on both databases), and on SQLite FTS5's Porter tokenizer around
unicode61, which still folds case and diacritics. SQLite's document now holds the quotes in the
order of their numbers, so the passages shown under a result can be cut back out of it
(events/search.py, `highlights`).

A later migration that makes Django rebuild events_event or events_citation on SQLite must use
this module's drop_sqlite_search and make_sqlite_search (not 0005's, which make the old documents).
"""

from importlib import import_module

from django.db import migrations

full_text_search = import_module("events.migrations.0005_full_text_search")


def search_document_function(configuration):
    return f"""
        CREATE OR REPLACE FUNCTION events_search_document(event_id bigint, head text) RETURNS tsvector
        LANGUAGE sql STABLE AS $$
            SELECT to_tsvector('{configuration}', translate(head || ' ' || coalesce(
                (SELECT string_agg(quote, ' ' ORDER BY id) FROM events_citation WHERE events_citation.event_id = $1),
                ''), '<>', '  '))
        $$
        """


REFRESH_POSTGRESQL = (
    "UPDATE events_event SET search_document = events_search_document(id, concat_ws(' ', title, summary, place))"
)

POSTGRESQL = {
    "forward": [search_document_function("english"), REFRESH_POSTGRESQL],
    "backward": [search_document_function("simple"), REFRESH_POSTGRESQL],
}

# The SQLite document of the event whose id is `{id}`: its title, summary and place, then its quotes in
# the order of their numbers (SQLite keeps a subquery's order in group_concat), joined by spaces.
DOCUMENT = (
    "SELECT e.id, e.title || ' ' || e.summary || ' ' || e.place || ' ' || coalesce("
    "(SELECT group_concat(quote, ' ') FROM (SELECT quote FROM events_citation c WHERE c.event_id = e.id ORDER BY c.id)),"
    " '') FROM events_event e"
)
SQLITE_REFRESH = (
    "DELETE FROM events_search WHERE rowid = {id};"
    f" INSERT INTO events_search(rowid, document) {DOCUMENT} WHERE e.id = {{id}};"
)
SQLITE = {
    "forward": [
        "CREATE VIRTUAL TABLE events_search USING fts5(document, tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER events_event_search_insert AFTER INSERT ON events_event BEGIN"
        f" {SQLITE_REFRESH.format(id='new.id')} END",
        f"CREATE TRIGGER events_event_search_update AFTER UPDATE OF title, summary, place ON events_event BEGIN"
        f" {SQLITE_REFRESH.format(id='new.id')} END",
        "CREATE TRIGGER events_event_search_delete AFTER DELETE ON events_event BEGIN"
        " DELETE FROM events_search WHERE rowid = old.id; END",
        f"CREATE TRIGGER events_citation_search_insert AFTER INSERT ON events_citation WHEN new.event_id IS NOT NULL"
        f" BEGIN {SQLITE_REFRESH.format(id='new.event_id')} END",
        f"CREATE TRIGGER events_citation_search_delete AFTER DELETE ON events_citation WHEN old.event_id IS NOT NULL"
        f" BEGIN {SQLITE_REFRESH.format(id='old.event_id')} END",
        f"CREATE TRIGGER events_citation_search_update AFTER UPDATE OF quote, event_id ON events_citation BEGIN"
        f" {SQLITE_REFRESH.format(id='old.event_id')} {SQLITE_REFRESH.format(id='new.event_id')} END",
        f"INSERT INTO events_search(rowid, document) {DOCUMENT}",
    ],
    # The same names as 0005's: dropping either version is the same.
    "backward": full_text_search.SQLITE["backward"],
}


def drop_sqlite_search(apps, schema_editor):
    """For a later migration that makes Django rebuild events_event or events_citation: run it
    first, and make_sqlite_search last, so SQLite's triggers never meet a table being rebuilt."""
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE["backward"]:
            schema_editor.execute(statement)


def make_sqlite_search(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE["forward"]:
            schema_editor.execute(statement)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRESQL["forward"]:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        full_text_search.drop_sqlite_search(apps, schema_editor)
        make_sqlite_search(apps, schema_editor)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRESQL["backward"]:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        drop_sqlite_search(apps, schema_editor)
        full_text_search.make_sqlite_search(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("events", "0011_actor_name_words")]

    operations = [migrations.RunPython(forward, backward)]
