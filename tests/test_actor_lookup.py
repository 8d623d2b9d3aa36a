"""The actor filter reads a slug, as the site's links give it, by exact lookups alone; typed names
by words in one query, as before."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.filters import ActorField

from .factories import make_organization, make_person

pytestmark = pytest.mark.django_db


def looked_up(text):
    with CaptureQueriesContext(connection) as queries:
        actors = ActorField().clean(text)
    return actors, [query["sql"] for query in queries.captured_queries]


def test_a_slug_is_found_by_exact_lookups_alone():
    lammy = make_person("David Lammy", slug="david-lammy")
    make_person("David Alton")

    actors, queries = looked_up("david-lammy")

    assert actors.names == [str(lammy)]
    [query] = queries
    assert "events_actor_names" not in query  # SQLite's table of names' words: the words' tiers
    assert "LIKE" not in query  # PostgreSQL's test of names' words


def test_a_name_typed_by_words_is_found_in_one_query():
    make_person("David Lammy")

    actors, queries = looked_up("Lammy")

    assert actors.names == ["David Lammy"]
    assert len(queries) == 1


def test_a_slug_nobody_has_is_still_read_as_words():
    make_organization("Foreign Office", slug="fco")

    actors, _ = looked_up("foreign-office")

    assert actors.names == ["Foreign Office"]
