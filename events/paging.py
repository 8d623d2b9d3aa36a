"""Paging and counting: the timeline read a page at a time from where the last page ended (keyset
paging), the shorter lists by page number, and counts that stay cheap however large the archive."""

import datetime
import functools
import hashlib
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Paginator
from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from diplo.views import NotFound

from . import caching, freshness, search
from .models import (
    Event,
    EventQuerySet,
    Organization,
    Participation,
    Person,
    Topic,
)

PER_PAGE = 50
# Counting stops here: past it, a list says "more than 1,000" rather than read every match.
COUNT_LIMIT = 1_000
# How long the whole archive's count, the topics' counts and the menus' counts are kept before they are
# counted again. Each is kept under the archive's version, so none is read back once any record has
# changed; this only bounds the cache. Counted afresh, the whole archive's took 23 s at a million events.
TOTAL_COUNT_SECONDS = 3600


def paginate(items, number):
    """Page `number` of `items`, a list short enough to page by number; a page past the end is not found.
    A queryset's count is kept (kept_count)."""
    paginator = Paginator(items, PER_PAGE)
    if isinstance(items, QuerySet):
        paginator.count = kept_count(items)  # what Paginator.count would count, read from the cache
    try:
        return paginator.page(number)
    except EmptyPage:
        raise NotFound("There is no such page of this list.") from None


def kept_count(queryset):
    """queryset.count(), kept under its query and the archive's version for TOTAL_COUNT_SECONDS, as the
    timeline's counts are: counting the sources of a million-event archive took PostgreSQL 39 ms a page."""
    try:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # a filter that lets nothing through
        return 0
    key = f"list-count-{hashlib.sha256(repr((sql, params)).encode()).hexdigest()}-{freshness.current(queryset.db)}"
    return caching.kept(key, int, queryset.count, TOTAL_COUNT_SECONDS)


# Keyset paging: each page starts where the last one ended, read straight off the timeline index
# (models.Event), so a page deep in the archive costs what the first one does.


def _beyond(record, fields, lookup):
    """Records after (gt) or before (lt) `record` in the order of `fields`: (a > A) or (a = A and b > B) or ..."""
    condition = Q()
    for position, field in enumerate(fields):
        equal = {name: getattr(record, name) for name in fields[:position]}
        condition |= Q(**equal, **{f"{field}__{lookup}": getattr(record, field)})
    return condition


def records_after(records, order, record, size):
    """Up to `size` of `records` that follow `record` (from the start if None) in the order of the
    fields `order`, the last of them unique; the first may be empty (None), and those come last, as
    the pages list them. Read as two parts, each in plain order off an index: the rows with the first
    field, then those without it (a second query only when the first part ends on this page)."""
    first, rest = order[0], order[1:]
    with_first = records.filter(**{f"{first}__isnull": False}).order_by(*order)
    without_first = records.filter(**{f"{first}__isnull": True}).order_by(*rest)
    found = []
    if record is None or getattr(record, first) is not None:
        if record is not None:
            with_first = with_first.filter(_beyond(record, order, "gt"))
        found = list(with_first[:size])
    elif record is not None:
        without_first = without_first.filter(_beyond(record, rest, "gt"))
    if len(found) < size and records.model._meta.get_field(first).null:
        found += list(without_first[: size - len(found)])
    return found


# The timeline's orders, as ?sort= names them. Newest first reads the same index backwards; in both,
# events with no first possible day come last, by title.
NEWEST, OLDEST = "newest", "oldest"
DATED_ORDER = ("date_earliest", "title", "id")
UNDATED_ORDER = ("title", "id")


