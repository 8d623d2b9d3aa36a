import os
import shutil

import pytest
from django.conf import settings
from django.db import connection, transaction

from .helpers import load_archive_fixture, make_editor

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def pytest_configure(config):
    # Tests make staff users by the dozen; the real hasher spends most of a second on each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests change settings and data between two requests for the same page, and expect to see the
    # change; tests/test_freshness.py turns the page cache on where it checks that it is dropped.
    settings.SERVER_PAGE_CACHE = False


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
    """Counts and pages kept in the cache by one test must not show up in the next."""
    from django.core.cache import caches

    caches["default"].clear()
    caches["pages"].clear()


# Records kept for a run of tests
#
# Loading the archive takes a second or more, and many tests only read it. A session fixture
# named kept_* loads its records once, in a transaction left open, and the tests that ask for
# it run one after another (see pytest_collection_modifyitems), each in a savepoint of its own
# (pytest-django's `db`), so what one test writes is undone before the next. The transaction
# is rolled back as soon as the next test does not ask for the records: no other test sees them.


class KeptRecords:
    kept = {}  # by fixture name, every set made so far; at most one is loaded at a time

    def __init__(self, load, django_db_blocker):
        self.load = load
        self.django_db_blocker = django_db_blocker
        self.transaction = None

    @classmethod
    def fixture(cls, name, load, django_db_blocker):
        """The body of the session fixture `name`: yields the set, loaded, and rolls it back at the end."""
        records = cls.kept[name] = cls(load, django_db_blocker)
        records.open()
        yield records
        records.close()

    def open(self):
        if self.transaction is not None and connection.closed_in_transaction:
            # A command run as from the command line closes the connection as it ends, and
            # the records with it (on PostgreSQL; SQLite's in-memory database stays open).
            self.close()
        if self.transaction is None:
            with self.django_db_blocker.unblock():
                self.transaction = transaction.atomic()
                self.transaction.__enter__()
                self.load()

    def close(self):
        if self.transaction is not None:
            with self.django_db_blocker.unblock():
                transaction.set_rollback(True)
                self.transaction.__exit__(None, None, None)
            self.transaction = None


def kept_records_asked_for(item):
    return [name for name in item.fixturenames if name.startswith("kept_")]


def is_transactional(item):
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(item.fixturenames)
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Runs the tests that ask for the same kept records one after another, after the other
    tests in a transaction (pytest-django runs those first, then transactional tests)."""
    asking = [index for index, item in enumerate(items) if kept_records_asked_for(item)]
    for index in asking:
        item = items[index]
        if "db" not in item.fixturenames or is_transactional(item) or len(kept_records_asked_for(item)) > 1:
            raise pytest.UsageError(
                f"{item.nodeid}: kept records ({', '.join(kept_records_asked_for(item))}) are for tests "
                "in a transaction (`db`), one set at a time; a transactional test loads its own (committed_archive)."
            )
    if asking:
        first, last = asking[0], asking[-1] + 1
        items[first:last] = sorted(items[first:last], key=lambda item: kept_records_asked_for(item) or [""])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)  # the test's own savepoint is rolled back first
    finally:
        wanted = kept_records_asked_for(nextitem) if nextitem else []
        for name, records in KeptRecords.kept.items():
            if name not in wanted:
                records.close()
        for name in wanted:
            if name in KeptRecords.kept:
                KeptRecords.kept[name].open()


@pytest.fixture(scope="session")
def kept_archive(django_db_setup, django_db_blocker):
    yield from KeptRecords.fixture("kept_archive", load_archive_fixture, django_db_blocker)


@pytest.fixture
def archive(kept_archive, db):
    """The real archive: the records derived from the five seed documents, for a test in a transaction."""


@pytest.fixture
def committed_archive(transactional_db):
    """The real archive, loaded for a test that commits (a transactional test) or serves it to a browser."""
    load_archive_fixture()


@pytest.fixture
def site(live_server, committed_archive):
    """The address of a live server of the real archive."""
    return live_server.url


@pytest.fixture
def editor(client):
    """A superuser signed in with `client`."""
    user = make_editor()
    client.force_login(user)
    return user


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
