"""The record pages and the other lists: what a visitor sees on each, and what each costs in queries."""

import re
from html import unescape

import pytest
from django.core.cache import cache
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.views import defaults

from events.models import Event, EventRelation, Participation, Sanction

from .factories import (
    answer,
    cite,
    claim,
    make_event,
    make_office,
    make_organization,
    make_person,
    make_sanction,
    make_source,
    make_topic,
    relate,
    take_part,
)
from .helpers import html_of, text_of

pytestmark = pytest.mark.django_db


# Event pages


def test_an_event_page_shows_its_date_kind_place_summary_and_topics(client):
    topic = make_topic("Hong Kong")
    event = make_event(
        "Lammy meets Wang Yi",
        date="2024-10-18",
        kind=Event.Kind.MEETING,
        place="Beijing",
        summary="They discussed Hong Kong.",
        topics=[topic],
    )

    response = client.get(event.get_absolute_url())

    assert response.status_code == 200
    text = text_of(response)
    assert "Lammy meets Wang Yi" in text
    assert "Date 18 October 2024" in text
    assert "Kind Meeting" in text
    assert "Place Beijing" in text
    assert "They discussed Hong Kong." in text
    assert f'<a href="{topic.get_absolute_url()}">Hong Kong</a>' in html_of(response)


def test_an_event_page_names_each_participant_with_their_role_and_the_office_they_held(client):
    lammy = make_person("David Lammy")
    office = make_office(lammy, "Foreign Secretary")
    event = make_event("Lammy meets Wang Yi")
    take_part(event, lammy, Participation.Role.VISITOR, office=office)
    take_part(event, make_person("Wang Yi"), Participation.Role.HOST, order=1)

    response = client.get(event.get_absolute_url())

    assert "David Lammy, visitor, as Foreign Secretary" in text_of(response)
    assert "Wang Yi, host" in text_of(response)
    assert f'href="{lammy.get_absolute_url()}"' in html_of(response)


def test_an_event_page_quotes_its_sources_with_a_link_to_the_quote_in_the_source(client):
    event = make_event("Lammy meets Wang Yi")
    source = make_source("Mr Lammy said: “We will be candid.”", title="Lammy visits China")
    citation = cite(event, "“We will be candid.”", source)

    response = client.get(event.get_absolute_url())

    html = html_of(response)
    assert "<blockquote><p>“We will be candid.”</p></blockquote>" in html
    assert "<cite>Lammy visits China</cite>" in html
    assert f'<a href="{source.get_absolute_url()}#quote-{citation.pk}">Read in source' in html


def test_an_event_page_shows_related_events_in_both_directions_with_the_relation(client):
    uk_sanctions = make_event("UK sanctions Xinjiang officials", date="2021-03-22")
    china_sanctions = make_event("China sanctions MPs", date="2021-03-26")
    visit = make_event("A later visit", date="2021-05-01")
    relate(china_sanctions, uk_sanctions, EventRelation.Relation.RESPONDS_TO)
    relate(visit, china_sanctions, EventRelation.Relation.FOLLOWS)

    text = text_of(client.get(china_sanctions.get_absolute_url()))

    assert "This event responds to UK sanctions Xinjiang officials 22 March 2021" in text
    assert "A later visit follows this event 1 May 2021" in text


def test_draft_events_are_left_out_of_a_published_events_relations(client):
    published = make_event("Published event")
    relate(make_event("A draft reply", is_published=False), published)

    text = text_of(client.get(published.get_absolute_url()))

    assert "A draft reply" not in text
    assert "Related events" not in text


def test_an_event_page_lists_the_sanctions_announced_in_it(client):
    event = make_event("China sanctions MPs", kind=Event.Kind.SANCTION_ANNOUNCEMENT)
    sanction = make_sanction(make_person("Tom Tugendhat"), announced_in=event, measures="entry ban")
    make_sanction(make_person("Hidden Target"), announced_in=event, is_published=False)

    response = client.get(event.get_absolute_url())

    assert "China on Tom Tugendhat: entry ban" in text_of(response)
    assert f'href="{sanction.get_absolute_url()}"' in html_of(response)
    assert "Hidden Target" not in text_of(response)


def test_a_draft_event_is_not_found(client):
    event = make_event("Still a draft", is_published=False)

    response = client.get(event.get_absolute_url())

    assert response.status_code == 404
    assert "Page not found" in text_of(response)


