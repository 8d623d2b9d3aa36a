"""Paging and counting: the timeline read a page at a time from where the last page ended (keyset
paging), the shorter lists by page number, and counts that stay cheap however large the archive."""

import datetime
from dataclasses import dataclass

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Q, prefetch_related_objects
from django.utils import timezone

from diplo.views import NotFound

from . import caching, search
from .models import Event, Participation, Topic

PER_PAGE = 50
# Counting stops here: past it, a list says "more than 1,000" rather than read every match.
COUNT_LIMIT = 1_000
# How long the whole archive's count, and the topics' counts, are kept before they are counted again.
TOTAL_COUNT_SECONDS = 300


def paginate(items, number):
    """Page `number` of `items`, a list short enough to page by number; a page past the end is not found."""
    try:
        return Paginator(items, PER_PAGE).page(number)
    except EmptyPage:
        raise NotFound("There is no such page of this list.") from None


# Keyset paging: each page starts where the last one ended, read straight off the timeline index
# (models.Event), so a page deep in the archive costs what the first one does.


def after_in_order(record, *fields):
    """Records after `record` in the order of `fields`: (a > A) or (a = A and b > B) or ..."""
    return _beyond(record, fields, "gt")


def before_in_order(record, *fields):
    return _beyond(record, fields, "lt")


def _beyond(record, fields, lookup):
    condition = Q()
    for position, field in enumerate(fields):
        equal = {name: getattr(record, name) for name in fields[:position]}
        condition |= Q(**equal, **{f"{field}__{lookup}": getattr(record, field)})
    return condition


def events_after(events, event, size):
    """Up to `size` of `events` that follow `event` in date order (from the start if it is None).

    Dated events come first, then undated ones; each part is one query in plain ascending order,
    which both databases read from the index (SQLite's index can't give NULLS LAST without sorting).
    """
    dated = events.filter(date_earliest__isnull=False).order_by("date_earliest", "title", "pk")
    undated = events.filter(date_earliest__isnull=True).order_by("title", "pk")
    if event is None:
        found = list(dated[:size])
    elif event.date_earliest is None:
        return list(undated.filter(after_in_order(event, "title", "pk"))[:size])
    else:
        after = after_in_order(event, "date_earliest", "title", "pk")
        # The first condition repeats part of the second, in the form an index seeks on.
        found = list(dated.filter(Q(date_earliest__gte=event.date_earliest) & after)[:size])
    if len(found) < size:
        found += list(undated[: size - len(found)])
    return found


def events_before(events, event, size):
    """Up to `size` of `events` that come just before `event` in date order, in date order."""
    dated = events.filter(date_earliest__isnull=False).order_by("-date_earliest", "-title", "-pk")
    undated = events.filter(date_earliest__isnull=True).order_by("-title", "-pk")
    if event.date_earliest is None:
        found = list(undated.filter(before_in_order(event, "title", "pk"))[:size])
        if len(found) < size:
            found += list(dated[: size - len(found)])
    else:
        before = before_in_order(event, "date_earliest", "title", "pk")
        found = list(dated.filter(Q(date_earliest__lte=event.date_earliest) & before)[:size])
    return found[::-1]


# Counts


@dataclass
class Tally:
    """How many records a list holds, as honestly as it can be told cheaply."""

    number: int
    more: bool = False  # the number is a lower bound: there are more
    counted_at: datetime.datetime | None = None  # set when the number was kept from an earlier count

    def __str__(self):
        text = f"more than {self.number:,}" if self.more else f"{self.number:,}"
        return text[0].upper() + text[1:]


def count_at_most(queryset):
    found = queryset.order_by().values("pk")[: COUNT_LIMIT + 1].count()
    return Tally(COUNT_LIMIT, more=True) if found > COUNT_LIMIT else Tally(found)


def count_events(events, filtered):
    """The events' count: exact up to COUNT_LIMIT; beyond, the whole archive's total as last counted, or a bound."""
    tally = count_at_most(events)
    if tally.more and not filtered:
        number, counted_at = caching.kept(
            "published-event-count",
            (int, datetime.datetime),
            lambda: (events.count(), timezone.now()),
            TOTAL_COUNT_SECONDS,
        )
        tally = Tally(number, counted_at=counted_at)
    return tally


def topics_with_event_counts():
    """(topics in tree order, each with its `event_count`, when they were counted).

    The counts are kept for TOTAL_COUNT_SECONDS, as counting reads every event's topics.
    """
    topics = Topic.objects.in_tree_order()
    counts, counted_at = caching.kept(
        "topic-event-counts",
        ({int: int}, datetime.datetime),
        lambda: ({topic.pk: topic.event_count for topic in Topic.objects.with_event_counts()}, timezone.now()),
        TOTAL_COUNT_SECONDS,
    )
    for topic in topics:
        topic.event_count = counts.get(topic.pk, 0)
    return topics, counted_at


# Pages of the timeline


