"""Issue 11: the basis of every claim, and sanctions that answer several records.

ClaimBasis records a claim that no cited quote plainly states (inferred, or from outside the
documents); SanctionResponse replaces Sanction.responds_to, so a sanction can answer several
sanctions, or an event. Each stored responds_to becomes one SanctionResponse, and back.

On SQLite, removing responds_to rebuilds events_sanction; the search triggers of 0005 are
dropped first and made again at the end all the same (as in 0006 and 0008), so that no rebuild
meets them. On PostgreSQL the loop trigger on responds_to (0007) goes with the column: the
clean() of SanctionResponse refuses a loop of answers.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models


full_text_search = import_module("events.migrations.0005_full_text_search")


def answers_from_responds_to(apps, schema_editor):
    Sanction = apps.get_model("events", "Sanction")
    SanctionResponse = apps.get_model("events", "SanctionResponse")
    answering = (
        Sanction.objects.using(schema_editor.connection.alias).exclude(responds_to=None)
        .order_by("pk")
        .values_list("pk", "responds_to")
    )
    SanctionResponse.objects.using(schema_editor.connection.alias).bulk_create(
        [
            SanctionResponse(sanction_id=pk, answers_sanction_id=answered)
            for pk, answered in answering.iterator()
        ],
        batch_size=500,
    )


def responds_to_from_answers(apps, schema_editor):
    """Back to one link a sanction: the first sanction it answers (answers of events are lost)."""
    Sanction = apps.get_model("events", "Sanction")
    SanctionResponse = apps.get_model("events", "SanctionResponse")
    for response in (
        SanctionResponse.objects.using(schema_editor.connection.alias).exclude(answers_sanction=None)
        .order_by("-pk")
        .iterator()
    ):
        Sanction.objects.using(schema_editor.connection.alias).filter(pk=response.sanction_id).update(
            responds_to=response.answers_sanction_id
        )


def drop_loop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER sanction_makes_no_loop ON events_sanction")


def make_loop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE TRIGGER sanction_makes_no_loop BEFORE INSERT OR UPDATE OF responds_to_id ON events_sanction"
            " FOR EACH ROW WHEN (NEW.responds_to_id IS NOT NULL) EXECUTE FUNCTION events_refuse_loop('responds_to_id')"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0009_unknown_date_indexes"),
    ]

    operations = [
        migrations.RunPython(
            full_text_search.drop_sqlite_search, full_text_search.make_sqlite_search
        ),
        migrations.CreateModel(
            name="ClaimBasis",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "claim",
                    models.CharField(
                        help_text="The field or link the claim is about: date, office, role, answers, summary, …",
                        max_length=50,
                    ),
                ),
                (
                    "basis",
                    models.CharField(
                        choices=[
                            ("inferred", "Inferred from the documents"),
                            ("outside", "From outside the documents"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "reasoning",
                    models.TextField(
                        blank=True,
                        help_text="For an inferred claim: the sentence of reasoning that leads from the quotes to it.",
                    ),
                ),
                (
                    "outside_source",
                    models.CharField(
                        blank=True,
                        help_text="For a claim from outside the documents: where it comes from.",
                        max_length=500,
                        verbose_name="from where",
                    ),
                ),
            ],
            options={
                "verbose_name": "claim basis",
                "verbose_name_plural": "claim bases",
                "ordering": ["pk"],
            },
        ),
        migrations.CreateModel(
            name="SanctionResponse",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
            ],
            options={
                "ordering": ["pk"],
            },
        ),
        migrations.AddField(
            model_name="historicalorganization",
            name="is_placeholder",
            field=models.BooleanField(
                default=False,
                help_text="Ticked for a record standing for someone the documents mention but do not name (“Unnamed Chinese official (1 of 4)”): lists show it apart, and name suggestions leave it out.",
                verbose_name="placeholder",
            ),
        ),
        migrations.AddField(
            model_name="historicalperson",
            name="is_placeholder",
            field=models.BooleanField(
                default=False,
                help_text="Ticked for a record standing for someone the documents mention but do not name (“Unnamed Chinese official (1 of 4)”): lists show it apart, and name suggestions leave it out.",
                verbose_name="placeholder",
            ),
        ),
        migrations.AddField(
            model_name="historicalsource",
            name="title_by_archive",
            field=models.BooleanField(
                default=False,
                help_text="Ticked where the document has no headline of its own and the title describes it.",
                verbose_name="title written by the archive",
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="is_placeholder",
            field=models.BooleanField(
                default=False,
                help_text="Ticked for a record standing for someone the documents mention but do not name (“Unnamed Chinese official (1 of 4)”): lists show it apart, and name suggestions leave it out.",
                verbose_name="placeholder",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="is_placeholder",
            field=models.BooleanField(
                default=False,
                help_text="Ticked for a record standing for someone the documents mention but do not name (“Unnamed Chinese official (1 of 4)”): lists show it apart, and name suggestions leave it out.",
                verbose_name="placeholder",
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="title_by_archive",
            field=models.BooleanField(
                default=False,
                help_text="Ticked where the document has no headline of its own and the title describes it.",
                verbose_name="title written by the archive",
            ),
        ),
        migrations.AlterField(
            model_name="eventrelation",
            name="relation",
            field=models.CharField(
                choices=[
                    ("responds_to", "responds to"),
                    ("follows", "follows"),
                    ("part_of", "is part of"),
                    ("about", "is about"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="participation",
            name="role",
            field=models.CharField(
                choices=[
                    ("host", "Host"),
                    ("visitor", "Visitor"),
                    ("speaker", "Speaker"),
                    ("author", "Author"),
                    ("recipient", "Recipient"),
                    ("signatory", "Signatory"),
                    ("party", "Party"),
                    ("target", "Target"),
                    ("mentioned", "Mentioned"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="claimbasis",
            name="citations",
            field=models.ManyToManyField(
                blank=True,
                help_text="For an inferred claim: the quotes it rests on (any in the archive, at least one).",
                related_name="claim_bases",
                to="events.citation",
            ),
        ),
        migrations.AddField(
            model_name="claimbasis",
            name="event",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="claim_bases",
                to="events.event",
            ),
        ),
        migrations.AddField(
            model_name="claimbasis",
            name="event_relation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="claim_bases",
                to="events.eventrelation",
            ),
        ),
        migrations.AddField(
            model_name="claimbasis",
            name="office",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="claim_bases",
                to="events.office",
            ),
        ),
        migrations.AddField(
            model_name="claimbasis",
            name="participation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="claim_bases",
                to="events.participation",
            ),
        ),
        migrations.AddField(
            model_name="claimbasis",
            name="sanction",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="claim_bases",
                to="events.sanction",
            ),
        ),
        migrations.AddField(
            model_name="sanctionresponse",
            name="answers_event",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="answering_sanctions",
                to="events.event",
            ),
        ),
        migrations.AddField(
            model_name="sanctionresponse",
            name="answers_sanction",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="answered_by",
                to="events.sanction",
            ),
        ),
        migrations.AddField(
            model_name="sanctionresponse",
            name="sanction",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="responses",
                to="events.sanction",
            ),
        ),
        migrations.AddField(
            model_name="claimbasis",
            name="sanction_response",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="claim_bases",
                to="events.sanctionresponse",
            ),
        ),
        migrations.AddConstraint(
            model_name="sanctionresponse",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("answers_sanction__isnull", False),
                        ("answers_event__isnull", True),
                    ),
                    models.Q(
                        ("answers_sanction__isnull", True),
                        ("answers_event__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="sanction_response_answers_exactly_one",
                violation_error_message="Choose exactly one thing it answers: a sanction or an event.",
            ),
        ),
        migrations.AddConstraint(
            model_name="sanctionresponse",
            constraint=models.UniqueConstraint(
                fields=("sanction", "answers_sanction"),
                name="sanction_response_unique_sanction",
            ),
        ),
        migrations.AddConstraint(
            model_name="sanctionresponse",
            constraint=models.UniqueConstraint(
                fields=("sanction", "answers_event"),
                name="sanction_response_unique_event",
            ),
        ),
        migrations.AddConstraint(
            model_name="sanctionresponse",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("answers_sanction", models.F("sanction")), _negated=True
                ),
                name="sanction_response_not_to_itself",
                violation_error_message="A sanction cannot answer itself.",
            ),
        ),
        migrations.AddConstraint(
            model_name="claimbasis",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("event__isnull", False),
                        ("event_relation__isnull", True),
                        ("office__isnull", True),
                        ("participation__isnull", True),
                        ("sanction__isnull", True),
                        ("sanction_response__isnull", True),
                    ),
                    models.Q(
                        ("event__isnull", True),
                        ("event_relation__isnull", True),
                        ("office__isnull", True),
                        ("participation__isnull", False),
                        ("sanction__isnull", True),
                        ("sanction_response__isnull", True),
                    ),
                    models.Q(
                        ("event__isnull", True),
                        ("event_relation__isnull", True),
                        ("office__isnull", True),
                        ("participation__isnull", True),
                        ("sanction__isnull", False),
                        ("sanction_response__isnull", True),
                    ),
                    models.Q(
                        ("event__isnull", True),
                        ("event_relation__isnull", True),
                        ("office__isnull", False),
                        ("participation__isnull", True),
                        ("sanction__isnull", True),
                        ("sanction_response__isnull", True),
                    ),
                    models.Q(
                        ("event__isnull", True),
                        ("event_relation__isnull", False),
                        ("office__isnull", True),
                        ("participation__isnull", True),
                        ("sanction__isnull", True),
                        ("sanction_response__isnull", True),
                    ),
                    models.Q(
                        ("event__isnull", True),
                        ("event_relation__isnull", True),
                        ("office__isnull", True),
                        ("participation__isnull", True),
                        ("sanction__isnull", True),
                        ("sanction_response__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="claim_basis_about_exactly_one_record",
                violation_error_message="A claim basis is about exactly one record.",
            ),
        ),
        migrations.AddConstraint(
            model_name="claimbasis",
            constraint=models.UniqueConstraint(
                fields=("event", "claim"), name="claim_basis_one_per_event_claim"
            ),
        ),
        migrations.AddConstraint(
            model_name="claimbasis",
            constraint=models.UniqueConstraint(
                fields=("participation", "claim"),
                name="claim_basis_one_per_participation_claim",
            ),
        ),
        migrations.AddConstraint(
            model_name="claimbasis",
            constraint=models.UniqueConstraint(
                fields=("sanction", "claim"), name="claim_basis_one_per_sanction_claim"
            ),
        ),
        migrations.AddConstraint(
            model_name="claimbasis",
            constraint=models.UniqueConstraint(
                fields=("office", "claim"), name="claim_basis_one_per_office_claim"
            ),
        ),
        migrations.AddConstraint(
            model_name="claimbasis",
            constraint=models.UniqueConstraint(
                fields=("event_relation", "claim"),
                name="claim_basis_one_per_event_relation_claim",
            ),
        ),
        migrations.AddConstraint(
            model_name="claimbasis",
            constraint=models.UniqueConstraint(
                fields=("sanction_response", "claim"),
                name="claim_basis_one_per_sanction_response_claim",
            ),
        ),
        migrations.RunPython(answers_from_responds_to, responds_to_from_answers),
        migrations.RunPython(drop_loop_trigger, make_loop_trigger),
        migrations.RemoveConstraint(
            model_name="sanction",
            name="sanction_not_answering_itself",
        ),
        migrations.RemoveField(
            model_name="historicalsanction",
            name="responds_to",
        ),
        migrations.RemoveField(
            model_name="sanction",
            name="responds_to",
        ),
        migrations.RunPython(
            full_text_search.make_sqlite_search, full_text_search.drop_sqlite_search
        ),
    ]
