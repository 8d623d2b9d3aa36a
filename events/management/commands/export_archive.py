"""Write the whole-archive downloads that /about/data/ links: the public records of the events app
as a fixture (diplo-archive.json, the JSON of dumpdata, loadable with loaddata) and as a SQLite file
of Diplo's schema (diplo-archive.sqlite3), drafts and the editors' history left out. How: the
docstring of events/archive.py.

    manage.py export_archive            # into settings.DIPLO_DOWNLOADS_DIR
    manage.py export_archive /srv/dl    # or into a directory of your choice

Run it again whenever the downloads should catch up with the archive (after editors' changes, e.g.
nightly from cron): the files are replaced whole, each once complete.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from events.archive import FILES, export_archive


class Command(BaseCommand):
    help = "Write the whole archive as a fixture and a SQLite file, for /about/data/."

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", nargs="?", default=None, help="Where to write them (default: settings.DIPLO_DOWNLOADS_DIR)."
        )

    def handle(self, *args, directory=None, **options):
        directory = directory or settings.DIPLO_DOWNLOADS_DIR
        counts = export_archive(directory)
        events = counts.get("events.Event", 0)
        files = " and ".join(name for name, _, _ in FILES)
        self.stdout.write(f"Wrote {files} into {directory}: {events:,} events, {sum(counts.values()):,} records in all.")
