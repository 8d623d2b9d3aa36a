"""What the tests share: reading a page as a visitor does, posting an admin form back, the
archive and its public pages, and fresh Django processes for settings read once at start-up.

Fixtures are in conftest.py; records are made with factories.py."""

import os
import re
import secrets
import subprocess
import sys
from html import unescape
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management import call_command
from django.forms import CheckboxInput

from events.models import Event, Organization, Person, Sanction, Source, Topic

ROOT = Path(__file__).resolve().parent.parent

# Pages


BLOCK_TAG = re.compile(
    r"</?(p|div|li|ul|ol|dl|dt|dd|h[1-6]|section|article|header|footer|nav|main"
    r"|blockquote|figure|figcaption|br|title|option)\b[^>]*>"
)


def html_of(response):
    return response.content.decode()


# A page's data for machines (its JSON-LD), which no reader sees and no browser runs.
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)
LINKED_DATA = re.compile(r'<script type="application/ld\+json">[^<]*</script>')


def without_linked_data(html):
    """`html` without its JSON-LD: JavaScript is what is left of its scripts. (Text in JSON-LD
    writes every "<" as an escape, so the element holds none: tests/test_citing.py.)"""
    return LINKED_DATA.sub("", html)


def text_of(response):
    """The page's text as a reader sees it: blocks apart, inline tags and scripts gone, spaces collapsed."""
    html = BLOCK_TAG.sub(" ", SCRIPT.sub(" ", html_of(response)))
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html))).strip()


def passages(response):
    """The passages under a search's results, as HTML."""
    return re.findall(r'<p class="passage">(.*?)</p>', html_of(response), re.S)


def titles(response):
    """The event titles the page lists, in order."""
    found = re.findall(r'class="event-title"><a href="[^"]*">([^<]*)</a>', html_of(response))
    return [unescape(title) for title in found]


def summary(response):
    """The line above a list that says how many it holds and what it is filtered by, as text."""
    html = re.search(r'<p class="summary">(.*?)</p>', html_of(response), re.S).group(1)
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


def form_data(response):
    """What an admin page's form shows, as a browser would post it back: the form and every inline."""
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets") or []:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if isinstance(field.field.widget, CheckboxInput):
                if value:
                    data[field.html_name] = "on"
            elif isinstance(value, (list, tuple)):
                data[field.html_name] = [str(item) for item in value]
            else:
                data[field.html_name] = "" if value is None else str(value)
    return data


# The real archive


def load_archive_fixture():
    """Loads fixtures/diplo.json and the spelling variants search uses by name, as bin/serve does
    (settings.FIXTURE_DIRS holds fixtures/)."""
    call_command("loaddata", "diplo", "spelling_variants", verbosity=0)


def lammy_meets_wang_yi():
    return Event.objects.get(slug="david-lammy-meets-wang-yi")


