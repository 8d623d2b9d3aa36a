"""Exports of every list (CSV, JSON, NDJSON) say exactly what the page does for the same filters,
stream in chunks of a fixed number of queries, and refuse a bad filter as the page does."""

import csv
import gc
import io
import json
import re
import weakref
from html import unescape
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from edtf import parse_edtf
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from events import exports
from events.dates import FuzzyDate, Precision
from events.models import ClaimBasis, Event, Person, Sanction, Source, StatusChange

from .factories import (
    cite,
    claim,
    make_event,
    make_office,
    make_person,
    make_topic,
    take_part,
)
from .helpers import html_of, text_of
from .test_hostile_input import PAGES, query_strings
from .test_hostile_input import PROFILE as HOSTILE

pytestmark = pytest.mark.django_db

FORMATS = ("csv", "json", "ndjson")


def content(response):
    return b"".join(response.streaming_content).decode()


def exported(client, path, format):
    """The records of an export, as a list of dicts (a CSV's rows as strings)."""
    response = client.get(path.replace(".FORMAT", f".{format}"))
    assert response.status_code == 200, content(response) if response.streaming else response.content
    text = content(response)
    if format == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    if format == "json":
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines()]


def export_links(response):
    """The page's download line: its text, and its links by label."""
    html = re.search(r'<p class="downloads">(.*?)</p>', html_of(response), re.S).group(1)
    links = {label: unescape(address) for address, label in re.findall(r'<a href="([^"]*)" download>([^<]*)</a>', html)}
    return unescape(re.sub(r"<[^>]+>", "", html)), links


def paths(records):
    """The pages' addresses of exported records, without the site's: what the page links."""
    return sorted(re.sub(r"^https?://[^/]+", "", record["url"]) for record in records)


@pytest.mark.parametrize(
    "query",
    [
        "topic=human-rights",
        "actor=Mr+Lammy",
        "date_from=October+2024&date_to=October+2024",
        "date=unknown",
        "q=sanctions",
        "kind=meeting&country=CN",
        "",
    ],
)
def test_every_format_of_the_timeline_export_holds_the_events_the_page_shows_for_the_same_filters(
    archive, client, query
):
    page = client.get(f"/?{query}")
    shown = sorted(event.get_absolute_url() for event in page.context["page"].events)
    assert not page.context["page"].next, "the archive's filtered timelines fit on one page"
    for format in FORMATS:
        assert paths(exported(client, f"/export/events.FORMAT?{query}", format)) == shown, format


def test_the_timeline_offers_its_export_with_its_filters_and_its_count(archive, client):
    page = client.get("/?topic=human-rights&after=1")
    count = len(client.get("/?topic=human-rights").context["page"].events)

    text, links = export_links(client.get("/?topic=human-rights"))

    assert text.startswith(f"Download these {count} events: CSV · JSON · NDJSON")
    assert links == {
        "CSV": "/export/events.csv?topic=human-rights",
        "JSON": "/export/events.json?topic=human-rights",
        "NDJSON": "/export/events.ndjson?topic=human-rights",
    }
    # A later page's link holds every page: the paging is left out.
    assert export_links(page)[1]["CSV"] == "/export/events.csv?topic=human-rights"


def test_a_count_that_is_only_a_bound_is_said_to_be_one(rf):
    from events.paging import Tally

    request = rf.get("/")
    assert exports.downloads(request, "events", Tally(1000, more=True)).what == "all of these events (more than 1,000)"


@pytest.mark.parametrize(
    ("page_path", "export_path", "listed"),
    [
        ("/people/", "/export/people.FORMAT", "page"),
        ("/people/?unnamed=1", "/export/people.FORMAT?unnamed=1", "page"),
        ("/organizations/", "/export/organizations.FORMAT", "page"),
        ("/organizations/?unnamed=1", "/export/organizations.FORMAT?unnamed=1", "page"),
        ("/sanctions/?imposing_country=CN&year=2021", "/export/sanctions.FORMAT?imposing_country=CN&year=2021", "page"),
        ("/sanctions/?target=David+Alton", "/export/sanctions.FORMAT?target=David+Alton", "page"),
        ("/sources/", "/export/sources.FORMAT", "page"),
    ],
)
def test_every_format_of_every_other_list_holds_the_records_the_page_lists(archive, client, page_path, export_path, listed):
    page = client.get(page_path)
    assert page.context["page"].paginator.num_pages == 1
    shown = sorted(record.get_absolute_url() for record in page.context[listed].object_list)
    assert shown, "a list with something in it"
    for format in FORMATS:
        assert paths(exported(client, export_path, format)) == shown, format
    text, links = export_links(page)
    assert f"these {len(shown)} " in text if len(shown) > 1 else "this one " in text
    assert links["CSV"] == export_path.replace(".FORMAT", ".csv")


