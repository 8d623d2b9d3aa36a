"""Build a synthetic archive of N events, to see how Diplo behaves with far more data than it holds.

    manage.py generate_archive 100000 --seed 1
    manage.py generate_archive 100000 --seed 1 --replace   # delete generated records first

The same seed gives the same records, row for row, on SQLite and PostgreSQL alike (on a database
that holds the same records to begin with); `--batch-size` changes only how they are written.
For N events it makes about N/20 people (each with 1-3 aliases, some with offices), N/100
organizations (at least 10), N/5 sources with generated text, N/50 sanctions, and the real topic
tree (taken from fixtures/diplo.json, so names and slugs match the archive's). Every event has 1-6
participants, drawn so that a few people and organizations take part in very many events, and 1-3
citations, each quoting its source's text verbatim. Dates run from 1950 to 2026, to the day, the
month or the year, or unknown; a few events and sanctions are drafts.

Generated people, organizations, events and sources have slugs starting with "gen-"; with
`--replace` those and everything hanging from them are deleted before the new ones are made, and
real records are left alone. Without it the command refuses a database that already holds events.

Speed: rows are written with bulk_create in batches, with their primary keys chosen here, so a
million events load in minutes. bulk_create sends no signals, so nothing lands in the edit
history: loading data is not an edit.

The archive is drawn by events/synthetic/generator.py, from the words in events/synthetic/vocabulary.py.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from events import freshness
from events.models import Event
from events.synthetic.generator import delete_generated, generate


class Command(BaseCommand):
    help = "Build a synthetic archive of N events, the same for the same seed (slugs start with “gen-”)."

    def add_arguments(self, parser):
        parser.add_argument("events", type=int, help="How many events to make.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed makes the same archive (default 1).")
        parser.add_argument(
            "--batch-size", type=int, default=10_000, help="Events written per transaction (default 10,000)."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the generated records first (real records are kept), and run even if events exist.",
        )

    def handle(self, *args, events, seed, batch_size, replace, **options):
        if events < 1:
            raise CommandError("Ask for at least one event.")
        if batch_size < 1:
            raise CommandError("The batch size must be at least 1.")
        self.verbosity = options["verbosity"]
        self.started = time.monotonic()
        if replace:
            with transaction.atomic():
                deleted = delete_generated()
                freshness.bump()
            self.progress(f"Deleted {deleted} generated rows.")
        elif Event.objects.exists():
            raise CommandError(
                f"The database already holds {Event.objects.count()} events. Use --replace to delete the "
                "generated ones and add a new synthetic archive beside any real records."
            )
        counts = generate(events, seed, batch_size, progress=self.progress)
        freshness.bump()  # its rows are written in bulk, which sends no signal to the caches
        elapsed = time.monotonic() - self.started
        self.stdout.write(
            ", ".join(f"{count} {name}" for name, count in counts.items())
            + f" generated with seed {seed} in {elapsed:.0f} s."
        )

    def progress(self, message):
        if self.verbosity >= 2:
            self.stdout.write(f"[{time.monotonic() - self.started:6.1f} s] {message}")
