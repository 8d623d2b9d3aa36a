"""Every ISO 3166 country (django-countries), not only the ten the first documents name, and the
European Union kept as a party: on records, in the filters and their menus, in the admin."""

import re
from html import unescape

import pytest
from django.urls import reverse

from events.models import Event, Person, country_choices, country_name

from .factories import (
    make_event,
    make_organization,
    make_person,
    make_sanction,
    take_part,
)
from .helpers import form_data, html_of, summary, text_of, titles

pytestmark = pytest.mark.django_db

TIMELINE = reverse("timeline")
SANCTIONS = reverse("sanction_list")


def menu(response, name):
    """{value: the option's text} of the <select> named `name`."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html_of(response), re.S).group(1)
    return {value: unescape(text).strip() for value, text in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)}


def test_every_iso_country_and_the_eu_can_be_chosen_each_named_in_words():
    names = dict(country_choices())

    assert len(names) >= 249
    assert names["FR"] == "France" and names["BR"] == "Brazil" and names["JP"] == "Japan"
    assert names["EU"] == "European Union"
    assert country_name("GB") == "United Kingdom"


def test_a_person_from_a_country_beyond_the_first_ten_shows_it_in_words(client):
    person = make_person("Emmanuel Macron", country="FR")

    assert "Country France" in text_of(client.get(person.get_absolute_url()))


def test_an_organization_from_a_country_beyond_the_first_ten_shows_it_in_words(client):
    organization = make_organization("Ministry of Foreign Affairs of Japan", country="JP")

    assert "Country Japan" in text_of(client.get(organization.get_absolute_url()))


def test_the_timeline_filters_by_any_country_where_it_happened_or_who_took_part(client):
    make_event("Summit in Paris", country="FR")
    take_part(make_event("Talks in Geneva", country="CH"), make_person("Emmanuel Macron", country="FR"))
    make_event("Talks in Beijing", country="CN")

    response = client.get(TIMELINE, {"country": "FR"})

    assert sorted(titles(response)) == ["Summit in Paris", "Talks in Geneva"]
    assert summary(response) == "2 events · in or involving France"
    assert "Country: France" in text_of(response)


def test_the_country_menu_lists_the_countries_with_events_and_says_the_others_are_left_out(client):
    make_event("Summit in Paris", country="FR")
    make_event("Talks in Brasília", country="BR")
    make_event("Talks in Brasília again", country="BR")

    response = client.get(TIMELINE)
    countries = menu(response, "country")

    assert countries == {"": "Any country", "BR": "Brazil (2)", "FR": "France (1)"}
    assert "Lists the countries with events among those the other filters leave" in text_of(response)


def test_a_country_chosen_keeps_its_place_in_the_menu_when_it_gives_nothing(client):
    make_event("Summit in Paris", country="FR")

    countries = menu(client.get(TIMELINE, {"country": "JP"}), "country")

    assert countries["JP"] == "Japan (0)"


def test_a_code_that_is_no_country_is_refused_with_a_message(client):
    response = client.get(TIMELINE, {"country": "ZZ"})

    assert response.status_code == 400
    assert "“ZZ” is not a country this archive records." in text_of(response)


def test_the_eu_stays_a_party_that_imposes_sanctions(client):
    sanction = make_sanction(make_person("Zhu Hailun"), imposing_country="EU")

    listed = client.get(SANCTIONS, {"imposing_country": "EU"})
    page = client.get(sanction.get_absolute_url())

    assert "1 sanction · imposed by European Union" in text_of(listed)
    assert "European Union on Zhu Hailun" in text_of(listed)
    assert "Imposed by European Union" in text_of(page)


def test_the_sanctions_list_filters_by_a_country_beyond_the_first_ten(client):
    make_sanction(make_person("Someone Sanctioned"), imposing_country="AU")
    make_sanction(make_person("Someone Else"), imposing_country="CN")

    response = client.get(SANCTIONS, {"imposing_country": "AU"})

    assert "1 sanction · imposed by Australia" in text_of(response)
    assert "Australia on Someone Sanctioned" in text_of(response)


def test_an_editor_gives_a_person_any_country_in_the_admin(editor, client):
    person = make_person("Emmanuel Macron")
    url = reverse("admin:events_person_change", args=[person.pk])
    page = client.get(url)

    assert len(list(page.context["adminform"].form.fields["country"].choices)) >= 250  # every country, the EU, none
    response = client.post(url, form_data(page) | {"country": "FR"})

    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).get_country_display() == "France"


def test_an_editor_gives_an_event_a_country_beyond_the_first_ten_in_the_admin(editor, client):
    event = make_event("Summit in Paris")
    url = reverse("admin:events_event_change", args=[event.pk])

    response = client.post(url, form_data(client.get(url)) | {"country": "FR"})

    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).country == "FR"
