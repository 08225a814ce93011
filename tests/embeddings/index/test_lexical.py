"""BM25 over search tokens."""

from __future__ import annotations

import math

from corpus import search_tokens
from embeddings.index.lexical import Bm25Index

DOCUMENTS = [
    "التقى وزير الخارجية لافروف نظيره السوري في موسكو",
    "افتتح مهرجان التمور في بريدة",
    "وقال وزير الدفاع إن التعاون مستمر",
]


def _index() -> Bm25Index:
    return Bm25Index.of([search_tokens(text) for text in DOCUMENTS])


def test_search_ranks_documents_that_share_rare_tokens_first() -> None:
    hits = _index().search(search_tokens("لافروف موسكو"), k=3)
    assert [row for row, _ in hits] == [0]  # no other document shares a token
    assert hits[0][1] > 0


def test_idf_is_bm25s_and_higher_for_rarer_tokens() -> None:
    index = _index()
    [minister] = search_tokens("وزير")
    [lavrov] = search_tokens("لافروف")
    assert index.idf(lavrov) > index.idf(minister)
    assert index.idf(minister) == math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))
    assert index.idf("غائب") == math.log(1 + (3 + 0.5) / 0.5)


def test_an_empty_index_or_query_finds_nothing() -> None:
    assert Bm25Index.of([]).search(["x"], 5) == []
    assert _index().search([], 5) == []
    assert _index().search(search_tokens("لافروف"), 0) == []
