"""The synthetic archive: the same for the same seed, shaped like a real one, and every rule kept."""

import hashlib
import html
import math
import re
from collections import Counter
from urllib.parse import quote_plus

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q
from django.test import Client

from events.dates import FuzzyDate, Precision
from events.filters import ActorField
from events.models import (
    Alias,
    Citation,
    Event,
    EventRelation,
    Office,
    Organization,
    Participation,
    Person,
    Sanction,
    SanctionResponse,
    Source,
    StatusChange,
    Topic,
)

from .conftest import KeptRecords

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EVENTS = 2_000
# The bound: a page's queries are a small constant, whatever N and the page size.
MAX_QUERIES = 10
MODELS = [Topic, Organization, Person, Alias, Office, Source, Event, Event.topics.through, Participation,
          EventRelation, Sanction, Citation, StatusChange]


def generate(events=EVENTS, **options):
    options.setdefault("seed", 7)
    call_command("generate_archive", events, verbosity=0, **options)


@pytest.fixture(scope="session")
def kept_generated(django_db_setup, django_db_blocker):
    yield from KeptRecords.fixture("kept_generated", generate, django_db_blocker)


@pytest.fixture
def generated(kept_generated, db):
    """The archive generate() makes, made once for the tests in a row that read it."""


def digest():
    """A fingerprint of every row of the archive's tables, primary keys included; not of when each
    record was made (`modified`), which is the time of the run, not the archive's content."""
    rows = hashlib.sha256()
    for model in MODELS:
        fields = [field.attname for field in model._meta.concrete_fields if field.attname != "modified"]
        for row in model.objects.order_by("pk").values_list(*fields):
            rows.update(repr(row).encode())
    return rows.hexdigest()


def test_the_same_seed_makes_the_same_archive_and_another_seed_a_different_one():
    generate(500, seed=3)
    first = digest()
    generate(500, seed=3, replace=True)
    assert digest() == first
    generate(500, seed=4, replace=True)
    assert digest() != first


def test_the_batch_size_changes_how_rows_are_written_not_which():
    generate(300, seed=5)
    first = digest()
    generate(300, seed=5, replace=True, batch_size=7)
    assert digest() == first


def test_it_refuses_a_database_that_already_holds_events(archive):
    with pytest.raises(CommandError, match="already holds 42 events.*--replace"):
        generate()
    assert not Event.objects.filter(slug__startswith="gen-").exists()


def test_replace_deletes_only_generated_records_and_keeps_the_real_archive(archive):
    real = {model: set(model.objects.values_list("pk", flat=True)) for model in MODELS}
    generate(300, replace=True)
    generate(200, replace=True)
    for model in MODELS:
        assert real[model] <= set(model.objects.values_list("pk", flat=True)), model
    assert Event.objects.count() == 42 + 200
    assert Topic.objects.count() == 16, "the real topic tree is used, not copied"
    call_command("verify_citations", verbosity=0)


def test_it_makes_about_as_many_of_each_record_as_asked(generated):
    assert Event.objects.count() == EVENTS
    assert Person.objects.count() == EVENTS // 20
    assert Organization.objects.count() == EVENTS // 100
    assert Source.objects.count() == EVENTS // 5
    assert Sanction.objects.count() == EVENTS // 50
    people = Person.objects.count()
    assert people <= Alias.objects.filter(person__isnull=False).count() <= 3 * people
    assert Office.objects.count() > 0
    assert 0 < Event.objects.filter(is_published=False).count() < EVENTS // 10
    assert Sanction.objects.filter(is_published=False).count() < EVENTS // 50 // 4


def test_every_person_has_one_to_three_aliases(generated):
    counts = Person.objects.annotate(n=Count("aliases")).values_list("n", flat=True)
    assert set(counts) <= {1, 2, 3}
    assert set(Alias.objects.values_list("kind", flat=True)) > {Alias.Kind.SHORT, Alias.Kind.FULL}


def test_generated_records_are_recognisable_by_their_slugs(generated):
    for model in (Event, Person, Organization, Source):
        assert not model.objects.exclude(slug__startswith="gen-").exists(), model


def test_the_topics_are_the_real_archives_tree(generated):
    tree = {(topic.slug, topic.name, topic.parent.slug if topic.parent else None) for topic in Topic.objects.all()}
    assert ("xinjiang", "Xinjiang and the Uighurs", "human-rights") in tree
    assert ("taiwan", "Taiwan", "security") in tree
    assert len(tree) == 16


def test_every_event_has_one_to_six_participants_and_one_to_three_citations(generated):
    counts = Event.objects.annotate(
        participant_count=Count("participations", distinct=True), citation_count=Count("citations", distinct=True)
    ).values_list("participant_count", "citation_count")
    participants, citations = zip(*counts, strict=True)
    assert set(participants) == {1, 2, 3, 4, 5, 6}
    assert set(citations) == {1, 2, 3}


