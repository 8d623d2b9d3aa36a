"""The bounded counts read along the narrowest link rows (an actor's participations, a topic's links)
say the same as a plain COUNT of the events, for every kind of filter, within the bound and past it."""

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import paging, search
from events.filters import EventFilter
from events.models import Event

from .factories import make_event, make_organization, make_person, make_topic, take_part
from .helpers import text_of, titles

pytestmark = pytest.mark.django_db

BOUND = 4


@pytest.fixture(params=["many", "few"])
def small_bound(request, monkeypatch):
    """A bound of BOUND events; and, with "many", link rows past two counted as many (EventQuerySet.among),
    so that the counts are read along them; with "few", from the events narrowed to a list of ids."""
    monkeypatch.setattr(paging, "COUNT_LIMIT", BOUND)
    if request.param == "many":
        monkeypatch.setattr(search, "MANY_MATCHES", 2)


@pytest.fixture
def many_links(monkeypatch):
    monkeypatch.setattr(paging, "COUNT_LIMIT", BOUND)
    monkeypatch.setattr(search, "MANY_MATCHES", 2)


@pytest.fixture
def archive_of_counts():
    """Events enough that some filters give more than BOUND and others fewer: a busy person in
    seven (twice in one), a rare one in two, an organization in five, a parent topic with a child."""
    busy, rare = make_person("David Lammy"), make_person("Yvette Cooper")
    office = make_organization("Foreign Office")
    rights = make_topic("Human rights")
    xinjiang = make_topic("Xinjiang", parent=rights)
    for number in range(7):
        event = make_event(
            f"Lammy meeting {number}",
            date="2024-10-18" if number % 2 else "2020-03",
            kind=Event.Kind.MEETING if number < 5 else Event.Kind.SPEECH,
            topics=[rights] if number % 3 == 0 else [xinjiang] if number % 3 == 1 else [],
        )
        take_part(event, busy)
        if number == 0:
            take_part(event, busy, role="host")  # twice in one event: counted once
        if number < 5:
            take_part(event, office)
    for number in range(2):
        take_part(make_event(f"Cooper speaks on sanctions {number}", kind=Event.Kind.SPEECH, topics=[xinjiang]), rare)
    both = make_event("Sanctions on Xinjiang officials", date="2021", topics=[rights, xinjiang])
    take_part(both, busy)
    make_event("A draft with Lammy", is_published=False)
    return {"busy": busy.slug, "rare": rare.slug, "office": office.slug, "rights": rights.slug, "xinjiang": xinjiang.slug}


FILTERS = {
    "a busy person": {"actor": "busy"},
    "a rare person": {"actor": "rare"},
    "an organization": {"actor": "office"},
    "a name several have": {"actor": "Lammy Cooper"},
    "a parent topic, its child's events included": {"topic": "rights"},
    "a child topic": {"topic": "xinjiang"},
    "a search": {"q": "sanctions"},
    "a person and a topic": {"actor": "busy", "topic": "rights"},
    "a person, dates and a kind": {"actor": "busy", "date_from": "2024", "kind": "meeting"},
    "an organization and a search": {"actor": "office", "q": "meeting"},
    "a topic and a kind": {"topic": "rights", "kind": "speech"},
    "a kind alone": {"kind": "meeting"},
    "a name nobody has": {"actor": "Boris"},
}


def filtered(archive_of_counts, asked):
    query = QueryDict(mutable=True)
    for name, value in asked.items():
        query[name] = archive_of_counts.get(value, value)
    filterset = EventFilter(query, queryset=Event.objects.published())
    assert filterset.is_valid(), filterset.errors
    return filterset


@pytest.mark.parametrize("asked", FILTERS.values(), ids=FILTERS.keys())
def test_a_bounded_count_says_what_a_plain_count_of_the_same_events_says(archive_of_counts, small_bound, asked):
    filterset = filtered(archive_of_counts, asked)
    plain = filterset.qs.count()

    tally = paging.count_at_most(filterset.qs)

    assert (tally.number, tally.more) == (min(plain, BOUND), plain > BOUND)


