"""Incremental ingest: articles -> chunks -> vectors -> a new index version.

Only new and changed articles are embedded; unchanged ones keep their stored vectors and deleted
ones are dropped. The result is saved as a new version and swapped in atomically (see store.py),
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

from corpus import (
    Article,
    Chunk,
    ChunkerSettings,
    LoadError,
    answer_spans,
    chunk_article,
    load_corpus,
)
from embeddings.faiss_index import FaissIndex
from embeddings.index import Sentence
from embeddings.model import Embedder
from embeddings.store import ArticleRecord, IndexMissingError, Manifest, remove_stale_versions

EMBED_BATCH = 32
# Texts per progress update; large enough that length-sorted batches stay homogeneous.
PROGRESS_STEP = 256
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
    embedded_sentences: int = 0
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
            f"chunks     {self.chunks} ({self.embedded_chunks} embedded, with "
            f"{self.embedded_sentences} answer sentences)",
            f"time       {self.seconds:.1f} s ({self.chunks_per_second:.1f} chunks/s embedding)",
        ]
        lines += [f"note       {note}" for note in self.notes]
        lines.append(f"skipped    {len(self.skipped)} file(s)")
        lines += [f"  - {error.source}: {error.reason}" for error in self.skipped]
        return "\n".join(lines)


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
        return FaissIndex.load_for(index_dir, embedder)
    except IndexMissingError:
        return None


def ingest_articles(
    articles: Sequence[Article],
    index_dir: Path,
    embedder: Embedder,
    settings: ChunkerSettings | None = None,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    skipped: Sequence[LoadError] = (),
) -> IngestReport:
    settings = settings or ChunkerSettings()
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
        kept, fresh, records = _sort_articles(articles, previous, embedder, settings, report)
        report.removed = len(set(old_records) - set(records))
        report.chunks = len(kept.chunks) + len(fresh.chunks)
        if previous is not None and not (report.new or report.changed or report.removed):
            report.notes.append("index is up to date: nothing written")
            # An ingest killed after its swap, or mid-save, may have left old versions behind.
            remove_stale_versions(index_dir)
            report.seconds = time.perf_counter() - started
            return report
        fresh.embed(embedder, report, progress)
        manifest = Manifest(
            model_id=embedder.model_id,
            weights_sha256=embedder.weights_hash,
            dimension=embedder.dimension,
            chunker=settings.as_dict(),
            articles=records,
            ann={},
        )
        # `fresh.embed` left one (possibly empty) array in each vector list: never 0 to concatenate.
        FaissIndex.build(
            manifest,
            kept.chunks + fresh.chunks,
            np.concatenate([*kept.chunk_vectors, *fresh.chunk_vectors]),
            kept.sentences + fresh.sentences,
            np.concatenate([*kept.sentence_vectors, *fresh.sentence_vectors]),
        ).save(index_dir)
    report.seconds = time.perf_counter() - started
    return report


def _sort_articles(
    articles: Sequence[Article],
    previous: FaissIndex | None,
    embedder: Embedder,
    settings: ChunkerSettings,
    report: IngestReport,
) -> tuple[_Parts, _Parts, dict[str, ArticleRecord]]:
    """Unchanged articles keep their stored chunks and vectors; new and changed ones are
    chunked for embedding. Returns (kept, fresh, the manifest record of every article)."""
    old_records = previous.manifest.articles if previous else {}
    kept = _Parts()
    fresh = _Parts()
    records: dict[str, ArticleRecord] = {}
    for article in articles:
        old = old_records.get(article.id)
        if previous is not None and old is not None and old.fingerprint == article.fingerprint:
            count = kept.keep(previous, article.id)
            report.unchanged += 1
        else:
            count = fresh.add(article, embedder, settings)
            report.new += old is None
            report.changed += old is not None
        records[article.id] = ArticleRecord(
            fingerprint=article.fingerprint,
            title=article.title,
            source=article.source,
            chunks=count,
            url=article.url,
            date=article.date,
        )
    return kept, fresh, records


@dataclass
class _Parts:
    """Chunks and answer sentences with their vectors (kept from the old index, or fresh)."""

    chunks: list[Chunk] = field(default_factory=list)
    chunk_vectors: list[np.ndarray] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    sentence_vectors: list[np.ndarray] = field(default_factory=list)
    sentence_texts: list[str] = field(default_factory=list)

    def keep(self, previous: FaissIndex, article_id: str) -> int:
        chunk_rows = previous.chunk_rows(article_id)
        sentence_rows = previous.sentence_rows(article_id)
        self.chunks += [previous.chunks[row] for row in chunk_rows]
        self.chunk_vectors.append(previous.vectors[chunk_rows])
        self.sentences += [previous.sentences[row] for row in sentence_rows]
        self.sentence_vectors.append(previous.sentence_vectors[sentence_rows])
        return len(chunk_rows)

    def add(self, article: Article, embedder: Embedder, settings: ChunkerSettings) -> int:
        chunks = chunk_article(article, embedder.count_tokens, settings)
        spans = answer_spans(article.text)
        self.chunks += chunks
        self.sentences += [Sentence(article.id, span.start, span.end) for span in spans]
        self.sentence_texts += [span.text for span in spans]
        return len(chunks)

    def embed(self, embedder: Embedder, report: IngestReport, progress: Progress | None) -> None:
        texts = [chunk.search_text for chunk in self.chunks] + self.sentence_texts
        started = time.perf_counter()
        vectors = embed_passages_sorted(embedder, texts, progress)
        report.embed_seconds = time.perf_counter() - started
        report.embedded_chunks = len(self.chunks)
        report.embedded_sentences = len(self.sentence_texts)
        report.embedded_tokens = sum(embedder.count_tokens(text) for text in texts)
        self.chunk_vectors = [vectors[: len(self.chunks)]]
        self.sentence_vectors = [vectors[len(self.chunks) :]]


def embed_passages_sorted(
    embedder: Embedder, texts: Sequence[str], progress: Progress | None = None
) -> np.ndarray:
    """Embed in order of length, so each batch pads to similar lengths, and restore the order."""
    vectors = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for begin in range(0, len(order), PROGRESS_STEP):
        rows = order[begin : begin + PROGRESS_STEP]
        vectors[rows] = embedder.embed_passages([texts[i] for i in rows], batch_size=EMBED_BATCH)
        if progress is not None:
            progress(begin + len(rows), len(order))
    return vectors


@contextmanager
def progress_bar(desc: str, *, disable: bool = False) -> Iterator[Progress]:
    """A terminal progress bar for the embedding step, as a `Progress` callback."""
    from tqdm import tqdm

    with tqdm(total=0, unit="text", desc=desc, disable=disable) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        yield progress


def ingest(
    corpus_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    settings: ChunkerSettings | None = None,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Load every article file under `corpus_dir` and bring the index up to date with it."""
    if not corpus_dir.is_dir():
        # Otherwise a mistyped folder would look like an empty corpus and empty the index.
        raise FileNotFoundError(f"corpus folder {corpus_dir} does not exist; nothing ingested")
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
