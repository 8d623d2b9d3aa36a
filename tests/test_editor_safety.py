"""What an editor's ordinary action, or a stale value in the cache, must not do to the archive:
make a loop of topics, organizations or sanctions (issue 15, finding 1), store dates that
contradict each other or no diplomatic archive could hold (8), count a draft's quotes on a public
page (13), or turn a wrongly shaped cached value into a 500 (15)."""

import contextlib
import datetime
import signal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse

from events import caching, models, paging
from events.dates import FuzzyDate
from events.models import (
    MAX_TREE_DEPTH,
    Sanction,
    SanctionResponse,
    Source,
    StatusChange,
    Topic,
)

from .factories import (
    answer,
    cite,
    make_event,
    make_office,
    make_organization,
    make_person,
    make_sanction,
    make_source,
    make_topic,
)
from .helpers import form_data, text_of

pytestmark = pytest.mark.django_db

# A page that takes longer than this is taken as hanging: with a loop in the topic tree, the
# topic page used to walk it until the worker was killed.
PAGE_SECONDS = 5


@contextlib.contextmanager
def within(seconds):
    """Fails what runs inside if it takes longer than `seconds`, instead of letting it run forever."""

    def too_slow(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def validation_messages(record, field):
    with pytest.raises(ValidationError) as refused:
        record.full_clean()
    return refused.value.message_dict.get(field, [])


def store_loop(*records, link="parent"):
    """Make each record the parent (the `link`) of the one after it, and the last the parent of
    the first, past every check but the database's own (as bad data stored before them would be).

    PostgreSQL's trigger, which refuses such a loop, is switched off for the test's transaction
    (after the checks of the rows written so far, which PostgreSQL will not leave pending across it).
    """
    model = type(records[0])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {model._meta.db_table} DISABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for child, parent in zip(records, records[-1:] + records[:-1], strict=True):
        model.objects.filter(pk=child.pk).update(**{link: parent})


# 1. Loops in the topic and organization trees


def test_a_topic_cannot_be_its_own_parent():
    topic = make_topic("Human rights")
    topic.parent = topic
    assert validation_messages(topic, "parent") == [
        "Choosing Human rights as the parent would make a loop: Human rights → Human rights."
    ]


def test_a_topic_cannot_be_put_under_a_topic_below_it():
    rights = make_topic("Human rights")
    xinjiang = make_topic("Xinjiang", parent=rights)
    camps = make_topic("Camps", parent=xinjiang)
    rights.parent = camps
    assert validation_messages(rights, "parent") == [
        "Choosing Camps as the parent would make a loop: Human rights → Camps → Xinjiang → Human rights."
    ]


def test_a_topic_may_move_anywhere_that_makes_no_loop():
    rights, trade = make_topic("Human rights"), make_topic("Trade")
    xinjiang = make_topic("Xinjiang", parent=rights)
    xinjiang.parent = trade
    xinjiang.full_clean()
    trade.parent = rights
    trade.full_clean()


def test_an_organization_cannot_be_its_own_parent_or_sit_under_its_own_child():
    government = make_organization("HM Government")
    office = make_organization("Foreign Office", parent=government)
    government.parent = government
    assert validation_messages(government, "parent") == [
        "Choosing HM Government as the parent would make a loop: HM Government → HM Government."
    ]
    government.parent = office
    assert validation_messages(government, "parent") == [
        "Choosing Foreign Office as the parent would make a loop: HM Government → Foreign Office → HM Government."
    ]


def test_a_topic_under_a_loop_already_stored_is_refused_with_the_loop_named():
    first, second = make_topic("First"), make_topic("Second")
    store_loop(first, second)
    newcomer = make_topic("Newcomer")
    newcomer.parent = first
    assert validation_messages(newcomer, "parent") == [
        "First is in or under a loop already (First → Second → First): "
        "choose another parent, or mend the loop first."
    ]


def test_the_admin_shows_a_topic_loop_beside_the_parent_field_and_saves_nothing(editor, client):
    rights = make_topic("Human rights")
    xinjiang = make_topic("Xinjiang", parent=rights)
    url = reverse("admin:events_topic_change", args=[rights.pk])
    data = form_data(client.get(url)) | {"parent": str(xinjiang.pk)}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"] == [
        "Choosing Xinjiang as the parent would make a loop: Human rights → Xinjiang → Human rights."
    ]
    rights.refresh_from_db()
    assert rights.parent is None


