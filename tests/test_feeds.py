"""Following the archive: the Atom feed of a filtered timeline (/feed/), the feed of editors' changes
(/feed/changes/) and the iCalendar file of dated events (/calendar.ics)."""

import datetime
import re
from html import unescape
from urllib.parse import urlencode

import feedparser
import icalendar
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings

from events import calendar, feeds, paging
from events.dates import FuzzyDate, Precision
from events.history import History
from events.models import Event

from .factories import make_event, make_topic
from .helpers import html_of, text_of
from .test_hostile_input import PAGES, PROFILE, query_strings

pytestmark = pytest.mark.django_db

FEED = reverse("event_feed")
CHANGES = reverse("change_feed")
CALENDAR = reverse("event_calendar")
BY_17_OCTOBER_2024 = FuzzyDate(Precision.UNKNOWN, None, datetime.date(2024, 10, 17))


def parsed(response):
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


def absolute(event):
    return "http://testserver" + event.get_absolute_url()


# The Atom feed of a filtered timeline


def test_the_feed_of_a_filtered_timeline_lists_its_events_newest_first_with_links_and_their_dates(client):
    rights, trade = make_topic("Human rights"), make_topic("Trade")
    older = make_event("UK sanctions officials", date="2021-03", topics=[rights])
    newer = make_event("Lammy raises Jimmy Lai", date="2024-10-18", topics=[rights])
    unknown = make_event("A letter of unknown date", date=BY_17_OCTOBER_2024, topics=[rights])
    make_event("A trade mission", date="2024-11-01", topics=[trade])

    feed = parsed(client.get(FEED, {"topic": rights.slug}))

    assert feed.feed.title == "Diplo: UK–China diplomatic events about Human rights"
    assert feed.feed.id == f"http://testserver/?topic={rights.slug}"
    assert feed.feed.updated
    assert feed.feed.link == f"http://testserver/?topic={rights.slug}"
    assert [entry.title for entry in feed.entries] == [newer.title, older.title, unknown.title]
    assert [entry.link for entry in feed.entries] == [absolute(newer), absolute(older), absolute(unknown)]
    assert all(entry.id and entry.updated for entry in feed.entries)
    summaries = [unescape(re.sub("<[^>]+>", " ", entry.summary)) for entry in feed.entries]
    assert "18 October 2024" in summaries[0] and "What happened: Lammy raises Jimmy Lai." in summaries[0]
    assert "March 2021" in summaries[1]
    assert "Date unknown (by 17 October 2024)" in summaries[2]


def test_the_feed_says_it_holds_every_event_when_it_does(client):
    make_event("One meeting")

    feed = parsed(client.get(FEED))

    assert feed.feed.subtitle.startswith("All 1 of the events these filters select, newest first")


def test_the_feed_holds_the_newest_fifty_events_and_says_so_with_a_link_to_them_all(client):
    for day in range(1, 53):
        make_event(f"Meeting {day}", date=f"2024-01-{day:02d}" if day <= 31 else f"2024-02-{day - 31:02d}")

    feed = parsed(client.get(FEED))

    assert len(feed.entries) == feeds.FEED_SIZE == 50
    assert feed.entries[0].title == "Meeting 52"
    assert feed.feed.subtitle.startswith("The newest 50 of the 52 events these filters select")
    assert "http://testserver/" in feed.feed.subtitle


def test_the_feed_leaves_out_drafts(client):
    make_event("A published meeting")
    make_event("A draft meeting", is_published=False)

    feed = parsed(client.get(FEED))

    assert [entry.title for entry in feed.entries] == ["A published meeting"]


@pytest.mark.parametrize(
    ("path", "query", "message"),
    [
        (FEED, {"topic": "no-such-topic"}, "There is no topic"),
        (FEED, {"date_from": "2024-13-40"}, "is not a real date"),
        (CALENDAR, {"kind": "party"}, "is not a kind of event this archive records"),
        (CALENDAR, {"date_from": "2025", "date_to": "2024"}, "This is before the “From” date"),
    ],
)
def test_a_bad_filter_is_a_bad_request_with_the_timelines_message(client, path, query, message):
    timeline = client.get(reverse("timeline"), query)
    response = client.get(path, query)

    assert timeline.status_code == response.status_code == 400
    assert message in text_of(timeline)
    assert message in text_of(response)


