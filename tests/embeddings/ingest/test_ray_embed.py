"""Batch ingest on Ray Data, on a local 2-CPU Ray: the same chunks and vectors as the in-process
ingest, in this process and from `python -m rag ingest --engine ray` joining that Ray as it
would join a cluster (RAY_ADDRESS and Ray 2.60's token auth)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from corpus import DEFAULT_CORPUS_DIR
from embeddings.index.backends import IndexTarget, open_index
from embeddings.index.faiss.index import FaissIndex
from embeddings.ingest.incremental import ingest
from embeddings.ingest.ray_embed import RaySession, embed_on_ray
from embeddings.model.embedder import Embedder

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]
ROOT = Path(__file__).resolve().parents[3]


def assert_same_index(ours, reference: FaissIndex) -> None:
    assert ours.manifest.articles == reference.manifest.articles
    for article_id in reference.manifest.articles:
        assert ours.chunks_of(article_id) == reference.chunks_of(article_id)
    ids = [chunk.id for chunk in reference.chunks]
    assert (ours.vectors_of(ids) * reference.vectors_of(ids)).sum(axis=1).min() >= 0.9999


def test_ray_ingest_builds_the_in_process_index(
    ray_cluster: RaySession, embedder: Embedder, seed_index: Path, tmp_path: Path
) -> None:
    report = ingest(
        DEFAULT_CORPUS_DIR,
        tmp_path / "index",
        embedder,
        embed=lambda texts: embed_on_ray(embedder, texts),
    )
    assert report.new == report.articles == 5
    on_ray, reference = FaissIndex.load(tmp_path / "index"), FaissIndex.load(seed_index)
    assert_same_index(on_ray, reference)
    assert on_ray.sentences == reference.sentences
    cosines = (on_ray.sentence_vectors * reference.sentence_vectors).sum(axis=1)
    assert cosines.min() >= 0.9999 and np.isfinite(cosines).all()


def test_the_cli_joins_a_running_ray_by_address_and_writes_milvus(
    ray_cluster: RaySession, embedder: Embedder, seed_index: Path, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "RAY_"))}
    env |= {"RAY_ADDRESS": ray_cluster.address, "RAG_INDEX_BACKEND": "milvus"}
    if ray_cluster.token_file is not None and ray_cluster.token_file.is_file():
        env |= {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(ray_cluster.token_file)}
    index = tmp_path / "index"
    command = [sys.executable, "-m", "rag", "ingest", "--engine", "ray", "--index", str(index)]
    result = subprocess.run(
        [*command, "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1100
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "5 new" in result.stdout
    from embeddings.index.milvus.connection import release_local

    target = IndexTarget("milvus", index)
    try:
        assert_same_index(open_index(target, embedder), FaissIndex.load(seed_index))
    finally:
        release_local(target.uri)
