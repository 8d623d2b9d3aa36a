"""What the caches keep is never shown after a change: the anonymous page cache (diplo/middleware.py)
and the event items (events/event_items.py) are keyed by the archive's version (events/freshness.py),
which every change raises."""

import re
from html import unescape

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from diplo.middleware import PublicPageCacheMiddleware
from events import merging, paging
from events.event_items import set_item_html
from events.models import Event

from .factories import cite, make_event, make_person, make_source, make_topic, take_part
from .helpers import html_of, make_editor, passages, text_of, titles

pytestmark = pytest.mark.django_db

TIMELINE = reverse("timeline")
HIT = PublicPageCacheMiddleware.HIT_HEADER


@pytest.fixture
def page_cache(settings):
    settings.SERVER_PAGE_CACHE = True
    settings.PAGE_CACHE_SECONDS = 60


def served_from_the_cache(response):
    return response.get(HIT) == "hit"


def seen_twice(client, address):
    """The page, asked for twice, so that it and its event items are kept; the second answer."""
    client.get(address)
    return client.get(address)


# Every change shows on the next request, with the page and its items kept


@pytest.fixture(params=["page cache on", "page cache off"])
def caches(request, settings):
    """Each test below runs with the page cache on (a change must drop the kept page) and off (the
    kept event items alone must not show what was before)."""
    settings.SERVER_PAGE_CACHE = request.param == "page cache on"
    settings.PAGE_CACHE_SECONDS = 60


def test_an_edited_event_shows_as_edited_on_the_next_request(client, caches):
    event = make_event("Lammy meets Wang Yi")
    assert "Lammy meets Wang Yi" in text_of(seen_twice(client, TIMELINE))

    event.title = "Lammy meets Wang Yi in Beijing"
    event.place = "Beijing"
    event.save()
    response = client.get(TIMELINE)

    assert not served_from_the_cache(response)
    assert "Lammy meets Wang Yi in Beijing" in text_of(response)
    assert "Beijing" in text_of(response).split("Lammy meets Wang Yi in Beijing")[1]


def test_a_renamed_participant_shows_under_the_new_name_on_every_list_of_events(client, caches):
    topic = make_topic("Human rights")
    event = make_event("Lammy meets Wang Yi", topics=[topic])
    person = make_person("David Lammy")
    take_part(event, person)
    for address in (TIMELINE, topic.get_absolute_url()):
        assert "David Lammy" in text_of(seen_twice(client, address))

    person.name = "David Lammy MP"
    person.save()

    for address in (TIMELINE, topic.get_absolute_url()):
        assert "David Lammy MP" in text_of(client.get(address)), address


def test_a_renamed_topic_shows_under_the_new_name_beside_its_events(client, caches):
    topic = make_topic("Human rights")
    make_event("Lammy meets Wang Yi", topics=[topic])
    assert "Topics: Human rights" in text_of(seen_twice(client, TIMELINE))

    topic.name = "Human rights and freedoms"
    topic.save()

    assert "Topics: Human rights and freedoms" in text_of(client.get(TIMELINE))


def test_a_topic_taken_off_an_event_is_gone_from_its_item(client, caches):
    topic = make_topic("Human rights")
    event = make_event("Lammy meets Wang Yi", topics=[topic])
    assert "Topics: Human rights" in text_of(seen_twice(client, TIMELINE))

    event.topics.remove(topic)

    assert "Topics: Human rights" not in text_of(client.get(TIMELINE))


def test_an_edited_quote_shows_as_edited_on_the_event_page(client, caches):
    event = make_event("Lammy meets Wang Yi")
    source = make_source(text="The Foreign Secretary met Wang Yi. They spoke for an hour in Beijing.")
    citation = cite(event, "The Foreign Secretary met Wang Yi.", source=source)
    assert "The Foreign Secretary met Wang Yi." in text_of(seen_twice(client, event.get_absolute_url()))

    citation.quote = "They spoke for an hour in Beijing."
    citation.save()
    response = client.get(event.get_absolute_url())

    assert "They spoke for an hour in Beijing." in text_of(response)
    assert "The Foreign Secretary met Wang Yi." not in text_of(response)


