"""Tests that act as a person: Playwright driving Debian's Chromium against a live server."""

import re

import pytest
from playwright.sync_api import expect

from events.models import Event

from .helpers import make_editor, sign_in_in_the_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_researcher_filters_by_topic_follows_a_citation_and_an_editor_corrects_the_event(site, playwright_browser):
    context = playwright_browser.new_context(java_script_enabled=False)
    page = context.new_page()

    page.goto(site + "/")
    expect(page.get_by_role("heading", level=1).first).to_be_visible()

    page.locator("summary", has_text="Filter events").click()  # the form is folded away
    page.get_by_label("Topic").select_option(value="human-rights")
    page.get_by_role("button", name=re.compile("filter", re.I)).click()
    expect(page).to_have_url(re.compile(r"topic=human-rights"))
    expect(page.locator("p.summary").get_by_text(re.compile(r"\d+ events?"))).to_be_visible()

    page.get_by_role("link", name="David Lammy meets Wang Yi in Beijing").click()
    expect(page).to_have_url(re.compile("/events/"))
    quote_link = page.get_by_role("link", name=re.compile("Read in source", re.I)).first
    quote_link.click()
    expect(page).to_have_url(re.compile("#quote-"))
    anchor = page.url.split("#", 1)[1]
    assert anchor.startswith("quote-")
    mark = page.locator(f"mark#{anchor}")
    expect(mark).to_be_visible()
    assert mark.evaluate("element => element.matches(':target')")
    context.close()

    make_editor()
    context = playwright_browser.new_context()
    page = context.new_page()
    sign_in_in_the_browser(page, site)
    page.locator("a[href='/admin/events/event/']").first.click()
    page.get_by_role("textbox", name="Search").fill("Wang Yi")
    page.keyboard.press("Enter")
    page.get_by_role("link", name=re.compile("Wang Yi")).first.click()
    title = page.get_by_label("Title:")
    corrected = title.input_value() + " (corrected)"
    title.fill(corrected)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert Event.objects.filter(title=corrected).exists()
    context.close()


def first_screen_boxes(page):
    """Where the summary line and the first event's title are, in CSS pixels from the top of the page."""
    return page.locator("p.summary").first.bounding_box(), page.locator(".event-title").first.bounding_box()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 375, "height": 667}])
def test_the_first_screen_shows_the_summary_and_the_first_events_at_desktop_and_phone_sizes(
    site, playwright_browser, viewport
):
    context = playwright_browser.new_context(viewport=viewport, java_script_enabled=False)
    page = context.new_page()

    for path in ("/", "/?actor=Mr+Lammy&date_from=2024&topic=human-rights"):
        page.goto(site + path)
        summary, first_event = first_screen_boxes(page)
        assert summary["y"] + summary["height"] <= viewport["height"], path
        assert first_event["y"] + first_event["height"] <= viewport["height"], path
        if viewport["width"] == 1280:
            assert first_event["y"] < 500, path  # well above the fold, not near it (it was ~700)
    context.close()


def test_the_folded_filter_form_opens_by_itself_when_a_filter_needs_correcting(site, playwright_browser):
    context = playwright_browser.new_context(viewport={"width": 375, "height": 667}, java_script_enabled=False)
    page = context.new_page()

    page.goto(site + "/")
    expect(page.get_by_label("From")).to_be_hidden()
    page.goto(site + "/?date_from=2024-13-40")
    expect(page.get_by_label("From")).to_be_visible()
    context.close()


def test_a_researcher_removes_a_filter_by_its_chip(site, playwright_browser):
    context = playwright_browser.new_context(java_script_enabled=False)
    page = context.new_page()

    page.goto(site + "/?topic=human-rights&kind=&actor=Mr+Lammy")
    expect(page).to_have_url(site + "/?actor=Mr+Lammy&topic=human-rights")
    page.get_by_role("link", name="Remove the filter Topic: Human rights").click()

    expect(page).to_have_url(site + "/?actor=Mr+Lammy")
    expect(page.get_by_role("link", name="Remove the filter Person or organization: Mr Lammy")).to_be_visible()
    context.close()


def test_a_researcher_searches_in_another_spelling_dates_it_as_typed_and_reaches_the_events_that_may_be_in_it(
    site, playwright_browser
):
    context = playwright_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/")

    page.locator("summary", has_text="Filter events").click()
    page.get_by_label("Words").fill("Uyghur forced labour")
    page.get_by_role("button", name="Filter events").click()
    # No event of the five documents speaks of both: the page says so plainly.
    expect(page.locator("p.summary").first).to_contain_text("0 events")
    page.locator("summary", has_text="Filter events").click()
    page.get_by_label("Words").fill("Uyghur genocide")
    page.get_by_role("button", name="Filter events").click()
    # "Uyghur" is found in the documents' spelling, "Uighurs", and the matched words are marked.
    expect(page.get_by_role("link", name="David Lammy, in opposition, describes the treatment of the Uighurs as genocide")).to_be_visible()
    expect(page.locator(".events mark").first).to_be_visible()
    expect(page.get_by_role("link", name="Remove the filter Words: Uyghur genocide")).to_be_visible()

    page.locator("summary", has_text="Filter events").click()
    page.get_by_label("From", exact=True).fill("October 2024")
    page.get_by_label("To", exact=True).fill("October 2024")
    page.get_by_role("button", name="Filter events").click()
    expect(page.locator("p.summary").first).to_contain_text("in October 2024")

    page.get_by_role("link", name="Remove the filter Words: Uyghur genocide").click()
    expect(page.locator("p.summary").first).to_contain_text("in October 2024")
    expect(page.locator("p.summary").first).not_to_contain_text("Uyghur")
    expect(page.get_by_text("May be in this period").first).to_be_visible()
    expect(page.get_by_text("by 17 October 2024").first).to_be_visible()
    context.close()