def read_dated(parts, event, size, descending):
    """Up to `size` events of the dated `parts` beyond `event` (from the start if None), in the order of
    DATED_ORDER (reversed if `descending`).

    Two parts are read as one UNION ALL. SQLite merges the two index scans in order (MERGE (UNION ALL))
    and stops at `size`; PostgreSQL would sort every match of a UNION ALL, so there each part is cut to
    `size` in its own order first, read off its index.
    """
    order = [f"-{field}" for field in DATED_ORDER] if descending else list(DATED_ORDER)
    if event is not None:
        beyond = _beyond(event, DATED_ORDER, "lt" if descending else "gt")
        # The first condition repeats part of the second, in the form an index seeks on.
        seek = Q(date_earliest__lte=event.date_earliest) if descending else Q(date_earliest__gte=event.date_earliest)
        parts = [part.filter(seek & beyond) for part in parts]
    if len(parts) == 1:
        return list(parts[0].order_by(*order)[:size])
    if connections[parts[0].db].features.supports_slicing_ordering_in_compound:
        parts = [part.order_by(*order)[:size] for part in parts]
    else:
        parts = [part.order_by() for part in parts]
    first, *others = parts
    combined = first.union(*others, all=True)
    return list(combined.order_by(*order)[:size])


def read_undated(undated, event, size, descending=False):
    order = [f"-{field}" for field in UNDATED_ORDER] if descending else list(UNDATED_ORDER)
    if event is not None:
        undated = undated.filter(_beyond(event, UNDATED_ORDER, "lt" if descending else "gt"))
    return list(undated.order_by(*order)[:size])


def events_after(parts, event, size, newest=False):
    """Up to `size` of the events in `parts` (EventQuerySet.timeline_parts) that follow `event` in the
    timeline's order, newest or oldest first (from the start if `event` is None).

    Dated events come first, then undated ones; each is read in plain order, which both databases read
    from an index (SQLite's index can't give NULLS LAST without sorting).
    """
    dated, undated = parts
    if event is not None and event.date_earliest is None:
        return read_undated(undated, event, size)
    found = read_dated(dated, event, size, descending=newest)
    if len(found) < size:
        found += read_undated(undated, None, size - len(found))
    return found


def events_before(parts, event, size, newest=False):
    """Up to `size` of the events in `parts` that come just before `event` in the timeline's order, in that order."""
    dated, undated = parts
    if event.date_earliest is None:
        found = read_undated(undated, event, size, descending=True)
        if len(found) < size:
            found += read_dated(dated, None, size - len(found), descending=not newest)
    else:
        found = read_dated(dated, event, size, descending=not newest)
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
    """How many `queryset` holds, counted up to COUNT_LIMIT + 1 and told as a Tally.

    Events narrowed to many link rows (an actor's participations, a topic's links) are counted, on
    SQLite, along those rows' index (EventQuerySet.counted_along), each row's event looked up by its
    key and tested against the other filters, stopping at the bound. Counted from the events, a busy
    actor's count walked the events table testing each event for the actor (12.6 of the person
    page's 18.7 ms of SQL at a million events).
    """
    return bounded_tally(bounded_rows(queryset).count())


def bounded_rows(queryset):
    """The rows count_at_most counts for `queryset`: at most COUNT_LIMIT + 1, along the narrowest index."""
    rows = queryset.order_by()
    links, events = rows.counted_along() if isinstance(rows, EventQuerySet) else (None, rows)
    if links is None:
        counted = rows.values("pk")
    else:
        counted = links.filter(Exists(events.filter(pk=OuterRef("event_id")))).values("event_id").distinct()
    return counted[: COUNT_LIMIT + 1]


def bounded_tally(number):
    """A number counted up to COUNT_LIMIT + 1, told as a Tally: past the limit, "more than" it."""
    return Tally(COUNT_LIMIT, more=True) if number > COUNT_LIMIT else Tally(number)


def count_events(events, filtered, known=None):
    """The events' count: exact up to COUNT_LIMIT; beyond, the whole archive's total as last counted, or a bound.
    `known`, their number if already counted (by the chart), saves counting them again; it is told the same way."""
    tally = count_at_most(events) if known is None else bounded_tally(known)
    if tally.more and not filtered:
        number, counted_at = caching.kept(
            f"published-event-count-{freshness.current(events.db)}",
            (int, datetime.datetime),
            lambda: (events.count() if known is None else known, timezone.now()),
            TOTAL_COUNT_SECONDS,
        )
        tally = Tally(number, counted_at=counted_at)
    return tally


