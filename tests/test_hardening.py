"""What a red-team pass found (issue 15) and this file holds the site to: the sign-in lockout
cannot be reset from another account, editors saving at once on SQLite are not refused, reads
keep working when the SQLite file cannot be written, every answer Django gives carries the
security headers, the admin's history pages answer a bad or forbidden version alike, public
pages take GET and HEAD only, and right-to-left marks in record text cannot reorder the page.
"""

import json
import os
import re
import subprocess
from html import escape, unescape

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from events.models import Participation

from .factories import (
    make_event,
    make_office,
    make_organization,
    make_person,
    make_sanction,
    make_topic,
    take_part,
)
from .helpers import BLOCK_TAG, html_of, run_django, without_linked_data
from .test_security import PASSWORD, assert_security_headers, sign_in

pytestmark = pytest.mark.django_db

ON_SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
only_on_sqlite = pytest.mark.skipif(not ON_SQLITE, reason="a test of Diplo's SQLite settings; the SQLite run has it")


# Finding 4: signing in to one's own account must not wipe the failures against another.


def test_signing_in_to_another_account_between_wrong_guesses_does_not_save_an_account_from_lockout():
    User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    User.objects.create_user("attacker", password="the attacker's own password", is_staff=True)

    for _ in range(16):
        sign_in(Client(), "editor", "a wrong guess")
        sign_in(Client(), "attacker", "the attacker's own password")

    assert sign_in(Client(), "editor", PASSWORD, address="10.0.0.2").status_code == 429


def test_signing_in_still_forgets_that_accounts_own_earlier_mistakes():
    User.objects.create_user("editor", password=PASSWORD, is_staff=True)

    for _ in range(4):
        sign_in(Client(), "editor", "a typo")
    assert sign_in(Client(), "editor", PASSWORD).status_code == 302
    for _ in range(4):
        sign_in(Client(), "editor", "another typo")

    assert sign_in(Client(), "editor", PASSWORD).status_code == 302


# Finding 5: editors saving at once on SQLite. The settings are read at start-up and the test
# database is in memory, so a fresh process makes a real SQLite file and forks eight editors,
# each a process with a connection of its own as gunicorn's workers are, who sign in at once and
# then save their own records through the admin, again and again, until the time is up.

EDITORS_SAVING_AT_ONCE = """
import json, multiprocessing, time
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment
from tests.factories import make_person
from tests.helpers import form_data

EDITORS, SECONDS = 8, {seconds}
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
setup_test_environment()  # so that responses carry the context form_data reads
call_command("migrate", verbosity=0)
people = [make_person(f"Person {{n}}") for n in range(EDITORS)]
for n in range(EDITORS):
    User.objects.create_superuser(f"editor{{n}}", password="a-long-editor-password")
connection.close()  # each editor opens its own

processes = multiprocessing.get_context("fork")
start = processes.Barrier(EDITORS)
outcomes = processes.Queue()

def edit(n):
    client = Client(REMOTE_ADDR=f"10.0.1.{{n}}")
    saves, failures = 0, []
    start.wait()
    signed_in = client.post("/admin/login/", {{"username": f"editor{{n}}", "password": "a-long-editor-password"}})
    if signed_in.status_code != 302:
        outcomes.put([0, [["sign-in", n, signed_in.status_code]]])
        return
    url = f"/admin/events/person/{{people[n].pk}}/change/"
    deadline = time.monotonic() + SECONDS
    while time.monotonic() < deadline:
        form = client.get(url)
        if form.status_code != 200:
            failures.append(["form", n, form.status_code])
            continue
        data = form_data(form)
        data["description"] = f"Saved by editor {{n}} at {{time.monotonic()}}"
        saved = client.post(url, data)
        if saved.status_code == 302:
            saves += 1
        else:
            failures.append(["save", n, saved.status_code])
    outcomes.put([saves, failures])

editors = [processes.Process(target=edit, args=(n,)) for n in range(EDITORS)]
for editor in editors:
    editor.start()
results = [outcomes.get(timeout=SECONDS + 120) for _ in editors]
for editor in editors:
    editor.join()
print(json.dumps({{
    "saves": sum(saves for saves, _ in results),
    "editors_who_saved": sum(1 for saves, _ in results if saves),
    "failures": [failure for _, failures in results for failure in failures],
}}))
"""


@only_on_sqlite
@pytest.mark.slow
def test_eight_editors_saving_their_records_through_the_admin_at_once_on_sqlite_are_never_refused(tmp_path):
    # Issue 15 asks for 15 seconds; a normal run holds them together for 5.
    seconds = 15 if os.environ.get("DIPLO_STRESS") == "1" else 5
    result = run_django(
        EDITORS_SAVING_AT_ONCE.format(seconds=seconds), DATABASE_URL=f"sqlite:///{tmp_path / 'diplo.sqlite3'}"
    )

    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["failures"] == [], result.stderr[-3000:]
    assert outcome["editors_who_saved"] == 8


