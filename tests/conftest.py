import os
import shutil

import pytest
from django.core.management import call_command
from django.db import connection

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def require(condition, what):
    """Skip loudly when a tool is missing; under CI=true a missing tool fails the run instead."""
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required when CI=true", pytrace=False)
    pytest.skip(f"{what} is not available here")


@pytest.fixture(autouse=True, scope="session")
def database_is_the_one_asked_for(django_db_setup, django_db_blocker):
    # bin/test sets DIPLO_EXPECT_POSTGRES for its second run, so that run can never
    # quietly fall back to SQLite.
    if os.environ.get("DIPLO_EXPECT_POSTGRES"):
        with django_db_blocker.unblock():
            assert connection.vendor == "postgresql", f"expected PostgreSQL, got {connection.vendor}"


@pytest.fixture(autouse=True)
def empty_cache():
    """Counts kept in the cache by one test must not show up in the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def archive(db):
    """The real archive: the records derived from the five seed documents."""
    call_command("loaddata", "diplo", verbosity=0)


@pytest.fixture(scope="session")
def playwright_browser():
    require(os.path.exists(CHROMIUM), "Debian's Chromium (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(playwright_browser):
    context = playwright_browser.new_context(java_script_enabled=True)
    page = context.new_page()
    yield page
    context.close()
