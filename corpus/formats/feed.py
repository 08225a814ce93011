"""The items of an RSS or Atom feed, with feedparser: each item's address, title, date and
author, for the application to fetch (service/feeds.py). Only the first `MAX_ITEMS` are read."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass

from corpus.formats.document import FormatError, one_line

MAX_ITEMS = 200


@dataclass(frozen=True)
class FeedItem:
    url: str
    title: str | None = None
    date: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class Feed:
    title: str | None
    items: tuple[FeedItem, ...]


def _day(entry: dict) -> str | None:
    for key in ("published_parsed", "updated_parsed"):
        stamp = entry.get(key)
        if isinstance(stamp, time.struct_time):
            return time.strftime("%Y-%m-%d", stamp)
    return None


def _item(entry: dict) -> FeedItem | None:
    url = one_line(entry.get("link"), 2000)
    if url is None or not url.lower().startswith(("http://", "https://")):
        return None
    return FeedItem(url, one_line(entry.get("title")), _day(entry), one_line(entry.get("author")))


def read_feed(data: bytes) -> Feed:
    """The feed's items in its own order (newest first, as feeds list them), without items that
    link nowhere or repeat an earlier item's address."""
    import feedparser

    # A file object, never bytes or str: feedparser fetches a str or bytes that looks like an
    # address itself, and fetching is the application's, with its checks (service/fetching.py).
    parsed = feedparser.parse(io.BytesIO(data))
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        raise FormatError(f"not an RSS or Atom feed ({problem or 'no items'})")
    items: dict[str, FeedItem] = {}
    for entry in parsed.entries[: MAX_ITEMS * 2]:
        item = _item(entry)
        if item is not None and item.url not in items:
            items[item.url] = item
    return Feed(one_line(parsed.feed.get("title")), tuple(items.values())[:MAX_ITEMS])
