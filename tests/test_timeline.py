"""The timeline at /: published events in date order, grouped by year and month, and its filters."""

import datetime
import re
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.dates import FuzzyDate, Precision
from events.models import Event, Participation

from .factories import (
    cite,
    make_event,
    make_organization,
    make_person,
    make_source,
    make_topic,
    take_part,
)
from .helpers import html_of, summary, text_of, titles

pytestmark = pytest.mark.django_db

TIMELINE = reverse("timeline")


def headings(response):
    """The year and month headings, in order."""
    return [unescape(text) for text in re.findall(r"<h[23][^>]*>([^<]*)</h[23]>", html_of(response))]


def error_beside(response, field):
    """The error message shown with a form field, as linked by its aria-describedby."""
    html = html_of(response)
    assert re.search(rf'aria-describedby="[^"]*id_{field}_error[^"]*"[^>]*id="id_{field}"', html), html
    return unescape(re.search(rf'<ul class="errorlist" id="id_{field}_error"><li>(.*?)</li>', html).group(1))


# Order and grouping


def test_the_timeline_opens_on_what_happened_last_newest_first(client):
    make_event("Second", date="2024-10-18")
    make_event("First", date="2021-03-22")
    make_event("Third", date="2024-11-02")

    response = client.get(TIMELINE)

    assert response.status_code == 200
    assert titles(response) == ["Third", "Second", "First"]
    assert headings(response)[0] == "2024"


def test_the_timeline_lists_published_events_oldest_first_when_asked(client):
    make_event("Second", date="2024-10-18")
    make_event("First", date="2021-03-22")
    make_event("Third", date="2024-11-02")

    response = client.get(TIMELINE, {"sort": "oldest"})

    assert response.status_code == 200
    assert titles(response) == ["First", "Second", "Third"]


def test_events_are_grouped_by_year_then_month_newest_first(client):
    make_event("Sanctions on officials", date="2021-03-22")
    make_event("Lammy in Beijing", date="2024-10-18")
    make_event("Taiwan exercise", date="2024-10")
    make_event("Election", date="2024-07-04")

    response = client.get(TIMELINE)

    assert headings(response) == ["2024", "October 2024", "July 2024", "2021", "March 2021"]
    assert titles(response) == ["Lammy in Beijing", "Taiwan exercise", "Election", "Sanctions on officials"]


def test_events_are_grouped_by_year_then_month_oldest_first(client):
    make_event("Sanctions on officials", date="2021-03-22")
    make_event("Lammy in Beijing", date="2024-10-18")
    make_event("Taiwan exercise", date="2024-10")

    response = client.get(TIMELINE, {"sort": "oldest"})

    assert headings(response) == ["2021", "March 2021", "2024", "October 2024"]


def test_the_order_is_a_choice_in_the_filter_form(client):
    response = client.get(TIMELINE, {"sort": "oldest"})

    html = html_of(response)
    assert '<option value="newest">Newest first</option>' in html
    assert '<option value="oldest" selected>Oldest first</option>' in html


def test_an_unknown_order_is_a_bad_request_that_says_so(client):
    response = client.get(TIMELINE, {"sort": "sideways"})

    assert response.status_code == 400
    assert error_beside(response, "sort") == "“sideways” is not an order the timeline can be shown in."


def test_an_event_known_only_to_its_year_is_grouped_at_the_end_of_that_year_as_month_not_known(client):
    make_event("A report", date="2021")
    make_event("Sanctions on officials", date="2021-03-22")

    response = client.get(TIMELINE)

    assert headings(response) == ["2021", "March 2021", "2021 — month not known"]
    assert "A report" in titles(response)
    assert "<span class=\"event-date\">2021</span>" in html_of(response)


def test_undated_events_are_listed_last_under_date_unknown(client):
    make_event("An undated letter", date=None)
    make_event("Sanctions on officials", date="2021-03-22")

    response = client.get(TIMELINE)

    assert headings(response)[-1] == "Date unknown"
    assert titles(response) == ["Sanctions on officials", "An undated letter"]


def test_each_event_shows_its_date_kind_participants_and_topics(client):
    topic = make_topic("Hong Kong")
    event = make_event("Lammy meets Wang Yi", date="2024-10", kind=Event.Kind.MEETING, topics=[topic])
    wang_yi = make_person("Wang Yi")
    take_part(event, wang_yi, Participation.Role.HOST)

    html = html_of(client.get(TIMELINE))

    assert f'<a href="{event.get_absolute_url()}">Lammy meets Wang Yi</a>' in html
    assert "October 2024" in html
    assert '<span class="kind">Meeting</span>' in html
    assert f'<a href="{wang_yi.get_absolute_url()}">Wang Yi</a> <span class="role">(host)</span>' in html
    assert f'?topic={topic.slug}">Hong Kong</a>' in html


