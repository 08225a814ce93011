"""The vector index protocol: what retrieval and answering need from a store of chunks and
answer sentences. `rag/` depends only on it, so a backend (`embeddings/faiss_index.py`, or a
vector database) can be replaced without touching `rag/`.

Sentence vectors are stored beside the chunk vectors so that choosing the answer sentences of the
retrieved passages costs a dot product at question time, not a model call.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from corpus import Chunk, Span
from embeddings.store import Manifest


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
    """What retrieval and answering need from an index backend."""

    manifest: Manifest

    def search(self, query_vectors: np.ndarray, k: int) -> list[list[SearchHit]]:
        """For each query, chunks by the cosine of their vector to it, best first."""
        ...

    def search_sentences(self, query_vector: np.ndarray, k: int) -> list[SearchHit]:
        """Chunks by the cosine of their best answer sentence among the top `k` sentences."""
        ...

    def search_lexical(self, tokens: Sequence[str], k: int) -> list[SearchHit]:
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
