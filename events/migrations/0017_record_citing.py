"""When each record with a page was last changed, for its "Cite this" block; and people's and
organizations' identifiers in other databases (Wikidata, OpenSanctions, TheyWorkForYou, the UK
Parliament), blank until an editor gives one.

A record loaded later gets the moment it is loaded (the fixtures do not hold one). A record stored
already gets the date of its latest change in its history, or, with none, the moment this migration
runs: the archive did not record when it was loaded.

SQLite rebuilds each table to add a column that cannot be null: the search index's triggers
(migration 0012) and the names' (0011) are dropped first and made again last, with their indexes
refilled from the rebuilt tables.
"""

import importlib

import django.core.validators
from django.db import migrations, models

import events.models

names = importlib.import_module("events.migrations.0011_actor_name_words")
search = importlib.import_module("events.migrations.0012_stemmed_search")

WITH_HISTORY = ["event", "person", "organization", "sanction", "source"]


def date_from_history(apps, schema_editor):
    for model_name in WITH_HISTORY:
        model = apps.get_model("events", model_name)
        history = apps.get_model("events", f"historical{model_name}")
        latest = (
            history.objects.using(schema_editor.connection.alias)
            .filter(id=models.OuterRef("pk"))
            .order_by("-history_date")
            .values("history_date")[:1]
        )
        model.objects.using(schema_editor.connection.alias).filter(
            models.Exists(history.objects.filter(id=models.OuterRef("pk")))
        ).update(modified=models.Subquery(latest))


