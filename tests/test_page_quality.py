"""Every kind of public page, checked as a person meets it: valid HTML (Nu HTML Checker),
no axe-core WCAG 2 A/AA violations, readable at phone width, and no JavaScript needed."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import require
from .helpers import (
    editor_pages,
    make_editor,
    public_pages,
    sign_in_in_the_browser,
    without_linked_data,
)

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"
AXE = ROOT / "node_modules/axe-core/axe.min.js"
PHONE = {"width": 375, "height": 800}


@pytest.mark.django_db
def test_every_page_answers_with_its_status_and_uses_no_javascript(archive, client):
    for name, path, status in public_pages():
        response = client.get(path)
        assert response.status_code == status, name
        assert "<script" not in without_linked_data(response.content.decode()).lower(), name


@pytest.mark.django_db
@pytest.mark.slow
def test_every_page_is_valid_html_by_the_nu_html_checker(archive, client, tmp_path):
    require(shutil.which("java") and VNU.exists(), "Java and the Nu HTML Checker (npm vnu-jar)")
    files = []
    for name, path, _ in public_pages():
        file = tmp_path / (name.replace(" ", "-") + ".html")
        file.write_bytes(client.get(path).content)
        files.append(str(file))
    assert nu_html_errors(files) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_no_page_has_an_axe_violation_of_wcag_2_a_or_aa_at_desktop_or_phone_width(site, playwright_browser):
    require(AXE.exists(), "axe-core (npm axe-core)")
    failures = []
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        # axe is injected as an inline script, which the site's CSP rightly blocks.
        context = playwright_browser.new_context(viewport=viewport, bypass_csp=True)
        page = context.new_page()
        for name, path, _ in public_pages():
            page.goto(site + path)
            failures += axe_violations(page, f"{name} at {viewport['width']}px")
        context.close()
    assert failures == []


@pytest.mark.django_db
@pytest.mark.slow
def test_every_editors_page_is_valid_html_by_the_nu_html_checker(archive, client, tmp_path):
    require(shutil.which("java") and VNU.exists(), "Java and the Nu HTML Checker (npm vnu-jar)")
    client.force_login(make_editor())
    files = []
    for name, path in editor_pages():
        response = client.get(path)
        assert response.status_code == 200, name
        file = tmp_path / (name.replace(" ", "-") + ".html")
        file.write_bytes(response.content)
        files.append(str(file))
    assert nu_html_errors(files) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_no_editors_page_has_an_axe_violation_at_desktop_or_phone_width(site, playwright_browser):
    require(AXE.exists(), "axe-core (npm axe-core)")
    make_editor()
    failures = []
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        context = playwright_browser.new_context(viewport=viewport, bypass_csp=True)
        page = context.new_page()
        sign_in_in_the_browser(page, site)
        for name, path in editor_pages():
            page.goto(site + path)
            failures += axe_violations(page, f"{name} at {viewport['width']}px")
        context.close()
    assert failures == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_every_page_fits_a_phone_screen_without_sideways_scrolling(site, playwright_browser):
    context = playwright_browser.new_context(viewport=PHONE, java_script_enabled=True)
    page = context.new_page()
    too_wide = []
    for name, path, _ in public_pages():
        page.goto(site + path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide.append(f"{name}: {width}px")
    context.close()
    assert too_wide == []


def nu_html_errors(files):
    """The Nu HTML Checker's errors in `files`, each as "file:line: message"."""
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}" for m in messages]


def axe_violations(page, where):
    """axe-core's WCAG 2 A and AA violations on the page open in `page`, each as "where: rule: help [targets]"."""
    # A click on a link returns once the next page is asked for, not once it is there: checking then
    # would check no page (a busy machine's CI failed so, with no document to add axe to).
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
    )
    return [
        f"{where}: {violation['id']}: {violation['help']} {[node['target'] for node in violation['nodes']][:3]}"
        for violation in result["violations"]
    ]