def topic_event_counts():
    """({topic pk: (events, the topics under it included; events tagged with it directly)}, when counted).

    Kept for TOTAL_COUNT_SECONDS, as counting reads every event's topics, under the archive's version,
    so that no change is left out of them. The topic list, a topic's
    page and the timeline's topic menu all read these, so they say the same.
    """
    return caching.kept(
        f"topic-event-counts-{freshness.current()}",
        ({int: (int, int)}, datetime.datetime),
        lambda: (Topic.objects.event_counts(topic_tree()), timezone.now()),
        TOTAL_COUNT_SECONDS,
    )


def topics_with_event_counts():
    """(topics in tree order, each with its `event_count` and `direct_count`, when they were counted)."""
    topics = topic_tree()
    counts, counted_at = topic_event_counts()
    for topic in topics:
        topic.event_count, topic.direct_count = counts.get(topic.pk, (0, 0))
    return topics, counted_at


# Facet counts: beside each choice of a filter, how many events it would give with the other filters
# as they are. Each menu reads at most FACET_SAMPLE + 1 of the events the other filters let through
# (any of them: no order, so the database reads whichever come cheapest) and counts its choices
# among those, so a menu costs the same whether its choices are rare or common. Where the other
# filters let through more, only a count already past COUNT_LIMIT within the sample is known
# ("1,000+"); the others are not shown, and the page says so (facet_sample_note).
FACET_SAMPLE = 10_000


@dataclass(frozen=True)
class FacetCount:
    """How many events one choice of a filter would give: exact up to COUNT_LIMIT, then "1,000+"."""

    number: int
    more: bool = False

    def __str__(self):
        return f"{self.number:,}+" if self.more else f"{self.number:,}"


def bounded(number):
    return FacetCount(COUNT_LIMIT, more=True) if number > COUNT_LIMIT else FacetCount(number)


def facet_sample_note():
    return (
        f"Counts are shown where the other filters leave at most {FACET_SAMPLE:,} events, or where a choice "
        f"certainly gives more than {COUNT_LIMIT:,}; choose one to see its events."
    )


def _quoted(model, *fields):
    """The quoted table of `model` and the quoted columns of its `fields`."""
    name = connections[Event.objects.db].ops.quote_name
    return name(model._meta.db_table), *(name(model._meta.get_field(field).column) for field in fields)


def _only_sampled(column, sample, sampled):
    """On PostgreSQL, for a sample, a condition that makes the sampled events' links be read by index,
    each event's on its own (= ANY of an array), not by a merge join along the whole index of links.
    The whole archive's counts (not a sample) read every link anyway, as a hash join does best."""
    if not sampled or connections[Event.objects.db].vendor != "postgresql":
        return ""  # SQLite reads the sample first and looks up each event's links
    return f" AND {column} = ANY(ARRAY(SELECT id FROM {sample}))"


