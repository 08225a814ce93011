"""Filters on both index backends: a window of time and outlets restrict every search (dense,
by sentence, BM25) to the articles they admit, decided on each article's recorded facts, and
FAISS and Milvus admit the same ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus import search_tokens
from corpus.dates import DateWindow
from embeddings.index.backends import open_index
from embeddings.index.filters import ArticleFilter
from embeddings.index.manifest import ArticleRecord
from embeddings.index.protocol import VectorIndex
from embeddings.model.embedder import Embedder
from tests.dated_corpus import ARTICLES, dated_index, write_corpus

JULY = DateWindow(dt.date(2025, 7, 1), dt.date(2025, 7, 31))
QUERY = "التعاون بين سوريا وروسيا"


def record(**facts: object) -> ArticleRecord:
    return ArticleRecord(fingerprint="0" * 64, title=None, source="x", chunks=1, **facts)  # type: ignore[arg-type]


def test_an_article_is_admitted_by_what_is_known_of_it() -> None:
    july = ArticleFilter(JULY)
    assert july.admits(record(date="2025-07-10"))
    assert not july.admits(record(date="2025-08-03"))
    # Of unknown date: by the dates it mentions, when one may be in the window.
    assert july.admits(record(mentioned_dates=["--07-31"]))
    assert not july.admits(record(mentioned_dates=["2015-09-30"]))
    assert not july.admits(record())
    sana = ArticleFilter(outlets=("SANA",))
    assert sana.admits(record(url="https://www.sana.sy/x"))  # the site names it in Latin
    assert ArticleFilter(outlets=("وكالة سانا",)).admits(record(outlet="سانا"))
    assert not sana.admits(record(outlet="رويترز"))
    assert not ArticleFilter(JULY, ("سانا",)).admits(record(date="2025-07-10", outlet="رويترز"))
    assert ArticleFilter(JULY, ("SANA",)).label("en") == "July 2025 · SANA"
    # A question's span of time keeps what it cannot place.
    assert ArticleFilter(JULY, keep_undated=True).admits(record(mentioned_dates=["2015-09-30"]))
    assert not ArticleFilter(JULY, keep_undated=True).admits(record(date="2025-08-03"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("dated-corpus"))


@pytest.fixture(scope="module", params=["faiss", "milvus"])
def index(
    request: pytest.FixtureRequest,
    embedder: Embedder,
    corpus: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[VectorIndex]:
    folder = tmp_path_factory.mktemp(f"dated-{request.param}") / "index"
    with dated_index(request.param, corpus, folder, embedder) as target:
        yield open_index(target, embedder)


def _found(index: VectorIndex, embedder: Embedder, within: ArticleFilter | None) -> dict:
    vector = embedder.embed_queries([QUERY])[0]
    return {
        "dense": {h.chunk.article_id for h in index.search(vector.reshape(1, -1), 10, within)[0]},
        "sentences": {h.chunk.article_id for h in index.search_sentences(vector, 10, within)},
        "bm25": {
            h.chunk.article_id for h in index.search_lexical(search_tokens(QUERY), 10, within)
        },
    }


@pytest.mark.slow
def test_every_search_keeps_to_the_admitted_articles(
    index: VectorIndex, embedder: Embedder
) -> None:
    assert index.manifest.articles["undated-july"].mentioned_dates == ["--07-31"]
    everything = _found(index, embedder, None)
    assert everything["dense"] == {a["id"] for a in ARTICLES}
    july = _found(index, embedder, ArticleFilter(JULY))
    assert july["dense"] == july["sentences"] == {"sana-1", "sana-2", "undated-july"}
    assert july["bm25"] <= july["dense"] and july["bm25"]
    sana = _found(index, embedder, ArticleFilter(outlets=("SANA",)))
    assert sana["dense"] == {"sana-1", "sana-2"}
    nothing = _found(index, embedder, ArticleFilter(DateWindow(month=12)))  # December: none
    assert nothing == {"dense": set(), "sentences": set(), "bm25": set()}