def test_draft_events_are_not_on_the_timeline(client):
    make_event("Published", date="2024-10-18")
    make_event("Still a draft", date="2024-10-19", is_published=False)

    response = client.get(TIMELINE)

    assert titles(response) == ["Published"]
    assert summary(response) == "1 event"


# The actor filter


def test_the_actor_filter_finds_a_person_by_name_ignoring_case(client):
    lammy = make_person("David Lammy")
    take_part(make_event("Lammy in Beijing"), lammy)
    make_event("Someone else's meeting")

    response = client.get(TIMELINE, {"actor": "david lammy"})

    assert titles(response) == ["Lammy in Beijing"]


def test_the_actor_filter_finds_a_person_by_slug(client):
    lammy = make_person("David Lammy", slug="david-lammy")
    take_part(make_event("Lammy in Beijing"), lammy)
    make_event("Someone else's meeting")

    assert titles(client.get(TIMELINE, {"actor": "david-lammy"})) == ["Lammy in Beijing"]


def test_the_actor_filter_finds_a_person_by_any_of_their_aliases(client):
    lammy = make_person("David Lammy", aliases=["Mr Lammy", "the Foreign Secretary"])
    take_part(make_event("Lammy in Beijing"), lammy)
    make_event("Someone else's meeting")

    assert titles(client.get(TIMELINE, {"actor": "mr lammy"})) == ["Lammy in Beijing"]
    assert titles(client.get(TIMELINE, {"actor": "The Foreign Secretary"})) == ["Lammy in Beijing"]


def test_the_actor_filter_finds_a_typographic_apostrophe_from_a_straight_one(client):
    take_part(make_event("China sanctions MPs"), make_person("Neil O’Brien"))
    make_event("Someone else's meeting")

    assert titles(client.get(TIMELINE, {"actor": "Neil O'Brien"})) == ["China sanctions MPs"]
    assert titles(client.get(TIMELINE, {"actor": "o'brien"})) == ["China sanctions MPs"]


def test_the_actor_filter_finds_an_organization_by_its_abbreviation(client):
    fcdo = make_organization("Foreign, Commonwealth and Development Office", aliases=["FCDO"])
    take_part(make_event("FCDO statement"), fcdo, Participation.Role.AUTHOR)
    make_event("Someone else's meeting")

    assert titles(client.get(TIMELINE, {"actor": "fcdo"})) == ["FCDO statement"]


def test_the_actor_filter_falls_back_to_names_with_a_word_starting_with_the_text(client):
    take_part(make_event("Lammy in Beijing"), make_person("David Lammy"))
    make_event("Someone else's meeting")

    response = client.get(TIMELINE, {"actor": "Lamm"})

    assert titles(response) == ["Lammy in Beijing"]
    assert "with David Lammy" in summary(response)


def test_an_exact_match_is_preferred_to_names_that_merely_contain_the_text(client):
    take_part(make_event("Wang Yi's meeting"), make_person("Wang Yi"))
    take_part(make_event("Wang Yiwei's lecture"), make_person("Wang Yiwei"))

    assert titles(client.get(TIMELINE, {"actor": "Wang Yi"})) == ["Wang Yi's meeting"]


def test_a_name_matching_several_actors_finds_events_involving_any_and_names_them_in_the_summary(client):
    take_part(make_event("Lammy's visit", date="2024-10-18"), make_person("David Lammy"))
    take_part(make_event("Alton's letter", date="2021-03-26"), make_person("David Alton"))
    make_event("Someone else's meeting")

    response = client.get(TIMELINE, {"actor": "David"})

    assert titles(response) == ["Lammy's visit", "Alton's letter"]
    assert summary(response) == "2 events · with David Alton or David Lammy"


def test_an_actor_nobody_is_called_is_an_empty_answer_not_an_error(client):
    make_person("David Lammy")

    response = client.get(TIMELINE, {"actor": "Boris"})

    assert response.status_code == 200
    assert titles(response) == []
    assert "No person or organization is called “Boris” in the archive." in text_of(response)


