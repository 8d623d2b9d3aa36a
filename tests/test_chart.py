"""The chart of events over time above the timeline: a bar per year (or month), each a link to the
timeline narrowed to its period, whose count is what that page lists."""

import datetime
import re
from html import unescape
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import chart, search
from events.dates import FuzzyDate, Precision
from events.filters import EventFilter
from events.models import Event

from .factories import make_event, make_topic
from .helpers import html_of, summary, text_of

pytestmark = pytest.mark.django_db

TIMELINE = reverse("timeline")
BY_17_OCTOBER_2024 = FuzzyDate(Precision.UNKNOWN, None, datetime.date(2024, 10, 17))


def chart_table(response):
    """The rows of the chart's table as a reader sees them: (period, its link, certainly in it, may be
    in it, listed on its page)."""
    table = re.search(r'<details class="chart-table">.*?</details>', html_of(response), re.S).group(0)
    rows = re.findall(
        r'<tr><th scope="row"><a href="([^"]+)">([^<]+)</a></th><td>([\d,]+)</td><td>([\d,]+)</td><td>([\d,]+)</td></tr>',
        table,
    )
    return [(name, unescape(href), *(int(number.replace(",", "")) for number in numbers)) for href, name, *numbers in rows]


def bar_titles(response):
    """What each bar of the drawing says of itself (its <title>)."""
    svg = re.search(r'<svg class="chart".*?</svg>', html_of(response), re.S).group(0)
    return [unescape(title) for title in re.findall(r"<title>([^<]+)</title>", svg)]


def chart_caption(response):
    return unescape(re.search(r"<caption>(.*?)</caption>", html_of(response), re.S).group(1))


def count_in(response):
    """The number of events the page's summary line says it lists."""
    return int(re.match(r"([\d,]+) events?", summary(response)).group(1).replace(",", ""))


def certain_in(response):
    """How many the page's date tally says are certainly in its period (all it lists, when it says nothing)."""
    found = re.search(r"([\d,]+) certainly in this period", text_of(response))
    return int(found.group(1).replace(",", "")) if found else count_in(response)


def test_a_bar_per_year_each_counting_the_events_certainly_in_it(client):
    make_event("A meeting in 2021", date="2021-03-22")
    make_event("Sanctions in 2021", date="2021")
    make_event("A visit in 2024", date="2024-10-18")

    response = client.get(TIMELINE)

    assert [row[0] for row in chart_table(response)] == ["2021", "2022", "2023", "2024"]
    assert [row[2:] for row in chart_table(response)] == [(2, 0, 2), (0, 0, 0), (0, 0, 0), (1, 0, 1)]
    assert bar_titles(response) == ["2021: 2 events", "2022: 0 events", "2023: 0 events", "2024: 1 event"]
    assert "Events per year: each bar links to its events." in text_of(response)


def test_a_bar_per_month_when_the_events_span_two_years_or_less(client):
    make_event("A meeting in October", date="2024-10-18")
    make_event("A letter in December", date="2024-12")

    rows = chart_table(client.get(TIMELINE))

    assert [(name, certain) for name, _, certain, _, _ in rows] == [
        ("October 2024", 1), ("November 2024", 0), ("December 2024", 1)
    ]


def test_a_date_filter_of_two_years_or_less_is_charted_by_month_and_a_longer_one_by_year(client):
    make_event("A meeting", date="2023-10-18")

    by_month = chart_table(client.get(TIMELINE, {"date_from": "2023", "date_to": "2024"}))
    by_year = chart_table(client.get(TIMELINE, {"date_from": "2022", "date_to": "2024"}))

    assert len(by_month) == 24 and by_month[0][0] == "January 2023" and by_month[-1][0] == "December 2024"
    assert [name for name, *_ in by_year] == ["2022", "2023", "2024"]


def test_an_event_known_only_to_its_year_is_hatched_in_every_month_of_it_and_counted_once(client):
    make_event("A report in 2024", date="2024")
    make_event("A meeting in March", date="2024-03-05")

    response = client.get(TIMELINE)
    rows = chart_table(response)

    assert len(rows) == 12
    assert [(certain, maybe) for _, _, certain, maybe, _ in rows][:4] == [(0, 1), (0, 1), (1, 1), (0, 1)]
    assert chart_caption(response) == "Events per month: 2 in all, 1 counted in one bar each and 1 that may fall in more than one."
    assert "Hatched: events that only may be in that month" in text_of(response)
    assert bar_titles(response)[2] == "March 2024: 2 events (1 certainly in it, 1 that may be)"


