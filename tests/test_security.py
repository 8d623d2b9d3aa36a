"""Sign-in throttling, security headers, HTTPS, the deployment checklist, and the site's own error pages.

A missing SECRET_KEY stopping start-up is tested in test_settings.py; only staff reaching
the admin in test_admin.py.
"""

import json
import re
import subprocess
import sys

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import include, path

from .helpers import (
    ROOT,
    django_environment,
    public_pages,
    run_django,
    without_linked_data,
)

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "correct horse battery staple"


def broken_view(request):
    raise RuntimeError("broken_view failed on purpose")


# A test-only URLconf (pytest.mark.urls): the site's own URLs and one view that fails.
urlpatterns = [path("broken/", broken_view), path("", include("diplo.urls"))]


# Sign-in throttling (django-axes): five failures lock the account, or the address, for an hour.


@pytest.fixture
def editors(db):
    return [User.objects.create_user(f"editor{n}", password=PASSWORD, is_staff=True) for n in range(1, 4)]


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_the_account_so_even_the_right_password_is_refused_with_429(editors, client):
    for _ in range(4):
        assert sign_in(client, "editor1", "wrong").status_code == 200  # the form again, with its error

    fifth = sign_in(client, "editor1", "wrong")
    after = sign_in(client, "editor1", PASSWORD)
    elsewhere = sign_in(Client(), "editor1", PASSWORD, address="10.0.0.2")

    assert fifth.status_code == 429
    assert after.status_code == 429
    assert elsewhere.status_code == 429  # the account is locked, from any address
    assert "_auth_user_id" not in client.session
    assert sign_in(Client(), "editor2", PASSWORD, address="10.0.0.2").status_code == 302  # other accounts are not


def test_five_failures_across_different_accounts_from_one_address_lock_that_address(editors, client):
    for username in ["editor1", "editor2", "editor3", "nobody", "admin"]:
        sign_in(client, username, "wrong", address="10.0.0.9")

    assert sign_in(Client(), "editor1", PASSWORD, address="10.0.0.9").status_code == 429
    assert sign_in(Client(), "editor1", PASSWORD, address="10.0.0.10").status_code == 302  # the account is not locked


def test_the_lockout_page_is_in_the_sites_design_and_says_sign_in_is_locked_for_an_hour(editors, client):
    for _ in range(5):
        response = sign_in(client, "editor1", "wrong")

    html = response.content.decode()
    assert response.status_code == 429
    assert "Sign-in is locked for an hour" in html
    assert 'class="site-header"' in html
    assert "<title>Sign-in locked — Diplo</title>" in html


# Headers on every response


def assert_security_headers(response, what):
    policy = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy, what
    assert "frame-ancestors 'none'" in policy, what
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, what
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what
    assert response.headers.get("Referrer-Policy") == "same-origin", what
    assert response.headers.get("X-Frame-Options") == "DENY", what


def test_every_public_page_and_error_page_and_the_admin_sign_in_carry_the_security_headers(archive, client, editors):
    pages = [(name, client.get(url), status) for name, url, status in public_pages()]
    pages += [
        ("bad page number", client.get("/people/?page=x"), 400),
        ("nul in the address", client.get("/?q=%00"), 400),
        ("admin sign-in", client.get(LOGIN), 200),
        ("form without its CSRF token", Client(enforce_csrf_checks=True).post(LOGIN, {"username": "x"}), 403),
    ]
    for _ in range(5):
        locked = sign_in(client, "editor1", "wrong")
    pages.append(("sign-in locked", locked, 429))

    for name, response, status in pages:
        assert response.status_code == status, name
        assert_security_headers(response, name)


def test_static_files_are_not_sniffed_as_another_type(client):
    # WhiteNoise answers before the page middleware runs; a stylesheet needs no policy, only its type kept.
    response = client.get("/static/css/diplo.css")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"].startswith("text/css")


def test_public_pages_carry_no_inline_script_style_or_event_handler(archive, client):
    for name, url, _ in public_pages():
        # JSON-LD is a data block, which browsers neither run nor check against the policy.
        html = without_linked_data(client.get(url).content.decode())
        assert "<script" not in html.lower(), name
        assert "<style" not in html.lower(), name
        for tag in re.findall(r"<[a-zA-Z][^>]*>", html):
            assert not re.search(r"\s(style|on[a-z]+)\s*=", tag, re.IGNORECASE), f"{name}: {tag}"


# HTTPS, checked in a fresh process: the settings read HTTPS from the environment once, at start-up.

HTTPS_PROBE = """
import json
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
User.objects.create_user("editor", password="correct horse battery staple", is_staff=True)
client = Client()
plain = client.get("/people/")
page = client.get("/people/", secure=True)
sign_in_form = client.get("/admin/login/", secure=True)
credentials = {"username": "editor", "password": "correct horse battery staple"}
signed_in = client.post("/admin/login/", credentials, secure=True)
print(json.dumps({
    "plain": [plain.status_code, plain.headers.get("Location")],
    "hsts": page.headers.get("Strict-Transport-Security"),
    "signed_in": signed_in.status_code,
    "cookies": {name: bool(cookie["secure"]) for name, cookie in client.cookies.items()},
}))
"""


@pytest.mark.slow
def test_with_https_on_plain_http_is_redirected_and_responses_carry_hsts_and_cookies_are_secure(tmp_path):
    result = run_django(HTTPS_PROBE, HTTPS="1", DATABASE_URL=f"sqlite:///{tmp_path / 'https.sqlite3'}")
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    assert seen["plain"] == [301, "https://testserver/people/"]
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["signed_in"] == 302
    assert seen["cookies"] == {"csrftoken": True, "sessionid": True}


@pytest.mark.slow
def test_the_deployment_checklist_finds_no_issue_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        # HTTPS and static files with a manifest, as a deployment has them by default.
        env=django_environment(ALLOWED_HOSTS="diplo.example", HTTPS=None, DIPLO_PLAIN_STATIC=None),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# The site's own error pages


def test_a_form_sent_without_its_csrf_token_gets_the_sites_403_page_saying_what_to_do():
    response = Client(enforce_csrf_checks=True).post(LOGIN, {"username": "editor", "password": PASSWORD})

    html = response.content.decode()
    assert response.status_code == 403
    assert "The form could not be accepted" in html
    assert 'class="site-header"' in html
    assert "CSRF verification failed" not in html  # Django's own page


@pytest.mark.urls("tests.test_security")
def test_a_fault_in_a_view_is_the_sites_500_page_without_a_traceback():
    response = Client(raise_request_exception=False).get("/broken/")

    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert 'class="site-header"' in html
    assert "Traceback" not in html and "RuntimeError" not in html and "on purpose" not in html
    assert_security_headers(response, "500 page")
