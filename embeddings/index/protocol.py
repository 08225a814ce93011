"""The vector index protocol: what retrieval and answering need from a store of chunks and
answer sentences. `rag/` depends only on it, so a backend (`embeddings/index/faiss/index.py`,
`embeddings/index/milvus/index.py`) can be replaced without touching `rag/`. `IndexWriter` is what
ingest needs from a backend to bring it up to date.

Sentence vectors are stored beside the chunk vectors so that choosing the answer sentences of the
retrieved passages costs a dot product at question time, not a model call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from corpus import Chunk, Span
from embeddings.index.filters import ArticleFilter
from embeddings.index.manifest import Manifest


@dataclass(frozen=True)
class Sentence:
    """An answer sentence of an article: `article.text[start:end]`."""

    article_id: str
    start: int
    end: int


@dataclass(frozen=True)
class SearchHit:
    chunk: Chunk
    score: float


# An answer sentence inside a chunk (offsets relative to the chunk's text) and its unit vector.
SentenceVector = tuple[Span, np.ndarray]


class VectorIndex(Protocol):
    """What retrieval and answering need from an index backend. The searches take a filter
    (`within`: a window of time, outlets): only chunks of the articles it admits are found."""

    manifest: Manifest

    def search(
        self, query_vectors: np.ndarray, k: int, within: ArticleFilter | None = None
    ) -> list[list[SearchHit]]:
        """For each query, chunks by the cosine of their vector to it, best first."""
        ...

    def search_sentences(
        self, query_vector: np.ndarray, k: int, within: ArticleFilter | None = None
    ) -> list[SearchHit]:
        """Chunks by the cosine of their best answer sentence among the top `k` sentences."""
        ...

    def search_lexical(
        self, tokens: Sequence[str], k: int, within: ArticleFilter | None = None
    ) -> list[SearchHit]:
        """Chunks by BM25 over their search tokens (`corpus.search_tokens`), best first."""
        ...

    def idf(self, tokens: Sequence[str]) -> dict[str, float]:
        """BM25's inverse document frequency of each token over the chunks."""
        ...

    def vectors_of(self, chunk_ids: Iterable[str]) -> np.ndarray: ...

    def sentences_in(self, chunks: Sequence[Chunk]) -> list[list[SentenceVector]]:
        """For each chunk, the article's answer sentences that lie inside it."""
        ...

    def chunks_of(self, article_id: str) -> list[Chunk]:
        """The article's chunks in text order (empty for an unknown id). They overlap and cover
        the article, so their offsets rebuild its whole text."""
        ...


# Passage texts -> their unit vectors, one row per text, in order: the embedding step of an
# ingest, in this process or on a batch engine (`embeddings/ingest/ray_embed.py`).
Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass
class Rows:
    """Chunks and answer sentences with their unit vectors, as an ingest writes them."""

    chunks: list[Chunk]
    chunk_vectors: np.ndarray
    sentences: list[Sentence]
    sentence_vectors: np.ndarray


@dataclass
class IndexChange:
    """What an ingest found, for a writer to apply.

    `manifest` describes the index as it must be afterwards (every article's record). `fresh`
    holds the rows of new and changed articles. The stored rows of `replaced` articles (changed
    or removed) must go. `rebuild` starts from an empty index."""

    manifest: Manifest
    fresh: Rows
    replaced: set[str]
    rebuild: bool


class IndexWriter(Protocol):
    """One backend's side of an ingest; the ingest itself decides what changed."""

    # Where the index is, for the ingest report (a folder or a Milvus URI).
    location: str
    # What the writer found that the report should say (e.g. an interrupted write it repairs).
    notes: list[str]

    def previous(self) -> Manifest | None:
        """The manifest of the index as stored, None if there is none; refuses an index of
        another model or a damaged one."""
        ...

    def write(self, change: IndexChange) -> None: ...
