"""Citing a record and linking it to the world: every record page's "Cite this" block and its
downloads (BibTeX, CSL-JSON), its schema.org JSON-LD, and people's and organizations' identifiers
in other databases."""

import datetime
import json
import re
from html import unescape

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from events.dates import FuzzyDate, Precision
from events.models import Event, Organization, Participation, Person, Source

from .factories import (
    cite,
    make_event,
    make_organization,
    make_person,
    make_sanction,
    make_source,
    make_topic,
    take_part,
)
from .helpers import form_data, html_of, lammy_meets_wang_yi, text_of

pytestmark = pytest.mark.django_db

RECORD_KINDS = ["event", "person", "organization", "sanction", "source", "topic"]


def make_record(kind):
    """A record of `kind` with a page, and the title its citation gives it."""
    if kind == "event":
        return make_event("UK sanctions Chinese officials over Xinjiang"), "UK sanctions Chinese officials over Xinjiang"
    if kind == "person":
        return make_person("David Lammy"), "David Lammy"
    if kind == "organization":
        return make_organization("Foreign Affairs Committee"), "Foreign Affairs Committee"
    if kind == "sanction":
        return make_sanction(make_person("Tom Tugendhat")), "Sanction by China on Tom Tugendhat"
    if kind == "source":
        return make_source(title="Lammy in Beijing"), "Lammy in Beijing"
    return make_topic("Hong Kong"), "Hong Kong"


def changed_on(record, day):
    """Makes `record` look last saved on `day` (saving stamps it with now)."""
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    type(record).objects.filter(pk=record.pk).update(modified=moment, version=2)


def today_in_words():
    day = timezone.localdate()
    return f"{day.day} {day:%B %Y}"


def linked_data_of(response):
    """The JSON-LD of a page, parsed: there must be exactly one."""
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html_of(response), re.S)
    assert len(found) == 1
    return json.loads(found[0])


def bibtex_fields(text):
    """(entry type, key, {field: value}) of one BibTeX entry whose values are in braces."""
    entry = re.fullmatch(r"@(\w+)\{([^,\s]+),\n(.*)\n\}\n", text, re.S)
    assert entry, text
    fields = dict(re.findall(r"^  (\w+) = \{(.*)\},?$", entry.group(3), re.M))
    return entry.group(1), entry.group(2), fields


def braces_balance(text):
    depth = 0
    for character in text:
        depth += {"{": 1, "}": -1}.get(character, 0)
        if depth < 0:
            return False
    return depth == 0


# The "Cite this" block


@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_each_record_page_has_a_cite_this_block_with_its_address_its_last_change_and_a_plain_citation(
    client, kind
):
    record, title = make_record(kind)
    changed_on(record, datetime.date(2024, 10, 18))
    address = f"http://testserver{record.get_absolute_url()}"

    response = client.get(record.get_absolute_url())

    assert response.status_code == 200
    block = re.search(r'<details class="cite-this">(.*?)</details>', html_of(response), re.S).group(1)
    assert f'<a href="{address}">{address}</a>' in block
    assert f'<link rel="canonical" href="{address}">' in html_of(response)
    genre = f"{kind.capitalize()} record"
    assert f"Cite this {genre.lower()}" in block
    assert "Last changed 18 October 2024" in unescape(block)
    assert (
        f"Diplo. “{title}.” {genre}, last changed 18 October 2024. {address} (accessed {today_in_words()})."
        in text_of(response)
    )
    assert f'href="{record.get_absolute_url()}cite.bib"' in block
    assert f'href="{record.get_absolute_url()}cite.json"' in block


def test_a_record_not_changed_since_it_was_loaded_says_when_it_was_loaded(archive, client):
    response = client.get(lammy_meets_wang_yi().get_absolute_url())

    assert f"David Lammy meets Wang Yi in Beijing.” Event record, as loaded on {today_in_words()}." in text_of(response)
    assert f"Last changed As loaded on {today_in_words()}" in text_of(response)


def test_saving_a_record_makes_its_page_say_it_was_last_changed_then(archive, client):
    event = lammy_meets_wang_yi()
    changed_on(event, datetime.date(2024, 1, 1))
    event.refresh_from_db()
    event.place = event.place  # an editor's save, whatever it changes

    event.save()

    assert f"Event record, last changed {today_in_words()}." in text_of(client.get(event.get_absolute_url()))


def test_a_change_saved_in_the_admin_is_the_last_change_its_page_gives(archive, client, editor):
    person = Person.objects.get(slug="david-lammy")
    changed_on(person, datetime.date(2024, 1, 1))
    url = reverse("admin:events_person_change", args=[person.pk])

    response = client.post(url, form_data(client.get(url)) | {"description": "Foreign Secretary."})

    assert response.status_code == 302
    assert f"last changed {today_in_words()}" in text_of(client.get(person.get_absolute_url()))


