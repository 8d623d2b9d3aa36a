"""bin/serve's first run: the archive is loaded into an empty database, whatever the database, and never twice."""

from io import StringIO

import pytest
from django.core.management import call_command

from events.models import Event, Source, SpellingVariant, Topic

from .factories import make_source, make_topic

pytestmark = pytest.mark.django_db


def load_archive():
    out = StringIO()
    call_command("load_archive", verbosity=0, stdout=out)
    return out.getvalue()


def test_it_loads_the_archive_into_an_empty_database_and_checks_its_citations():
    said = load_archive()

    assert Event.objects.exists() and Source.objects.exists()
    assert "citations are verbatim" in said


def test_it_never_loads_the_archive_twice():
    load_archive()
    events, sources = Event.objects.count(), Source.objects.count()

    said = load_archive()

    assert (Event.objects.count(), Source.objects.count()) == (events, sources)
    assert "not loaded again" in said


def test_it_leaves_a_database_that_holds_records_of_its_own_alone():
    make_source()

    load_archive()

    assert Source.objects.count() == 1 and not Event.objects.exists()


def test_it_leaves_alone_a_database_holding_only_a_topic_an_editor_made():
    make_topic("Human rights", slug="human-rights")

    load_archive()

    assert list(Topic.objects.values_list("slug", flat=True)) == ["human-rights"] and not Event.objects.exists()


def test_it_loads_the_spelling_variants_with_the_archive():
    load_archive()

    assert SpellingVariant.objects.filter(term="Uyghur").exists()


def test_it_gives_a_database_that_already_holds_records_the_spelling_variants_it_lacks():
    make_source()

    load_archive()

    assert SpellingVariant.objects.exists() and not Event.objects.exists()


def test_it_leaves_the_spelling_variants_editors_keep_alone():
    SpellingVariant.objects.create(term="Beijing", equivalents="Peking", note="An editor's.")

    load_archive()

    assert list(SpellingVariant.objects.values_list("term", flat=True)) == ["Beijing"]
    assert Event.objects.exists()  # the variants are not the archive's records