def test_the_people_list_offers_those_not_named_apart(archive, client):
    page = client.get("/people/")
    downloads = re.findall(r'<p class="downloads">.*?</p>', html_of(page), re.S)
    assert len(downloads) == 2
    assert "/export/people.csv?unnamed=1" in downloads[1]
    named = exported(client, "/export/people.FORMAT", "json")
    assert all(person["named_in_documents"] for person in named)


def test_an_event_exports_its_participants_offices_topics_citations_and_claims(client, db):
    topic = make_topic("Human rights")
    lammy = make_person("David Lammy")
    office = make_office(lammy, "Foreign Secretary")
    event = make_event("Lammy raises Jimmy Lai", date=FuzzyDate(Precision.UNKNOWN, None, FuzzyDate.parse("2024-10-17").latest), topics=[topic], place="Beijing")
    participation = take_part(event, lammy, office=office)
    citation = cite(event, "The Foreign Secretary raised the case of Jimmy Lai.")
    claim(event, "place", basis="outside", outside_source="The FCDO's press release")
    claim(participation, "office", citations=[citation], reasoning="He was Foreign Secretary from July 2024.")

    [record] = exported(client, "/export/events.FORMAT", "json")

    assert record["title"] == "Lammy raises Jimmy Lai"
    assert record["date"] == {
        "text": "Date unknown (by 17 October 2024)",
        "precision": "unknown",
        "earliest": None,
        "latest": "2024-10-17",
        "edtf": "../2024-10-17",
        "edtf_note": "Only bounds are known: by 17 October 2024.",
    }
    [participant] = record["participants"]
    assert participant["name"] == "David Lammy" and participant["role"] == "speaker"
    assert participant["office"] == {"title": "Foreign Secretary", "organization": None}
    assert participant["claims"] == [
        {"claim": "office", "basis": "inferred", "reasoning": "He was Foreign Secretary from July 2024.", "outside_source": ""}
    ]
    assert [topic["name"] for topic in record["topics"]] == ["Human rights"]
    [quoted] = record["citations"]
    assert quoted["quote"] == "The Foreign Secretary raised the case of Jimmy Lai."
    assert quoted["source_url"].endswith(citation.source.get_absolute_url())
    assert quoted["quote_url"].endswith(f"#quote-{citation.pk}")
    assert record["claims"][0]["basis"] == ClaimBasis.Basis.OUTSIDE

    [row] = exported(client, "/export/events.FORMAT", "csv")
    assert row["participants"] == "David Lammy (speaker, Foreign Secretary)"
    assert row["date_edtf"] == "../2024-10-17"
    assert row["claims_not_stated"] == (
        "place: from outside the documents (The FCDO's press release); "
        "David Lammy's office: inferred (He was Foreign Secretary from July 2024.)"
    )
    assert row["topics"] == "Human rights" and row["place"] == "Beijing" and row["citations"] == "1"


@pytest.mark.parametrize(
    ("date", "edtf"),
    [
        (FuzzyDate.parse("18 October 2024"), "2024-10-18"),
        (FuzzyDate.parse("October 2024"), "2024-10"),
        (FuzzyDate.parse("2021"), "2021"),
        (FuzzyDate(Precision.MONTH, FuzzyDate.parse("2024-10-14").earliest, FuzzyDate.parse("2024-10-16").latest), "2024-10-14/2024-10-16"),
        (FuzzyDate(Precision.UNKNOWN, None, FuzzyDate.parse("2024-10-17").latest), "../2024-10-17"),
        (FuzzyDate(Precision.UNKNOWN, FuzzyDate.parse("2024-10-01").earliest, None), "2024-10-01/.."),
        (FuzzyDate(Precision.UNKNOWN, FuzzyDate.parse("2021-01-01").earliest, FuzzyDate.parse("2021-06-30").latest), "2021-01-01/2021-06-30"),
    ],
)
def test_each_shape_of_date_is_written_in_valid_edtf(date, edtf):
    assert date.edtf == edtf
    parse_edtf(edtf)