# People


def test_a_person_page_shows_their_styled_name_native_name_aliases_and_description(client):
    person = make_person(
        "Wang Yi",
        native_name="王毅",
        native_name_language="zh-Hans",
        description="Foreign minister of China",
        aliases=["Mr Wang"],
        country="CN",
    )

    response = client.get(person.get_absolute_url())

    assert response.status_code == 200
    assert '<span lang="zh-Hans">王毅</span>' in html_of(response)
    text = text_of(response)
    assert "Foreign minister of China" in text
    assert "Also called Mr Wang" in text
    assert "Country China" in text


def test_a_person_page_uses_their_honorific(client):
    person = make_person("David Alton", honorific="Lord")

    response = client.get(person.get_absolute_url())

    assert "<h1>Lord David Alton</h1>" in html_of(response)
    assert "<title>Lord David Alton — Diplo</title>" in html_of(response)


def test_a_person_page_marks_the_details_that_are_not_from_the_documents_and_explains_the_mark(client):
    person = make_person(
        "Wang Yi", native_name="王毅", native_name_language="zh-Hans", country="CN", outside_fields=["native_name"]
    )

    html = html_of(client.get(person.get_absolute_url()))

    assert html.count('class="outside"') == 1
    assert re.search(r'王毅</span> <a class="outside" href="#outside-note">not from the documents</a>', html)
    footnote = re.search(r'<p class="footnote" id="outside-note">(.*?)</p>', html).group(1)
    assert "added by the archive’s editors" in footnote
    assert "Here: native name." in footnote


def test_a_person_page_without_outside_details_has_no_marks(client):
    person = make_person("Wang Yi", country="CN")

    html = html_of(client.get(person.get_absolute_url()))

    assert "not from the documents" not in html


def test_a_person_page_lists_their_offices_over_time(client):
    person = make_person("David Lammy")
    fcdo = make_organization("FCDO")
    make_office(person, "Shadow Foreign Secretary", start="2021-11", end="2024-07")
    make_office(person, "Foreign Secretary", organization=fcdo, start="2024-07-05", end=None)

    text = text_of(client.get(person.get_absolute_url()))

    assert "Shadow Foreign Secretary November 2021 – July 2024" in text
    assert "Foreign Secretary, FCDO 5 July 2024 – end not known" in text
    assert text.index("Shadow Foreign Secretary") < text.index("Foreign Secretary, FCDO")


def test_a_person_page_lists_their_published_events_with_their_role_and_the_sanctions_on_them(client):
    person = make_person("Tom Tugendhat")
    take_part(make_event("Debate on Hong Kong", date="2021-02-01"), person, Participation.Role.SPEAKER)
    take_part(make_event("A draft", is_published=False), person)
    sanction = make_sanction(person, measures="entry ban")
    make_sanction(person, is_published=False, measures="a draft sanction")

    response = client.get(person.get_absolute_url())

    text = text_of(response)
    assert "1 February 2021 Debate on Hong Kong (speaker)" in text
    assert "A draft" not in text
    assert "Sanctions on Tom Tugendhat" in text
    assert f'href="{sanction.get_absolute_url()}"' in html_of(response)
    assert "a draft sanction" not in text


def test_a_person_page_quotes_what_they_said_at_events_where_they_spoke_or_wrote(client):
    person = make_person("David Lammy")
    speech = make_event("Lammy's speech")
    take_part(speech, person, Participation.Role.SPEAKER)
    cite(speech, "We will be consistent, we will be candid")
    hosted = make_event("A meeting he only attended")
    take_part(hosted, person, Participation.Role.MENTIONED)
    cite(hosted, "The minister was mentioned")

    text = text_of(client.get(person.get_absolute_url()))

    assert "Statements quoted" in text
    assert "We will be consistent, we will be candid" in text
    assert "The minister was mentioned" not in text


# Organizations


