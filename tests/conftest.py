"""Shared fixtures: the real embedding model and an index of the seed corpus, built once a session.

Both are expensive (the model takes seconds to load, the index embeds every seed article), so
they are session-scoped. Treat them as read-only: a test that changes an index copies
`seed_index` first (`shutil.copytree`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import DEFAULT_CORPUS_DIR
from embeddings.model import Embedder


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The packaged default model (`packaged:multilingual-e5-small`), loaded and verified."""
    model = Embedder()
    model.warm_up()
    return model


@pytest.fixture(scope="session")
def seed_index(embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index folder holding the seed corpus (`corpus.DEFAULT_CORPUS_DIR`), default settings."""
    from embeddings.ingest import ingest

    index_dir = tmp_path_factory.mktemp("seed-index") / "index"
    report = ingest(DEFAULT_CORPUS_DIR, index_dir, embedder)
    assert report.skipped == [], report.summary()
    assert report.articles == report.new > 0, report.summary()
    return index_dir
