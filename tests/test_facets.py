"""Beside each choice of the kind, country and topic menus, how many events it would give with
the other filters as they are: exact up to a bound, then "1,000+", in a bounded number of queries."""

import re
from html import unescape

import pytest
from django.urls import reverse

from events import paging
from events.models import Event

from .factories import make_event, make_person, make_topic, take_part
from .helpers import html_of

pytestmark = pytest.mark.django_db

TIMELINE = reverse("timeline")


def menu(response, name):
    """{value: the option's text} of the <select> named `name`, em spaces and all spaces collapsed."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html_of(response), re.S).group(1)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    return {value: re.sub(r"\s+", " ", unescape(text).replace("\u2003", " ")).strip() for value, text in options}


def test_each_kind_says_how_many_events_it_would_give_with_the_other_filters_as_they_are(client):
    make_event("A meeting in 2024", kind=Event.Kind.MEETING, date="2024-10-18")
    make_event("Another meeting in 2024", kind=Event.Kind.MEETING, date="2024-10-19")
    make_event("A letter in 2024", kind=Event.Kind.LETTER, date="2024-11-01")
    make_event("A meeting in 2020", kind=Event.Kind.MEETING, date="2020-01-01")

    kinds = menu(client.get(TIMELINE, {"date_from": "2024", "kind": "letter"}), "kind")

    assert kinds["meeting"] == "Meeting (2)"
    assert kinds["letter"] == "Letter (1)"
    assert kinds["debate"] == "Debate (0)", "a choice that gives nothing stays, and says so"
    assert kinds[""] == "Any kind"


def test_each_country_counts_where_it_happened_or_who_took_part(client):
    lammy = make_person("David Lammy", country="GB")
    take_part(make_event("Lammy in Beijing", country="CN"), lammy)
    make_event("Talks in Beijing", country="CN")
    make_event("Somewhere unsaid")

    countries = menu(client.get(TIMELINE), "country")

    assert countries["CN"] == "China (2)"
    assert countries["GB"] == "United Kingdom (1)"
    assert countries["TW"] == "Taiwan (0)"


def test_each_topic_counts_the_events_of_the_topics_under_it(client):
    human_rights = make_topic("Human rights", slug="human-rights")
    xinjiang = make_topic("Xinjiang", parent=human_rights, slug="xinjiang")
    make_event("Sanctions", kind=Event.Kind.STATEMENT, topics=[xinjiang])
    make_event("Remarks", kind=Event.Kind.STATEMENT, topics=[human_rights])
    make_event("A meeting on Xinjiang", kind=Event.Kind.MEETING, topics=[xinjiang])

    topics = menu(client.get(TIMELINE, {"kind": "statement"}), "topic")

    assert topics["human-rights"] == "Human rights (2)"
    assert topics["xinjiang"] == "Xinjiang (1)"


def test_a_choice_past_the_counting_bound_says_so(client, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 2)
    for number in range(3):
        make_event(f"Meeting {number}", kind=Event.Kind.MEETING, date="2024-01-01")
    make_event("A letter", kind=Event.Kind.LETTER, date="2024-01-01")

    filtered = menu(client.get(TIMELINE, {"date_from": "2024"}), "kind")
    whole = menu(client.get(TIMELINE), "kind")

    assert filtered["meeting"] == "Meeting (2+)" and filtered["letter"] == "Letter (1)"
    assert whole["meeting"] == "Meeting (2+)" and whole["letter"] == "Letter (1)"


def test_the_whole_archives_counts_are_kept_and_not_counted_on_every_visit(client, django_assert_num_queries):
    make_event("A meeting", kind=Event.Kind.MEETING)
    client.get(TIMELINE)  # counts them, and the topics and names

    # The topic menu, the dated events, the undated ones, their topics and participants: the
    # menus' counts are kept.
    with django_assert_num_queries(5):
        response = client.get(TIMELINE)

    assert menu(response, "kind")["meeting"] == "Meeting (1)"


def test_a_filtered_page_counts_every_menu_in_one_query(client, django_assert_num_queries):
    topic = make_topic("Trade")
    make_event("A meeting", kind=Event.Kind.MEETING, topics=[topic], date="2024-01-01")
    client.get(TIMELINE)

    # The topic menu, the topic filter's choice of plan, one for the three menus' counts, the
    # dated events, the undated ones, their topics and participants.
    with django_assert_num_queries(7):
        client.get(TIMELINE, {"topic": topic.slug, "kind": "meeting"})


@pytest.mark.parametrize("rows", [3, 30])
def test_the_number_of_queries_for_menus_with_counts_stays_flat_as_events_grow(
    client, django_assert_num_queries, rows
):
    topic = make_topic("Trade")
    lammy = make_person("David Lammy", country="GB")
    for number in range(rows):
        take_part(make_event(f"Meeting {number}", kind=Event.Kind.MEETING, topics=[topic], date="2024-01-01"), lammy)
    query = {"actor": "David Lammy", "date_from": "2024", "topic": topic.slug, "kind": "meeting", "country": "GB"}
    client.get(TIMELINE, query)

    # The topic menu, the actor's name, the actor and topic filters' choice of plan, the menus'
    # counts, the dated events, the undated ones, their topics and participants.
    with django_assert_num_queries(9):
        client.get(TIMELINE, query)


def test_a_page_with_an_error_shows_the_menus_without_counts(client):
    make_event("A meeting", kind=Event.Kind.MEETING)

    response = client.get(TIMELINE, {"date_from": "not a date"})

    assert response.status_code == 400
    assert menu(response, "kind")["meeting"] == "Meeting"