@dataclass
class TimelinePage:
    """One page of events in date order, with the events it starts after or ends before for the links."""

    events: list
    count: Tally
    next: int | None  # show the events after this one
    previous: int | None  # show the events before this one

    @property
    def is_first(self):
        return self.previous is None


def bounding_event(number):
    """The published event numbered `number`, where a page starts or ends (None for None); gone, it is not found."""
    if number is None:
        return None
    try:
        return Event.objects.published().only("pk", "date_earliest", "title").get(pk=number)
    except Event.DoesNotExist:
        raise NotFound(
            "The event this page was to start from is no longer in the timeline. Start again from the first page."
        ) from None


def timeline_page(events, after=None, before=None, filtered=True):
    """The page of `events` that starts after the event numbered `after`, or ends before the one numbered `before`."""
    size = PER_PAGE
    after, before = bounding_event(after), bounding_event(before)
    if before:
        found = events_before(events, before, size + 1)
        shown = found[-size:]
        previous = shown[0].pk if len(found) > size else None
        following = shown[-1].pk if shown else None
    else:
        found = events_after(events, after, size + 1)
        shown = found[:size]
        previous = shown[0].pk if after and shown else None
        following = shown[-1].pk if len(found) > size else None
    prefetch_related_objects(shown, *Event.objects.list_prefetches())
    if not after and not before and following is None:
        count = Tally(len(shown))  # the whole list is on this page: no need to count it again
    else:
        count = count_events(events, filtered)
    return TimelinePage(shown, count, following, previous)


# Pages of a search by relevance


# A search is ranked among its first this many matches in date order: ranking every match of a
# common word in a million events would read them all. The page says so, with a link to them all by date.
RANKED = COUNT_LIMIT


@dataclass
class RankedPage(TimelinePage):
    """A page of a search's matches, the most relevant first, among the first `ranked` in date order."""

    ranked: int = 0
    unranked: bool = False  # there are more matches than were ranked


def ranked_page(events, query, after=None, before=None):
    """The page of `events`, matches of `query`, in order of relevance, that starts after the event numbered
    `after` or ends before the one numbered `before`: one query ranks the candidates, one reads the page
    with its passages (search.passage_annotations), and two its prefetches."""
    dated = events.filter(date_earliest__isnull=False).order_by("date_earliest", "title", "pk")
    undated = events.filter(date_earliest__isnull=True).order_by("title", "pk")
    candidates = [dated.values("pk")[: RANKED + 1], undated.values("pk")[: RANKED + 1]]
    found = search.ranked(query, candidates, events.db)
    # The first RANKED in date order (undated last), then the best first; among equals, the date order.
    found.sort(key=lambda row: (row[1] is None, row[1] or datetime.date.min, row[2], row[0]))
    unranked = len(found) > RANKED
    found = found[:RANKED]
    order = [pk for _, _, pk in sorted((-(row[3] or 0), position, row[0]) for position, row in enumerate(found))]
    size = PER_PAGE
    if after is not None or before is not None:
        try:
            place = order.index(after if after is not None else before)
        except ValueError:
            raise NotFound(
                "The event this page was to start from is no longer among the matches. Start again from the first page."
            ) from None
        start, end = (place + 1, place + 1 + size) if after is not None else (max(0, place - size), place)
    else:
        start, end = 0, size
    shown_pks = order[start:end]
    rows = Event.objects.using(events.db).filter(pk__in=shown_pks).annotate(**search.passage_annotations(query, events.db))
    by_pk = {event.pk: event for event in rows}
    shown = [by_pk[pk] for pk in shown_pks if pk in by_pk]
    prefetch_related_objects(shown, *Event.objects.list_prefetches())
    search.set_passages(shown, events.db)
    count = Tally(RANKED, more=True) if unranked else Tally(len(order))
    return RankedPage(
        shown,
        count,
        next=shown_pks[-1] if end < len(order) and shown_pks else None,
        previous=shown_pks[0] if start > 0 and shown_pks else None,
        ranked=len(order),
        unranked=unranked,
    )


@dataclass
class ActorEvents:
    """The first events an actor took part in, in date order, with the actor's own part in each."""

    participations: list
    count: Tally
    events: list

    @property
    def cut(self):
        return self.count.more or self.count.number > len(self.events)


def actor_events(actor, limit, **involving):
    """The actor's first `limit` published events: a page of the timeline, never all of them."""
    events = Event.objects.published().involving(**involving)
    found = events_after(events, None, limit + 1)
    shown = found[:limit]
    field = "person" if "people" in involving else "organization"
    parts = Participation.objects.filter(event__in=[event.pk for event in shown], **{field: actor})
    place = {event.pk: position for position, event in enumerate(shown)}
    participations = sorted(parts.select_related("event", "office"), key=lambda part: (place[part.event_id], part.pk))
    count = Tally(len(shown)) if len(found) <= limit else count_at_most(events)
    return ActorEvents(participations, count, shown)
