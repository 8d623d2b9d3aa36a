"""An editor, in the browser, turns a passage of a document into a cited, dated event on the timeline:
from a source already in the archive, and from a new document added through the admin."""

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from events.models import Event, Source

from .conftest import require
from .helpers import make_editor, sign_in_in_the_browser
from .test_page_quality import AXE, VNU, axe_violations, nu_html_errors

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSAGE = (
    "The Foreign Secretary had been under pressure to take a tough line on a range of human rights issues "
    "with foreign minister Wang Yi when the pair met on Friday during Mr Lammy's first visit to China since "
    "taking office."
)
TITLE = "Lammy and Wang Yi meet in Beijing (from the work page)"

# Test material: restates the seeds' account of the meeting, dated Saturday 19 October 2024.
NEW_DOCUMENT = Path(__file__).parent / "documents" / "lammy_wang_yi_talks.html"
NEW_DOCUMENT_TITLE = "Lammy and Wang Yi hold talks in Beijing"
NEW_PASSAGE = (
    "David Lammy met Wang Yi on Friday, with issues ranging from climate and trade to "
    "Russia's invasion of Ukraine to discuss."
)
NEW_EVENT_TITLE = "Lammy and Wang Yi meet in Beijing (from an added document)"


def test_an_editor_makes_an_event_from_a_pasted_passage_and_finds_it_on_the_timeline(site, playwright_browser):
    require(AXE.exists(), "axe-core (npm axe-core)")
    make_editor()
    # bypass_csp: to add axe-core's script to the page, as test_page_quality does.
    page = playwright_browser.new_context(bypass_csp=True).new_page()
    steps = []
    step = steps.append
    sign_in_in_the_browser(page, site, step)

    page.goto(site + "/sources/independent-lammy-raises-human-rights-concerns-in-talks-with-china/")
    step("open the source's page")
    page.get_by_role("link", name="Work on this document").click(), step("follow “Work on this document”")
    expect(page.locator("mark.name-known", has_text="Wang Yi").first).to_be_visible()

    # Selecting words in the text fills the passage field (the little script); then the editor pastes instead.
    # The script listens for selections once the page has loaded: a selection made before is not seen,
    # which, on a loaded machine, left the field empty (the marks above are visible before it loads).
    page.wait_for_load_state("load")
    page.locator("#source-text p", has_text="when the pair met on Friday").evaluate(
        """paragraph => {
            const range = document.createRange();
            range.selectNodeContents(paragraph);
            document.getSelection().removeAllRanges();
            document.getSelection().addRange(range);
        }"""
    )
    expect(page.get_by_label("Passage")).to_have_value(re.compile("^The Foreign Secretary had been under pressure"))

    # Pasted with a straight apostrophe where the source prints a typographic one.
    make_a_meeting_from_a_passage(page, site, step, PASSAGE, TITLE, "the suggested event")
    expect(page.locator("main")).to_contain_text("when the pair met on Friday during Mr Lammy’s first visit")
    expect(page.get_by_role("link", name=re.compile("David Lammy")).first).to_be_visible()

    event = Event.objects.get(title=TITLE)
    assert {p.person.name for p in event.participations.all()} == {"David Lammy", "Wang Yi"}
    assert event.citations.get().quote == PASSAGE.replace("Lammy's", "Lammy’s")
    # The README's "Adding a document" section gives this count.
    assert len(steps) == 13, steps


