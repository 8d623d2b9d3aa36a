"""What an editor's ordinary save must not do to a source and its quotes (issue 15): break
citations by the line breaks a browser sends (finding 2), orphan citations by a change to a
source's text (3), cite a quote too short to back anything or found twice (9), or silently undo
another editor's change from a form loaded before it (7)."""

import unicodedata
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from events.models import Citation, Event, Source, Topic

from .factories import cite, make_event, make_source, make_topic
from .helpers import form_data, lammy_meets_wang_yi

pytestmark = pytest.mark.django_db


def change_url(record):
    return reverse(f"admin:events_{record._meta.model_name}_change", args=[record.pk])


def as_a_browser_sends_it(data):
    """`data` as a browser posts a form: every line break typed or shown in a textarea as CRLF."""
    return {key: value.replace("\n", "\r\n") if isinstance(value, str) else value for key, value in data.items()}


def errors_beside(response, field):
    return response.context["adminform"].form.errors.get(field, [])


def errors_above(response):
    return list(response.context["adminform"].form.non_field_errors())


# Finding 2: line endings and Unicode forms


def test_an_office_form_saved_unchanged_by_a_browser_is_accepted(archive, editor, client):
    office = Citation.objects.filter(office__isnull=False, quote__contains="\n").first().office
    url = change_url(office)

    response = client.post(url, as_a_browser_sends_it(form_data(client.get(url))))

    assert response.status_code == 302, response.context and response.context["errors"]


def test_a_source_saved_unchanged_by_a_browser_keeps_its_line_breaks_and_every_citation(archive, editor, client):
    source = Citation.objects.filter(quote__contains="\n").first().source
    text = source.text
    url = change_url(source)

    response = client.post(url, as_a_browser_sends_it(form_data(client.get(url))))

    assert response.status_code == 302, response.context and response.context["errors"]
    source.refresh_from_db()
    assert source.text == text
    call_command("verify_citations", verbosity=0)


def test_a_quote_saved_with_crlf_line_breaks_is_stored_with_lf(archive, editor, client):
    citation = Citation.objects.filter(quote__contains="\n").first()
    quote = citation.quote
    url = change_url(citation)

    response = client.post(url, as_a_browser_sends_it(form_data(client.get(url))))

    assert response.status_code == 302, response.context and response.context["errors"]
    citation.refresh_from_db()
    assert citation.quote == quote


def test_text_and_quotes_are_kept_in_one_unicode_form_so_an_accent_typed_either_way_matches():
    composed = "The minister met Zoë Perrin in Genève last week."
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed

    source = make_source(decomposed)
    citation = Citation(source=source, quote="met Zoë Perrin in Genève", event=make_event())
    citation.full_clean()
    citation.save()

    source.refresh_from_db()
    assert source.text == composed
    assert citation.is_verbatim


def test_the_migration_normalizes_the_text_and_quotes_already_stored():
    source = make_source("First line.\nSecond line.\n\nThird line here.")
    citation = cite(make_event(), "Second line.\n\nThird line", source)
    with connection.cursor() as cursor:
        # Written past the model, as a browser's save stored them before.
        cursor.execute(
            "UPDATE events_source SET text = %s WHERE id = %s", [source.text.replace("\n", "\r\n"), source.pk]
        )
        cursor.execute(
            "UPDATE events_citation SET quote = %s WHERE id = %s", ["Second line.\r\rThird line", citation.pk]
        )

    migration = import_module("events.migrations.0008_normalized_text_and_versions")
    migration.normalize_stored_text(apps, connection.schema_editor())

    source.refresh_from_db()
    citation.refresh_from_db()
    assert (source.text, citation.quote) == (
        "First line.\nSecond line.\n\nThird line here.",
        "Second line.\n\nThird line",
    )


# Finding 3: a change to a source's text that would orphan its citations


def test_replacing_a_cited_sources_text_is_refused_beside_the_text_naming_its_citations(archive, editor, client):
    source = Source.objects.get(pk=Citation.objects.order_by("pk").first().source_id)
    text = source.text
    url = change_url(source)

    response = client.post(url, form_data(client.get(url)) | {"text": "x"})

    assert response.status_code == 200
    [message] = errors_beside(response, "text")
    for citation in source.citations.all():
        assert f"citation {citation.pk} (“{citation.quote[:30]}" in message
    source.refresh_from_db()
    assert source.text == text


