"""Incremental ingest: articles -> chunks -> vectors -> the index.

The article fingerprints in the index's manifest decide what changed: only new and changed
articles are chunked and embedded; unchanged ones keep their stored rows and removed ones are
dropped. Deciding is separate from writing: the embedding step is an `Embed` function (this
process by default, or Ray: `embeddings/ingest/ray_embed.py`) and each backend applies the change with
its `IndexWriter` (FAISS saves a new version and swaps it in atomically, see store.py; Milvus
deletes and re-inserts the changed articles, see `embeddings/index/milvus/index.py`).
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
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
from corpus.facts import mentioned_dates, opening_title
from embeddings.index.faiss.writer import FaissWriter
from embeddings.index.manifest import ArticleRecord, Manifest
from embeddings.index.protocol import Embed, IndexChange, IndexWriter, Rows, Sentence
from embeddings.ingest.local import Progress, embed_passages_sorted
from embeddings.model.embedder import Embedder


@dataclass
class IngestReport:
    index_dir: Path
    location: str = ""
    articles: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    embedded_chunks: int = 0
    embedded_sentences: int = 0
    # Distinct texts the model encoded (chunks and sentences; a repeated text counts once).
    embedded_texts: int = 0
    embedded_tokens: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    # Seconds of each step: reading the files ("load", by `ingest`), the stored index
    # ("previous"), comparing and chunking ("chunk"), "embed" and "write".
    phases: dict[str, float] = field(default_factory=dict)
    skipped: list[LoadError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def chunks_per_second(self) -> float:
        return self.embedded_chunks / self.embed_seconds if self.embed_seconds else 0.0

    def summary(self) -> str:
        lines = [
            f"index      {self.location or self.index_dir}",
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


def ingest_articles(
    articles: Sequence[Article],
    index_dir: Path,
    embedder: Embedder,
    settings: ChunkerSettings | None = None,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    skipped: Sequence[LoadError] = (),
    writer: IndexWriter | None = None,
    embed: Embed | None = None,
) -> IngestReport:
    """Bring the index up to date with `articles`: the manifest's article fingerprints decide
    what changed, `embed` (in this process by default) embeds the new and changed articles, and
    `writer` (the FAISS index in `index_dir` by default) applies the change."""
    settings = settings or ChunkerSettings()
    writer = writer or FaissWriter(index_dir, embedder)
    embed = embed or partial(embed_passages_sorted, embedder, progress=progress)
    started = time.perf_counter()
    report = IngestReport(
        index_dir=index_dir, location=writer.location, articles=len(articles), skipped=list(skipped)
    )
    with _ingest_lock(index_dir):
        clock = _Clock(report.phases)
        previous = None if rebuild else writer.previous()
        clock.lap("previous")
        report.notes += writer.notes
        if previous is not None and previous.chunker != settings.as_dict():
            report.notes.append(
                "chunker settings changed: every article is chunked and embedded again"
            )
            previous = None
        old_records = previous.articles if previous else {}
        fresh, records = _sort_articles(articles, old_records, embedder, settings, report)
        clock.lap("chunk")
        removed = set(old_records) - set(records)
        report.removed = len(removed)
        report.chunks = sum(record.chunks for record in records.values())
        changes = report.new or report.changed or report.removed
        if previous is not None and not changes and _same_facts(records, old_records):
            report.notes.append("index is up to date: nothing written")
            report.seconds = time.perf_counter() - started
            return report
        manifest = Manifest(
            model_id=embedder.model_id,
            weights_sha256=embedder.weights_hash,
            dimension=embedder.dimension,
            chunker=settings.as_dict(),
            articles=records,
            ann=None,
        )
        rows = fresh.embed(embed, embedder, report)
        clock.lap("embed")
        replaced = removed | (fresh.article_ids & set(old_records))
        noted = len(writer.notes)
        writer.write(IndexChange(manifest, rows, replaced, rebuild=previous is None))
        clock.lap("write")
        report.notes += writer.notes[noted:]
    report.seconds = time.perf_counter() - started
    return report


class _Clock:
    """Seconds since the last lap, into `phases`."""

    def __init__(self, phases: dict[str, float]) -> None:
        self.phases = phases
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = self.phases.get(name, 0.0) + now - self.last
        self.last = now


def _sort_articles(
    articles: Sequence[Article],
    old_records: Mapping[str, ArticleRecord],
    embedder: Embedder,
    settings: ChunkerSettings,
    report: IngestReport,
) -> tuple[_Fresh, dict[str, ArticleRecord]]:
    """New and changed articles are chunked for embedding; unchanged ones keep their stored
    rows. Returns (the fresh rows to embed, the manifest record of every article)."""
    fresh = _Fresh()
    records: dict[str, ArticleRecord] = {}
    for article in articles:
        old = old_records.get(article.id)
        if old is not None and old.fingerprint == article.fingerprint:
            count = old.chunks
            report.unchanged += 1
        else:
            count = fresh.add(article, embedder, settings)
            report.new += old is None
            report.changed += old is not None
        records[article.id] = article_record(article, count)
    return fresh, records


def _same_facts(records: dict[str, ArticleRecord], old: Mapping[str, ArticleRecord]) -> bool:
    """Whether the manifest already records what is read of each article now (an index made
    before an article's opening or mentioned dates were recorded is brought up to date; a
    corpus folder that moved is not a change)."""
    return all(
        replace(record, source="") == replace(old[i], source="") for i, record in records.items()
    )


def article_record(article: Article, chunks: int) -> ArticleRecord:
    """What the index keeps about an article: its facts, read once here."""
    return ArticleRecord(
        fingerprint=article.fingerprint,
        title=article.title,
        source=article.source,
        chunks=chunks,
        url=article.url,
        date=article.date,
        outlet=article.outlet,
        author=article.author,
        opening=None if article.title else opening_title(article.text),
        mentioned_dates=[] if article.date else mentioned_dates(article.text),
    )


@dataclass
class _Fresh:
    """Chunks and answer sentences of new and changed articles, before they are embedded.

    Only sentences that lie whole in a chunk are kept: an answer quotes a sentence of a
    retrieved chunk, and the sentence ranking ranks the chunk that holds it, so a sentence
    that a chunk boundary cuts is never used (chunks end at sentence ends, so it is rare)."""

    article_ids: set[str] = field(default_factory=set)
    chunks: list[Chunk] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    sentence_texts: list[str] = field(default_factory=list)

    def add(self, article: Article, embedder: Embedder, settings: ChunkerSettings) -> int:
        chunks = chunk_article(article, embedder.count_tokens, settings)
        spans = [s for s in answer_spans(article.text) if _in_a_chunk(s.start, s.end, chunks)]
        self.article_ids.add(article.id)
        self.chunks += chunks
        self.sentences += [Sentence(article.id, span.start, span.end) for span in spans]
        self.sentence_texts += [span.text for span in spans]
        return len(chunks)

    def embed(self, embed: Embed, embedder: Embedder, report: IngestReport) -> Rows:
        """Every chunk and sentence embedded; a text that occurs more than once (a repeated
        sentence, an agency story several outlets ran) is embedded once."""
        texts = [chunk.search_text for chunk in self.chunks] + self.sentence_texts
        unique = list(dict.fromkeys(texts))
        started = time.perf_counter()
        vectors = embed(unique) if unique else np.zeros((0, embedder.dimension), np.float32)
        report.embed_seconds = time.perf_counter() - started
        if vectors.shape != (len(unique), embedder.dimension):
            raise RuntimeError(f"{vectors.shape} vectors for {len(unique)} texts")
        row_of = {text: row for row, text in enumerate(unique)}
        vectors = vectors[[row_of[text] for text in texts]] if unique else vectors
        report.embedded_chunks = len(self.chunks)
        report.embedded_sentences = len(self.sentence_texts)
        report.embedded_texts = len(unique)
        report.embedded_tokens = sum(embedder.count_tokens(text) for text in unique)
        split = len(self.chunks)
        return Rows(self.chunks, vectors[:split], self.sentences, vectors[split:])


def _in_a_chunk(start: int, end: int, chunks: Sequence[Chunk]) -> bool:
    return any(chunk.start <= start and end <= chunk.end for chunk in chunks)


def ingest(
    corpus_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    settings: ChunkerSettings | None = None,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    writer: IndexWriter | None = None,
    embed: Embed | None = None,
) -> IngestReport:
    """Load every article file under `corpus_dir` and bring the index up to date with it
    (see `ingest_articles`)."""
    if not corpus_dir.is_dir():
        # Otherwise a mistyped folder would look like an empty corpus and empty the index.
        raise FileNotFoundError(f"corpus folder {corpus_dir} does not exist; nothing ingested")
    started = time.perf_counter()
    loaded = load_corpus(corpus_dir)
    loading = time.perf_counter() - started
    report = ingest_articles(
        loaded.articles,
        index_dir,
        embedder,
        settings,
        rebuild=rebuild,
        progress=progress,
        skipped=loaded.errors,
        writer=writer,
        embed=embed,
    )
    report.phases = {"load": loading, **report.phases}
    report.seconds += loading
    return report
