"""Marks beside a claim that no quote plainly states: inferred, or from outside the documents.

The marks read the record's `claim_bases`, which the page's query prefetches (a query per record
otherwise); the reasoning itself is told in the notes at the foot of the page (_claim_notes.html),
for readers who cannot hover over a mark.
"""

from django import template

from events.event_items import claim_marks

register = template.Library()


@register.simple_tag
def claim_mark(record, claim=None, page=""):
    """The marks of `record`'s claim named `claim` (of all its claims, without one); none if stated.
    Each links to its note on `page` (a list links to the record's own page), or on this page.
    Written in Python, not by a template of its own: a page lists up to 50 records, each marked."""
    bases = record.claim_bases.all() if record is not None else []
    return claim_marks([basis for basis in bases if claim is None or basis.claim == claim], page)
