"""A researcher follows a filtered timeline: opens its feed from the page's link, and narrows it by a
bar of its chart. Playwright driving Debian's Chromium against a live server, no JavaScript."""

import re

import feedparser
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_researcher_opens_the_feed_of_a_filtered_timeline_and_follows_a_bar_of_its_chart(site, playwright_browser):
    context = playwright_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/?topic=human-rights")
    listed = page.locator(".event-title a").all_inner_texts()

    page.get_by_role("link", name="Atom feed").click()  # the browser shows the feed's XML
    assert page.url == site + "/feed/?topic=human-rights"
    feed = feedparser.parse(page.request.get(page.url).body())
    assert not feed.bozo
    assert [entry.title for entry in feed.entries] == listed[: len(feed.entries)]

    page.goto(site + "/?topic=human-rights")
    page.get_by_text("Chart", exact=True).click()  # folded, as the filter form is
    bar = page.locator("svg.chart a").filter(has_not_text=re.compile(r": 0 events")).first
    title = bar.locator("title").text_content()  # "2024: 7 events (4 certainly in it, 3 that may be)"
    period, count = re.match(r"(.+?): (\d+) events?", title).groups()
    bar.click()

    expect(page).to_have_url(re.compile(rf"date_from={period}&date_to={period}&topic=human-rights"))
    expect(page.locator("p.summary")).to_contain_text(re.compile(rf"^{count} events? · about Human rights · in {period}"))
    context.close()
