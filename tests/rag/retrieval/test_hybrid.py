"""Hybrid search over a stub index: which rankings are made, fused and handed on."""

from __future__ import annotations

from rag.retrieval import HybridSearch
from tests.rag.stubs import StubIndex, chunk, question

CHUNKS = [
    chunk("a", "التقى وزير الخارجية لافروف نظيره السوري في موسكو. وبحثا العلاقات الثنائية."),
    chunk("b", "افتتح مهرجان التمور في بريدة بمشاركة ثلاثمئة مزارع."),
    chunk("c", "The minister met Lavrov in Moscow to discuss relations."),
    chunk("d", "وقالت الوزارة إن لافروف سيزور دمشق الشهر المقبل."),
]


def test_bm25_is_fused_for_arabic_questions_only() -> None:
    index = StubIndex(CHUNKS)
    search = HybridSearch(index, candidates=4)
    english = search.search(question("Who met Lavrov in Moscow?"), 2)
    assert index.lexical_calls == [] and "bm25" not in english.rankings
    arabic = question("من التقى لافروف في موسكو؟")
    result = search.search(arabic, 2)
    assert index.lexical_calls == [arabic.tokens]
    assert set(result.rankings) == {"dense", "sentences", "bm25", "hybrid"}
    assert any(p.lexical_score for p in result.passages)


def test_evaluation_can_rank_by_bm25_without_fusing_it() -> None:
    index = StubIndex(CHUNKS)
    plain = HybridSearch(index, candidates=4).search(question("Who met Lavrov?"), 3)
    unfused = HybridSearch(index, candidates=4, rank_unfused=True).search(
        question("Who met Lavrov?"), 3
    )
    assert "bm25" in unfused.rankings
    assert [p.chunk.id for p in unfused.passages] == [p.chunk.id for p in plain.passages]
    assert all(p.lexical_score is None for p in unfused.passages)


def test_every_passage_has_its_dense_cosine_and_rankings_go_deeper_than_k() -> None:
    search = HybridSearch(StubIndex(CHUNKS), candidates=4)
    result = search.search(question("لافروف دمشق"), 1)
    assert len(result.passages) == 1
    assert all(p.dense_score is not None for p in result.passages)
    assert len(result.rankings["hybrid"]) > 1  # the fused ranking, as deep as the candidates
    assert result.rankings["hybrid"][0] == result.passages[0].chunk


def test_hybrid_off_uses_dense_rankings_only() -> None:
    index = StubIndex(CHUNKS)
    HybridSearch(index, candidates=4, hybrid=False).search(question("من التقى لافروف؟"), 2)
    assert index.lexical_calls == []
