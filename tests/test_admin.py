import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from events.models import Citation, Event, Person, Sanction, Source

pytestmark = pytest.mark.django_db

MODELS = [
    "source", "person", "organization", "topic", "office", "event", "sanction", "citation", "claimbasis", "alias",
    "spellingvariant",
]


def test_a_visitor_who_is_not_signed_in_is_sent_to_the_sign_in_page(client):
    response = client.get("/admin/events/event/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_signed_in_user_who_is_not_staff_cannot_reach_the_admin(client):
    client.force_login(User.objects.create_user("reader", password="a-long-reader-password"))
    assert client.get("/admin/events/event/").status_code == 302


@pytest.mark.parametrize("model", [m for m in MODELS if m != "alias"])
def test_every_record_has_a_searchable_change_list_and_an_add_form(archive, editor, client, model):
    changelist = client.get(reverse(f"admin:events_{model}_changelist"), {"q": "China"})
    assert changelist.status_code == 200
    assert client.get(reverse(f"admin:events_{model}_add")).status_code == 200


@pytest.mark.parametrize("model", [m for m in MODELS if m != "alias"])
def test_every_record_in_the_archive_opens_for_editing(archive, editor, client, model):
    from django.apps import apps

    record = apps.get_model("events", model).objects.order_by("pk").first()
    assert client.get(reverse(f"admin:events_{model}_change", args=[record.pk])).status_code == 200


@pytest.mark.parametrize(
    "model, field",
    [("event", "topics"), ("participation", "person"), ("participation", "organization"), ("citation", "source")],
)
def test_people_organizations_topics_and_sources_are_chosen_by_autocomplete(archive, editor, client, model, field):
    response = client.get(
        "/admin/autocomplete/", {"app_label": "events", "model_name": model, "field_name": field, "term": "L"}
    )
    assert response.status_code == 200
    assert response.json()["results"]


def inline_management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def new_event_form(source, quote):
    data = {
        "title": "A new event",
        "slug": "a-new-event",
        "kind": "statement",
        "is_published": "on",
        "date_precision": "month",
        "date_earliest": "2024-10-01",
        "date_latest": "",
        "summary": "Something said.",
        "citations-0-source": str(source.pk),
        "citations-0-quote": quote,
    }
    data |= inline_management("participations", 0)
    data |= inline_management("citations", 1)
    data |= inline_management("relations_from", 0)
    data |= inline_management("claim_bases", 0)
    return data


def test_an_event_with_a_verbatim_citation_is_saved_with_its_date_completed(archive, editor, client):
    source = Source.objects.first()
    quote = source.text.split(".")[0]
    response = client.post(reverse("admin:events_event_add"), new_event_form(source, quote))
    assert response.status_code == 302, response.context["errors"] if response.context else response
    event = Event.objects.get(slug="a-new-event")
    assert str(event.date) == "October 2024"
    assert event.citations.get().quote == quote


def test_an_event_whose_quote_is_not_in_its_source_is_refused_and_nothing_is_saved(archive, editor, client):
    source = Source.objects.first()
    response = client.post(reverse("admin:events_event_add"), new_event_form(source, "Words nobody wrote."))
    assert response.status_code == 200
    assert "This quote is not in the text of" in response.content.decode()
    assert not Event.objects.filter(slug="a-new-event").exists()
    assert not Citation.objects.filter(quote="Words nobody wrote.").exists()


def test_a_sanction_with_two_targets_is_refused_in_the_admin_with_a_message(archive, editor, client):
    person = Person.objects.first()
    organization = Sanction.objects.exclude(target_organization=None).first().target_organization
    data = {
        "imposing_country": "CN",
        "target_person": str(person.pk),
        "target_organization": str(organization.pk),
        "is_published": "on",
        "announced_precision": "unknown",
    } | inline_management("citations", 0) | inline_management("responses", 0) | inline_management("claim_bases", 0)
    data |= inline_management("status_log", 0)
    count = Sanction.objects.count()
    response = client.post(reverse("admin:events_sanction_add"), data)
    assert response.status_code == 200
    assert "Choose exactly one" in response.content.decode()
    assert Sanction.objects.count() == count