def test_each_timeline_page_advertises_its_feed_and_calendar_with_its_filters(client):
    topic = make_topic("Taiwan")
    make_event("Warships pass through the Taiwan Strait", topics=[topic])

    html = html_of(client.get(reverse("timeline"), {"topic": topic.slug, "date_from": "2024", "sort": "oldest"}, follow=True))

    query = f"?date_from=2024&amp;topic={topic.slug}"
    assert f'<link rel="alternate" type="application/atom+xml" title="Atom feed of these events" href="/feed/{query}">' in html
    assert f'<link rel="alternate" type="text/calendar" title="Calendar of these events" href="/calendar.ics{query}">' in html
    assert f'<a href="/feed/{query}" type="application/atom+xml">Atom feed</a>' in html


def test_the_feed_link_of_a_page_gives_the_pages_events(client):
    topic = make_topic("Taiwan")
    for day in (1, 2, 3):
        make_event(f"Taiwan event {day}", date=f"2024-10-0{day}", topics=[topic])
    make_event("Another event", date="2024-10-04")
    page = client.get(reverse("timeline"), {"topic": topic.slug})
    href = unescape(re.search(r'type="application/atom\+xml" title="[^"]*" href="([^"]+)"', html_of(page)).group(1))

    feed = parsed(client.get(href))

    listed = re.findall(r'class="event-title"><a href="[^"]*">([^<]*)</a>', html_of(page))
    assert [entry.title for entry in feed.entries] == listed == ["Taiwan event 3", "Taiwan event 2", "Taiwan event 1"]


# The feed of changes


def test_the_changes_feed_lists_events_added_and_changed_newest_first(client):
    added = make_event("Lammy meets Wang Yi")
    changed = make_event("Cleverly visits Beijing")
    changed.title = "Cleverly visits Beijing and Shanghai"
    changed.save()

    feed = parsed(client.get(CHANGES))

    assert feed.feed.title == "Diplo: events added or changed"
    assert feed.feed.id == "http://testserver/feed/changes/" != parsed(client.get(FEED)).feed.id
    assert feed.feed.updated
    assert [entry.title for entry in feed.entries] == [
        "Changed: Cleverly visits Beijing and Shanghai",
        "Added: Cleverly visits Beijing",
        "Added: Lammy meets Wang Yi",
    ]
    assert [entry.link for entry in feed.entries] == [absolute(changed), absolute(changed), absolute(added)]
    assert len({entry.id for entry in feed.entries}) == 3
    assert all(entry.updated for entry in feed.entries)


def test_the_changes_feed_shows_only_published_events(client):
    make_event("A draft meeting", is_published=False)
    unpublished = make_event("A meeting later withdrawn")
    unpublished.is_published = False
    unpublished.save()
    published = make_event("A published meeting")

    feed = parsed(client.get(CHANGES))

    assert [entry.title for entry in feed.entries] == [f"Added: {published.title}"]


def test_the_version_kept_before_a_loaded_events_first_change_is_not_a_change_of_its_own(client):
    event = make_event("An event loaded with the archive")
    Event.history.filter(id=event.pk).delete()  # as loaddata leaves it
    event.summary = "A corrected summary."
    event.save()

    feed = parsed(client.get(CHANGES))

    assert Event.history.filter(id=event.pk, history_change_reason=History.FIRST_VERSION_REASON).exists()
    assert [entry.title for entry in feed.entries] == [f"Changed: {event.title}"]
    assert "A corrected summary." in feed.entries[0].summary


# The calendar


def calendar_of(response):
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(b"".join(response.streaming_content))


def days_of(calendar_file):
    """{summary: (first day, the day after the last)} of each event in the calendar."""
    return {
        str(event["SUMMARY"]): (event.decoded("DTSTART"), event.decoded("DTEND"))
        for event in calendar_file.walk("VEVENT")
    }


def test_the_calendar_has_each_dated_event_all_day_over_every_day_it_may_be(client):
    make_event("A meeting on a day", date="2024-10-18")
    make_event("A visit over three days", date=FuzzyDate(Precision.MONTH, datetime.date(2024, 10, 14), datetime.date(2024, 10, 16)))
    make_event("A report in a month", date="2024-10")
    make_event("Sanctions in a year", date="2021")

    found = days_of(calendar_of(client.get(CALENDAR)))

    assert found == {
        "A meeting on a day": (datetime.date(2024, 10, 18), datetime.date(2024, 10, 19)),
        "A visit over three days": (datetime.date(2024, 10, 14), datetime.date(2024, 10, 17)),
        "A report in a month": (datetime.date(2024, 10, 1), datetime.date(2024, 11, 1)),
        "Sanctions in a year": (datetime.date(2021, 1, 1), datetime.date(2022, 1, 1)),
    }
    # All-day: dates, not times.
    assert all(type(day) is datetime.date for days in found.values() for day in days)


