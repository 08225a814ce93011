"""SaudiNewsNet as the product receives it: `.jsonl` files of articles, written into the
benchmark's temporary folder (the archive itself is never copied into the repository).

The archive is one ZIP per collection day, each holding a JSON array of articles (`source`,
`url`, `date_extracted`, `title`, `author`, `content`); see its README. Articles are taken in the
archive's order (days in order, each day's array in order), so the first N articles of one run
are the first N of another, and a smaller size is a prefix of a larger one.

Each article's title is its known-item query (`KnownItem`): the title is held out of what is
ingested (`"title": null`), so asking it tests retrieval of the content, not a copy of the
query. Content is ingested as it comes: bylines, outlet tags and leftovers included. Articles
with an empty title are ingested too; they have no query. Articles without text (354 of the
archive, 144 of the first 10,000) are written too and refused by the loader, as a user's would
be; nothing of theirs can be found, so they have no query either.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.common import ROOT

ARCHIVE_DIR = ROOT.parent / "shared" / "corpora" / "saudinewsnet"
ARCHIVE_SIZE = 31_030
# Articles per .jsonl file: about 3.6 MB each, well under the loader's 10 MB limit per file.
PER_FILE = 1_000


@dataclass(frozen=True)
class NewsArticle:
    id: str
    title: str
    text: str
    url: str
    date: str
    outlet: str
    author: str

    def record(self) -> dict[str, str | None]:
        """The `.jsonl` line the product loads: the title held out, the rest as it comes."""
        return {
            "id": self.id,
            "title": None,
            "text": self.text,
            "url": self.url,
            "date": self.date,
            "outlet": self.outlet,
            "author": self.author or None,
        }


@dataclass(frozen=True)
class KnownItem:
    """An article's title, asked as a query whose right answer is that article, or any article
    with the very same content (the archive holds agency stories that several outlets ran)."""

    query: str
    article_id: str
    relevant: frozenset[str]


def read_archive(limit: int | None = None, folder: Path = ARCHIVE_DIR) -> Iterator[NewsArticle]:
    """The archive's articles in order, at most `limit`; ids are `snn-<day>-<position>`."""
    days = sorted(folder.glob("*.zip"))
    if not days:
        raise FileNotFoundError(f"no SaudiNewsNet archive in {folder} (see its README)")
    count = 0
    for day in days:
        with zipfile.ZipFile(day) as archive:
            for name in sorted(archive.namelist()):
                for position, raw in enumerate(json.loads(archive.read(name))):
                    if limit is not None and count >= limit:
                        return
                    count += 1
                    yield NewsArticle(
                        id=f"snn-{day.stem}-{position:04d}",
                        title=raw["title"].strip(),
                        text=raw["content"],
                        url=raw["url"],
                        date=raw["date_extracted"][:10],
                        outlet=raw["source"],
                        author=raw["author"].strip(),
                    )


def write_corpus(
    articles: list[NewsArticle], folder: Path, name: str = "saudinewsnet"
) -> list[Path]:
    """The articles as `.jsonl` files of `PER_FILE` lines in `folder`, `<name>-000.jsonl` on;
    returns the files written. Writing the same articles under the same name again rewrites
    the same files (a step run again after an interruption adds no duplicates)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number, begin in enumerate(range(0, len(articles), PER_FILE)):
        path = folder / f"{name}-{number:03d}.jsonl"
        lines = (
            json.dumps(a.record(), ensure_ascii=False) + "\n"
            for a in articles[begin : begin + PER_FILE]
        )
        path.write_text("".join(lines), encoding="utf-8")
        written.append(path)
    return written


def known_items(articles: list[NewsArticle]) -> list[KnownItem]:
    """One query per article with a title and a text (the archive has articles without text,
    which the loader refuses: nothing of theirs can be found)."""
    findable = [a for a in articles if a.text.strip()]
    same: dict[str, set[str]] = {}
    for article in findable:
        same.setdefault(article.text.strip(), set()).add(article.id)
    return [KnownItem(a.title, a.id, frozenset(same[a.text.strip()])) for a in findable if a.title]
