"""The confidence model: its arithmetic, its stored form, its tier thresholds, and its signals
on the real index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embeddings.model.embedder import Embedder
from rag.answer.confidence import (
    FEATURES,
    ConfidenceModel,
    TierThresholds,
    confidence_models,
    tier_thresholds,
)
from rag.config import load_settings
from rag.pipeline import Pipeline

SIGNALS = {name: 0.1 * (i + 1) for i, name in enumerate(FEATURES)}


def _model(**changes) -> ConfidenceModel:
    values = {
        "features": ("top", "gap"),
        "mean": (0.8, 0.02),
        "scale": (0.05, 0.01),
        "coef": (2.0, -1.0),
        "intercept": 0.5,
    }
    return ConfidenceModel(**{**values, **changes})


def test_probability_is_the_logistic_of_the_standardized_signals() -> None:
    model = _model()
    log_odds = 2.0 * (0.1 - 0.8) / 0.05 - 1.0 * (SIGNALS["gap"] - 0.02) / 0.01 + 0.5
    assert model.log_odds(SIGNALS) == pytest.approx(log_odds)
    assert model.probability(SIGNALS) == pytest.approx(1 / (1 + np.exp(-log_odds)))
    assert 0.0 < model.probability({"top": 1e9, "gap": -1e9}) <= 1.0  # no overflow


def test_the_stored_form_round_trips() -> None:
    model = _model()
    stored = confidence_models({"ar": model.to_json()})
    assert stored["ar"].probability(SIGNALS) == pytest.approx(model.probability(SIGNALS))
    assert confidence_models(None) == {}


def test_thresholds_make_the_four_tiers() -> None:
    tiers = TierThresholds(answer=0.8, likely=0.5, related=0.3)
    assert [tiers.tier(c) for c in (0.95, 0.8, 0.6, 0.5, 0.4, 0.3, 0.1)] == [
        "answer",
        "answer",
        "likely",
        "likely",
        "related",
        "related",
        "refused",
    ]
    stored = {"en": {"answer": 0.9, "likely": 0.6, "related": 0.2}}
    assert tier_thresholds(stored)["en"] == TierThresholds(0.9, 0.6, 0.2)
    assert tier_thresholds(stored)["en"].to_json() == stored["en"]
    with pytest.raises(ValueError, match="related <= likely <= answer"):
        TierThresholds(answer=0.6, likely=0.7, related=0.5)
    with pytest.raises(ValueError, match="malformed"):
        tier_thresholds({"en": {"answer": 0.9, "related": 0.2}})


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"features": ("top", "word_count")}, "confidence model: unknown feature"),
        ({"coef": (1.0,)}, "differ in length"),
        ({"scale": (0.05, 0.0)}, "positive"),
    ],
)
def test_a_malformed_model_is_rejected(changes: dict, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        _model(**changes)


def test_a_stored_model_with_a_missing_key_is_a_clear_error() -> None:
    payload = _model().to_json()
    del payload["coef"]
    with pytest.raises(ValueError, match="malformed"):
        confidence_models({"en": payload})


def test_the_setting_accepts_the_model_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    monkeypatch.setenv("RAG_CONFIDENCE", json.dumps({"ar": _model().to_json()}))
    assert load_settings().answer.confidence == {"ar": _model().to_json()}
    monkeypatch.setenv("RAG_CONFIDENCE", "[1, 2]")
    with pytest.raises(ValueError, match="confidence: Input should be a valid dictionary"):
        load_settings()


def test_signals_on_the_seed_index_separate_an_answered_question_from_an_unrelated_one(
    embedder: Embedder, seed_index: Path
) -> None:
    pipeline = Pipeline.from_settings(load_settings(index_dir=seed_index), embedder)
    answered = pipeline.ask("من هو نظير وزير الدفاع السوري الذي التقاه في موسكو؟")
    unrelated = pipeline.ask("من فاز بكأس العالم لكرة القدم عام 1998؟")
    for answer in (answered, unrelated):
        assert set(answer.confidence_features) == set(FEATURES)
        assert all(np.isfinite(v) for v in answer.confidence_features.values())
    a, u = answered.confidence_features, unrelated.confidence_features
    assert a["top"] > u["top"] and a["corpus_sentence"] > u["corpus_sentence"]
    # 1998 occurs in no seed article.
    assert u["numbers_missing"] == 1.0 and a["numbers_missing"] == 0.0
    assert a["corpus_sentence"] >= a["best_cosine"] - 1e-6  # the corpus includes the passages


class _FixedVector:
    """An encoder that gives every text the same query vector."""

    def __init__(self, vector: np.ndarray) -> None:
        self.vector = vector

    def query(self, text: str) -> np.ndarray:
        return self.vector


class _NoCorpus:
    def search_sentences(self, query_vector: np.ndarray, k: int) -> list:
        return []

    def idf(self, tokens) -> dict[str, float]:
        return dict.fromkeys(tokens, 1.0)


def test_the_gap_ignores_other_passages_that_repeat_the_best_sentence() -> None:
    from corpus import Chunk, Span
    from rag.answer.confidence import confidence_features
    from rag.answer.selection import ScoredSentence
    from rag.question import read_question
    from rag.schema import Passage

    passages = [
        Passage(Chunk(f"a{i}:0-10", f"a{i}", None, "نص", 0, 10), 0.5, dense_score=0.8)
        for i in range(3)
    ]
    claim, paraphrase, other = np.eye(3, dtype=np.float32)
    paraphrase = (claim + 0.1 * paraphrase) / np.linalg.norm(claim + 0.1 * paraphrase)
    scored = [
        ScoredSentence(0, Span(0, 3, "نص"), 0.90, 0.88, claim),
        ScoredSentence(1, Span(0, 3, "نص"), 0.89, 0.87, paraphrase),  # says the same
        ScoredSentence(2, Span(0, 3, "نص"), 0.80, 0.79, other),
    ]
    question = read_question(
        "سؤال؟", (), encoder=_FixedVector(np.ones(3, dtype=np.float32) / np.sqrt(3)), max_chars=100
    )
    values = confidence_features(question, passages, scored, _NoCorpus(), 0.85, None)
    assert values["gap"] == pytest.approx(0.10) and values["sentence_gap"] == pytest.approx(0.10)
    # Were the paraphrase a different claim, it would be the runner-up.
    values = confidence_features(question, passages, scored, _NoCorpus(), 0.999, None)
    assert values["gap"] == pytest.approx(0.01) and values["sentence_gap"] == pytest.approx(0.01)
    assert values["corpus_sentence"] == 0.0 and values["best_cosine"] == pytest.approx(0.88)
