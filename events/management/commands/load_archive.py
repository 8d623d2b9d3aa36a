"""Load the archive (fixtures/diplo.json) into a database that holds none of the archive's records,
then check its citations. A database that holds any is left as it is, so running this again, or
against a database editors have begun to fill, never loads the archive twice or overwrites a row.

bin/serve runs it after `migrate`, whatever DATABASE_URL names.
"""

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the archive into a database holding none of its records, and verify its citations."

    def handle(self, *args, **options):
        if any(model.objects.exists() for model in apps.get_app_config("events").get_models()):
            self.stdout.write("The database already holds records: the archive is not loaded again.")
            return
        call_command("loaddata", "diplo", verbosity=options["verbosity"], stdout=self.stdout, stderr=self.stderr)
        call_command("verify_citations", stdout=self.stdout, stderr=self.stderr)
