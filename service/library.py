"""What the chat tells about an indexed article, read from the index being served: its title,
outlet and date as its ingest recorded them (`service.sources.article_meta`), its whole text
rebuilt from its chunks, and the list of articles a page at a time, searchable by title, date
and outlet.

The article records are read from the index's article table, which parses a record only when
it is read (`embeddings/index/articles.py`): starting the app reads none. The list needs them
all (its order puts uploaded articles first, and a search looks at every title), so the first
list of an index parses them once and keeps what the list needs; a new index, after a
re-index, is listed afresh.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from corpus import Chunk, normalize_text
from embeddings.index.manifest import Manifest
from service.live import Service
from service.sources import ArticleMeta, Excerpt, article_meta, stitch
from service.uploads import uploaded_file

PAGE_SIZE = 50


@dataclass(frozen=True)
class ArticleRow:
    """One line of the article list."""

    article_id: str
    title: str | None
    date: str | None
    outlet: str | None
    chunks: int
    uploaded: bool
    # The first sentence that names an untitled article (shown marked as such).
    opening: str | None = None


@dataclass(frozen=True)
class ArticlePage:
    """The rows of one page of the list; `total` counts the articles the query matched."""

    rows: list[ArticleRow]
    page: int
    pages: int
    total: int
    query: str


@dataclass(frozen=True)
class _Catalog:
    """Every article of one index in list order, with the text a search matches against."""

    manifest: Manifest
    rows: list[ArticleRow]
    keys: list[str]
    uploaded: dict[str, Path]


class Library:
    def __init__(self, service: Service) -> None:
        self.service = service
        self._catalog: _Catalog | None = None
        self._lock = threading.Lock()

    def chunks(self, article_id: str) -> list[Chunk]:
        return self.service.pipeline.index.chunks_of(article_id)

    def meta(self, article_id: str, chunks: list[Chunk] | None = None) -> ArticleMeta | None:
        """None for an article that is not (or no longer) in the index."""
        record = self.service.manifest().articles.get(article_id)
        if record is not None and (record.title or record.opening):
            return article_meta(article_id, record)
        chunks = self.chunks(article_id) if chunks is None else chunks
        if not chunks:
            return None
        return article_meta(article_id, record, chunks[0].text)

    def outlets(self) -> list[str]:
        """The outlets of the indexed articles, for the filter control."""
        records = self.service.manifest().articles.values()
        return sorted({record.outlet for record in records if record.outlet})

    def metas(self, article_ids: Iterable[str]) -> dict[str, ArticleMeta]:
        found = {article_id: self.meta(article_id) for article_id in dict.fromkeys(article_ids)}
        return {article_id: meta for article_id, meta in found.items() if meta is not None}

    def article(self, article_id: str) -> tuple[ArticleMeta, list[Excerpt]] | None:
        """The article's meta and its whole text (one excerpt; more only if chunks left gaps)."""
        chunks = self.chunks(article_id)
        meta = self.meta(article_id, chunks)
        return None if meta is None else (meta, stitch(chunks))

    # -- the article list --------------------------------------------------------------------

    def articles(self, query: str = "", page: int = 0) -> ArticlePage:
        """Page `page` (from 0; clamped to the pages there are) of the articles whose title,
        date, outlet or id contains `query` (normalized as everywhere text is matched), uploaded
        articles first, each group by id."""
        catalog = self._current()
        wanted = normalize_text(query.strip())
        rows = (
            [row for row, key in zip(catalog.rows, catalog.keys, strict=True) if wanted in key]
            if wanted
            else catalog.rows
        )
        pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        shown = rows[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        return ArticlePage(shown, page, pages, len(rows), query.strip())

    def uploaded(self) -> dict[str, Path]:
        """The served articles that came from an uploaded file, with that file's path."""
        return self._current().uploaded

    def _current(self) -> _Catalog:
        manifest = self.service.manifest()
        with self._lock:
            if self._catalog is None or self._catalog.manifest is not manifest:
                self._catalog = self._catalog_of(manifest)
            return self._catalog

    def _catalog_of(self, manifest: Manifest) -> _Catalog:
        uploads = self.service.indexer.uploads
        rows: list[ArticleRow] = []
        keys: list[str] = []
        uploaded: dict[str, Path] = {}
        for article_id, record in manifest.articles.items():
            path = uploaded_file(record.source, uploads)
            if path is not None:
                uploaded[article_id] = path
            rows.append(
                ArticleRow(
                    article_id,
                    record.title,
                    record.date,
                    record.outlet,
                    record.chunks,
                    path is not None,
                    record.opening,
                )
            )
            fields = (record.title or record.opening, record.date, record.outlet, article_id)
            keys.append(normalize_text(" \n ".join(f for f in fields if f)))
        order = sorted(range(len(rows)), key=lambda i: (not rows[i].uploaded, rows[i].article_id))
        return _Catalog(manifest, [rows[i] for i in order], [keys[i] for i in order], uploaded)