class Migration(migrations.Migration):
    dependencies = [("events", "0016_sanction_status_log_and_countries")]

    operations = [
        migrations.RunPython(search.drop_sqlite_search, search.make_sqlite_search, elidable=False),
        migrations.RunPython(names.drop_sqlite_names, names.make_sqlite_names, elidable=False),
        migrations.AddField(
            model_name='event',
            name='modified',
            field=models.DateTimeField(default=events.models.now_to_the_second, editable=False, help_text='When it was last saved, or loaded if it has not been saved since.', verbose_name='last changed'),
        ),
        migrations.AddField(
            model_name='historicalevent',
            name='modified',
            field=models.DateTimeField(default=events.models.now_to_the_second, editable=False, help_text='When it was last saved, or loaded if it has not been saved since.', verbose_name='last changed'),
        ),
        migrations.AddField(
            model_name='historicalorganization',
            name='modified',
            field=models.DateTimeField(default=events.models.now_to_the_second, editable=False, help_text='When it was last saved, or loaded if it has not been saved since.', verbose_name='last changed'),
        ),
        migrations.AddField(
            model_name='historicalorganization',
            name='opensanctions_id',
            field=models.CharField(blank=True, help_text='Not from the documents: the pages mark it so. Such as NK-ab12Cd34; links to https://www.opensanctions.org/entities/NK-ab12Cd34/.', max_length=100, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9._-]*\\Z', 'OpenSanctions ID: give one such as NK-ab12Cd34, or leave it blank.')], verbose_name='OpenSanctions ID'),
        ),
        migrations.AddField(
            model_name='historicalorganization',
            name='parliament_id',
            field=models.CharField(blank=True, help_text='Not from the documents: the pages mark it so. Such as 4000; links to https://members.parliament.uk/member/4000/contact.', max_length=100, validators=[django.core.validators.RegexValidator('^[1-9][0-9]*\\Z', 'UK Parliament member ID: give one such as 4000, or leave it blank.')], verbose_name='UK Parliament member ID'),
        ),
        migrations.AddField(
            model_name='historicalorganization',
            name='theyworkforyou_id',
            field=models.CharField(blank=True, help_text='Not from the documents: the pages mark it so. Such as 10001; links to https://www.theyworkforyou.com/mp/?p=10001.', max_length=100, validators=[django.core.validators.RegexValidator('^[1-9][0-9]*\\Z', 'TheyWorkForYou person ID: give one such as 10001, or leave it blank.')], verbose_name='TheyWorkForYou person ID'),
        ),
        migrations.AddField(
            model_name='historicalorganization',
            name='wikidata_id',
            field=models.CharField(blank=True, help_text='Not from the documents: the pages mark it so. Such as Q1234; links to https://www.wikidata.org/wiki/Q1234.', max_length=100, validators=[django.core.validators.RegexValidator('^Q[1-9][0-9]*\\Z', 'Wikidata QID: give one such as Q1234, or leave it blank.')], verbose_name='Wikidata QID'),
        ),
        migrations.AddField(
            model_name='historicalperson',
            name='modified',
            field=models.DateTimeField(default=events.models.now_to_the_second, editable=False, help_text='When it was last saved, or loaded if it has not been saved since.', verbose_name='last changed'),
        ),
        migrations.AddField(
            model_name='historicalperson',
            name='opensanctions_id',
            field=models.CharField(blank=True, help_text='Not from the documents: the pages mark it so. Such as NK-ab12Cd34; links to https://www.opensanctions.org/entities/NK-ab12Cd34/.', max_length=100, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9._-]*\\Z', 'OpenSanctions ID: give one such as NK-ab12Cd34, or leave it blank.')], verbose_name='OpenSanctions ID'),
        ),
        migrations.AddField(
            model_name='historicalperson',
            name='parliament_id',
            field=models.CharField(blank=True, help_text='Not from the documents: the pages mark it so. Such as 4000; links to https://members.parliament.uk/member/4000/contact.', max_length=100, validators=[django.core.validators.RegexValidator('^[1-9][0-9]*\\Z', 'UK Parliament member ID: give one such as 4000, or leave it blank.')], verbose_name='UK Parliament member ID'),
        ),
        migrations.AddField(
            model_name='historicalperson',
            name='theyworkforyou_id',
            field=models.CharField(blank=True, help_text='Not from the documents: the pages mark it so. Such as 10001; links to https://www.theyworkforyou.com/mp/?p=10001.', max_length=100, validators=[django.core.validators.RegexValidator('^[1-9][0-9]*\\Z', 'TheyWorkForYou person ID: give one such as 10001, or leave it blank.')], verbose_name='TheyWorkForYou person ID'),
        ),
        migrations.AddField(
            model_name='historicalperson',
            name='wikidata_id',
            field=models.CharField(blank=True, help_text='Not from the documents: the pages mark it so. Such as Q1234; links to https://www.wikidata.org/wiki/Q1234.', max_length=100, validators=[django.core.validators.RegexValidator('^Q[1-9][0-9]*\\Z', 'Wikidata QID: give one such as Q1234, or leave it blank.')], verbose_name='Wikidata QID'),
        ),
        migrations.AddField(
            model_name='historicalsanction',
            name='modified',
            field=models.DateTimeField(default=events.models.now_to_the_second, editable=False, help_text='When it was last saved, or loaded if it has not been saved since.', verbose_name='last changed'),
        ),
        migrations.AddField(
            model_name='historicalsource',
            name='modified',
            field=models.DateTimeField(default=events.models.now_to_the_second, editable=False, help_text='When it was last saved, or loaded if it has not been saved since.', verbose_name='last changed'),
        ),
        migrations.AddField(
            model_name='organization',
            name='modified',
            field=models.DateTimeField(default=events.models.now_to_the_second, editable=False, help_text='When it was last saved, or loaded if it has not been saved since.', verbose_name='last changed'),
        ),
        migrations.AddField(
            model_name='organization',
            name='opensanctions_id',
            field=models.CharField(blank=True, help_text='Not from the documents: the pages mark it so. Such as NK-ab12Cd34; links to https://www.opensanctions.org/entities/NK-ab12Cd34/.', max_length=100, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9._-]*\\Z', 'OpenSanctions ID: give one such as NK-ab12Cd34, or leave it blank.')], verbose_name='OpenSanctions ID'),
        ),
        migrations.AddField(
            model_name='organization',
            name='parliament_id',
            field=models.CharField(blank=True, help_text='Not from the documents: the pages mark it so. Such as 4000; links to https://members.parliament.uk/member/4000/contact.', max_length=100, validators=[django.core.validators.RegexValidator('^[1-9][0-9]*\\Z', 'UK Parliament member ID: give one such as 4000, or leave it blank.')], verbose_name='UK Parliament member ID'),
        ),
        migrations.AddField(
            model_name='organization',
            name='theyworkforyou_id',
            field=models.CharField(blank=True, help_text='Not from the documents: the pages mark it so. Such as 10001; links to https://www.theyworkforyou.com/mp/?p=10001.', max_length=100, validators=[django.core.validators.RegexValidator('^[1-9][0-9]*\\Z', 'TheyWorkForYou person ID: give one such as 10001, or leave it blank.')], verbose_name='TheyWorkForYou person ID'),
        ),
        migrations.AddField(
            model_name='organization',
            name='wikidata_id',
            field=models.CharField(blank=True, help_text='Not from the documents: the pages mark it so. Such as Q1234; links to https://www.wikidata.org/wiki/Q1234.', max_length=100, validators=[django.core.validators.RegexValidator('^Q[1-9][0-9]*\\Z', 'Wikidata QID: give one such as Q1234, or leave it blank.')], verbose_name='Wikidata QID'),
        ),
        migrations.AddField(
            model_name='person',
            name='modified',
            field=models.DateTimeField(default=events.models.now_to_the_second, editable=False, help_text='When it was last saved, or loaded if it has not been saved since.', verbose_name='last changed'),
        ),
        migrations.AddField(
            model_name='person',
            name='opensanctions_id',
            field=models.CharField(blank=True, help_text='Not from the documents: the pages mark it so. Such as NK-ab12Cd34; links to https://www.opensanctions.org/entities/NK-ab12Cd34/.', max_length=100, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9._-]*\\Z', 'OpenSanctions ID: give one such as NK-ab12Cd34, or leave it blank.')], verbose_name='OpenSanctions ID'),
        ),
        migrations.AddField(
            model_name='person',
            name='parliament_id',
            field=models.CharField(blank=True, help_text='Not from the documents: the pages mark it so. Such as 4000; links to https://members.parliament.uk/member/4000/contact.', max_length=100, validators=[django.core.validators.RegexValidator('^[1-9][0-9]*\\Z', 'UK Parliament member ID: give one such as 4000, or leave it blank.')], verbose_name='UK Parliament member ID'),
        ),
        migrations.AddField(
            model_name='person',
            name='theyworkforyou_id',
            field=models.CharField(blank=True, help_text='Not from the documents: the pages mark it so. Such as 10001; links to https://www.theyworkforyou.com/mp/?p=10001.', max_length=100, validators=[django.core.validators.RegexValidator('^[1-9][0-9]*\\Z', 'TheyWorkForYou person ID: give one such as 10001, or leave it blank.')], verbose_name='TheyWorkForYou person ID'),
        ),
        migrations.AddField(
            model_name='person',
            name='wikidata_id',
            field=models.CharField(blank=True, help_text='Not from the documents: the pages mark it so. Such as Q1234; links to https://www.wikidata.org/wiki/Q1234.', max_length=100, validators=[django.core.validators.RegexValidator('^Q[1-9][0-9]*\\Z', 'Wikidata QID: give one such as Q1234, or leave it blank.')], verbose_name='Wikidata QID'),
        ),
        migrations.AddField(
            model_name='sanction',
            name='modified',
            field=models.DateTimeField(default=events.models.now_to_the_second, editable=False, help_text='When it was last saved, or loaded if it has not been saved since.', verbose_name='last changed'),
        ),
        migrations.AddField(
            model_name='source',
            name='modified',
            field=models.DateTimeField(default=events.models.now_to_the_second, editable=False, help_text='When it was last saved, or loaded if it has not been saved since.', verbose_name='last changed'),
        ),
        migrations.AddField(
            model_name='topic',
            name='modified',
            field=models.DateTimeField(default=events.models.now_to_the_second, editable=False, help_text='When it was last saved, or loaded if it has not been saved since.', verbose_name='last changed'),
        ),
        migrations.RunPython(date_from_history, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(names.make_sqlite_names, names.drop_sqlite_names, elidable=False),
        migrations.RunPython(search.make_sqlite_search, search.drop_sqlite_search, elidable=False),
    ]
