"""The editors and viewers groups made by `manage.py create_groups`, and what each may do in the admin."""

import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse

from events.models import Event, Source

from .factories import make_source
from .helpers import form_data, lammy_meets_wang_yi

pytestmark = pytest.mark.django_db

EVENTS_MODELS = list(apps.get_app_config("events").get_models())


def create_groups(*args):
    out = io.StringIO()
    call_command("create_groups", *args, stdout=out)
    return out.getvalue()


def codenames(name):
    return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))


def staff_in(group, client):
    user = User.objects.create_user(group, password=f"a-long-{group}-password", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


def test_editors_may_add_change_delete_and_view_every_record_and_its_history_and_viewers_only_view():
    output = create_groups()

    model_names = {model._meta.model_name for model in EVENTS_MODELS}
    assert {"event", "historicalevent", "historicalevent_topics", "historicalcitation", "alias"} <= model_names
    actions = ["add", "change", "delete", "view"]
    assert codenames("editors") == {f"{action}_{name}" for action in actions for name in model_names}
    assert codenames("viewers") == {f"view_{name}" for name in model_names}
    assert f"editors: created; {4 * len(model_names)} permissions, {4 * len(model_names)} added, 0 removed." in output
    assert f"viewers: created; {len(model_names)} permissions, {len(model_names)} added, 0 removed." in output


def test_running_it_again_changes_nothing_and_says_so():
    create_groups()
    before = {name: codenames(name) for name in ["editors", "viewers"]}

    output = create_groups()

    assert {name: codenames(name) for name in ["editors", "viewers"]} == before
    assert Group.objects.count() == 2
    assert "editors: exists;" in output and "viewers: exists;" in output
    assert output.count("0 added, 0 removed.") == 2


def test_it_puts_each_group_back_to_exactly_its_permissions():
    create_groups()
    viewers = Group.objects.get(name="viewers")
    viewers.permissions.add(Group.objects.get(name="editors").permissions.get(codename="delete_source"))
    viewers.permissions.remove(viewers.permissions.get(codename="view_event"))

    output = create_groups()

    assert "view_event" in codenames("viewers") and "delete_source" not in codenames("viewers")
    assert "viewers: exists; " in output and "1 added, 1 removed." in output


def test_a_dry_run_says_what_it_would_do_and_changes_nothing():
    output = create_groups("--dry-run")

    assert "editors: would be created;" in output and "would be added" in output
    assert not Group.objects.exists()


def test_a_viewer_can_open_the_lists_the_forms_and_the_history_but_change_nothing(archive, client):
    create_groups()
    staff_in("viewers", client)
    event = lammy_meets_wang_yi()
    change_url = reverse("admin:events_event_change", args=[event.pk])

    assert client.get(reverse("admin:events_event_changelist")).status_code == 200
    form = client.get(change_url)
    assert form.status_code == 200
    assert client.get(reverse("admin:events_event_history", args=[event.pk])).status_code == 200

    response = client.post(change_url, {"title": "Changed by a viewer"})
    assert response.status_code == 403
    assert client.post(reverse("admin:events_event_add"), {"title": "Added by a viewer"}).status_code == 403
    assert client.post(reverse("admin:events_event_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.title == "David Lammy meets Wang Yi in Beijing"
    assert not Event.history.exists()


def test_a_viewer_cannot_revert_to_an_old_version(archive, client):
    create_groups()
    event = lammy_meets_wang_yi()
    event.title = "Changed by an editor"
    event.save()
    old_version = event.history.earliest("history_date")
    staff_in("viewers", client)
    url = reverse("admin:events_event_simple_history", args=[event.pk, old_version.history_id])

    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # no Revert button
    response = client.post(url, form_data(page))

    assert response.status_code == 403
    event.refresh_from_db()
    assert event.title == "Changed by an editor"


def test_an_editor_who_is_not_a_superuser_can_change_revert_and_delete(archive, client):
    create_groups()
    editor = staff_in("editors", client)
    event = lammy_meets_wang_yi()
    change_url = reverse("admin:events_event_change", args=[event.pk])

    response = client.post(change_url, form_data(client.get(change_url)) | {"title": "Changed by an editor"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Changed by an editor"
    assert event.history.latest("history_date").history_user == editor

    old_version = event.history.earliest("history_date")
    revert_url = reverse("admin:events_event_simple_history", args=[event.pk, old_version.history_id])
    assert client.post(revert_url, form_data(client.get(revert_url))).status_code == 302
    event.refresh_from_db()
    assert event.title == "David Lammy meets Wang Yi in Beijing"

    source = make_source(title="An uncited source")
    assert client.post(reverse("admin:events_source_delete", args=[source.pk]), {"post": "yes"}).status_code == 302
    assert not Source.objects.filter(pk=source.pk).exists()
