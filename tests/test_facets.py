"""Beside each choice of the kind, country and topic menus, how many events it would give with
the other filters as they are: exact up to a bound, then "1,000+", in a bounded number of queries."""

import re
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import paging
from events.models import Event

from .factories import make_event, make_person, make_topic, take_part
from .helpers import html_of, text_of

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
    assert "TW" not in countries, "of some 250 countries, those with no events here are left out"


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


def menu_count_queries(captured):
    """The queries that counted the menus' choices (paging.facet_counts)."""
    return [query["sql"] for query in captured if query["sql"].startswith("WITH sample_")]


def test_the_whole_archives_counts_are_kept_and_not_counted_on_every_visit(client):
    make_event("A meeting", kind=Event.Kind.MEETING)
    client.get(TIMELINE)  # counts them, and the topics and names

    with CaptureQueriesContext(connection) as captured:
        response = client.get(TIMELINE)

    assert menu_count_queries(captured) == []
    assert menu(response, "kind")["meeting"] == "Meeting (1)"


def test_a_filtered_page_counts_every_menu_in_one_query(client):
    topic = make_topic("Trade")
    make_event("A meeting", kind=Event.Kind.MEETING, topics=[topic], date="2024-01-01")
    client.get(TIMELINE)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(TIMELINE, {"date_from": "2024", "topic": topic.slug, "kind": "meeting", "country": "GB"})

    assert len(menu_count_queries(captured)) == 1
    assert len(captured) <= 10, "within the page's query budget"
    assert menu(response, "kind")["meeting"] == "Meeting (0)", "no event is in or involves the UK"



def test_a_filtered_pages_counts_are_kept_for_the_same_filters_until_a_record_changes(client):
    make_event("A meeting in 2024", kind=Event.Kind.MEETING, date="2024-01-01")
    filters = {"date_from": "2024", "kind": "letter"}
    client.get(TIMELINE, filters)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(TIMELINE, {**filters, "sort": "oldest"})  # the order changes no count
    assert menu_count_queries(captured) == []
    assert menu(response, "kind")["meeting"] == "Meeting (1)"

    make_event("Another meeting in 2024", kind=Event.Kind.MEETING, date="2024-02-01")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(TIMELINE, filters)
    assert len(menu_count_queries(captured)) == 1
    assert menu(response, "kind")["meeting"] == "Meeting (2)"


def forms_rendered(response):
    return [template.name for template in response.templates].count("_filter_form.html")


def test_a_filtered_pages_form_is_kept_for_what_it_shows_and_drawn_again_when_a_count_or_value_changes(client):
    meeting = make_event("A meeting in 2024", kind=Event.Kind.MEETING, date="2024-01-01")
    filters = {"date_from": "2024", "kind": "letter"}
    assert forms_rendered(client.get(TIMELINE, filters)) == 1

    again = client.get(TIMELINE, {**filters, "after": str(meeting.pk)})  # another page of the same filters
    assert again.status_code == 200
    assert forms_rendered(again) == 0
    assert menu(again, "kind")["meeting"] == "Meeting (1)"
    assert 'value="2024"' in html_of(again)

    make_event("Another meeting in 2024", kind=Event.Kind.MEETING, date="2024-02-01")
    changed = client.get(TIMELINE, filters)
    assert forms_rendered(changed) == 1
    assert menu(changed, "kind")["meeting"] == "Meeting (2)"

    other = client.get(TIMELINE, {**filters, "date_from": "2023"})
    assert forms_rendered(other) == 1
    assert 'value="2023"' in html_of(other)


def test_a_kept_form_does_not_put_its_menus_counts_together_again_until_a_record_changes(client, monkeypatch):
    from events.filters import EventFilter

    shown = []
    show_facet_counts = EventFilter.show_facet_counts
    monkeypatch.setattr(EventFilter, "show_facet_counts", lambda self: shown.append(self) or show_facet_counts(self))
    make_event("A meeting in 2024", kind=Event.Kind.MEETING, date="2024-01-01")
    filters = {"date_from": "2024", "kind": "letter"}

    client.get(TIMELINE, filters)
    again = client.get(TIMELINE, filters)
    assert len(shown) == 1
    assert menu(again, "kind")["meeting"] == "Meeting (1)"

    make_event("Another meeting in 2024", kind=Event.Kind.MEETING, date="2024-02-01")
    changed = client.get(TIMELINE, filters)
    assert len(shown) == 2
    assert menu(changed, "kind")["meeting"] == "Meeting (2)"


