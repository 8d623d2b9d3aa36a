"""One name per idea: the model Role becomes Office (it is an office a person held, not
Participation.Role), an event's draft flag is `is_published` as a sanction's is, and the
many-to-many `Event.related`, which nothing read, goes (EventRelation stays).

On SQLite, Django rebuilds events_event and events_citation for some of these changes, which
would break the search triggers of migration 0005 mid-way: they are dropped first and made
again, with the search table refilled, at the end.
"""

from importlib import import_module

from django.db import migrations, models

full_text_search = import_module("events.migrations.0005_full_text_search")


def publish_flag_from_status(apps, schema_editor):
    for name in ("Event", "HistoricalEvent"):
        apps.get_model("events", name).objects.using(schema_editor.connection.alias).filter(status="draft").update(is_published=False)


def status_from_publish_flag(apps, schema_editor):
    for name in ("Event", "HistoricalEvent"):
        apps.get_model("events", name).objects.using(schema_editor.connection.alias).filter(is_published=False).update(status="draft")


def exactly_one_record(field):
    return models.CheckConstraint(
        condition=models.Q(
            models.Q(("event__isnull", False), (f"{field}__isnull", True), ("sanction__isnull", True)),
            models.Q(("event__isnull", True), (f"{field}__isnull", True), ("sanction__isnull", False)),
            models.Q(("event__isnull", True), (f"{field}__isnull", False), ("sanction__isnull", True)),
            _connector="OR",
        ),
        name="citation_supports_exactly_one_record",
        violation_error_message=f"A citation supports exactly one record: an event, a sanction or {'an' if field == 'office' else 'a'} {field}.",
    )


PUBLISHED = dict(default=True, help_text="Untick to keep a draft off the public pages.", verbose_name="published")


class Migration(migrations.Migration):
    dependencies = [("events", "0005_full_text_search")]

    operations = [
        migrations.RunPython(full_text_search.drop_sqlite_search, full_text_search.make_sqlite_search),
        migrations.RenameModel("Role", "Office"),
        migrations.AlterField(
            model_name="office",
            name="person",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE, related_name="offices", to="events.person"
            ),
        ),
        migrations.AlterField(
            model_name="office",
            name="organization",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=models.deletion.PROTECT, related_name="offices",
                to="events.organization",
            ),
        ),
        migrations.RemoveConstraint(model_name="citation", name="citation_supports_exactly_one_record"),
        migrations.RenameField("citation", "role", "office"),
        migrations.RenameField("historicalcitation", "role", "office"),
        migrations.AddConstraint(model_name="citation", constraint=exactly_one_record("office")),
        migrations.AddField("event", "is_published", models.BooleanField(**PUBLISHED)),
        migrations.AddField("historicalevent", "is_published", models.BooleanField(**PUBLISHED)),
        migrations.RunPython(publish_flag_from_status, status_from_publish_flag),
        migrations.RemoveField("event", "status"),
        migrations.RemoveField("historicalevent", "status"),
        migrations.RemoveField("event", "related"),
        migrations.RunPython(full_text_search.make_sqlite_search, full_text_search.drop_sqlite_search),
    ]
