"""Migration 0010_claim_basis moves each sanction's one `responds_to` into a SanctionResponse, and
back, on SQLite and PostgreSQL."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Real commits: `migrate` cannot run inside the transaction an ordinary test is wrapped in.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BEFORE = ("events", "0009_unknown_date_indexes")
AFTER = ("events", "0010_claim_basis")


def models_at(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


def test_a_sanctions_answer_moves_to_a_sanction_response_and_back():
    try:
        old = models_at(BEFORE)
        Person, Sanction = old.get_model("events", "Person"), old.get_model("events", "Sanction")
        official = Person.objects.create(name="Zhu Hailun", slug="zhu-hailun", sort_name="Zhu Hailun")
        mp = Person.objects.create(name="Tom Tugendhat", slug="tom-tugendhat", sort_name="Tugendhat, Tom")
        uk = Sanction.objects.create(imposing_country="GB", target_person=official)
        china = Sanction.objects.create(imposing_country="CN", target_person=mp, responds_to=uk)

        new = models_at(AFTER)
        answers = new.get_model("events", "SanctionResponse").objects.values_list("sanction", "answers_sanction")
        assert list(answers) == [(china.pk, uk.pk)]

        old = models_at(BEFORE)
        assert old.get_model("events", "Sanction").objects.get(pk=china.pk).responds_to_id == uk.pk
    finally:
        call_command("migrate", verbosity=0)
