"""Sanctions' status over time, and every country.

A status log on each sanction (StatusChange): the sanction's `status` becomes what its latest entry
says, and its `lifted` date goes, its days carried into a "lifted" entry. Each sanction's old
status and dates become entries here, backed by the first quote cited for it (on a sanction with
none, the entries have no quote, and its admin page asks for one at the next save of the entry):

    active     imposed, on the announced date
    lifted     imposed, on the announced date; lifted, on the lifted date
    suspended  imposed, on the announced date; suspended, date unknown
    unknown    no entry (an empty log says unknown); but with a lifted date, as lifted

Countries: django-countries' ISO 3166 list and the EU (events.models.country_choices). Choices are
not in the database, so the AlterFields change no table; sqlmigrate shows that no table is rebuilt,
so the search and name triggers of 0011 and 0012 stand. Dropping the lifted columns is an ALTER TABLE
... DROP COLUMN on events_sanction, which no trigger reads.
"""

import django.db.models.deletion
import events.models
from django.db import migrations, models


UNKNOWN = ("unknown", None, None)


def carry_status_into_log(apps, schema_editor):
    Sanction = apps.get_model("events", "Sanction")
    StatusChange = apps.get_model("events", "StatusChange")
    Citation = apps.get_model("events", "Citation")
    for sanction in Sanction.objects.using(schema_editor.connection.alias).order_by("pk").iterator():
        announced = (sanction.announced_precision, sanction.announced_earliest, sanction.announced_latest)
        lifted = (sanction.lifted_precision, sanction.lifted_earliest, sanction.lifted_latest)
        if sanction.status == "active":
            changes = [("imposed", announced)]
        elif sanction.status == "lifted":
            changes = [("imposed", announced), ("lifted", lifted)]
        elif sanction.status == "suspended":
            changes = [("imposed", announced), ("suspended", UNKNOWN)]
        else:
            # Unknown, yet with a day it was lifted: the lifted date says more than the status did.
            changes = [("imposed", announced), ("lifted", lifted)] if lifted[0] != "unknown" else []
        quote = Citation.objects.filter(sanction=sanction).order_by("pk").first()
        for change, (precision, earliest, latest) in changes:
            StatusChange.objects.create(
                sanction=sanction, change=change, citation=quote,
                date_precision=precision, date_earliest=earliest, date_latest=latest,
            )
        if changes:
            Sanction.objects.filter(pk=sanction.pk).update(status=STATUS_AFTER[changes[-1][0]])


# The status each change leaves a sanction in (StatusChange.RESULTING_STATUS).
STATUS_AFTER = {"imposed": "active", "extended": "active", "suspended": "suspended", "lifted": "lifted"}


def carry_log_into_status(apps, schema_editor):
    """Back: the lifted date from a "lifted" entry (the status stays as the log left it)."""
    Sanction = apps.get_model("events", "Sanction")
    StatusChange = apps.get_model("events", "StatusChange")
    for entry in StatusChange.objects.using(schema_editor.connection.alias).filter(change="lifted").order_by("pk"):
        Sanction.objects.filter(pk=entry.sanction_id).update(
            lifted_precision=entry.date_precision, lifted_earliest=entry.date_earliest, lifted_latest=entry.date_latest
        )


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0015_source_original'),
    ]

    operations = [
        migrations.AlterField(
            model_name='event',
            name='country',
            field=models.CharField(blank=True, choices=events.models.country_choices, help_text='Where it took place, if the documents say.', max_length=2),
        ),
        migrations.AlterField(
            model_name='historicalevent',
            name='country',
            field=models.CharField(blank=True, choices=events.models.country_choices, help_text='Where it took place, if the documents say.', max_length=2),
        ),
        migrations.AlterField(
            model_name='historicalorganization',
            name='country',
            field=models.CharField(blank=True, choices=events.models.country_choices, max_length=2),
        ),
        migrations.AlterField(
            model_name='historicalperson',
            name='country',
            field=models.CharField(blank=True, choices=events.models.country_choices, max_length=2),
        ),
        migrations.AlterField(
            model_name='historicalsanction',
            name='imposing_country',
            field=models.CharField(choices=events.models.country_choices, max_length=2),
        ),
        migrations.AlterField(
            model_name='historicalsanction',
            name='status',
            field=models.CharField(choices=[('active', 'Active'), ('lifted', 'Lifted'), ('suspended', 'Suspended'), ('unknown', 'Unknown')], default='unknown', editable=False, help_text="The latest entry of its status log says it (refresh_status); kept here for the list's filter.", max_length=10),
        ),
        migrations.AlterField(
            model_name='organization',
            name='country',
            field=models.CharField(blank=True, choices=events.models.country_choices, max_length=2),
        ),
        migrations.AlterField(
            model_name='person',
            name='country',
            field=models.CharField(blank=True, choices=events.models.country_choices, max_length=2),
        ),
        migrations.AlterField(
            model_name='sanction',
            name='imposing_country',
            field=models.CharField(choices=events.models.country_choices, max_length=2),
        ),
        migrations.AlterField(
            model_name='sanction',
            name='status',
            field=models.CharField(choices=[('active', 'Active'), ('lifted', 'Lifted'), ('suspended', 'Suspended'), ('unknown', 'Unknown')], default='unknown', editable=False, help_text="The latest entry of its status log says it (refresh_status); kept here for the list's filter.", max_length=10),
        ),
        migrations.CreateModel(
            name='StatusChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('change', models.CharField(choices=[('imposed', 'Imposed'), ('extended', 'Extended'), ('suspended', 'Suspended'), ('lifted', 'Lifted')], max_length=10)),
                ('date_precision', models.CharField(choices=[('day', 'Day'), ('month', 'Month'), ('year', 'Year'), ('unknown', 'Unknown')], default='unknown', help_text='How precisely the sources give this date. Never more precise than they are.', max_length=7, verbose_name='Date precision')),
                ('date_earliest', models.DateField(blank=True, help_text='The first day it may be (the 1st of the month for a month-precision date).', null=True, verbose_name='Date: earliest')),
                ('date_latest', models.DateField(blank=True, help_text='The last day it may be (the 31st of December for a year-precision date).', null=True, verbose_name='Date: latest')),
                ('citation', models.ForeignKey(blank=True, help_text='The quote, cited for this sanction, that says so. A new sanction: add the quote under Citations and save, then choose it here.', null=True, on_delete=django.db.models.deletion.RESTRICT, related_name='status_changes', to='events.citation')),
                ('sanction', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_log', to='events.sanction')),
            ],
            options={
                'verbose_name': 'status change',
                'verbose_name_plural': 'status log (imposed, extended, suspended, lifted; each with the quote that says so)',
                'ordering': ['pk'],
            },
        ),
        migrations.RunPython(carry_status_into_log, carry_log_into_status),
        migrations.RemoveField(
            model_name='historicalsanction',
            name='lifted_earliest',
        ),
        migrations.RemoveField(
            model_name='historicalsanction',
            name='lifted_latest',
        ),
        migrations.RemoveField(
            model_name='historicalsanction',
            name='lifted_precision',
        ),
        migrations.RemoveField(
            model_name='sanction',
            name='lifted_earliest',
        ),
        migrations.RemoveField(
            model_name='sanction',
            name='lifted_latest',
        ),
        migrations.RemoveField(
            model_name='sanction',
            name='lifted_precision',
        ),
    ]