def test_the_admin_shows_an_organization_loop_beside_the_parent_field_and_saves_nothing(editor, client):
    government = make_organization("HM Government")
    url = reverse("admin:events_organization_change", args=[government.pk])
    data = form_data(client.get(url)) | {"parent": str(government.pk)}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"] == [
        "Choosing HM Government as the parent would make a loop: HM Government → HM Government."
    ]
    government.refresh_from_db()
    assert government.parent is None


@pytest.mark.parametrize("make", [make_topic, make_organization])
def test_the_database_refuses_a_record_that_is_its_own_parent(make):
    record = make()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(record).objects.filter(pk=record.pk).update(parent=F("pk"))


@pytest.mark.parametrize("make", [make_topic, make_organization])
def test_on_postgresql_the_database_refuses_any_loop(make):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite cannot walk a tree in a trigger; its check refuses a record that is its own parent")
    top = make("Top")
    middle = make("Middle", parent=top)
    bottom = make("Bottom", parent=middle)
    with pytest.raises(IntegrityError, match="loop"), transaction.atomic():
        type(top).objects.filter(pk=top.pk).update(parent=bottom)
    type(bottom).objects.filter(pk=bottom.pk).update(parent=top)  # no loop: still allowed


def names_in_tree(nodes):
    """The topics' names in the order the topic list shows them."""
    return [name for node in nodes for name in [node["topic"].name, *names_in_tree(node["children"])]]


def test_a_loop_stored_in_the_topic_tree_leaves_every_page_quick_and_whole(client):
    rights = make_topic("Human rights")
    xinjiang = make_topic("Xinjiang", parent=rights)
    tibet = make_topic("Tibet", parent=xinjiang)
    trade = make_topic("Trade")
    make_event("Sanctions over Xinjiang", topics=[xinjiang])
    make_event("A trade talk", topics=[trade])
    store_loop(rights, xinjiang)
    with within(PAGE_SECONDS):
        topic_page = client.get(reverse("topic_detail", args=[rights.slug]))
        topic_list = client.get(reverse("topic_list"))
        timeline = client.get(reverse("timeline"), {"topic": rights.slug})
    assert topic_page.status_code == topic_list.status_code == timeline.status_code == 200
    assert "Sanctions over Xinjiang" in text_of(topic_page)
    assert names_in_tree(topic_list.context["tree"]) == ["Trade", "Human rights", "Xinjiang", "Tibet"]
    assert "Sanctions over Xinjiang" in text_of(timeline)
    assert "A trade talk" not in text_of(timeline)
    menu = [slug for slug, _ in timeline.context["filterset"].filters["topic"].extra["choices"]]
    assert sorted(menu) == sorted(topic.slug for topic in (rights, xinjiang, tibet, trade))


def test_a_topic_below_a_loop_finds_each_topic_once():
    first, second, third = make_topic("First"), make_topic("Second"), make_topic("Third")
    below = make_topic("Below", parent=third)
    store_loop(first, second, third)
    with within(PAGE_SECONDS):
        family = Topic.objects.get(pk=first.pk).with_descendants()
        in_order = Topic.objects.in_tree_order()
    assert sorted(topic.name for topic in family) == ["Below", "First", "Second", "Third"]
    assert sorted(topic.pk for topic in in_order) == sorted([first.pk, second.pk, third.pk, below.pk])


def test_a_chain_of_topics_stored_deeper_than_any_tree_should_be_still_shows_on_the_topic_list(client):
    parent = None
    for number in range(300):
        parent = make_topic(f"Level {number}", parent=parent)
    with within(PAGE_SECONDS):
        response = client.get(reverse("topic_list"))
    assert response.status_code == 200
    assert "Level 299" in text_of(response)


