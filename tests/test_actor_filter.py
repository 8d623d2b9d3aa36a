"""The timeline's actor filter and the sanctions list's target filter: which people and
organizations a typed name finds (whole words, never the inside of one), and what a name that
finds nobody, or several, is answered with."""

import re
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Alias, Event, Organization, Person
from events.names import likeness, similarity, trigrams, words_of, words_tree

from .factories import (
    make_event,
    make_organization,
    make_person,
    make_sanction,
    make_topic,
    take_part,
)
from .helpers import html_of, summary, text_of, titles

pytestmark = pytest.mark.django_db

TIMELINE = reverse("timeline")
SANCTIONS = reverse("sanction_list")


def links_in(response, css_class="actor-matches"):
    """(text, address) of each link in the notice about what the typed name matched."""
    block = re.search(rf'<div class="{css_class}">(.*?)</div>', html_of(response), re.S)
    assert block, "no notice about the name"
    return [(unescape(re.sub(r"<[^>]+>", "", text)), unescape(href)) for href, text in re.findall(r'<a href="([^"]*)">(.*?)</a>', block.group(1))]


def notice(response):
    block = re.search(r'<div class="actor-matches">(.*?)</div>', html_of(response), re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", block.group(1)))).strip() if block else None


@pytest.fixture
def leaders():
    """Names chosen so that a short one is inside longer ones: Xi in Xuexiang and Xinjiang, Li in Alicia."""
    people = {
        "xi": make_person("Xi Jinping", aliases=["President Xi Jinping"]),
        "ding": make_person("Ding Xuexiang"),
        "lammy": make_person("David Lammy", slug="david-lammy"),
        "kearns": make_person("Alicia Kearns"),
        "lai": make_person("Jimmy Lai"),
    }
    xinjiang = make_organization("Unnamed state-run organisation in Xinjiang")
    for person in people.values():
        take_part(make_event(f"Event of {person.name}"), person)
    take_part(make_event("Event in Xinjiang"), xinjiang)
    return people


@pytest.mark.parametrize("typed", ["Lammy", "Mr Lammy", "David Lammy", "lammy", "LAMMY", "david-lammy", "Mr. Lammy"])
def test_a_surname_a_styled_name_the_full_name_or_the_slug_finds_the_person(client, leaders, typed):
    response = client.get(TIMELINE, {"actor": typed}, follow=True)

    assert titles(response) == ["Event of David Lammy"]
    assert summary(response) == "1 event · with David Lammy"


def test_xi_finds_xi_jinping_alone_not_names_with_xi_inside_a_word(client, leaders):
    response = client.get(TIMELINE, {"actor": "Xi"}, follow=True)

    assert titles(response) == ["Event of Xi Jinping"]
    assert notice(response) is None


def test_mr_xi_finds_xi_jinping_the_honorific_aside(client, leaders):
    assert titles(client.get(TIMELINE, {"actor": "Mr Xi"}, follow=True)) == ["Event of Xi Jinping"]


def test_li_finds_nobody_when_no_name_has_the_word_li(client, leaders):
    response = client.get(TIMELINE, {"actor": "Li"}, follow=True)

    assert response.status_code == 200
    assert titles(response) == []
    assert notice(response).startswith("No person or organization is called “Li” in the archive.")


def test_li_finds_only_a_name_with_the_word_li(client, leaders):
    take_part(make_event("Event of Li Qiang"), make_person("Li Qiang"))

    assert titles(client.get(TIMELINE, {"actor": "Li"}, follow=True)) == ["Event of Li Qiang"]


def test_every_typed_word_must_be_a_whole_word_of_the_same_name(client, leaders):
    assert titles(client.get(TIMELINE, {"actor": "Jinping Xi"}, follow=True)) == ["Event of Xi Jinping"]
    assert titles(client.get(TIMELINE, {"actor": "Xi Lammy"}, follow=True)) == []


def test_words_of_an_alias_count_as_words_of_the_name(client, leaders):
    assert titles(client.get(TIMELINE, {"actor": "President Xi"}, follow=True)) == ["Event of Xi Jinping"]


def test_a_word_between_commas_or_hyphens_is_still_a_word(client):
    take_part(make_event("FCDO statement"), make_organization("Foreign, Commonwealth and Development Office"))
    take_part(make_event("State media"), make_organization("Unnamed state-run organisation"))

    assert titles(client.get(TIMELINE, {"actor": "Foreign"}, follow=True)) == ["FCDO statement"]
    assert titles(client.get(TIMELINE, {"actor": "run"}, follow=True)) == ["State media"]


def test_as_it_is_typed_the_last_word_may_begin_a_word_when_no_name_has_it_whole(client, leaders):
    assert titles(client.get(TIMELINE, {"actor": "Kear"}, follow=True)) == ["Event of Alicia Kearns"]
    assert titles(client.get(TIMELINE, {"actor": "Alicia Kea"}, follow=True)) == ["Event of Alicia Kearns"]


def test_a_word_found_whole_is_not_also_taken_as_the_start_of_others(client, leaders):
    take_part(make_event("Event of Lammyson"), make_person("Peter Lammyson"))

    assert titles(client.get(TIMELINE, {"actor": "Lammy"}, follow=True)) == ["Event of David Lammy"]


def test_two_letters_are_too_few_to_be_taken_as_the_start_of_a_word(client, leaders):
    # "Xi" would otherwise find Xinjiang and Xuexiang, and "Xin" does.
    assert titles(client.get(TIMELINE, {"actor": "Li"}, follow=True)) == []
    assert titles(client.get(TIMELINE, {"actor": "Xin"}, follow=True)) == ["Event in Xinjiang"]


# A name that matches nobody


def test_a_name_nobody_has_is_an_empty_answer_with_the_closest_names_not_an_error(client, leaders):
    response = client.get(TIMELINE, {"actor": "David Lamy"}, follow=True)

    assert response.status_code == 200
    assert titles(response) == []
    assert summary(response) == "0 events · with anyone called “David Lamy”"
    assert notice(response).startswith("No person or organization is called “David Lamy” in the archive.")
    assert 'class="errorlist"' not in html_of(response)
    assert ("David Lammy", "?actor=david-lammy") in links_in(response)


def test_a_name_nothing_is_like_says_so_and_where_the_names_are(client, leaders):
    response = client.get(TIMELINE, {"actor": "Boris Johnson"}, follow=True)

    assert response.status_code == 200
    assert notice(response) == (
        "No person or organization is called “Boris Johnson” in the archive. No name in the archive is close to it. "
        "The people and organizations are listed under People and Organizations."
    )


def test_a_closest_name_link_keeps_the_other_filters_and_leaves_out_empty_ones_and_the_page(client, leaders):
    topic = make_topic("Human rights")
    response = client.get(
        TIMELINE,
        {"actor": "Mr Kerns", "topic": topic.slug, "date_from": "", "q": "", "after": Event.objects.first().pk},
        follow=True,
    )

    kearns = leaders["kearns"]
    assert links_in(response) == [("Alicia Kearns", f"?actor={kearns.slug}&topic={topic.slug}")]


def test_the_closest_names_come_from_aliases_too(client):
    make_person("Iain Duncan Smith", aliases=["Sir Iain"])

    response = client.get(TIMELINE, {"actor": "Sir Ian"}, follow=True)

    assert [text for text, _ in links_in(response)] == ["Iain Duncan Smith"]


def test_similarity_counts_shared_trigrams_as_pg_trgm_does():
    assert trigrams("Xi") == {"  x", " xi", "xi "}
    assert similarity("Lammy", "lammy") == 1.0
    assert similarity("Boris Johnson", "David Lammy") == 0.0
    assert similarity("Kerns", "kearns") == 4 / 9


def test_likeness_takes_the_words_one_by_one_when_that_is_closer():
    assert similarity("Mr Kerns", "Alicia Kearns") < 0.3 < likeness("Mr Kerns", "Alicia Kearns")
    assert likeness("David Lamy", "David Lammy") > 0.5
    assert likeness("Boris Johnson", "David Lammy") == 0.0


# A name that matches several


def test_a_name_several_have_lists_them_each_a_link_to_that_one_alone(client):
    lammy, alton = make_person("David Lammy"), make_person("David Alton")
    take_part(make_event("Lammy's visit", date="2024-10-18"), lammy)
    take_part(make_event("Alton's letter", date="2021-03-26"), alton)
    topic = make_topic("Human rights")

    response = client.get(TIMELINE, {"actor": "David", "topic": topic.slug, "kind": ""}, follow=True)

    assert response.status_code == 200
    assert summary(response) == "0 events · about Human rights · with David Alton or David Lammy"
    assert notice(response).startswith("“David” fits 2 people and organizations; these are the events with any of them.")
    assert links_in(response) == [
        ("David Alton", f"?actor={alton.slug}&topic={topic.slug}"),
        ("David Lammy", f"?actor={lammy.slug}&topic={topic.slug}"),
    ]
    assert titles(client.get(TIMELINE + links_in(response)[1][1])) == []
    assert titles(client.get(TIMELINE, {"actor": lammy.slug}, follow=True)) == ["Lammy's visit"]


def test_a_name_one_actor_has_needs_no_list(client, leaders):
    assert notice(client.get(TIMELINE, {"actor": "Lammy"}, follow=True)) is None


# Still refused


def test_a_name_too_many_have_is_still_refused_with_its_reason(client, settings, monkeypatch):
    monkeypatch.setattr("events.filters.MAX_ACTORS", 2)
    for number in range(3):
        make_person(f"Wang Number{number}")

    response = client.get(TIMELINE, {"actor": "Wang"}, follow=True)

    assert response.status_code == 400
    assert "“Wang” fits more than 2 people and organizations." in text_of(response)


def test_an_over_long_name_is_still_refused(client):
    response = client.get(TIMELINE, {"actor": "x" * 201}, follow=True)

    assert response.status_code == 400
    assert "Ensure this value has at most 200 characters (it has 201)." in text_of(response)


# The sanctions list's target filter reads names the same way


def test_the_target_filter_finds_whole_words_only(client, leaders):
    make_sanction(leaders["xi"], imposing_country="GB")
    make_sanction(leaders["ding"], imposing_country="GB")

    response = client.get(SANCTIONS, {"target": "Xi"}, follow=True)

    assert "1 sanction · on Xi Jinping" in text_of(response)


def test_a_target_nobody_has_is_an_empty_list_with_the_closest_names(client, leaders):
    make_sanction(leaders["kearns"])

    response = client.get(SANCTIONS, {"target": "Kerns", "status": "active"}, follow=True)

    assert response.status_code == 200
    assert "0 sanctions · on anyone called “Kerns” · active" in text_of(response)
    assert notice(response).startswith("No person or organization is called “Kerns” in the archive.")
    assert links_in(response) == [("Alicia Kearns", f"?target={leaders['kearns'].slug}&status=active")]


def test_a_target_several_have_lists_them_as_links(client):
    make_sanction(make_person("David Lammy"))
    make_sanction(make_person("David Alton"))

    response = client.get(SANCTIONS, {"target": "David"}, follow=True)

    assert "2 sanctions · on David Alton or David Lammy" in text_of(response)
    assert [text for text, _ in links_in(response)] == ["David Alton", "David Lammy"]
    assert "these are the sanctions on any of them" in notice(response)


# On the archive of the five documents: the findings of issue 9


def test_on_the_archive_xi_finds_only_xi_jinpings_events(archive, client):
    response = client.get(TIMELINE, {"actor": "Xi"}, follow=True)

    assert summary(response).endswith("· with Xi Jinping")
    assert notice(response) is None
    assert titles(response) == titles(client.get(TIMELINE, {"actor": "xi-jinping"}, follow=True))


def test_on_the_archive_mr_xi_finds_xi_jinping(archive, client):
    assert summary(client.get(TIMELINE, {"actor": "Mr Xi"}, follow=True)).endswith("· with Xi Jinping")


def test_on_the_archive_li_finds_nobody_and_says_so(archive, client):
    response = client.get(TIMELINE, {"actor": "Li"}, follow=True)

    assert response.status_code == 200
    assert titles(response) == []
    assert summary(response) == "0 events · with anyone called “Li”"


def test_on_the_archive_boris_johnson_is_an_empty_answer_not_an_error(archive, client):
    response = client.get(TIMELINE, {"actor": "Boris Johnson"}, follow=True)

    assert response.status_code == 200
    assert titles(response) == []
    assert notice(response).startswith("No person or organization is called “Boris Johnson” in the archive.")


def test_on_the_archive_a_misspelt_name_is_offered_the_right_one(archive, client):
    assert ("Alicia Kearns", "?actor=alicia-kearns") in links_in(client.get(TIMELINE, {"actor": "Alicia Kerns"}, follow=True))


def test_on_the_archive_david_is_two_people_each_a_link(archive, client):
    response = client.get(TIMELINE, {"actor": "David"}, follow=True)

    assert summary(response).endswith("· with Lord David Alton or David Lammy")
    assert links_in(response) == [("Lord David Alton", "?actor=david-alton"), ("David Lammy", "?actor=david-lammy")]


# Bounded


def queries_for(client, url):
    cache.clear()  # each count from cold: the names and the topic menu read afresh
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/?actor=David", "/?actor=Davd+Lammy", "/sanctions/?target=David", "/sanctions/?target=Boris"])
def test_a_name_several_or_nobody_have_costs_the_same_queries_however_many_names_there_are(client, url):
    make_person("David Lammy"), make_person("David Alton")
    few = queries_for(client, url)
    for number in range(40):
        make_person(f"David Number{number}", aliases=[f"Mr Number{number}"])
        make_organization(f"Davids Office {number}")

    assert queries_for(client, url) == few


def test_the_words_index_follows_a_renamed_person_and_a_removed_alias(client):
    person = make_person("David Lammy", aliases=["Foreign Secretary Lammy"])
    take_part(make_event("Lammy's visit"), person)
    person.name = "David Lammington"
    person.save()
    person.aliases.all().delete()

    assert titles(client.get(TIMELINE, {"actor": "Lammington"}, follow=True)) == ["Lammy's visit"]
    assert titles(client.get(TIMELINE, {"actor": "Lammy"}, follow=True)) == []
    assert titles(client.get(TIMELINE, {"actor": "Secretary"}, follow=True)) == []


@pytest.mark.parametrize("model", [Person, Organization, Alias])
def test_the_words_of_a_name_are_written_as_djangos_functions_write_them_which_the_indexes_are_built_on(model):
    # PostgreSQL uses its trigram indexes only for the very expression they were built on (migration 0011).
    def sql_of(words):
        inner = model.objects.order_by().alias(words=words).filter(words__contains=" xi ").values("pk")
        outer = Person.objects.filter(pk__in=inner)  # the inner query's table under another alias
        return str(outer.query), str(inner.query)

    assert sql_of(words_of("name")) == sql_of(words_tree(F("name")))
    assert '"U0"."name"' in sql_of(words_of("name"))[0] or "U0.name" in sql_of(words_of("name"))[0]
