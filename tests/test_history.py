"""Nothing lost: every change made in the admin is kept, with who made it, when and what changed,
and an editor can open an old version and revert to it; a record others depend on cannot be deleted."""

import pytest
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import capfirst

from events.history import History, unrecorded
from events.models import (
    Citation,
    Event,
    Organization,
    Participation,
    Person,
    Sanction,
    Source,
    Topic,
)

from .factories import (
    cite,
    make_event,
    make_office,
    make_organization,
    make_person,
    make_sanction,
    make_source,
    make_topic,
    take_part,
)
from .helpers import form_data, lammy_meets_wang_yi

pytestmark = pytest.mark.django_db

TRACKED = [Event, Person, Organization, Sanction, Source, Citation]


def change(client, record, **changes):
    """Posts `record`'s admin change form back with `changes`, as an editor would; returns the response."""
    url = reverse(f"admin:events_{record._meta.model_name}_change", args=[record.pk])
    data = form_data(client.get(url)) | changes
    return client.post(url, data)


def test_loading_the_archive_makes_no_history(archive):
    for model in TRACKED:
        assert not model.history.exists(), model


def test_an_editors_change_to_an_event_is_kept_with_who_made_it_when_and_what_changed(archive, editor, client):
    event = lammy_meets_wang_yi()
    old_title = event.title
    before = timezone.now()

    response = change(client, event, title="Lammy and Wang Yi meet in Beijing")

    assert response.status_code == 302, response.context and response.context["errors"]
    latest, first = event.history.all()[:2]
    assert latest.history_type == "~"
    assert latest.history_user == editor
    assert before <= latest.history_date <= timezone.now()
    delta = latest.diff_against(first)
    assert delta.changed_fields == ["title"]
    assert (delta.changes[0].old, delta.changes[0].new) == (old_title, "Lammy and Wang Yi meet in Beijing")
    # The version before the change is kept too, though loading the archive made no history.
    assert (first.history_type, first.history_user, first.title) == ("+", None, old_title)
    assert first.history_change_reason == History.FIRST_VERSION_REASON


