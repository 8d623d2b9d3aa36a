"""The read-only JSON API at /api/v1/: its schema, its agreement with the pages, its paging, its
errors, its throttle and its queries."""

import shutil
from urllib.parse import quote, urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from events.models import ClaimBasis, Event, Sanction

from .conftest import require
from .factories import (
    cite,
    claim,
    make_event,
    make_organization,
    make_person,
    make_sanction,
    make_topic,
    take_part,
)
from .helpers import titles
from .test_hostile_input import PROFILE, query_strings, slugs
from .test_page_quality import AXE, PHONE, VNU, axe_violations, nu_html_errors

pytestmark = pytest.mark.django_db

LISTS = ["events", "people", "organizations", "sanctions", "sources", "topics"]
# Each list's parameters: its FilterSet's, as the pages read them, and the API's paging.
PARAMETERS = {
    "events": ["actor", "date_from", "date_to", "date", "topic", "kind", "country", "q", "sort", "after", "before", "size"],
    "sanctions": ["imposing_country", "target", "status", "year", "after", "size"],
    "people": ["after", "size"],
    "organizations": ["after", "size"],
    "sources": ["after", "size"],
    "topics": ["after", "size"],
}


def api(client, path, **params):
    response = client.get(f"/api/v1/{path}?{urlencode(params)}" if params else f"/api/v1/{path}")
    assert response["Content-Type"] == "application/json", response.content[:200]
    return response


def walk(client, path, **params):
    """Every record of a list, following its `next` links from the first page; the ids in order."""
    response = api(client, path, **params)
    found = []
    while True:
        assert response.status_code == 200, response.json()
        body = response.json()
        found += [record["id"] for record in body["results"]]
        if not body["next"]:
            return found
        response = client.get(body["next"])


# The schema