def test_an_organization_page_shows_its_kind_country_family_aliases_and_people(client):
    government = make_organization("HM Government", kind="government", country="GB")
    fcdo = make_organization("Foreign Office", parent=government, country="GB", aliases=["FCDO"])
    embassy = make_organization("British Embassy Beijing", parent=fcdo, country="GB")
    lammy = make_person("David Lammy")
    make_office(lammy, "Foreign Secretary", organization=fcdo)

    response = client.get(fcdo.get_absolute_url())

    text = text_of(response)
    assert "Kind Ministry or department" in text
    assert "Country United Kingdom" in text
    assert "Part of HM Government" in text
    assert "Includes British Embassy Beijing" in text
    assert "Also called FCDO" in text
    assert "David Lammy, Foreign Secretary" in text
    assert f'href="{embassy.get_absolute_url()}"' in html_of(response)



def test_an_organization_page_links_every_part_by_name_each_name_escaped(client):
    government = make_organization("HM Government", country="GB")
    parts = [make_organization(name, parent=government) for name in ["Treasury", "<b>Cabinet</b> & Office", "Home Office"]]
    make_organization("A part of a part", parent=parts[0])

    response = client.get(government.get_absolute_url())

    assert "Includes <b>Cabinet</b> & Office, Home Office, Treasury" in text_of(response)
    links = [f'<bdi><a href="{part.get_absolute_url()}">{escape(part.name)}</a></bdi>' for part in (parts[1], parts[2], parts[0])]
    assert ", ".join(links) in html_of(response)
    assert "A part of a part" not in text_of(response)

def test_an_organization_page_lists_its_events_and_the_sanctions_it_imposed_and_suffered(client):
    ministry = make_organization("Chinese foreign ministry", country="CN")
    take_part(make_event("Ministry statement", date="2021-03-26"), ministry, Participation.Role.AUTHOR)
    make_sanction(make_person("Tom Tugendhat"), imposed_by=ministry)
    make_sanction(ministry, imposing_country="GB", announced="2021-03-22")

    text = text_of(client.get(ministry.get_absolute_url()))

    assert "26 March 2021 Ministry statement (author)" in text
    assert "Sanctions imposed China on Tom Tugendhat" in text
    assert "Sanctions on Chinese foreign ministry United Kingdom on Chinese foreign ministry" in text


def test_an_organization_page_marks_outside_details(client):
    ministry = make_organization("Chinese foreign ministry", country="CN", outside_fields=["country"])

    html = html_of(client.get(ministry.get_absolute_url()))

    assert "China <a class=\"outside\" href=\"#outside-note\">not from the documents</a>" in html
    assert 'id="outside-note"' in html


# Sanctions


def test_the_sanctions_list_shows_published_sanctions_with_status_and_date(client):
    make_sanction(make_person("Tom Tugendhat"), announced="2021-03-26", measures="entry ban")
    make_sanction(make_person("Hidden Target"), is_published=False)

    response = client.get(reverse("sanction_list"))

    text = text_of(response)
    assert "China on Tom Tugendhat Active as of 26 March 2021 announced 26 March 2021 · entry ban" in text
    assert "Hidden Target" not in text
    assert "1 sanction" in text


@pytest.mark.parametrize(
    ("query", "expected", "summary"),
    [
        ({"imposing_country": "CN"}, ["China on Tom Tugendhat"], "1 sanction · imposed by China"),
        ({"status": "lifted"}, ["United Kingdom on Chen Quanguo"], "1 sanction · lifted"),
        ({"year": "2021"}, ["China on Tom Tugendhat"], "1 sanction · announced in 2021"),
        ({"target": "Mr Tugendhat"}, ["China on Tom Tugendhat"], "1 sanction · on Tom Tugendhat"),
        ({"target": "chen"}, ["United Kingdom on Chen Quanguo"], "1 sanction · on Chen Quanguo"),
        (
            {"imposing_country": "GB", "year": "2020"},
            ["United Kingdom on Chen Quanguo"],
            "1 sanction · imposed by United Kingdom · announced in 2020",
        ),
        (
            {"imposing_country": "GB", "year": "2021"},
            [],
            "0 sanctions · imposed by United Kingdom · announced in 2021",
        ),
    ],
)
def test_the_sanctions_list_filters_by_side_status_year_and_target(client, query, expected, summary):
    make_sanction(make_person("Tom Tugendhat", aliases=["Mr Tugendhat"]), announced="2021-03-26")
    make_sanction(
        make_person("Chen Quanguo"), imposing_country="GB", announced="2020", status=Sanction.Status.LIFTED
    )

    response = client.get(reverse("sanction_list"), query)

    assert response.status_code == 200
    listed = re.findall(r'<li class="sanction">\s*<a href="[^"]*">([^<]*)</a>', html_of(response))
    assert [unescape(name) for name in listed] == expected
    assert summary in text_of(response)