def test_a_topic_may_not_be_put_deeper_than_the_bound():
    parent = None
    for number in range(MAX_TREE_DEPTH):
        parent = make_topic(f"Level {number}", parent=parent)
    too_deep = make_topic("Too deep")
    too_deep.parent = parent
    assert validation_messages(too_deep, "parent") == [
        f"Under Level {MAX_TREE_DEPTH - 1}, Too deep would be more than {MAX_TREE_DEPTH} levels deep."
    ]


# 8. Dates and links that contradict each other


def test_an_office_that_ends_before_it_starts_is_refused_beside_its_end():
    office = make_office(make_person(), start="2024-07-05", end="2024-07-04")
    assert validation_messages(office, "end_earliest") == ["The office cannot end before it starts (5 July 2024)."]


def test_an_office_whose_end_may_be_the_day_it_starts_is_accepted():
    make_office(make_person(), start="2024-07-05", end="2024-07").full_clean()
    make_office(make_person(), start="2024-07", end="2024-07-01").full_clean()


def test_a_sanction_lifted_before_it_was_announced_is_refused_beside_its_lifted_date():
    sanction = make_sanction(make_person(), announced="2021-03-26")
    lifted = StatusChange(
        sanction=sanction, change=StatusChange.Change.LIFTED, citation=sanction.citations.first(),
        **FuzzyDate.parse("2020").as_fields("date"),
    )
    assert validation_messages(lifted, "date_earliest") == [
        "A sanction's status cannot change before it was announced (26 March 2021)."
    ]


def test_an_unknown_end_known_only_to_come_before_the_start_is_refused_beside_its_latest_day():
    office = make_office(make_person(), start="2024-07-05")
    office.end = FuzzyDate("unknown", None, datetime.date(2023, 12, 31))
    assert validation_messages(office, "end_latest") == ["The office cannot end before it starts (5 July 2024)."]


def next_year():
    return datetime.date.today().year + 1


@pytest.mark.parametrize("text", ["0001", "1799-12-31", "9999", str(next_year() + 1)])
def test_a_date_outside_what_a_diplomatic_archive_can_hold_is_refused(text):
    assert FuzzyDate.parse(text).errors() == {
        "earliest": f"Give a date between 1 January 1800 and 31 December {next_year()}."
    }


@pytest.mark.parametrize("text", ["1800", "1800-01-01", "2024-10-18", str(next_year())])
def test_a_date_from_1800_to_the_end_of_next_year_is_accepted(text):
    assert FuzzyDate.parse(text).errors() == {}


def test_an_unknown_date_with_a_bound_outside_the_range_is_refused_beside_that_bound():
    date = FuzzyDate("unknown", None, datetime.date(9999, 1, 1))
    assert date.errors() == {"latest": f"Give a date between 1 January 1800 and 31 December {next_year()}."}


@pytest.mark.parametrize(
    "make, prefix",
    [
        (lambda: make_event(), "date"),
        (lambda: make_source(), "published"),
        (lambda: make_office(make_person()), "start"),
        (lambda: make_office(make_person()), "end"),
        (lambda: make_sanction(make_person()), "announced"),
    ],
)
def test_every_dated_record_refuses_a_date_in_the_year_9999_beside_the_field(make, prefix):
    record = make()
    setattr(record, prefix, FuzzyDate.parse("9999"))
    assert validation_messages(record, f"{prefix}_earliest") == [
        f"Give a date between 1 January 1800 and 31 December {next_year()}."
    ]


def test_a_sanction_cannot_answer_a_sanction_that_answers_it():
    person = make_person()
    first = make_sanction(person)
    second = make_sanction(person, answers=first)
    third = make_sanction(person, answers=second)
    closing = SanctionResponse(sanction=first, answers_sanction=third)
    assert validation_messages(closing, "answers_sanction") == [
        f"{third} (no. {third.pk}) answers {first} (no. {first.pk}) already, directly or through others: "
        "answering it would make a loop."
    ]


def test_a_sanction_may_answer_several_sanctions_that_answer_none_of_it():
    person = make_person()
    first, second = make_sanction(person), make_sanction(person)
    answering = make_sanction(person, answers=[first, second])
    assert [response.answers_sanction for response in answering.responses.order_by("pk")] == [first, second]


