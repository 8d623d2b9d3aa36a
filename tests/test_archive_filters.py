"""The filters, alone and combined, on the real archive built from the five documents."""

import re

import pytest
from django.urls import reverse

from events.models import Event, Sanction

from .helpers import summary, text_of

pytestmark = pytest.mark.django_db

TIMELINE = reverse("timeline")
SANCTIONS = reverse("sanction_list")


def event_slugs(response):
    assert response.status_code == 200, response.content.decode()[:500]
    return re.findall(r'class="event-title"><a href="/events/([^/"]+)/"', response.content.decode())


def sanction_pks(response):
    assert response.status_code == 200
    return {int(pk) for pk in re.findall(r'<li class="sanction">\s*<a href="/sanctions/(\d+)/"', response.content.decode())}


def test_the_unfiltered_timeline_lists_every_published_event_including_the_undated(archive, client):
    slugs = event_slugs(client.get(TIMELINE))
    assert len(slugs) == Event.objects.published().count() == len(set(slugs))
    assert "starmer-meets-xi-jinping-in-beijing" in slugs  # known only as "on Thursday", in an undated article


def test_the_human_rights_topic_includes_the_xinjiang_sanctions_and_hong_kong_and_tibet(archive, client):
    slugs = event_slugs(client.get(TIMELINE, {"topic": "human-rights"}))
    assert "uk-sanctions-chinese-officials-over-xinjiang" in slugs
    assert "china-sanctions-british-mps-and-peers" in slugs
    assert "uk-launches-bno-immigration-route" in slugs  # Hong Kong
    assert "alicia-kearns-urges-cleverly-to-press-china-on-human-rights" in slugs  # Tibet
    assert "china-holds-military-exercises-around-taiwan" not in slugs  # Security, not human rights


def test_the_actor_david_lammy_finds_his_october_2024_meeting_with_wang_yi(archive, client):
    response = client.get(TIMELINE, {"actor": "David Lammy"})
    assert "david-lammy-meets-wang-yi" in event_slugs(response)
    assert "18 October 2024" in response.content.decode()
    assert "with David Lammy" in summary(response)


def test_the_alias_mr_lammy_finds_the_same_events_as_his_name(archive, client):
    assert event_slugs(client.get(TIMELINE, {"actor": "Mr Lammy"})) == event_slugs(
        client.get(TIMELINE, {"actor": "David Lammy"})
    )


def test_a_year_precision_event_matches_an_overlapping_range(archive, client):
    slugs = event_slugs(client.get(TIMELINE, {"date_from": "2021-03", "date_to": "2021-04"}))
    assert "china-sanctions-british-mps-and-peers" in slugs  # known only as "2021"
    assert "uk-launches-bno-immigration-route" not in slugs  # 31 January 2021


def test_a_month_span_matches_a_day_inside_it_but_not_a_day_outside(archive, client):
    assert "china-holds-military-exercises-around-taiwan" in event_slugs(client.get(TIMELINE, {"date_from": "2024-10-15", "date_to": "2024-10-15"}))
    assert "china-holds-military-exercises-around-taiwan" not in event_slugs(client.get(TIMELINE, {"date_from": "2024-10-17"}))


def test_only_events_with_nothing_known_of_their_date_are_left_out_of_a_date_filter(archive, client):
    response = client.get(TIMELINE, {"date_from": "1900", "date_to": "2100"})

    slugs = event_slugs(response)
    placeable = Event.objects.published().exclude(date_earliest__isnull=True, date_latest__isnull=True)
    unplaced = Event.objects.published().filter(date_earliest__isnull=True, date_latest__isnull=True).count()
    assert "starmer-meets-xi-jinping-in-beijing" not in slugs
    assert sorted(slugs) == sorted(placeable.values_list("slug", flat=True))
    assert f"{unplaced} events with no known date are not shown" in text_of(response)


def test_kind_and_country_combine_to_find_meetings_in_china(archive, client):
    slugs = event_slugs(client.get(TIMELINE, {"kind": "meeting", "country": "CN"}))
    assert "david-lammy-meets-wang-yi" in slugs
    assert "james-cleverly-meets-han-zheng" in slugs
    assert all(Event.objects.get(slug=slug).kind == "meeting" for slug in slugs)


def test_free_text_searches_the_quotes_too(archive, client):
    slugs = event_slugs(client.get(TIMELINE, {"q": "bargaining chip"}))
    assert slugs == ["sanctioned-mps-and-peers-refuse-to-be-a-bargaining-chip"]


def test_topic_actor_and_date_combine(archive, client):
    response = client.get(TIMELINE, {"topic": "human-rights", "actor": "Mr Lammy", "date_from": "2024-10"}, follow=True)
    slugs = event_slugs(response)
    assert "david-lammy-meets-wang-yi" in slugs
    assert all(not slug.startswith("james-cleverly") for slug in slugs)
    assert re.match(r"\d+ events? · ", summary(response))


def test_sanctions_china_imposed_in_2021_are_the_seven_named_britons(archive, client):
    pks = sanction_pks(client.get(SANCTIONS, {"imposing_country": "CN", "year": "2021"}))
    targets = {str(Sanction.objects.get(pk=pk).target) for pk in pks}
    assert targets == {
        "Sir Iain Duncan Smith",
        "Tom Tugendhat",
        "Nus Ghani",
        "Neil O’Brien",
        "Tim Loughton",
        "Lord David Alton",
        "Baroness Kennedy of the Shaws",
    }


def test_the_sanctions_list_finds_a_target_by_the_alias_the_documents_use(archive, client):
    pks = sanction_pks(client.get(SANCTIONS, {"target": "Lord Alton of Liverpool"}))
    assert [str(Sanction.objects.get(pk=pk).target) for pk in pks] == ["Lord David Alton"]


def test_a_counter_sanction_links_to_the_sanction_it_answers_and_back(archive, client):
    counter = Sanction.objects.get(target_person__slug="iain-duncan-smith")
    answered = counter.responses.first().answers_sanction
    assert answered.get_absolute_url() in client.get(counter.get_absolute_url()).content.decode()
    assert counter.get_absolute_url() in client.get(answered.get_absolute_url()).content.decode()
