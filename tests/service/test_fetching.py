"""Fetching pages and feeds users name: what is fetched, and every refusal with its reason, over
real HTTP to a site on a loopback address (tests/service/site.py)."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterator

import pytest

from service.fetching import FEED_TYPES, PAGE_TYPES, FetchError, Policy, fetch
from tests.service.site import HOST, Site, article_page, serve_site

ALLOWED = Policy(timeout=3.0, allowed_networks=(ipaddress.ip_network(f"{HOST}/32"),))


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serve_site() as served:
        yield served


def refusal(url: str, policy: Policy = ALLOWED, accept: tuple[str, ...] = PAGE_TYPES) -> str:
    with pytest.raises(FetchError) as raised:
        fetch(url, accept, policy)
    return raised.value.notice.text()


def test_a_page_is_fetched_and_decoded(site: Site) -> None:
    url = site.page("/article", article_page("عنوان الخبر", "نص الخبر."))
    fetched = fetch(url, PAGE_TYPES, ALLOWED)
    assert fetched.url == url and "عنوان الخبر" in fetched.text()


def test_loopback_and_private_addresses_are_refused_unless_allowed(site: Site) -> None:
    url = site.page("/article", article_page("عنوان", "نص."))
    before = site.hits.get("/article", 0)
    for address in (
        url,
        "http://localhost:9/",
        "http://[::1]:9/",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest",
    ):
        text = refusal(address, Policy(timeout=3.0))
        assert "private network" in text and "شبكة خاصة" in text
    assert site.hits.get("/article", 0) == before  # refused before any request was sent


def test_a_redirect_to_127_0_0_1_is_refused(site: Site) -> None:
    text = refusal(site.base + "/to-loopback")
    assert "this machine or a private network" in text
    assert site.hits["/to-loopback"] == 1


def test_too_many_redirects_are_refused(site: Site) -> None:
    assert "redirects too many times" in refusal(site.base + "/loop")
    assert site.hits["/loop"] == 6  # the first request and five redirects


def test_a_page_that_never_ends_is_cut_at_the_size_limit(site: Site) -> None:
    started = time.monotonic()
    text = refusal(site.base + "/endless-page", Policy(5.0, ALLOWED.allowed_networks, 500_000))
    assert "or never ends" in text and "لا تنتهي" in text
    assert time.monotonic() - started < 5


def test_a_server_that_trickles_is_cut_at_the_deadline(site: Site) -> None:
    started = time.monotonic()
    text = refusal(site.base + "/trickle", Policy(1.5, ALLOWED.allowed_networks))
    assert "within 1.5 s" in text and "ثانية" in text
    assert time.monotonic() - started < 1.5 + 1.5  # the deadline, and at most one more read


@pytest.mark.parametrize(
    ("address", "said"),
    [
        ("ftp://example.com/a", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("https://user:secret@example.com/", "user name or password"),
        ("https://example.com/" + "a" * 2000, "longer than 2000"),
    ],
)
def test_addresses_that_are_not_fetched(address: str, said: str) -> None:
    assert said in refusal(address)


def test_content_types_and_errors_are_told(site: Site) -> None:
    feed = site.feed("/feed.xml", b"<rss version='2.0'><channel></channel></rss>")
    assert "not a web page or feed" in refusal(feed)  # a feed where a page is expected
    assert fetch(feed, FEED_TYPES, ALLOWED).data.startswith(b"<rss")
    site.routes["/image.png"] = ("image/png", b"\x89PNG")
    assert "image/png" in refusal(site.base + "/image.png")
    assert "HTTP error 404" in refusal(site.base + "/missing")
