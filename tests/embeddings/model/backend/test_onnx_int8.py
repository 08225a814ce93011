"""The onnx-int8 backend: close to the fp32 vectors, its own weights hash, refused indexes, and
no torch in the process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from corpus import Article
from corpus.article import article_fingerprint
from embeddings.files import sha256_file
from embeddings.index.faiss.index import FaissIndex
from embeddings.index.manifest import IndexMismatchError
from embeddings.ingest.incremental import ingest_articles
from embeddings.model.backend import onnx_int8
from embeddings.model.backend.folders import ModelError
from embeddings.model.backend.onnx import onnx_model_dir
from embeddings.model.backend.onnx_int8 import MIN_INT8_COSINE, ONNX_INT8_FILE, int8_model_dir
from embeddings.model.backend.verification import VERIFICATION_TEXTS, Verification
from embeddings.model.embedder import Embedder
from tests.processes import HEAVY, REPO, clean_env

TEXT = "افتتحت وزارة الثقافة السورية معرض الكتاب السنوي في دمشق بمشاركة أكثر من مئتي دار نشر."


@pytest.fixture(scope="module")
def int8(embedder: Embedder) -> Embedder:
    model = Embedder(cache_dir=embedder.cache_dir, backend="onnx-int8")
    model.warm_up()
    return model


def test_unknown_backend_and_custom_model_are_refused() -> None:
    with pytest.raises(ModelError, match="unknown embedding backend"):
        Embedder(backend="onnx-fp16")  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="only available"):
        Embedder("intfloat/multilingual-e5-base", backend="onnx-int8")


def test_int8_too_far_from_fp32_is_refused_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quality gate, without quantizing: a fake graph and a failing verification."""
    monkeypatch.setattr(onnx_int8, "materialize_onnx_model", lambda _: tmp_path / "fp32")

    def fake_quantize(_graph: Path, target: Path) -> None:
        target.write_bytes(b"onnx")

    monkeypatch.setattr(onnx_int8, "quantize", fake_quantize)
    monkeypatch.setattr(
        onnx_int8,
        "verify_int8",
        lambda *_: Verification("x", 0.97, 0.99, len(VERIFICATION_TEXTS), MIN_INT8_COSINE),
    )
    (tmp_path / "models").mkdir()
    with pytest.raises(ModelError, match=r"min cosine 0\.97000"):
        onnx_int8.materialize_int8_model(tmp_path)
    assert list((tmp_path / "models").iterdir()) == []


@pytest.mark.slow
def test_passages_are_int8_close_to_fp32_and_queries_are_fp32(tmp_path: Path) -> None:
    model = Embedder(backend="onnx-int8")
    fp32 = Embedder(backend="onnx")
    texts = list(VERIFICATION_TEXTS)
    np.testing.assert_array_equal(model.embed_queries(texts), fp32.embed_queries(texts))
    assert model.encoder._passage_session is None  # answering alone never loads the int8 graph
    ours, reference = model.embed_passages(texts), fp32.embed_passages(texts)
    assert ours.shape == reference.shape == (len(texts), 384) and ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = (ours * reference).sum(axis=1)
    assert cosines.min() >= MIN_INT8_COSINE, dict(zip(texts, cosines.round(4), strict=True))
    assert not np.array_equal(ours, reference)  # they are the int8 graph's
    assert model.dimension == fp32.dimension and model.max_tokens == fp32.max_tokens
    assert model.count_tokens(TEXT) == fp32.count_tokens(TEXT)


@pytest.mark.slow
def test_int8_has_its_own_weights_hash(embedder: Embedder, int8: Embedder) -> None:
    onnx_file = int8_model_dir(int8.cache_dir) / ONNX_INT8_FILE
    assert int8_model_dir(int8.cache_dir).parent == onnx_model_dir(int8.cache_dir).parent
    assert int8.weights_hash == sha256_file(onnx_file)
    assert int8.weights_hash != embedder.weights_hash
    assert int8.model_id == embedder.model_id


@pytest.mark.slow
def test_index_of_one_backend_is_refused_by_the_other(
    embedder: Embedder, int8: Embedder, seed_index: Path, tmp_path: Path
) -> None:
    with pytest.raises(IndexMismatchError, match="different weights"):
        FaissIndex.load_for(seed_index, int8)
    article = Article("a1", "معرض الكتاب", TEXT, "test", article_fingerprint("معرض الكتاب", TEXT))
    ingest_articles([article], tmp_path / "index", int8)
    loaded = FaissIndex.load(tmp_path / "index", weights_sha256=int8.weights_hash)
    assert loaded.manifest.weights_sha256 == int8.weights_hash
    with pytest.raises(IndexMismatchError, match="different weights"):
        FaissIndex.load(tmp_path / "index", weights_sha256=embedder.weights_hash)


@pytest.mark.slow
def test_int8_graph_quantizes_every_matmul_of_the_fp32_one(int8: Embedder) -> None:
    """Quantized from the fp32 ONNX export (eager attention: no IsNaN guards), every weight
    MatMul runs in int8 and the word table is looked up outside the graph, in fp32."""
    import onnx

    graph = onnx.load(int8_model_dir(int8.cache_dir) / ONNX_INT8_FILE).graph
    ops = [node.op_type for node in graph.node]
    assert ops.count("Softmax") == 12
    assert "IsNaN" not in ops
    # Per layer: query, key, value, attention output and the two feed-forward matrices.
    assert ops.count("MatMulInteger") == 12 * 6
    assert next(i.name for i in graph.input) == "inputs_embeds"


@pytest.mark.slow
def test_int8_process_imports_no_torch(int8: Embedder) -> None:
    """Embedding with onnx-int8 imports onnxruntime, never torch or transformers."""
    code = (
        "import sys\n"
        "from embeddings.model.embedder import Embedder\n"
        "Embedder(backend='onnx-int8').embed_queries(['hello'])\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
        "print('onnxruntime' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=clean_env(), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split("\n")[:2] == ["[]", "True"]
