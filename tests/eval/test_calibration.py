"""The fits on hand-made records with known answers: tier thresholds, the confidence model,
the fusion weights, and the support threshold."""

from __future__ import annotations

import numpy as np
import pytest

from eval.fitting.fusion import fit_weights, fused_articles, mean_ndcg
from eval.fitting.support import support_threshold
from eval.fitting.tiers import (
    choose_thresholds,
    cross_validated,
    fit_confidence,
    fold_of,
    with_tiers,
)
from rag.answer.confidence import FEATURES


def test_the_answer_threshold_is_the_lowest_that_keeps_the_precision() -> None:
    confidence = [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.3, 0.2, 0.1]
    right = [True, True, True, True, True, False, True, False, False, False]
    empty = [False, False, False, False, False, False, False, True, True, True]
    tiers = choose_thresholds(
        confidence, right, empty, answer_precision=0.85, refusal_precision=0.9
    )
    # Above 0.5: 6 right of 7 (0.857); above 0.3 the precision would fall to 0.75.
    assert tiers.answer == pytest.approx(0.5)
    # Below 0.3 every question has no answer; adding 0.5 would bring an answerable one in.
    assert tiers.related == pytest.approx(0.3)


def test_nothing_precise_enough_puts_nothing_in_the_answer_tier() -> None:
    tiers = choose_thresholds([0.9, 0.8], [False, False], [True, True], answer_precision=0.9)
    assert tiers.answer == 1.0 and tiers.related <= tiers.answer


def _records(rng: np.random.Generator, n: int) -> list[dict]:
    """Records where only `gap` tells right answers from wrong ones."""
    records = []
    for i in range(n):
        right = i % 3 != 0
        features = {name: float(rng.normal(0.5, 0.1)) for name in FEATURES}
        features["gap"] = float(rng.normal(0.08 if right else 0.0, 0.02))
        features["type_missing"] = 0.0  # constant: must not divide by zero
        records.append(
            {
                "id": f"q{i}",
                "answerable": True,
                "answer_hit": right,
                "features": features,
                "gold_ids": [f"{i % 10:03d}-000"],
                "direction": "ar-ar",
                "tier": "answer",
            }
        )
    return records


def test_the_fitted_confidence_is_a_probability_that_ranks_right_answers_higher() -> None:
    records = _records(np.random.default_rng(0), 150)
    model = fit_confidence(records)
    p = np.array([model.probability(r["features"]) for r in records])
    right = np.array([r["answer_hit"] for r in records])
    assert p[right].mean() > 0.8 > 0.3 > p[~right].mean()
    weights = dict(zip(model.features, model.coef, strict=True))
    assert weights["gap"] == max(weights.values(), key=abs) and weights["gap"] > 0
    assert weights["type_missing"] == 0.0
    # Calibrated: the mean probability is close to the share of right answers.
    assert abs(p.mean() - right.mean()) < 0.05


def test_the_confidence_needs_right_and_wrong_answers() -> None:
    records = _records(np.random.default_rng(1), 9)
    for r in records:
        r["answer_hit"] = True
    with pytest.raises(ValueError, match="both correct and wrong"):
        fit_confidence(records)


def test_cross_validation_tests_every_record_once_on_a_model_fitted_without_its_article() -> None:
    rng = np.random.default_rng(2)
    fixed, folded = _records(rng, 90), _records(rng, 100)
    fitted_on: list[set[int]] = []

    def fit(train):
        fitted_on.append({fold_of(r) for r in train if r in folded})
        model = fit_confidence(train)
        return model, choose_thresholds([0.5], [True], [False])

    metrics = cross_validated(fixed, folded, fit)
    assert metrics["answerable"] == len(folded)
    assert all(len(folds) == 4 for folds in fitted_on)  # one fold left out each time
    tiered = with_tiers(folded, fit_confidence(folded), choose_thresholds([0.5], [True], [False]))
    assert {r["tier"] for r in tiered} <= {"answer", "related", "refused"}


def _ranked(gold: str, dense: list[str], bm25: list[str]) -> dict:
    return {"gold_ids": [gold], "chunk_ranked": {"dense": dense, "bm25": bm25}}


def test_fusion_weights_follow_the_ranking_that_finds_the_gold() -> None:
    # BM25 ranks the gold article first, dense ranks it third.
    records = [
        _ranked(f"g{i}", [f"x{i}:0-1", f"y{i}:0-1", f"g{i}:0-1"], [f"g{i}:0-1", f"x{i}:0-1"])
        for i in range(5)
    ]
    weights, gain = fit_weights([records], ["dense", "bm25"], rrf_k=60)
    assert weights["bm25"] > weights["dense"] == 1.0
    assert mean_ndcg(records, weights, 60) == pytest.approx(1.0)
    assert gain == pytest.approx(1.0 - mean_ndcg(records, {"dense": 1.0, "bm25": 1.0}, 60))
    assert fused_articles(records[0], weights, 60)[0] == "g0"


def test_fusion_weights_do_not_trade_one_source_for_another() -> None:
    # On the first source BM25 finds the gold, on the second dense does: equal weights stay.
    bm25_wins = [
        _ranked(f"g{i}", [f"x{i}:0-1", f"y{i}:0-1", f"g{i}:0-1"], [f"g{i}:0-1"]) for i in range(5)
    ]
    dense_wins = [
        _ranked(f"h{i}", [f"h{i}:0-1"], [f"x{i}:0-1", f"y{i}:0-1", f"h{i}:0-1"]) for i in range(5)
    ]
    weights, gain = fit_weights([bm25_wins, dense_wins], ["dense", "bm25"], rrf_k=60)
    assert weights == {"dense": 1.0, "bm25": 1.0} and gain == 0.0


def test_support_threshold_separates_the_groups() -> None:
    result = support_threshold([0.9, 0.88, 0.87, 0.95], [0.7, 0.75, 0.8, 0.86])
    assert result["support_threshold"] == pytest.approx(0.87)
    assert result["supported_recall"] == 1.0 and result["unsupported_rejected"] == 1.0
