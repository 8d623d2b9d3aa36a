"""One event in a list (the timeline, a search, a topic's page), rendered once and kept.

A page of 50 events rendered with an `{% include %}` per event and a `reverse()` per link spent
more time in the template engine than in its queries. Here each item is written by a Python
function, its links built from addresses reversed once (models.page_url), and what it shows from
the records is kept in the cache under the archive's version (events/freshness.py), which every
change to an event, its participants, its topics or its claims raises: a kept item is never stale.
Only the events whose items were not kept are read with their participants, topics and claims.

What varies from one request to the next is not kept: the "may be in this period" line of a date
filter and the passages of a search are put between the kept parts of the item.
"""

from urllib.parse import quote

from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from . import caching, freshness
from .models import Event

# An item is dropped with the version; this only bounds how long an unused one takes room.
ITEM_SECONDS = 60 * 60

def set_item_html(levels):
    """Sets `item_html` on each event of `levels`, [(event, heading level)], with the page's queries:
    one cache read for all, and the list's prefetches (EventQuerySet.list_prefetches) for those not kept."""
    if not levels:
        return
    version = freshness.current(levels[0][0]._state.db)
    keys = {(event.pk, level): f"event-item:{version}:{event.pk}:{level}" for event, level in levels}
    try:
        kept = cache.get_many(list(keys.values()), version=caching.VERSION)
    except caching.UNREADABLE:
        kept = {}
    parts = {
        place: kept[key]
        for place, key in keys.items()
        if key in kept and caching.has_shape(kept[key], (str, str, str))
    }
    missing = list({event.pk: event for event, level in levels if (event.pk, level) not in parts}.values())
    if missing:
        prefetch_related_objects(missing, *Event.objects.list_prefetches())
        timeline = reverse("timeline")
        made = {(event.pk, level): kept_parts(event, level, timeline) for event, level in levels if (event.pk, level) not in parts}
        cache.set_many({keys[place]: value for place, value in made.items()}, ITEM_SECONDS, version=caching.VERSION)
        parts.update(made)
    for event, level in levels:
        start, participants, end = parts[(event.pk, level)]
        event.item_html = mark_safe(  # each part is built by format_html
            start + may_be_line(event) + participants + passage_lines(event) + end
        )


def kept_parts(event, level, timeline):
    """(the item up to its date line, its participants line, its topics line to its end): what may be kept.
    Its links are made by models.page_url, from addresses reversed once."""
    url = event.get_absolute_url()
    claims = {}
    for basis in event.claim_bases.all():
        claims.setdefault(basis.claim, []).append(basis)
    place = ""
    if event.place:
        place = format_html(' <span class="place"><bdi>{}</bdi>{}</span>', event.place, claim_marks(claims.get("place"), url))
    start = format_html(
        '\n<li class="event">\n  <h{level} class="event-title"><a href="{url}">{title}</a></h{level}>\n'
        '  <p class="event-meta"><span class="event-date">{date}</span>{date_marks} <span class="kind">{kind}</span>{place}</p>\n',
        level=level,
        url=url,
        title=event.title,
        date=str(event.date),
        date_marks=claim_marks(claims.get("date"), url),
        kind=event.get_kind_display(),
        place=place,
    )
    participations = event.participations.all()
    participants = ""
    if participations:
        participants = format_html(
            '  <p class="participants"><span class="field-name">Taking part:</span> {}</p>\n',
            mark_safe(  # joined from format_html's escaped pieces
                ", ".join(
                    format_html(
                        '<bdi><a href="{}">{}</a> <span class="role">({})</span></bdi>',
                        participation.actor.get_absolute_url(),
                        str(participation.actor),
                        participation.get_role_display().lower(),
                    )
                    for participation in participations
                )
            ),
        )
    topics = event.topics.all()
    end = "</li>\n"
    if topics:
        end = format_html(
            '  <p class="topics"><span class="field-name">Topics:</span> {}</p>\n</li>\n',
            mark_safe(  # joined from format_html's escaped pieces
                ", ".join(
                    format_html('<bdi><a href="{}?topic={}">{}</a></bdi>', timeline, quote(topic.slug, safe="/"), topic.name)
                    for topic in topics
                )
            ),
        )
    return str(start), str(participants), str(end)


def claim_marks(bases, page):
    """The marks of claims that are inferred or from outside the documents (ClaimBasis `bases`), each
    linked to its note on `page` (the record's own page), or, where `page` is empty, on this page."""
    return format_html_join(
        "",
        ' <a class="claim claim-{}" href="{}#claim-{}" title="{}">{}<span class="visually-hidden"> ({}): see its note{}</span></a>',
        (
            (basis.basis, page, basis.pk, basis.explanation, basis.marker, basis.claim_label, "" if page else " below")
            for basis in bases or []
        ),
    )


def may_be_line(event):
    if not getattr(event, "may_be", None):
        return ""
    return format_html(
        '  <p class="may-be"><strong>May be in this period:</strong> the date is known only as “{}”.</p>\n', event.may_be
    )


def passage_lines(event):
    return "".join(
        format_html(
            '  <p class="passage">{}{}</p>\n',
            format_html('<a href="{}">Quoted in its source</a>: ', passage.quote_url) if passage.quote_url else "",
            passage.html,
        )
        for passage in getattr(event, "passages", ())
    )
