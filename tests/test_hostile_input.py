"""Hostile input: generated values in every GET parameter of every public page, and records
whose text is markup. Never a server error; nothing a visitor or an editor typed is ever
shown as markup.

A normal run sends a few hundred generated requests. DIPLO_STRESS=1 sends twenty times as many:

    DIPLO_STRESS=1 bin/test tests/test_hostile_input.py
"""

import operator
import os
import re
from urllib.parse import quote, urlencode

import pytest
from django.utils.html import escape
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

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
from .helpers import without_linked_data

pytestmark = pytest.mark.django_db

# One request per example. The stress profile gives the nine generated tests below
# 9 × 1,200 = 10,800 requests between them (normal: 9 × 60 = 540).
settings.register_profile(
    "diplo-normal",
    max_examples=60,
    deadline=None,
    database=None,  # no .hypothesis folder in the checkout; a failure prints its example instead
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("diplo-stress", settings.get_profile("diplo-normal"), max_examples=1200)
PROFILE = settings.get_profile("diplo-stress" if os.environ.get("DIPLO_STRESS") == "1" else "diplo-normal")

# Each page's GET parameters, as its filter form and pagination read them.
PAGES = {
    "/": ["actor", "date_from", "date_to", "date", "topic", "kind", "country", "q", "sort", "page"],
    "/sanctions/": ["imposing_country", "target", "status", "year", "page"],
    "/people/": ["page"],
    "/organizations/": ["page"],
    "/sources/": ["page"],
    "/topics/": ["page"],
    "/topics/human-rights/": ["page"],
}
DETAIL_PREFIXES = ["/events/", "/people/", "/organizations/", "/sources/", "/topics/", "/sanctions/"]

# No template has any of these tags (but the timeline chart's own <svg>s, OWN_SVG), so one in a page
# can only be input shown raw.
FOREIGN_TAGS = ["<script", "<img", "<svg", "<iframe", "<style", "<object", "<embed"]
OWN_SVG = re.compile(r'<svg class="(?:chart|key-swatch)" ')
# Markup that a page would run if it showed it raw; {} is a generated token, so each is told apart.
INJECTIONS = [
    "<script>alert({})</script>",
    '"><img src=x onerror=alert({})>',
    "'><svg onload=alert({})>",
    '" autofocus onfocus="alert({})',
    "' autofocus onfocus='alert({})",
    "</textarea></option></select><script>{}</script>",
    "<!--{}-->",
    "javascript:alert({})//<style>",
]
FRAGMENTS = [
    "' OR '1'='1",
    "1; DROP TABLE events_event; --",
    "') UNION SELECT password FROM auth_user --",
    "%",
    "_",
    "\\",
    "%00",
    "%%",
    "../../../../etc/passwd",
    "{{ 7|add:7 }}",
    "{% debug %}",
    "${jndi:ldap://127.0.0.1/x}",
    "\u202egnp.exe",
    "\ufeff",
    "\u200b",
    "ǅ",
    "ﬀ",
    "日本語",
    "𝕏",
    "NaN",
    "Infinity",
    "1e309",
    "0x10",
    "-0",
    "+1",
    "1_000",
    "١٢",
    "１２",
    " ",
    "",
]
# Values that pass validation, so queries run with hostile values beside them.
PLAUSIBLE = ["human-rights", "meeting", "CN", "GB", "active", "2021", "2024-10", "David Lammy", "Mr Lammy", "1", "2"]
IMPOSSIBLE_DATES = [
    "2024-02-30",
    "2023-02-29",
    "2024-13",
    "2024-00",
    "0000",
    "0000-01-01",
    "9999-12-32",
    "10000",
    "-2024",
    "2024-1-1",
    "2024/01/01",
    "2024-01-01T00:00",
    " 2024 ",
    "２０２４",
]
# Raw endings for a query string that urlencode would never produce.
RAW_TAILS = ["", "&", "&&=", "&=x", "&%", "&q=%zz", "&q=%C0%AF", "&q=%FF%FE", "&page=%ED%A0%80", "&;=;", "&a=b=c"]

without_surrogates = st.characters(exclude_categories=["Cs"])
any_text = st.text(without_surrogates, max_size=40)
control_characters = st.text(st.characters(max_codepoint=0x1F) | st.sampled_from("\x7f\x85\u2028\u2029"), min_size=1)
very_long = st.builds(
    operator.mul, st.sampled_from(["x", "<", "9", "a b ", "é", "\x00", "%", "'"]), st.integers(300, 20_000)
)
dates = st.one_of(
    st.sampled_from(IMPOSSIBLE_DATES),
    st.builds("{}-{:02d}-{:02d}".format, st.integers(-1, 99_999), st.integers(-1, 99), st.integers(-1, 99)),
    st.builds("{}-{}".format, st.integers(-1, 99_999), st.integers(-1, 99)),
)
numbers = st.integers(-(10**40), 10**40).map(str)
injections = st.builds(str.format, st.sampled_from(INJECTIONS), st.from_regex(r"[a-z]{6}", fullmatch=True))
single_values = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.sampled_from(PLAUSIBLE),
    injections,
    any_text,
    control_characters,
    very_long,
    dates,
    numbers,
)
values = st.one_of(single_values, st.builds(operator.add, single_values, single_values))


def query_strings(keys):
    """Several key=value pairs, keys often repeated, now and then a key nobody reads or a malformed ending."""
    key = st.sampled_from(keys) | st.sampled_from(keys) | any_text
    return st.tuples(st.lists(st.tuples(key, values), max_size=6), st.sampled_from(RAW_TAILS))