def test_events_with_no_known_date_are_a_bar_of_their_own_at_the_end(client):
    make_event("A meeting", date="2024-10-18")
    make_event("A talk of no known date", date=None)

    rows = chart_table(client.get(TIMELINE))

    assert rows[-1] == ("No known date", "/?date=unknown", 1, 0, 1)


def test_a_bar_narrows_the_date_filter_to_its_period_keeping_the_other_filters(client):
    topic = make_topic("Taiwan")
    make_event("Warships in the Strait", date="2024-10-18", topics=[topic])

    rows = chart_table(client.get(TIMELINE, {"date_from": "18 October 2024", "topic": topic.slug}))

    # A bar cut by the date filter narrows to the part of its period inside it.
    assert [href for _, href, *_ in rows] == [f"/?date_from=2024-10-18&date_to=2024-10&topic={topic.slug}"]


def test_the_bars_sum_to_the_filtered_count(archive, client):
    for query in [{}, {"topic": "human-rights"}, {"date_from": "2021", "date_to": "2024"}, {"date_from": "2024"}]:
        response = client.get(TIMELINE, query)
        rows = chart_table(response)
        caption = chart_caption(response)
        total, in_bars, spanning = (int(number) for number in re.findall(r"(\d+) (?:in all|counted|that may)", caption))

        assert total == count_in(response), query
        assert in_bars == sum(certain for _, _, certain, _, _ in rows), query
        assert in_bars + spanning == total, query



@pytest.mark.parametrize("query", [{}, {"topic": "human-rights"}, {"date_from": "2021", "date_to": "2024"}])
def test_the_chart_counts_the_same_whether_its_rows_are_fetched_one_at_a_time_or_all_at_once(
    archive, client, monkeypatch, query
):
    # The rows are summed as they are fetched, so that no worker holds a million events' rows at once.
    all_at_once = chart_table(client.get(TIMELINE, query))
    cache.clear()
    monkeypatch.setattr(chart, "ROWS_AT_ONCE", 1)

    one_at_a_time = client.get(TIMELINE, query)

    assert all_at_once
    assert chart_table(one_at_a_time) == all_at_once
    assert chart_caption(one_at_a_time) == chart_caption(client.get(TIMELINE, query))


@pytest.mark.parametrize(
    "query",
    [
        {"topic": "human-rights"},
        {"actor": "david-lammy"},
        {"country": "CN"},
        {"topic": "human-rights", "actor": "david-lammy"},
        {"kind": "statement", "date_from": "2021", "actor": "david-lammy"},
    ],
)
def test_a_chart_of_filters_past_many_matches_counts_the_same_events(archive, client, monkeypatch, query):
    # Past search.MANY_MATCHES link rows, the page tests each event against them (to stop after a page),
    # and the chart, which counts every event, reads them as a set instead.
    rows_as_a_list = chart_table(client.get(TIMELINE, query, follow=True))
    cache.clear()
    monkeypatch.setattr(search, "MANY_MATCHES", 0)

    response = client.get(TIMELINE, query, follow=True)

    assert rows_as_a_list
    assert chart_table(response) == rows_as_a_list
    filterset = EventFilter(QueryDict(urlencode(query)), queryset=Event.objects.published())
    assert filterset.is_valid()
    assert "EXISTS" in str(filterset.qs.query)
    assert "EXISTS" not in str(filterset.qs_read_whole().query)


def test_every_bar_links_to_a_page_that_lists_what_the_bar_counts(archive, client):
    for query in [{}, {"topic": "human-rights"}, {"date_from": "2024"}, {"date_from": "October 2024", "date_to": "2024"}]:
        rows = chart_table(client.get(TIMELINE, query))
        assert rows, query
        for name, href, certain, maybe, listed in rows:
            page = client.get(href)
            assert page.status_code == 200, href
            assert listed == certain + maybe
            assert count_in(page) == listed, (query, name)
            if href.startswith("/?date_from"):
                assert certain_in(page) == certain, (query, name)