@pytest.mark.parametrize("asked", FILTERS.values(), ids=FILTERS.keys())
def test_the_date_filters_certain_and_possible_counts_say_what_plain_counts_say(archive_of_counts, small_bound, asked):
    filterset = filtered(archive_of_counts, {**asked, "date_from": "2020", "date_to": "2024-10"})
    filterset.qs  # noqa: B018 (fills without_dates)
    first, last = filterset.date_range()
    for events in (
        filterset.without_dates.certainly_within(first, last),
        filterset.without_dates.only_possibly_within(first, last),
        filterset.without_dates.without_known_date(),
    ):
        plain = events.count()
        tally = paging.count_at_most(events)
        assert (tally.number, tally.more) == (min(plain, BOUND), plain > BOUND)


sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL plans the count itself (EventQuerySet.counted_along)"
)


@sqlite_only
def test_a_busy_persons_events_are_counted_along_their_participations(archive_of_counts, many_links):
    filterset = filtered(archive_of_counts, {"actor": "busy", "kind": "meeting"})
    events = filterset.qs

    with CaptureQueriesContext(connection) as queries:
        tally = paging.count_at_most(events)

    assert str(tally) == "More than 4"
    [count] = queries.captured_queries
    read_first = count["sql"].split(" FROM ", 2)[2]  # after COUNT(*) FROM (SELECT DISTINCT ... FROM
    assert read_first.startswith('"events_participation"')


@sqlite_only
def test_a_busy_topics_events_are_counted_along_its_links(archive_of_counts, many_links):
    filterset = filtered(archive_of_counts, {"topic": "rights"})

    with CaptureQueriesContext(connection) as queries:
        paging.count_at_most(filterset.qs)

    read_first = queries.captured_queries[-1]["sql"].split(" FROM ", 2)[2]
    assert read_first.startswith('"events_event_topics"')


def test_events_joined_by_or_are_counted_from_the_events_themselves(archive_of_counts, small_bound):
    rare = Event.objects.published().involving(people=list(filtered(archive_of_counts, {"actor": "rare"}).form.cleaned_data["actor"].people))
    speeches = Event.objects.published().filter(kind=Event.Kind.SPEECH)
    either = rare | speeches

    assert either.links == ()
    assert paging.count_at_most(either).number == either.count() == 4


def test_the_busiest_persons_page_counts_their_published_events_once_each(client, archive_of_counts, small_bound, monkeypatch):
    from events import views

    monkeypatch.setattr(views, "ON_RECORD_PAGE", 3)

    text = text_of(client.get(reverse("person_detail", args=[archive_of_counts["busy"]])))

    # Eight published events, one of them with the person twice: past the bound of four.
    assert "More than 4 events · the first 3 in date order are listed here" in text


def test_a_rare_persons_page_counts_their_events_exactly(client, archive_of_counts, monkeypatch):
    from events import views

    monkeypatch.setattr(views, "ON_RECORD_PAGE", 1)

    text = text_of(client.get(reverse("person_detail", args=[archive_of_counts["rare"]])))

    assert "2 events · the first 1 in date order are listed here" in text


def test_a_rare_actors_undated_events_are_looked_up_by_id_on_sqlite_and_listed_last_by_title(client):
    lammy = make_person("David Lammy")
    for title in ["Talks", "Call", "Visit"]:
        take_part(make_event(title, date=None), lammy)
    take_part(make_event("Dated talks", date="2024-10-18"), lammy)
    make_event("Someone else's undated event", date=None)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("timeline"), {"actor": lammy.slug})

    assert titles(response) == ["Dated talks", "Call", "Talks", "Visit"]
    undated = [query["sql"] for query in captured if '"date_earliest" IS NULL' in query["sql"]]
    # SQLite's statistics would have it walk every undated event along the timeline's index (see undated_condition).
    assert undated and all(('+"events_event"."date_earliest" IS NULL' in sql) == (connection.vendor == "sqlite") for sql in undated)
