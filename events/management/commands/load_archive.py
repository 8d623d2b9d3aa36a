"""Load the archive (fixtures/diplo.json) into a database that holds none of the archive's records,
then check its citations. A database that holds any is left as it is, so running this again, or
against a database editors have begun to fill, never loads the archive twice or overwrites a row.

The spelling variants search uses (fixtures/spelling_variants.json) are loaded into a database that
holds none, whether or not it holds the archive, so a site running already gets them at its next
start. They are a fixture of their own, not part of diplo.json, because they do not come from the
documents (each says where it comes from). Not a data migration: the tests load them with the archive,
as this command does, where rows made by a migration would be gone from any test database flushed by a
transactional test, and would be records the check above would have to tell from an editor's.

bin/serve runs it after `migrate`, whatever DATABASE_URL names.
"""

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand

from events.models import ArchiveVersion, SpellingVariant


def archive_models():
    """The models of the archive's own records: all of the app's but the spelling variants and their
    history, and the archive's version (a row its migration makes)."""
    not_records = {SpellingVariant, SpellingVariant.history.model, ArchiveVersion}
    return [model for model in apps.get_app_config("events").get_models() if model not in not_records]


class Command(BaseCommand):
    help = (
        "Load the archive into a database holding none of its records, and verify its citations; "
        "load the spelling variants into one holding none."
    )

    def handle(self, *args, **options):
        quiet = {"verbosity": options["verbosity"], "stdout": self.stdout, "stderr": self.stderr}
        if not SpellingVariant.objects.exists():
            call_command("loaddata", "spelling_variants", **quiet)
        if any(model.objects.exists() for model in archive_models()):
            self.stdout.write("The database already holds records: the archive is not loaded again.")
            return
        call_command("loaddata", "diplo", **quiet)
        call_command("verify_citations", stdout=self.stdout, stderr=self.stderr)
