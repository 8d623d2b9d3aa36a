"""PostgreSQL's text-search parser reads "<...>" as a markup tag and drops it, and drops all of
"<script>...</script>": a title "Talks on <Hong Kong>" would not be found by "Hong". The indexed
expressions now turn "<" and ">" into spaces first, as SQLite's FTS5 tokenizer already does.
events/search.py queries the same expressions. Nothing changes on SQLite.
"""

from django.db import migrations

BEFORE = {
    "event_search_idx": "events_event USING gin (to_tsvector('simple', title || ' ' || summary || ' ' || place))",
    "citation_search_idx": "events_citation USING gin (to_tsvector('simple', quote))",
}
AFTER = {
    "event_search_idx": "events_event USING gin"
    " (to_tsvector('simple', translate(title || ' ' || summary || ' ' || place, '<>', '  ')))",
    "citation_search_idx": "events_citation USING gin (to_tsvector('simple', translate(quote, '<>', '  ')))",
}


def replace_indexes(indexes):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, definition in indexes.items():
            schema_editor.execute(f"DROP INDEX {name}")
            schema_editor.execute(f"CREATE INDEX {name} ON {definition}")

    return run


class Migration(migrations.Migration):
    dependencies = [("events", "0005_full_text_search")]

    operations = [migrations.RunPython(replace_indexes(AFTER), replace_indexes(BEFORE))]
