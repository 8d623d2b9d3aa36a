"""Full-text search over events (title, summary, place) and citations (quote).

PostgreSQL: GIN indexes over to_tsvector('simple', ...) expressions. A query uses the very same
expressions (events/search.py), so the indexes stay true by themselves and need no triggers.

SQLite: FTS5 tables holding no text of their own (content=...), kept in step by triggers.
A later migration that makes Django rebuild events_event or events_citation on SQLite (it
copies the table and drops the old one) drops these triggers with it: such a migration must
run this one's forward SQL again. The search tests would catch the omission.

"simple" on PostgreSQL and unicode61 on SQLite both split words on anything that is not a
letter or digit and lowercase them, without stemming, so both databases find the same events.
"""

from django.db import migrations

POSTGRESQL = {
    "forward": [
        "CREATE INDEX event_search_idx ON events_event"
        " USING gin (to_tsvector('simple', title || ' ' || summary || ' ' || place))",
        "CREATE INDEX citation_search_idx ON events_citation USING gin (to_tsvector('simple', quote))",
    ],
    "backward": ["DROP INDEX event_search_idx", "DROP INDEX citation_search_idx"],
}


def fts5(table, columns):
    """The FTS5 table and triggers that index `columns` of `table`."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    fts = f"{table}_fts"
    delete_old = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
    insert_new = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"
    return {
        "forward": [
            f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', content_rowid='id',"
            " tokenize='unicode61 remove_diacritics 2')",
            f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert_new} END",
            f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete_old} END",
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {names} ON {table} BEGIN {delete_old} {insert_new} END",
            f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
        ],
        "backward": [
            f"DROP TRIGGER {fts}_insert",
            f"DROP TRIGGER {fts}_delete",
            f"DROP TRIGGER {fts}_update",
            f"DROP TABLE {fts}",
        ],
    }


SQLITE = [fts5("events_event", ["title", "summary", "place"]), fts5("events_citation", ["quote"])]

# The topic filter reads the events of a few topics; this index holds both columns it needs.
TOPIC_INDEX = {
    "forward": ["CREATE INDEX event_topics_topic_event_idx ON events_event_topics (topic_id, event_id)"],
    "backward": ["DROP INDEX event_topics_topic_event_idx"],
}


def statements(vendor, direction):
    if vendor == "postgresql":
        parts = [POSTGRESQL]
    elif vendor == "sqlite":
        parts = SQLITE
    else:
        parts = []
    return [statement for part in [*parts, TOPIC_INDEX] for statement in part[direction]]


def forward(apps, schema_editor):
    for statement in statements(schema_editor.connection.vendor, "forward"):
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    for statement in statements(schema_editor.connection.vendor, "backward"):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("events", "0004_timeline_and_lookup_indexes")]

    operations = [migrations.RunPython(forward, backward)]
