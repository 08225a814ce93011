"""The onnx backend (the serving default): the torch vectors, ids and answers, without torch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from corpus import DEFAULT_CORPUS_DIR
from embeddings.model.backend.folders import verification_record
from embeddings.model.backend.onnx import MIN_ONNX_COSINE, files_sha256, onnx_model_dir
from embeddings.model.backend.onnx_export import TOKENIZER_FILE
from embeddings.model.backend.unigram import UnigramTokenizer
from embeddings.model.backend.verification import VERIFICATION_TEXTS
from embeddings.model.embedder import Embedder
from eval.datasets import SHARED_EVAL_DIR
from rag.config import load_settings
from rag.pipeline import Pipeline

SEED_QA = SHARED_EVAL_DIR / "seed_qa.jsonl"
# Whitespace runs, special tokens written in text, unknown characters, mixed scripts.
EDGE_TEXTS = (
    "",
    " ",
    "  double  spaces\tand\ttabs\n\nnew lines  ",
    "<s>already</s> wrapped <mask> and <pad>",
    "😀👍🏽 ﷺ ﻻ é̃ ﬁ ① ² ½ \u200b\u200c\u200d\u0640",
    "x" * 3000,
    "بدأت دمشق وموسكو فصلاً جديداً 2024 ٢٠٢٤ Reuters",
)


@pytest.fixture(scope="module")
def torch_embedder(embedder: Embedder) -> Embedder:
    model = Embedder(cache_dir=embedder.cache_dir, backend="torch")
    model.warm_up()
    return model


def test_default_backend_is_onnx(embedder: Embedder) -> None:
    assert embedder.backend == load_settings().embedding.backend == "onnx"


def test_export_is_verified_with_hashes(embedder: Embedder) -> None:
    folder = onnx_model_dir(embedder.cache_dir)
    recorded = verification_record(folder)
    assert recorded is not None
    assert min(recorded["min_query_cosine"], recorded["min_passage_cosine"]) >= MIN_ONNX_COSINE
    assert recorded["files_sha256"] == files_sha256(folder)


@pytest.mark.slow
def test_vectors_match_torch(embedder: Embedder, torch_embedder: Embedder) -> None:
    texts = list(VERIFICATION_TEXTS) + list(EDGE_TEXTS)
    for embed in ("embed_queries", "embed_passages"):
        ours, reference = getattr(embedder, embed)(texts), getattr(torch_embedder, embed)(texts)
        assert ours.shape == reference.shape == (len(texts), 384)
        cosines = (ours * reference).sum(axis=1)
        assert cosines.min() >= MIN_ONNX_COSINE, dict(zip(texts, cosines.round(6), strict=True))
    assert embedder.weights_hash == torch_embedder.weights_hash  # the two share indexes
    assert (embedder.dimension, embedder.max_tokens) == (384, torch_embedder.max_tokens)


@pytest.mark.slow
def test_token_counts_match_torch(embedder: Embedder, torch_embedder: Embedder) -> None:
    for text in (*VERIFICATION_TEXTS, *EDGE_TEXTS):
        assert embedder.count_tokens(text) == torch_embedder.count_tokens(text), text


@pytest.mark.slow
def test_unigram_ids_equal_the_full_tokenizer(embedder: Embedder) -> None:
    from tokenizers import Tokenizer

    folder = onnx_model_dir(embedder.cache_dir)
    reference = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
    ours = UnigramTokenizer(folder)
    texts = [*VERIFICATION_TEXTS, *EDGE_TEXTS]
    texts += [path.read_text(encoding="utf-8") for path in sorted(DEFAULT_CORPUS_DIR.iterdir())]
    xquad = json.loads((SHARED_EVAL_DIR / "xquad" / "xquad.ar.json").read_text("utf-8"))
    texts += [p["context"] for article in xquad["data"][:6] for p in article["paragraphs"]]
    for text in texts:
        assert ours.encode(text) == reference.encode(text, add_special_tokens=False).ids, text


@pytest.mark.slow
def test_seed_answers_equal_torch(
    embedder: Embedder, torch_embedder: Embedder, seed_index: Path
) -> None:
    settings = load_settings(index_dir=seed_index)
    questions = [json.loads(line)["question"] for line in SEED_QA.read_text("utf-8").splitlines()]
    onnx = Pipeline.from_settings(settings, embedder=embedder)
    torch = Pipeline.from_settings(settings, embedder=torch_embedder)
    for question in questions:
        ours, reference = onnx.ask(question), torch.ask(question)
        assert ours.render_text() == reference.render_text(), question
        if reference.confidence is None:
            assert ours.confidence is None, question
        else:
            assert np.isclose(ours.confidence, reference.confidence, atol=1e-3), question