def test_the_number_of_queries_for_menus_with_counts_stays_flat_as_events_grow(client):
    topic = make_topic("Trade")
    lammy = make_person("David Lammy", country="GB")
    query = {"actor": "David Lammy", "date_from": "2024", "topic": topic.slug, "kind": "meeting", "country": "GB"}

    def queries_with(rows):
        while Event.objects.count() < rows:
            meeting = make_event(f"Meeting {Event.objects.count()}", kind=Event.Kind.MEETING, topics=[topic], date="2024-01-01")
            take_part(meeting, lammy)
        cache.clear()
        client.get(TIMELINE)  # the topic tree, the names and the whole archive's counts kept
        with CaptureQueriesContext(connection) as captured:
            response = client.get(TIMELINE, query)
        assert menu(response, "kind")["meeting"] == f"Meeting ({rows})"
        return len(captured), len(menu_count_queries(captured))

    assert queries_with(3) == queries_with(30)
    assert queries_with(30)[1] == 1


def test_each_country_counts_with_the_other_filters_as_they_are(client):
    lammy = make_person("David Lammy", country="GB")
    take_part(make_event("Lammy in Beijing", kind=Event.Kind.MEETING, country="CN"), lammy)
    make_event("Talks in Beijing", kind=Event.Kind.MEETING, country="CN")
    make_event("A letter from Beijing", kind=Event.Kind.LETTER, country="CN")

    countries = menu(client.get(TIMELINE, {"kind": "meeting"}), "country")

    assert countries["CN"] == "China (2)"
    assert countries["GB"] == "United Kingdom (1)"
    assert "TW" not in countries


def test_a_name_nobody_has_gives_zero_counts_not_an_error(client):
    make_event("A meeting", kind=Event.Kind.MEETING)

    response = client.get(TIMELINE, {"actor": "Boris Johnson"})

    assert response.status_code == 200
    assert menu(response, "kind")["meeting"] == "Meeting (0)"
    assert list(menu(response, "country")) == [""], "no country gives an event"


def test_past_the_sample_only_proven_counts_are_shown_and_the_page_says_why(client, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 2)
    monkeypatch.setattr(paging, "FACET_SAMPLE", 4)
    for number in range(5):
        make_event(f"Meeting {number}", kind=Event.Kind.MEETING, date="2024-01-01")
    make_event("A letter", kind=Event.Kind.LETTER, date="2024-01-01")

    response = client.get(TIMELINE, {"date_from": "2024"})
    kinds = menu(response, "kind")

    assert kinds["meeting"] == "Meeting (2+)", "at least 4 of the 5 events read are meetings"
    assert kinds["letter"] == "Letter", "not a made-up number"
    assert kinds["debate"] == "Debate"
    assert text_of(response).count("Counts are shown where the other filters leave at most 4 events") == 1


def test_within_the_sample_no_note_is_shown(client, monkeypatch):
    monkeypatch.setattr(paging, "FACET_SAMPLE", 6)
    for number in range(5):
        make_event(f"Meeting {number}", kind=Event.Kind.MEETING, date="2024-01-01")
    make_event("A letter", kind=Event.Kind.LETTER, date="2024-01-01")

    response = client.get(TIMELINE, {"date_from": "2024"})

    assert menu(response, "kind")["letter"] == "Letter (1)"
    assert "Counts are shown where" not in text_of(response)


def test_a_page_with_an_error_shows_the_menus_without_counts(client):
    make_event("A meeting", kind=Event.Kind.MEETING)

    response = client.get(TIMELINE, {"date_from": "not a date"})

    assert response.status_code == 400
    assert menu(response, "kind")["meeting"] == "Meeting"
