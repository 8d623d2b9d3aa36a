"""Check that every citation's quote stands verbatim, once, in its source's stored text, and is
long enough to back anything: the rules a citation is saved by (events/text.py, quote_problem).
Check too that every claim basis holds: an inferred claim gives its reasoning and cites at least
one quote, a claim from outside the documents says where it comes from, and each names a field or
link of its record (ClaimBasis.problems).

Exits non-zero, naming each failing citation and claim, if any breaks them.
"""

from django.core.management.base import BaseCommand, CommandError

from events.models import Citation, ClaimBasis
from events.text import MINIMUM_QUOTE_WORDS, quote_problem


class Command(BaseCommand):
    help = (
        "Check every citation's quote against its source's text; fail on any that is not verbatim, "
        "is found more than once, or is too short. Check every claim's basis: an inferred claim's "
        "reasoning and quotes, an outside claim's origin."
    )

    def handle(self, *args, **options):
        citation_failures, checked = self.check_citations()
        claim_failures, claims_checked = self.check_claims()
        for failure in citation_failures + claim_failures:
            self.stderr.write(failure)
        if citation_failures or claim_failures:
            raise CommandError(
                f"{len(citation_failures)} of {checked} citations are not verbatim in their sources, "
                f"found there once and at least {MINIMUM_QUOTE_WORDS} words long; "
                f"{len(claim_failures)} of {claims_checked} claim bases lack what their basis needs."
            )
        self.stdout.write(
            f"All {checked} citations are verbatim in their sources, found there once and at least "
            f"{MINIMUM_QUOTE_WORDS} words long. All {claims_checked} inferred or outside claims give "
            "their reasoning and quotes, or where they come from."
        )

    def check_citations(self):
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
        return failures, checked

    def check_claims(self):
        bases = ClaimBasis.objects.with_records().prefetch_related("citations").order_by("pk")
        failures = []
        checked = 0
        for basis in bases.iterator(chunk_size=2000):
            checked += 1
            problems = basis.problems()
            if problems:
                failures.append(f"claim basis {basis.pk} (“{basis.claim}” of {basis.record}): {' '.join(problems)}")
        return failures, checked
