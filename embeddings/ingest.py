"""Incremental ingest: articles -> chunks -> vectors -> a new index version.

Only new and changed articles are embedded; unchanged ones keep their stored vectors and deleted
ones are dropped. The result is saved as a new version and swapped in atomically (see index.py),
so an interrupted ingest leaves the previous index as it was.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from corpus import Article, Chunk, ChunkerSettings, LoadError, chunk_article, load_corpus
from embeddings.index import (
    ArticleRecord,
    FaissIndex,
    IndexMissingError,
    Manifest,
)
from embeddings.model import Embedder

EMBED_BATCH = 32
Progress = Callable[[int, int], None]


@dataclass
class IngestReport:
    index_dir: Path
    articles: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    embedded_chunks: int = 0
    embedded_tokens: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    skipped: list[LoadError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def chunks_per_second(self) -> float:
        return self.embedded_chunks / self.embed_seconds if self.embed_seconds else 0.0

    def summary(self) -> str:
        lines = [
            f"index      {self.index_dir}",
            f"articles   {self.articles} ({self.new} new, {self.changed} changed, "
            f"{self.unchanged} unchanged, {self.removed} removed)",
            f"chunks     {self.chunks} ({self.embedded_chunks} embedded)",
            f"time       {self.seconds:.1f} s ({self.chunks_per_second:.1f} chunks/s embedding)",
        ]
        lines += [f"note       {note}" for note in self.notes]
        lines.append(f"skipped    {len(self.skipped)} file(s)")
        lines += [f"  - {error.source}: {error.reason}" for error in self.skipped]
        return "\n".join(lines)


def embedding_text(chunk: Chunk) -> str:
    """The text a chunk is embedded as: its article title gives every chunk its topic."""
    return f"{chunk.title}\n{chunk.text}" if chunk.title else chunk.text


@contextmanager
def _ingest_lock(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise RuntimeError(
                f"another ingest is writing {index_dir}; try again when it ends"
            ) from error
        yield


def _previous(index_dir: Path, embedder: Embedder, rebuild: bool) -> FaissIndex | None:
    if rebuild:
        return None
    try:
        return FaissIndex.load(
            index_dir,
            model_id=embedder.model_id,
            weights_sha256=embedder.weights_hash,
            dimension=embedder.dimension,
        )
    except IndexMissingError:
        return None


def ingest_articles(
    articles: Sequence[Article],
    index_dir: Path,
    embedder: Embedder,
    settings: ChunkerSettings = ChunkerSettings(),
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    skipped: Sequence[LoadError] = (),
) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport(index_dir=index_dir, articles=len(articles), skipped=list(skipped))
    with _ingest_lock(index_dir):
        previous = _previous(index_dir, embedder, rebuild)
        if previous is not None and previous.manifest.chunker != settings.as_dict():
            report.notes.append(
                "chunker settings changed: every article is chunked and embedded again"
            )
            previous = None
        old_records = previous.manifest.articles if previous else {}
        kept_chunks: list[Chunk] = []
        kept_vectors: list[np.ndarray] = []
        fresh_chunks: list[Chunk] = []
        records: dict[str, ArticleRecord] = {}
        for article in articles:
            old = old_records.get(article.id)
            if previous is not None and old is not None and old.fingerprint == article.fingerprint:
                chunks = [c for c in previous.chunks if c.article_id == article.id]
                kept_chunks += chunks
                kept_vectors.append(previous.vectors_of(c.id for c in chunks))
                report.unchanged += 1
            else:
                chunks = chunk_article(article, embedder.count_tokens, settings)
                fresh_chunks += chunks
                report.new += old is None
                report.changed += old is not None
            records[article.id] = ArticleRecord(
                fingerprint=article.fingerprint,
                title=article.title,
                source=article.source,
                chunks=len(chunks),
                url=article.url,
                date=article.date,
            )
        report.removed = len(set(old_records) - set(records))
        if (
            previous is not None
            and not fresh_chunks
            and not report.removed
            and report.changed == 0
            and report.new == 0
        ):
            report.notes.append("index is up to date: nothing written")
            report.chunks = len(kept_chunks)
            report.seconds = time.perf_counter() - started
            return report
        fresh_vectors = _embed(fresh_chunks, embedder, report, progress)
        chunks = kept_chunks + fresh_chunks
        vectors = np.concatenate([*kept_vectors, fresh_vectors]) if chunks else fresh_vectors
        manifest = Manifest(
            model_id=embedder.model_id,
            weights_sha256=embedder.weights_hash,
            dimension=embedder.dimension,
            chunker=settings.as_dict(),
            articles=records,
            ann={},
        )
        FaissIndex.build(manifest, chunks, vectors).save(index_dir)
    report.chunks = len(chunks)
    report.seconds = time.perf_counter() - started
    return report


def _embed(
    chunks: list[Chunk], embedder: Embedder, report: IngestReport, progress: Progress | None
) -> np.ndarray:
    vectors = np.zeros((0, embedder.dimension), dtype=np.float32)
    if not chunks:
        return vectors
    texts = [embedding_text(chunk) for chunk in chunks]
    started = time.perf_counter()
    batches = []
    for begin in range(0, len(texts), EMBED_BATCH):
        batch = texts[begin : begin + EMBED_BATCH]
        batches.append(embedder.embed_passages(batch, batch_size=EMBED_BATCH))
        if progress is not None:
            progress(min(begin + EMBED_BATCH, len(texts)), len(texts))
    report.embed_seconds = time.perf_counter() - started
    report.embedded_chunks = len(chunks)
    report.embedded_tokens = sum(embedder.count_tokens(text) for text in texts)
    return np.concatenate(batches)


def ingest(
    corpus_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    settings: ChunkerSettings = ChunkerSettings(),
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Load every article file under `corpus_dir` and bring the index up to date with it."""
    loaded = load_corpus(corpus_dir)
    return ingest_articles(
        loaded.articles,
        index_dir,
        embedder,
        settings,
        rebuild=rebuild,
        progress=progress,
        skipped=loaded.errors,
    )