def test_a_merge_and_its_undo_show_at_once_on_the_timeline(client, caches):
    event = make_event("Lammy meets Wang Yi")
    duplicate, survivor = make_person("D. Lammy"), make_person("David Lammy")
    take_part(event, duplicate)
    assert "D. Lammy" in text_of(seen_twice(client, TIMELINE))

    merge = merging.merge(duplicate, survivor)
    merged = text_of(client.get(TIMELINE))
    merging.undo(merge)
    undone = text_of(client.get(TIMELINE))

    assert "Taking part: David Lammy" in merged and "D. Lammy" not in merged
    assert "Taking part: D. Lammy" in undone


def test_a_deleted_event_is_gone_from_the_next_page(client, caches):
    make_event("Lammy meets Wang Yi")
    gone = make_event("Cleverly visits China")
    assert "Cleverly visits China" in text_of(seen_twice(client, TIMELINE))

    gone.delete()

    assert "Cleverly visits China" not in text_of(client.get(TIMELINE))


# What the page cache keeps, and what it does not


def test_an_anonymous_visitors_repeat_request_is_served_from_the_page_cache(client, page_cache):
    make_event("Lammy meets Wang Yi")

    first = client.get(TIMELINE, {"sort": "oldest"})
    again = client.get(TIMELINE, {"sort": "oldest"})

    assert not served_from_the_cache(first)
    assert served_from_the_cache(again)
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Cache-Control"] == first["Cache-Control"] == "public, max-age=60"


def test_another_query_string_is_another_page(client, page_cache):
    make_event("Lammy meets Wang Yi")
    client.get(TIMELINE, {"sort": "oldest"})

    assert not served_from_the_cache(client.get(TIMELINE))


def test_a_page_served_from_the_cache_reads_the_database_once_at_most(client, page_cache, django_assert_max_num_queries):
    take_part(make_event("Lammy meets Wang Yi"), make_person("David Lammy"))
    client.get(TIMELINE)

    with django_assert_max_num_queries(1):
        response = client.get(TIMELINE)

    assert served_from_the_cache(response)


def test_a_signed_in_editor_is_never_served_from_the_page_cache(client, page_cache):
    make_event("Lammy meets Wang Yi")
    client.get(TIMELINE)
    client.force_login(make_editor())

    response = client.get(TIMELINE)

    assert not served_from_the_cache(response)
    assert "private" in response["Cache-Control"]


def test_error_pages_are_not_kept(client, page_cache):
    for address in ("/events/no-such-event/", f"{TIMELINE}?sort=sideways"):
        first = client.get(address)
        again = client.get(address)

        assert first.status_code in (400, 404)
        assert not served_from_the_cache(again), address


def test_the_api_is_not_served_from_the_page_cache_so_its_throttle_counts_every_request(client, page_cache):
    make_event("Lammy meets Wang Yi")
    address = "/api/events/"
    client.get(address)

    assert not served_from_the_cache(client.get(address))


def test_a_page_that_sets_a_cookie_or_varies_on_one_is_not_kept(page_cache):
    request = RequestFactory().get("/a-page/")

    def with_a_cookie(request):
        response = HttpResponse("for you alone")
        response.set_cookie("seen", "1")
        return response

    def varying_on_the_cookie(request):
        response = HttpResponse("for you alone")
        response["Vary"] = "Cookie"
        return response

    for view in (with_a_cookie, varying_on_the_cookie):
        middleware = PublicPageCacheMiddleware(view)
        middleware(request)

        assert not served_from_the_cache(middleware(request)), view.__name__


def test_no_page_is_kept_when_the_server_page_cache_is_off(client, settings):
    settings.SERVER_PAGE_CACHE = False
    settings.PAGE_CACHE_SECONDS = 60
    make_event("Lammy meets Wang Yi")

    response = seen_twice(client, TIMELINE)

    assert not served_from_the_cache(response)
    assert response["Cache-Control"] == "public, max-age=60"  # a proxy may still keep it


# The event items kept


def test_items_kept_are_not_read_again_with_their_participants_topics_and_claims(django_assert_num_queries):
    topic = make_topic("Human rights")
    for number in range(3):
        take_part(make_event(f"Meeting {number}", topics=[topic]), make_person(f"Person {number}"))

    def items():
        events = list(Event.objects.order_by("pk"))
        set_item_html([(event, 2) for event in events])
        return [event.item_html for event in events]

    with django_assert_num_queries(5):  # the events, the version, participants, topics, claims
        first = items()
    with django_assert_num_queries(2):  # the events, the version
        again = items()

    assert again == first
    assert "Person 2" in first[2] and "Human rights" in first[2]