def test_a_change_to_a_sources_text_is_refused_by_model_validation_too():
    source = make_source("The Foreign Secretary met Wang Yi in Beijing on Friday.")
    citation = cite(make_event(), "met Wang Yi in Beijing", source)

    source.text = "The Foreign Secretary met Wang Yi in Shanghai on Friday."
    with pytest.raises(ValidationError) as refused:
        source.full_clean()

    assert f"citation {citation.pk} " in refused.value.message_dict["text"][0]


def test_a_sources_text_and_its_citations_can_be_changed_together_in_one_step(editor, client):
    source = make_source("The Foreign Secretary met Wang Yi in Beijing on Friday.")
    citation = cite(make_event(), "met Wang Yi in Beijing", source)
    url = change_url(source)
    page = client.get(url)
    index = [form.instance for form in page.context["inline_admin_formsets"][0].formset.forms].index(citation)

    response = client.post(
        url,
        form_data(page)
        | {
            "text": "The Foreign Secretary met Wang Yi in Shanghai on Friday.",
            f"citations-{index}-quote": "met Wang Yi in Shanghai",
        },
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    source.refresh_from_db()
    citation.refresh_from_db()
    assert (source.text, citation.quote) == (
        "The Foreign Secretary met Wang Yi in Shanghai on Friday.",
        "met Wang Yi in Shanghai",
    )


def test_a_source_whose_text_is_unchanged_is_saved_whatever_its_citations(editor, client):
    source = make_source("The Foreign Secretary met Wang Yi in Beijing on Friday.")
    url = change_url(source)

    response = client.post(url, form_data(client.get(url)) | {"notes": "Checked against the print edition."})

    assert response.status_code == 302, response.context and response.context["errors"]


# Finding 9: a quote must stand for one meaningful passage


def quote_errors(quote, source):
    citation = Citation(source=source, quote=quote, event=make_event())
    with pytest.raises(ValidationError) as refused:
        citation.full_clean()
    return refused.value.message_dict["quote"]


def test_a_one_letter_quote_is_refused_with_the_rule_it_breaks():
    source = make_source("The Foreign Secretary met Wang Yi in Beijing.")

    assert quote_errors("a", source) == [
        "A quote must be at least 3 words long, to back anything: quote more of the sentence."
    ]


def test_a_quote_found_twice_in_its_source_is_refused_asking_for_more_context():
    source = make_source("He said the talks were frank. Then she said the talks were frank and useful.")

    [message] = quote_errors("the talks were frank", source)

    assert message.startswith("This quote is found more than once in the text of “A news article”")
    assert "add words before or after it" in message


def test_a_quote_found_once_and_three_words_long_is_accepted():
    source = make_source("He said the talks were frank. Then she said they were useful.")
    Citation(source=source, quote="talks were frank", event=make_event()).full_clean()


def test_verify_citations_fails_on_a_stored_quote_too_short_to_back_anything(archive, capsys):
    citation = Citation.objects.order_by("pk").first()
    Citation.objects.filter(pk=citation.pk).update(quote="China")

    with pytest.raises(CommandError, match="1 of .* citations"):
        call_command("verify_citations")
    assert f"citation {citation.pk} " in capsys.readouterr().err


# Finding 7: a save from a form loaded before another editor's change


@pytest.fixture
def second_editor():
    """Another editor, signed in on a browser of their own."""
    browser = Client()
    browser.force_login(User.objects.create_superuser("second", "second@example.org", "a-long-second-password"))
    return browser


def test_the_second_of_two_editors_saving_one_event_is_refused_and_told_what_changed(
    archive, editor, client, second_editor
):
    event = lammy_meets_wang_yi()
    summary = event.summary
    url = change_url(event)
    first_form, second_form = form_data(client.get(url)), form_data(second_editor.get(url))

    assert client.post(url, first_form | {"title": "Lammy and Wang Yi meet"}).status_code == 302
    response = second_editor.post(url, second_form | {"summary": "Rewritten by the second editor."})

    assert response.status_code == 200
    [message] = errors_above(response)
    assert "changed since you opened this form" in message
    assert "editor changed Title" in message
    event.refresh_from_db()
    assert (event.title, event.summary) == ("Lammy and Wang Yi meet", summary)


def test_a_change_made_beside_an_event_in_its_inlines_makes_an_older_form_of_it_stale(
    archive, editor, client, second_editor
):
    event = lammy_meets_wang_yi()
    title = event.title
    url = change_url(event)
    first_form, second_form = form_data(client.get(url)), form_data(second_editor.get(url))
    role = "mentioned" if first_form["participations-0-role"] != "mentioned" else "host"

    assert client.post(url, first_form | {"participations-0-role": role}).status_code == 302
    response = second_editor.post(url, second_form | {"title": "Lammy and Wang Yi meet"})

    assert response.status_code == 200
    [message] = errors_above(response)
    assert "editor saved it" in message and "Changed Role for participation" in message
    event.refresh_from_db()
    assert event.title == title
    assert event.participations.get(pk=first_form["participations-0-id"]).role == role


def test_a_stale_save_is_refused_for_a_record_without_history_too(editor, client, second_editor):
    topic = make_topic("Human rights")
    url = change_url(topic)
    first_form, second_form = form_data(client.get(url)), form_data(second_editor.get(url))

    assert client.post(url, first_form | {"name": "Human rights and freedoms"}).status_code == 302
    response = second_editor.post(url, second_form | {"description": "Rights."})

    assert response.status_code == 200
    assert "changed since you opened this form" in errors_above(response)[0]
    topic.refresh_from_db()
    assert (topic.name, topic.description) == ("Human rights and freedoms", "")


def test_a_stale_inline_citation_is_refused_rather_than_undoing_the_change_made_since(editor, client, second_editor):
    source = make_source("The Foreign Secretary met Wang Yi in Beijing on Friday.")
    event = make_event()
    citation = cite(event, "met Wang Yi in Beijing", source)
    stale = form_data(second_editor.get(change_url(event)))
    url = change_url(citation)
    assert client.post(url, form_data(client.get(url)) | {"quote": "Wang Yi in Beijing"}).status_code == 302

    # The stale form still shows the old quote: saved, it would put it back.
    response = second_editor.post(change_url(event), stale | {"title": "Lammy meets Wang Yi"})

    assert response.status_code == 200
    assert "This citation was changed since you opened this form" in response.content.decode()
    event.refresh_from_db()
    citation.refresh_from_db()
    assert (event.title, citation.quote) == ("Foreign Secretary meets Wang Yi", "Wang Yi in Beijing")


def test_a_form_is_not_stale_when_the_saves_since_changed_nothing_it_shows(editor, client, second_editor):
    source = make_source("The Foreign Secretary met Wang Yi in Beijing on Friday.")
    event = make_event()
    citation = cite(event, "met Wang Yi in Beijing", source)
    form = form_data(second_editor.get(change_url(event)))
    url = change_url(citation)
    assert client.post(url, form_data(client.get(url))).status_code == 302

    response = second_editor.post(change_url(event), form | {"title": "Lammy meets Wang Yi"})

    assert response.status_code == 302, response.context and response.context["errors"]
    event.refresh_from_db()
    assert event.title == "Lammy meets Wang Yi"


def test_reverting_to_an_old_version_is_not_refused_as_stale(archive, editor, client):
    event = lammy_meets_wang_yi()
    title = event.title
    url = change_url(event)
    assert client.post(url, form_data(client.get(url)) | {"title": "Lammy and Wang Yi meet"}).status_code == 302
    old_version = event.history.earliest("history_date")

    revert_url = reverse("admin:events_event_simple_history", args=[event.pk, old_version.history_id])
    response = client.post(revert_url, form_data(client.get(revert_url)))

    assert response.status_code == 302, response.context and response.context["errors"]
    event.refresh_from_db()
    assert event.title == title


def test_each_save_counts_one_more_version():
    event = make_event()
    version = event.version
    event.title = "Renamed"
    event.save()
    assert Event.objects.get(pk=event.pk).version == version + 1
    assert Topic.objects.get(pk=make_topic().pk).version == 1