def test_the_admin_history_page_lists_the_change_its_editor_and_what_changed(archive, editor, client):
    event = lammy_meets_wang_yi()
    old_title = event.title
    change(client, event, title="Lammy and Wang Yi meet in Beijing")

    page = client.get(reverse("admin:events_event_history", args=[event.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "editor" in html
    assert escape(old_title) in html
    assert "Lammy and Wang Yi meet in Beijing" in html
    assert "<strong>Title:</strong>" in html
    assert "Changed Title." in html  # the admin's own message, kept as the version's reason
    for record in event.history.all():
        assert reverse("admin:events_event_simple_history", args=[event.pk, record.history_id]) in html


def test_reverting_to_an_old_version_in_the_admin_restores_its_title_and_topics(archive, editor, client):
    event = lammy_meets_wang_yi()
    old_title, old_topics = event.title, set(event.topics.values_list("pk", flat=True))
    kept_topic = min(old_topics)
    change(client, event, title="Lammy and Wang Yi meet in Beijing", topics=[str(kept_topic)])
    event.refresh_from_db()
    assert set(event.topics.values_list("pk", flat=True)) == {kept_topic}
    old_version = event.history.earliest("history_date")

    url = reverse("admin:events_event_simple_history", args=[event.pk, old_version.history_id])
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="Revert"' in page.content.decode()
    response = client.post(url, form_data(page))

    assert response.status_code == 302, response.context and response.context["errors"]
    event.refresh_from_db()
    assert event.title == old_title
    assert set(event.topics.values_list("pk", flat=True)) == old_topics
    assert event.history.latest("history_date").history_user == editor


def test_a_citation_changed_in_an_events_inline_is_kept_with_its_editor(archive, editor, client):
    event = lammy_meets_wang_yi()
    citation = event.citations.order_by("pk").first()
    shorter = citation.quote[: len(citation.quote) // 2]
    index = list(event.citations.order_by("pk")).index(citation)

    response = change(client, event, **{f"citations-{index}-quote": shorter})

    assert response.status_code == 302, response.context and response.context["errors"]
    latest = citation.history.latest("history_date")
    assert latest.history_user == editor
    assert latest.diff_against(latest.prev_record).changed_fields == ["quote"]
    # The event's own version changes no field, but says what was changed beside it.
    saved = event.history.latest("history_date")
    assert saved.history_user == editor
    assert saved.diff_against(saved.prev_record).changed_fields == []
    assert saved.history_change_reason.startswith("Changed Quote for citation")


@pytest.mark.parametrize(
    "model, field",
    [
        (Event, "summary"),
        (Person, "description"),
        (Organization, "description"),
        (Sanction, "reason"),
        (Source, "notes"),
        (Citation, "quote"),
    ],
)
def test_a_change_to_any_tracked_record_is_kept_and_shown_in_its_history(archive, editor, client, model, field):
    record = model.objects.order_by("pk").first()
    # Half of a verbatim quote is still verbatim, so the citation stays valid.
    value = record.quote[:20] if model is Citation else "Changed by an editor"

    response = change(client, record, **{field: value})

    assert response.status_code == 302, response.context and response.context["errors"]
    latest = record.history.latest("history_date")
    assert latest.history_user == editor
    assert latest.diff_against(latest.prev_record).changed_fields == [field]
    history = client.get(reverse(f"admin:events_{model._meta.model_name}_history", args=[record.pk]))
    label = capfirst(model._meta.get_field(field).verbose_name)
    assert f"<strong>{label}:</strong>" in history.content.decode()


def test_a_deleted_record_keeps_its_last_version_and_can_be_brought_back(db, editor, client):
    source = Source.objects.create(
        slug="a-press-release", kind=Source.Kind.PRESS_RELEASE, title="A press release", text="Words.",
        published_precision="unknown",
    )
    response = client.post(reverse("admin:events_source_delete", args=[source.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Source.objects.filter(pk=source.pk).exists()

    deleted = Source.history.get(id=source.pk, history_type="-")
    assert (deleted.title, deleted.history_user) == ("A press release", editor)
    url = reverse("admin:events_source_simple_history", args=[source.pk, deleted.history_id])
    response = client.post(url, form_data(client.get(url)))

    assert response.status_code == 302
    assert Source.objects.get(pk=source.pk).title == "A press release"



def test_a_deleted_event_and_its_citations_come_back_from_their_histories(archive, editor, client):
    event = lammy_meets_wang_yi()
    title, topics, quotes = event.title, set(event.topics.all()), set(event.citations.values_list("quote", flat=True))
    assert client.post(reverse("admin:events_event_delete", args=[event.pk]), {"post": "yes"}).status_code == 302
    assert not Event.objects.filter(pk=event.pk).exists()

    deleted = [*Event.history.filter(id=event.pk), *Citation.history.filter(event=event.pk)]
    assert {version.history_type for version in deleted} == {"-"}
    for version in deleted:  # the event first: its citations point to it
        name = version.instance_type._meta.model_name
        url = reverse(f"admin:events_{name}_simple_history", args=[version.id, version.history_id])
        assert client.post(url, form_data(client.get(url))).status_code == 302

    event = Event.objects.get(pk=event.pk)
    assert (event.title, set(event.topics.all())) == (title, topics)
    assert set(event.citations.values_list("quote", flat=True)) == quotes

# Safe deletes: a record others depend on is refused, with the records that depend on it.


def test_deleting_a_cited_source_in_the_admin_is_refused_with_the_citations_that_cite_it(archive, editor, client):
    source = Source.objects.get(slug="fcdo-letter-to-lord-alton-on-the-us-cecc-report")

    response = client.post(reverse("admin:events_source_delete", args=[source.pk]), {"post": "yes"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Cannot delete source" in html
    assert "would require deleting the following protected related objects" in html
    for citation in source.citations.all():
        assert reverse("admin:events_citation_change", args=[citation.pk]) in html
    assert Source.objects.filter(pk=source.pk).exists()
    assert not Source.history.exists()


def test_deleting_a_cited_source_with_the_admins_bulk_action_is_refused_too(archive, editor, client):
    sources = list(Source.objects.values_list("pk", flat=True))

    response = client.post(
        reverse("admin:events_source_changelist"),
        {"action": "delete_selected", "_selected_action": sources, "post": "yes"},
    )

    assert response.status_code == 200
    assert "Cannot delete sources" in response.content.decode()
    assert Source.objects.count() == len(sources)


def test_deleting_a_cited_source_in_code_raises_protected_error(archive):
    source = Source.objects.exclude(citations=None).first()
    with pytest.raises(ProtectedError):
        source.delete()
    assert Source.objects.filter(pk=source.pk).exists()


def cited_source():
    source = make_source(text="The minister said so.")
    cite(make_event(), "The minister said so.", source)
    return source, source.citations.get()


def person_taking_part():
    person = make_person("Tom Tugendhat")
    return person, take_part(make_event(), person)


def organization_taking_part():
    organization = make_organization("Foreign Affairs Committee")
    return organization, take_part(make_event(), organization, Participation.Role.HOST)


def sanctioned_person():
    person = make_person("Tom Tugendhat")
    return person, make_sanction(person)


def sanctioned_organization():
    organization = make_organization("Conservative Party Human Rights Commission")
    return organization, make_sanction(organization)


def sanctioning_organization():
    organization = make_organization("Ministry of Foreign Affairs")
    return organization, make_sanction(make_person("Tom Tugendhat"), imposed_by=organization)


def parent_organization():
    parent = make_organization("House of Commons")
    return parent, make_organization("Foreign Affairs Committee", parent=parent)


def parent_topic():
    parent = make_topic("Human rights")
    return parent, make_topic("Xinjiang", parent=parent)


def event_a_sanction_was_announced_in():
    event = make_event("China sanctions British MPs")
    return event, make_sanction(make_person("Tom Tugendhat"), announced_in=event)


def sanction_answered_by_another():
    sanction = make_sanction(make_person("Zhu Hailun"), imposing_country="GB")
    answering = make_sanction(make_person("Tom Tugendhat"), answers=sanction)
    return sanction, answering.responses.get()


def office_someone_acted_in():
    person = make_person()
    office = make_office(person)
    return office, take_part(make_event(), person, office=office)


DEPENDED_ON = [
    cited_source,
    person_taking_part,
    organization_taking_part,
    sanctioned_person,
    sanctioned_organization,
    sanctioning_organization,
    parent_organization,
    parent_topic,
    event_a_sanction_was_announced_in,
    sanction_answered_by_another,
    office_someone_acted_in,
]


@pytest.mark.parametrize("make", DEPENDED_ON, ids=lambda make: make.__name__)
def test_a_record_others_depend_on_cannot_be_deleted_in_code(db, make):
    record, dependant = make()
    with pytest.raises(ProtectedError) as refusal:
        record.delete()
    assert dependant in refusal.value.protected_objects
    assert type(record).objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("make", DEPENDED_ON, ids=lambda make: make.__name__)
def test_a_record_others_depend_on_cannot_be_deleted_in_the_admin(db, editor, client, make):
    record, dependant = make()
    url = reverse(f"admin:events_{record._meta.model_name}_delete", args=[record.pk])

    response = client.post(url, {"post": "yes"})

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Cannot delete {record._meta.verbose_name}" in html
    assert escape(str(dependant)) in html
    assert type(record).objects.filter(pk=record.pk).exists()


def test_deleting_a_topic_that_tags_events_is_refused_in_the_admin_with_those_events(db, editor, client):
    topic = make_topic("Xinjiang")
    events = [make_event(title, topics=[topic]) for title in ["UN statement on Xinjiang", "Sanctions over Xinjiang"]]

    response = client.post(reverse("admin:events_topic_delete", args=[topic.pk]), {"post": "yes"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Cannot delete topic" in html
    for event in events:
        link = reverse("admin:events_event_change", args=[event.pk])
        assert f'Event tagged with it: <a href="{link}">{event}</a>' in html
    assert topic.events.count() == 2


def test_a_topic_nothing_depends_on_is_deleted_in_the_admin(db, editor, client):
    topic = make_topic("Espionage")
    response = client.post(reverse("admin:events_topic_delete", args=[topic.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Topic.objects.filter(pk=topic.pk).exists()


def test_a_delete_made_unrecorded_keeps_no_history_and_one_after_it_does(db):
    # The whole-archive download removes its drafts from a copy this way: its history is not published.
    quiet, kept = make_event("Deleted unrecorded"), make_event("Deleted as an editor would")
    quiet_pk, kept_pk = quiet.pk, kept.pk

    with unrecorded():
        quiet.delete()
    kept.delete()

    def kept_history(pk):
        return set(Event.history.filter(id=pk).values_list("history_type", flat=True))

    assert "-" not in kept_history(quiet_pk)
    assert "-" in kept_history(kept_pk)