def test_the_check_of_answers_ends_at_a_loop_already_stored():
    """A loop stored past the checks does not keep the check walking forever."""
    person = make_person()
    first, second = make_sanction(person), make_sanction(person)
    answer(first, second)
    SanctionResponse.objects.bulk_create([SanctionResponse(sanction=second, answers_sanction=first)])
    newcomer = make_sanction(person)
    assert SanctionResponse(sanction=newcomer, answers_sanction=first).answer_error() is None


def test_a_chain_of_answers_is_followed_only_so_far(monkeypatch):
    monkeypatch.setattr(models, "MAX_ANSWER_CHAIN", 2)
    person = make_person()
    first = make_sanction(person)
    second = make_sanction(person, answers=first)
    third = make_sanction(person, answers=second)
    fourth = make_sanction(person)
    assert validation_messages(SanctionResponse(sanction=fourth, answers_sanction=third), "answers_sanction") == [
        f"Answering {third} (no. {third.pk}) would make a chain of more than 2 sanctions answering each other."
    ]


def test_a_sanction_still_cannot_answer_itself():
    sanction = make_sanction(make_person())
    answering_itself = SanctionResponse(sanction=sanction, answers_sanction=sanction)
    assert validation_messages(answering_itself, "answers_sanction") == ["A sanction cannot answer itself."]


def test_the_database_refuses_a_sanction_answering_itself():
    sanction = make_sanction(make_person())
    with pytest.raises(IntegrityError), transaction.atomic():
        SanctionResponse.objects.create(sanction=sanction, answers_sanction=sanction)


def test_the_database_refuses_an_answer_to_both_a_sanction_and_an_event_or_to_neither():
    sanction, other = make_sanction(make_person()), make_sanction(make_person())
    for both_or_neither in [dict(answers_sanction=other, answers_event=make_event()), {}]:
        with pytest.raises(IntegrityError), transaction.atomic():
            SanctionResponse.objects.create(sanction=sanction, **both_or_neither)


def test_the_admin_shows_a_sanction_lifted_before_it_was_announced_beside_the_field(editor, client):
    sanction = make_sanction(make_person(), announced="2021-03-26")
    url = reverse("admin:events_sanction_change", args=[sanction.pk])
    data = form_data(client.get(url)) | {
        "status_log-1-change": "lifted", "status_log-1-date_precision": "year",
        "status_log-1-date_earliest": "2020-01-01", "status_log-1-citation": str(sanction.citations.first().pk),
        "status_log-TOTAL_FORMS": "2",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][2].formset.errors[1]["date_earliest"] == [
        "A sanction's status cannot change before it was announced (26 March 2021)."
    ]
    assert Sanction.objects.get(pk=sanction.pk).status == "active"


# 13. Counts that must leave drafts out


def test_the_source_list_counts_only_the_quotes_the_public_pages_show(client):
    source = make_source("One. Two. Three. Four.")
    published, draft = make_event("Published"), make_event("Draft", is_published=False)
    person = make_person()
    cite(published, "One.", source)
    cite(draft, "Two.", source)
    cite(make_sanction(person, is_published=False), "Three.", source)
    cite(make_office(person), "Four.", source)
    response = client.get(reverse("source_list"))
    assert "2 quotes cited" in text_of(response)
    assert len(client.get(source.get_absolute_url()).context["citations"]) == 2


def test_after_an_event_becomes_a_draft_the_source_list_and_the_source_page_agree(archive, client):
    source = Source.objects.filter(citations__event__isnull=False).order_by("pk").first()
    event = source.citations.filter(event__isnull=False).first().event
    event.is_published = False
    event.save()
    listed = next(row for row in client.get(reverse("source_list")).context["page"] if row.pk == source.pk)
    highlighted = client.get(source.get_absolute_url()).context["citations"]
    assert listed.citation_count == len(highlighted)


# 15. Values in the cache that the code cannot read


class Renamed:
    """A value of a class a later deploy no longer has: unpickling it fails."""


