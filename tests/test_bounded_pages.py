"""Pages that stay cheap however large the archive: bounded counts, bounded record pages, indexed search."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import paging, search, views
from events.models import Event, Sanction

from .factories import (
    cite,
    make_event,
    make_office,
    make_organization,
    make_person,
    make_sanction,
    make_source,
    make_topic,
    take_part,
)
from .helpers import summary, text_of, titles

pytestmark = pytest.mark.django_db

TIMELINE = reverse("timeline")


# Counts


def test_a_filtered_count_past_the_limit_says_more_than_the_limit(client, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 3)
    monkeypatch.setattr(paging, "PER_PAGE", 2)
    for number in range(5):
        make_event(f"Meeting {number}", kind=Event.Kind.MEETING)

    response = client.get(TIMELINE, {"kind": "meeting"})

    assert summary(response) == "More than 3 events · of the kind “Meeting”"


def test_a_filtered_count_within_the_limit_is_exact(client, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 3)
    monkeypatch.setattr(paging, "PER_PAGE", 2)
    for number in range(3):
        make_event(f"Meeting {number}", kind=Event.Kind.MEETING)

    assert summary(client.get(TIMELINE, {"kind": "meeting"})) == "3 events · of the kind “Meeting”"


def test_the_whole_archives_count_past_the_limit_is_exact_and_says_when_it_was_counted(client, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 3)
    monkeypatch.setattr(paging, "PER_PAGE", 2)
    for number in range(5):
        make_event(f"Event {number}")

    assert re.fullmatch(r"5 events \(as counted at \d\d:\d\d UTC\)", summary(client.get(TIMELINE)))


def test_the_topic_list_says_when_its_counts_were_made(client):
    human_rights = make_topic("Human rights")
    make_event("About rights", topics=[human_rights])

    text = text_of(client.get(reverse("topic_list")))

    assert "Human rights" in text and "1 event" in text
    assert re.search(r"Event counts as counted at \d\d:\d\d UTC", text)


def test_a_list_that_fits_on_its_page_is_counted_from_the_page(client, django_assert_num_queries):
    for number in range(3):
        make_event(f"Meeting {number}", kind=Event.Kind.MEETING)
    client.get(TIMELINE, {"kind": "meeting"})  # fill the cache

    # The archive's version, under which the chart, the menus' counts, the page's events and their
    # items are kept (events/event_items.py): no count.
    with django_assert_num_queries(1):
        response = client.get(TIMELINE, {"kind": "meeting"})

    assert summary(response) == "3 events · of the kind “Meeting”"


# Record pages list a page of events, not all of them


def test_a_person_page_lists_their_first_events_and_links_to_the_rest(client, monkeypatch):
    monkeypatch.setattr(views, "ON_RECORD_PAGE", 3)
    lammy = make_person("David Lammy")
    for day in range(1, 6):
        take_part(make_event(f"Day {day}", date=f"2024-10-0{day}"), lammy)

    response = client.get(lammy.get_absolute_url())

    text = text_of(response)
    assert "5 events · the first 3 in date order are listed here" in text
    assert "Day 3" in text and "Day 4" not in text
    assert f'href="/?actor={lammy.slug}">All of them on the timeline</a>' in response.content.decode()



def test_a_person_pages_count_is_kept_until_a_record_changes(client, monkeypatch):
    monkeypatch.setattr(views, "ON_RECORD_PAGE", 3)
    lammy = make_person("David Lammy")
    for day in range(1, 6):
        take_part(make_event(f"Day {day}", date=f"2024-10-0{day}"), lammy)
    client.get(lammy.get_absolute_url())

    with CaptureQueriesContext(connection) as captured:
        response = client.get(lammy.get_absolute_url())
    assert not [query["sql"] for query in captured if "COUNT(" in query["sql"]]
    assert "5 events · the first 3 in date order are listed here" in text_of(response)

    take_part(make_event("Day 6", date="2024-10-06"), lammy)
    assert "6 events · the first 3 in date order are listed here" in text_of(client.get(lammy.get_absolute_url()))


def test_a_person_page_quotes_what_they_said_at_the_events_it_lists(client, monkeypatch):
    monkeypatch.setattr(views, "ON_RECORD_PAGE", 1)
    lammy = make_person("David Lammy")
    first, later = make_event("First", date="2024-01-01"), make_event("Later", date="2024-02-01")
    for event, quote in ((first, "We raised Xinjiang."), (later, "We raised Hong Kong.")):
        take_part(event, lammy, role="speaker")
        cite(event, quote)

    text = text_of(client.get(lammy.get_absolute_url()))

    assert "We raised Xinjiang." in text and "We raised Hong Kong." not in text


def test_an_organization_page_lists_its_first_events_and_says_how_many_there_are(client, monkeypatch):
    monkeypatch.setattr(views, "ON_RECORD_PAGE", 2)
    office = make_organization("FCDO")
    for day in range(1, 4):
        take_part(make_event(f"Day {day}", date=f"2024-10-0{day}"), office)

    text = text_of(client.get(office.get_absolute_url()))

    assert "3 events · the first 2 in date order are listed here" in text
    assert "Day 2" in text and "Day 3" not in text



def test_an_organization_page_lists_the_first_sanctions_of_each_side_by_date_and_says_there_are_more(client, monkeypatch):
    monkeypatch.setattr(views, "ON_RECORD_PAGE", 2)
    ministry = make_organization("Chinese foreign ministry", country="CN")
    other = make_organization("Another ministry", country="GB")
    for day, name in [(4, "Ann"), (1, "Bob"), (3, "Cy")]:
        make_sanction(make_person(name), imposed_by=ministry, announced=f"2021-03-0{day}")
    make_sanction(ministry, imposed_by=ministry, announced="2021-03-02")  # on itself: on both sides
    make_sanction(other, imposed_by=other, announced="2021-02-01")  # on another: on neither
    for day in (6, 5):
        make_sanction(ministry, imposed_by=other, imposing_country="GB", announced=f"2021-03-0{day}")

    imposed, against = Sanction.objects.published().of_organization(ministry, 2)
    text = text_of(client.get(ministry.get_absolute_url()))

    assert [sanction.announced.earliest.day for sanction in imposed] == [1, 2, 3]  # the first 2, and one to say there are more
    assert [sanction.announced.earliest.day for sanction in against] == [2, 5, 6]
    assert "China on Bob" in text and "China on Chinese foreign ministry" in text and "China on Cy" not in text
    assert "The first 2, by date announced, are listed" in text
    assert "The first 2 are listed; " in text
    assert "Another ministry on Another ministry" not in text

def test_a_topic_page_pages_by_the_event_it_starts_after(client):
    topic = make_topic("Security")
    for number in range(55):
        make_event(f"Event {number:02d}", date=f"2020-01-{number % 28 + 1:02d}", topics=[topic])

    first = client.get(topic.get_absolute_url())
    following = re.search(r'<a href="\?([^"]*)" rel="next">', first.content.decode()).group(1)
    second = client.get(f"{topic.get_absolute_url()}?{unescape(following)}")

    assert len(titles(first)) == 50 and len(titles(second)) == 5
    assert set(titles(first)).isdisjoint(titles(second))
    assert summary(first).startswith("55 events about Security")


# Filters read the smaller side, and give the same events either way


@pytest.mark.parametrize("many_matches", [0, 10_000])
def test_actor_and_topic_filters_find_the_same_events_whichever_way_they_read(client, monkeypatch, many_matches):
    monkeypatch.setattr(search, "MANY_MATCHES", many_matches)
    lammy, topic = make_person("David Lammy"), make_topic("Hong Kong")
    take_part(make_event("Lammy on Hong Kong", date="2021-01-01", topics=[topic]), lammy)
    take_part(make_event("Lammy on trade", date="2021-01-02"), lammy)
    make_event("Others on Hong Kong", date="2021-01-03", topics=[topic])

    assert titles(client.get(TIMELINE, {"actor": "David Lammy"})) == ["Lammy on trade", "Lammy on Hong Kong"]
    assert titles(client.get(TIMELINE, {"topic": topic.slug})) == ["Others on Hong Kong", "Lammy on Hong Kong"]
    assert titles(client.get(TIMELINE, {"actor": "David Lammy", "topic": topic.slug})) == ["Lammy on Hong Kong"]


# Full-text search, on each database's own index


def test_a_search_word_finds_the_words_it_starts(client):
    make_event("Sanctions announced", date="2021-03-22")
    make_event("Lammy visits Beijing", date="2024-10-18")
    make_event("Trade talks", date="2024-10-19")

    assert titles(client.get(TIMELINE, {"q": "sanction"})) == ["Sanctions announced"]
    assert titles(client.get(TIMELINE, {"q": "Lamm"})) == ["Lammy visits Beijing"]
    assert titles(client.get(TIMELINE, {"q": "alks"})) == []


def test_search_finds_an_event_under_its_new_title_and_not_once_deleted(client):
    event = make_event("Lammy visits Beijing", summary="A visit.")
    event.title = "Lammy visits Shanghai"
    event.save()

    assert titles(client.get(TIMELINE, {"q": "Shanghai"})) == ["Lammy visits Shanghai"]
    assert titles(client.get(TIMELINE, {"q": "Beijing"})) == []
    event.delete()
    assert titles(client.get(TIMELINE, {"q": "Shanghai"})) == []


def test_search_finds_a_quote_once_cited_and_not_once_removed(client):
    event = make_event("A statement")
    citation = cite(event, "the Uyghur tribunal")

    assert titles(client.get(TIMELINE, {"q": "tribunal"})) == ["A statement"]
    citation.delete()
    assert titles(client.get(TIMELINE, {"q": "tribunal"})) == []


def test_search_characters_the_index_would_read_as_syntax_are_only_words(client):
    make_event("Sanctions announced")

    for text in ['sanction"', "sanction*", "NEAR(sanction)", "sanction OR x", "-sanction", "sanction:*"]:
        response = client.get(TIMELINE, {"q": text})
        assert response.status_code in (200, 400), text
        assert response.status_code == 400 or titles(response) in (["Sanctions announced"], []), text


def test_a_search_with_no_letters_or_digits_is_a_bad_request_that_says_so(client):
    response = client.get(TIMELINE, {"q": "*** ---"})

    assert response.status_code == 400
    assert "Search for a word: letters or digits." in text_of(response)


def test_search_reads_the_databases_full_text_index_not_every_row():
    # The search alone: on tables this tiny, the planner may as well test is_published along another index.
    events = Event.objects.search("sanction").values("pk")
    sql, params = events.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The tables are tiny: forbid the plans a tiny table gets, to see the one a big table can use.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())

    if connection.vendor == "postgresql":
        assert "Bitmap Index Scan on event_search_idx" in plan
    else:
        assert "events_search VIRTUAL TABLE INDEX" in plan


@pytest.mark.parametrize("many_matches", [0, 10_000])
def test_a_common_word_and_a_rare_one_find_the_same_events_in_the_same_order(client, monkeypatch, many_matches):
    monkeypatch.setattr(search, "MANY_MATCHES", many_matches)
    make_event("Sanctions later", date="2021-03-26")
    make_event("Sanctions announced", date="2021-03-22")
    cite(make_event("A statement", date="2021-03-24"), "sanctioned individuals")
    make_event("Unrelated", date="2021-03-23")

    in_date_order = ["Sanctions announced", "A statement", "Sanctions later"]
    assert titles(client.get(TIMELINE, {"q": "sanction", "sort": "oldest"})) == in_date_order
    assert sorted(titles(client.get(TIMELINE, {"q": "sanction"}))) == sorted(in_date_order)


def test_a_name_saved_is_suggested_at_once_though_the_names_are_cached(client):
    make_person("David Lammy")
    client.get(TIMELINE)

    make_organization("FCDO")
    html = client.get(TIMELINE).content.decode()

    assert '<option value="FCDO"></option>' in html and '<option value="David Lammy"></option>' in html


def test_a_lists_count_is_kept_until_a_record_changes(client):
    for number in range(3):
        make_source(f"A source {number}")
    client.get("/sources/")

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/sources/")
    assert not [query["sql"] for query in captured if query["sql"].startswith("SELECT COUNT(*)")]
    assert "3 sources" in text_of(response)

    make_source("One more")
    assert "4 sources" in text_of(client.get("/sources/"))


def test_an_organization_page_lists_its_first_offices_by_start_and_says_there_are_more(client, monkeypatch):
    monkeypatch.setattr(views, "ON_RECORD_PAGE", 2)
    fcdo, other = make_organization("FCDO"), make_organization("Another office")
    for name, start in [("Cleverly", "2022-09-06"), ("Lammy", "2024-07-05"), ("Raab", "2019-07-24"), ("Nobody", None)]:
        make_office(make_person(f"James {name}"), organization=fcdo, start=start)
    make_office(make_person("Someone Else"), organization=other, start="2000")

    text = text_of(client.get(fcdo.get_absolute_url()))

    assert "James Raab, Foreign Secretary" in text and "James Cleverly, Foreign Secretary" in text
    assert "James Lammy" not in text and "James Nobody" not in text and "Someone Else" not in text
    assert "The first 2 offices, by start date, are listed" in text