def test_a_sanction_known_only_to_its_year_counts_as_announced_in_that_year(client):
    make_sanction(make_person("Tom Tugendhat"), announced="2021")
    make_sanction(make_person("Nobody Dated"), announced=None)

    assert "1 sanction · announced in 2021" in text_of(client.get(reverse("sanction_list"), {"year": "2021"}))


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"year": "abc"}, "year", "Enter a year as four digits: YYYY."),
        ({"year": "99999"}, "year", "Ensure this value is less than or equal to 2100."),
        ({"target": "x" * 201}, "target", "Ensure this value has at most 200 characters (it has 201)."),
        ({"imposing_country": "ZZ"}, "imposing_country", "“ZZ” is not a country this archive records."),
        ({"status": "paused"}, "status", "“paused” is not a status a sanction can have."),
    ],
)
def test_a_bad_sanctions_filter_is_a_bad_request_with_the_message_beside_the_field(client, query, field, message):
    response = client.get(reverse("sanction_list"), query)

    assert response.status_code == 400
    html = html_of(response)
    assert re.search(rf'aria-describedby="[^"]*id_{field}_error[^"]*"[^>]*id="id_{field}"', html)
    assert f'<ul class="errorlist" id="id_{field}_error"><li>{message}</li></ul>' in unescape(html)


@pytest.mark.parametrize("field", ["imposing_country", "target", "status", "year", "page"])
def test_no_value_of_any_sanctions_parameter_is_a_server_error(client, field):
    make_sanction(make_person("Tom Tugendhat"))

    for value in ["\x00", "x" * 5000, "%", "'; --", "-1", "1.5", "99999999999999999999", "日本"]:
        assert client.get(reverse("sanction_list"), {field: value}).status_code in (200, 400, 404), value


def test_the_sanctions_list_pages_keep_their_filters(client):
    for number in range(51):
        make_sanction(make_person(f"Target {number}"), announced="2021-03-26")

    response = client.get(reverse("sanction_list"), {"imposing_country": "CN"})

    assert "51 sanctions · imposed by China" in text_of(response)
    assert 'href="?imposing_country=CN&amp;page=2"' in html_of(response)


def test_a_sanction_page_shows_who_imposed_it_on_whom_why_and_what_answered_it(client):
    ministry = make_organization("Chinese foreign ministry", country="CN")
    tugendhat = make_person("Tom Tugendhat")
    event = make_event("China announces sanctions", date="2021-03-26")
    uk_sanction = make_sanction(make_person("Chen Quanguo"), imposing_country="GB", announced="2021-03-22")
    sanction = make_sanction(
        tugendhat,
        imposed_by=ministry,
        regime="Anti-Foreign Sanctions Law",
        measures="entry ban",
        reason="Spreading lies",
        announced="2021-03-26",
        announced_in=event,
        answers=uk_sanction,
    )
    answer = make_sanction(make_person("Someone Else"), imposing_country="GB", announced="2021-04", answers=sanction)
    cite(sanction, "China imposed sanctions on Tom Tugendhat")

    response = client.get(sanction.get_absolute_url())

    assert response.status_code == 200
    text = text_of(response)
    assert "Imposed by China (Chinese foreign ministry)" in text
    assert "Target Tom Tugendhat" in text
    assert "Regime Anti-Foreign Sanctions Law" in text
    assert "Measures entry ban" in text
    assert "Status Active" in text
    assert "Announced 26 March 2021" in text
    assert "Announced at China announces sanctions" in text
    assert "Spreading lies" in text
    assert "Answers United Kingdom on Chen Quanguo, announced 22 March 2021" in text
    assert "Answered by United Kingdom on Someone Else, announced April 2021" in text
    assert "China imposed sanctions on Tom Tugendhat" in text
    html = html_of(response)
    for record in (tugendhat, ministry, event, uk_sanction, answer):
        assert f'href="{record.get_absolute_url()}"' in html


def test_an_unpublished_sanction_is_not_found(client):
    sanction = make_sanction(make_person("Tom Tugendhat"), is_published=False)

    assert client.get(sanction.get_absolute_url()).status_code == 404


# Sources