# The date filters


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        ("2024", "", ["November", "October"]),
        ("2024-11", "", ["November"]),
        ("", "2024-10", ["October", "March 2021"]),
        ("2024-10-18", "2024-10-18", ["October"]),
        ("2021-03-01", "2024-10-31", ["October", "March 2021"]),
    ],
)
def test_the_date_filters_accept_a_year_a_month_or_a_day(client, date_from, date_to, expected):
    make_event("March 2021", date="2021-03-22")
    make_event("October", date="2024-10-18")
    make_event("November", date="2024-11-02")

    response = client.get(TIMELINE, {"date_from": date_from, "date_to": date_to}, follow=True)

    assert response.status_code == 200
    assert titles(response) == expected


def test_an_event_known_only_to_its_year_matches_a_range_within_that_year(client):
    make_event("A report in 2021", date="2021")
    make_event("A report in 2022", date="2022")

    response = client.get(TIMELINE, {"date_from": "2021-03", "date_to": "2021-04"})

    assert titles(response) == ["A report in 2021"]


def test_undated_events_are_left_out_when_a_date_filter_is_set(client):
    make_event("An undated letter", date=None)
    make_event("Dated", date="2024-10-18")

    assert titles(client.get(TIMELINE, {"date_from": "2020"})) == ["Dated"]
    assert titles(client.get(TIMELINE, {"date_to": "2030"})) == ["Dated"]


ENTER_A_DATE = (
    "Enter a date such as 2024, October 2024 (or Oct 2024, 2024-10), "
    "or 18 October 2024 (or 18/10/2024, day first, or 2024-10-18)."
)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-13-40", "2024-13-40 is not a real date."),
        ("2023-02-29", "2023-02-29 is not a real date."),
        ("abc", ENTER_A_DATE),
        ("24-03", ENTER_A_DATE),
        ("10/18/2024", "10/18/2024 is not a real date."),
        ("Octember 2024", ENTER_A_DATE),
    ],
)
def test_a_malformed_date_is_a_bad_request_with_the_message_beside_the_field(client, value, message):
    make_event("Dated", date="2024-10-18")

    response = client.get(TIMELINE, {"date_from": value})

    assert response.status_code == 400
    assert error_beside(response, "date_from") == message
    assert f'value="{value}"' in html_of(response)


def test_a_from_date_after_the_to_date_is_a_bad_request(client):
    response = client.get(TIMELINE, {"date_from": "2024-05", "date_to": "2024-04"})

    assert response.status_code == 400
    assert error_beside(response, "date_to") == "This is before the “From” date, May 2024."


def test_from_and_to_may_name_the_same_period(client):
    make_event("October", date="2024-10-18")

    assert titles(client.get(TIMELINE, {"date_from": "2024-10", "date_to": "2024-10"})) == ["October"]


# Topic, kind, country and words


def test_a_parent_topic_finds_the_events_of_its_children(client):
    human_rights = make_topic("Human rights")
    xinjiang = make_topic("Xinjiang", parent=human_rights)
    hong_kong = make_topic("Hong Kong", parent=human_rights)
    make_event("Sanctions over Xinjiang", date="2021-03-22", topics=[xinjiang])
    make_event("Hong Kong statement", date="2021-06-01", topics=[hong_kong])
    make_event("General remarks on rights", date="2021-07-01", topics=[human_rights])
    make_event("Taiwan exercise", date="2024-10", topics=[make_topic("Taiwan")])

    response = client.get(TIMELINE, {"topic": human_rights.slug})

    assert titles(response) == ["General remarks on rights", "Hong Kong statement", "Sanctions over Xinjiang"]
    assert summary(response) == "3 events · about Human rights"


def test_a_child_topic_finds_only_its_own_events(client):
    human_rights = make_topic("Human rights")
    xinjiang = make_topic("Xinjiang", parent=human_rights)
    make_event("Sanctions over Xinjiang", topics=[xinjiang])
    make_event("General remarks on rights", topics=[human_rights])

    assert titles(client.get(TIMELINE, {"topic": xinjiang.slug})) == ["Sanctions over Xinjiang"]


def test_the_topic_select_lists_children_after_their_parent(client):
    human_rights = make_topic("Human rights", slug="human-rights")
    make_topic("Xinjiang", parent=human_rights, slug="xinjiang")
    make_topic("Climate", slug="climate")

    select = re.search(r'<select name="topic".*?</select>', html_of(client.get(TIMELINE)), re.S).group(0)
    options = re.findall(r'<option value="([^"]*)"', select)

    assert options[:4] == ["", "climate", "human-rights", "xinjiang"]