def assert_handled_and_nothing_shown_raw(response, sent):
    event(f"answered {response.status_code}")  # the mix shows with --hypothesis-show-statistics
    assert response.status_code in (200, 400, 404), response.status_code
    body = response.content.decode("utf-8", "replace")
    lower = OWN_SVG.sub("", without_linked_data(body)).lower()
    for tag in FOREIGN_TAGS:
        assert tag not in lower, f"{tag} in the page for {sent!r}"
    for value in sent:
        for template in INJECTIONS:
            raw = template.split("{}")[0]
            if raw in value and len(raw) > 4:
                assert value not in body, f"{value!r} is shown raw"


@settings(PROFILE)
@given(query=query_strings(PAGES["/"]))
def test_no_generated_query_breaks_the_timeline_or_is_shown_raw(archive, client, query):
    check_page(client, "/", query)


@settings(PROFILE)
@given(query=query_strings(PAGES["/sanctions/"]))
def test_no_generated_query_breaks_the_sanctions_list_or_is_shown_raw(archive, client, query):
    check_page(client, "/sanctions/", query)


@pytest.mark.parametrize("path", ["/people/", "/organizations/", "/sources/", "/topics/", "/topics/human-rights/"])
@settings(PROFILE)
@given(data=st.data())
def test_no_generated_query_breaks_a_list_or_is_shown_raw(archive, client, path, data):
    check_page(client, path, data.draw(query_strings(PAGES[path])))


def check_page(client, path, query):
    pairs, tail = query
    # A list's address is put in its canonical form once, at most: never a loop.
    response = client.get(f"{path}?{urlencode(pairs)}{tail}", follow=True)
    assert len(response.redirect_chain) <= 1, response.redirect_chain
    assert_handled_and_nothing_shown_raw(response, [text for pair in pairs for text in pair])


slugs = st.one_of(
    any_text,
    very_long,
    injections,
    numbers,
    st.from_regex(r"[-a-zA-Z0-9_]{1,400}", fullmatch=True),
    st.sampled_from(["..", ".", "%2e%2e", "-", "_", "0", "00", "human-rights\x00"]),
)


@settings(PROFILE)
@given(prefix=st.sampled_from(DETAIL_PREFIXES), slug=slugs, query=query_strings(["page", "q"]))
def test_an_unknown_record_is_not_found_whatever_its_address(archive, client, prefix, slug, query):
    pairs, tail = query
    response = client.get(f"{prefix}{quote(slug, safe='')}/?{urlencode(pairs)}{tail}")
    assert_handled_and_nothing_shown_raw(response, [slug, *(text for pair in pairs for text in pair)])


@pytest.mark.parametrize("path", ["/", "/sanctions/", "/people/", "/admin/login/", "/admin/autocomplete/"])
def test_a_nul_character_anywhere_in_the_query_is_a_bad_request_saying_why(archive, client, path):
    autocomplete = "term=%00&app_label=events&model_name=event&field_name=topics"
    for query in ["q=a%00b", "%00=1", "page=1&page=%00", autocomplete]:
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400
        assert "NUL character" in response.content.decode()


def test_a_nul_character_in_the_path_is_a_bad_request(archive, client):
    assert client.get("/events/a%00b/").status_code == 400


# Records whose text is markup: an editor's slip, or a hostile source, must never run.

MARKUP = '<script>alert("{}")</script>'


def markup(field):
    return MARKUP.format(field)


def shown_escaped(field):
    return escape(markup(field))


@pytest.fixture
def records_of_markup(db):
    topic = make_topic(markup("topic name"), slug="markup-topic")
    person = make_person(markup("person name"), slug="markup-person")
    organization = make_organization(markup("organization name"), slug="markup-organization")
    event = make_event(
        markup("event title"), slug="markup-event", summary=markup("event summary"), topics=[topic], date="2024-10-18"
    )
    take_part(event, person)
    take_part(event, organization)
    quote_text = markup("citation quote")
    source = make_source(
        f"An opening line.\n\n{markup('source text')} Then {quote_text} was said.",
        title=markup("source title"),
        slug="markup-source",
    )
    cite(event, quote_text, source)
    sanction = make_sanction(person, reason=markup("sanction reason"), announced="2024-10")
    cite(sanction, quote_text, source)
    return {"event": event, "person": person, "organization": organization, "sanction": sanction}


def test_records_whose_text_is_markup_are_shown_escaped_on_every_page_that_shows_them(records_of_markup, client):
    sanction_url = records_of_markup["sanction"].get_absolute_url()
    person_filter = target_filter = quote(markup("person name"))
    everyone = ["event title", "person name", "organization name", "topic name"]
    cited = ["citation quote", "source title"]
    expected = {
        "/": everyone,
        f"/?actor={person_filter}": everyone,
        "/?topic=markup-topic&q=alert": everyone,
        "/events/markup-event/": [*everyone, "event summary", *cited],
        "/people/": ["person name"],
        "/people/markup-person/": ["person name", "event title", *cited],
        "/organizations/": ["organization name"],
        "/organizations/markup-organization/": ["organization name", "event title"],
        "/sanctions/": ["person name"],
        f"/sanctions/?target={target_filter}": ["person name"],
        sanction_url: ["person name", "sanction reason", *cited],
        "/sources/": ["source title"],
        "/sources/markup-source/": ["source title", "source text", "citation quote", "event title", "person name"],
        "/topics/": ["topic name"],
        "/topics/markup-topic/": everyone,
    }
    for url, fields in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "<script" not in without_linked_data(body).lower(), url
        for field in fields:
            assert shown_escaped(field) in body, f"{field} on {url}"