def test_the_sources_list_shows_each_source_with_its_count_of_cited_quotes(client):
    source = make_source("One. Two.", title="Lammy visits China", outlet="The Guardian", published="2024-10-18")
    cite(make_event("Visit"), "One.", source)
    cite(make_event("Another"), "Two.", source)

    response = client.get(reverse("source_list"))

    assert "Lammy visits China News article · The Guardian · 18 October 2024 · 2 quotes cited" in text_of(response)
    assert f'href="{source.get_absolute_url()}"' in html_of(response)


def test_a_source_page_shows_its_metadata_and_its_text_in_paragraphs(client):
    source = make_source(
        "First paragraph.\n\nSecond paragraph,\nwith a line break.",
        title="Lammy visits China",
        outlet="The Guardian",
        author="Patrick Wintour",
        published="2024-10",
        seed_file="seeds/guardian.txt",
        notes="Removed a sign-up box.",
    )

    response = client.get(source.get_absolute_url())

    text = text_of(response)
    for fact in (
        "Kind News article",
        "Outlet The Guardian",
        "Author Patrick Wintour",
        "Published October 2024",
        "Seed file seeds/guardian.txt",
        "Removed a sign-up box.",
    ):
        assert fact in text
    html = html_of(response)
    assert "<p>First paragraph.</p>" in html
    assert "<p>Second paragraph,<br>with a line break.</p>" in html


def test_a_source_page_marks_each_cited_quote_with_an_anchor_and_links_to_what_it_supports(client):
    source = make_source("The Foreign Secretary met Wang Yi in Beijing on Friday.")
    event = make_event("Lammy meets Wang Yi")
    citation = cite(event, "met Wang Yi in Beijing", source)

    html = html_of(client.get(source.get_absolute_url()))

    assert (
        f'<p>The Foreign Secretary <mark class="quote" id="quote-{citation.pk}">met Wang Yi in Beijing</mark>'
        f' <span class="supports">↩ <a href="{event.get_absolute_url()}">event'
    ) in html
    assert citation.get_absolute_url().endswith(f"#quote-{citation.pk}")


def test_a_source_page_escapes_the_text_and_the_quotes(client):
    source = make_source('He wrote <script>alert("x")</script> & left.')
    cite(make_event("Event"), '<script>alert("x")</script> &', source)

    html = html_of(client.get(source.get_absolute_url()))

    assert "<script>" not in html
    assert '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;</mark>' in html


def test_a_quote_that_appears_twice_is_marked_where_it_first_appears(client):
    source = make_source("China objected. Later, China objected.")
    citation = cite(make_event("Objection"), "China objected.", source)

    html = html_of(client.get(source.get_absolute_url()))

    assert f'<p><mark class="quote" id="quote-{citation.pk}">China objected.</mark>' in html
    assert html.count(f'id="quote-{citation.pk}"') == 1


def test_two_citations_of_the_same_words_each_get_their_anchor(client):
    source = make_source("China objected strongly.")
    first = cite(make_event("First"), "objected", source)
    second = cite(make_event("Second"), "objected", source)

    html = html_of(client.get(source.get_absolute_url()))

    assert (
        f'<mark class="quote" id="quote-{first.pk}"><mark class="quote" id="quote-{second.pk}">objected</mark></mark>'
    ) in html


def test_the_records_one_quote_supports_are_linked_together_after_it(client):
    source = make_source("China sanctioned nine MPs.")
    event = make_event("China sanctions MPs")
    sanction = make_sanction(make_person("Tom Tugendhat"))
    cite(event, "China sanctioned nine MPs.", source)
    cite(sanction, "China sanctioned nine MPs.", source)

    html = html_of(client.get(source.get_absolute_url()))

    assert re.search(
        rf'</mark></mark> <span class="supports">↩ <a href="{event.get_absolute_url()}">event<span[^>]*>: '
        rf'China sanctions MPs</span></a> · <a href="{sanction.get_absolute_url()}">sanction<span',
        html,
    )


def test_quotes_that_overlap_are_both_marked_without_breaking_the_html(client):
    source = make_source("One two three four five.")
    first = cite(make_event("First"), "One two three", source)
    second = cite(make_event("Second"), "three four", source)

    html = html_of(client.get(source.get_absolute_url()))

    paragraph = re.search(r'<div class="source-text">\s*<p>(.*?)</p>', html, re.S).group(1)
    assert (
        f'<mark class="quote" id="quote-{first.pk}">One two '
        f'<mark class="quote" id="quote-{second.pk}">three</mark></mark>'
    ) in paragraph
    assert paragraph.count("<mark") == paragraph.count("</mark>")
    assert '<mark class="quote"> four</mark>' in paragraph