# Finding 16: a SQLite file that cannot be written. Root writes through chmod, so as root the
# file is made immutable instead (chattr +i), which refuses writes even through a descriptor
# opened before: just as a site that was running finds its file when it becomes read-only.

READING_A_READ_ONLY_FILE = """
import json, os, subprocess
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connections
from django.test import Client
from tests.factories import make_event, make_person, take_part

call_command("migrate", verbosity=0)
User.objects.create_user("editor", password="a-long-editor-password", is_staff=True)
person = make_person("Ada Lovelace")
take_part(make_event("Ada Lovelace meets the Foreign Secretary"), person)
credentials = {{"username": "editor", "password": "a-long-editor-password"}}
pages = ["/", "/people/", person.get_absolute_url()]

client = Client()
client.get("/people/")  # the site has been serving: its connection is open

locked = {locked}
if os.geteuid() == 0:
    subprocess.run(["chattr", "+i", *locked], check=True)
else:
    for path in locked:
        os.chmod(path, 0o555 if os.path.isdir(path) else 0o444)

# A write on the connection opened while the file could be written. With a rollback journal it
# failed halfway and left the journal behind, which every later reader had to roll back and could not.
client.post("/admin/login/", credentials)
connections.close_all()  # as a connection's CONN_MAX_AGE runs out
signed_in_afresh = Client().post("/admin/login/", credentials).status_code
reads = {{page: Client().get(page).status_code for page in pages}}
print(json.dumps({{"signed_in_afresh": signed_in_afresh, "reads": reads}}))
"""


def unlock(paths):
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", *paths], check=False, capture_output=True)
    for path in paths:
        if os.path.exists(path):
            os.chmod(path, 0o755 if os.path.isdir(path) else 0o644)


@only_on_sqlite
@pytest.mark.slow
@pytest.mark.parametrize("what", ["the file", "the file and its folder"])
def test_when_the_sqlite_file_cannot_be_written_pages_are_still_read(tmp_path, what):
    if os.geteuid() == 0:
        probe = tmp_path / "probe"
        probe.touch()
        can_lock = subprocess.run(["chattr", "+i", probe], capture_output=True).returncode == 0
        unlock([probe])
        if not can_lock:
            pytest.skip("root here cannot make a file immutable (chattr +i), and nothing else stops root writing")
    folder = tmp_path / "data"
    folder.mkdir()
    database = folder / "diplo.sqlite3"
    locked = [str(database)] if what == "the file" else [str(database), str(folder)]

    try:
        result = run_django(READING_A_READ_ONLY_FILE.format(locked=locked), DATABASE_URL=f"sqlite:///{database}")
    finally:
        unlock(locked)

    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["signed_in_afresh"] == 503  # writes really are refused
    assert outcome["reads"] == {page: 200 for page in outcome["reads"]}, result.stderr[-3000:]


# Finding 10: every answer Django gives carries the security headers.


def test_a_refused_host_header_gets_the_security_headers():
    response = Client().get("/", HTTP_HOST="attacker.example")

    assert response.status_code == 400
    assert_security_headers(response, "refused host")


def test_the_redirect_that_adds_a_trailing_slash_gets_the_security_headers(client):
    response = client.get("/people")

    assert response.status_code == 301
    assert response.headers["Location"] == "/people/"
    assert_security_headers(response, "trailing-slash redirect")


# Finding 11: the admin's page of one version of a record.


def version_url(event_pk, version_id):
    return f"/admin/events/event/{event_pk}/history/{version_id}/"


def test_a_version_that_is_not_a_number_is_not_found_not_a_server_error(editor, client):
    event = make_event()

    assert client.get(version_url(event.pk, "abc")).status_code == 404
    assert client.get(version_url("abc", "1")).status_code == 404
    assert client.get(version_url(event.pk, "9" * 30)).status_code == 404


def test_staff_who_may_not_see_history_get_the_same_answer_for_a_version_that_exists_and_one_that_does_not(client):
    event = make_event()
    version = event.history.latest("history_date")
    client.force_login(User.objects.create_user("someone", password=PASSWORD, is_staff=True))

    existing = client.get(version_url(event.pk, version.history_id))
    missing = client.get(version_url(event.pk, version.history_id + 1000))
    not_a_number = client.get(version_url(event.pk, "abc"))

    assert existing.status_code == missing.status_code == not_a_number.status_code == 403


# Finding 12: public pages are read, never sent anything.


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "PUT", "DELETE", "PATCH", "POST"])
def test_public_pages_answer_any_method_but_get_and_head_with_the_sites_405_page(method):
    person = make_person()
    browser = Client(enforce_csrf_checks=True)  # as a browser is: before, a PUT got the CSRF page

    for url in ["/", "/people/", person.get_absolute_url(), "/no-such-page/"]:
        response = browser.generic(method, url)

        assert response.status_code == 405, url
        assert response.headers["Allow"] == "GET, HEAD"
        assert 'class="site-header"' in html_of(response)
        assert_security_headers(response, f"{method} {url}")


