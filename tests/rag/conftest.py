"""The answer chain over the seed corpus on each index backend (FAISS, and Milvus on the real
milvus-lite engine): the chain must not tell them apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from embeddings.model.embedder import Embedder
from rag.config import load_settings
from rag.pipeline import Pipeline


@pytest.fixture(scope="module", params=["faiss", "milvus"])
def index_settings(request: pytest.FixtureRequest, seed_index: Path) -> dict[str, Any]:
    """The seed corpus in each index backend."""
    if request.param == "milvus":
        return {"index_backend": "milvus", "index_dir": request.getfixturevalue("milvus_seed")}
    return {"index_backend": "faiss", "index_dir": seed_index}


@pytest.fixture(scope="module")
def pipeline(embedder: Embedder, index_settings: dict[str, Any]) -> Pipeline:
    return Pipeline.from_settings(load_settings(**index_settings), embedder)
