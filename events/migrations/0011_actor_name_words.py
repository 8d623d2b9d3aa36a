"""Indexes of the words of every person's, organization's and alias's name, so that the actor and
target filters find a whole word of a name (events.names), and the closest names to one that
matches nobody, without reading every name.

PostgreSQL: the pg_trgm extension and a trigram GIN index on each table of the expression
events.names.words_of("name"): LIKE '% xi %' and pg_trgm's % operator are both served by it.
CREATE EXTENSION needs the right to create it: pg_trgm is a trusted extension (PostgreSQL 13 and
later), so the database's owner, or any role with CREATE on the database, may; on an older server
or a role with less, a superuser runs `CREATE EXTENSION IF NOT EXISTS pg_trgm;` in the database once
before `migrate`, and the statement here then does nothing.

SQLite: an FTS5 table, events_actor_names, one row per name, kept by row triggers on the three
tables. Its rowid is the record's id times 3, plus 0 for a person, 1 for an organization, 2 for an
alias, so a trigger finds a row without a scan. Like migration 0005's triggers, these are dropped
with their table when Django rebuilds events_person, events_organization or events_alias (as it
does on SQLite to add most fields): such a migration runs drop_sqlite_names first and
make_sqlite_names last. The actor filter's tests would catch the omission.
"""

from django.db import migrations
from django.db.models.sql import Query

from events.names import words_of

NAMED = [("person", "person_name_words_trgm"), ("organization", "organization_name_words_trgm"),
         ("alias", "alias_name_words_trgm")]

# (table, rowid, person, organization, alias) of each kind of name, `{row}` being new or old.
SOURCES = [
    ("events_person", "{row}.id * 3", "{row}.id", "NULL", "NULL"),
    ("events_organization", "{row}.id * 3 + 1", "NULL", "{row}.id", "NULL"),
    ("events_alias", "{row}.id * 3 + 2", "{row}.person_id", "{row}.organization_id", "{row}.id"),
]


def sqlite_statements():
    forward = [
        "CREATE VIRTUAL TABLE events_actor_names USING fts5("
        "name, person UNINDEXED, organization UNINDEXED, alias UNINDEXED, tokenize='unicode61 remove_diacritics 0')"
    ]
    backward = []
    for table, rowid, person, organization, alias in SOURCES:
        def insert(row):
            values = ", ".join(part.format(row=row) for part in (rowid, f"{row}.name", person, organization, alias))
            return f"INSERT INTO events_actor_names(rowid, name, person, organization, alias) VALUES ({values});"

        def delete(row):
            return f"DELETE FROM events_actor_names WHERE rowid = {rowid.format(row=row)};"

        watched = "name, person_id, organization_id" if table == "events_alias" else "name"
        forward += [
            f"CREATE TRIGGER {table}_names_insert AFTER INSERT ON {table} BEGIN {insert('new')} END",
            f"CREATE TRIGGER {table}_names_update AFTER UPDATE OF {watched} ON {table}"
            f" BEGIN {delete('old')} {insert('new')} END",
            f"CREATE TRIGGER {table}_names_delete AFTER DELETE ON {table} BEGIN {delete('old')} END",
            "INSERT INTO events_actor_names(rowid, name, person, organization, alias) SELECT "
            + ", ".join(part.format(row=table) for part in (rowid, f"{table}.name", person, organization, alias))
            + f" FROM {table}",
        ]
        backward += [f"DROP TRIGGER IF EXISTS {table}_names_{change}" for change in ("insert", "update", "delete")]
    return forward, backward + ["DROP TABLE IF EXISTS events_actor_names"]


def drop_sqlite_names(apps, schema_editor):
    """For a later migration that makes Django rebuild events_person, events_organization or
    events_alias: run it first, and make_sqlite_names last."""
    if schema_editor.connection.vendor == "sqlite":
        for statement in sqlite_statements()[1]:
            schema_editor.execute(statement)


def make_sqlite_names(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in sqlite_statements()[0]:
            schema_editor.execute(statement)


def words_sql(model, schema_editor):
    """words_of("name") as the queries write it, values inlined. (Django's OpClass would wrap the
    whole of it, operator class included, in one pair of parentheses, which PostgreSQL refuses.)"""
    query = Query(model, alias_cols=False)
    compiler = query.get_compiler(connection=schema_editor.connection)
    sql, params = words_of("name").resolve_expression(query).as_sql(compiler, schema_editor.connection)
    return sql % tuple(schema_editor.quote_value(param) for param in params)


def forward(apps, schema_editor):
    make_sqlite_names(apps, schema_editor)
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for model_name, name in NAMED:
        model = apps.get_model("events", model_name)
        schema_editor.execute(
            f"CREATE INDEX {schema_editor.quote_name(name)} ON {schema_editor.quote_name(model._meta.db_table)} "
            f"USING gin (({words_sql(model, schema_editor)}) gin_trgm_ops)"
        )


def backward(apps, schema_editor):
    drop_sqlite_names(apps, schema_editor)
    # The extension stays: other databases' objects, or a superuser's choice, may need it.
    if schema_editor.connection.vendor != "postgresql":
        return
    for _, name in NAMED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [("events", "0010_claim_basis")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
