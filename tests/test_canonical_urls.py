"""One view of the archive, one address: empty fields never reach the address bar, parameters come
in the same order every time, and the filters in use are chips that each remove one (issue 9, finding 6)."""

import re
from html import unescape

import pytest
from django.urls import reverse

from events.models import Event

from .factories import make_event, make_person, make_sanction, make_topic
from .helpers import html_of, titles

pytestmark = pytest.mark.django_db

TIMELINE = reverse("timeline")
SANCTIONS = reverse("sanction_list")


def chips(response):
    """[(what the chip says, where it leads)] of the filters in use above the results."""
    found = re.findall(
        r'<a class="chip" href="([^"]*)"><span class="visually-hidden">Remove the filter </span><bdi>([^<]*)</bdi>',
        html_of(response),
    )
    return [(unescape(label), unescape(url)) for url, label in found]


def test_a_shared_link_with_every_empty_field_is_redirected_to_the_one_without_them(client):
    response = client.get(f"{TIMELINE}?actor=Mr+Lammy&date_from=&date_to=&topic=&kind=&country=&q=")

    assert response.status_code == 302
    assert response["Location"] == "/?actor=Mr+Lammy"


def test_parameters_out_of_order_are_redirected_to_the_forms_order_then_paging(client):
    event = make_event("An event")

    response = client.get(f"{TIMELINE}?after={event.pk}&q=talks&kind=meeting&actor=Lammy")

    assert response.status_code == 302
    assert response["Location"] == f"/?actor=Lammy&kind=meeting&q=talks&after={event.pk}"


def test_a_canonical_address_is_answered_as_it_is(client):
    make_person("David Lammy")

    assert client.get(f"{TIMELINE}?actor=David+Lammy&kind=meeting").status_code == 200
    assert client.get(f"{TIMELINE}?actor=David%20Lammy").status_code == 200, "%20 and + say the same"
    assert client.get(TIMELINE).status_code == 200


def test_a_parameter_given_twice_keeps_the_value_the_form_reads(client):
    response = client.get(f"{TIMELINE}?kind=letter&kind=meeting")

    assert response["Location"] == "/?kind=meeting"


def test_an_invalid_value_is_kept_and_shown_back_with_its_error_after_one_redirect(client):
    response = client.get(f"{TIMELINE}?date_from=2024-13-40&kind=", follow=True)

    assert response.redirect_chain == [("/?date_from=2024-13-40", 302)]
    assert response.status_code == 400
    assert 'value="2024-13-40"' in html_of(response)


def test_the_sanctions_list_is_redirected_to_its_canonical_address_too(client):
    response = client.get(f"{SANCTIONS}?year=2021&status=&imposing_country=CN")

    assert response.status_code == 302
    assert response["Location"] == "/sanctions/?imposing_country=CN&year=2021"


def test_the_next_page_link_is_canonical(client):
    for day in range(1, 29):
        make_event(f"February {day:02d}", date=f"2022-02-{day:02d}", kind=Event.Kind.MEETING)
        make_event(f"March {day:02d}", date=f"2022-03-{day:02d}", kind=Event.Kind.MEETING)

    response = client.get(TIMELINE, {"kind": "meeting"})

    following = unescape(re.search(r'<a href="([^"]*)" rel="next">', html_of(response)).group(1))
    assert re.fullmatch(r"\?kind=meeting&after=\d+", following)
    assert client.get(f"{TIMELINE}{following}").status_code == 200


def test_each_filter_in_use_is_a_chip_that_links_to_the_list_without_it(client):
    topic = make_topic("Human rights", slug="human-rights")
    make_event("Remarks", topics=[topic], kind=Event.Kind.STATEMENT, date="2024-10-18")
    make_event("A meeting", topics=[topic], kind=Event.Kind.MEETING, date="2024-10-18")

    response = client.get(TIMELINE, {"date_from": "2024", "topic": "human-rights", "kind": "statement"})

    assert chips(response) == [
        ("From: 2024", "/?topic=human-rights&kind=statement"),
        ("Topic: Human rights", "/?date_from=2024&kind=statement"),
        ("Kind of event: Statement", "/?date_from=2024&topic=human-rights"),
    ]
    assert titles(client.get(chips(response)[2][1])) == ["Remarks", "A meeting"]  # the same day, newest first: titles in reverse


def test_a_chips_accessible_name_says_it_removes_the_filter(client):
    make_topic("Human rights", slug="human-rights")

    html = html_of(client.get(TIMELINE, {"topic": "human-rights"}))

    chip = re.search(r'<a class="chip"[^>]*>(.*?)</a>', html).group(1)
    visible_to_a_screen_reader = re.sub(r'<span class="chip-remove" aria-hidden="true">.*?</span>', "", chip)
    assert re.sub(r"<[^>]+>", "", visible_to_a_screen_reader).strip() == "Remove the filter Topic: Human rights"


def test_there_are_no_chips_without_filters(client):
    make_event("An event")

    assert chips(client.get(TIMELINE)) == []


def test_a_chip_leaves_out_the_place_in_the_timeline(client):
    events = [make_event(f"Meeting {number}", kind=Event.Kind.MEETING) for number in range(2)]

    response = client.get(f"{TIMELINE}?kind=meeting&after={events[0].pk}")

    assert chips(response) == [("Kind of event: Meeting", "/")]


def test_a_sanctions_filter_in_use_is_a_chip(client):
    make_sanction(make_person("Tom Tugendhat"), imposing_country="CN", announced="2021-03-26")

    response = client.get(SANCTIONS, {"imposing_country": "CN", "year": "2021"})

    assert chips(response) == [("Imposed by: China", "/sanctions/?year=2021"), ("Announced in: 2021", "/sanctions/?imposing_country=CN")]


def test_the_filter_form_is_folded_unless_a_filter_needs_correcting(client):
    make_event("An event")

    assert '<details class="filter-panel">' in html_of(client.get(TIMELINE))
    assert '<details class="filter-panel" open>' in html_of(client.get(TIMELINE, {"date_from": "nonsense"}))
