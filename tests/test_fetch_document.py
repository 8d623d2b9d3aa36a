"""Fetching a document from its URL: from a real HTTP server on 127.0.0.1 that the tests start,
with private addresses allowed for them; and the refusal of private addresses otherwise."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from events import fetch, ingest
from events.models import Source
from tests.helpers import text_of

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

DOCUMENTS = Path(__file__).parent / "documents"
MB = 1024 * 1024
ADD = "/admin/events/source/add-document/"


class Pages(BaseHTTPRequestHandler):
    """A small site: an article, a redirect to it, a server error, a slow answer, a page that
    says it is 50 MB, one that never stops, and a PDF."""

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/article":
            self.answer(200, (DOCUMENTS / "news_article.html").read_bytes(), "text/html; charset=utf-8")
        elif path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/article?utm_source=feed")
            self.end_headers()
        elif path == "/elsewhere":
            self.send_response(302)
            self.send_header("Location", self.server.elsewhere)
            self.end_headers()
        elif path == "/broken":
            self.answer(500, b"Internal Server Error", "text/plain")
        elif path == "/slow":
            time.sleep(3)
            self.answer(200, (DOCUMENTS / "news_article.html").read_bytes(), "text/html")
        elif path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(50 * MB))
            self.end_headers()
            self.write_until_stopped()
        elif path == "/endless":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.write_until_stopped()
        elif path == "/report.pdf":
            self.answer(200, b"%PDF-1.4 " * 100, "application/pdf")
        else:
            self.answer(404, b"Not found", "text/plain")

    def answer(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def write_until_stopped(self):
        try:
            for _ in range(50 * 16):
                self.wfile.write(b"<p>" + b"x" * (64 * 1024 - 3))
        except OSError:
            pass  # the client stopped reading, as it should

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    httpd.daemon_threads = True
    httpd.elsewhere = ""
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def site(server, settings):
    settings.DIPLO_FETCH_ALLOW_PRIVATE = True
    settings.DIPLO_FETCH_TIMEOUT = 1
    return f"http://127.0.0.1:{server.server_port}"


def test_a_page_is_fetched_and_extracted(site):
    original = ingest.original_from_url(f"{site}/article")
    assert original.content == (DOCUMENTS / "news_article.html").read_bytes()
    assert original.origin == f"{site}/article"
    document = ingest.extract(original)
    assert document.title == "Envoys agree to resume fisheries talks"
    # The page's canonical address, not the one it was fetched from.
    assert document.url == "https://courier.example/world/envoys-agree-to-resume-fisheries-talks"


def test_a_redirect_is_followed_and_the_original_says_where_it_came_from(site):
    original = ingest.original_from_url(f"{site}/moved")
    assert original.origin == f"{site}/article?utm_source=feed"
    assert original.content == (DOCUMENTS / "news_article.html").read_bytes()


def test_a_server_error_is_refused_saying_so(site):
    with pytest.raises(fetch.FetchError, match=r"answered 500 \(Internal Server Error\)"):
        ingest.original_from_url(f"{site}/broken")


def test_a_missing_page_is_refused_saying_so(site):
    with pytest.raises(fetch.FetchError, match=r"answered 404"):
        ingest.original_from_url(f"{site}/gone")


def test_a_page_that_does_not_answer_in_time_is_refused(site):
    with pytest.raises(fetch.FetchError, match="did not answer within 1 seconds"):
        ingest.original_from_url(f"{site}/slow")


def test_a_page_that_says_it_is_50_mb_is_refused_from_its_header(site):
    with pytest.raises(fetch.FetchError, match=r"larger \(50.0 MB\) than the 5.0 MB a document may be"):
        ingest.original_from_url(f"{site}/huge")


def test_a_page_that_never_ends_is_refused_once_past_the_limit(site):
    with pytest.raises(fetch.FetchError, match="larger than the 5.0 MB a document may be"):
        ingest.original_from_url(f"{site}/endless")


def test_a_pdf_is_refused(site):
    with pytest.raises(ingest.DocumentError, match="is application/pdf, not a web page or a text"):
        ingest.original_from_url(f"{site}/report.pdf")


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:{port}/article",
        "http://localhost:{port}/article",
        "http://[::1]:{port}/article",
        "http://10.0.0.1/article",
        "http://192.168.1.1/article",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0:{port}/article",
        "http://[::ffff:127.0.0.1]:{port}/article",
    ],
)
def test_a_private_loopback_or_link_local_address_is_refused_unless_allowed(server, settings, address):
    settings.DIPLO_FETCH_ALLOW_PRIVATE = False
    with pytest.raises(fetch.FetchError, match="private, loopback or link-local address"):
        ingest.original_from_url(address.format(port=server.server_port))


def test_a_redirect_to_a_private_address_is_checked_again_and_refused(server, settings, monkeypatch):
    settings.DIPLO_FETCH_ALLOW_PRIVATE = False
    # The test server stands for a public site: its own address passes the check; the address
    # it redirects to (another loopback address) is checked as any other is.
    monkeypatch.setattr(fetch, "is_public", lambda address: address == "127.0.0.1")
    server.elsewhere = f"http://127.0.0.2:{server.server_port}/article"
    with pytest.raises(fetch.FetchError, match="is at 127.0.0.2, a private, loopback or link-local address"):
        ingest.original_from_url(f"http://127.0.0.1:{server.server_port}/elsewhere")


def test_an_address_that_is_not_the_web_is_refused():
    with pytest.raises(fetch.FetchError, match="is not a web address"):
        ingest.original_from_url("file:///etc/passwd")


def test_an_editor_adds_a_document_from_its_url_in_the_admin(site, client, editor):
    response = client.post(ADD, {"url": f"{site}/article", "kind": "news_article"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form["title"].value() == "Envoys agree to resume fisheries talks"
    assert Source.objects.count() == 0
    data = {name: form[name].value() or "" for name in form.fields if name != "save_anyway"}
    assert client.post(ADD, data).status_code == 302
    source = Source.objects.get()
    assert source.original.origin == f"{site}/article"
    assert bytes(source.original.content) == (DOCUMENTS / "news_article.html").read_bytes()


def test_the_admin_says_why_a_url_could_not_be_fetched(site, client, editor):
    response = client.post(ADD, {"url": f"{site}/broken", "kind": "news_article"})
    assert response.status_code == 400
    assert "answered 500 (Internal Server Error): there is no document to add." in text_of(response)
    assert Source.objects.count() == 0


def test_the_admin_refuses_a_private_address(server, settings, client, editor):
    settings.DIPLO_FETCH_ALLOW_PRIVATE = False
    response = client.post(ADD, {"url": f"http://127.0.0.1:{server.server_port}/article", "kind": "news_article"})
    assert response.status_code == 400
    assert "the archive fetches documents only from the public internet" in text_of(response)
    assert Source.objects.count() == 0
