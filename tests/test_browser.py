"""Tests that act as a person: Playwright driving Debian's Chromium against a live server."""

import re

import pytest
from playwright.sync_api import expect

from events.models import Event

from .helpers import EDITOR_PASSWORD, make_editor

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_researcher_filters_by_topic_follows_a_citation_and_an_editor_corrects_the_event(site, playwright_browser):
    context = playwright_browser.new_context(java_script_enabled=False)
    page = context.new_page()

    page.goto(site + "/")
    expect(page.get_by_role("heading", level=1).first).to_be_visible()

    page.get_by_label("Topic").select_option(label="Human rights")
    page.get_by_role("button", name=re.compile("filter", re.I)).click()
    expect(page).to_have_url(re.compile(r"topic=human-rights"))
    expect(page.get_by_text(re.compile(r"\d+ events?")).first).to_be_visible()

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
    page.goto(site + "/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
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