def test_an_unknown_topic_is_a_bad_request(client):
    response = client.get(TIMELINE, {"topic": "no-such-topic"})

    assert response.status_code == 400
    assert error_beside(response, "topic") == "There is no topic “no-such-topic”."


def test_the_kind_filter_keeps_events_of_that_kind(client):
    make_event("A meeting", kind=Event.Kind.MEETING)
    make_event("A letter", kind=Event.Kind.LETTER)

    response = client.get(TIMELINE, {"kind": "letter"})

    assert titles(response) == ["A letter"]
    assert summary(response) == "1 event · of the kind “Letter”"


def test_an_unknown_kind_is_a_bad_request(client):
    response = client.get(TIMELINE, {"kind": "picnic"})

    assert response.status_code == 400
    assert "is not a kind of event" in error_beside(response, "kind")


def test_the_country_filter_matches_where_it_happened_or_who_took_part(client):
    make_event("In Beijing", date="2024-10-18", country="CN")
    take_part(make_event("Wang Yi's call", date="2024-11-01"), make_person("Wang Yi", country="CN"))
    take_part(
        make_event("Ministry statement", date="2024-12-01"),
        make_organization("Chinese foreign ministry", country="CN"),
    )
    make_event("In London", date="2024-10-19", country="GB")

    response = client.get(TIMELINE, {"country": "CN"})

    assert titles(response) == ["Ministry statement", "Wang Yi's call", "In Beijing"]
    assert summary(response) == "3 events · in or involving China"


def test_an_unknown_country_is_a_bad_request(client):
    assert client.get(TIMELINE, {"country": "XX"}).status_code == 400


def test_words_are_searched_in_titles_summaries_places_and_quotes(client):
    make_event("Lammy visits Beijing", date="2024-10-18")
    make_event("A meeting", date="2024-10-19", summary="They discussed Beijing's role.")
    make_event("Talks", date="2024-10-20", place="Beijing")
    cite(make_event("A statement", date="2024-10-21"), "the Beijing government said")
    make_event("Unrelated", date="2024-10-22")

    response = client.get(TIMELINE, {"q": "beijing", "sort": "newest"})

    assert titles(response) == ["A statement", "Talks", "A meeting", "Lammy visits Beijing"]
    assert summary(response) == "4 events · matching “beijing”"


def test_every_word_of_a_search_must_be_found(client):
    make_event("Lammy visits Beijing", date="2024-10-18")
    make_event("Cameron visits Beijing", date="2024-10-19")

    assert titles(client.get(TIMELINE, {"q": "Beijing Lammy"})) == ["Lammy visits Beijing"]


def test_a_search_of_too_many_words_is_a_bad_request_not_a_slow_query(client):
    response = client.get(TIMELINE, {"q": " ".join(["word"] * 11)})

    assert response.status_code == 400
    assert error_beside(response, "q") == "Search for at most 10 words."


def test_filters_combine_and_the_summary_says_what_is_filtered(client):
    human_rights = make_topic("Human rights")
    lammy = make_person("David Lammy")
    wanted = make_event("Lammy raises Xinjiang", date="2021-03-25", topics=[human_rights])
    take_part(wanted, lammy)
    take_part(make_event("Lammy on trade", date="2021-03-26"), lammy)
    take_part(make_event("Lammy raises Tibet later", date="2021-06-01", topics=[human_rights]), lammy)
    make_event("Others on human rights", date="2021-03-27", topics=[human_rights])

    response = client.get(
        TIMELINE,
        {"topic": human_rights.slug, "actor": "David Lammy", "date_from": "2021-03", "date_to": "2021-04"},
        follow=True,
    )

    assert titles(response) == ["Lammy raises Xinjiang"]
    assert summary(response) == "1 event · about Human rights · with David Lammy · from March 2021 to April 2021"


def test_filters_that_match_nothing_say_so(client):
    make_event("A meeting", kind=Event.Kind.MEETING)

    response = client.get(TIMELINE, {"kind": "letter"})

    assert response.status_code == 200
    assert summary(response) == "0 events · of the kind “Letter”"
    assert "No published events match these filters." in html_of(response)


def test_an_empty_archive_shows_an_empty_timeline(client):
    response = client.get(TIMELINE)

    assert response.status_code == 200
    assert summary(response) == "0 events"


def test_an_unfiltered_summary_counts_every_published_event(client):
    for number in range(3):
        make_event(f"Event {number}")

    assert summary(client.get(TIMELINE)) == "3 events"


