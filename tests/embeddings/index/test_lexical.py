"""BM25 over search tokens: bm25s's scores from postings that can be kept and merged."""

from __future__ import annotations

import math

import numpy as np

from corpus import DEFAULT_CORPUS_DIR, load_corpus, search_tokens, split_sentences
from embeddings.index.lexical import Bm25Index, Postings

DOCUMENTS = [
    "التقى وزير الخارجية لافروف نظيره السوري في موسكو",
    "افتتح مهرجان التمور في بريدة",
    "وقال وزير الدفاع إن التعاون مستمر",
]


def _index() -> Bm25Index:
    return Bm25Index.of([search_tokens(text) for text in DOCUMENTS])


def _seed_documents() -> list[list[str]]:
    """Sentences of the seed articles as documents: hundreds, with repeated and rare words."""
    texts = [
        s.text for a in load_corpus(DEFAULT_CORPUS_DIR).articles for s in split_sentences(a.text)
    ]
    return [search_tokens(text) for text in texts] + [[]]  # and a document without tokens


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


def test_scores_are_bm25s_scores() -> None:
    import bm25s

    documents = _seed_documents()
    reference = bm25s.BM25()
    reference.index([list(d) or ["\u2205"] for d in documents], show_progress=False)
    ours = Bm25Index.of(documents)
    queries = [documents[n][:4] for n in range(0, len(documents) - 1, 7)] + [["سوريا", "سوريا"]]
    for query in queries:
        np.testing.assert_allclose(ours.scores(query), reference.get_scores(query), rtol=2e-6)


def test_kept_and_added_postings_equal_a_fresh_build() -> None:
    """What an update does: keep some documents' postings, add new ones, renumber."""
    documents = _seed_documents()
    kept = np.array([n for n in range(len(documents)) if n % 3], dtype=np.int64)
    added = [documents[n] for n in range(0, len(documents), 3)]
    merged = Postings.of(documents).take(kept).concat(Postings.of(added))
    fresh = Postings.of([documents[n] for n in kept] + added)
    assert list(merged.vocabulary) == list(fresh.vocabulary)
    np.testing.assert_array_equal(merged.lengths, fresh.lengths)
    merged_index, fresh_index = Bm25Index(merged), Bm25Index(fresh)
    for query in (documents[1][:3], documents[4][:5], ["سوريا"]):
        np.testing.assert_array_equal(merged_index.scores(query), fresh_index.scores(query))
    order = np.random.default_rng(3).permutation(fresh.size)
    moved = Bm25Index(fresh.renumber(order))
    np.testing.assert_array_equal(moved.scores(["سوريا"])[order], fresh_index.scores(["سوريا"]))
