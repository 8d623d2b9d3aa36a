"""The whole-archive download: `export_archive` writes a fixture that loads into an empty database
and a SQLite file that opens with the same records, drafts left out; /about/data/ links them only
once they exist, and says what the data is, its licence and how to cite it."""

import io
import json
import sqlite3

import pytest
from django.core.management import call_command

from events import archive as events_archive
from events.archive import FIXTURE, SQLITE, sqlite_database
from events.models import Event, Person, Sanction, Source

from .factories import make_event
from .helpers import html_of, public_pages, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def downloads_dir(settings, tmp_path):
    settings.DIPLO_DOWNLOADS_DIR = tmp_path / "downloads"
    return settings.DIPLO_DOWNLOADS_DIR


def test_the_about_page_says_a_download_not_made_yet_is_not_there_and_links_nothing(client, downloads_dir):
    response = client.get("/about/data/")
    assert response.status_code == 200
    assert text_of(response).count("not made yet on this site") == 2
    assert "/about/data/diplo-archive" not in html_of(response)
    assert client.get("/about/data/diplo-archive.json").status_code == 404


def test_the_about_page_links_each_download_made_with_its_size_and_date(client, downloads_dir):
    downloads_dir.mkdir()
    (downloads_dir / FIXTURE).write_text("[]")
    (downloads_dir / SQLITE).write_bytes(b"SQLite format 3\x00")

    response = client.get("/about/data/")

    assert f'href="/about/data/{FIXTURE}" download' in html_of(response)
    assert f'href="/about/data/{SQLITE}" download' in html_of(response)
    assert "2 bytes, made" in text_of(response)
    served = client.get(f"/about/data/{FIXTURE}")
    assert b"".join(served.streaming_content) == b"[]"
    assert served["Content-Disposition"] == f'attachment; filename="{FIXTURE}"'


@pytest.mark.parametrize("name", ["settings.py", "..%2Fdiplo%2Fsettings.py", "db.sqlite3"])
def test_only_the_downloads_are_served(client, downloads_dir, name):
    assert client.get(f"/about/data/{name}").status_code == 404


def test_the_about_page_states_the_licence_the_citation_and_the_edtf_convention(client, downloads_dir):
    text = text_of(client.get("/about/data/"))
    assert "Creative Commons Attribution 4.0 International licence (CC BY 4.0)" in text
    assert "remain the work of their authors and publishers" in text
    assert "Diplo: an archive of UK–China diplomatic events, from the documents. http://testserver/." in text
    assert "../2024-10-17" in text and "2024-10-01/.." in text
    assert "manage.py export_archive" in text


def test_every_page_links_the_about_page_in_its_footer(archive, client):
    for name, path, _ in public_pages():
        assert '<a href="/about/data/">About the data</a>' in html_of(client.get(path)), name


@pytest.mark.slow
def test_the_archive_command_writes_a_fixture_that_loads_into_an_empty_database_and_a_sqlite_file_of_the_same_records(
    archive, tmp_path
):
    draft = make_event("An editor's draft", is_published=False)
    published = {
        "events_event": Event.objects.published().count(),
        "events_person": Person.objects.count(),
        "events_sanction": Sanction.objects.published().count(),
        "events_source": Source.objects.count(),
        "events_event_topics": Event.topics.through.objects.filter(event__is_published=True).count(),
    }

    call_command("export_archive", str(tmp_path / "out"))

    with sqlite_database(tmp_path / "empty.sqlite3", alias="loaded") as alias:
        call_command("loaddata", str(tmp_path / "out" / FIXTURE), database=alias, verbosity=0)
        assert Event.objects.using(alias).count() == published["events_event"]
        assert not Event.objects.using(alias).filter(slug=draft.slug).exists()
        assert Person.objects.using(alias).count() == published["events_person"]
        assert Sanction.objects.using(alias).count() == published["events_sanction"]
        # The copy is a Diplo database: its search index was filled as the records were loaded.
        assert Event.objects.using(alias).search("sanctions").exists()

    opened = sqlite3.connect(tmp_path / "out" / SQLITE)
    try:
        for table, count in published.items():
            assert opened.execute(f"SELECT count(*) FROM {table}").fetchone() == (count,), table
        assert opened.execute("SELECT count(*) FROM events_historicalevent").fetchone() == (0,)
    finally:
        opened.close()


@pytest.mark.slow
def test_the_archive_fixture_holds_just_what_dumpdata_writes_of_the_sqlite_file_however_it_is_chunked(
    archive, tmp_path, monkeypatch
):
    monkeypatch.setattr(events_archive, "CHUNK", 3)  # many chunks, and an event's topics in each
    make_event("An editor's draft", is_published=False)

    call_command("export_archive", str(tmp_path / "out"))

    with sqlite_database(tmp_path / "out" / SQLITE, alias="written") as alias:
        dumped = io.StringIO()
        call_command(
            "dumpdata", "events", exclude=[model._meta.label for model in events_archive.left_out()],
            database=alias, format="json", stdout=dumped,
        )
    written = json.loads((tmp_path / "out" / FIXTURE).read_text())
    assert [linked_sorted(record) for record in written] == [linked_sorted(record) for record in json.loads(dumped.getvalue())]
    assert any(record["model"] == "events.event" and record["fields"]["topics"] for record in written)


def linked_sorted(record):
    """A fixture's record with its many-to-many keys in order of key (dumpdata orders them as their model does)."""
    fields = {name: sorted(value) if isinstance(value, list) else value for name, value in record["fields"].items()}
    return {**record, "fields": fields}
