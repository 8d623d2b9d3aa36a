"""A topic's count is the same wherever it is shown: the topic list, the topic's page and the
timeline's topic menu all count its events with those of the topics under it (issue 9, finding 4)."""

import re

import pytest
from django.urls import reverse

from events import paging
from events.models import Topic

from .factories import make_event, make_topic
from .helpers import html_of, summary, text_of, titles

pytestmark = pytest.mark.django_db


def topic_option(response, slug):
    """The text of the timeline's topic menu option for `slug`, spaces collapsed."""
    option = re.search(rf'<option value="{slug}"[^>]*>([^<]*)</option>', html_of(response)).group(1)
    return re.sub(r"\s+", " ", option).strip()


def test_the_topic_list_counts_a_parents_events_with_its_childrens_and_says_how_many_are_tagged_directly(client):
    human_rights = make_topic("Human rights")
    xinjiang = make_topic("Xinjiang", parent=human_rights)
    hong_kong = make_topic("Hong Kong", parent=human_rights)
    make_event("General remarks", topics=[human_rights])
    make_event("Sanctions", topics=[xinjiang])
    make_event("Both at once", topics=[xinjiang, hong_kong])
    make_event("Draft", topics=[xinjiang], is_published=False)

    text = text_of(client.get(reverse("topic_list")))

    assert "Human rights 3 events (1 tagged directly)" in text
    assert "Xinjiang 2 events" in text and "Hong Kong 1 event" in text


def test_a_topic_page_says_how_many_of_its_events_are_tagged_with_it_directly(client):
    human_rights = make_topic("Human rights")
    xinjiang = make_topic("Xinjiang", parent=human_rights)
    make_event("General remarks", date="2021-04-01", topics=[human_rights])
    make_event("Sanctions", date="2021-03-22", topics=[xinjiang])

    response = client.get(human_rights.get_absolute_url())

    assert summary(response).startswith(
        "2 events about Human rights and the topics under it · 1 tagged “Human rights” directly"
    )


def test_a_topic_page_past_the_counting_bound_gives_the_topic_lists_count(client, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 3)
    monkeypatch.setattr(paging, "PER_PAGE", 2)
    trade = make_topic("Trade")
    for number in range(5):
        make_event(f"Talks {number}", topics=[trade])

    page = client.get(trade.get_absolute_url())
    listed = text_of(client.get(reverse("topic_list")))

    assert re.match(r"5 events about Trade \(as counted at \d\d:\d\d UTC\)", summary(page))
    assert "Trade 5 events" in listed


def test_on_the_archive_the_topic_list_the_topic_page_and_the_timeline_filter_agree(archive, client):
    listed = text_of(client.get(reverse("topic_list")))
    for topic in Topic.objects.all():
        timeline = client.get(reverse("timeline"), {"topic": topic.slug})
        count = len(titles(timeline))
        assert summary(timeline).startswith(f"{count} event"), topic.name
        assert re.search(rf"{re.escape(topic.name)} {count} events?\b", listed), topic.name
        assert summary(client.get(topic.get_absolute_url())).startswith(f"{count} event"), topic.name
        assert topic_option(client.get(reverse("timeline")), topic.slug).endswith(f"({count})"), topic.name


def test_on_the_archive_human_rights_counts_its_children(archive, client):
    human_rights = Topic.objects.get(slug="human-rights")
    timeline = client.get(reverse("timeline"), {"topic": "human-rights"})

    listed = text_of(client.get(reverse("topic_list")))

    direct = human_rights.events.filter(is_published=True).count()
    assert direct < len(titles(timeline))
    assert f"Human rights {len(titles(timeline))} events ({direct} tagged directly)" in listed
