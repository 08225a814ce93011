"""RSS/Atom feeds: the feeds added, the items already seen, and a refresh that fetches the new
items' pages (service/web.py).

What is known lives in `<index>/feeds.json` ({"feeds": {address: {"title", "seen"}}}), written
to a part file and renamed into place, so a crash leaves the old file or the new one. A refresh
holds `<index>/feeds.lock` (an exclusive, non-blocking flock) from reading that file to writing
it: a second refresh (cron firing while the last one still runs, or the app and the command line
at once) is told so and does nothing. An item is seen once its page was fetched; one that could
not be fetched is tried again at the next refresh. At most `MAX_NEW_ITEMS` pages are fetched per
feed and refresh, newest first: a feed that lists thousands of items is taken in steps.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corpus.formats import Feed
from corpus.isolated import IsolatedLoader
from embeddings import files
from service.fetching import FEED_TYPES, FetchError, Policy, check_address, fetch
from service.notices import Notice
from service.notices import web as messages
from service.uploads import Outcome
from service.web import Page, fetch_pages

FEEDS_FILE = "feeds.json"
LOCK_FILE = "feeds.lock"
MAX_NEW_ITEMS = 20
# Addresses remembered per feed; older ones are forgotten (feeds list only recent items).
MAX_SEEN = 5000


class FeedsBusy(Exception):
    """Another refresh holds the lock."""


@dataclass
class Refresh:
    """What one refresh found: the new items' pages, and a notice per feed or failure."""

    pages: list[Page] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


class FeedStore:
    def __init__(self, index_dir: Path) -> None:
        self.path = index_dir / FEEDS_FILE
        self.lock_path = index_dir / LOCK_FILE

    def read(self) -> dict[str, dict]:
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        feeds = record.get("feeds") if isinstance(record, dict) else None
        return feeds if isinstance(feeds, dict) else {}

    def write(self, feeds: dict[str, dict]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps({"feeds": feeds}, ensure_ascii=False, indent=1).encode()
        handle, name = tempfile.mkstemp(prefix=".feeds-", dir=self.path.parent)
        os.close(handle)
        part = Path(name)
        try:
            files.write_file(part, data)
            os.replace(part, self.path)
        finally:
            part.unlink(missing_ok=True)
        files.fsync_dir(self.path.parent)

    @contextlib.contextmanager
    def locked(self) -> Iterator[dict[str, dict]]:
        """The feeds, held under the lock; FeedsBusy when another refresh holds it."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with self.lock_path.open("a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise FeedsBusy from None
            yield self.read()


def _read(address: str, policy: Policy, loader: IsolatedLoader, folder: Path) -> Feed:
    fetched = fetch(check_address(address), FEED_TYPES, policy)
    saved = folder / "feed.xml"
    saved.write_bytes(fetched.data)
    feed = loader.read_feed(saved)
    if isinstance(feed, str):
        raise FetchError(messages.not_a_feed(feed))
    return feed


def _check(address: str, known: dict, policy: Policy, loader: IsolatedLoader) -> Refresh:
    with tempfile.TemporaryDirectory(prefix="feed-") as folder:
        feed = _read(address, policy, loader, Path(folder))
    seen = list(known.get("seen", []))
    before = set(seen)
    new = [item.url for item in feed.items if item.url not in before][:MAX_NEW_ITEMS]
    pages, failed = fetch_pages(new, policy)
    seen += [page.address for page in pages]
    known.update(title=feed.title, seen=seen[-MAX_SEEN:])
    title = feed.title or address
    return Refresh(pages, failed, [messages.feed_checked(title, len(pages), len(feed.items))])


def refresh(
    store: FeedStore, policy: Policy, loader: IsolatedLoader, add: Sequence[str] = ()
) -> Refresh:
    """Add the feeds at `add`, then fetch the new items of every feed; FeedsBusy when another
    refresh is running. A feed that cannot be read says why and keeps what it had; one being
    added that cannot be read is not added."""
    total = Refresh()
    with store.locked() as feeds:
        added = [a.strip() for a in add if a.strip() and a.strip() not in feeds]
        feeds.update({address: {"title": None, "seen": []} for address in added})
        if not feeds:
            total.notices.append(messages.NO_FEEDS)
        for address, known in list(feeds.items()):
            try:
                found = _check(address, known, policy, loader)
            except FetchError as error:
                total.outcomes.append(
                    Outcome("rejected", messages.fetch_failed(address, error.notice))
                )
                if address in added:
                    del feeds[address]
                continue
            total.pages += found.pages
            total.outcomes += found.outcomes
            total.notices += found.notices
        store.write(feeds)
    return total