def test_several_bad_values_are_all_reported_at_once(client):
    response = client.get(TIMELINE, {"date_from": "abc", "topic": "nope", "actor": "x" * 201}, follow=True)

    assert response.status_code == 400
    html = html_of(response)
    for field in ("date_from", "topic", "actor"):
        assert f'href="#id_{field}"' in html
        assert error_beside(response, field)


def test_labels_are_tied_to_their_fields(client):
    html = html_of(client.get(TIMELINE))

    for field in ("actor", "date_from", "date_to", "topic", "kind", "country", "q"):
        assert f'<label for="id_{field}">' in html
        assert f'id="id_{field}"' in html


def test_the_actor_field_suggests_people_and_organizations(client):
    make_person("David Lammy")
    make_organization("FCDO")

    html = html_of(client.get(TIMELINE))

    assert 'list="actor-names"' in html
    assert '<option value="David Lammy"></option>' in html
    assert '<option value="FCDO"></option>' in html


ODD_VALUES = ["\x00", "x" * 5000, "%", "_", "'; --", "  ", "-1", "1.5", "0000", "9999-12-31", "１２３４", "日本"]


@pytest.mark.parametrize("field", ["actor", "date_from", "date_to", "topic", "kind", "country", "q", "after", "before"])
def test_no_value_of_any_parameter_is_a_server_error(client, field):
    make_event("An event", date="2021")

    for value in ODD_VALUES:
        assert client.get(TIMELINE, {field: value}, follow=True).status_code in (200, 400, 404), value
    assert client.get(f"{TIMELINE}?{field}=a&{field}=b", follow=True).status_code in (200, 400, 404)


# Pagination


def link(response, rel):
    """The query string of the page's link with this rel, unescaped."""
    found = re.search(rf'<a href="\?([^"]*)" rel="{rel}">', html_of(response))
    return unescape(found.group(1)) if found else None


def follow(client, response, rel):
    return client.get(f"{TIMELINE}?{link(response, rel)}")


def test_pages_hold_fifty_events_and_the_next_page_link_keeps_the_filters(client):
    topic = make_topic("Security", slug="security")
    for day in range(1, 29):
        make_event(f"February {day:02d}", date=f"2022-02-{day:02d}", topics=[topic])
        make_event(f"March {day:02d}", date=f"2022-03-{day:02d}", topics=[topic])
    make_event("Off topic", date="2022-02-01")

    first = client.get(TIMELINE, {"topic": "security"})
    second = follow(client, first, "next")

    assert len(titles(first)) == 50
    assert summary(first) == "56 events · about Security"
    assert link(first, "next").startswith("topic=security&after=")
    assert titles(first)[:2] == ["March 28", "March 27"]
    assert titles(second) == [f"February {day:02d}" for day in range(6, 0, -1)]
    assert summary(second) == "56 events · about Security"
    assert link(second, "next") is None


def test_the_earlier_events_link_goes_back_a_whole_page(client):
    for day in range(1, 29):
        make_event(f"February {day:02d}", date=f"2022-02-{day:02d}")
        make_event(f"March {day:02d}", date=f"2022-03-{day:02d}")
        make_event(f"April {day:02d}", date=f"2022-04-{day:02d}")
        make_event(f"May {day:02d}", date=f"2022-05-{day:02d}")
    first = client.get(TIMELINE)
    third = follow(client, follow(client, first, "next"), "next")

    back = follow(client, third, "prev")

    assert titles(third) == [f"February {day:02d}" for day in range(12, 0, -1)]
    assert titles(back) == titles(follow(client, first, "next"))
    assert titles(follow(client, back, "prev")) == titles(first)
    assert link(first, "prev") is None
    assert "First page" in html_of(third) and "First page" not in html_of(first)


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_pages_run_on_from_dated_events_into_undated_ones(client, sort):
    for number in range(45):
        make_event(f"Dated {number:02d}", date=f"2021-01-{number % 28 + 1:02d}")
    for number in range(10):
        make_event(f"Undated {number}", date=None)

    first = client.get(TIMELINE, {"sort": sort})
    second = follow(client, first, "next")

    assert titles(first)[-5:] == [f"Undated {number}" for number in range(5)]
    assert titles(second) == [f"Undated {number}" for number in range(5, 10)]
    assert titles(follow(client, second, "prev")) == titles(first)