# The citation files


@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_each_record_offers_its_citation_as_a_bibtex_file_that_names_it_and_its_page(client, kind):
    record, title = make_record(kind)
    changed_on(record, datetime.date(2024, 10, 18))

    response = client.get(f"{record.get_absolute_url()}cite.bib")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    entry_type, key, fields = bibtex_fields(response.content.decode())
    assert response["Content-Disposition"] == f'attachment; filename="{key}.bib"'
    assert entry_type == "misc"
    assert key.startswith(f"diplo-{kind}-")
    assert fields["title"] == f"{{{title}}}"
    assert fields["author"] == "{Diplo}"
    assert fields["howpublished"] == f"{kind.capitalize()} record"
    assert fields["url"] == f"http://testserver{record.get_absolute_url()}"
    assert (fields["year"], fields["date"]) == ("2024", "2024-10-18")
    assert fields["urldate"] == timezone.localdate().isoformat()
    assert fields["note"] == "Last changed 18 October 2024"


def test_a_title_with_braces_and_tex_characters_leaves_the_bibtex_entry_whole(client):
    event = make_event("Talks {closed} on 5% tariffs & C$ trade_deals #1 \\ more")

    text = client.get(f"{event.get_absolute_url()}cite.bib").content.decode()

    _, _, fields = bibtex_fields(text)
    assert braces_balance(text)
    assert fields["title"] == (
        r"{Talks \textbraceleft{}closed\textbraceright{} on 5\% tariffs \& C\$ trade\_deals \#1 "
        r"\textbackslash{} more}"
    )


