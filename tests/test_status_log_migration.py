"""Migration 0016_sanction_status_log_and_countries turns each sanction's status and lifted date into
entries of its status log, backed by the first quote cited for it, and back, on SQLite and PostgreSQL."""

import datetime

import pytest
from django.core.management import call_command

from .test_claim_migration import models_at

# Real commits: `migrate` cannot run inside the transaction an ordinary test is wrapped in.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BEFORE = ("events", "0015_source_original")
AFTER = ("events", "0016_sanction_status_log_and_countries")


def test_each_sanctions_status_and_lifted_date_become_its_log_and_come_back():
    try:
        old = models_at(BEFORE)
        Person, Sanction = old.get_model("events", "Person"), old.get_model("events", "Sanction")
        Source, Citation = old.get_model("events", "Source"), old.get_model("events", "Citation")
        source = Source.objects.create(
            title="A letter", slug="a-letter", kind="letter", text="China sanctioned them. It later lifted them."
        )

        def sanction(name, status, **dates):
            target = Person.objects.create(name=name, slug=name.lower().replace(" ", "-"), sort_name=name)
            made = Sanction.objects.create(
                imposing_country="CN", target_person=target, status=status,
                announced_precision="year", announced_earliest=datetime.date(2021, 1, 1),
                announced_latest=datetime.date(2021, 12, 31), **dates,
            )
            Citation.objects.create(source=source, quote="China sanctioned them.", sanction=made)
            return made

        active = sanction("Tom Tugendhat", "active")
        lifted = sanction(
            "Nus Ghani", "lifted", lifted_precision="day",
            lifted_earliest=datetime.date(2023, 5, 2), lifted_latest=datetime.date(2023, 5, 2),
        )
        suspended = sanction("Neil O'Brien", "suspended")
        unknown = sanction("Tim Loughton", "unknown")
        uncited = Sanction.objects.create(
            imposing_country="GB", status="active",
            target_person=Person.objects.create(name="Zhu Hailun", slug="zhu-hailun", sort_name="Zhu Hailun"),
        )

        new = models_at(AFTER)
        StatusChange, Sanction = new.get_model("events", "StatusChange"), new.get_model("events", "Sanction")

        def log(record):
            return [
                (entry.change, entry.date_precision, entry.date_earliest, entry.citation_id is not None)
                for entry in StatusChange.objects.filter(sanction_id=record.pk).order_by("pk")
            ]

        in_2021 = ("year", datetime.date(2021, 1, 1), True)
        assert log(active) == [("imposed", *in_2021)]
        assert log(lifted) == [("imposed", *in_2021), ("lifted", "day", datetime.date(2023, 5, 2), True)]
        assert log(suspended) == [("imposed", *in_2021), ("suspended", "unknown", None, True)]
        assert log(unknown) == []
        # A sanction that cited nothing keeps its status, in an entry that says no quote backs it yet.
        assert log(uncited) == [("imposed", "unknown", None, False)]
        statuses = dict(Sanction.objects.values_list("pk", "status"))
        assert [statuses[each.pk] for each in (active, lifted, suspended, unknown, uncited)] == [
            "active", "lifted", "suspended", "unknown", "active"
        ]
        first_quotes = {entry.citation.sanction_id for entry in StatusChange.objects.exclude(citation=None)}
        assert first_quotes == {active.pk, lifted.pk, suspended.pk}

        old = models_at(BEFORE)
        back = old.get_model("events", "Sanction").objects.get(pk=lifted.pk)
        assert (back.status, back.lifted_precision, back.lifted_earliest) == ("lifted", "day", datetime.date(2023, 5, 2))
    finally:
        call_command("migrate", verbosity=0)