def test_no_one_takes_part_twice_in_one_event_and_offices_belong_to_their_holder(generated):
    actors = Participation.objects.values_list("event", "person", "organization")
    assert len(set(actors)) == len(actors)
    with_office = Participation.objects.filter(office__isnull=False)
    assert with_office.exists()
    assert not with_office.exclude(office__person=F("person")).exists()


def test_every_quote_is_verbatim_in_its_source(generated):
    call_command("verify_citations", verbosity=0)
    assert not Sanction.objects.filter(citations=None).exists()
    assert not StatusChange.objects.exclude(citation__sanction=F("sanction")).exists()


def test_every_date_is_valid_and_every_precision_occurs(generated):
    dated = [(Event, "date"), (Source, "published"), (Sanction, "announced"), (StatusChange, "date"),
             (Office, "start"), (Office, "end")]
    for model, prefix in dated:
        for record in model.objects.all():
            date = FuzzyDate.of(record, prefix)
            assert date.errors() == {}, (model, record.pk, date)
            if date.is_known:
                assert 1950 <= date.earliest.year and date.latest.year <= 2026
    precisions = set(Event.objects.values_list("date_precision", flat=True))
    assert precisions == set(Precision.values)
    # "Earlier this week": a month-precision date that is narrower than its month.
    assert Event.objects.filter(date_precision=Precision.MONTH).exclude(date_earliest__day=1).exists()


def test_every_sanction_has_exactly_one_target_and_some_answer_others(generated):
    one_target = Q(target_person__isnull=False, target_organization__isnull=True) | Q(
        target_person__isnull=True, target_organization__isnull=False
    )
    assert Sanction.objects.filter(one_target).count() == Sanction.objects.count()
    responses = SanctionResponse.objects.select_related("sanction", "answers_sanction")
    assert responses.count() >= 5
    for response in responses:
        assert response.answers_sanction.imposing_country != response.sanction.imposing_country
    announced = Sanction.objects.filter(announced_in__isnull=False).select_related("announced_in")
    assert announced.exists()
    for sanction in announced:
        assert sanction.announced_in.kind == Event.Kind.SANCTION_ANNOUNCEMENT
        assert sanction.announced_in.date == sanction.announced