def test_a_date_nothing_is_known_of_has_no_edtf_and_a_note_saying_so():
    date = FuzzyDate(Precision.UNKNOWN)
    assert (date.edtf, date.edtf_note) == ("", "No date is known.")


def test_every_date_in_the_archive_exports_as_valid_edtf_or_says_why_not(archive, client):
    dates = [event["date"] for event in exported(client, "/export/events.FORMAT", "json")]
    sanctions = exported(client, "/export/sanctions.FORMAT", "json")
    dates += [sanction["announced"] for sanction in sanctions]
    dates += [entry["date"] for sanction in sanctions for entry in sanction["status_log"]]
    dates += [source["published"] for source in exported(client, "/export/sources.FORMAT", "json")]
    assert len(dates) == (
        Event.objects.published().count()
        + Sanction.objects.published().count()
        + StatusChange.objects.filter(sanction__is_published=True).count()
        + Source.objects.count()
    )
    for date in dates:
        if date["edtf"]:
            parse_edtf(date["edtf"])
        else:
            assert (date["earliest"], date["latest"], date["edtf_note"]) == (None, None, "No date is known.")
    shapes = {(date["precision"], date["edtf"].count("/"), ".." in date["edtf"]) for date in dates}
    # Days, months and years, and unknown dates with and without a bound, are all in the archive.
    assert {("day", 0, False), ("month", 0, False), ("year", 0, False), ("unknown", 1, True), ("unknown", 0, False)} <= shapes


@pytest.mark.parametrize(
    ("page", "export"),
    [
        ("/?date_from=2024-13-40", "/export/events.csv?date_from=2024-13-40"),
        ("/?q=the", "/export/events.json?q=the"),
        ("/?topic=no-such-topic", "/export/events.ndjson?topic=no-such-topic"),
        ("/sanctions/?year=21", "/export/sanctions.csv?year=21"),
        ("/people/?unnamed=yes", "/export/people.csv?unnamed=yes"),
    ],
)
def test_a_bad_filter_is_refused_by_the_export_with_the_message_the_page_gives(archive, client, page, export):
    on_page = client.get(page)
    response = client.get(export)
    assert on_page.status_code == response.status_code == 400
    message = unescape(re.search(r"</h1>\s*<p>(.*?)</p>", html_of(response), re.S).group(1)).strip()
    assert message in text_of(on_page)
    assert "site can’t understand" not in message, "the export says what was wrong, not only that something was"


@pytest.mark.parametrize("path", ["/export/events.xml", "/export/topics.csv", "/export/events.csv.csv"])
def test_an_export_that_does_not_exist_is_not_found(client, db, path):
    assert client.get(path).status_code == 404


def test_an_export_streams_as_a_download(archive, client):
    response = client.get("/export/events.csv?topic=taiwan")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="diplo-events.csv"'


def test_an_export_of_nothing_still_has_its_header(client, db):
    text = content(client.get("/export/events.csv"))
    assert text.startswith("id,url,title,kind,date,date_precision,")
    assert text.count("\n") == 1
    assert json.loads(content(client.get("/export/events.json"))) == []
    assert content(client.get("/export/events.ndjson")) == ""


def make_events(count, topic, person):
    for number in range(count):
        event = make_event(f"Event {number}", date="2024-10-18" if number % 2 else "2021", topics=[topic])
        participation = take_part(event, person)
        citation = cite(event, f"The minister said something on day {number}.")
        claim(participation, "role", citations=[citation])


def queries_of(client, path):
    cache.clear()  # counted as a first visit, the topic tree not yet kept
    with CaptureQueriesContext(connection) as queries:
        content(client.get(path))
    return len(queries)


def test_an_export_costs_the_same_queries_for_10_events_as_for_200(client, db):
    topic, person = make_topic("Trade"), make_person("Kemi Badenoch")
    make_events(10, topic, person)
    few = queries_of(client, "/export/events.json?topic=" + topic.slug)
    make_events(190, topic, person)
    many = queries_of(client, "/export/events.json?topic=" + topic.slug)
    assert few == many <= 10