def _values_sql(facet, sample, sampled):
    """SQL giving (value, events) rows for `facet` over the events in the CTE `sample` (id, kind, country)."""
    if facet == "kind":
        return f"SELECT kind, COUNT(*) FROM {sample} GROUP BY kind"
    if facet == "country":
        # The country filter's meaning (EventQuerySet.in_country): where it happened, or a
        # participant's country; each (event, country) once, so an event counts once per country.
        participations, event_id, person_id, organization_id = _quoted(
            Participation, "event", "person", "organization"
        )
        people, person_country = _quoted(Person, "country")
        organizations, organization_country = _quoted(Organization, "country")
        return (
            f"SELECT code, COUNT(*) FROM (SELECT id, country AS code FROM {sample}"
            f" UNION SELECT s.id, a.{person_country} FROM {sample} s CROSS JOIN {participations} p"
            f" CROSS JOIN {people} a WHERE p.{event_id} = s.id AND a.id = p.{person_id}"
            f"{_only_sampled(f'p.{event_id}', sample, sampled)}"
            f" UNION SELECT s.id, a.{organization_country} FROM {sample} s CROSS JOIN {participations} p"
            f" CROSS JOIN {organizations} a WHERE p.{event_id} = s.id AND a.id = p.{organization_id}"
            f"{_only_sampled(f'p.{event_id}', sample, sampled)}"
            f") AS {sample}_countries WHERE code IS NOT NULL GROUP BY code"
        )
    # Topics: an event tagged with a topic, or with one under it, counts once for it (the CTE
    # topic_tree pairs each topic's slug with itself and each topic under it). CROSS JOIN keeps
    # SQLite's loops in this order, the sample outermost: driven from the topics, it read every
    # link of each topic (the whole archive's) at 100,000 events.
    links, event_id, topic_id = _quoted(Event.topics.through, "event", "topic")
    return (
        f"SELECT t.slug, COUNT(DISTINCT s.id) FROM {sample} s CROSS JOIN {links} l CROSS JOIN topic_tree t"
        f" WHERE l.{event_id} = s.id AND t.topic = l.{topic_id}{_only_sampled(f'l.{event_id}', sample, sampled)}"
        " GROUP BY t.slug"
    )


