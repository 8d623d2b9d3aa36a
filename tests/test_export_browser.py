"""A researcher filters the timeline by a topic and downloads what they see, as a browser does."""

import csv
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_researcher_filters_by_topic_and_downloads_the_events_as_csv(site, playwright_browser, tmp_path):
    context = playwright_browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    page.goto(site + "/")
    page.locator("summary", has_text="Filter events").click()  # the form is folded away
    page.get_by_label("Topic").select_option(value="taiwan")
    page.get_by_role("button", name=re.compile("filter", re.I)).click()
    expect(page).to_have_url(re.compile(r"topic=taiwan"))
    shown = sorted(page.locator(".event-title a").all_inner_texts())
    downloads = page.locator("p.downloads")
    expect(downloads).to_contain_text(f"Download these {len(shown)} events")

    with page.expect_download() as waiting:
        downloads.get_by_role("link", name="CSV").click()
    download = waiting.value
    assert download.suggested_filename == "diplo-events.csv"
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert sorted(row["title"] for row in rows) == shown
    assert all("Taiwan" in row["topics"] for row in rows)
    context.close()
