"""Faults: when the database is unreachable, pages answer 503 with a plain page, and the site
recovers by itself when the database is back.

The end-to-end test starts its own throwaway PostgreSQL cluster (tests/postgres.py) and a
gunicorn server, stops the database under it, and starts it again; it does not depend on the
database the rest of the suite runs on, so it runs in both of bin/test's runs.
"""

import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import IntegrityError, InterfaceError, OperationalError
from django.test import Client
from django.urls import include, path

from .conftest import require
from .postgres import free_port, missing, throwaway_cluster

ROOT = Path(__file__).resolve().parent.parent


def database_down(request):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def connection_lost(request):
    raise InterfaceError("connection already closed")


def integrity_fault(request):
    raise IntegrityError("a bug, not an outage")


# A test-only URLconf (pytest.mark.urls): the site's own URLs and views that meet database faults.
urlpatterns = [
    path("down/", database_down),
    path("lost/", connection_lost),
    path("integrity/", integrity_fault),
    path("", include("diplo.urls")),
]


def assert_plain_unavailable_page(status, headers, body):
    assert status == 503
    assert headers.get("Retry-After") == "30"
    assert "The archive is unavailable for a moment" in body
    for leak in ["Traceback", "OperationalError", "InterfaceError", "psycopg", "connection", "port 5432"]:
        assert leak not in body, leak


# In-process: no database is touched at all (pytest-django refuses any query outside a db test).


@pytest.mark.urls("tests.test_faults")
@pytest.mark.parametrize("url", ["/down/", "/lost/"])
def test_an_unreachable_database_is_a_plain_503_page_that_needs_no_database(url, caplog):
    with caplog.at_level(logging.ERROR, logger="diplo.middleware"):
        response = Client(raise_request_exception=False).get(url)

    assert_plain_unavailable_page(response.status_code, response.headers, response.content.decode())
    assert response.headers["Content-Security-Policy"] and response.headers["X-Frame-Options"] == "DENY"
    assert "Database unavailable" in caplog.text  # logged for whoever runs the site


@pytest.mark.urls("tests.test_faults")
def test_other_database_errors_are_still_the_500_page_not_a_503():
    response = Client(raise_request_exception=False).get("/integrity/")

    assert response.status_code == 500
    assert "Retry-After" not in response.headers


# End to end: gunicorn on a real PostgreSQL that is stopped and started again.


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}"
    return result


def fetch(url):
    """(status, headers, body) of a GET, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def site_environment(database_url, **env):
    base = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "DEBUG"}}
    return base | {
        "SECRET_KEY": "test-secret-key-not-for-production",
        "HTTPS": "0",
        "DIPLO_PLAIN_STATIC": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
    } | env


@pytest.fixture
def cluster():
    lacking = missing()
    require(lacking is None, lacking)
    with throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture
def site(cluster, tmp_path):
    """gunicorn serving the archive from the cluster, with two workers, each keeping its connection open."""
    env = site_environment(cluster.url)
    run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env)
    run([sys.executable, "manage.py", "loaddata", "diplo"], cwd=ROOT, env=env)
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    log = open(log_path, "w+")
    gunicorn = [sys.executable, "-m", "gunicorn", "diplo.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    # No control socket: its default path, in $HOME, is one for every gunicorn on the machine.
    server = subprocess.Popen([*gunicorn, "--timeout", "30", "--no-control-socket"], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                fetch(url + "/static/css/diplo.css")
                break
            except OSError:
                assert server.poll() is None, "gunicorn stopped:\n" + log_path.read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.2)
        yield url, log_path
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
        log.close()


@pytest.mark.slow
def test_pages_answer_503_while_the_database_is_down_and_recover_by_themselves_when_it_is_back(cluster, site):
    url, log = site
    for _ in range(4):  # both workers hold a connection
        assert fetch(url + "/")[0] == 200

    cluster.stop()
    for _ in range(4):
        assert_plain_unavailable_page(*fetch(url + "/"))
    assert fetch(url + "/people/")[0] == 503
    assert "Database unavailable for GET /" in log.read_text()

    cluster.start()
    statuses = []
    for _ in range(40):  # a few seconds at most
        statuses.append(fetch(url + "/")[0])
        if statuses[-1] == 200:
            break
        time.sleep(0.25)
    assert statuses[-1] == 200, statuses
    assert [fetch(url + "/")[0] for _ in range(4)] == [200] * 4  # every worker has reconnected