@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_each_record_offers_its_citation_as_csl_json_with_the_keys_reference_managers_need(client, kind):
    record, title = make_record(kind)
    changed_on(record, datetime.date(2024, 10, 18))

    response = client.get(f"{record.get_absolute_url()}cite.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    [item] = json.loads(response.content)
    assert response["Content-Disposition"] == f'attachment; filename="{item["id"]}.json"'
    assert item["id"].startswith(f"diplo-{kind}-")
    assert (item["type"], item["title"], item["genre"]) == ("webpage", title, f"{kind.capitalize()} record")
    assert item["URL"] == f"http://testserver{record.get_absolute_url()}"
    assert item["author"] == [{"literal": "Diplo"}]
    assert item["issued"] == {"date-parts": [[2024, 10, 18]]}
    today = timezone.localdate()
    assert item["accessed"] == {"date-parts": [[today.year, today.month, today.day]]}


def test_a_draft_or_missing_record_has_no_citation_file(client):
    draft = make_event("A draft", is_published=False)

    assert client.get(f"{draft.get_absolute_url()}cite.bib").status_code == 404
    assert client.get("/people/nobody/cite.json").status_code == 404
    assert client.get("/sanctions/999999/cite.bib").status_code == 404


def test_a_citation_file_in_another_format_is_not_found(client):
    event = make_event()

    assert client.get(f"{event.get_absolute_url()}cite.ris").status_code == 404


# JSON-LD


def test_an_event_page_describes_the_event_in_json_ld_with_its_date_place_topics_people_and_sources(client):
    topic = make_topic("Xinjiang")
    event = make_event(
        "Foreign Secretary meets Wang Yi", date="2024-10-18", place="Beijing", country="CN", topics=[topic]
    )
    host, visitor, mentioned = make_person("Wang Yi"), make_person("David Lammy"), make_organization("FCDO")
    take_part(event, host, Participation.Role.HOST)
    take_part(event, visitor, Participation.Role.VISITOR)
    take_part(event, mentioned, Participation.Role.MENTIONED)
    source = make_source(
        "Mr Lammy met Wang Yi in Beijing today.",
        title="Lammy meets Wang Yi",
        published="2024-10-18",
        outlet="The Independent",
        author="A Reporter",
        url="https://example.org/lammy",
    )
    cite(event, "Mr Lammy met Wang Yi", source)

    data = linked_data_of(client.get(event.get_absolute_url()))

    address = f"http://testserver{event.get_absolute_url()}"
    assert (data["@context"], data["@type"], data["name"]) == ("https://schema.org", "Event", event.title)
    assert (data["url"], data["@id"]) == (address, address)
    assert data["startDate"] == "2024-10-18"
    assert "endDate" not in data
    assert data["location"] == {
        "@type": "Place",
        "name": "Beijing",
        "address": {"@type": "PostalAddress", "addressCountry": "CN"},
    }
    assert [(each["@type"], each["name"]) for each in data["about"]] == [("Thing", "Xinjiang"), ("Organization", "FCDO")]
    assert [each["name"] for each in data["organizer"]] == ["Wang Yi"]
    assert [(each["@type"], each["name"]) for each in data["performer"]] == [("Person", "David Lammy")]
    [article] = data["citation"]
    assert article["@type"] == "NewsArticle"
    assert (article["headline"], article["author"], article["publisher"]["name"]) == (
        "Lammy meets Wang Yi",
        "A Reporter",
        "The Independent",
    )
    assert (article["datePublished"], article["url"]) == ("2024-10-18", "https://example.org/lammy")


@pytest.mark.parametrize(
    ("date", "start"),
    [
        ("2024-10", "2024-10"),
        ("2021", "2021"),
        (FuzzyDate(Precision.MONTH, datetime.date(2024, 10, 14), datetime.date(2024, 10, 16)), None),
        (FuzzyDate(Precision.UNKNOWN, None, datetime.date(2024, 10, 17)), None),
        (None, None),
    ],
    ids=["a month", "a year", "between two days", "by a day", "unknown"],
)
def test_an_event_s_json_ld_gives_its_date_only_as_precisely_as_it_is_known(client, date, start):
    event = make_event(date=date)

    data = linked_data_of(client.get(event.get_absolute_url()))

    assert data.get("startDate") == start
    assert "endDate" not in data


def test_a_hostile_title_cannot_end_the_json_ld_script_and_reads_back_the_same(client):
    title = '</script><script>alert("x")</script><!-- & more'
    event = make_event(title)

    response = client.get(event.get_absolute_url())

    assert html_of(response).lower().count("<script") == 1
    assert html_of(response).lower().count("</script>") == 1
    assert linked_data_of(response)["name"] == title


def test_a_person_page_describes_the_person_in_json_ld(client):
    person = make_person("Keir Starmer", honorific="Sir", aliases=["Sir Keir"], description="Prime Minister.")

    data = linked_data_of(client.get(person.get_absolute_url()))

    assert (data["@type"], data["name"], data["honorificPrefix"]) == ("Person", "Keir Starmer", "Sir")
    assert (data["alternateName"], data["description"]) == (["Sir Keir"], "Prime Minister.")
    assert "sameAs" not in data


def test_an_organization_page_describes_it_in_json_ld_with_its_parent(client):
    parent = make_organization("House of Commons")
    committee = make_organization("Foreign Affairs Committee", parent=parent, aliases=["FAC"])

    data = linked_data_of(client.get(committee.get_absolute_url()))

    assert (data["@type"], data["name"], data["alternateName"]) == ("Organization", "Foreign Affairs Committee", ["FAC"])
    assert data["parentOrganization"]["name"] == "House of Commons"
    assert data["parentOrganization"]["url"] == f"http://testserver{parent.get_absolute_url()}"


def test_a_source_page_describes_the_document_as_a_creative_work(client):
    letter = make_source(
        "The route launched on 31 January 2021.",
        title="Letter to Lord Alton",
        kind=Source.Kind.LETTER,
        published="2021-02",
        author="Foreign Office minister",
    )

    data = linked_data_of(client.get(letter.get_absolute_url()))

    address = f"http://testserver{letter.get_absolute_url()}"
    assert (data["@type"], data["headline"], data["author"]) == ("CreativeWork", "Letter to Lord Alton", "Foreign Office minister")
    assert data["datePublished"] == "2021-02"
    assert (data["url"], data["@id"]) == (address, address)  # no address of its own is known
    assert "publisher" not in data


def test_a_sanction_and_a_topic_page_each_describe_their_record_in_json_ld(client):
    target, topic = make_person("Tom Tugendhat"), make_topic("Hong Kong", description="The city.")
    sanction = make_sanction(target, imposed_by=make_organization("Chinese government"), measures="entry ban")

    sanction_data = linked_data_of(client.get(sanction.get_absolute_url()))
    topic_data = linked_data_of(client.get(topic.get_absolute_url()))

    assert (sanction_data["@type"], sanction_data["name"]) == ("Action", "Sanction by China on Tom Tugendhat")
    assert (sanction_data["agent"]["name"], sanction_data["object"]["name"]) == ("Chinese government", "Tom Tugendhat")
    assert sanction_data["description"] == "entry ban"
    assert (topic_data["@type"], topic_data["name"], topic_data["description"]) == ("DefinedTerm", "Hong Kong", "The city.")


def test_every_record_page_of_the_archive_has_json_ld_of_its_kind(archive, client):
    kinds = {
        "/events/david-lammy-meets-wang-yi/": "Event",
        "/people/david-lammy/": "Person",
        Organization.objects.order_by("pk").first().get_absolute_url(): "Organization",
        "/topics/human-rights/": "DefinedTerm",
    }
    for source in Source.objects.all():
        kinds[source.get_absolute_url()] = "NewsArticle" if source.kind == Source.Kind.NEWS_ARTICLE else "CreativeWork"
    for url, kind in kinds.items():
        assert linked_data_of(client.get(url))["@type"] == kind, url


# Identifiers in other databases


def test_an_editor_can_give_a_person_identifiers_in_other_databases(archive, client, editor):
    person = Person.objects.get(slug="david-lammy")
    url = reverse("admin:events_person_change", args=[person.pk])
    identifiers = {"wikidata_id": "Q1234", "opensanctions_id": "NK-ab12Cd34", "theyworkforyou_id": "10001", "parliament_id": "4000"}

    response = client.post(url, form_data(client.get(url)) | identifiers)

    assert response.status_code == 302
    person.refresh_from_db()
    assert [getattr(person, name) for name in identifiers] == list(identifiers.values())


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("wikidata_id", "1234", "Wikidata QID: give one such as Q1234, or leave it blank."),
        ("wikidata_id", "Q12x", "Wikidata QID: give one such as Q1234, or leave it blank."),
        ("opensanctions_id", "NK ab/12", "OpenSanctions ID: give one such as NK-ab12Cd34, or leave it blank."),
        ("theyworkforyou_id", "uk.org.publicwhip/person/10001", "TheyWorkForYou person ID: give one such as 10001"),
        ("parliament_id", "04000", "UK Parliament member ID: give one such as 4000, or leave it blank."),
    ],
)
def test_the_admin_refuses_an_identifier_in_the_wrong_form_and_saves_nothing(
    archive, client, editor, field, value, message
):
    organization = Organization.objects.order_by("pk").first()
    url = reverse("admin:events_organization_change", args=[organization.pk])

    response = client.post(url, form_data(client.get(url)) | {field: value, "description": "Changed."})

    assert response.status_code == 200
    assert message in text_of(response)
    organization.refresh_from_db()
    assert getattr(organization, field) == ""
    assert organization.description != "Changed."


