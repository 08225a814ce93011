"""Fixtures of the index tests: the seed articles, the seed index loaded, and private copies
of the index and the corpus that a test may change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corpus import (
    DEFAULT_CORPUS_DIR,
    Article,
    load_corpus,
)
from embeddings.index.faiss.index import (
    FaissIndex,
)


@pytest.fixture(scope="module")
def seed_articles() -> dict[str, Article]:
    loaded = load_corpus(DEFAULT_CORPUS_DIR)
    assert loaded.errors == []
    assert len(loaded.articles) == 5
    return {article.id: article for article in loaded.articles}


@pytest.fixture(scope="module")
def loaded_seed(seed_index: Path) -> FaissIndex:
    return FaissIndex.load(seed_index)


@pytest.fixture
def index_copy(seed_index: Path, tmp_path: Path) -> Path:
    """A private copy of the seed index that a test may change."""
    return Path(shutil.copytree(seed_index, tmp_path / "index"))


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DEFAULT_CORPUS_DIR, tmp_path / "corpus"))
