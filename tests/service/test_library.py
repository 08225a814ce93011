"""The article list read through the application layer: pages, a search by title, date and
outlet (normalized as everywhere text is matched), uploaded articles first, and the article
records parsed only when the list is first asked for. A small index of random vectors stands in
for a real one: no model is loaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corpus import Chunk
from embeddings.index.faiss.index import FaissIndex
from embeddings.index.manifest import ArticleRecord, Manifest
from embeddings.index.protocol import Sentence
from embeddings.model.embedder import Embedder
from rag.config import load_settings
from rag.pipeline import Pipeline
from service.library import PAGE_SIZE, Library
from service.live import Service

ARTICLES = 130
UPLOADED = {7, 47, 87}


def _index(corpus: Path) -> FaissIndex:
    rng = np.random.default_rng(0)
    chunks, sentences, records = [], [], {}
    (corpus / "uploads").mkdir(parents=True)
    for n in range(ARTICLES):
        article_id = f"a{n:03d}"
        chunks.append(Chunk(f"{article_id}:0-10", article_id, None, "x" * 10, 0, 10))
        sentences.append(Sentence(article_id, 0, 5))
        source = str(corpus / f"{article_id}.txt")
        if n in UPLOADED:
            source = str(corpus / "uploads" / f"{article_id}.txt")
            Path(source).write_text("x", encoding="utf-8")
        records[article_id] = ArticleRecord(
            "0" * 64,
            "مدينة الرياض تستضيف المعرض" if n % 10 == 3 else f"خبر {n}",
            source,
            1,
            date=f"2015-08-{n % 28 + 1:02d}",
            outlet="okaz" if n % 2 else "sabq",
        )
    manifest = Manifest("m", "1" * 64, 8, {"max_tokens": 200, "overlap_tokens": 40}, records, None)
    vectors = rng.normal(size=(ARTICLES, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return FaissIndex.build(manifest, chunks, vectors, sentences, vectors.copy())


@pytest.fixture
def library(tmp_path: Path) -> Library:
    corpus = tmp_path / "corpus"
    index = _index(corpus)
    index.save(tmp_path / "index")
    loaded = FaissIndex.load(tmp_path / "index")
    settings = load_settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    return Library(Service(Pipeline(settings, Embedder(), loaded), settings))


def test_pages_hold_every_article_once_uploaded_first(library: Library) -> None:
    records = library.service.manifest().articles
    # Starting parsed only the records that name the uploads folder (the indexer's check that
    # the uploads and the index agree), none of the other articles'.
    assert {records.article_id(row) for row in records._records} == {"a007", "a047", "a087"}
    first = library.articles()
    assert (first.page, first.pages, first.total) == (0, 3, ARTICLES)
    assert len(first.rows) == PAGE_SIZE
    assert [r.article_id for r in first.rows[:3]] == ["a007", "a047", "a087"]
    assert all(r.uploaded for r in first.rows[:3]) and not first.rows[3].uploaded
    seen = [r.article_id for p in range(first.pages) for r in library.articles(page=p).rows]
    assert sorted(seen) == sorted(records) and len(seen) == ARTICLES
    assert library.articles(page=99).page == 2  # clamped to the last page
    assert library.articles(page=-4).page == 0
    assert set(library.uploaded()) == {"a007", "a047", "a087"}


def test_search_matches_title_date_and_outlet_normalized(library: Library) -> None:
    # Alef forms, tatweel and diacritics do not matter, as in every other match.
    found = library.articles(query="  مدينة الـرياض ")
    assert found.total == 13 and {r.article_id[-1] for r in found.rows} == {"3"}
    assert found.query == "مدينة الـرياض"
    assert library.articles(query="2015-08-05").total == len(
        [n for n in range(ARTICLES) if n % 28 == 4]
    )
    assert library.articles(query="OKAZ").total == ARTICLES // 2
    nothing = library.articles(query="لا شيء يطابق")
    assert (nothing.rows, nothing.total, nothing.pages, nothing.page) == ([], 0, 1, 0)


def test_a_new_index_is_listed_afresh(library: Library, tmp_path: Path) -> None:
    before = library.articles()
    service = library.service
    smaller = FaissIndex.load(tmp_path / "index")
    smaller.manifest.articles = {"only": smaller.manifest.articles["a001"]}
    service._pipeline = Pipeline(service.settings, service.pipeline.embedder, smaller)
    after = library.articles()
    assert before.total == ARTICLES and after.total == 1 and after.rows[0].article_id == "only"
