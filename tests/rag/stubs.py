"""Deterministic stand-ins for the embedding model and the index, for tests of one stage.

Vectors are hashed bags of words, so texts that share words are close and the same text always
gets the same unit vector.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

from corpus import Chunk, Span, answer_spans, normalize_text, search_tokens
from embeddings.index.filters import ArticleFilter
from embeddings.index.manifest import ArticleRecord
from embeddings.index.protocol import SearchHit
from rag.question import read_question
from rag.schema import Passage, Question, Turn

DIM = 256


def vector(text: str, dim: int = DIM) -> np.ndarray:
    out = np.zeros(dim, dtype=np.float32)
    for word in re.findall(r"[^\W_]+", normalize_text(text)):
        out[zlib.crc32(word.encode()) % dim] += 1.0
    norm = np.linalg.norm(out)
    return out / norm if norm else out


class StubEncoder:
    def __init__(self) -> None:
        self.queried: list[str] = []

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([vector(t) for t in texts]) if texts else np.zeros((0, DIM))

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.passages(texts)

    def query(self, text: str) -> np.ndarray:
        self.queried.append(text)
        return vector(text)


def chunk(article_id: str, text: str, title: str | None = None) -> Chunk:
    return Chunk(f"{article_id}:0-{len(text)}", article_id, title, text, 0, len(text))


class StubIndex:
    """The `VectorIndex` protocol over a few chunks, by brute force on hashed vectors."""

    def __init__(
        self, chunks: Sequence[Chunk] = (), records: dict[str, ArticleRecord] | None = None
    ) -> None:
        self.chunks = list(chunks)
        self.records = records or {}
        self.lexical_calls: list[tuple[str, ...]] = []

    def _sentences(self, c: Chunk) -> list[tuple[Span, np.ndarray]]:
        return [(span, vector(span.text)) for span in answer_spans(c.text)]

    def sentences_in(self, chunks: Sequence[Chunk]) -> list[list[tuple[Span, np.ndarray]]]:
        return [self._sentences(c) for c in chunks]

    def _within(self, within: ArticleFilter | None) -> list[Chunk]:
        """The chunks of the articles a filter admits (by their `records`)."""
        if within is None or not within.active:
            return self.chunks
        return [
            c
            for c in self.chunks
            if c.article_id in self.records and within.admits(self.records[c.article_id])
        ]

    def search(
        self, query_vectors: np.ndarray, k: int, within: ArticleFilter | None = None
    ) -> list[list[SearchHit]]:
        return [
            sorted(
                (SearchHit(c, float(vector(c.search_text) @ q)) for c in self._within(within)),
                key=lambda hit: -hit.score,
            )[:k]
            for q in np.atleast_2d(query_vectors)
        ]

    def search_sentences(
        self, query_vector: np.ndarray, k: int, within: ArticleFilter | None = None
    ) -> list[SearchHit]:
        best: dict[str, SearchHit] = {}
        chunks = self._within(within)
        scored = sorted(
            ((c, float(v @ query_vector)) for c in chunks for _, v in self._sentences(c)),
            key=lambda pair: -pair[1],
        )[:k]
        for c, score in scored:
            best.setdefault(c.id, SearchHit(c, score))
        return list(best.values())

    def search_lexical(
        self, tokens: Sequence[str], k: int, within: ArticleFilter | None = None
    ) -> list[SearchHit]:
        self.lexical_calls.append(tuple(tokens))
        wanted = set(tokens)
        hits = [
            SearchHit(c, float(len(wanted & set(search_tokens(c.search_text)))))
            for c in self._within(within)
        ]
        return sorted((h for h in hits if h.score > 0), key=lambda h: -h.score)[:k]

    def idf(self, tokens: Sequence[str]) -> dict[str, float]:
        return dict.fromkeys(tokens, 1.0)

    def chunks_of(self, article_id: str) -> list[Chunk]:
        return sorted((c for c in self.chunks if c.article_id == article_id), key=lambda c: c.start)

    def vectors_of(self, chunk_ids) -> np.ndarray:
        by_id = {c.id: c for c in self.chunks}
        return np.stack([vector(by_id[i].search_text) for i in chunk_ids])


def question(text: str, history: Sequence[Turn] = ()) -> Question:
    return read_question(text, history, encoder=StubEncoder(), max_chars=2000)  # type: ignore[arg-type]


def passages_of(chunks: Sequence[Chunk], dense: float = 0.9) -> list[Passage]:
    return [Passage(c, 1.0 - i / 10, dense) for i, c in enumerate(chunks)]