def _count_values(events, topics, sampled):
    """({facet: {value: events}}, {facet: events read}) for each facet of `events`, {facet: queryset},
    in one query: those in `sampled` read at most FACET_SAMPLE + 1 of their events, the others all."""
    numbers = {facet: {} for facet in events}
    totals = dict.fromkeys(events, 0)
    ctes, parts, params, samples = [], [], [], {}
    for index, (facet, rows) in enumerate(events.items()):
        if facet == "topic" and not topics:
            continue
        rows = rows.order_by().values("pk", "kind", "country")
        if facet in sampled:
            rows = rows[: FACET_SAMPLE + 1]
        try:
            sql, rows_params = rows.query.get_compiler(using=rows.db).as_sql()
        except EmptyResultSet:  # a filter that lets nothing through (queryset.none()): all zero
            continue
        # Menus with the same other filters (kind and country, when neither is chosen) share one sample.
        sample = samples.get((sql, tuple(rows_params)))
        if sample is None:
            sample = samples[(sql, tuple(rows_params))] = f"sample_{index}"
            ctes.append(f"{sample}(id, kind, country) AS ({sql})")
            params.extend(rows_params)
        parts.append(f"SELECT {index}, NULL, COUNT(*) FROM {sample}")
        parts.append(f"SELECT {index}, v.* FROM ({_values_sql(facet, sample, facet in sampled)}) AS v")
    if not parts:
        return numbers, totals
    if "topic" in events and topics:
        pairs = [(slug, int(pk)) for slug, pks in topics.items() for pk in pks]
        ctes.append("topic_tree(slug, topic) AS (VALUES " + ", ".join(f"(%s, {pk})" for _, pk in pairs) + ")")
        params.extend(slug for slug, _ in pairs)
    facets = list(events)
    with connections[Event.objects.db].cursor() as cursor:
        cursor.execute("WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(parts), params)
        for index, value, number in cursor.fetchall():
            if value is None:
                totals[facets[index]] = number
            else:
                numbers[facets[index]][value] = number
    return numbers, totals


def facet_counts(events, choices, topics, unfiltered=(), filters=None):
    """{facet: {choice: FacetCount, or None where no count could be made quickly}}, in one query at most.

    `events`: {facet: a function that makes the events the other filters let through}; `choices`: {facet: its values};
    `topics`: a function giving {slug: pks of the topic and every topic under it}. The facets in `unfiltered` count the
    whole archive (a GROUP BY), the same for every visitor, kept for TOTAL_COUNT_SECONDS as the
    whole archive's count is. The others, given `filters` (a key that names the filters in use), are
    kept under it and the archive's version for TOTAL_COUNT_SECONDS: their samples read up to
    FACET_SAMPLE events each, 1.8 s a request for a country, a kind and a date at a million events.
    """
    found, to_count = {}, {}
    for facet, rows in events.items():
        counts = caching.read(whole_facet_key(facet), {str: int}) if facet in unfiltered else None
        if counts is not None:
            found[facet] = {choice: bounded(counts.get(choice, 0)) for choice in choices[facet]}
        else:
            to_count[facet] = rows
    sampled = [facet for facet in to_count if facet not in unfiltered]
    key = f"facet-counts-of-{filters}-{freshness.current()}" if filters and sampled else None
    kept = caching.read(key, ({str: {str: int}}, {str: int})) if key else None
    if kept is not None and all(facet in kept[1] for facet in to_count):
        numbers, totals = kept
    else:
        numbers, totals = _count_values({facet: make() for facet, make in to_count.items()}, topics(), sampled=sampled)
        if key:
            caching.keep(key, (numbers, totals), TOTAL_COUNT_SECONDS)
    for facet in to_count:
        counts = {choice: numbers[facet].get(choice, 0) for choice in choices[facet]}
        if facet in unfiltered:
            caching.keep(whole_facet_key(facet), counts, TOTAL_COUNT_SECONDS)
        if facet in unfiltered or totals[facet] <= FACET_SAMPLE:
            found[facet] = {choice: bounded(number) for choice, number in counts.items()}
        else:
            # Only part of the events were read: a count past the bound is proven, the rest unknown.
            found[facet] = {choice: bounded(number) if number > COUNT_LIMIT else None for choice, number in counts.items()}
    return found


def whole_facet_key(facet):
    """Under the archive's version, so that no change is left out of the kept counts."""
    return f"facet-counts-{facet}-{freshness.current()}"


def topic_tree():
    """Every topic in tree order (TopicQuerySet.in_tree_order), for the topic menu, the topic list and
    the check of a chosen topic: kept like the names, and forgotten when a topic is saved or deleted."""
    return caching.kept("topic-tree", [Topic], Topic.objects.in_tree_order, TOTAL_COUNT_SECONDS)


def forget_topic_tree(**kwargs):
    """Connected in apps.py."""
    caching.forget("topic-tree")


# Pages of the timeline


@dataclass
class TimelinePage:
    """One page of events in date order, with the events it starts after or ends before for the links."""

    events: list
    count: Tally
    next: int | None  # show the events after this one
    previous: int | None  # show the events before this one
    newest: bool = False  # newest first: the events after this page are older

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


def timeline_page(
    events,
    after=None,
    before=None,
    filtered=True,
    sort=NEWEST,
    parts=None,
    size=None,
    known_count=None,
    prefetch=True,
    kept_as=None,
):
    """The page of `size` (PER_PAGE) events of `events` that starts after the event numbered `after`, or ends
    before the one numbered `before`, in the order `sort` names. `parts`, if given, is a function that gives
    the events to read as timeline_parts() splits them (called only if they are read); `known_count`, their
    number if already counted.
    `prefetch=False` leaves the list's prefetches to the caller (event_items reads them for the items not kept).
    Given `kept_as` (a key that names the filters that made `events`), the page's events are kept (kept_events)."""
    size = size or PER_PAGE  # read when called, not when defined: tests change PER_PAGE
    newest = sort == NEWEST

    def read():
        in_parts = parts() if parts else events.timeline_parts()
        if before is not None:
            return events_before(in_parts, bounding_event(before), size + 1, newest)
        return events_after(in_parts, bounding_event(after), size + 1, newest)

    if kept_as is None:
        found = read()
    else:
        found = kept_events(("timeline-page", kept_as, after, before, size, sort), read, events.db)
    if before is not None:
        shown = found[-size:]
        previous = shown[0].pk if len(found) > size else None
        following = shown[-1].pk if shown else None
    else:
        shown = found[:size]
        previous = shown[0].pk if after is not None and shown else None
        following = shown[-1].pk if len(found) > size else None
    if prefetch:
        prefetch_related_objects(shown, *Event.objects.list_prefetches())
    if after is None and before is None and following is None:
        count = Tally(len(shown))  # the whole list is on this page: no need to count it again
    else:
        count = count_events(events, filtered, known_count)
    return TimelinePage(shown, count, following, previous, newest)


# The Python type of each kind of column an event has (a kind not here is a KeyError as this module loads).
COLUMN_TYPES = {
    "BigAutoField": int,
    "PositiveIntegerField": int,
    "CharField": str,
    "SlugField": str,
    "TextField": str,
    "DateField": datetime.date,
    "DateTimeField": datetime.datetime,
    "BooleanField": bool,
}
# An event's columns as kept_events keeps them, in the order Event.from_db takes them, and their shape
# (caching.has_shape): a list of values of the column's type for each.
EVENT_COLUMNS = tuple(field.attname for field in Event._meta.concrete_fields)
# What an event read plainly holds: its columns and its state; anything else was added to it (an annotation).
COLUMNS_AND_STATE = {*EVENT_COLUMNS, "_state"}
KEPT_EVENTS_SHAPE = tuple(
    [COLUMN_TYPES[field.get_internal_type()] | None if field.null else COLUMN_TYPES[field.get_internal_type()]]
    for field in Event._meta.concrete_fields
)


def kept_events(inputs, read, using):
    """The events `read()` gives, kept as their columns under `inputs` (with a repr that says all of them: the
    filters, the page's place and order) and the archive's version, for TOTAL_COUNT_SECONDS, as the counts
    are: building and compiling a filtered page's query took longer than running it, and the next reader
    of the same page needs the same events. Kept events come back as read, without a query; events read
    with annotations or deferred columns are not kept, as their columns would not make them again."""
    key = kept_events_key(inputs, using)
    columns = caching.read(key, KEPT_EVENTS_SHAPE)
    if columns is not None and len(set(map(len, columns))) == 1:
        return [Event.from_db(using, EVENT_COLUMNS, row) for row in zip(*columns, strict=True)]
    found = read()
    if not any(event.get_deferred_fields() or event.__dict__.keys() - COLUMNS_AND_STATE for event in found):
        keep_events(inputs, found, using)
    return found


def keep_events(inputs, events, using):
    """Keeps the columns of `events` for kept_events(`inputs`) to give back."""
    columns = tuple([getattr(event, column) for event in events] for column in EVENT_COLUMNS)
    caching.keep(kept_events_key(inputs, using), columns, TOTAL_COUNT_SECONDS)


def kept_events_key(inputs, using):
    return f"events-{hashlib.sha256(repr((inputs, EVENT_COLUMNS)).encode()).hexdigest()}-{freshness.current(using)}"


@dataclass
class DateTally:
    """How a date filter's events divide: those certainly in its range and those that only may be; and how
    many, among the other filters' events, it leaves out as nothing is known of their date."""

    certain: Tally
    maybe: Tally
    unplaced: Tally


def tally_dates(page, certain, maybe, unplaced, filters=None):
    """The DateTally of a page of a date filter's events (marked by presentation.mark_uncertain), given
    functions that make the querysets of the three kinds (`unplaced` may be a Tally, counted already):
    counted from the page where it holds them all. Given `filters` (a key that names the filters in use),
    the counts are kept under it and the archive's version for TOTAL_COUNT_SECONDS: at a million events
    they took 0.3 to 0.4 s a page. The querysets are made only to be counted: building their conditions
    took longer than reading the kept counts."""
    key = f"date-tally-of-{filters}-{freshness.current()}" if filters else None
    if not page.count.more and page.count.number == len(page.events):
        maybe_count = sum(1 for event in page.events if event.may_be)
        # Kept as the three counts are, for the next request, whose chart may be kept without it.
        if isinstance(unplaced, Tally) and key:
            caching.keep(f"{key}-unplaced", unplaced.number + unplaced.more, TOTAL_COUNT_SECONDS)
        elif not isinstance(unplaced, Tally):

            def count():  # the queryset made only to be counted, as below
                return bounded_rows(unplaced()).count()

            unplaced = bounded_tally(caching.kept(f"{key}-unplaced", int, count, TOTAL_COUNT_SECONDS) if key else count())
        return DateTally(Tally(len(page.events) - maybe_count), Tally(maybe_count), unplaced)
    numbers = caching.read(key, (int, int, int)) if key else None
    if numbers is None:
        # One query for the three counts, not one each: a date filter's later pages are at the query budget.
        counted = [certain(), maybe()] + ([] if isinstance(unplaced, Tally) else [unplaced()])
        numbers = tuple(counts_at_once(*map(bounded_rows, counted)))
        if isinstance(unplaced, Tally):
            numbers = (*numbers, unplaced.number + unplaced.more)  # past the bound, as counted
        if key:
            caching.keep(key, numbers, TOTAL_COUNT_SECONDS)
    certain_tally = bounded_tally(numbers[0])
    if page.count.more or certain_tally.more:
        maybe_tally = bounded_tally(numbers[1])
    else:
        maybe_tally = Tally(page.count.number - certain_tally.number)
    return DateTally(certain_tally, maybe_tally, bounded_tally(numbers[2]))


# Pages of a search by relevance


# A search is ranked among its first this many matches in date order: ranking every match of a
# common word in a million events would read them all. The page says so, with a link to them all by date.
RANKED = COUNT_LIMIT


@dataclass
class RankedPage(TimelinePage):
    """A page of a search's matches, the most relevant first, among the first `ranked` in date order."""

    ranked: int = 0
    unranked: bool = False  # there are more matches than were ranked


def ranked_page(events, query, after=None, before=None, size=None, prefetch=True, kept_as=None):
    """The page of `size` (PER_PAGE) events of `events`, matches of `query`, in order of relevance, that starts
    after the event numbered `after` or ends before the one numbered `before`: one query ranks the candidates,
    one reads the page with its passages (read_with_passages), and two its prefetches. Given `kept_as` (a key
    that names the filters that made `events`), the ranking is kept under it (ranked_order)."""
    size = size or PER_PAGE
    dated = events.filter(date_earliest__isnull=False).order_by("date_earliest", "title", "pk")
    undated = events.filter(date_earliest__isnull=True).order_by("title", "pk")
    candidates = [dated.values("pk")[: RANKED + 1], undated.values("pk")[: RANKED + 1]]
    order, unranked = ranked_order(query, candidates, events.db, kept_as)
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
    shown = read_with_passages(shown_pks, query, events.db)
    if prefetch:
        prefetch_related_objects(shown, *Event.objects.list_prefetches())
    count = Tally(RANKED, more=True) if unranked else Tally(len(order))
    return RankedPage(
        shown,
        count,
        next=shown_pks[-1] if end < len(order) and shown_pks else None,
        previous=shown_pks[0] if start > 0 and shown_pks else None,
        ranked=len(order),
        unranked=unranked,
    )


def read_with_passages(pks, query, using):
    """The events numbered `pks`, in that order, each with its passages (search.set_passages). The passages
    are kept under the search, the events and the archive's version for TOTAL_COUNT_SECONDS, as the
    ranking is: marking them was most of a search page's time, and the next reader of the same page
    of the same search needs them unchanged. With them, the events are kept too (kept_events)."""
    key = f"passages-{hashlib.sha256(repr((query, pks)).encode()).hexdigest()}-{freshness.current(using)}"
    kept = caching.read(key, search.KEPT_SHAPE)

    def in_order(rows):
        by_pk = {event.pk: event for event in rows}
        return [by_pk[pk] for pk in pks if pk in by_pk]

    # The query is built only if the events are read: its condition on 50 numbers is not free to build.
    rows = functools.partial(Event.objects.using(using).filter, pk__in=pks)
    if kept is not None:
        shown = kept_events(("events-numbered", pks), lambda: in_order(rows()), using)
        search.set_kept_passages(shown, kept)
        return shown
    shown = in_order(rows().annotate(**search.passage_annotations(query, using)))
    search.set_passages(shown, using)
    caching.keep(key, search.as_kept(shown), TOTAL_COUNT_SECONDS)
    keep_events(("events-numbered", pks), shown, using)  # their columns, without the passages' annotations
    return shown


def ranked_order(query, candidates, using, kept_as=None):
    """([event id], whether more matched than were ranked): the first RANKED matches of `query` among
    `candidates` (search.ranked), the best first. Kept under the search, its filters and the archive's
    version for TOTAL_COUNT_SECONDS, as the counts are: ranking a common word's 1,001 candidates takes
    0.2-0.9 s at a million events, and each page of the same search (or a reload) ranks the same. The
    filters are named by `kept_as` if given, else by the candidates' SQL."""
    if kept_as is None:
        try:
            inputs = (query, [candidate.query.get_compiler(using=using).as_sql() for candidate in candidates])
        except EmptyResultSet:  # a filter that lets nothing through (a name nobody has): nothing to rank
            return [], False
    else:
        inputs = (query, "filters", kept_as)
    key = f"ranked-{hashlib.sha256(repr(inputs).encode()).hexdigest()}-{freshness.current(using)}"

    def rank():
        try:
            found = search.ranked(query, candidates, using)
        except EmptyResultSet:
            return [], False
        # The first RANKED in date order (undated last), then the best first; among equals, the date order.
        found.sort(key=lambda row: (row[1] is None, row[1] or datetime.date.min, row[2], row[0]))
        order = [pk for _, _, pk in sorted((-(row[3] or 0), position, row[0]) for position, row in enumerate(found[:RANKED]))]
        return order, len(found) > RANKED

    return caching.kept(key, ([int], bool), rank, TOTAL_COUNT_SECONDS)


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
    links, number = link_counts(Participation.involving(**involving))
    events = Event.objects.published().involving(**involving, found=links)
    found = events_after(events.timeline_parts(), None, limit + 1)
    shown = found[:limit]
    field = "person" if "people" in involving else "organization"
    parts = Participation.objects.filter(event__in=[event.pk for event in shown], **{field: actor})
    place = {event.pk: position for position, event in enumerate(shown)}
    parts = parts.select_related("event", "office")  # their claim bases: ClaimBasis.attach, with the page's others
    participations = sorted(parts, key=lambda part: (place[part.event_id], part.pk))
    count = Tally(len(shown)) if len(found) <= limit else bounded_tally(number)
    return ActorEvents(participations, count, shown)


def link_counts(links):
    """(the link rows `links` up to search.MANY_MATCHES + 1, which pick how EventQuerySet.among reads their
    events; their published events up to COUNT_LIMIT + 1, along the links' index), in one query: the two
    counts a record page needs, for an actor's participations or a topic family's links. Kept under the
    links' query and the archive's version for TOTAL_COUNT_SECONDS: 0.4 s for a topic at a million events."""
    try:
        sql, params = links.order_by().query.get_compiler(using=links.db).as_sql()
    except EmptyResultSet:  # no links: nothing worth keeping
        key = None
    else:
        key = f"link-counts-{hashlib.sha256(repr((sql, params)).encode()).hexdigest()}"

    def count():
        *counts, version = counts_at_once(
            links.order_by()[: search.MANY_MATCHES + 1],
            links.filter(event__is_published=True).order_by().values("event_id").distinct()[: COUNT_LIMIT + 1],
            with_version=True,
        )
        return tuple(counts), version

    return freshness.kept_with_version(key, (int, int), count, TOTAL_COUNT_SECONDS, links.db)


def counts_at_once(*querysets, with_version=False):
    """The number of rows of each of `querysets` (sliced, to bound them), read in one query; then, if
    `with_version`, the archive's version (events/freshness.py)."""
    using = querysets[0].db
    parts, params = [], []
    version = [freshness.version_sql(using)] if with_version else []
    for position, queryset in enumerate(querysets):
        try:
            sql, part_params = queryset.query.get_compiler(using=using).as_sql()
        except EmptyResultSet:  # a filter that lets nothing through
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted_{position})")
        params.extend(part_params)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts + version), params)
        return cursor.fetchone()
