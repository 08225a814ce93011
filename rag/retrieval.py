"""Hybrid retrieval: dense search by chunk and by sentence, fused with BM25 by reciprocal rank.

BM25 only runs for Arabic questions: the corpus is Arabic, so an English question shares no
tokens with it and BM25 would add only noise to the fusion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from corpus import Chunk
from embeddings.index import VectorIndex
from rag.encoder import CachedEncoder
from rag.language import detect_language
from rag.lexical import LexicalIndex
from rag.schema import Passage


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int) -> dict[str, float]:
    """Sum of 1 / (k + rank) over the rankings each id appears in (rank counts from 1)."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank)
    return fused


SENTENCES_PER_CHUNK = 4


class HybridSearch:
    """Dense + lexical candidates, fused; every passage keeps its dense cosine for refusal."""

    def __init__(
        self,
        index: VectorIndex,
        encoder: CachedEncoder,
        *,
        candidates: int = 30,
        rrf_k: int = 60,
        hybrid: bool = True,
    ) -> None:
        self.index = index
        self.encoder = encoder
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.hybrid = hybrid
        self.lexical = LexicalIndex(index.chunks) if hybrid else None

    def dense(self, query_vector: np.ndarray, k: int) -> list[Passage]:
        hits = self.index.search(query_vector.reshape(1, -1), k)[0]
        return [Passage(hit.chunk, hit.score, dense_score=hit.score) for hit in hits]

    def bm25(self, query: str, k: int) -> list[Passage]:
        if self.lexical is None:
            return []
        return [
            Passage(self.index.chunks[row], score, lexical_score=score)
            for row, score in self.lexical.search(query, k)
        ]

    def sentences(self, query_vector: np.ndarray, k: int) -> list[Passage]:
        # Several of the best sentences often share a chunk, so look deeper than k sentences.
        hits = self.index.search_sentences(query_vector, k * SENTENCES_PER_CHUNK)[:k]
        return [Passage(hit.chunk, hit.score) for hit in hits]

    def search(
        self, query: str, k: int, *, query_vector: np.ndarray | None = None
    ) -> list[Passage]:
        """Fuse the rankings by chunk, by best sentence and (Arabic questions) by BM25."""
        if query_vector is None:
            query_vector = self.encoder.query(query)
        dense = self.dense(query_vector, self.candidates)
        lexical = self.bm25(query, self.candidates) if detect_language(query) == "ar" else []
        rankings = [dense, self.sentences(query_vector, self.candidates), lexical]
        fused = reciprocal_rank_fusion([[p.chunk.id for p in r] for r in rankings], self.rrf_k)
        chunks: dict[str, Chunk] = {p.chunk.id: p.chunk for r in rankings for p in r}
        dense_scores = {p.chunk.id: p.dense_score for p in dense}
        lexical_scores = {p.chunk.id: p.lexical_score for p in lexical}
        best = sorted(fused, key=lambda key: (-fused[key], key))[:k]
        missing = [key for key in best if key not in dense_scores]
        if missing:
            vectors = self.index.vectors_of(missing)
            dense_scores.update(zip(missing, (vectors @ query_vector).tolist(), strict=True))
        return [
            Passage(chunks[key], fused[key], dense_scores[key], lexical_scores.get(key))
            for key in best
        ]


def passage_to_document(passage: Passage) -> Document:
    return Document(
        page_content=passage.chunk.text,
        id=passage.chunk.id,
        metadata={
            "chunk": asdict(passage.chunk),
            "score": passage.score,
            "dense_score": passage.dense_score,
            "lexical_score": passage.lexical_score,
        },
    )


def document_to_passage(document: Document) -> Passage:
    meta = document.metadata
    return Passage(
        Chunk(**meta["chunk"]), meta["score"], meta["dense_score"], meta["lexical_score"]
    )


class PassageRetriever(BaseRetriever):
    """The LangChain face of `HybridSearch`: documents carry the chunk and its scores."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    search: HybridSearch
    k: int = 5

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [passage_to_document(p) for p in self.search.search(query, self.k)]