def test_a_quote_running_across_paragraphs_is_marked_in_each_and_linked_once(client):
    source = make_source("End of the first.\n\nStart of the second. More.")
    event = make_event("Event")
    citation = cite(event, "the first.\n\nStart of", source)

    html = html_of(client.get(source.get_absolute_url()))

    assert f'<p>End of <mark class="quote" id="quote-{citation.pk}">the first.</mark></p>' in html
    assert '<p><mark class="quote">Start of</mark> <span class="supports">' in html
    assert html.count(f'href="{event.get_absolute_url()}"') == 1


def test_quotes_supporting_drafts_are_not_marked(client):
    source = make_source("A public sentence. A draft sentence.")
    cite(make_event("Public"), "A public sentence.", source)
    cite(make_event("Draft", is_published=False), "A draft sentence.", source)

    html = html_of(client.get(source.get_absolute_url()))

    assert html.count('<mark class="quote" id=') == 1


def test_a_quote_supporting_an_office_links_to_the_person_who_held_it(client):
    source = make_source("David Lammy, the Foreign Secretary, said.")
    person = make_person("David Lammy")
    cite(make_office(person, "Foreign Secretary"), "the Foreign Secretary", source)

    html = html_of(client.get(source.get_absolute_url()))

    assert f'<span class="supports">↩ <a href="{person.get_absolute_url()}">office' in html


# Topics


def test_the_topics_page_shows_the_tree_with_event_counts(client):
    human_rights = make_topic("Human rights")
    xinjiang = make_topic("Xinjiang", parent=human_rights)
    make_event("Sanctions", topics=[xinjiang])
    make_event("Draft", topics=[xinjiang], is_published=False)

    response = client.get(reverse("topic_list"))

    html = html_of(response)
    assert re.search(
        r'Human rights</a> <span class="meta">1 event \(0 tagged directly\)</span>\s*<ul class="topic-tree">'
        r'\s*<li><a[^>]*>Xinjiang</a> <span class="meta">1 event</span>',
        html,
    )


def test_a_topic_page_lists_the_events_of_the_topic_and_the_topics_under_it(client):
    human_rights = make_topic("Human rights")
    xinjiang = make_topic("Xinjiang", parent=human_rights)
    make_event("Sanctions over Xinjiang", date="2021-03-22", topics=[xinjiang])
    make_event("General remarks", date="2021-04-01", topics=[human_rights])
    make_event("Off topic", date="2021-05-01")

    response = client.get(human_rights.get_absolute_url())

    text = text_of(response)
    assert "Includes Xinjiang" in text
    assert "2 events about Human rights and the topics under it" in text
    assert text.index("General remarks") < text.index("Sanctions over Xinjiang")
    assert "Off topic" not in text
    assert f'href="/?topic={human_rights.slug}"' in html_of(response)


def test_a_child_topic_page_links_to_its_parent(client):
    human_rights = make_topic("Human rights")
    xinjiang = make_topic("Xinjiang", parent=human_rights)

    response = client.get(xinjiang.get_absolute_url())

    assert "Part of Human rights" in text_of(response)
    assert f'href="{human_rights.get_absolute_url()}"' in html_of(response)


# People and organizations lists


def test_the_people_list_shows_each_person_with_their_count_of_published_events(client):
    lammy = make_person("David Lammy", description="Foreign Secretary")
    take_part(make_event("Visit"), lammy)
    take_part(make_event("Speech"), lammy)
    take_part(make_event("Draft", is_published=False), lammy)
    make_person("Wang Yi")

    text = text_of(client.get(reverse("person_list")))

    assert "2 people" in text
    assert "David Lammy Foreign Secretary 2 events" in text
    assert "Wang Yi 0 events" in text


def test_the_organizations_list_shows_kind_country_and_count_of_events(client):
    ministry = make_organization("Chinese foreign ministry", country="CN")
    take_part(make_event("Statement"), ministry)

    text = text_of(client.get(reverse("organization_list")))

    assert "Chinese foreign ministry Ministry or department · China · 1 event" in text


