"""The deployment the README's Production section describes: gunicorn with gunicorn.conf.py,
behind nginx with deploy/nginx.conf.

The end-to-end tests start both here, on free ports on 127.0.0.1, in a folder of their own: the
site on a SQLite file with production settings (HTTPS on), nginx with the example configuration
as it stands but for its ports, its certificate (a throwaway one, made by openssl) and its host
name. Everything they start is stopped at the end, and every wait has a limit.
"""

import http.client
import os
import re
import runpy
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.csp import build_policy

from .conftest import require
from .helpers import django_environment
from .postgres import free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = ROOT / "gunicorn.conf.py"
SITE_CONFIG = ROOT / "deploy" / "nginx.conf"
HOST = "diplo.example.org"  # the example's server_name
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # Debian's, not on a user's PATH
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
# Far below the 30 s a request waited behind two idle connections with one sync worker.
PROMPT_SECONDS = 4


# The configuration files, read without starting anything.


def test_gunicorn_waits_longer_than_a_save_may_wait_for_sqlites_write_lock():
    config = runpy.run_path(str(GUNICORN_CONFIG))

    assert config["timeout"] > settings.SQLITE_OPTIONS["timeout"]
    assert config["graceful_timeout"] > settings.SQLITE_OPTIONS["timeout"]


def test_gunicorn_uses_threads_so_an_idle_connection_holds_a_thread_not_a_worker():
    config = runpy.run_path(str(GUNICORN_CONFIG))

    assert config["worker_class"] == "gthread" and config["threads"] > 2


def test_the_proxys_content_security_policy_is_the_sites_own():
    policy = re.search(r'map \$upstream_http_content_security_policy \$diplo_csp \{\s*""\s*"([^"]*)"',
                       SITE_CONFIG.read_text()).group(1)

    assert policy == build_policy(settings.SECURE_CSP)


# End to end: gunicorn and nginx, started here.


def start(command, log_path, **kwargs):
    log = open(log_path, "w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **kwargs)
    process.log_path = log_path
    log.close()  # the child has its own copy
    return process


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def wait_until_listening(port, process, limit=30):
    deadline = time.monotonic() + limit
    while True:
        assert process.poll() is None, f"{process.args[0]} stopped:\n{Path(process.log_path).read_text()}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert time.monotonic() < deadline, f"nothing listened on port {port} within {limit} s"
            time.sleep(0.2)


def get(port, path="/", tls=False, headers=None):
    """(status, headers, seconds taken) of a GET to 127.0.0.1:port for the example's host."""
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the throwaway certificate; what is tested is the proxy
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=context)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.monotonic()
    try:
        connection.request("GET", path, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        response.read()
        return response.status, response.headers, time.monotonic() - started
    finally:
        connection.close()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("deploy")


@pytest.fixture(scope="module")
def gunicorn(folder):
    """The port of gunicorn serving an empty archive with production settings, started as the
    README says (from the project's folder, which holds gunicorn.conf.py), with one worker: the
    worker's threads alone must keep it answering."""
    env = django_environment(
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}", ALLOWED_HOSTS=HOST, HTTPS="1", WEB_CONCURRENCY="1",
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True,
                   timeout=120)
    port = free_port()
    # No control socket: its default path, in $HOME, is one for every gunicorn on the machine.
    server = start([sys.executable, "-m", "gunicorn", "diplo.wsgi", "--bind", f"127.0.0.1:{port}",
                    "--no-control-socket"], folder / "gunicorn.log", cwd=ROOT, env=env)
    try:
        wait_until_listening(port, server)
        yield port
    finally:
        stop(server)


@pytest.fixture(scope="module")
def certificate(folder):
    require(os.access(OPENSSL, os.X_OK), "openssl")
    certificate, key = folder / "certificate.pem", folder / "key.pem"
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", "2", "-subj", f"/CN={HOST}", "-keyout", key, "-out", certificate],
                   check=True, capture_output=True, timeout=60)
    return certificate, key


def site_config(gunicorn_port, https_port, http_port, certificate, key):
    """deploy/nginx.conf with only its ports and certificate changed."""
    text = SITE_CONFIG.read_text()
    for old, new in [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{gunicorn_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        (f"/etc/letsencrypt/live/{HOST}/fullchain.pem;", f"{certificate};"),
        (f"/etc/letsencrypt/live/{HOST}/privkey.pem;", f"{key};"),
    ]:
        assert text.count(old) == 1, f"deploy/nginx.conf no longer holds {old!r} once: update this test"
        text = text.replace(old, new)
    return text


def main_config(folder):
    """An nginx.conf of nginx's own, in `folder`, around the site's: what Debian's /etc/nginx/nginx.conf
    gives a site, with every file nginx writes kept in `folder`."""
    # As root, nginx's workers would run as nobody, who cannot read the test's private folder.
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
daemon off;
{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/diplo.conf;
}}
"""


@pytest.fixture(scope="module")
def proxy(folder, gunicorn, certificate):
    """(HTTPS port, HTTP port) of nginx running deploy/nginx.conf in front of gunicorn."""
    require(os.access(NGINX, os.X_OK), "nginx")
    https_port, http_port = free_port(), free_port()
    (folder / "diplo.conf").write_text(site_config(gunicorn, https_port, http_port, *certificate))
    (folder / "nginx.conf").write_text(main_config(folder))
    server = start([NGINX, "-p", folder, "-c", folder / "nginx.conf", "-e", folder / "error.log"],
                   folder / "nginx.out")
    try:
        wait_until_listening(https_port, server)
        yield https_port, http_port
    finally:
        stop(server)


def assert_the_sites_headers(headers):
    """Every security header once, with the site's value."""
    expected = {
        "Content-Security-Policy": build_policy(settings.SECURE_CSP),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    }
    for name, value in expected.items():
        assert headers.get_all(name) == [value], name


@pytest.mark.slow
def test_a_page_through_the_proxy_is_served_over_https_with_the_sites_headers(proxy):
    https_port, _ = proxy

    status, headers, _ = get(https_port, "/", tls=True)

    assert status == 200  # not a redirect: Django learnt from the proxy that the request came over HTTPS
    assert_the_sites_headers(headers)


@pytest.mark.slow
def test_plain_http_through_the_proxy_is_redirected_to_https(proxy):
    _, http_port = proxy

    status, headers, _ = get(http_port, "/sources/")

    assert status == 301
    assert headers["Location"] == f"https://{HOST}/sources/"
    assert headers.get_all("X-Frame-Options") == ["DENY"]


@pytest.mark.slow
def test_two_idle_connections_to_the_proxy_and_two_to_gunicorn_do_not_delay_a_page(proxy, gunicorn):
    https_port, _ = proxy
    get(https_port, "/", tls=True)  # the worker's first page pays for its caches, not the timed one
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for port in [https_port] * 2 + [gunicorn] * 2]
    try:
        time.sleep(1)  # gunicorn has taken both of its idle connections to threads

        through_proxy = get(https_port, "/", tls=True)
        # Straight to gunicorn, saying what the proxy would say.
        straight = get(gunicorn, "/", headers={"X-Forwarded-Proto": "https"})
    finally:
        for connection in idle:
            connection.close()

    for status, _, seconds in [through_proxy, straight]:
        assert status == 200
        assert seconds < PROMPT_SECONDS


@pytest.mark.slow
def test_a_too_long_address_gets_the_proxys_414_with_the_sites_headers(proxy):
    https_port, _ = proxy

    status, headers, _ = get(https_port, "/?q=" + "a" * 5000, tls=True)

    assert status == 414
    assert headers["Server"] == "nginx"  # without its version
    assert_the_sites_headers(headers)
