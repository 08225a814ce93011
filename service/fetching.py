"""Fetching a web page or a feed that a user names, with the limits a server needs.

Only http(s); at most `MAX_REDIRECTS` redirects, each checked like the first address; one
deadline for the whole fetch (connecting, waiting and reading: a server that trickles bytes or
never ends is cut off); at most `corpus.limits.MAX_FILE_BYTES` of body, however the server
declares it; only the content types the caller accepts. Every address a host name resolves to
must be public (not loopback, private, link-local, multicast or reserved), checked when the
connection is made, so a name that resolves elsewhere a second time (DNS rebinding) cannot
reach this machine or its network, and neither can a redirect. `Settings.fetch_allowed_networks`
names networks allowed besides ("10.0.0.0/8" in a private deployment, "127.0.0.1/32" in tests). Proxies from the environment are not used: the
checks are of the address connected to.

Failures raise `FetchError` with a `service.notices.Notice` saying why, in both languages.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from corpus.limits import MAX_FILE_BYTES
from service.notices import Notice
from service.notices import web as messages

MAX_REDIRECTS = 5
MAX_ADDRESS_CHARS = 2000
PAGE_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
)
_USER_AGENT = "arabic-news-rag (+https://github.com; fetches pages users add)"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)


class FetchError(Exception):
    def __init__(self, notice: Notice) -> None:
        super().__init__(notice.text())
        self.notice = notice


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Policy:
    timeout: float = 20.0
    allowed_networks: tuple[Network, ...] = ()
    max_bytes: int = MAX_FILE_BYTES

    @classmethod
    def of(cls, timeout: float, allowed_networks: str) -> Policy:
        """The policy of the settings `fetch_timeout` and `fetch_allowed_networks` (CIDRs,
        comma-separated); ValueError names a malformed network."""
        networks = tuple(
            ipaddress.ip_network(part.strip(), strict=False)
            for part in allowed_networks.split(",")
            if part.strip()
        )
        return cls(timeout, networks)


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str
    data: bytes

    def text(self) -> str:
        """The body decoded by its declared charset (header, then `<meta>`), else UTF-8."""
        charset = httpx.Headers({"content-type": self.content_type}).get("content-type", "")
        declared = re.search(r"charset=([\w.:-]+)", charset, re.IGNORECASE)
        meta = _META_CHARSET.search(self.data[:4096])
        for name in (declared and declared.group(1), meta and meta.group(1).decode(), "utf-8"):
            if name:
                try:
                    return self.data.decode(name, errors="replace")
                except LookupError:
                    continue
        return self.data.decode("utf-8", errors="replace")


def _allowed(address: str, networks: tuple[Network, ...]) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (ip.is_global and not ip.is_multicast) or any(ip in network for network in networks)


class _CheckedBackend(httpcore.SyncBackend):
    """Connects only to the addresses the policy allows: the check is made on the addresses
    actually connected to, after name resolution."""

    def __init__(self, networks: tuple[Network, ...]) -> None:
        self.networks = networks

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise httpcore.ConnectError(f"cannot resolve {host}") from None
        addresses = list(dict.fromkeys(str(item[4][0]) for item in found))
        if not addresses or not all(_allowed(a, self.networks) for a in addresses):
            raise _Refused(messages.URL_PRIVATE)
        return super().connect_tcp(addresses[0], port, timeout, local_address, socket_options)


class _Refused(Exception):  # not an httpcore error: httpx would replace it with its own
    def __init__(self, notice: Notice) -> None:
        super().__init__(notice.en)
        self.notice = notice


def check_address(url: str) -> str:
    """`url` when it is an absolute http(s) address without credentials, else FetchError."""
    if len(url.strip()) > MAX_ADDRESS_CHARS:
        raise FetchError(messages.URL_LONG)
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise FetchError(messages.URL_SCHEME)
    if parts.username or parts.password:
        raise FetchError(messages.URL_CREDENTIALS)
    return url.strip()


def _client(policy: Policy) -> httpx.Client:
    transport = httpx.HTTPTransport(retries=0)
    # httpx takes no network backend; its connection pool does.
    transport._pool._network_backend = _CheckedBackend(policy.allowed_networks)
    return httpx.Client(
        transport=transport,
        trust_env=False,
        follow_redirects=False,
        timeout=httpx.Timeout(policy.timeout),
        headers={"User-Agent": _USER_AGENT, "Accept": "text/html, application/xml;q=0.9"},
    )


def _body(response: httpx.Response, policy: Policy, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchError(messages.page_too_large(int(declared)))
    body = bytearray()
    # Decoded, as it arrives (a chunk size would wait for that much): the limit is on what is
    # kept, and the deadline is checked at every arrival.
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > policy.max_bytes:
            raise FetchError(messages.URL_ENDLESS)
        if time.monotonic() > deadline:
            raise FetchError(messages.url_slow(policy.timeout))
    return bytes(body)


def _get(client: httpx.Client, url: str, accept: tuple[str, ...], policy: Policy) -> Fetched:
    deadline = time.monotonic() + policy.timeout
    for _ in range(MAX_REDIRECTS + 1):
        with client.stream("GET", check_address(url)) as response:
            if response.is_redirect:
                url = urljoin(url, response.headers.get("location", ""))
                continue
            if response.status_code >= 400:
                raise FetchError(messages.url_status(response.status_code))
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind not in accept:
                raise FetchError(messages.url_type(kind or "(none)", accept))
            data = _body(response, policy, deadline)
            return Fetched(str(response.url), response.headers.get("content-type", ""), data)
    raise FetchError(messages.URL_REDIRECTS)


def fetch(url: str, accept: tuple[str, ...], policy: Policy) -> Fetched:
    """GET `url` within `policy`, following redirects; its body must be of a type in `accept`."""
    with _client(policy) as client:
        try:
            return _get(client, url, accept, policy)
        except _Refused as refused:
            raise FetchError(refused.notice) from None
        except httpx.TimeoutException:
            raise FetchError(messages.url_slow(policy.timeout)) from None
        except (httpx.HTTPError, httpcore.NetworkError, OSError, ValueError) as error:
            raise FetchError(messages.url_unreachable(type(error).__name__)) from None