def spoil(name, value):
    """Store `value` under the cache key `name`, unversioned as before, and under the current version."""
    cache.set(name, value)
    cache.set(name, value, version=caching.VERSION)


WRONG_SHAPES = ["nonsense", 42, ("a", "b"), ({"1": "x"}, None), [1, 2], {1: 2}]


def kept_columns(event, **changed):
    """The columns paging.kept_events keeps for a page of just `event`, with `changed` columns as given."""
    return tuple(changed.get(column, [getattr(event, column)]) for column in paging.EVENT_COLUMNS)


@pytest.mark.parametrize(
    "junk",
    [
        *WRONG_SHAPES,
        "a column too few",
        "a date as text",
        "a title missing",
    ],
)
def test_a_wrongly_shaped_page_of_events_in_the_cache_is_read_again(junk):
    event = make_event("Lammy meets Wang Yi", date="2021-03-01")
    spoilt = {
        "a column too few": lambda: kept_columns(event)[:-1],
        "a date as text": lambda: kept_columns(event, date_earliest=["2021-03-01"]),
        "a title missing": lambda: kept_columns(event, title=[]),
    }
    junk = spoilt[junk]() if isinstance(junk, str) and junk in spoilt else junk
    cache.set(paging.kept_events_key(("a page",), "default"), junk, version=caching.VERSION)

    found = paging.kept_events(("a page",), lambda: list(models.Event.objects.all()), "default")
    again = paging.kept_events(("a page",), lambda: pytest.fail("read again, though kept"), "default")

    assert [(each.pk, each.title, each.date_earliest) for each in found + again] == [
        (event.pk, "Lammy meets Wang Yi", datetime.date(2021, 3, 1))
    ] * 2


@pytest.mark.parametrize("junk", WRONG_SHAPES)
def test_a_wrongly_shaped_topic_count_in_the_cache_is_counted_again(client, junk):
    topic = make_topic("Trade")
    make_event(topics=[topic])
    spoil("topic-event-counts", junk)
    response = client.get(reverse("topic_list"))
    assert response.status_code == 200
    assert "Trade 1 event" in text_of(response)


@pytest.mark.parametrize("junk", WRONG_SHAPES)
def test_a_wrongly_shaped_list_of_actor_names_in_the_cache_is_read_again(client, junk):
    make_person("David Lammy")
    spoil("actor-names", junk)
    response = client.get(reverse("timeline"))
    assert response.status_code == 200
    assert response.context["actor_names"] == ["David Lammy"]


@pytest.mark.parametrize("junk", WRONG_SHAPES)
def test_a_wrongly_shaped_event_total_in_the_cache_is_counted_again(client, monkeypatch, junk):
    monkeypatch.setattr(paging, "PER_PAGE", 2)
    monkeypatch.setattr(paging, "COUNT_LIMIT", 3)
    for number in range(5):
        make_event(f"Event {number}")
    spoil("published-event-count", junk)
    response = client.get(reverse("timeline"))
    assert response.status_code == 200
    assert response.context["page"].count.number == 5


def test_a_value_the_cache_cannot_unpickle_is_a_miss(client, monkeypatch):
    make_person("David Lammy")
    spoil("actor-names", Renamed())
    monkeypatch.delitem(globals(), "Renamed")
    response = client.get(reverse("timeline"))
    assert response.status_code == 200
    assert response.context["actor_names"] == ["David Lammy"]


def test_a_value_in_the_right_shape_left_by_an_older_deploy_is_not_read(client):
    topic = make_topic("Trade")
    cache.set("topic-event-counts", ({topic.pk: 999}, datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)))
    cache.set("actor-names", ["Someone long gone"])
    assert "Trade 0 events" in text_of(client.get(reverse("topic_list")))
    assert client.get(reverse("timeline")).context["actor_names"] == []


def test_a_name_saved_is_forgotten_from_the_versioned_cache(client):
    client.get(reverse("timeline"))
    make_person("David Lammy")
    assert client.get(reverse("timeline")).context["actor_names"] == ["David Lammy"]