def test_a_bar_of_events_that_only_may_be_in_its_period_links_to_them_so_marked(client):
    make_event("A letter by 17 October 2024", date=BY_17_OCTOBER_2024)
    make_event("A meeting in October", date="2024-10-18")

    rows = chart_table(client.get(TIMELINE, {"date_from": "2024-10"}))
    [(name, href, certain, maybe, listed)] = rows
    page = client.get(href)

    assert (name, certain, maybe) == ("October 2024", 1, 1)
    assert count_in(page) == 2
    assert "1 certainly in this period and 1 that may be" in text_of(page)


def test_a_chart_is_kept_by_its_filters_until_a_record_changes_and_says_when_it_was_counted(client):
    make_event("A meeting", date="2024-10-18")
    client.get(TIMELINE, {"kind": "meeting"})

    kept = client.get(TIMELINE, {"kind": "meeting"})
    drawn_before = client.get(TIMELINE, {"kind": "meeting"})  # its drawing kept too
    in_the_other_order = client.get(TIMELINE, {"kind": "meeting", "sort": "oldest"})
    make_event("Another meeting", date="2024-10-19")
    recounted = client.get(TIMELINE, {"kind": "meeting"})
    recounted_and_kept = client.get(TIMELINE, {"kind": "meeting"})

    assert "Events per month (as counted at" in text_of(kept)
    assert chart_table(kept)[0][2] == chart_table(drawn_before)[0][2] == 1
    assert chart_table(in_the_other_order)[0][1].endswith("&sort=oldest"), "its bars keep the order"
    assert "as counted at" not in text_of(recounted)
    assert chart_table(recounted)[0][2] == chart_table(recounted_and_kept)[0][2] == 2


def test_a_kept_chart_of_a_date_filter_still_counts_the_events_it_leaves_out(client):
    make_event("A meeting", date="2024-10-18")
    make_event("A talk of no known date", date=None)
    client.get(TIMELINE, {"date_from": "2024"})

    response = client.get(TIMELINE, {"date_from": "2024"})

    assert "as counted at" in text_of(response)
    assert "1 event with no known date is not shown" in text_of(response)


def test_a_timeline_with_no_events_draws_no_chart(client):
    make_event("A draft meeting", is_published=False)

    response = client.get(TIMELINE)

    assert "No published events match these filters" in text_of(response)
    assert "events-over-time" not in html_of(response)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"topic": "security"},
        {"date_from": "2024", "topic": "security"},
        {"date_from": "2023", "date_to": "2024", "q": "Event"},
    ],
)
def test_the_chart_keeps_the_timelines_query_count_flat_as_events_grow(client, query):
    topic = make_topic("Security", slug="security")

    def add_events(count):
        dates = ["2024-10-18", "2024", "2023-03", None, BY_17_OCTOBER_2024]
        for number in range(count):
            make_event(f"Event {number}", date=dates[number % len(dates)], topics=[topic])

    add_events(5)
    client.get(TIMELINE, {"q": "any"})  # the lists every page shares, kept until an edit
    with CaptureQueriesContext(connection) as few:
        assert client.get(TIMELINE, query).status_code == 200

    add_events(40)
    cache.clear()
    client.get(TIMELINE, {"q": "any"})
    with CaptureQueriesContext(connection) as many:
        response = client.get(TIMELINE, query)

    assert response.status_code == 200
    assert chart_table(response)
    assert len(many) == len(few) <= 10, "\n".join(query["sql"][:150] for query in many.captured_queries)


def test_a_date_range_wider_than_any_date_the_archive_can_hold_draws_only_the_years_it_can(client):
    make_event("A meeting", date="2024-10-18")

    response = client.get(TIMELINE, {"date_from": "0001", "date_to": "9999"})
    rows = chart_table(response)

    assert summary(response).startswith("1 event")

    assert rows[0][0] == "1800" and rows[-1][0] == str(datetime.date.today().year + 1)
    assert [certain for name, _, certain, _, _ in rows if name == "2024"] == [1]


@pytest.mark.parametrize("query", [{"date_from": "0001"}, {"date_to": "0001"}, {"date_from": "0001", "date_to": "0001"}])
def test_a_date_filter_in_the_year_1_finds_nothing_and_is_no_server_error(client, query):
    make_event("A meeting", date="2024-10-18")

    response = client.get(TIMELINE, query)

    assert response.status_code == 200
    assert summary(response).startswith("1 event" if "date_to" not in query else "0 events")
