"""Check that every citation's quote stands verbatim in its source's stored text.

Exits non-zero, naming each failing citation, if any quote is not verbatim.
"""

from django.core.management.base import BaseCommand, CommandError

from events.models import Citation


class Command(BaseCommand):
    help = "Check every citation's quote against its source's text; fail on any that is not verbatim."

    def handle(self, *args, **options):
        citations = Citation.objects.select_related("source").order_by("pk")
        failures = []
        checked = 0
        for citation in citations.iterator(chunk_size=2000):
            checked += 1
            if not citation.is_verbatim:
                supports = citation.event or citation.sanction or citation.office
                failures.append(
                    f"citation {citation.pk} (for {supports}): quote not found in source "
                    f"“{citation.source.slug}”: “{citation.quote[:80]}”"
                )
        for failure in failures:
            self.stderr.write(failure)
        if failures:
            raise CommandError(f"{len(failures)} of {checked} citations are not verbatim in their sources.")
        self.stdout.write(f"All {checked} citations are verbatim in their sources.")
