"""A researcher filters the timeline by a topic and takes the data away as a browser does: downloads
the events as CSV from the page's link, opens the feed of the same filter, and narrows the timeline
by a bar of its chart. Playwright driving Debian's Chromium against a live server, no JavaScript."""

import csv
import re

import feedparser
import pytest
from playwright.sync_api import expect

from events.models import Topic

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_researcher_filters_by_topic_downloads_the_csv_opens_the_feed_and_follows_a_bar_of_the_chart(
    site, playwright_browser, tmp_path
):
    context = playwright_browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    page.goto(site + "/")
    page.locator("summary", has_text="Filter events").click()  # the form is folded away
    page.get_by_label("Topic").select_option(value="human-rights")
    page.get_by_role("button", name=re.compile("filter", re.I)).click()
    expect(page).to_have_url(re.compile(r"topic=human-rights"))
    filtered = page.url
    listed = page.locator(".event-title a").all_inner_texts()
    downloads = page.locator("p.downloads")
    expect(downloads).to_contain_text(f"Download these {len(listed)} events")

    # The CSV from the page's link: the events the page lists, each about human rights.
    with page.expect_download() as waiting:
        downloads.get_by_role("link", name="CSV").click()
    download = waiting.value
    assert download.suggested_filename == "diplo-events.csv"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert sorted(row["title"] for row in rows) == sorted(listed)
    # Each is about human rights, or a topic under it (Xinjiang, Hong Kong).
    about = {topic.name for topic in Topic.objects.get(slug="human-rights").with_descendants()}
    assert all(about & set(row["topics"].split("; ")) for row in rows)

    # The feed of the same filter, from the page's link: the newest of the same events, in order.
    page.get_by_role("link", name="Atom feed").click()  # the browser shows the feed's XML
    assert page.url == site + "/feed/?topic=human-rights"
    feed = feedparser.parse(page.request.get(page.url).body())
    assert not feed.bozo
    assert feed.entries
    assert [entry.title for entry in feed.entries] == listed[: len(feed.entries)]

    # A bar of the chart narrows the dates, keeping the topic, to the events the bar counts.
    page.goto(filtered)
    page.get_by_text("Chart", exact=True).click()  # folded, as the filter form is
    bar = page.locator("svg.chart a").filter(has_not_text=re.compile(r": 0 events")).first
    title = bar.locator("title").text_content()  # "2024: 7 events (4 certainly in it, 3 that may be)"
    period, count = re.match(r"(.+?): (\d+) events?", title).groups()
    bar.click()

    expect(page).to_have_url(re.compile(rf"date_from={period}&date_to={period}&topic=human-rights"))
    expect(page.locator("p.summary")).to_contain_text(re.compile(rf"^{count} events? · about Human rights · in {period}"))
    context.close()
