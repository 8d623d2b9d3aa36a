"""Fetching a document from the address an editor gives, without letting the address reach
the server's own network.

An editor's URL is hostile input: "http://127.0.0.1:5432/" or "http://169.254.169.254/" would
make the server talk to its own database or to its cloud's metadata service. So the host is
resolved first and every address it resolves to is checked (private, loopback, link-local,
multicast, reserved and unspecified addresses are refused, unless
settings.DIPLO_FETCH_ALLOW_PRIVATE); the connection is then made to the address that was
checked, not to the name again, so a DNS answer that changes between the check and the
connection cannot slip past it. Each redirect is a new address, checked the same way.

A fetch is bounded: settings.DIPLO_FETCH_TIMEOUT seconds in all, and a body of at most
settings.DIPLO_DOCUMENT_MAX_BYTES, refused from its Content-Length when it gives one and
otherwise as soon as the bytes read pass the limit.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

MAX_REDIRECTS = 5
CHUNK = 64 * 1024
USER_AGENT = "Diplo archive (an editor adding a document)"


class FetchError(Exception):
    """Why a document could not be fetched, in words fit to show an editor."""


@dataclass(frozen=True)
class Fetched:
    url: str  # the address the body came from, after any redirects
    content: bytes
    content_type: str


def describe_size(size):
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def fetch(url):
    """The body of the page at `url`, following up to MAX_REDIRECTS redirects. Raises FetchError."""
    deadline = time.monotonic() + settings.DIPLO_FETCH_TIMEOUT
    for _ in range(MAX_REDIRECTS + 1):
        response, connection = open_url(url, deadline)
        try:
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location"))
                continue
            if response.status != 200:
                raise FetchError(f"{url} answered {response.status} ({response.reason}): there is no document to add.")
            content = read_limited(response, connection, url, deadline)
            return Fetched(url=url, content=content, content_type=response.getheader("Content-Type", ""))
        finally:
            connection.close()
    raise FetchError(f"{url} redirected more than {MAX_REDIRECTS} times; give the document's own address.")


def open_url(url, deadline):
    """(The response to a GET of `url`, its connection), made to an address that was checked."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"“{url}” is not a web address: give one that starts with http:// or https://.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError(f"“{url}” has a port that is not a number from 0 to 65535.") from None
    address = checked_address(parts.hostname, port)
    connection_class = PinnedHTTPSConnection if parts.scheme == "https" else PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, address=address, timeout=remaining(deadline, url))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "text/html, text/plain"})
        return connection.getresponse(), connection
    except TimeoutError:
        connection.close()
        raise FetchError(timed_out(url)) from None
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        raise FetchError(f"{url} could not be reached ({error}).") from None


def checked_address(host, port):
    """The first address `host` resolves to, once every one of them has been checked."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise FetchError(f"The host “{host}” was not found.") from None
    addresses = [info[4][0] for info in found]
    if not settings.DIPLO_FETCH_ALLOW_PRIVATE:
        for address in addresses:
            if not is_public(address):
                raise FetchError(
                    f"The host “{host}” is at {address}, a private, loopback or link-local address: "
                    "the archive fetches documents only from the public internet."
                )
    return addresses[0]


def is_public(address):
    ip = ipaddress.ip_address(address.split("%")[0])  # an IPv6 address may carry its zone
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def read_limited(response, connection, url, deadline):
    limit = settings.DIPLO_DOCUMENT_MAX_BYTES
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FetchError(too_large(url, int(declared)))
    chunks, size = [], 0
    try:
        while not response.isclosed():  # closed once its whole body is read
            # Each read waits at most for what is left of the whole fetch's time.
            connection.pinned_socket.settimeout(remaining(deadline, url))
            chunk = response.read1(CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise FetchError(too_large(url))
            chunks.append(chunk)
    except TimeoutError:
        raise FetchError(timed_out(url)) from None
    except (OSError, http.client.HTTPException) as error:
        raise FetchError(f"Reading {url} failed ({error}).") from None
    return b"".join(chunks)


def remaining(deadline, url):
    """The seconds left before `deadline`; a FetchError once there are none."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(timed_out(url))
    return left


def timed_out(url):
    return f"{url} did not answer within {settings.DIPLO_FETCH_TIMEOUT:g} seconds."


def too_large(url, size=None):
    limit = describe_size(settings.DIPLO_DOCUMENT_MAX_BYTES)
    said = f" ({describe_size(size)})" if size else ""
    return f"The page at {url} is larger{said} than the {limit} a document may be; nothing was kept of it."


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to `address`, already checked, while naming `host` in the request. Its socket is
    kept as `pinned_socket` too: http.client lets go of `sock` once a response will close it."""

    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = self.pinned_socket = socket.create_connection((self.address, self.port), self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As PinnedHTTPConnection, over TLS, the certificate checked against `host`."""

    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.pinned_socket = self._context.wrap_socket(sock, server_hostname=self.host)
