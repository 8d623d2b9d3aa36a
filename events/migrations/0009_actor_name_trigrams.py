"""On PostgreSQL, the pg_trgm extension and a trigram index of the words of every person's,
organization's and alias's name (events.names.words_of): the actor and target filters find a
whole word of a name with LIKE '% xi %', and the closest names to one that matches nobody with
pg_trgm's % operator, both served by these indexes instead of a read of every name. SQLite has
neither; there the filters read the names, which are few beside the events.

CREATE EXTENSION needs the right to create it: pg_trgm is a trusted extension (PostgreSQL 13 and
later), so the database's owner, or any role with CREATE on the database, may; on an older server
or a role with less, a superuser runs `CREATE EXTENSION IF NOT EXISTS pg_trgm;` in the database once
before `migrate`, and the statement here then does nothing.
"""

from django.db import migrations
from django.db.models.sql import Query

from events.names import words_of

NAMED = [("person", "person_name_words_trgm"), ("organization", "organization_name_words_trgm"),
         ("alias", "alias_name_words_trgm")]


def words_sql(model, schema_editor):
    """words_of("name") as the queries write it, values inlined. (Django's OpClass would wrap the
    whole of it, operator class included, in one pair of parentheses, which PostgreSQL refuses.)"""
    query = Query(model, alias_cols=False)
    compiler = query.get_compiler(connection=schema_editor.connection)
    sql, params = words_of("name").resolve_expression(query).as_sql(compiler, schema_editor.connection)
    return sql % tuple(schema_editor.quote_value(param) for param in params)


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for model_name, name in NAMED:
        model = apps.get_model("events", model_name)
        schema_editor.execute(
            f"CREATE INDEX {schema_editor.quote_name(name)} ON {schema_editor.quote_name(model._meta.db_table)} "
            f"USING gin (({words_sql(model, schema_editor)}) gin_trgm_ops)"
        )


def remove_indexes(apps, schema_editor):
    # The extension stays: other databases' objects, or a superuser's choice, may need it.
    if schema_editor.connection.vendor != "postgresql":
        return
    for _, name in NAMED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [("events", "0008_normalized_text_and_versions")]

    operations = [migrations.RunPython(add_indexes, remove_indexes, elidable=False)]
