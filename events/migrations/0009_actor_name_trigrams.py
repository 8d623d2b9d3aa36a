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

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations

from events.names import words_of

NAMED = [("person", "person_name_words_trgm"), ("organization", "organization_name_words_trgm"),
         ("alias", "alias_name_words_trgm")]


def index(name):
    return GinIndex(OpClass(words_of("name"), name="gin_trgm_ops"), name=name)


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for model_name, name in NAMED:
        schema_editor.add_index(apps.get_model("events", model_name), index(name))


def remove_indexes(apps, schema_editor):
    # The extension stays: other databases' objects, or a superuser's choice, may need it.
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, name in NAMED:
        schema_editor.remove_index(apps.get_model("events", model_name), index(name))


class Migration(migrations.Migration):
    dependencies = [("events", "0008_normalized_text_and_versions")]

    operations = [migrations.RunPython(add_indexes, remove_indexes, elidable=False)]
