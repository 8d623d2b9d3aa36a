"""Load the archive (fixtures/diplo.json) into a database that holds no events and no sources,
then check its citations. A database that holds either is left as it is, so running this again,
or against a database editors have filled, never loads the archive twice.

bin/serve runs it after `migrate`, whatever DATABASE_URL names.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from events.models import Event, Source


class Command(BaseCommand):
    help = "Load the archive into a database holding no events or sources, and verify its citations."

    def handle(self, *args, **options):
        if Event.objects.exists() or Source.objects.exists():
            self.stdout.write("The database already holds records: the archive is not loaded again.")
            return
        call_command("loaddata", "diplo", verbosity=options["verbosity"], stdout=self.stdout, stderr=self.stderr)
        call_command("verify_citations", stdout=self.stdout, stderr=self.stderr)
