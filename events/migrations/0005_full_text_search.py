"""Full-text search over events: each event's title, summary and place and the quotes cited for it,
indexed as one document per event, kept in step by triggers.

PostgreSQL: a tsvector column, events_event.search_document, that Django's model does not know
about, with a GIN index. A row trigger sets it when an event is written; statement triggers on
events_citation recompute it for the events whose quotes changed (one UPDATE per bulk insert).
Because the document sits on the event's own row, the planner can read a rare word's events from
the index, or walk the timeline's index and test each row for a common word, stopping after a page.

SQLite: an FTS5 table, events_search, whose rowid is the event's id, kept by row triggers on both
tables. A later migration that makes Django rebuild events_event or events_citation on SQLite (it
copies the table and drops the old one) drops these triggers with it: such a migration must run
this one's forward SQL again. The search tests would catch the omission.

"simple" on PostgreSQL and unicode61 on SQLite both split words on anything that is not a letter
or digit and lowercase them, without stemming, so both databases find the same events.
PostgreSQL's parser would read "<...>" as markup and drop it (and all of "<script>...</script>"),
so "<" and ">" are made spaces first.
"""

from django.db import migrations

POSTGRESQL = {
    "forward": [
        "ALTER TABLE events_event ADD COLUMN search_document tsvector",
        """
        CREATE FUNCTION events_search_document(event_id bigint, head text) RETURNS tsvector
        LANGUAGE sql STABLE AS $$
            SELECT to_tsvector('simple', translate(head || ' ' || coalesce(
                (SELECT string_agg(quote, ' ' ORDER BY id) FROM events_citation WHERE events_citation.event_id = $1),
                ''), '<>', '  '))
        $$
        """,
        """
        CREATE FUNCTION events_event_search() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.search_document := events_search_document(NEW.id, concat_ws(' ', NEW.title, NEW.summary, NEW.place));
            RETURN NEW;
        END
        $$
        """,
        "CREATE TRIGGER events_event_search BEFORE INSERT OR UPDATE OF title, summary, place ON events_event"
        " FOR EACH ROW EXECUTE FUNCTION events_event_search()",
        """
        CREATE FUNCTION events_citation_search() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE events_event SET search_document = events_search_document(id, concat_ws(' ', title, summary, place))
            WHERE id IN (SELECT event_id FROM changed);
            RETURN NULL;
        END
        $$
        """,
        "CREATE TRIGGER events_citation_search_insert AFTER INSERT ON events_citation"
        " REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION events_citation_search()",
        "CREATE TRIGGER events_citation_search_delete AFTER DELETE ON events_citation"
        " REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION events_citation_search()",
        # An update can move a quote from one event to another: both events' documents change.
        "CREATE TRIGGER events_citation_search_update_old AFTER UPDATE ON events_citation"
        " REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION events_citation_search()",
        "CREATE TRIGGER events_citation_search_update_new AFTER UPDATE ON events_citation"
        " REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION events_citation_search()",
        "UPDATE events_event SET search_document = events_search_document(id, concat_ws(' ', title, summary, place))",
        "CREATE INDEX event_search_idx ON events_event USING gin (search_document)",
    ],
    "backward": [
        "DROP TRIGGER events_citation_search_insert ON events_citation",
        "DROP TRIGGER events_citation_search_delete ON events_citation",
        "DROP TRIGGER events_citation_search_update_old ON events_citation",
        "DROP TRIGGER events_citation_search_update_new ON events_citation",
        "DROP TRIGGER events_event_search ON events_event",
        "DROP FUNCTION events_citation_search()",
        "DROP FUNCTION events_event_search()",
        "DROP FUNCTION events_search_document(bigint, text)",
        "ALTER TABLE events_event DROP COLUMN search_document",
    ],
}

# The SQLite document of event `{id}`, written afresh.
SQLITE_REFRESH = (
    "DELETE FROM events_search WHERE rowid = {id};"
    " INSERT INTO events_search(rowid, document)"
    " SELECT e.id, e.title || ' ' || e.summary || ' ' || e.place || ' ' || coalesce("
    "(SELECT group_concat(quote, ' ') FROM events_citation c WHERE c.event_id = e.id), '')"
    " FROM events_event e WHERE e.id = {id};"
)
SQLITE = {
    "forward": [
        "CREATE VIRTUAL TABLE events_search USING fts5(document, tokenize='unicode61 remove_diacritics 2')",
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
        "INSERT INTO events_search(rowid, document)"
        " SELECT e.id, e.title || ' ' || e.summary || ' ' || e.place || ' ' || coalesce("
        "(SELECT group_concat(quote, ' ') FROM events_citation c WHERE c.event_id = e.id), '') FROM events_event e",
    ],
    "backward": [
        "DROP TRIGGER events_event_search_insert",
        "DROP TRIGGER events_event_search_update",
        "DROP TRIGGER events_event_search_delete",
        "DROP TRIGGER events_citation_search_insert",
        "DROP TRIGGER events_citation_search_delete",
        "DROP TRIGGER events_citation_search_update",
        "DROP TABLE events_search",
    ],
}

# The topic filter reads the events of a few topics; this index holds both columns it needs.
TOPIC_INDEX = {
    "forward": ["CREATE INDEX event_topics_topic_event_idx ON events_event_topics (topic_id, event_id)"],
    "backward": ["DROP INDEX event_topics_topic_event_idx"],
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


def statements(vendor, direction):
    parts = {"postgresql": [POSTGRESQL], "sqlite": [SQLITE]}.get(vendor, [])
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
