"""Hybrid retrieval: dense search by chunk and by best sentence, fused with BM25 by reciprocal rank.

BM25 only runs for Arabic questions: the corpus is Arabic, so an English question shares no
tokens with it and BM25 would add only noise to the fusion.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from corpus import Chunk
from embeddings.index.protocol import SearchHit, VectorIndex
from rag.retrieval.fusion import reciprocal_rank_fusion
from rag.schema import Passage, Question, SearchResult

# Several of the best sentences often share a chunk, so the sentence ranking looks this many
# times deeper than the chunks it needs.
SENTENCES_PER_CHUNK = 4
HYBRID = "hybrid"


class HybridSearch:
    """Dense + lexical candidates, fused; every passage keeps its dense cosine for refusal."""

    def __init__(
        self,
        index: VectorIndex,
        *,
        candidates: int = 30,
        rrf_k: int = 60,
        hybrid: bool = True,
        weights: Mapping[str, Mapping[str, float]] | None = None,
        rank_unfused: bool = False,
    ) -> None:
        self.index = index
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.hybrid = hybrid
        # Per question language and ranking; a ranking not named weighs 1.
        self.weights = weights or {}
        # Evaluation compares every method alone, BM25 for English questions included, though
        # the fusion leaves it out.
        self.rank_unfused = rank_unfused

    def _rankings(
        self, question: Question, depth: int
    ) -> tuple[dict[str, list[SearchHit]], list[str]]:
        """Every ranking made (among the articles the question's filter admits), and the names
        of those the fusion uses."""
        within = question.filter
        vector = question.vector
        rankings = {
            "dense": self.index.search(vector.reshape(1, -1), depth, within)[0],
            "sentences": self.index.search_sentences(vector, depth * SENTENCES_PER_CHUNK, within)[
                :depth
            ],
        }
        used = list(rankings)
        lexical = self.hybrid and question.language == "ar"
        if lexical or self.rank_unfused:
            rankings["bm25"] = self.index.search_lexical(question.tokens, depth, within)
        if lexical:
            used.append("bm25")
        return rankings, used

    def search(self, question: Question, k: int) -> SearchResult:
        """The top `k` chunks of the fused rankings by chunk, by best sentence and (Arabic
        questions) by BM25. Each ranking looks at least `k` deep."""
        rankings, used = self._rankings(question, max(self.candidates, k))
        weights = self.weights.get(question.language, {})
        fused = reciprocal_rank_fusion(
            [[hit.chunk.id for hit in rankings[name]] for name in used],
            self.rrf_k,
            [float(weights.get(name, 1.0)) for name in used],
        )
        chunks = {hit.chunk.id: hit.chunk for name in used for hit in rankings[name]}
        order = sorted(fused, key=lambda key: (-fused[key], key))
        dense = {hit.chunk.id: hit.score for hit in rankings["dense"]}
        lexical = {hit.chunk.id: hit.score for hit in rankings["bm25"]} if "bm25" in used else {}
        best = order[:k]
        missing = [key for key in best if key not in dense]
        if missing:
            vectors = self.index.vectors_of(missing)
            dense.update(zip(missing, (vectors @ question.vector).tolist(), strict=True))
        passages = [Passage(chunks[key], fused[key], dense[key], lexical.get(key)) for key in best]
        by_method: dict[str, Sequence[Chunk]] = {
            method: [hit.chunk for hit in hits] for method, hits in rankings.items()
        }
        by_method[HYBRID] = [chunks[key] for key in order[: max(self.candidates, k)]]
        return SearchResult(passages, by_method)
