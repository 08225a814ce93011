"""What the chat tells about an indexed article, read from the index being served: its title,
outlet and date as its ingest recorded them (`service.sources.article_meta`), and its whole
text rebuilt from its chunks."""

from __future__ import annotations

from collections.abc import Iterable

from corpus import Chunk
from service.live import Service
from service.sources import ArticleMeta, Excerpt, article_meta, stitch


class Library:
    def __init__(self, service: Service) -> None:
        self.service = service

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