def test_each_chunk_of_an_export_costs_the_same_queries(client, db, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 50)
    topic, person = make_topic("Trade"), make_person("Kemi Badenoch")
    counted = []
    for _ in range(3):
        make_events(50, topic, person)
        counted.append(queries_of(client, "/export/events.csv"))
    per_chunk = counted[1] - counted[0]
    assert counted[2] - counted[1] == per_chunk <= 10


def test_a_chunk_of_people_is_freed_once_written_though_each_alias_refers_back_to_its_person(db):
    # The cycle person -> aliases -> person kept every chunk until Python's rare full collection: a
    # million-event archive's people's export grew by 40 MB. Python's collector is off here, so only
    # what nothing refers to any more is freed.
    for number in range(4):
        make_person(f"Person {number}", aliases=[f"Alias {number}"])
    read = exports.chunks(Person.objects.all(), exports.ALIASES, size=2)
    first = next(read)
    assert [alias.name for alias in first[0].aliases.all()] == ["Alias 0"]
    kept = [weakref.ref(person) for person in first]
    del first
    gc.disable()
    try:
        next(read)
        assert [ref() for ref in kept] == [None, None]
    finally:
        gc.enable()


def test_people_and_sources_exports_read_a_fixed_number_of_queries(archive, client):
    for listing in ("people", "organizations", "sanctions", "sources"):
        assert queries_of(client, f"/export/{listing}.json") <= 10, listing


def test_a_draft_is_in_no_export(archive, client):
    draft = make_event("A draft not to be published", is_published=False)
    assert draft.get_absolute_url() not in paths(exported(client, "/export/events.FORMAT", "json"))
    assert Person.objects.exists()


@pytest.mark.parametrize(
    ("listing", "page"),
    [
        ("events", "/"),
        # The other lists read few parameters, and the lists' own tests try them: here, in the slow lane.
        pytest.param("sanctions", "/sanctions/", marks=pytest.mark.slow),
        pytest.param("people", "/people/", marks=pytest.mark.slow),
        pytest.param("sources", "/sources/", marks=pytest.mark.slow),
    ],
)
@hypothesis_settings(HOSTILE)
@given(data=st.data())
def test_no_generated_query_breaks_an_export(archive, client, listing, page, data):
    pairs, tail = data.draw(query_strings([*PAGES[page], "unnamed", "after", "before"]))
    response = client.get(f"/export/{listing}.ndjson?{urlencode(pairs)}{tail}")
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 200:
        for line in content(response).splitlines():
            json.loads(line)


def test_a_sanctions_status_log_is_exported_with_each_changes_date_and_quote(archive, client):
    sanction = Sanction.objects.published().exclude(status_log=None).first()

    record = next(row for row in exported(client, "/export/sanctions.FORMAT", "json") if row["id"] == sanction.pk)
    row = next(row for row in exported(client, "/export/sanctions.FORMAT", "csv") if row["id"] == str(sanction.pk))

    log = sanction.status_log_in_order()
    assert [(entry["change"], entry["date"]["text"], entry["citation"]["quote"]) for entry in record["status_log"]] == [
        (entry.change, str(entry.date), entry.citation.quote) for entry in log
    ]
    assert row["status_log"] == "; ".join(f"{entry.change} ({entry.date})" for entry in log)


def test_identifiers_in_other_databases_are_exported_marked_as_from_outside_the_documents(archive, client):
    person = Person.objects.get(slug="david-lammy")
    person.wikidata_id = "Q1173288"
    person.save()

    record = next(row for row in exported(client, "/export/people.FORMAT", "json") if row["id"] == person.pk)
    row = next(row for row in exported(client, "/export/people.FORMAT", "csv") if row["id"] == str(person.pk))

    assert record["external_identifiers"] == [
        {"database": "Wikidata QID", "identifier": "Q1173288", "url": "https://www.wikidata.org/wiki/Q1173288",
         "basis": "outside"}
    ]
    assert row["external_identifiers"] == "Wikidata QID Q1173288 (outside the documents)"


def test_a_text_a_spreadsheet_would_run_as_a_formula_is_exported_to_csv_as_text_and_to_json_exactly(client, db):
    make_event("=HYPERLINK(\"http://example.com\",\"Click\")")

    row = exported(client, "/export/events.FORMAT", "csv")[0]
    record = exported(client, "/export/events.FORMAT", "json")[0]

    assert row["title"] == "'=HYPERLINK(\"http://example.com\",\"Click\")"
    assert record["title"] == "=HYPERLINK(\"http://example.com\",\"Click\")"