# Not found and bad requests


DETAIL_PAGES = ["event_detail", "person_detail", "organization_detail", "source_detail", "topic_detail"]


@pytest.mark.parametrize("name", DETAIL_PAGES)
def test_an_unknown_slug_is_not_found_in_the_sites_design(client, name):
    response = client.get(reverse(name, args=["no-such-thing"]))

    assert response.status_code == 404
    assert "Page not found" in text_of(response)
    assert '<main id="main"' in html_of(response)
    assert "Skip to main content" in text_of(response)


def test_an_unknown_sanction_is_not_found_in_the_sites_design(client):
    response = client.get(reverse("sanction_detail", args=[987654]))

    assert response.status_code == 404
    assert "Page not found" in text_of(response)


# The lists paged by number; the timeline pages by the event a page starts after (see test_timeline).
LISTS = ["person_list", "organization_list", "sanction_list", "source_list"]


@pytest.mark.parametrize("name", LISTS)
def test_a_page_number_that_is_not_a_number_is_a_bad_request_on_every_list(client, name):
    response = client.get(reverse(name), {"page": "abc"})

    assert response.status_code == 400
    assert "The page number in the address should be a whole number" in text_of(response)


@pytest.mark.parametrize("name", LISTS)
def test_a_page_past_the_end_is_not_found_on_every_list(client, name):
    response = client.get(reverse(name), {"page": "99999"})

    assert response.status_code == 404
    assert "Page not found" in text_of(response)


def test_djangos_own_error_pages_use_the_sites_design(rf):
    request = rf.get("/")
    pages = [
        (defaults.server_error(request), 500, "Something went wrong on our side"),
        (defaults.bad_request(request, BadRequest()), 400, "Part of the address is not in a form this site accepts"),
        (defaults.permission_denied(request, PermissionDenied()), 403, "You can’t see this page"),
    ]
    for response, status, message in pages:
        assert response.status_code == status
        assert message in text_of(response)
        assert '<main id="main"' in html_of(response)


def test_every_page_has_the_site_navigation_a_skip_link_and_its_own_title(client):
    pages = {
        reverse("timeline"): "Timeline",
        reverse("person_list"): "People",
        reverse("organization_list"): "Organizations",
        reverse("sanction_list"): "Sanctions",
        reverse("source_list"): "Sources",
        reverse("topic_list"): "Topics",
    }
    for url, title in pages.items():
        html = html_of(client.get(url))
        assert '<html lang="en-gb">' in html
        assert f"<title>{title} — Diplo</title>" in html
        assert '<a class="skip-link" href="#main">' in html
        assert f'<a href="{url}" aria-current="page">{title}</a>' in html
        assert "<script" not in html
        assert "style=" not in html


def test_every_page_links_the_site_icon_and_favicon_ico_leads_to_it(client):
    icon = client.get("/favicon.ico", follow=True)

    assert icon.status_code == 200
    assert icon.redirect_chain[-1][0] == "/static/favicon.svg"
    assert icon["Content-Type"] == "image/svg+xml"
    for url in [reverse("timeline"), reverse("person_list"), "/no-such-page/"]:
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html_of(client.get(url))


# Queries stay flat as rows grow


def add_people(count):
    for number in range(count):
        person = make_person(f"Person {number}", aliases=[f"P{number}"])
        take_part(make_event(f"Event {number}"), person)
        make_person(f"Unnamed person ({number})", is_placeholder=True)


def add_organizations(count):
    parent = make_organization("Parent body")
    for number in range(count):
        organization = make_organization(f"Body {number}", parent=parent)
        take_part(make_event(f"Event {number}"), organization)
        make_organization(f"Unnamed body ({number})", parent=parent, is_placeholder=True)


def add_sanctions(count):
    for number in range(count):
        target = make_person(f"Target {number}") if number % 2 else make_organization(f"Body {number}")
        make_sanction(target, imposed_by=make_organization(f"Imposer {number}"))


def add_sources(count):
    for number in range(count):
        source = make_source(f"Quote {number}.")
        cite(make_event(f"Event {number}"), f"Quote {number}.", source)


def add_topics(count):
    parent = make_topic("Parent")
    for number in range(count):
        topic = make_topic(f"Topic {number}", parent=parent)
        make_event(f"Event {number}", topics=[topic])