def test_the_calendar_leaves_out_unknown_dates_and_says_how_many_and_why(client):
    make_event("A meeting on a day", date="2024-10-18")
    make_event("A letter by a day", date=BY_17_OCTOBER_2024)
    make_event("A talk of no known date", date=None)

    calendar_file = calendar_of(client.get(CALENDAR))

    assert list(days_of(calendar_file)) == ["A meeting on a day"]
    description = str(calendar_file["X-WR-CALDESC"])
    assert description.startswith("All 1 event with a known date these filters select, newest first.")
    assert "2 events whose date is unknown are left out, as a calendar needs a day to put an event on." in description


def test_each_calendar_event_links_its_page_and_gives_its_date_in_words(client):
    event = make_event("A report in a month", date="2024-10", place="London")

    [entry] = calendar_of(client.get(CALENDAR)).walk("VEVENT")

    assert str(entry["URL"]) == str(entry["UID"]) == absolute(event)
    assert str(entry["DESCRIPTION"]) == "October 2024. What happened: A report in a month."
    assert str(entry["LOCATION"]) == "London"


def test_the_calendar_keeps_the_filters(client):
    topic = make_topic("Taiwan")
    make_event("Warships in the Strait", topics=[topic])
    make_event("A trade mission")

    found = days_of(calendar_of(client.get(CALENDAR, {"topic": topic.slug})))

    assert list(found) == ["Warships in the Strait"]


def test_the_calendar_holds_every_dated_event_newest_first_read_a_chunk_at_a_time(client, monkeypatch):
    monkeypatch.setattr(calendar, "CHUNK", 2)
    for day in (1, 2, 3, 4, 5):
        make_event(f"Meeting {day}", date=f"2024-10-0{day}")
    make_event("A talk of no known date", date=None)

    calendar_file = calendar_of(client.get(CALENDAR))

    assert [str(event["SUMMARY"]) for event in calendar_file.walk("VEVENT")] == [f"Meeting {day}" for day in (5, 4, 3, 2, 1)]
    assert str(calendar_file["X-WR-CALDESC"]).startswith("All 5 events with a known date these filters select, newest first.")


def test_each_chunk_of_the_calendar_costs_the_same_queries(client, monkeypatch):
    monkeypatch.setattr(calendar, "CHUNK", 2)
    counted = []
    for day in (1, 3, 5):
        make_event(f"Meeting {day}", date=f"2024-10-0{day}")
        make_event(f"Meeting {day + 1}", date=f"2024-10-0{day + 1}")
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            calendar_of(client.get(CALENDAR))
        counted.append(len(queries))
    assert counted[1] - counted[0] == counted[2] - counted[1] <= 2
    assert counted[0] <= 10


def test_a_calendar_past_the_count_bound_says_it_holds_more_than_the_bound(client, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 2)
    for day in (1, 2, 3):
        make_event(f"Meeting {day}", date=f"2024-10-0{day}")

    calendar_file = calendar_of(client.get(CALENDAR))

    assert len(calendar_file.walk("VEVENT")) == 3
    assert str(calendar_file["X-WR-CALDESC"]).startswith(
        "All of the events with a known date these filters select (more than 2), newest first."
    )


def test_the_readmes_feeds_and_calendar_of_the_archive_parse(archive, client):
    for query in [{"topic": "human-rights"}, {"actor": "Mr Lammy", "date_from": "2024"}]:
        feed = parsed(client.get(FEED, query))
        assert feed.entries and all(entry.link.startswith("http://testserver/events/") for entry in feed.entries)
    assert parsed(client.get(CHANGES)).feed.title
    assert calendar_of(client.get(CALENDAR, {"topic": "taiwan"})).walk("VEVENT")


@settings(PROFILE)
@given(query=query_strings(PAGES["/"]))
def test_no_generated_query_breaks_the_feed_or_the_calendar(archive, client, query):
    pairs, tail = query
    for path in (FEED, CALENDAR):
        response = client.get(f"{path}?{urlencode(pairs)}{tail}")
        assert response.status_code in (200, 400), (path, pairs, tail)


def test_control_characters_typed_into_a_filter_are_left_out_of_the_feed_which_xml_cannot_hold(client):
    make_event("A meeting about trade")

    feed = parsed(client.get(FEED, {"q": "trade\x01\x1f"}))

    assert feed.feed.title == "Diplo: UK–China diplomatic events matching “trade”"
    assert [entry.title for entry in feed.entries] == ["A meeting about trade"]


def test_a_search_for_a_name_nobody_has_is_an_empty_timeline_not_an_error(archive, client):
    response = client.get(reverse("timeline"), {"actor": "' OR '1'='1", "q": "' OR '1'='1"})

    assert response.status_code == 200
    assert "No published events match these filters" in text_of(response)