def test_public_pages_still_answer_get_and_head(client):
    assert client.get("/people/").status_code == 200
    assert client.head("/people/").status_code == 200


def test_the_admin_still_takes_a_sign_in_form():
    User.objects.create_user("editor", password=PASSWORD, is_staff=True)

    assert Client().post("/admin/login/", {"username": "editor", "password": "wrong"}).status_code == 200
    assert sign_in(Client(), "editor", PASSWORD).status_code == 302


# Finding 14: a right-to-left override (U+202E) in a record's text reverses everything after it up
# to the end of its block (paragraph, list item, heading), unless the text is isolated: in a <bdi>,
# or an element with dir="auto", which is the same. Harmless only where the text ends the block.

OVERRIDE = "\u202e"


def reordered_blocks(response, values):
    """The page's blocks in which an override in one of `values` reorders the text after it.

    Left out: the <title>, which cannot hold an element; each <option>, shown on its own; and a
    sanction's link in a list, isolated by the stylesheet (`.sanction > a`) because
    tests/test_pages.py pins its markup."""
    html = without_linked_data(html_of(response))
    html = re.sub(r"<(title|option|bdi)\b[^>]*>.*?</\1>", "", html, flags=re.S)
    html = re.sub(r'<a\b[^>]*\bdir="auto"[^>]*>.*?</a>', "", html, flags=re.S)
    html = re.sub(r'(<li class="sanction">\s*)<a\b[^>]*>[^<]*</a>', r"\1", html)
    blocks = [unescape(re.sub(r"<[^>]+>", "", block)).strip() for block in BLOCK_TAG.split(html)]
    return [block for block in blocks if OVERRIDE in block and not ends_with_its_override(block, values)]


def ends_with_its_override(block, values):
    return any(block.endswith(value) and OVERRIDE not in block[: -len(value)] for value in values)


@pytest.fixture
def reversed_records():
    """Records whose names and titles carry an override, linked as an archive's records are.

    A summary is its own paragraph of the record's own text, and is left without one."""
    person = make_person(f"Ali {OVERRIDE}Evil")
    organization = make_organization(f"Ministry {OVERRIDE}of Evil")
    topic = make_topic(f"Topic {OVERRIDE}reversed")
    event = make_event(
        f"Meeting {OVERRIDE}reversed", place=f"Place {OVERRIDE}reversed", topics=[topic], summary="They met."
    )
    office = make_office(person, title=f"Envoy {OVERRIDE}reversed", organization=organization)
    take_part(event, person, Participation.Role.HOST, office=office)
    take_part(event, organization)
    sanction = make_sanction(person, imposed_by=organization, measures=f"Asset {OVERRIDE}freeze")
    values = [person.name, organization.name, topic.name, event.title, event.place, office.title, sanction.measures]
    return {"person": person, "event": event, "sanction": sanction, "topic": topic, "values": [*values, str(sanction)]}


def test_a_name_with_a_right_to_left_override_is_isolated_in_the_timelines_summary(client, reversed_records):
    person = reversed_records["person"]

    response = client.get("/", {"actor": person.slug, "q": f"meeting {OVERRIDE}x"})

    assert f"with <bdi>{escape(person.name)}</bdi>" in html_of(response)
    assert f"matching “<bdi>meeting {OVERRIDE}x</bdi>”" in html_of(response)
    assert reordered_blocks(response, reversed_records["values"]) == []


def test_a_name_with_a_right_to_left_override_is_isolated_on_the_person_page(client, reversed_records):
    person = reversed_records["person"]

    response = client.get(person.get_absolute_url())

    assert f"<bdi>{escape(person.name)}</bdi>" in html_of(response)
    assert reordered_blocks(response, reversed_records["values"]) == []


def test_a_person_with_no_events_is_named_in_an_isolate_in_the_sentence_saying_so(client):
    person = make_person(f"Ali {OVERRIDE}Evil")

    response = client.get(person.get_absolute_url())

    assert f"No published event records <bdi>{escape(person.name)}</bdi> yet." in html_of(response)


@pytest.mark.parametrize(
    "url",
    [
        lambda records: records["event"].get_absolute_url(),
        lambda records: records["sanction"].get_absolute_url(),
        lambda records: records["sanction"].imposed_by.get_absolute_url(),
        lambda records: records["topic"].get_absolute_url(),
        lambda records: reverse("timeline"),
        lambda records: reverse("person_list"),
        lambda records: reverse("organization_list"),
        lambda records: reverse("sanction_list"),
        lambda records: reverse("topic_list"),
    ],
    ids=["event", "sanction", "organization", "topic", "timeline", "people", "organizations", "sanctions", "topics"],
)
def test_record_text_with_a_right_to_left_override_is_isolated_wherever_text_follows_it(client, reversed_records, url):
    response = client.get(url(reversed_records))

    assert response.status_code == 200
    assert reordered_blocks(response, reversed_records["values"]) == []