def add_to_a_person(person):
    def add(count):
        for number in range(count):
            event = make_event(f"Event {number}")
            office = make_office(person, f"Office {number}")
            part = take_part(event, person, Participation.Role.SPEAKER, office=office)
            said = cite(event, f"Said {number}")
            claim(part, "office", citations=[said])
            claim(office, "end", citations=[said])
            make_sanction(person)
            person.aliases.create(name=f"Alias {number}")

    return add


def add_to_an_organization(organization):
    def add(count):
        for number in range(count):
            take_part(make_event(f"Event {number}"), organization)
            make_sanction(organization)
            make_sanction(make_person(f"Target {number}"), imposed_by=organization)
            make_organization(f"Child {number}", parent=organization)
            office = make_office(make_person(f"Staff {number}"), "Officer", organization=organization)
            claim(office, "start", basis="outside", outside_source=f"Register {number}")

    return add


def add_to_an_event(event):
    def add(count):
        for number in range(count):
            part = take_part(event, make_person(f"Person {number}"), office=None)
            event.topics.add(make_topic(f"Topic {number}"))
            quote = cite(event, f"Quote {number}")
            claim(part, "role", citations=[quote])
            claim(relate(event, make_event(f"Earlier {number}")), "relation", citations=[quote])
            claim(relate(make_event(f"Later {number}"), event), "relation", basis="outside", outside_source="Elsewhere")
            make_sanction(make_person(f"Target {number}"), announced_in=event)
            claim(answer(make_sanction(make_person(f"Answerer {number}")), event), "answers", citations=[quote])

    return add


def add_to_a_sanction(sanction):
    def add(count):
        for number in range(count):
            answering = make_sanction(make_person(f"Answerer {number}"), imposing_country="GB", answers=sanction)
            quote = cite(sanction, f"Quote {number}")
            claim(answering.responses.get(), "answers", citations=[quote])
            answered = make_sanction(make_person(f"Answered {number}"), imposing_country="GB")
            claim(answer(sanction, answered), "answers", citations=[quote])

    return add


def add_to_a_source(source):
    def add(count):
        for number in range(count):
            source.text += f"\n\nParagraph {number} with a quote."
            source.save()
            event = make_event(f"Event {number}")
            claim(event, "date", citations=[cite(event, f"Paragraph {number} with a quote.", source)])

    return add


def add_to_a_topic(topic):
    def add(count):
        for number in range(count):
            event = make_event(f"Event {number}", topics=[make_topic(f"Child {number}", parent=topic)])
            take_part(event, make_person(f"Person {number}"))

    return add


def list_pages():
    return {
        "people": (reverse("person_list"), add_people),
        "organizations": (reverse("organization_list"), add_organizations),
        "sanctions": (reverse("sanction_list"), add_sanctions),
        "sources": (reverse("source_list"), add_sources),
        "topics": (reverse("topic_list"), add_topics),
    }


def record_pages():
    person, organization = make_person("The person"), make_organization("The organization")
    event, topic = make_event("The event"), make_topic("The topic")
    sanction, source = make_sanction(make_person("The target")), make_source("The text.")
    return {
        "person": (person.get_absolute_url(), add_to_a_person(person)),
        "organization": (organization.get_absolute_url(), add_to_an_organization(organization)),
        "event": (event.get_absolute_url(), add_to_an_event(event)),
        "sanction": (sanction.get_absolute_url(), add_to_a_sanction(sanction)),
        "source": (source.get_absolute_url(), add_to_a_source(source)),
        "topic": (topic.get_absolute_url(), add_to_a_topic(topic)),
    }


def count_queries(client, url):
    """The queries `url` makes with nothing kept in the cache: its worst case."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("page", ["people", "organizations", "sanctions", "sources", "topics"])
def test_each_list_page_makes_the_same_number_of_queries_however_many_rows_it_shows(client, page):
    url, add_rows = list_pages()[page]
    add_rows(2)
    few = count_queries(client, url)
    add_rows(8)
    assert count_queries(client, url) == few


@pytest.mark.parametrize("page", ["person", "organization", "event", "sanction", "source", "topic"])
def test_each_record_page_makes_the_same_number_of_queries_however_long_its_lists(client, page):
    url, add_rows = record_pages()[page]
    add_rows(2)
    few = count_queries(client, url)
    add_rows(8)
    assert count_queries(client, url) == few
