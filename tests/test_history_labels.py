"""The admin's history of a record says what made each version: the version kept before a loaded
record's first change is "As loaded", and a revert says which version it went back to."""

import re

import pytest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from .helpers import form_data, lammy_meets_wang_yi, text_of

pytestmark = pytest.mark.django_db


def history_rows(client, record):
    """The history page's rows, newest first, each as its text."""
    page = client.get(reverse(f"admin:events_{record._meta.model_name}_history", args=[record.pk]))
    assert page.status_code == 200
    table = re.search(r'<table id="change-history".*?</table>', page.content.decode(), re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def change_title(client, event, title):
    url = reverse("admin:events_event_change", args=[event.pk])
    response = client.post(url, form_data(client.get(url)) | {"title": title})
    assert response.status_code == 302


def test_the_version_kept_before_a_loaded_records_first_change_says_as_loaded(archive, editor, client):
    event = lammy_meets_wang_yi()
    change_title(client, event, "Lammy and Wang Yi meet in Beijing")

    changed, loaded = history_rows(client, event)

    assert "As loaded" in loaded
    assert "Created" not in loaded and "None" not in loaded
    assert "Changed Title" in changed and "editor" in changed


def test_a_revert_is_labelled_with_the_version_it_went_back_to(archive, editor, client):
    event = lammy_meets_wang_yi()
    change_title(client, event, "Lammy and Wang Yi meet in Beijing")
    old_version = event.history.earliest("history_date")
    url = reverse("admin:events_event_simple_history", args=[event.pk, old_version.history_id])

    assert client.post(url, form_data(client.get(url))).status_code == 302

    when = date_format(localtime(old_version.history_date), "j M Y H:i")
    reverted = history_rows(client, event)[0]
    assert f"Reverted to the version of {when}" in reverted
    assert "No fields changed" not in reverted
    assert event.history.latest("history_date").history_change_reason == f"Reverted to the version of {when}"


def test_a_revert_with_changes_on_top_says_both(archive, editor, client):
    event = lammy_meets_wang_yi()
    change_title(client, event, "Lammy and Wang Yi meet in Beijing")
    old_version = event.history.earliest("history_date")
    url = reverse("admin:events_event_simple_history", args=[event.pk, old_version.history_id])

    client.post(url, form_data(client.get(url)) | {"place": "Beijing, at the Diaoyutai"})

    reason = event.history.latest("history_date").history_change_reason
    assert reason.startswith("Reverted to the version of ")
    assert reason.endswith(", then: Changed Place.")
    assert "Reverted to the version of" in text_of(client.get(reverse("admin:events_event_history", args=[event.pk])))
