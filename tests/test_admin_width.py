"""The admin at 1280 px: the event's participants fit beside one another without a sideways scroll."""

import pytest

from events.models import Event

from .helpers import make_editor, sign_in_in_the_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1280, "height": 800}


def test_the_participations_inline_fits_at_1280_px_with_office_order_and_delete_in_view(
    site, playwright_browser, tmp_path
):
    event = Event.objects.filter(participations__office__isnull=False).first()
    make_editor()
    context = playwright_browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    sign_in_in_the_browser(page, site)

    page.goto(f"{site}/admin/events/event/{event.pk}/change/")
    inline = page.locator("#participations-group table")
    inline.scroll_into_view_if_needed()
    page.screenshot(path=tmp_path / "participations-at-1280.png", full_page=True)

    wrapper = page.locator("#participations-group div.wrapper")
    sizes = wrapper.evaluate("element => [element.scrollWidth, element.clientWidth]")
    assert sizes[0] <= sizes[1], f"the inline is {sizes[0]} px wide in a box of {sizes[1]} px"
    for heading in ("Office", "Order", "Delete?"):
        cell = page.locator("#participations-group thead th", has_text=heading).first
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= LAPTOP["width"], f"{heading} is cut off at {box}"
    context.close()