def public_pages():
    """(name, path, expected status) for every kind of public page, from the loaded archive."""
    event = Event.objects.published().get(participations__person__slug="wang-yi", kind="meeting")
    return [
        ("timeline", "/", 200),
        ("timeline filtered", "/?actor=Mr+Lammy&date_from=2024&topic=human-rights", 200),
        ("timeline with a bad date", "/?date_from=2024-13-40", 400),
        ("timeline in a month, some events only maybe", "/?date_from=October+2024&date_to=October+2024", 200),
        ("timeline of events with no known date, oldest first", "/?date=unknown&sort=oldest", 200),
        # Its chart a bar per month, most of them hatched for events known only to the year or by a day.
        ("timeline of a year, charted by month", "/?date_from=2024&date_to=2024", 200),
        ("timeline for a name nobody has", "/?actor=Alicia+Kerns", 200),
        ("timeline for a name several have", "/?actor=David&topic=human-rights", 200),
        ("timeline searched, most relevant first", "/?q=Uyghur+sanctioned", 200),
        ("timeline searched, in date order", "/?q=%22forced+labour%22&sort=oldest", 200),
        ("timeline searched for a common word only", "/?q=the", 400),
        ("event", event.get_absolute_url(), 200),
        ("people", "/people/", 200),
        ("person", Person.objects.get(slug="david-lammy").get_absolute_url(), 200),
        ("organizations", "/organizations/", 200),
        ("organization", Organization.objects.filter(sanctions_imposed__isnull=False).first().get_absolute_url(), 200),
        ("sanctions", "/sanctions/", 200),
        ("sanctions filtered", "/sanctions/?imposing_country=CN&year=2021", 200),
        ("sanction", Sanction.objects.exclude(responses=None).first().get_absolute_url(), 200),
        ("sanctions for a target nobody has", "/sanctions/?target=Boris+Johnson", 200),
        ("sources", "/sources/", 200),
        ("source", Source.objects.order_by("pk").first().get_absolute_url(), 200),
        ("topics", "/topics/", 200),
        ("topic", Topic.objects.get(slug="human-rights").get_absolute_url(), 200),
        ("unknown page", "/events/no-such-event/", 404),
        # Claims no quote states, marked where they appear (issue 11), and placeholders listed apart.
        ("event with claims", Event.objects.filter(participations__claim_bases__isnull=False).first().get_absolute_url(), 200),
        ("sanction with claims", Sanction.objects.filter(claim_bases__isnull=False).first().get_absolute_url(), 200),
        ("person with claims", Person.objects.filter(offices__claim_bases__isnull=False).first().get_absolute_url(), 200),
        ("source with inferences", Source.objects.filter(citations__claim_bases__isnull=False).first().get_absolute_url(), 200),
        ("people not named", "/people/?unnamed=1", 200),
        # Every ISO country and the EU (issue 12), and the sanction's status log.
        ("timeline in a country the archive has no events in", "/?country=FR", 200),
        ("sanctions imposed by the EU", "/sanctions/?imposing_country=EU", 200),
        ("sanction with its status log", Sanction.objects.exclude(status_log=None).first().get_absolute_url(), 200),
        # Issue 10: the page about the data, its downloads, licence and citation.
        ("about the data", "/about/data/", 200),
    ]


def editor_pages():
    """(name, path) of the pages only editors see, outside the admin."""
    return [
        ("claim audit", "/audit/claims/"),
        ("work on a document", "/editors/sources/independent-lammy-raises-human-rights-concerns-in-talks-with-china/work/"),
    ]


# Fresh processes: settings are read once, at start-up, so what they make of the environment
# is seen only in a process of its own.

# What diplo/settings.py reads, and the test run's own allowance for Playwright (which the
# deployment checklist rightly refuses): a fresh process inherits none of them.
SETTINGS_VARIABLES = {
    "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL", "DATABASE_REPLICA_URL", "CONN_MAX_AGE", "CACHE_URL", "PAGE_CACHE_SECONDS",
    "DIPLO_PLAIN_STATIC", "HTTPS", "SECURE_SSL_REDIRECT", "BEHIND_TLS_PROXY",
    "AXES_FAILURE_LIMIT", "LOG_LEVEL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DIPLO_API_RATE",
    "DIPLO_DOCUMENT_MAX_BYTES", "DIPLO_FETCH_TIMEOUT", "DIPLO_FETCH_ALLOW_PRIVATE",
}


def django_environment(**env):
    """A fresh process's environment: production settings with a new secret key, reached as the
    test client reaches them (plain HTTP, static files without a manifest, host "testserver"),
    then `env`. A variable given as None is left unset."""
    inherited = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    chosen = inherited | {
        "DJANGO_SETTINGS_MODULE": "diplo.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HTTPS": "0",
        "DIPLO_PLAIN_STATIC": "1",
        "ALLOWED_HOSTS": "testserver",
    } | env
    return {key: value for key, value in chosen.items() if value is not None}


def run_django(code, **env):
    """Runs `code` after django.setup() in a fresh process with django_environment(**env)."""
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT,
        env=django_environment(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


EDITOR_PASSWORD = "a-long-editor-password"


def make_editor(username="editor"):
    """A superuser whose password a browser can type."""
    return User.objects.create_superuser(username, f"{username}@example.org", EDITOR_PASSWORD)


def sign_in_in_the_browser(page, site, step=lambda what: None):
    """Signs the browser's `page` in to the admin as make_editor()'s editor, landing on the admin's
    index; `step` is told each step a person takes."""
    page.goto(site + "/admin/")
    page.get_by_label("Username").fill("editor"), step("type the user name")
    page.get_by_label("Password").fill(EDITOR_PASSWORD), step("type the password")
    page.get_by_role("button", name="Log in").click(), step("log in")