def test_a_few_actors_take_part_in_a_large_share_of_events(generated):
    per_actor = Counter(Participation.objects.values_list("person", "organization"))
    actors = Person.objects.count() + Organization.objects.count()
    top = sorted(per_actor.values(), reverse=True)[: math.ceil(actors / 100)]
    assert sum(top) >= 0.15 * sum(per_actor.values())
    busiest = per_actor.most_common(1)[0][1]
    assert busiest >= 0.10 * EVENTS
    # ... while the typical actor is in few.
    assert busiest >= 20 * sorted(per_actor.values())[len(per_actor) // 2]


def test_the_lists_answer_in_a_bounded_number_of_queries(generated, client, django_assert_max_num_queries):
    for url in ["/", "/people/", "/sanctions/", "/organizations/", "/sources/", "/topics/"]:
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(url)
        assert response.status_code == 200, url


def test_the_busiest_records_pages_answer_in_a_bounded_number_of_queries(
    generated, client, django_assert_max_num_queries
):
    busiest_person = Person.objects.annotate(n=Count("participations")).order_by("-n").first()
    busiest_source = Source.objects.annotate(n=Count("citations")).order_by("-n").first()
    answered = Sanction.objects.published().filter(responses__isnull=False).first()
    event = Event.objects.published().filter(sanctions__isnull=False).first()
    topic = Topic.objects.get(slug="human-rights")
    for record in (busiest_person, busiest_source, answered, event, topic):
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(record.get_absolute_url())
        assert response.status_code == 200, record


def benchmark_pages():
    """The page mix bench/run measures, chosen the same way: busiest and rarest person, a parent topic, ..."""
    people = Person.objects.annotate(n=Count("participations")).filter(n__gt=0)
    popular, rare = people.order_by("-n", "pk").first(), people.order_by("n", "pk").first()
    topic = Topic.objects.filter(children__isnull=False).first()
    country = Person.objects.exclude(country="").values_list("country", flat=True).first()
    middle = Event.objects.published().filter(date_earliest__isnull=False).order_by("date_earliest", "title", "pk")
    deep = middle[middle.count() // 2]
    word = Event.objects.published().first().title.split()[-1]
    event = Event.objects.published().annotate(n=Count("participations")).order_by("-n", "pk").first()
    source = Source.objects.annotate(n=Count("citations")).order_by("-n", "pk").first()
    organization = Organization.objects.annotate(n=Count("participations")).order_by("-n", "pk").first()
    sanction = Sanction.objects.published().annotate(n=Count("citations")).order_by("-n", "pk").first()
    child = Topic.objects.filter(parent__isnull=False).first()
    # Page 2 of the busiest person's events, from the first page's own link to it.
    first_page = Client().get(f"/?actor={popular.slug}").content.decode()
    [page_2] = re.findall(r'<a href="([^"]*)" rel="next"', first_page)
    return [
        "/" + html.unescape(page_2),
        f"/?actor={quote_plus(popular.name)}",
        f"/?topic={child.slug}",
        f"/?q={quote_plus(' '.join(Event.objects.published().first().title.split()[-2:]))}",
        "/?date_from=1990-01&date_to=1990-06&kind=meeting",
        organization.get_absolute_url(),
        sanction.get_absolute_url(),
        "/api/v1/events/",
        f"/api/v1/events/?actor={popular.slug}",
        f"/api/v1/events/?topic={topic.slug}",
        f"/api/v1/events/{event.slug}/",
        "/api/v1/people/",
        "/",
        f"/?after={deep.pk}",
        f"/?actor={popular.slug}",
        f"/?actor={rare.slug}",
        f"/?topic={topic.slug}",
        "/?date_from=1990-01&date_to=1990-06",
        "/?kind=meeting",
        f"/?country={country}",
        f"/?q={word}",
        f"/?actor={popular.slug}&topic={topic.slug}",
        f"/?date_from=2000&kind=meeting&country={country}",
        popular.get_absolute_url(),
        event.get_absolute_url(),
        source.get_absolute_url(),
        topic.get_absolute_url(),
        "/people/",
        "/organizations/",
        "/sources/",
        "/sanctions/",
        "/topics/",
    ]


# Searches for a form of a word the generated titles hold in another ("announces sanctions"), most relevant
# first and in date order, and for a word in half the summaries, past what a search ranks (paging.RANKED).
STEMMED_SEARCHES = ["/?q=sanctioned", "/?q=sanctioned&sort=oldest", "/?q=sources", "/?q=sources&sort=oldest"]


def test_ten_thousand_events_keep_every_rule_and_every_benchmarked_page_stays_within_ten_queries(
    client, django_assert_max_num_queries
):
    generate(10_000, seed=11)
    assert Event.objects.count() == 10_000
    call_command("verify_citations", verbosity=0)
    assert not Participation.objects.filter(person__isnull=True, organization__isnull=True).exists()
    assert SanctionResponse.objects.count() >= 20
    for url in benchmark_pages() + STEMMED_SEARCHES:
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(url)
        assert response.status_code == 200, url
        assert b"<ol class=\"events\">" in response.content or not url.startswith("/?"), url
    # A date filter with the bounds of unknown dates, each order, and deep into it both ways.
    bounded = Event.objects.published().filter(date_precision="unknown", date_latest__isnull=False).first()
    year = bounded.date_latest.year
    dated_filters = [f"/?date_from={year}", f"/?date_to={year}", f"/?date_from={year - 5}&date_to={year}"]
    for url in dated_filters + [f"{url}&sort=oldest" for url in dated_filters] + ["/?date=unknown"]:
        pages = [url]
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(url)
        assert response.status_code == 200, url
        assert "with no known date" in response.content.decode(), url
        if next_page := re.search(r'href="\?([^"]*)" rel="next"', response.content.decode()):
            pages.append("/?" + next_page.group(1).replace("&amp;", "&"))
            with django_assert_max_num_queries(MAX_QUERIES):
                response = client.get(pages[-1])
            assert response.status_code == 200, pages[-1]
            previous = re.search(r'href="\?([^"]*)" rel="prev"', response.content.decode()).group(1)
            with django_assert_max_num_queries(MAX_QUERIES):
                assert client.get("/?" + previous.replace("&amp;", "&")).status_code == 200


def test_a_name_nobody_has_or_several_have_answers_in_a_bounded_number_of_queries(
    generated, client, django_assert_max_num_queries
):
    # A word of several people's names that is no one's whole name or alias, as "David" is in the
    # five documents' archive.
    words = Counter(word for name in Person.objects.values_list("name", flat=True) for word in set(name.split()))
    shared = next(word for word, count in words.most_common() if 2 <= count <= 20 and ActorField().clean(word).several)
    misspelt = Person.objects.order_by("pk").first().name[:-1] + "q"
    for url in [
        f"/?actor={shared}",
        f"/?actor={shared}&kind=meeting",
        f"/sanctions/?target={shared}",
        "/?actor=Boris+Johnson",
        f"/?actor={misspelt}",
        f"/sanctions/?target={misspelt}",
    ]:
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(url)
        assert response.status_code == 200, url
        assert b'class="actor-matches"' in response.content, url
