"""Shared fixtures: the real embedding model and an index of the seed corpus, built once a session,
and one app served over a copy of them (`served`) for the tests that only ask questions.

Both are expensive (the model takes seconds to load, the index embeds every seed article), so
they are session-scoped. Treat them as read-only: a test that changes an index copies
`seed_index` first (`shutil.copytree`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings as hypothesis_settings

from corpus import DEFAULT_CORPUS_DIR, load_corpus
from embeddings.index.protocol import Embed
from embeddings.model.embedder import Embedder
from tests.serving.app_thread import Served, app_folders, serve_app

# CI draws the same examples on every run, so a red build is a regression, never a new draw
# (locally each run explores new ones; a failure found there becomes an @example).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The packaged default model (`packaged:multilingual-e5-small`), loaded and verified."""
    model = Embedder()
    model.warm_up()
    return model


@pytest.fixture(scope="session")
def seed_index(embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index folder holding the seed corpus (`corpus.DEFAULT_CORPUS_DIR`), default settings."""
    from embeddings.ingest.incremental import ingest

    index_dir = tmp_path_factory.mktemp("seed-index") / "index"
    report = ingest(DEFAULT_CORPUS_DIR, index_dir, embedder)
    assert report.skipped == [], report.summary()
    assert report.articles == report.new > 0, report.summary()
    return index_dir


@pytest.fixture(scope="session")
def seed_vectors(embedder: Embedder, seed_index: Path) -> Embed:
    """An `Embed` that returns the vectors the in-process ingest stored in `seed_index` (and
    embeds any other text), so another backend gets the very same rows without a second
    embedding of the corpus."""
    from embeddings.index.faiss.index import FaissIndex

    index = FaissIndex.load(seed_index)
    texts = {a.id: a.text for a in load_corpus(DEFAULT_CORPUS_DIR).articles}
    known = {c.search_text: v for c, v in zip(index.chunks, index.vectors, strict=True)}
    for sentence, vector in zip(index.sentences, index.sentence_vectors, strict=True):
        known[texts[sentence.article_id][sentence.start : sentence.end]] = vector

    def embed(batch: Sequence[str]) -> np.ndarray:
        new = [text for text in dict.fromkeys(batch) if text not in known]
        if new:
            known.update(zip(new, embedder.embed_passages(new), strict=True))
        return np.stack([known[text] for text in batch]).astype(np.float32)

    return embed


def build_milvus(
    index_dir: Path, embedder: Embedder, embed: Embed, corpus: Path = DEFAULT_CORPUS_DIR
) -> str:
    """A Milvus (milvus-lite) index of `corpus` in `index_dir`, by the real ingest; its URI."""
    from embeddings.index.backends import IndexTarget, index_writer
    from embeddings.ingest.incremental import ingest

    target = IndexTarget("milvus", index_dir)
    report = ingest(corpus, index_dir, embedder, writer=index_writer(target, embedder), embed=embed)
    assert report.skipped == [] and report.chunks > 0, report.summary()
    return target.uri


@pytest.fixture(scope="module")
def milvus_seed(
    embedder: Embedder, seed_vectors: Embed, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """An index folder whose Milvus index holds the seed corpus, one per test module (its
    milvus-lite engine is stopped after the module)."""
    from embeddings.index.milvus.connection import release_local

    index_dir = tmp_path_factory.mktemp("milvus-seed") / "index"
    uri = build_milvus(index_dir, embedder, seed_vectors)
    yield index_dir
    release_local(uri)


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[object]:
    """A local Ray with 2 CPUs for the whole session (starting one costs 10-20 s)."""
    from embeddings.ingest.ray_embed import ray_session

    with ray_session(num_cpus=2) as session:
        yield session


@pytest.fixture(scope="session")
def served(tmp_path_factory, embedder, seed_index) -> Iterator[Served]:
    """One app for the tests that only ask questions (the upload test adds one article)."""
    index_dir, corpus_dir = app_folders(tmp_path_factory.mktemp("ui"), seed_index)
    app = serve_app(index_dir, corpus_dir, embedder)
    try:
        yield app
    finally:
        app.close()
