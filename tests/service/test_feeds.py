"""Feeds: the new items of a feed are fetched once, what was seen is remembered atomically, and
a second refresh while one runs does nothing (the lock cron relies on)."""

from __future__ import annotations

import ipaddress
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus.isolated import IsolatedLoader
from service.feeds import FeedsBusy, FeedStore, refresh
from service.fetching import Policy
from tests.service.site import HOST, Site, article_page, rss, serve_site

POLICY = Policy(timeout=5.0, allowed_networks=(ipaddress.ip_network(f"{HOST}/32"),))


@pytest.fixture
def site() -> Iterator[Site]:
    with serve_site() as served:
        yield served


@pytest.fixture(scope="module")
def loader() -> Iterator[IsolatedLoader]:
    with IsolatedLoader() as started:
        yield started


def _publish(site: Site, count: int) -> str:
    items = []
    for number in range(count):
        site.page(
            f"/news/{number}", article_page(f"خبر {number}", f"نص الخبر رقم {number} في دمشق.")
        )
        items.append((f"/news/{number}", f"خبر {number}"))
    return site.feed("/feed.xml", rss(site.base, items[::-1]))


def test_new_items_are_fetched_once_and_remembered(site: Site, loader, tmp_path: Path) -> None:
    store = FeedStore(tmp_path)
    feed = _publish(site, 2)
    first = refresh(store, POLICY, loader, [feed])
    assert sorted(page.address for page in first.pages) == [
        site.base + "/news/0",
        site.base + "/news/1",
    ]
    assert "2 new item(s)" in first.notices[0].text()
    assert (
        json.loads((tmp_path / "feeds.json").read_text())["feeds"][feed]["title"] == "أخبار الموقع"
    )
    feed = _publish(site, 3)
    second = refresh(store, POLICY, loader)  # the feed is remembered: no address needed
    assert [page.address for page in second.pages] == [site.base + "/news/2"]
    assert site.hits["/news/0"] == 1  # seen items are not fetched again
    assert [p.name for p in tmp_path.iterdir()] in (
        ["feeds.json", "feeds.lock"],
        ["feeds.lock", "feeds.json"],
    )


def test_a_feed_that_cannot_be_read_is_not_added(site: Site, loader, tmp_path: Path) -> None:
    store = FeedStore(tmp_path)
    page = site.page("/page", article_page("صفحة", "ليست موجزاً."))
    for address, said in (
        (page, "not a web page or feed"),
        (site.base + "/endless-feed", "never ends"),
    ):
        found = refresh(store, POLICY, loader, [address])
        assert found.pages == [] and said in found.outcomes[0].notice.text()
    assert store.read() == {}


def test_an_item_whose_page_fails_is_tried_again(site: Site, loader, tmp_path: Path) -> None:
    store = FeedStore(tmp_path)
    feed = site.feed("/feed.xml", rss(site.base, [("/later", "لاحقاً")]))
    found = refresh(store, POLICY, loader, [feed])
    assert found.pages == [] and "HTTP error 404" in found.outcomes[0].notice.text()
    site.page("/later", article_page("لاحقاً", "نشر الخبر الآن."))
    assert [page.address for page in refresh(store, POLICY, loader).pages] == [site.base + "/later"]


def test_a_second_refresh_while_one_runs_does_nothing(tmp_path: Path) -> None:
    store = FeedStore(tmp_path)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.locked():
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait(10)
    try:
        with pytest.raises(FeedsBusy):
            refresh(store, POLICY, IsolatedLoader())
    finally:
        release.set()
        thread.join()
