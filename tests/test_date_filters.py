"""Date filters that leave nothing out silently: every event that may fall in the range, marked when it only may,
a count of those no date filter can place, dates typed as people type them, and the timeline newest first."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.dates import FuzzyDate, Precision
from events.models import Event
from events.presentation import mark_uncertain

from .factories import make_event, make_topic
from .helpers import html_of, summary, text_of, titles

pytestmark = pytest.mark.django_db

TIMELINE = reverse("timeline")
D = datetime.date


def by(day):
    """An unknown date of which the documents give only the day it came before: "by 17 October 2024"."""
    return FuzzyDate(Precision.UNKNOWN, None, day)


def marked(response):
    """{title: its "May be in this period" mark} for each event the page marks."""
    items = re.findall(r'<li class="event">(.*?)</li>', html_of(response), re.S)
    found = {}
    for item in items:
        mark = re.search(r'<p class="may-be">(.*?)</p>', item, re.S)
        if mark:
            title = re.search(r'class="event-title"><a href="[^"]*">([^<]*)</a>', item).group(1)
            found[unescape(title)] = unescape(re.sub(r"<[^>]+>", "", mark.group(1)))
    return found


def date_tally(response):
    found = re.search(r'<p class="date-tally">(.*?)</p>', html_of(response), re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", found.group(1)))).strip() if found else None


def link_to_unplaced(response):
    found = re.search(r'<a href="\?([^"]*)">show the events with no known date</a>', html_of(response))
    return unescape(found.group(1)) if found else None


# What a range shows


def test_a_date_range_shows_events_whose_date_is_known_only_by_a_bound_that_may_fall_in_it(client):
    make_event("Lammy in Beijing", date="2024-10-18")
    make_event("A speech before the visit", date=by(D(2024, 10, 17)))
    make_event("Guidance by 2023", date=by(D(2023, 1, 8)))

    response = client.get(TIMELINE, {"date_from": "2024-10", "date_to": "2024-10"}, follow=True)

    assert titles(response) == ["Lammy in Beijing", "A speech before the visit"]
    assert marked(response) == {
        "A speech before the visit": "May be in this period: the date is known only as “by 17 October 2024”."
    }


def test_an_event_known_only_by_the_day_it_came_before_is_certainly_before_a_later_date(client):
    make_event("A speech before the visit", date=by(D(2024, 10, 17)))
    make_event("Next year", date="2025-03")

    response = client.get(TIMELINE, {"date_to": "2025"}, follow=True)

    assert titles(response) == ["Next year", "A speech before the visit"]
    assert marked(response) == {}
    assert date_tally(response) is None


def test_an_event_known_only_to_the_month_may_be_in_a_range_of_days_it_overlaps(client):
    make_event("Taiwan exercise", date="2024-10")
    make_event("Lammy in Beijing", date="2024-10-18")

    response = client.get(TIMELINE, {"date_from": "14/10/2024", "date_to": "16/10/2024"}, follow=True)

    assert titles(response) == ["Taiwan exercise"]
    assert marked(response) == {"Taiwan exercise": "May be in this period: the date is known only as “October 2024”."}
    assert summary(response) == "1 event · 14–16 October 2024"


def test_the_summary_counts_the_events_certainly_in_the_range_and_those_that_only_may_be(client):
    for day in (1, 18, 31):
        make_event(f"On {day} October", date=f"2024-10-{day:02d}")
    make_event("A speech before the visit", date=by(D(2024, 10, 17)))
    make_event("Between two years", date=FuzzyDate(Precision.UNKNOWN, D(2024, 6, 1), D(2025, 6, 1)))
    make_event("September", date="2024-09-30")

    response = client.get(TIMELINE, {"date_from": "October 2024", "date_to": "october 2024"}, follow=True)

    assert summary(response) == "5 events · in October 2024"
    assert date_tally(response).startswith(
        "3 certainly in this period and 2 that may be: each is marked “May be in this period”"
    )


def test_the_counts_past_one_page_are_made_by_the_database_and_agree(client):
    for number in range(60):
        make_event(f"October {number:02d}", date=f"2024-10-{number % 28 + 1:02d}")
    for number in range(3):
        make_event(f"Before {number}", date=by(D(2024, 10, 17)))
    make_event("Nothing known", date=None)

    response = client.get(TIMELINE, {"date_from": "2024-10", "date_to": "2024-10"}, follow=True)

    assert len(titles(response)) == 50
    assert summary(response) == "63 events · in October 2024"
    assert date_tally(response).startswith("60 certainly in this period and 3 that may be")
    assert "1 event with no known date is not shown" in date_tally(response)



def test_the_counts_past_one_page_are_kept_for_the_next_page_until_a_record_changes(client):
    for number in range(60):
        make_event(f"October {number:02d}", date=f"2024-10-{number % 28 + 1:02d}")
    make_event("Before", date=by(D(2024, 10, 17)))
    first = client.get(TIMELINE, {"date_from": "2024-10", "date_to": "2024-10"}, follow=True)
    next_page = re.search(r'href="\?([^"]*)" rel="next"', html_of(first)).group(1).replace("&amp;", "&")

    with CaptureQueriesContext(connection) as captured:
        second = client.get(f"{TIMELINE}?{next_page}")
    assert not [query for query in captured if "certainly" in query["sql"] or "COUNT(*)" in query["sql"]]
    assert date_tally(second) == date_tally(first)

    make_event("Another in October", date="2024-10-30")
    assert date_tally(client.get(f"{TIMELINE}?{next_page}")).startswith("61 certainly in this period and 1 that may be")


# What a range leaves out, said and a link away


def test_events_with_nothing_known_of_their_date_are_counted_among_the_other_filters_with_a_link(client):
    topic = make_topic("Hong Kong", slug="hong-kong")
    make_event("Dated", date="2024-10-18", topics=[topic])
    make_event("Undated on Hong Kong", date=None, topics=[topic])
    make_event("Another undated on Hong Kong", date=None, topics=[topic])
    make_event("Undated elsewhere", date=None)

    response = client.get(TIMELINE, {"topic": "hong-kong", "date_from": "2020"}, follow=True)

    assert titles(response) == ["Dated"]
    assert "2 events with no known date are not shown" in date_tally(response)
    assert link_to_unplaced(response) == "date=unknown&topic=hong-kong"


def test_the_link_shows_only_the_events_with_no_known_date_and_says_so(client):
    topic = make_topic("Hong Kong", slug="hong-kong")
    make_event("Dated", date="2024-10-18", topics=[topic])
    make_event("Before the visit", date=by(D(2024, 10, 17)), topics=[topic])
    make_event("Undated on Hong Kong", date=None, topics=[topic])
    make_event("Undated elsewhere", date=None)

    response = client.get(TIMELINE, {"topic": "hong-kong", "date": "unknown"}, follow=True)

    assert titles(response) == ["Undated on Hong Kong"]
    assert summary(response) == "1 event · about Hong Kong · with no known date"


def test_asking_for_events_with_no_known_date_within_a_range_is_a_bad_request_that_says_why(client):
    response = client.get(TIMELINE, {"date": "unknown", "date_from": "2024"}, follow=True)

    assert response.status_code == 400
    assert "Events with no known date can't be in a date range" in text_of(response)


def test_an_unknown_choice_for_the_date_is_a_bad_request(client):
    response = client.get(TIMELINE, {"date": "sometime"}, follow=True)

    assert response.status_code == 400
    assert "“sometime” is not a choice here" in text_of(response)


def test_a_page_without_a_date_range_says_nothing_of_events_left_out(client):
    make_event("Undated", date=None)

    response = client.get(TIMELINE)

    assert titles(response) == ["Undated"]
    assert date_tally(response) is None


# Dates as people type them, and said back in words


@pytest.mark.parametrize(
    ("date_from", "date_to", "words"),
    [
        ("2024-10", "2024-10", "in October 2024"),
        ("October 2024", "Oct 2024", "in October 2024"),
        (" OCT 2024 ", "31 October 2024", "from October 2024 to 31 October 2024"),
        ("2021", "2021", "in 2021"),
        ("14 October 2024", "16/10/2024", "14–16 October 2024"),
        ("2024-10", "2025-03", "from October 2024 to March 2025"),
        ("18/10/2024", "", "from 18 October 2024"),
        ("", "2021", "up to 2021"),
    ],
)
def test_dates_typed_as_people_type_them_are_accepted_and_said_in_words(client, date_from, date_to, words):
    response = client.get(TIMELINE, {"date_from": date_from, "date_to": date_to}, follow=True)

    assert response.status_code == 200
    assert summary(response) == f"0 events · {words}"


def test_the_date_fields_say_which_forms_they_accept_day_first(client):
    text = text_of(client.get(TIMELINE))

    assert "2024, October 2024, 18 October 2024 or 18/10/2024 (day first)" in text


def test_a_long_date_typed_in_words_is_not_refused_for_its_length(client):
    response = client.get(TIMELINE, {"date_from": "18 September 2024"}, follow=True)

    assert response.status_code == 200
    assert "characters" not in text_of(response)


# The topic page's order


def test_a_topic_page_lists_its_events_newest_first_and_oldest_first_when_asked(client):
    topic = make_topic("Hong Kong")
    make_event("Earlier", date="2020-06-30", topics=[topic])
    make_event("Later", date="2024-10-18", topics=[topic])

    newest, oldest = client.get(topic.get_absolute_url()), client.get(topic.get_absolute_url(), {"sort": "oldest"})

    assert titles(newest) == ["Later", "Earlier"]
    assert titles(oldest) == ["Earlier", "Later"]
    assert '<a href="?sort=oldest">Oldest first</a>' in html_of(newest)


def test_a_topic_page_asked_for_an_unknown_order_is_a_bad_request(client):
    topic = make_topic("Hong Kong")

    response = client.get(topic.get_absolute_url(), {"sort": "random"})

    assert response.status_code == 400
    assert "should be “newest” or “oldest”" in text_of(response)


# The five documents' archive, as the issue found it


def test_the_archive_from_1900_lists_every_event_with_a_date_or_a_bound_and_counts_the_rest(archive, client):
    response = client.get(TIMELINE, {"date_from": "1900"}, follow=True)

    assert summary(response) == "34 events · from 1900"
    assert "8 events with no known date are not shown" in date_tally(response)


def test_the_archive_up_to_2025_holds_the_statements_known_only_as_before_october_2024(archive, client):
    response = client.get(TIMELINE, {"date_to": "2025"}, follow=True)

    assert summary(response) == "34 events · up to 2025"
    assert "Sir Keir Starmer sets out a “co-operate, compete, challenge” approach to China" in titles(response)
    assert marked(response) == {}


def test_the_archive_in_october_2024_shows_the_four_statements_that_may_be_in_it(archive, client):
    response = client.get(TIMELINE, {"date_from": "October 2024", "date_to": "October 2024"}, follow=True)

    assert summary(response) == "13 events · in October 2024"
    assert date_tally(response).startswith("9 certainly in this period and 4 that may be")
    assert len(marked(response)) == 4
    assert set(marked(response).values()) == {
        "May be in this period: the date is known only as “by 17 October 2024”."
    }


def test_the_archive_opens_on_what_happened_last(archive, client):
    response = client.get(TIMELINE)

    first_heading = re.search(r"<h2[^>]*>([^<]*)</h2>", html_of(response)).group(1)
    assert first_heading != "2018"
    assert int(first_heading) >= 2024


@pytest.mark.parametrize(
    ("first", "last"),
    [(D(2024, 10, 1), D(2024, 10, 31)), (D(2024, 10, 14), D(2024, 10, 16)), (D(1900, 1, 1), None), (None, D(2021, 6, 30))],
)
def test_the_database_divides_a_range_as_the_marks_do(archive, first, last):
    events = Event.objects.published()
    overlapping = list(events.overlapping(first, last))
    ends = (FuzzyDate(Precision.DAY, first, first) if first else None, FuzzyDate(Precision.DAY, last, last) if last else None)
    mark_uncertain(overlapping, *ends)

    maybe = {event.slug for event in overlapping if event.may_be}
    certain = {event.slug for event in overlapping if not event.may_be}
    assert set(events.only_possibly_within(first, last).values_list("slug", flat=True)) == maybe
    assert set(events.certainly_within(first, last).values_list("slug", flat=True)) == certain