# The events of a page kept, with the page's filters, its place and its order (paging.kept_events)

MEETINGS_OF_2021 = {"date_from": "2021", "kind": "meeting"}  # in the canonical order: no redirect


def test_a_filtered_page_asked_again_reads_only_the_archives_version_and_shows_the_same(client, django_assert_num_queries):
    make_event("Lammy meets Wang Yi", date="2021-03-01")
    make_event("Cleverly visits China", date="2021-05-01")
    first = client.get(TIMELINE, MEETINGS_OF_2021)

    with django_assert_num_queries(1):  # the archive's version
        again = client.get(TIMELINE, MEETINGS_OF_2021)

    assert titles(again) == titles(first) == ["Cleverly visits China", "Lammy meets Wang Yi"]


def test_an_event_saved_into_or_out_of_a_kept_filtered_page_shows_on_the_next_request(client, caches):
    make_event("Lammy meets Wang Yi", date="2021-03-01")
    moved = make_event("Cleverly visits China", date="2021-05-01")
    assert titles(seen_twice(client, f"{TIMELINE}?date_from=2021&kind=meeting")) == ["Cleverly visits China", "Lammy meets Wang Yi"]

    make_event("Trade talks", date="2021-04-01")
    moved.kind = Event.Kind.STATEMENT
    moved.save()

    assert titles(client.get(TIMELINE, MEETINGS_OF_2021)) == ["Trade talks", "Lammy meets Wang Yi"]


def test_every_page_of_a_kept_list_follows_the_one_before_it_in_both_directions(client, monkeypatch):
    monkeypatch.setattr(paging, "PER_PAGE", 2)
    for day in range(1, 6):
        make_event(f"Meeting {day}", date=f"2021-01-0{day}")

    def pages(address):
        """Each page's titles, from `address` along its "Older events" links, each page asked for twice."""
        found = []
        while address:
            response = seen_twice(client, address)
            found.append(titles(response))
            address = next((link for link in re.findall(r'href="([^"]*)" rel="next"', html_of(response))), None)
            address = address and TIMELINE + unescape(address)
        return found

    assert pages(f"{TIMELINE}?kind=meeting") == [["Meeting 5", "Meeting 4"], ["Meeting 3", "Meeting 2"], ["Meeting 1"]]
    last = seen_twice(client, f"{TIMELINE}?kind=meeting&after={Event.objects.get(title='Meeting 2').pk}")
    back = re.search(r'href="([^"]*)" rel="prev"', html_of(last)).group(1)
    assert titles(seen_twice(client, TIMELINE + unescape(back))) == ["Meeting 3", "Meeting 2"]


def test_a_search_asked_again_reads_only_the_archives_version_and_shows_the_same_passages(client, django_assert_num_queries):
    make_event("Sanctions announced", date="2021-02-01", summary="The UK announced sanctions.")
    make_event("Sanctions lifted", date="2021-03-01", summary="The sanctions were lifted.")
    first = client.get(TIMELINE, {"q": "sanctions"})

    with django_assert_num_queries(1):  # the archive's version
        again = client.get(TIMELINE, {"q": "sanctions"})

    assert titles(again) == titles(first) and len(titles(again)) == 2
    assert passages(again) == passages(first)
    assert any("<mark>sanctions</mark> were lifted" in passage for passage in passages(again))


def test_a_search_in_date_order_shows_its_passages_every_time(client):
    # Its events are read with their passages marked for them, so they are not kept: nor lost.
    make_event("Sanctions announced", date="2021-02-01", summary="The UK announced sanctions.")
    address = {"q": "sanctions", "sort": "oldest"}

    first, again = client.get(TIMELINE, address), client.get(TIMELINE, address)

    assert passages(again) == passages(first)
    assert any("announced <mark>sanctions</mark>" in passage for passage in passages(again))


def test_a_search_among_the_events_of_a_name_nobody_has_finds_nothing_every_time(client):
    make_event("Sanctions announced", date="2021-02-01")
    address = {"actor": "Boris Johnson", "q": "sanctions"}

    for response in (client.get(TIMELINE, address), client.get(TIMELINE, address)):
        assert response.status_code == 200
        assert titles(response) == []
        assert "No person or organization is called “Boris Johnson”" in text_of(response)
