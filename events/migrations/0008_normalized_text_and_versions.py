"""A source's text and a citation's quote are kept in one form (LF line breaks, Unicode NFC:
events/text.py), and what is stored already is brought to it, history included; every record
editors change counts its saves in `version`, which the admin compares to refuse a stale form.

On SQLite, adding a field to events_event and events_citation rebuilds them, which would break
the search triggers of migration 0005 mid-way: they are dropped first and made again, with the
search table refilled, at the end (as in 0006).
"""

from importlib import import_module

from django.db import migrations, models

import events.text

full_text_search = import_module("events.migrations.0005_full_text_search")

VERSIONED = [
    "citation", "event", "office", "organization", "person", "sanction", "source", "topic",
    "historicalcitation", "historicalevent", "historicalorganization", "historicalperson",
    "historicalsanction", "historicalsource",
]

# (model, field) of the text kept normalized.
NORMALIZED = [
    ("Source", "text"), ("HistoricalSource", "text"), ("Citation", "quote"), ("HistoricalCitation", "quote"),
]

TEXT_HELP = "The document's full text, verbatim, without site boilerplate. Citations are checked against it."
QUOTE_HELP = (
    "Copied exactly from the source's text, quotation marks and all: at least 3 words, found in the text once."
)


def normalize_stored_text(apps, schema_editor):
    """Rewrites each stored text and quote not yet in normal form, a batch at a time."""
    for model_name, field in NORMALIZED:
        model = apps.get_model("events", model_name)
        pk = model._meta.pk.attname
        changed = []
        rows = model.objects.using(schema_editor.connection.alias)
        for row in rows.only(pk, field).order_by(pk).iterator(chunk_size=2000):
            value = getattr(row, field)
            if value != events.text.normalized(value):
                setattr(row, field, events.text.normalized(value))
                changed.append(row)
        rows.bulk_update(changed, [field], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("events", "0007_tree_guards")]

    operations = [
        migrations.RunPython(full_text_search.drop_sqlite_search, full_text_search.make_sqlite_search),
        *[
            migrations.AddField(
                model_name=model_name,
                name="version",
                field=models.PositiveIntegerField(
                    default=1, editable=False, help_text="Counts the record's saves; a form carries the one it showed."
                ),
            )
            for model_name in VERSIONED
        ],
        *[
            migrations.AlterField(
                model_name=model_name, name="text", field=events.text.NormalizedTextField(help_text=TEXT_HELP)
            )
            for model_name in ("source", "historicalsource")
        ],
        *[
            migrations.AlterField(
                model_name=model_name, name="quote", field=events.text.NormalizedTextField(help_text=QUOTE_HELP)
            )
            for model_name in ("citation", "historicalcitation")
        ],
        migrations.RunPython(normalize_stored_text, migrations.RunPython.noop),
        migrations.RunPython(full_text_search.make_sqlite_search, full_text_search.drop_sqlite_search),
    ]