def test_an_editor_adds_a_document_makes_an_event_from_it_and_finds_it_on_the_timeline_with_its_citation(
    site, playwright_browser
):
    require(AXE.exists(), "axe-core (npm axe-core)")
    make_editor()
    page = playwright_browser.new_context(bypass_csp=True).new_page()
    steps = []
    step = steps.append
    sign_in_in_the_browser(page, site, step)

    page.get_by_role("link", name="Sources", exact=True).first.click(), step("open Sources")
    page.get_by_role("link", name="Add a document").click(), step("follow “Add a document”")
    assert axe_violations(page, "Add a document") == []
    page.get_by_label("Or paste it").fill(NEW_DOCUMENT.read_text()), step("paste the page's HTML")
    page.get_by_role("button", name="Extract the text").click(), step("extract the text")

    # The review form is filled from what the page says of itself; the editor checks it.
    expect(page.get_by_label("Title:", exact=True)).to_have_value(NEW_DOCUMENT_TITLE)
    expect(page.get_by_label("Kind:", exact=True)).to_have_value("news_article")
    expect(page.get_by_label("Outlet:", exact=True)).to_have_value("The Example Courier")
    expect(page.get_by_label("Published:", exact=True)).to_have_value("19 October 2024")
    expect(page.get_by_label("Text:", exact=True)).to_have_value(re.compile("David Lammy met Wang Yi on Friday"))
    expect(page.get_by_label("Text:", exact=True)).not_to_have_value(re.compile("Donate now|Sign up to our morning briefing"))
    expect(page.get_by_role("alert")).to_have_count(0)
    assert axe_violations(page, "the extracted document to review") == []
    page.get_by_role("button", name="Save the document").click(), step("save the document")

    # Saving lands on the new source's work page, its names already marked.
    source = Source.objects.get(title=NEW_DOCUMENT_TITLE)
    expect(page).to_have_url(site + f"/editors/sources/{source.slug}/work/")
    expect(page.locator("mark.name-known", has_text="Wang Yi").first).to_be_visible()

    # "on Friday" in a document of Saturday 19 October 2024.
    make_a_meeting_from_a_passage(page, site, step, NEW_PASSAGE, NEW_EVENT_TITLE, "the suggested event from the added document")
    citation = page.locator("figure.citation")
    expect(citation).to_have_count(1)
    expect(citation.locator("blockquote")).to_have_text(NEW_PASSAGE.replace("Russia's", "Russia’s"))
    expect(citation.locator("cite")).to_have_text(NEW_DOCUMENT_TITLE)
    read_in_source = citation.get_by_role("link", name=re.compile("Read in source"))
    expect(read_in_source).to_have_attribute("href", re.compile(f"^/sources/{source.slug}/"))

    event = Event.objects.get(title=NEW_EVENT_TITLE)
    assert {(p.person.name, p.role) for p in event.participations.all()} == {("David Lammy", "visitor"), ("Wang Yi", "host")}
    assert event.citations.get().source == source
    # The README's "Adding a document" section gives this count.
    assert len(steps) == 16, steps


def test_the_suggested_record_and_a_refused_passage_are_valid_html(committed_archive, client, tmp_path):
    require(shutil.which("java") and VNU.exists(), "Java and the Nu HTML Checker (npm vnu-jar)")
    client.force_login(make_editor())
    address = "/editors/sources/independent-lammy-raises-human-rights-concerns-in-talks-with-china/work/"
    files = []
    for name, passage, status in [("suggested", PASSAGE, 200), ("refused", "Not a passage of this text", 400)]:
        response = client.post(address, {"step": "suggest", "passage": passage, "kind": "event"})
        assert response.status_code == status
        file = tmp_path / f"{name}.html"
        file.write_bytes(response.content)
        files.append(str(file))
    assert nu_html_errors(files) == []


def make_a_meeting_from_a_passage(page, site, step, passage, title, checked_as):
    """On a work page: paste `passage`, take the suggested event (dated 18 October 2024, from "on
    Friday", with David Lammy and Wang Yi mentioned), make them visitor and host, save it as `title`,
    and open it from the timeline."""
    page.get_by_label("Passage").fill(passage), step("paste the passage")
    page.get_by_role("button", name="Suggest a record").click(), step("ask for a suggested event")
    expect(page.get_by_label("Date: precision")).to_have_value("day")
    expect(page.get_by_label("Date: earliest day")).to_have_value("2024-10-18")
    expect(page.get_by_label("David Lammy")).to_have_value("mentioned")
    expect(page.get_by_label("Wang Yi")).to_have_value("mentioned")
    assert axe_violations(page, checked_as) == []

    page.get_by_label("Title").fill(title), step("type a title")
    page.get_by_label("David Lammy").select_option("visitor"), step("make David Lammy the visitor")
    page.get_by_label("Wang Yi").select_option("host"), step("make Wang Yi the host")
    page.get_by_role("button", name="Confirm and save").click(), step("confirm")
    expect(page.get_by_role("status")).to_contain_text("Event saved")

    page.goto(site + "/"), step("open the timeline")
    page.get_by_role("link", name=title).click(), step("open the event")
    expect(page.get_by_text("18 October 2024").first).to_be_visible()