def test_the_schema_is_valid_openapi_3_and_lists_every_endpoint(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for name in LISTS:
        assert f"/api/v1/{name}/" in paths
    assert {"/api/v1/events/{slug}/", "/api/v1/people/{slug}/", "/api/v1/organizations/{slug}/",
            "/api/v1/sanctions/{id}/", "/api/v1/sources/{slug}/", "/api/v1/topics/{slug}/"} <= paths


def test_the_schema_names_every_parameter_each_list_reads(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    for name, expected in PARAMETERS.items():
        given_names = {parameter["name"] for parameter in schema["paths"][f"/api/v1/{name}/"]["get"]["parameters"]}
        assert set(expected) <= given_names, name


def test_the_docs_page_serves_swagger_ui_from_the_site_itself(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/schema/" in html
    assert "https://" not in html  # nothing from a CDN, which the Content-Security-Policy would refuse
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_the_index_links_every_list(client):
    body = api(client, "").json()
    for name in LISTS:
        assert body[name] == f"http://testserver/api/v1/{name}/"


# The same as the pages


FILTERS = [
    {},
    {"topic": "human-rights"},
    {"actor": "Mr Lammy", "date_from": "2024"},
    {"date_from": "October 2024", "date_to": "October 2024"},
    {"date": "unknown", "sort": "oldest"},
    {"kind": "meeting", "country": "CN"},
    {"q": "Uyghur sanctioned"},
    {"q": '"forced labour"', "sort": "oldest"},
    {"actor": "Alicia Kerns"},
]


@pytest.mark.parametrize("filters", FILTERS, ids=[urlencode(filters) or "none" for filters in FILTERS])
def test_the_api_lists_the_events_the_timeline_shows_for_the_same_filters_in_its_order(archive, client, filters):
    page = client.get(f"/?{urlencode(filters)}", follow=True)
    assert page.status_code == 200
    body = api(client, "events/", **filters, size=100).json()
    assert [event["title"] for event in body["results"]] == titles(page)
    assert body["count"]["number"] == len(titles(page))


def test_an_event_only_maybe_in_the_date_range_says_what_is_known_of_its_date(archive, client):
    body = api(client, "events/", date_from="October 2024", date_to="October 2024", size=100).json()
    maybe = [event["may_be_outside_dates"] for event in body["results"] if event["may_be_outside_dates"]]
    assert "by 17 October 2024" in maybe


def test_a_date_range_says_how_many_events_with_no_known_date_it_leaves_out_and_links_to_them(archive, client):
    body = api(client, "events/", date_from="2024", topic="human-rights").json()
    undated = api(client, "events/", date="unknown", topic="human-rights").json()
    [left_out] = body["not_shown"]
    assert left_out["count"]["number"] == undated["count"]["number"] > 0
    assert client.get(left_out["url"]).json()["results"] == undated["results"]


def test_a_name_nobody_has_is_answered_with_the_closest_names(archive, client):
    body = api(client, "events/", actor="Davd Lammy").json()
    assert body["results"] == []
    assert body["actors"]["matched"] == []
    assert "David Lammy" in [actor["name"] for actor in body["actors"]["closest"]]


def test_the_sanctions_are_those_the_sanctions_page_lists_for_the_same_filters(archive, client):
    page = client.get("/sanctions/?imposing_country=CN&year=2021")
    body = api(client, "sanctions/", imposing_country="CN", year="2021", size=100).json()
    assert [sanction["id"] for sanction in body["results"]] == [sanction.pk for sanction in page.context["page"]]


def test_an_event_nests_its_participants_topics_citations_and_claim_bases(archive, client):
    event = Event.objects.filter(participations__claim_bases__isnull=False, is_published=True).first()
    body = api(client, f"events/{event.slug}/").json()
    assert body["title"] == event.title
    assert body["date"]["text"] == str(event.date)
    assert {topic["slug"] for topic in body["topics"]} == set(event.topics.values_list("slug", flat=True))
    assert [part["actor"]["name"] for part in body["participants"]] == [
        str(part.actor) for part in event.participations.all()
    ]
    assert any(basis["basis"] in ("inferred", "outside") for part in body["participants"] for basis in part["claim_bases"])
    assert [citation["quote"] for citation in body["citations"]] == list(
        event.citations.order_by("pk").values_list("quote", flat=True)
    )
    for citation in body["citations"]:
        assert citation["url"].startswith(f"http://testserver{citation['source']['url'].removeprefix('http://testserver')}#quote-")


def test_an_inferred_date_carries_its_reasoning_and_quotes(archive, client):
    basis = Event.objects.filter(claim_bases__claim="date", claim_bases__basis="inferred", is_published=True).first()
    body = api(client, f"events/{basis.slug}/").json()
    [date_claim] = [claim for claim in body["claim_bases"] if claim["claim"] == "date"]
    assert date_claim["basis"] == "inferred" and date_claim["reasoning"]
    assert date_claim["citations"] and all(citation["quote"] for citation in date_claim["citations"])


# Errors


def test_a_malformed_date_is_refused_with_the_timeline_forms_own_message(archive, client):
    page = client.get("/?date_from=2024-13-40")
    response = api(client, "events/", date_from="2024-13-40")
    assert response.status_code == 400
    assert response.json() == {"date_from": page.context["filterset"].form.errors["date_from"]}


def test_a_bad_page_size_or_place_is_refused_saying_what_to_give(client):
    assert api(client, "events/", size="1000").json() == {
        "size": ["The page size (?size=) should be a whole number from 1 to 100."]
    }
    assert api(client, "people/", after="x").status_code == 400
    assert "after" in api(client, "events/", after="x").json()


@pytest.mark.parametrize(
    "path", ["events/no-such-event/", "people/nobody/", "sanctions/999999/", "topics/no/", "nothing/", "events/%0A/"]
)
def test_an_unknown_record_or_address_is_a_404_in_json(client, path):
    response = api(client, path)
    assert response.status_code == 404
    assert response.json()["detail"]


def test_a_nul_character_is_refused_in_json(client):
    response = api(client, "events/", q="a\x00b")
    assert response.status_code == 400
    assert "NUL character" in response.json()["detail"]


def test_the_api_is_read_only(client):
    assert client.post("/api/v1/events/", {}).status_code == 405


@pytest.mark.parametrize("name", LISTS)
@hypothesis_settings(PROFILE)
@given(data=st.data())
def test_no_generated_query_breaks_a_list_of_the_api(archive, client, name, data):
    cache.clear()  # one test sends more requests than the throttle allows a minute
    pairs, tail = data.draw(query_strings(PARAMETERS[name]))
    response = client.get(f"/api/v1/{name}/?{urlencode(pairs)}{tail}")
    assert_answered_in_json(response)
    # 404 only for a page that was to start at a record no longer in the list.
    assert response.status_code != 404 or "start" in response.json()["detail"]


@hypothesis_settings(PROFILE)
@given(name=st.sampled_from(["events", "people", "organizations", "sanctions", "sources", "topics"]), slug=slugs)
def test_an_unknown_record_of_the_api_is_not_found_whatever_its_address(archive, client, name, slug):
    cache.clear()
    response = client.get(f"/api/v1/{name}/{quote(slug, safe='')}/")
    assert_answered_in_json(response)
    assert response.status_code in (400, 404)


def assert_answered_in_json(response):
    """Answered, never a server error, in JSON: what was sent may be in it as text (an error's message
    quotes the value), which no browser runs, as the type says JSON and nothing may guess another."""
    assert response.status_code in (200, 400, 404), response.status_code
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    response.json()


# Paging


@pytest.mark.parametrize(
    "path, params",
    [
        ("events/", {}),
        ("events/", {"sort": "oldest"}),
        ("events/", {"q": "sanctions"}),
        ("events/", {"date_from": "2021", "date_to": "2024-10"}),
        ("people/", {}),
        ("organizations/", {}),
        ("sanctions/", {}),
        ("sources/", {}),
        ("topics/", {}),
    ],
)
def test_next_links_walk_the_whole_list_without_gaps_or_repeats(archive, client, path, params):
    everything = [record["id"] for record in api(client, path, **params, size=100).json()["results"]]
    walked = walk(client, path, **params, size=3)
    assert walked == everything
    assert len(set(walked)) == len(walked) > 3


def test_previous_links_walk_the_events_back_to_the_first_page(archive, client):
    first = api(client, "events/", size=4).json()
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()
    assert back["results"] == first["results"]


@pytest.fixture
def sanctions_some_with_no_known_date(db):
    target = make_person("Someone Sanctioned")
    dated = [make_sanction(target, announced=f"202{year}") for year in range(5)]
    undated = [make_sanction(target, announced=None) for _ in range(4)]
    return dated + undated


def test_sanctions_with_no_known_date_come_last_and_are_walked_too(client, sanctions_some_with_no_known_date):
    walked = walk(client, "sanctions/", size=2)
    assert walked == [sanction.pk for sanction in sanctions_some_with_no_known_date]


# Only what the pages show


def test_drafts_are_invisible(client):
    person = make_person("Drafted Person")
    draft = make_event("A draft meeting", is_published=False)
    take_part(draft, person)
    sanction = make_sanction(person, is_published=False)
    announced = make_sanction(person, announced_in=draft)
    assert api(client, f"events/{draft.slug}/").status_code == 404
    assert api(client, f"sanctions/{sanction.pk}/").status_code == 404
    assert api(client, "events/").json()["results"] == []
    assert [record["id"] for record in api(client, "sanctions/").json()["results"]] == [announced.pk]
    assert api(client, f"sanctions/{announced.pk}/").json()["announced_in"] is None
    assert api(client, f"people/{person.slug}/").json()["event_count"] == 0


# Throttling


def test_an_address_past_the_rate_is_refused_with_429_and_others_are_not(client, settings):
    settings.DIPLO_API_RATE = "3/minute"
    for _ in range(3):
        assert api(client, "topics/").status_code == 200
    refused = api(client, "topics/")
    assert refused.status_code == 429
    assert "throttled" in refused.json()["detail"].lower()
    assert "Retry-After" in refused
    assert client.get("/api/v1/topics/", REMOTE_ADDR="192.0.2.7").status_code == 200


# Queries


def archive_of(count):
    """`count` events, each with a person, an organization, two topics, a citation and an inferred date."""
    topics = [make_topic("Human rights"), make_topic("Trade")]
    people = [make_person(f"Person {number}") for number in range(5)]
    organization = make_organization("A ministry")
    for number in range(count):
        event = make_event(f"Event {number}", date=f"20{10 + number % 14}-0{1 + number % 9}", topics=topics)
        take_part(event, people[number % 5])
        take_part(event, organization)
        quoted = cite(event, f"Something happened on day number {number}")
        claim(event, "date", citations=[quoted])
        # A few with no known date, listed after the rest: a page that reaches them reads them in one query more.
        make_sanction(people[number % 5], announced=None if number % 50 == 0 else "2021-03")


def queries_for(client, path):
    cache.clear()  # the cold cache: the topic tree and counts are read again
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return len(queries)


PATHS = [
    "events/", "events/?sort=oldest", "events/?topic={topic}&date_from=2015", "events/?actor=Person+1",
    "events/?q=happened", "people/", "organizations/", "sanctions/", "sanctions/?imposing_country=CN&year=2021",
    "sources/", "topics/",
]


def test_a_page_of_any_list_makes_at_most_ten_queries_whatever_its_size_and_the_archives(client):
    archive_of(105)
    small = {}
    for path in PATHS:
        path = path.format(topic=Event.objects.first().topics.first().slug)
        joiner = "&" if "?" in path else "?"
        counts = [queries_for(client, f"/api/v1/{path}{joiner}size={size}") for size in (10, 100)]
        assert counts[0] == counts[1] <= 10, (path, counts)
        small[path] = counts[0]
    archive_of(105)
    for path, count in small.items():
        joiner = "&" if "?" in path else "?"
        assert queries_for(client, f"/api/v1/{path}{joiner}size=100") == count, path


def test_a_record_makes_a_fixed_number_of_queries(client):
    archive_of(3)
    event = Event.objects.first()
    person = event.participations.exclude(person=None).first().person
    for path in [f"events/{event.slug}/", f"people/{person.slug}/", f"sanctions/{Sanction.objects.first().pk}/"]:
        assert queries_for(client, f"/api/v1/{path}") <= 10, path


@pytest.mark.slow
def test_the_docs_page_is_valid_html_by_the_nu_html_checker(client, tmp_path):
    require(shutil.which("java") and VNU.exists(), "Java and the Nu HTML Checker (npm vnu-jar)")
    file = tmp_path / "api-docs.html"
    file.write_bytes(client.get("/api/v1/docs/").content)
    assert nu_html_errors([str(file)]) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_the_docs_page_shows_every_list_under_the_sites_own_security_policy_and_passes_axe(site, playwright_browser):
    require(AXE.exists(), "axe-core (npm axe-core)")
    context = playwright_browser.new_context()  # the Content-Security-Policy enforced, as for a visitor
    page = context.new_page()
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    page.goto(site + "/api/v1/docs/")
    page.wait_for_selector(".opblock", timeout=30_000)
    shown = page.locator(".opblock-summary-path").all_inner_texts()
    for name in LISTS:
        assert any(path.replace("\u200b", "") == f"/api/v1/{name}/" for path in shown), name
    assert refused == []
    context.close()
    failures = []
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        context = playwright_browser.new_context(viewport=viewport, bypass_csp=True)  # axe is an inline script
        page = context.new_page()
        page.goto(site + "/api/v1/docs/")
        page.wait_for_selector(".opblock", timeout=30_000)
        failures += axe_violations(page, f"API docs at {viewport['width']}px")
        context.close()
    assert failures == []


def test_a_topic_counts_the_events_under_it_as_the_topic_list_does_and_says_when(archive, client):
    body = api(client, "topics/human-rights/").json()
    page = client.get("/topics/")
    listed = {node["topic"].slug: node["topic"] for node in page.context["tree"]}
    assert body["event_count"] == listed["human-rights"].event_count
    assert body["direct_count"] == listed["human-rights"].direct_count < body["event_count"]
    assert body["counted_at"]


def test_a_persons_and_an_organizations_identifiers_elsewhere_are_listed_as_from_outside_the_documents(client):
    person = make_person("David Lammy")
    person.wikidata_id, person.parliament_id = "Q1173288", "206"
    person.save()
    make_organization("Ministry of Foreign Affairs")

    listed = api(client, "people/").json()["results"][0]
    shown = api(client, f"people/{person.slug}/").json()
    organization = api(client, "organizations/").json()["results"][0]

    assert listed["external_identifiers"] == shown["external_identifiers"] == [
        {"database": "Wikidata QID", "identifier": "Q1173288", "url": "https://www.wikidata.org/wiki/Q1173288",
         "basis": "outside"},
        {"database": "UK Parliament member ID", "identifier": "206",
         "url": "https://members.parliament.uk/member/206/contact", "basis": "outside"},
    ]
    assert organization["external_identifiers"] == []


def test_a_sanction_gives_its_status_log_with_each_entrys_quote(archive, client):
    sanction = Sanction.objects.published().filter(status_log__isnull=False).first()

    body = api(client, f"sanctions/{sanction.pk}/").json()

    assert body["status"] == sanction.status
    assert [(entry["change"], entry["date"]["text"], entry["citation"]["quote"]) for entry in body["status_log"]] == [
        (entry.change, str(entry.date), entry.citation.quote) for entry in sanction.status_log_in_order()
    ]


def test_every_label_is_the_one_the_pages_give(archive, client):
    events = client.get("/api/v1/events/", {"size": 100}).json()["results"]
    sanctions = client.get("/api/v1/sanctions/", {"size": 100}).json()["results"]
    by_slug = {event.slug: event for event in Event.objects.prefetch_related("participations")}
    by_pk = {sanction.pk: sanction for sanction in Sanction.objects.prefetch_related("status_log")}

    for shown in events:
        event = by_slug[shown["slug"]]
        assert shown["kind_label"] == event.get_kind_display()
        parts = sorted(event.participations.all(), key=lambda part: (part.order, part.pk))
        assert [part["role_label"] for part in shown["participants"]] == [part.get_role_display() for part in parts]
        for basis in shown["claim_bases"]:
            assert basis["basis_label"] == ClaimBasis(basis=basis["basis"]).get_basis_display()
    for shown in sanctions:
        sanction = by_pk[shown["id"]]
        assert shown["status_label"] == sanction.get_status_display()
        assert [entry["change_label"] for entry in shown["status_log"]] == [
            entry.get_change_display() for entry in sanction.status_log_in_order()
        ]
    assert {part["role_label"] for shown in events for part in shown["participants"]} >= {"Speaker", "Author"}
    assert any(shown["claim_bases"] for shown in events)


def test_every_address_is_made_with_the_host_the_request_was_made_to(archive, client, settings):
    settings.ALLOWED_HOSTS = ["diplo.example"]
    body = client.get("/api/v1/events/", {"size": 5}, HTTP_HOST="diplo.example").json()
    event = body["results"][0]

    addresses = [event["url"], event["api_url"], *(part["actor"]["url"] for part in event["participants"])]
    addresses += [topic["url"] for topic in event["topics"]]
    assert addresses and all(address.startswith("http://diplo.example/") for address in addresses)
    assert event["api_url"] == f"http://diplo.example/api/v1/events/{event['slug']}/"