@pytest.mark.parametrize("model", [Person, Organization])
def test_identifiers_show_as_links_marked_as_from_outside_the_documents_and_in_json_ld(client, model):
    actor = make_person("Someone") if model is Person else make_organization("Some body")
    model.objects.filter(pk=actor.pk).update(wikidata_id="Q42", theyworkforyou_id="10001", parliament_id="172")

    response = client.get(actor.get_absolute_url())

    html = html_of(response)
    wikidata = "https://www.wikidata.org/wiki/Q42"
    theyworkforyou = "https://www.theyworkforyou.com/mp/?p=10001"
    parliament = "https://members.parliament.uk/member/172/contact"
    for label, link, shown in [
        ("Wikidata QID", wikidata, "Q42"),
        ("TheyWorkForYou person ID", theyworkforyou, "10001"),
        ("UK Parliament member ID", parliament, "172"),
    ]:
        assert re.search(
            rf'<dt>{label}</dt><dd><a href="{re.escape(link.replace("&", "&amp;"))}">{shown}</a> '
            r'<a class="outside" href="#outside-note">not from the documents</a>\s*</dd>',
            html,
        ), label
    assert "OpenSanctions" not in text_of(response)
    assert "the seed documents do not give them. Here: Wikidata QID, TheyWorkForYou person ID, UK Parliament member ID." in text_of(response)
    assert linked_data_of(response)["sameAs"] == [wikidata, theyworkforyou, parliament]


def test_an_open_sanctions_identifier_links_to_its_entity(client):
    person = make_person("Someone")
    Person.objects.filter(pk=person.pk).update(opensanctions_id="NK-ab12Cd34")

    response = client.get(person.get_absolute_url())

    assert '<a href="https://www.opensanctions.org/entities/NK-ab12Cd34/">NK-ab12Cd34</a>' in html_of(response)


def test_no_one_in_the_archive_has_an_identifier_the_documents_cannot_justify(archive):
    for model in (Person, Organization):
        for record in model.objects.all():
            assert record.external_links() == [], record


# What it costs


@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_each_record_page_with_its_cite_block_and_json_ld_stays_within_ten_queries(
    client, django_assert_max_num_queries, kind
):
    record, _ = make_record(kind)
    if isinstance(record, Event):
        take_part(record, make_person("A speaker"))
        cite(record, "The Foreign Secretary met Wang Yi in Beijing")
    cache.clear()

    with django_assert_max_num_queries(10):
        assert client.get(record.get_absolute_url()).status_code == 200


def test_a_sanction_number_past_any_database_s_range_has_no_citation_file(client):
    assert client.get(f"/sanctions/{10**30}/cite.bib").status_code == 404
    assert client.get(f"/sanctions/{10**30}/").status_code == 404
