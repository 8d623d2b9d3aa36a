"""Check that every citation's quote stands verbatim, once, in its source's stored text, and is
long enough to back anything: the rules a citation is saved by (events/text.py, quote_problem).

Exits non-zero, naming each failing citation, if any quote breaks them.
"""

from django.core.management.base import BaseCommand, CommandError

from events.models import Citation
from events.text import MINIMUM_QUOTE_WORDS, quote_problem


class Command(BaseCommand):
    help = (
        "Check every citation's quote against its source's text; fail on any that is not verbatim, "
        "is found more than once, or is too short."
    )

    def handle(self, *args, **options):
        citations = Citation.objects.select_related("source").order_by("pk")
        failures = []
        checked = 0
        for citation in citations.iterator(chunk_size=2000):
            checked += 1
            problem = quote_problem(citation.quote, citation.source.text)
            if problem:
                supports = citation.event or citation.sanction or citation.office
                failures.append(
                    f"citation {citation.pk} (for {supports}) of source “{citation.source.slug}”: "
                    f"its quote {problem}: “{citation.quote[:80]}”"
                )
        for failure in failures:
            self.stderr.write(failure)
        if failures:
            raise CommandError(
                f"{len(failures)} of {checked} citations are not verbatim in their sources, "
                f"found there once and at least {MINIMUM_QUOTE_WORDS} words long."
            )
        self.stdout.write(
            f"All {checked} citations are verbatim in their sources, found there once and at least "
            f"{MINIMUM_QUOTE_WORDS} words long."
        )
