"""RSS and Atom feeds read into items: address, title, day, author; nothing fetched."""

from __future__ import annotations

import pytest

from corpus.formats import FormatError, read_feed
from corpus.formats.feed import MAX_ITEMS

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>أخبار سوريا</title>
<item><title>لقاء في موسكو</title><link>https://news.example/a/1</link>
<pubDate>Tue, 14 Oct 2025 10:00:00 GMT</pubDate><author>desk@news.example (فريق التحرير)</author></item>
<item><title>بلا رابط</title></item>
<item><title>رابط آخر</title><link>javascript:alert(1)</link></item>
<item><title>مكرر</title><link>https://news.example/a/1</link></item>
<item><title>خبر ثان</title><link>https://news.example/a/2</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>
<entry><title>Talks in Moscow</title><link href="https://wire.example/1"/>
<updated>2025-10-15T08:00:00Z</updated><author><name>Ben Knight</name></author></entry>
</feed>"""


def test_rss_items_in_order_without_duplicates_or_dead_links() -> None:
    feed = read_feed(RSS.encode())
    assert feed.title == "أخبار سوريا"
    assert [item.url for item in feed.items] == [
        "https://news.example/a/1",
        "https://news.example/a/2",
    ]
    first = feed.items[0]
    assert (first.title, first.date) == ("لقاء في موسكو", "2025-10-14")


def test_atom_entries() -> None:
    (entry,) = read_feed(ATOM.encode()).items
    assert (entry.url, entry.date, entry.author) == (
        "https://wire.example/1",
        "2025-10-15",
        "Ben Knight",
    )


def test_a_feed_lists_at_most_max_items() -> None:
    items = "".join(
        f"<item><link>https://x.example/{n}</link></item>" for n in range(MAX_ITEMS + 50)
    )
    feed = read_feed(f"<rss version='2.0'><channel>{items}</channel></rss>".encode())
    assert len(feed.items) == MAX_ITEMS


@pytest.mark.parametrize(
    "data", [b"", b"hello", b"<html><body>a page</body></html>", b"http://127.0.0.1/feed"]
)
def test_what_is_not_a_feed_is_refused_and_never_fetched(data: bytes) -> None:
    # An address given as the feed's content is not fetched by feedparser: it is not a feed.
    with pytest.raises(FormatError, match="not an RSS or Atom feed"):
        read_feed(data)