@pytest.mark.parametrize(("sort", "numbers"), [("newest", range(119, -1, -1)), ("oldest", range(120))])
def test_events_on_the_same_day_are_not_lost_or_repeated_across_pages(client, sort, numbers):
    for number in range(120):
        make_event(f"Same day {number:03d}", date="2021-05-04")

    seen, response = [], client.get(TIMELINE, {"sort": sort})
    while response is not None:
        seen += titles(response)
        response = follow(client, response, "next") if link(response, "next") else None

    assert seen == [f"Same day {number:03d}" for number in numbers]


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_paging_forward_and_back_through_a_date_filter_with_unknown_dates_meets_every_event_once(client, sort):
    for number in range(40):
        make_event(f"October {number:02d}", date=f"2024-10-{number % 28 + 1:02d}")
    for number in range(30):
        make_event(f"By October {number:02d}", date=FuzzyDate(Precision.UNKNOWN, None, datetime.date(2024, 10, 17)))
    for number in range(30):
        between = FuzzyDate(Precision.UNKNOWN, datetime.date(2024, 9, number + 1), datetime.date(2024, 10, 5))
        make_event(f"Between {number:02d}", date=between)
    make_event("Long before", date="2020-01-01")
    make_event("Nothing known", date=None)

    pages, response = [], client.get(TIMELINE, {"date_from": "October 2024", "date_to": "Oct 2024", "sort": sort})
    while response is not None:
        pages.append(titles(response))
        response = follow(client, response, "next") if link(response, "next") else None
    seen = [title for page in pages for title in page]
    second = client.get(TIMELINE, {"date_from": "October 2024", "date_to": "Oct 2024", "sort": sort})
    back = follow(client, follow(client, second, "next"), "prev")

    assert len(seen) == len(set(seen)) == 100
    assert [len(page) for page in pages] == [50, 50]
    assert seen[-30:] == [f"By October {number:02d}" for number in range(30)]
    assert titles(back) == pages[0]



@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "１２", "9" * 40])
def test_a_place_in_the_timeline_that_is_not_an_event_number_is_a_bad_request_that_says_so(client, value):
    response = client.get(TIMELINE, {"after": value})

    assert response.status_code == 400
    assert "should be an event’s number" in html_of(response) or "should be an event's number" in html_of(response)
    assert "Skip to main content" in html_of(response)


def test_a_place_in_the_timeline_that_is_gone_is_not_found_in_the_sites_design(client):
    gone = make_event("Gone")
    gone_pk = gone.pk
    gone.delete()

    response = client.get(TIMELINE, {"after": gone_pk})

    assert response.status_code == 404
    assert "Page not found" in html_of(response)
    assert "no longer in the timeline" in html_of(response)


def test_asking_for_events_both_after_and_before_is_a_bad_request(client):
    event = make_event("An event", date="2021")

    response = client.get(TIMELINE, {"after": event.pk, "before": event.pk})

    assert response.status_code == 400
    assert "not both" in html_of(response)


# Queries


def add_timeline_events(count):
    topic = make_topic("Security")
    source = make_source(text="a quote in the source")
    for number in range(count):
        event = make_event(f"Event {number}", topics=[topic])
        take_part(event, make_person(f"Person {number}"))
        take_part(event, make_organization(f"Organization {number}"))
        cite(event, "a quote in the source", source)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"actor": "Person", "topic": "", "date_from": "2020", "date_to": "2030", "q": "Event", "country": ""},
        {"actor": "Person", "date_from": "2020", "q": "Event", "sort": "oldest"},
    ],
)
def test_the_timeline_makes_the_same_number_of_queries_however_many_events_it_shows(client, query):
    add_timeline_events(2)
    keep_the_shared_lists(client)
    with CaptureQueriesContext(connection) as few:
        assert client.get(TIMELINE, query, follow=True).status_code == 200

    add_timeline_events(10)
    cache.clear()
    keep_the_shared_lists(client)
    with CaptureQueriesContext(connection) as many:
        response = client.get(TIMELINE, query, follow=True)

    assert response.status_code == 200
    assert len(titles(response)) == 12
    assert len(many) == len(few) <= 10, "\n".join(query["sql"][:150] for query in many.captured_queries)


def keep_the_shared_lists(client):
    """Reads the lists every timeline page shares (the topic menu, the names suggested, the spelling
    variants), as the first visit after an edit does; they are then kept until an edit changes them,
    so the budget is what each page asks for itself."""
    client.get(TIMELINE, {"q": "any"})
