"""Guards against loops: a topic or an organization under itself, a sanction answering itself.

The models' clean() refuses any loop (events/models.py, chain_from). Here the database refuses
what it can too, whatever writes to it: on both databases a check that a row's link does not
point at the row itself; on PostgreSQL also a trigger that follows the links up from the new one
(at most LOOP_SEARCH_STEPS of them) and refuses a row that would come round to itself. SQLite
allows no recursive query in a trigger. Two transactions that each make half of a loop at once
still pass both; the pages' bounded walks keep such a loop harmless.
"""

from django.db import migrations, models

LOOP_SEARCH_STEPS = 1000

# (table, the column that links a row to another of the same table, trigger name)
LINKS = [
    ("events_topic", "parent_id", "topic_makes_no_loop"),
    ("events_organization", "parent_id", "organization_makes_no_loop"),
    ("events_sanction", "responds_to_id", "sanction_makes_no_loop"),
]

REFUSE_LOOP = f"""
CREATE FUNCTION events_refuse_loop() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    link text := TG_ARGV[0];
    loops boolean;
BEGIN
    EXECUTE format(
        'WITH RECURSIVE above(id, steps) AS ('
        '    SELECT $1, 1'
        '  UNION ALL'
        '    SELECT linked.%1$I, above.steps + 1 FROM %2$I.%3$I linked JOIN above ON linked.id = above.id'
        '    WHERE linked.%1$I IS NOT NULL AND above.steps < {LOOP_SEARCH_STEPS}'
        ') SELECT EXISTS (SELECT FROM above WHERE id = $2)',
        link, TG_TABLE_SCHEMA, TG_TABLE_NAME
    ) INTO loops USING (to_jsonb(NEW) ->> link)::bigint, NEW.id;
    IF loops THEN
        RAISE EXCEPTION 'Row % of % would make a loop through %.', NEW.id, TG_TABLE_NAME, link
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$
"""


def make_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(REFUSE_LOOP, params=None)  # no parameters: its % signs are PL/pgSQL's own
    for table, link, trigger in LINKS:
        schema_editor.execute(
            f"CREATE TRIGGER {trigger} BEFORE INSERT OR UPDATE OF {link} ON {table}"
            f" FOR EACH ROW WHEN (NEW.{link} IS NOT NULL) EXECUTE FUNCTION events_refuse_loop('{link}')"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _, trigger in LINKS:
        schema_editor.execute(f"DROP TRIGGER {trigger} ON {table}")
    schema_editor.execute("DROP FUNCTION events_refuse_loop()")


class Migration(migrations.Migration):
    dependencies = [("events", "0006_one_name_per_idea")]

    operations = [
        migrations.AddConstraint(
            model_name="organization",
            constraint=models.CheckConstraint(
                condition=models.Q(("parent", models.F("id")), _negated=True),
                name="organization_not_its_own_parent",
                violation_error_message="An organization cannot be its own parent.",
            ),
        ),
        migrations.AddConstraint(
            model_name="topic",
            constraint=models.CheckConstraint(
                condition=models.Q(("parent", models.F("id")), _negated=True),
                name="topic_not_its_own_parent",
                violation_error_message="A topic cannot be its own parent.",
            ),
        ),
        migrations.AddConstraint(
            model_name="sanction",
            constraint=models.CheckConstraint(
                condition=models.Q(("responds_to", models.F("id")), _negated=True),
                name="sanction_not_answering_itself",
                violation_error_message="A sanction cannot respond to itself.",
            ),
        ),
        migrations.RunPython(make_triggers, drop_triggers),
    ]
